"""The ``resolutionpricing audit`` command: ``audit sample`` and ``audit estimate``.

``audit sample`` writes the contacts to review as CSV, with their decisions and
a blank ``meets_definition`` column; ``audit estimate`` reads the reviewers'
column back, prints the estimate and, when the contract has an ``[audit]``
clause and the period's invoice is known, the credit.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from resolutionpricing._adjustment import Adjustment
from resolutionpricing._audit import (
    AuditEstimate,
    AuditSample,
    AuditStratum,
    DecisionKey,
    audit_credit,
    audit_estimate,
    audit_sample,
    strata_by,
)
from resolutionpricing._billing import calculate_invoice, calculate_run
from resolutionpricing._cli_common import add_reader_argument, read_log
from resolutionpricing._contract import Contract
from resolutionpricing._decisions import Decision, DecisionStatus, Reason
from resolutionpricing._errors import InvalidValueError
from resolutionpricing._files import load_contract
from resolutionpricing._interactions import Interaction
from resolutionpricing._invoice import Invoice
from resolutionpricing._money import format_decimal, to_decimal

__all__ = ["add_audit_parser", "run_audit"]

_COLUMNS = (
    "account_id",
    "interaction_id",
    "period",
    "stratum",
    "stratum_population",
    "population",
    "seed",
    "status",
    "units",
    "provisional_units",
    "reasons",
    "recontacted_by",
    "voided_topics",
    "customer_id",
    "conversation_id",
    "channel",
    "started_at",
    "ended_at",
    "topics",
    "resolved_topics",
    "escalated",
    "meets_definition",
)
_YES = {"true", "yes", "1", "y"}
_NO = {"false", "no", "0", "n"}


def add_audit_parser(commands: Any) -> None:  # noqa: ANN401  (argparse's private subparsers type)
    """Add ``audit sample`` and ``audit estimate`` to the command line's subcommands."""
    audit = commands.add_parser("audit", help="sample billed resolutions and estimate over-billing")
    audit.set_defaults(run=run_audit)
    verbs = audit.add_subparsers(dest="audit_command", required=True, metavar="STEP")
    sample = verbs.add_parser("sample", help="draw the contacts to review, as CSV")
    sample.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    sample.add_argument("interactions", metavar="LOG", help="the log: a .csv or .jsonl file")
    sample.add_argument("--period", required=True, help='the billing period, such as "2026-10"')
    sample.add_argument("--size", required=True, type=int, help="how many contacts to draw")
    sample.add_argument(
        "--seed", required=True, type=int, help="an int: the same seed, the same sample"
    )
    sample.add_argument("--out", required=True, help="the CSV file to write")
    sample.add_argument("--strata", metavar="COLUMN", default=None, help="stratify by a log column")
    add_reader_argument(sample)
    estimate = verbs.add_parser(
        "estimate", help="read the reviewed sample back, print the estimate"
    )
    estimate.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    estimate.add_argument("sample", metavar="SAMPLE", help="the reviewed sample CSV")
    estimate.add_argument("--invoice", default=None, help="the period's invoice JSON")
    estimate.add_argument("--log", default=None, help="the log, to recompute the period's invoice")
    estimate.add_argument(
        "--credit-out",
        metavar="FILE",
        default=None,
        help="write the credit's adjustment JSON, for bill --audit",
    )
    estimate.add_argument(
        "--method", choices=("wilson", "clopper_pearson"), default="wilson", help="the interval"
    )
    estimate.add_argument("--confidence", default="0.95", help="the confidence level (0.95)")
    add_reader_argument(estimate)


def run_audit(arguments: argparse.Namespace) -> str:
    """Run ``audit sample`` or ``audit estimate``; returns what to print."""
    contract = load_contract(arguments.contract)
    if arguments.audit_command == "sample":
        return _run_sample(contract, arguments)
    return _run_estimate(contract, arguments)


def _period_rows(
    contract: Contract, log: Sequence[Interaction], period: str
) -> tuple[dict[str, Interaction], list[Decision]]:
    # The run's decisions carry their period: the one rule of period assignment.
    label = contract.period(period).label
    run = calculate_run(contract, log, label)
    decisions = [decision for decision in run.decisions if decision.period == label]
    chosen = {decision.interaction_id for decision in decisions}
    account = run.invoices[0].account_id
    rows = {row.id: row for row in log if row.account_id == account and row.id in chosen}
    return rows, decisions


def _run_sample(contract: Contract, arguments: argparse.Namespace) -> str:
    log = read_log(arguments.interactions, arguments.reader)
    rows, decisions = _period_rows(contract, log, arguments.period)
    strata = None if arguments.strata is None else strata_by(log, arguments.strata)
    sample = audit_sample(
        decisions,
        arguments.size,
        seed=arguments.seed,
        strata=strata,
        pending=contract.billing.pending,
    )
    label = contract.period(arguments.period).label
    _write_sample(Path(arguments.out), sample, rows, label)
    lines = [
        (
            f"Sampled {sample.size} of {sample.population} billed contacts of {label} "
            f"(seed {sample.seed}) to {arguments.out}"
        ),
        "",
        f"{'stratum':<16} {'billed':>8} {'weight':>10} {'sampled':>8}",
    ]
    lines.extend(
        f"{s.name:<16} {s.population:>8} {format_decimal(s.weight):>10} {s.size:>8}"
        for s in sample.strata
    )
    return "\n".join(lines) + "\n"


def _write_sample(
    path: Path, sample: AuditSample, rows: dict[str, Interaction], period: str
) -> None:
    populations = {stratum.name: stratum.population for stratum in sample.strata}
    try:
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(_COLUMNS)
            for decision, key in zip(sample.decisions, sample.keys, strict=True):
                row = rows[decision.interaction_id]
                stratum = sample.assignment[key]
                writer.writerow(
                    [
                        key[0] or "",
                        key[1],
                        period,
                        stratum,
                        populations[stratum],
                        sample.population,
                        sample.seed,
                        decision.status.value,
                        format_decimal(decision.units),
                        format_decimal(decision.provisional_units),
                        ";".join(reason.value for reason in decision.reasons),
                        ";".join(decision.recontacted_by),
                        ";".join(sorted(decision.voided_topics)),
                        row.customer_id,
                        row.conversation_id,
                        row.channel,
                        row.started_at.isoformat(),
                        row.ended_at.isoformat(),
                        ";".join(sorted(row.topics)),
                        ";".join(sorted(row.resolved_topics)),
                        "true" if row.escalated else "false",
                        "",
                    ]
                )
    except OSError as error:
        raise InvalidValueError(
            "--out", f"{path} cannot be written ({error.strerror})", "a writable file path"
        ) from None


def _finding(text: str, number: int) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    problem = "is blank" if not value else f"{text!r} is not a finding"
    raise InvalidValueError(
        f"line {number}, meets_definition", problem, "true/false, yes/no or 1/0 for every contact"
    )


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(";") if part)


def _read_sample(path: Path) -> tuple[AuditSample, dict[DecisionKey, bool], str]:
    """The sample, the reviewers' findings and the period, from a reviewed sample file."""
    try:
        with path.open(newline="", encoding="utf-8") as file:
            records = list(csv.DictReader(file))
    except OSError as error:
        raise InvalidValueError(
            str(path), f"cannot be read ({error.strerror})", "a readable CSV file"
        ) from None
    if not records or any(column not in records[0] for column in _COLUMNS):
        raise InvalidValueError(
            str(path), "is not an audit sample", "a file written by resolutionpricing audit sample"
        )
    decisions: list[Decision] = []
    assignment: dict[DecisionKey, str] = {}
    findings: dict[DecisionKey, bool] = {}
    sizes: dict[str, int] = {}
    populations: dict[str, int] = {}
    for number, record in enumerate(records, start=2):
        key: DecisionKey = (record["account_id"] or None, record["interaction_id"])
        decisions.append(
            Decision(
                interaction_id=key[1],
                status=DecisionStatus(record["status"]),
                units=to_decimal(record["units"], f"line {number}, units"),
                provisional_units=to_decimal(record["provisional_units"], f"line {number}, units"),
                reasons=tuple(Reason(reason) for reason in _split(record["reasons"])),
                recontacted_by=_split(record["recontacted_by"]),
                voided_topics=frozenset(_split(record["voided_topics"])),
            )
        )
        assignment[key] = record["stratum"]
        findings[key] = _finding(record["meets_definition"], number)
        sizes[record["stratum"]] = sizes.get(record["stratum"], 0) + 1
        populations[record["stratum"]] = int(record["stratum_population"])
    population = int(records[0]["population"])
    unsampled = population - sum(populations.values())
    if unsampled:  # strata too small to be drawn from are not in the file
        populations["(unsampled)"], sizes["(unsampled)"] = unsampled, 0
    strata = [
        AuditStratum(
            name=name,
            population=count,
            weight=(Decimal(count) / population).quantize(Decimal("0.000001")),
            size=sizes[name],
        )
        for name, count in sorted(populations.items())
    ]
    sample = AuditSample(
        seed=int(records[0]["seed"]),
        population=population,
        decisions=decisions,
        strata=strata,
        assignment=assignment,
    )
    return sample, findings, records[0]["period"]


def _invoice(contract: Contract, arguments: argparse.Namespace, period: str) -> Invoice | None:
    if arguments.invoice is not None:
        return Invoice.from_json(Path(arguments.invoice).read_text(encoding="utf-8"))
    if arguments.log is not None:
        return calculate_invoice(contract, read_log(arguments.log, arguments.reader), period)
    return None


def _run_estimate(contract: Contract, arguments: argparse.Namespace) -> str:
    sample, findings, period = _read_sample(Path(arguments.sample))
    invoice = _invoice(contract, arguments, period)
    estimate = audit_estimate(
        sample,
        findings,
        confidence=arguments.confidence,
        method=arguments.method,
        invoice=invoice,
    )
    lines = _estimate_lines(estimate, period)
    if invoice is None:
        lines.append("credit: needs the period's invoice (--invoice or --log)")
    elif contract.audit is None:
        lines.append("credit: the contract has no [audit] clause")
    else:
        credit = audit_credit(contract, estimate, invoice)
        if arguments.credit_out is not None:
            _write_credit(Path(arguments.credit_out), credit)
        clause = contract.audit
        rule = f"basis {clause.basis.value}, tolerance {format_decimal(clause.tolerance)}"
        if credit.is_empty:
            lines.append(
                f"credit: none ({rule}: {format_decimal(estimate.figure(clause.basis))} is within tolerance)"
            )
        else:
            line = credit.lines[0]
            lines.append(
                f"credit ({rule}): {line.key} {format_decimal(line.difference)} {credit.currency}"
            )
            lines.append(
                f"  tax {format_decimal(credit.tax_difference)}, total {format_decimal(credit.total_difference)}"
            )
    return "\n".join(lines) + "\n"


def _write_credit(path: Path, credit: Adjustment) -> None:
    try:
        path.write_text(credit.to_json() + "\n", encoding="utf-8")
    except OSError as error:
        raise InvalidValueError(
            "--credit-out", f"{path} cannot be written ({error.strerror})", "a writable file path"
        ) from None


def _estimate_lines(estimate: AuditEstimate, period: str) -> list[str]:
    level = format_decimal((estimate.confidence * 100).normalize())
    lines = [
        f"Audit of {period}: {estimate.failures} of {estimate.size} sampled contacts fail the definition",
        (
            f"failure rate {format_decimal(estimate.rate)}, {level}% {estimate.method} interval "
            f"{format_decimal(estimate.lower)} to {format_decimal(estimate.upper)}"
        ),
    ]
    if len(estimate.strata) > 1:
        lines.extend(
            f"  {s.name:<16} {s.failures:>4} of {s.size:<5} rate {'-' if s.rate is None else format_decimal(s.rate)}"
            for s in estimate.strata
        )
    if estimate.charge is not None and estimate.over_billing is not None:
        lines.append(
            f"resolution charge {format_decimal(estimate.charge)} {estimate.currency}: "
            f"over-billing {format_decimal(estimate.over_billing)} "
            f"({format_decimal(estimate.over_billing_lower or Decimal(0))} to "
            f"{format_decimal(estimate.over_billing_upper or Decimal(0))})"
        )
    return lines
