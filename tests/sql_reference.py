"""The expectations the SQL engines are checked against: `decide`, per account.

Shared by tests/test_sql_engine.py and tests/spark/. `decide` knows no
accounts in the tests' rows (an ``account_id`` attribute), so each account's
rows are decided on their own (at the whole log's cutoff) and merged; its
``recontacted_by`` (the first re-contact of each voided topic, the lead's
decision 1) is compared as it is.
"""

from __future__ import annotations

import decimal
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from resolutionpricing import Decision, DecisionStatus, Interaction, ResolutionRule, decide
from resolutionpricing._money import ARITHMETIC

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REASONS = (
    "escalated",
    "negative_feedback",
    "unconfirmed",
    "low_csat",
    "unresolved",
    "recontacted",
    "partial",
    "window_open",
)


def us(moment: datetime) -> int:
    """Microseconds since the epoch."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def account_of(row: Interaction) -> str | None:
    """The row's account (an attribute until interactions carry their own)."""
    return row.attributes.get("account_id") or None


def expected_decisions(
    rule: ResolutionRule,
    rows: Sequence[Interaction],
    *,
    as_of: datetime | None,
    periods: Sequence[tuple[str, int, int]] | None,
) -> dict[tuple[str | None, str], dict[str, object]]:
    """The reference decisions keyed by (account, id), in the SQL output's terms."""
    if not rows:
        return {}
    cutoff = as_of or max(max(row.started_at, row.ended_at) for row in rows)
    by_account: dict[str | None, list[Interaction]] = defaultdict(list)
    for row in rows:
        by_account[account_of(row)].append(row)
    expected: dict[tuple[str | None, str], dict[str, object]] = {}
    for account, members in by_account.items():
        by_id = {row.id: row for row in members}
        for decision in decide(rule, members, as_of=cutoff):
            row = by_id[decision.interaction_id]
            expected[account, decision.interaction_id] = _expected_row(row, decision, periods)
    return expected


def _expected_row(
    row: Interaction,
    decision: Decision,
    periods: Sequence[tuple[str, int, int]] | None,
) -> dict[str, object]:
    end = us(row.ended_at)
    period = next((label for label, start, stop in periods or () if start <= end < stop), None)
    return {
        "status": decision.status.value,
        "units": decision.units,
        "provisional_units": decision.provisional_units,
        "reasons": [reason.value for reason in decision.reasons],
        "recontacted_by": list(decision.recontacted_by),
        "voided_topics": sorted(decision.voided_topics),
        "period": period,
        "start_us": us(row.started_at),
        "end_us": end,
        "escalated": row.escalated,
    }


def expected_usage(
    decisions: Mapping[tuple[str | None, str], Mapping[str, object]],
    pause_limit: Decimal | None,
) -> dict[tuple[str | None, str | None], dict[str, object]]:
    """The usage rows the decisions add up to, keyed by (account, period)."""
    groups: dict[tuple[str | None, str | None], list[tuple[str, Mapping[str, object]]]] = (
        defaultdict(list)
    )
    for (account, identifier), decision in decisions.items():
        groups[account, decision["period"]].append((identifier, decision))  # type: ignore[index]
    usage: dict[tuple[str | None, str | None], dict[str, object]] = {}
    for key, members in groups.items():
        statuses = Counter(decision["status"] for _, decision in members)
        reasons = Counter(
            reason
            for _, decision in members
            if decision["status"] == "not_billable"
            for reason in decision["reasons"]  # type: ignore[attr-defined]
        )
        with decimal.localcontext(ARITHMETIC):
            units = sum(
                (Decimal(str(decision["units"])) for _, decision in members), start=Decimal(0)
            )
        usage[key] = {
            "contacts": len(members),
            "escalated": sum(1 for _, decision in members if decision["escalated"]),
            "billable_interactions": statuses["billable"],
            "billable_units": units,
            "pending": statuses["pending"],
            "not_billable_interactions": statuses["not_billable"],
            **{f"not_billable_{reason}": reasons[reason] for reason in REASONS},
            "overflow_from": _overflow(members, pause_limit),
        }
    return usage


def _overflow(
    members: list[tuple[str, Mapping[str, object]]], pause_limit: Decimal | None
) -> str | None:
    if pause_limit is None:
        return None
    billed = Decimal(0)
    ordered = sorted(members, key=lambda pair: (pair[1]["end_us"], pair[1]["start_us"], pair[0]))
    for identifier, decision in ordered:
        if decision["status"] != DecisionStatus.BILLABLE.value:
            continue
        billed += decision["units"]  # type: ignore[operator]
        if billed > pause_limit:
            return identifier
    return None
