"""The command line: ``resolutionpricing quote`` and ``resolutionpricing invoice``.

Bad input exits with status 2 and the error's message on standard error, never
a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from resolutionpricing._calculator import quote
from resolutionpricing._errors import ResolutionPricingError
from resolutionpricing._files import load_contract
from resolutionpricing._invoice import Invoice
from resolutionpricing._money import format_decimal

__all__ = ["main", "render_text"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resolutionpricing",
        description="Price AI customer-service contracts per resolution.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    quote_command = commands.add_parser("quote", help="price one billing period from counts")
    quote_command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    quote_command.add_argument(
        "--period", required=True, help='the period, such as "2026-10" or "2026-Q4"'
    )
    quote_command.add_argument(
        "--resolutions", required=True, help="billable resolution units in the period"
    )
    quote_command.add_argument(
        "--escalations", default="0", help="escalated contacts in the period (default 0)"
    )
    quote_command.add_argument("--contacts", default=None, help="contacts in the period, if known")
    quote_command.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    return parser


def _whole(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise SystemExit(
            f"resolutionpricing: error: --{name}: {value!r} is not a whole number"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Example:
        >>> from resolutionpricing._cli import main
        >>> main(["quote", "examples/contract.toml", "--period", "2026-10", "--resolutions", "12000", "--format", "json"])
        {"as_of":null,...,"total":"42787.50"}
        0
    """
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "quote":
            invoice = quote(
                load_contract(arguments.contract),
                arguments.period,
                resolutions=arguments.resolutions,
                escalations=_whole(arguments.escalations, "escalations") or 0,
                contacts=_whole(arguments.contacts, "contacts"),
            )
            sys.stdout.write(
                invoice.to_json() + "\n" if arguments.format == "json" else render_text(invoice)
            )
    except ResolutionPricingError as error:
        sys.stderr.write(f"resolutionpricing: error: {error}\n")
        return 2
    return 0


def render_text(invoice: Invoice) -> str:
    """The invoice as a readable table, one row per line, then subtotal, tax and total.

    Example:
        >>> from resolutionpricing import load_contract, quote
        >>> from resolutionpricing._cli import render_text
        >>> print(render_text(quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000)), end="")
        Gulf Telecom: AI resolution agreement
        Period 2026-10 (AED, final)
        <BLANKLINE>
        code            description                                   quantity    unit price        amount
        resolutions     Resolutions (graduated tiers)                    12000                    36750.00
                          tier 1: 5000 x 3.50                                                     17500.00
                          tier 2: 7000 x 2.75                                                     19250.00
        escalations     Escalations to human agents                          0          0.00          0.00
        kb_maintenance  Knowledge base maintenance                           1       4000.00       4000.00
        <BLANKLINE>
                                                                                   subtotal      40750.00
                                                                                   tax (5%)       2037.50
                                                                                      total      42787.50
    """
    rows = []
    status = "final" if invoice.final else "NOT FINAL: some contacts are still pending"
    rows.append(invoice.contract)
    rows.append(f"Period {invoice.period.label} ({invoice.currency}, {status})")
    rows.append("")
    rows.append(
        f"{'code':<15} {'description':<44} {'quantity':>9} {'unit price':>13} {'amount':>13}"
    )
    for line in invoice.lines:
        unit_price = "" if line.unit_price is None else format_decimal(line.unit_price)
        rows.append(
            f"{line.code:<15} {line.description[:44]:<44} {format_decimal(line.quantity):>9} "
            f"{unit_price:>13} {format_decimal(line.amount):>13}"
        )
        if line.code == "resolutions":
            rows.extend(_breakdown_rows(line.details))
    rows.append("")
    rate = format_decimal((invoice.tax_rate * 100).normalize())
    rows.append(f"{'subtotal':>83} {format_decimal(invoice.subtotal):>13}")
    rows.append(f"{f'tax ({rate}%)':>83} {format_decimal(invoice.tax):>13}")
    rows.append(f"{'total':>83} {format_decimal(invoice.total):>13}")
    return "\n".join(rows) + "\n"


def _breakdown_rows(details: object) -> list[str]:
    if not isinstance(details, dict) and not hasattr(details, "get"):
        return []
    rows = []
    for part in details.get("tiers", []):
        text = f"  tier {part['tier']}: {format_decimal(part['quantity'])} x {format_decimal(part['unit_price'])}"
        if part["flat_fee"]:
            text += f" + {format_decimal(part['flat_fee'])}"
        rows.append(f"{'':<15} {text:<68} {format_decimal(part['amount']):>13}")
    step = details.get("step_down")
    if step and step["quantity"]:
        text = f"  step-down above {format_decimal(step['above'])}: {format_decimal(step['quantity'])} x {format_decimal(step['unit_price'])}"
        rows.append(f"{'':<15} {text:<68} {format_decimal(step['amount']):>13}")
    return rows
