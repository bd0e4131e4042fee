"""Usage: the typed counts of a period, their rates, and their JSON form."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from resolutionpricing import (
    Interaction,
    InvalidValueError,
    ResolutionRule,
    Usage,
    decide,
    load_contract,
    quote,
)


def test_rates_are_rounded_half_up_to_four_places() -> None:
    """2 of 3 is 0.6667; 1 escalated of 8 leaves 0.875 contained."""
    usage = Usage(
        billable_units=2,
        escalated=1,
        contacts=8,
        billable_interactions=2,
        pending=0,
        not_billable_interactions=6,
        not_billable={"unresolved": 6},
    )
    assert usage.containment_rate == Decimal("0.8750")
    assert Usage(
        billable_units=0, escalated=0, contacts=3, billable_interactions=2
    ).resolution_rate == Decimal("0.6667")


def test_no_contacts_means_no_rates() -> None:
    """A period without contacts has None rates (null in JSON)."""
    usage = Usage.from_decisions([])
    assert (usage.contacts, usage.containment_rate, usage.resolution_rate) == (0, None, None)
    assert usage.to_dict()["containment_rate"] is None


def test_a_quote_knows_only_what_it_was_given() -> None:
    """A quote's usage has no log-only figures, and its counts keep their keys."""
    invoice = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=10, contacts=20)
    assert invoice.usage.pending is None
    assert list(invoice.counts) == [
        "billable_units",
        "escalated",
        "contacts",
        "containment_rate",
        "overflow_units",
    ]


def test_reasons_are_kept_in_reason_order() -> None:
    """not_billable lists reasons in the order of Reason, whatever order they came in."""
    usage = Usage(billable_units=0, escalated=0, not_billable={"unresolved": 1, "escalated": 2})
    assert list(usage.not_billable or {}) == ["escalated", "unresolved"]


def test_an_unknown_reason_is_refused() -> None:
    """A reason that is not a Reason value is named."""
    with pytest.raises(InvalidValueError, match=r"counts\.not_billable\.tired"):
        Usage(billable_units=0, escalated=0, not_billable={"tired": 1})


def test_from_decisions_tallies_each_status() -> None:
    """One billable and one unresolved contact: 1 unit, 1 not billable for unresolved."""
    at = datetime(2026, 10, 1, 9, tzinfo=UTC)
    rows = [
        Interaction(
            id=name,
            customer_id=name,
            channel="chat",
            started_at=at,
            ended_at=at,
            topics=["billing"],
            resolved_topics=resolved,
        )
        for name, resolved in (("a", ["billing"]), ("b", []))
    ]
    decisions = decide(ResolutionRule(recontact_window="0h"), rows)
    by_id = {row.id: row for row in rows}
    usage = Usage.from_decisions([(by_id[d.interaction_id], d) for d in decisions])
    assert usage.billable_units == 1
    assert usage.billable_interactions == 1
    assert usage.not_billable == {"unresolved": 1}
    assert Usage.from_dict(usage.to_dict()) == usage
