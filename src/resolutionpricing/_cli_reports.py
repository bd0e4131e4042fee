"""The commands that report rather than bill: business case, pilot, review, clauses, offers.

Each is a parser and a runner returning the text to print; `resolutionpricing._cli.main`
writes it and turns errors into exit statuses.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from resolutionpricing._clauses import compare_clauses
from resolutionpricing._cli_common import add_reader_argument, count, load, read_log
from resolutionpricing._errors import ResolutionPricingError
from resolutionpricing._money import format_decimal, to_decimal
from resolutionpricing._offers import compare_offers
from resolutionpricing._pilot import PilotCriteria, evaluate_pilot, quarterly_review
from resolutionpricing._scenario import load_scenario

__all__ = ["add_report_parsers"]

_Commands = argparse._SubParsersAction  # noqa: SLF001 -- argparse names no public type for it


def add_report_parsers(commands: _Commands[argparse.ArgumentParser]) -> None:
    """Add the report commands to the command line's subparsers."""
    _add_business_case_parser(commands)
    _add_pilot_parser(commands)
    _add_review_parser(commands)
    _add_clauses_parser(commands)
    _add_offers_parser(commands)


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
    command.set_defaults(run=_run_business_case)


def _run_business_case(arguments: argparse.Namespace) -> str:
    result = load_scenario(arguments.scenario).evaluate()
    return result.to_text()


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
    add_reader_argument(command)
    command.set_defaults(run=_run_pilot)


def _run_pilot(arguments: argparse.Namespace) -> str:
    contract = load(arguments.contract)
    criteria = PilotCriteria(
        min_automation_rate=arguments.min_automation_rate,
        min_resolution_rate=arguments.min_resolution_rate,
        max_recontact_rate=arguments.max_recontact_rate,
        min_csat=arguments.min_csat,
    )
    report = evaluate_pilot(
        contract,
        read_log(arguments.interactions, arguments.reader),
        criteria,
        starts_on=arguments.starts_on,
        ends_on=arguments.ends_on,
    )
    return report.to_text()


def _add_review_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("review", help="the quarterly review of a contract's log")
    command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    command.add_argument("interactions", metavar="LOG", help="the log: a .csv or .jsonl file")
    command.add_argument(
        "--year", type=count, default=None, help="one contract year (1 the first; default: all)"
    )
    add_reader_argument(command)
    command.set_defaults(run=_run_review)


def _run_review(arguments: argparse.Namespace) -> str:
    contract = load(arguments.contract)
    report = quarterly_review(
        contract, read_log(arguments.interactions, arguments.reader), year=arguments.year
    )
    return report.to_text()


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
    add_reader_argument(command)
    command.set_defaults(run=_run_clauses)


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
    add_reader_argument(command)
    command.set_defaults(run=_run_offers)


class _Report(Protocol):
    def to_rows(self) -> list[dict[str, object]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_text(self) -> str: ...


def _report_text(report: _Report, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if output_format == "csv":
        rows = report.to_rows()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(list(rows[0]) if rows else [])
        writer.writerows([_csv_cell(value) for value in row.values()] for row in rows)
        return buffer.getvalue()
    return report.to_text()


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    return format_decimal(value) if isinstance(value, Decimal) else str(value)


def _run_clauses(arguments: argparse.Namespace) -> str:
    """``resolutionpricing clauses CONTRACT LOG --period P``: the clause report."""
    contract = load(arguments.contract)
    log = read_log(arguments.interactions, arguments.reader)
    return _report_text(compare_clauses(contract, log, arguments.period), arguments.format)


def _run_offers(arguments: argparse.Namespace) -> str:
    """``resolutionpricing offers LOG OFFER... --period P``: the offers side by side."""
    offers = [load(path) for path in arguments.offers]
    log = read_log(arguments.interactions, arguments.reader)
    return _report_text(compare_offers(offers, log, arguments.period), arguments.format)
