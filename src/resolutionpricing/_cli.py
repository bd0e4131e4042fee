"""The command line: one ``main`` and a small parser and runner per command.

Bad input exits with status 2 and the error's message on standard error, never
a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from dateutil.parser import isoparse

from resolutionpricing._billing import BillingRun, bill, calculate_run
from resolutionpricing._calculator import quote
from resolutionpricing._cli_audit import add_audit_parser, run_audit
from resolutionpricing._decisions import Decision
from resolutionpricing._errors import InvalidValueError, ResolutionPricingError
from resolutionpricing._files import load_contract
from resolutionpricing._interactions import read_interactions
from resolutionpricing._invoice import Invoice, ResolutionDetails
from resolutionpricing._money import format_decimal, to_decimal
from resolutionpricing._pilot import PilotCriteria, evaluate_pilot, quarterly_review
from resolutionpricing._scenario import load_scenario

__all__ = ["main", "render_summary", "render_text", "write_decisions"]


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; 0 or more")
    return value


def _instant(text: str) -> datetime:
    try:
        value = isoparse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 timestamp such as 2026-11-03T00:00:00+04:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time zone; add one, such as 2026-11-03T00:00:00+04:00 or ...Z"
        )
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resolutionpricing",
        description="Price AI customer-service contracts per resolution.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    period_help = 'the billing period, such as "2026-10" (monthly) or "2026-Q4" (quarterly)'
    format_help = "text (a readable table, the default) or json (the canonical invoice JSON)"

    quote_command = commands.add_parser("quote", help="price one billing period from counts")
    quote_command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    quote_command.add_argument("--period", required=True, help=period_help)
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
        "--format", choices=("text", "json"), default="text", help=format_help
    )

    invoice_command = commands.add_parser(
        "invoice", help="price one billing period from an interaction log"
    )
    invoice_command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    invoice_command.add_argument(
        "interactions", metavar="INTERACTIONS", help="the log: a .csv or .jsonl file"
    )
    invoice_command.add_argument("--period", required=True, help=period_help)
    invoice_command.add_argument(
        "--as-of",
        type=_instant,
        default=None,
        help="what was known, an ISO 8601 timestamp with a time zone (default: the log's latest)",
    )
    invoice_command.add_argument(
        "--format", choices=("text", "json"), default="text", help=format_help
    )
    invoice_command.add_argument(
        "--decisions",
        metavar="PATH",
        default=None,
        help="also write the decision of every contact of the period to PATH as CSV "
        "(account_id, id, period, status, units, reasons, recontacted_by)",
    )
    _add_bill_parser(commands)
    _add_business_case_parser(commands)
    _add_pilot_parser(commands)
    _add_review_parser(commands)
    add_audit_parser(commands)
    _add_clauses_parser(commands)
    _add_offers_parser(commands)
    return parser


def _add_bill_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "bill", help="price every account's periods from one log: a billing run"
    )
    command.add_argument(
        "contracts",
        metavar="CONTRACT",
        nargs="+",
        help="the contracts' TOML files, one per account",
    )
    command.add_argument(
        "--log", required=True, help="the log of every account: a .csv or .jsonl file"
    )
    command.add_argument(
        "--period",
        required=True,
        action="append",
        help='a period ("2026-10") or an inclusive range ("2026-07..2026-12"); may be repeated',
    )
    command.add_argument(
        "--as-of",
        type=_instant,
        default=None,
        help="what was known, an ISO 8601 timestamp with a time zone (default: the log's latest)",
    )
    command.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="where to write DIR/<account>/<period>.json and DIR/decisions.csv",
    )
    command.add_argument(
        "--strict",
        action="store_true",
        help="refuse a log with rows that no contract bills (exit 2)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, or 2 for bad input).

    Examples:
        >>> from resolutionpricing._cli import main
        >>> main(["quote", "examples/contract.toml", "--period", "2026-10", "--resolutions", "12000", "--format", "json"])
        {"account_id":null,...,"total":"42787.50"}
        0
    """
    arguments = _parser().parse_args(argv)
    runner = _RUNNERS.get(arguments.command)
    if runner is not None:
        return _guarded(runner, arguments)
    try:
        if arguments.command == "audit":
            sys.stdout.write(run_audit(arguments))
            return 0
        if arguments.command == "bill":
            return _run_bill(arguments)
        contract = load_contract(arguments.contract)
        if arguments.command == "quote":
            invoice = quote(
                contract,
                arguments.period,
                resolutions=arguments.resolutions,
                escalations=arguments.escalations,
                contacts=arguments.contacts,
            )
        else:
            log = read_interactions(arguments.interactions)
            run = calculate_run(contract, log, arguments.period, as_of=arguments.as_of)
            (invoice,) = run.invoices
            if arguments.decisions is not None:
                label = invoice.period.label
                write_decisions(
                    arguments.decisions,
                    [decision for decision in run.decisions if decision.period == label],
                )
    except ResolutionPricingError as error:
        sys.stderr.write(f"resolutionpricing: error: {error}\n")
        return 2
    except OSError as error:  # the log cannot be read: missing, a folder, no permission
        sys.stderr.write(f"resolutionpricing: error: {error.filename}: {error.strerror}\n")
        return 2
    sys.stdout.write(
        invoice.to_json() + "\n" if arguments.format == "json" else render_text(invoice)
    )
    return 0


_DECISION_COLUMNS = ("account_id", "id", "period", "status", "units", "reasons", "recontacted_by")


def write_decisions(
    path: str | Path, decisions: Sequence[Decision], option: str = "--decisions"
) -> None:
    """Write decisions as CSV: account_id, id, period, status, units, reasons, recontacted_by.

    ``period`` is the decision's billing period (empty outside every billed
    period); an empty ``account_id`` is the rows without an account; units
    are in normal form (``1``, ``0.5``); ``reasons`` and ``recontacted_by``
    are separated by ``;``. Rows come in the order of ``decisions``.

    Examples:
        >>> import tempfile, pathlib
        >>> from resolutionpricing import bill, load_contract, read_interactions
        >>> from resolutionpricing._cli import write_decisions
        >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder, "decisions.csv")
        ...     write_decisions(path, run.decisions)
        ...     print(path.read_text().splitlines()[0])
        account_id,id,period,status,units,reasons,recontacted_by
    """
    try:
        with Path(path).open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(_DECISION_COLUMNS)
            for decision in decisions:
                data = decision.to_dict()
                writer.writerow(
                    [
                        decision.account_id or "",
                        decision.interaction_id,
                        decision.period or "",
                        decision.status.value,
                        data["units"],
                        ";".join(reason.value for reason in decision.reasons),
                        ";".join(decision.recontacted_by),
                    ]
                )
    except OSError as error:
        raise InvalidValueError(
            option, f"{path} cannot be written ({error.strerror})", "a writable file path"
        ) from None


_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DEFAULT_FOLDER = "default"


def _folder(account: str | None, index: int) -> str:
    """The folder of an account's invoices: its id, which must be a plain file name."""
    if account is None:
        return _DEFAULT_FOLDER
    if not _FOLDER.match(account) or account == _DEFAULT_FOLDER:
        raise InvalidValueError(
            f"contracts[{index}].account_id",
            f"{account!r} cannot name a folder of --out",
            f"letters, digits, '.', '_' and '-', starting with a letter or digit, and not {_DEFAULT_FOLDER!r}",
        )
    return account


def _run_bill(arguments: argparse.Namespace) -> int:
    contracts = [load_contract(path) for path in arguments.contracts]
    folders = [_folder(contract.account_id, index) for index, contract in enumerate(contracts)]
    log = read_interactions(arguments.log)
    run = bill(contracts, log, arguments.period, as_of=arguments.as_of)
    for account, rows in run.unbilled.items():
        shown = "rows without an account" if account is None else f"account {account!r}"
        sys.stderr.write(
            f"resolutionpricing: unbilled: {shown}: {rows} rows, no contract bills them\n"
        )
    if run.unbilled and arguments.strict:
        sys.stderr.write(
            "resolutionpricing: error: --strict: the log has rows that no contract bills; "
            "add a contract for each account, or leave out --strict\n"
        )
        return 2
    _write_run(
        Path(arguments.out), run, dict(zip((c.account_id for c in contracts), folders, strict=True))
    )
    sys.stdout.write(render_summary(run))
    return 0


def _write_run(out: Path, run: BillingRun, folders: Mapping[str | None, str]) -> None:
    try:
        for invoice in run.invoices:
            folder = out / folders[invoice.account_id]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{invoice.period.label}.json").write_text(
                invoice.to_json() + "\n", encoding="utf-8"
            )
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidValueError(
            "--out", f"{error.filename} cannot be written ({error.strerror})", "a writable folder"
        ) from None
    write_decisions(out / "decisions.csv", run.decisions, "--out")


def render_summary(run: BillingRun) -> str:
    """The run as a table: account, period, contacts, billable units, total, final.

    Examples:
        >>> from resolutionpricing import bill, load_contract, read_interactions
        >>> from resolutionpricing._cli import render_summary
        >>> print(render_summary(bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")), end="")
        account       period   contacts  billable units            total  final
        (none)        2026-10     13333       6361.5017    AED 26506.34   yes
    """
    rows = [
        f"{'account':<13} {'period':<8} {'contacts':>8} {'billable units':>15} {'total':>16}  final"
    ]
    for invoice in run.invoices:
        usage = invoice.usage
        total = f"{invoice.currency} {format_decimal(invoice.total)}"
        rows.append(
            f"{invoice.account_id or '(none)':<13} {invoice.period.label:<8} "
            f"{_text(usage.contacts):>8} {_text(usage.billable_units.normalize()):>15} "
            f"{total:>16}  {'yes' if invoice.final else 'no'}"
        )
    return "\n".join(rows) + "\n"


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
    status = "final" if invoice.final else "NOT FINAL: re-contacts may still change it"
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
        if isinstance(line.details, ResolutionDetails):
            rows.extend(
                f"{'':<{code_width}}   {text:<68} {_text(amount):>15}"
                for text, amount in _breakdown(line.details)
            )
    width = code_width + 1 + 44 + 1 + 10 + 1 + 14
    rate = format_decimal((invoice.tax_rate * 100).normalize())
    rows.append("")
    rows.append(f"{'subtotal':>{width}} {format_decimal(invoice.subtotal):>15}")
    rows.append(f"{f'tax ({rate}%)':>{width}} {format_decimal(invoice.tax):>15}")
    rows.append(f"{'total':>{width}} {format_decimal(invoice.total):>15}")
    rows.extend(_count_rows(invoice.counts))
    return "\n".join(rows) + "\n"


def _breakdown(details: ResolutionDetails) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for part in details.tiers:
        text = f"tier {part.index + 1}: {format_decimal(part.quantity)} x {format_decimal(part.unit_price)}"
        if part.flat_fee:
            text += f" + {format_decimal(part.flat_fee)} flat"
        rows.append((text, part.amount))
    step = details.step_down
    if step is not None and step.quantity:
        text = (
            f"step-down above {format_decimal(step.above)}: "
            f"{format_decimal(step.quantity)} x {format_decimal(step.unit_price)}"
        )
        rows.append((text, step.amount))
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


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-10-01") from None


def _decimal_text(text: str) -> Decimal:
    try:
        return to_decimal(text, "value")
    except ResolutionPricingError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a decimal such as 0.60") from None


def _add_business_case_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    command = commands.add_parser(
        "business-case", help="the business case of a scenario file: monthly table and summary"
    )
    command.add_argument("scenario", metavar="SCENARIO", help="the scenario's TOML file")


def _run_business_case(arguments: argparse.Namespace) -> int:
    result = load_scenario(arguments.scenario).evaluate()
    sys.stdout.write(result.to_text())
    return 0


def _add_pilot_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("pilot", help="judge a pilot: its contacts against criteria")
    command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    command.add_argument("interactions", metavar="LOG", help="the log: a .csv or .jsonl file")
    command.add_argument("--starts-on", type=_day, required=True, help="the pilot's first day")
    command.add_argument("--ends-on", type=_day, required=True, help="its last day, inclusive")
    for name, text in (
        ("--min-automation-rate", "the least share of contacts not escalated"),
        ("--min-resolution-rate", "the least billable units per contact"),
        ("--max-recontact-rate", "the most share of contacts voided by a re-contact"),
        ("--min-csat", "the least mean CSAT score (1 to 5)"),
    ):
        command.add_argument(name, type=_decimal_text, default=None, help=text)


def _run_pilot(arguments: argparse.Namespace) -> int:
    contract = load_contract(arguments.contract)
    criteria = PilotCriteria(
        min_automation_rate=arguments.min_automation_rate,
        min_resolution_rate=arguments.min_resolution_rate,
        max_recontact_rate=arguments.max_recontact_rate,
        min_csat=arguments.min_csat,
    )
    report = evaluate_pilot(
        contract,
        read_interactions(arguments.interactions),
        criteria,
        starts_on=arguments.starts_on,
        ends_on=arguments.ends_on,
    )
    sys.stdout.write(report.to_text())
    return 0


def _add_review_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("review", help="the quarterly review of a contract's log")
    command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    command.add_argument("interactions", metavar="LOG", help="the log: a .csv or .jsonl file")
    command.add_argument(
        "--year", type=_count, default=None, help="one contract year (1 the first; default: all)"
    )


def _run_review(arguments: argparse.Namespace) -> int:
    contract = load_contract(arguments.contract)
    report = quarterly_review(
        contract, read_interactions(arguments.interactions), year=arguments.year
    )
    sys.stdout.write(report.to_text())
    return 0


_REPORT_FORMATS = ("text", "json", "csv")
_REPORT_FORMAT_HELP = "text (a table, the default), json (the report's to_dict()) or csv (its rows)"


def _add_clauses_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "clauses", help="what each clause of the resolution rule is worth on a log"
    )
    command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    command.add_argument("interactions", metavar="LOG", help="the log: a .csv or .jsonl file")
    command.add_argument(
        "--period", required=True, action="append", help="a billing period; repeat for several"
    )
    command.add_argument(
        "--format", choices=_REPORT_FORMATS, default="text", help=_REPORT_FORMAT_HELP
    )


def _add_offers_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("offers", help="several offers priced on the same log, ranked")
    command.add_argument("interactions", metavar="LOG", help="the log: a .csv or .jsonl file")
    command.add_argument(
        "offers", metavar="OFFER", nargs="+", help="each offer's contract TOML file"
    )
    command.add_argument(
        "--period", required=True, action="append", help="a billing period; repeat for several"
    )
    command.add_argument(
        "--format", choices=_REPORT_FORMATS, default="text", help=_REPORT_FORMAT_HELP
    )


class _Report(Protocol):
    def to_rows(self) -> list[dict[str, object]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_text(self) -> str: ...


def _print_report(report: _Report, output_format: str) -> None:
    if output_format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    elif output_format == "csv":
        rows = report.to_rows()
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(list(rows[0]) if rows else [])
        writer.writerows([_csv_cell(value) for value in row.values()] for row in rows)
    else:
        sys.stdout.write(report.to_text())


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    return format_decimal(value) if isinstance(value, Decimal) else str(value)


def _run_clauses(arguments: argparse.Namespace) -> int:
    """``resolutionpricing clauses CONTRACT LOG --period P``: the clause report."""
    from resolutionpricing._clauses import compare_clauses  # noqa: PLC0415 -- imports the CLI

    contract = load_contract(arguments.contract)
    log = read_interactions(arguments.interactions)
    _print_report(compare_clauses(contract, log, arguments.period), arguments.format)
    return 0


def _run_offers(arguments: argparse.Namespace) -> int:
    """``resolutionpricing offers LOG OFFER... --period P``: the offers side by side."""
    from resolutionpricing._offers import compare_offers  # noqa: PLC0415 -- imports the CLI

    offers = [load_contract(path) for path in arguments.offers]
    log = read_interactions(arguments.interactions)
    _print_report(compare_offers(offers, log, arguments.period), arguments.format)
    return 0


def _guarded(run: Callable[[argparse.Namespace], int], arguments: argparse.Namespace) -> int:
    """Run a command; bad input exits 2 with a one-line message, never a traceback."""
    try:
        return run(arguments)
    except ResolutionPricingError as error:
        # A group lists its problems on lines of their own: one line here.
        message = "; ".join(line.strip(" -") for line in str(error).splitlines() if line.strip())
        sys.stderr.write(f"resolutionpricing: error: {message}\n")
        return 2
    except OSError as error:
        sys.stderr.write(f"resolutionpricing: error: {error.filename}: {error.strerror}\n")
        return 2


_RUNNERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "business-case": _run_business_case,
    "pilot": _run_pilot,
    "review": _run_review,
    "clauses": _run_clauses,
    "offers": _run_offers,
}
