"""The command line: ``resolutionpricing quote``, ``invoice`` and ``init``.

It never prints a traceback. Exit statuses:

- 0: done;
- 1: the output could not be written (standard output closed or full, a disk
  error), with one line on standard error;
- 2: bad input (a contract, a log, an argument), with the error's message on
  standard error: one line, or for a file with problems a summary line and
  then each problem on its own indented line, the same for contracts and logs;
- 141 (128 + SIGPIPE, as Unix tools do): the reader of standard output went
  away (``| head``); nothing is printed.
"""

from __future__ import annotations

import argparse
import csv
import decimal
import os
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from resolutionpricing._calculator import calculate_invoice, quote
from resolutionpricing._contract import Contract
from resolutionpricing._decisions import Decision, decide
from resolutionpricing._errors import (
    InteractionLogError,
    InvalidValueError,
    ResolutionPricingError,
    shown,
)
from resolutionpricing._examples import write_examples
from resolutionpricing._files import load_contract
from resolutionpricing._interactions import Interaction, parse_timestamp, read_interactions
from resolutionpricing._invoice import Invoice
from resolutionpricing._money import ARITHMETIC, format_decimal
from resolutionpricing._periods import BillingPeriod, zone
from resolutionpricing._version import __version__

__all__ = ["main", "render_text", "write_decisions"]


def _count(text: str) -> int:
    # ASCII digits only: int() also reads "1_000" and Arabic-Indic digits.
    if not re.fullmatch(r"-?[0-9]{1,18}", text.strip(), re.ASCII):
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a whole number; ASCII digits 0-9, at most 18 of them"
        )
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; 0 or more")
    return value


def _instant(text: str) -> datetime:
    """``--as-of``: a timestamp of the log's grammar (RFC 3339 with an offset)."""
    try:
        return parse_timestamp(text)
    except InvalidValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


_PERIOD_HELP = 'the billing period, such as "2026-10" (monthly) or "2026-Q4" (quarterly)'
_FORMAT_HELP = "text (a readable table, the default) or json (the canonical invoice JSON)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resolutionpricing",
        description="Price AI customer-service contracts per resolution.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_quote_parser(commands)
    _add_invoice_parser(commands)
    _add_init_parser(commands)
    return parser


def _add_quote_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    quote_command = commands.add_parser("quote", help="price one billing period from counts")
    quote_command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    quote_command.add_argument("--period", required=True, help=_PERIOD_HELP)
    quote_command.add_argument(
        "--resolutions", required=True, help="billable resolution units in the period (a decimal)"
    )
    quote_command.add_argument(
        "--escalations", type=_count, default=0, help="escalated contacts in the period (default 0)"
    )
    quote_command.add_argument(
        "--contacts", type=_count, default=None, help="contacts in the period, if known"
    )
    quote_command.add_argument(
        "--format", choices=("text", "json"), default="text", help=_FORMAT_HELP
    )
    quote_command.set_defaults(run=_run_quote)


def _add_invoice_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    invoice_command = commands.add_parser(
        "invoice", help="price one billing period from an interaction log"
    )
    invoice_command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    invoice_command.add_argument(
        "interactions", metavar="INTERACTIONS", help="the log: a .csv or .jsonl file"
    )
    invoice_command.add_argument("--period", required=True, help=_PERIOD_HELP)
    invoice_command.add_argument(
        "--as-of",
        type=_instant,
        default=None,
        help="what was known, an RFC 3339 timestamp with its offset (default: the log's latest)",
    )
    invoice_command.add_argument(
        "--format", choices=("text", "json"), default="text", help=_FORMAT_HELP
    )
    invoice_command.add_argument(
        "--decisions",
        metavar="PATH",
        default=None,
        help="also write every contact's decision to PATH as CSV "
        "(id, period, status, units, reasons, recontacted_by)",
    )
    invoice_command.set_defaults(run=_run_invoice)


def _add_init_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init_command = commands.add_parser(
        "init", help="write the example contract and a small log into a folder, to start from"
    )
    init_command.add_argument(
        "folder", metavar="DIR", help="the folder to write into (created if missing)"
    )
    init_command.set_defaults(run=_run_init)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, 1, 2 or 141: see the module).

    Examples:
        >>> from resolutionpricing._cli import main
        >>> main(["quote", "examples/contract.toml", "--period", "2026-10", "--resolutions", "12000", "--format", "json"])
        {"as_of":null,...,"total":"42787.50"}
        0
    """
    arguments = _parser().parse_args(argv)
    try:
        output = arguments.run(arguments)
    except ResolutionPricingError as error:
        _write(sys.stderr, f"resolutionpricing: error: {error}\n")
        return 2
    return _print(output)


def _print(output: str) -> int:
    """Write the command's output; a reader gone or a full disk is one line, not a traceback."""
    stdout = sys.stdout
    if stdout is None:  # started with standard output closed (>&-)
        _write(sys.stderr, "resolutionpricing: error: standard output is closed\n")
        return 1
    try:
        _write(stdout, output)
        stdout.flush()
    except BrokenPipeError:
        _silence(stdout)
        return 141
    except OSError as error:
        _silence(stdout)
        reason = error.strerror or str(error)
        _write(
            sys.stderr, f"resolutionpricing: error: standard output cannot be written: {reason}\n"
        )
        return 1
    return 0


def _silence(stdout: object) -> None:
    """Point standard output at the null device, so that Python's flush at exit is quiet."""
    try:
        fileno = stdout.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing will flush it at exit
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fileno)
    os.close(null)


def _write(stream: object, text: str) -> None:
    """Write ``text``; a character the stream's encoding lacks is written as an escape."""
    write = stream.write  # type: ignore[attr-defined]
    try:
        write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        write(text.encode(encoding, "backslashreplace").decode(encoding))


def _load(contract_path: str) -> Contract:
    return load_contract(contract_path)


def _read_log(path: str) -> tuple[Interaction, ...]:
    """The log, or a bad-input error in the shape of a contract's (summary, then the problem)."""
    try:
        return read_interactions(path)
    except OSError as error:  # missing, a folder, no permission
        problem = InvalidValueError(path, error.strerror or str(error), "a readable log file")
        raise InteractionLogError(f"{path} cannot be read", [problem]) from None


def _run_quote(arguments: argparse.Namespace) -> str:
    invoice = quote(
        _load(arguments.contract),
        arguments.period,
        resolutions=arguments.resolutions,
        escalations=arguments.escalations,
        contacts=arguments.contacts,
    )
    return _rendered(invoice, arguments.format)


def _run_invoice(arguments: argparse.Namespace) -> str:
    contract = _load(arguments.contract)
    log = _read_log(arguments.interactions)
    invoice = calculate_invoice(contract, log, arguments.period, as_of=arguments.as_of)
    if arguments.decisions is not None:
        decisions = decide(contract.resolution, log, as_of=arguments.as_of)
        write_decisions(arguments.decisions, contract, log, decisions)
    return _rendered(invoice, arguments.format)


def _run_init(arguments: argparse.Namespace) -> str:
    written = write_examples(Path(arguments.folder))
    lines = [f"wrote {path}" for path in written]
    contract, log = written
    lines.append(f"next: resolutionpricing invoice {contract} {log} --period 2026-10")
    return "\n".join(lines) + "\n"


def _rendered(invoice: Invoice, output_format: str) -> str:
    return invoice.to_json() + "\n" if output_format == "json" else render_text(invoice)


def write_decisions(
    path: str | Path,
    contract: Contract,
    interactions: Sequence[Interaction],
    decisions: Sequence[Decision],
) -> None:
    """Write decisions as CSV: id, period, status, units, reasons, recontacted_by.

    ``period`` is the label of the period in which the contact ended, in the
    contract's time zone and cadence; ``reasons`` and ``recontacted_by`` are
    separated by ``;``. Rows come in the order of ``decisions``.

    Examples:
        >>> import tempfile, pathlib
        >>> from resolutionpricing import decide, load_contract, read_interactions
        >>> from resolutionpricing._cli import write_decisions
        >>> contract = load_contract("examples/contract.toml")
        >>> log = read_interactions("examples/interactions.csv")
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder, "decisions.csv")
        ...     write_decisions(path, contract, log, decide(contract.resolution, log))
        ...     print(path.read_text().splitlines()[0])
        id,period,status,units,reasons,recontacted_by
    """
    tz = zone(contract.timezone)
    ended = {row.id: row.ended_at for row in interactions}
    try:
        with Path(path).open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(["id", "period", "status", "units", "reasons", "recontacted_by"])
            for decision in decisions:
                day = ended[decision.interaction_id].astimezone(tz).date()
                writer.writerow(
                    [
                        decision.interaction_id,
                        BillingPeriod.containing(day, contract.billing_period).label,
                        decision.status.value,
                        format_decimal(decision.units),
                        ";".join(reason.value for reason in decision.reasons),
                        ";".join(decision.recontacted_by),
                    ]
                )
    except OSError as error:
        raise InvalidValueError(
            "--decisions", f"{path} cannot be written ({error.strerror})", "a writable file path"
        ) from None


def render_text(invoice: Invoice) -> str:
    """The invoice as a readable table, one row per line, then subtotal, tax and total.

    Examples:
        >>> from resolutionpricing import load_contract, quote
        >>> from resolutionpricing._cli import render_text
        >>> print(render_text(quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000)), end="")
        Gulf Telecom: AI resolution agreement
        Period 2026-10 (AED, final)
        <BLANKLINE>
        code            description                                    quantity     unit price          amount
        resolutions     Resolutions (graduated tiers)                     12000                       36750.00
                          tier 1: 5000 x 3.50                                                         17500.00
                          tier 2: 7000 x 2.75                                                         19250.00
        escalations     Escalations to human agents                           0           0.00            0.00
        kb_maintenance  Knowledge base maintenance                            1        4000.00         4000.00
        <BLANKLINE>
                                                                                         subtotal     40750.00
                                                                                         tax (5%)      2037.50
                                                                                            total     42787.50
    """
    code_width = max([15, *(len(line.code) + 1 for line in invoice.lines)])
    status = "final" if invoice.final else "NOT FINAL: some contacts are still pending"
    rows = [invoice.contract, f"Period {invoice.period.label} ({invoice.currency}, {status})", ""]
    rows.append(
        f"{'code':<{code_width}} {'description':<44} {'quantity':>10} {'unit price':>14} {'amount':>15}"
    )
    for line in invoice.lines:
        unit_price = "" if line.unit_price is None else format_decimal(line.unit_price)
        rows.append(
            f"{line.code:<{code_width}} {line.description[:44]:<44} "
            f"{format_decimal(line.quantity):>10} {unit_price:>14} {format_decimal(line.amount):>15}"
        )
        if line.code == "resolutions":
            rows.extend(
                f"{'':<{code_width}}   {text:<68} {_text(amount):>15}"
                for text, amount in _breakdown(line.details)
            )
    width = code_width + 1 + 44 + 1 + 10 + 1 + 14
    # In the library's context: the caller's precision must not change the label.
    with decimal.localcontext(ARITHMETIC):
        rate = format_decimal((invoice.tax_rate * 100).normalize())
    rows.append("")
    rows.append(f"{'subtotal':>{width}} {format_decimal(invoice.subtotal):>15}")
    rows.append(f"{f'tax ({rate}%)':>{width}} {format_decimal(invoice.tax):>15}")
    rows.append(f"{'total':>{width}} {format_decimal(invoice.total):>15}")
    rows.extend(_count_rows(invoice.counts))
    return "\n".join(rows) + "\n"


def _breakdown(details: Mapping[str, object]) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    tiers = details.get("tiers", [])
    for part in tiers if isinstance(tiers, list) else []:
        text = f"tier {part['tier']}: {format_decimal(part['quantity'])} x {format_decimal(part['unit_price'])}"
        if part["flat_fee"]:
            text += f" + {format_decimal(part['flat_fee'])} flat"
        rows.append((text, part["amount"]))
    step = details.get("step_down")
    if isinstance(step, dict) and step["quantity"]:
        text = (
            f"step-down above {format_decimal(step['above'])}: "
            f"{format_decimal(step['quantity'])} x {format_decimal(step['unit_price'])}"
        )
        rows.append((text, step["amount"]))
    return rows


def _count_rows(counts: Mapping[str, object]) -> list[str]:
    if "contacts" not in counts or "pending" not in counts:
        return []

    def row(label: str, value: object, indent: int = 2) -> str:
        return f"{'':<{indent}}{label.replace('_', ' '):<{30 - indent}} {_text(value):>12}"

    keys = ("contacts", "escalated", "billable_interactions", "billable_units", "pending")
    rows = ["", "Contacts of the period", *(row(key, counts[key]) for key in keys)]
    rows.append(row("not billable", counts.get("not_billable_interactions")))
    not_billable = counts.get("not_billable")
    if isinstance(not_billable, Mapping):
        rows.extend(row(reason, number, indent=4) for reason, number in not_billable.items())
    rates = ("overflow_units", "containment_rate", "resolution_rate")
    rows.extend(row(key, counts.get(key)) for key in rates)
    return rows


def _text(value: object) -> str:
    if value is None:
        return "-"
    return format_decimal(value) if isinstance(value, Decimal) else str(value)
