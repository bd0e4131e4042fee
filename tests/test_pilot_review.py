"""The pilot verdict and the quarterly review, from small hand-made logs and the example log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    Contract,
    Interaction,
    InvalidValueError,
    ResolutionRule,
    Tier,
    TierSchedule,
    load_contract,
    read_interactions,
)
from resolutionpricing.business_case import PilotCriteria, evaluate_pilot, quarterly_review

CONTRACT = Contract(
    name="Pilot",
    currency="USD",
    timezone="Asia/Dubai",
    starts_on=date(2026, 7, 1),
    pricing=TierSchedule.graduated([Tier(unit_price="2.00")]),
    resolution=ResolutionRule(recontact_window=timedelta(hours=48)),
)


def _contact(
    number: int,
    ended: datetime,
    *,
    customer: str | None = None,
    escalated: bool = False,
    resolved: bool = True,
    csat: int | None = None,
) -> Interaction:
    return Interaction(
        id=f"c{number}",
        customer_id=customer or f"u{number}",
        channel="chat",
        started_at=ended - timedelta(minutes=5),
        ended_at=ended,
        topics=frozenset({"billing"}),
        resolved_topics=frozenset({"billing"}) if resolved and not escalated else frozenset(),
        escalated=escalated,
        csat=csat,
    )


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=UTC)


# Ten contacts ending in October (Dubai): c1-c6 resolved (c6 re-contacted by
# c11 a day later, so voided), c7-c8 escalated, c9-c10 unresolved. c11 ends in
# the window too. c12 ends at 21:00 UTC on 31 October: 1 November in Dubai,
# outside the pilot. CSAT given: 5, 4, 3 (mean 4.0000).
LOG = [
    *(_contact(n, _at(n), csat={1: 5, 2: 4, 3: 3}.get(n)) for n in range(1, 6)),
    _contact(6, _at(6), customer="repeat"),
    _contact(7, _at(7), escalated=True),
    _contact(8, _at(8), escalated=True),
    _contact(9, _at(9), resolved=False),
    _contact(10, _at(10), resolved=False),
    _contact(11, _at(7), customer="repeat"),
    _contact(12, datetime(2026, 10, 31, 21, tzinfo=UTC)),
]


def _pilot(criteria: PilotCriteria) -> object:
    return evaluate_pilot(
        CONTRACT, LOG, criteria, starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )


def test_pilot_measures_by_hand() -> None:
    """11 contacts: 9 not escalated (0.8182); 6 billable (c1-c5, c11) = 0.5455; 1 re-contacted (0.0909).

    c12 ended on 1 November in Dubai and is not in the pilot; CSAT (5+4+3)/3 = 4.
    """
    report = evaluate_pilot(
        CONTRACT, LOG, PilotCriteria(), starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    assert (report.contacts, report.escalated, report.recontacted) == (11, 2, 1)
    assert report.automation_rate == Decimal("0.8182")
    assert report.billable_units == Decimal(6)
    assert report.resolution_rate == Decimal("0.5455")
    assert report.recontact_rate == Decimal("0.0909")
    assert (report.csat, report.csat_responses) == (Decimal("4.0000"), 3)
    assert report.passed  # no criterion given
    assert report.pending == 0


def test_pilot_verdict_at_the_thresholds() -> None:
    """A minimum passes at its threshold, a maximum at its threshold; just past them they fail."""
    at = PilotCriteria(
        min_automation_rate="0.8182",
        min_resolution_rate="0.5455",
        max_recontact_rate="0.0909",
        min_csat=4,
    )
    report = evaluate_pilot(
        CONTRACT, LOG, at, starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    assert [result.passed for result in report.criteria] == [True, True, True, True]
    assert report.passed
    past = PilotCriteria(min_automation_rate="0.8183", max_recontact_rate="0.0908")
    report = evaluate_pilot(
        CONTRACT, LOG, past, starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    assert [(r.criterion, r.passed) for r in report.criteria] == [
        ("min_automation_rate", False),
        ("max_recontact_rate", False),
    ]
    assert not report.passed
    assert "verdict: FAILED" in report.to_text()


def test_pilot_with_no_contacts_fails_its_criteria() -> None:
    """Nothing measured is no evidence: every given criterion fails."""
    report = evaluate_pilot(
        CONTRACT,
        LOG,
        PilotCriteria(min_csat=1),
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 1, 2),
    )
    assert report.contacts == 0
    assert report.criteria[0].measured is None
    assert not report.passed


def test_pilot_window_is_checked() -> None:
    """A window that ends before it starts, or has no start, is refused."""
    with pytest.raises(InvalidValueError, match=r"^ends_on: 2026-09-01 is before"):
        evaluate_pilot(
            CONTRACT, LOG, PilotCriteria(), starts_on=date(2026, 10, 1), ends_on=date(2026, 9, 1)
        )
    with pytest.raises(InvalidValueError, match=r"^starts_on: is missing"):
        evaluate_pilot(CONTRACT, LOG, PilotCriteria(), ends_on=date(2026, 9, 1))
    with pytest.raises(InvalidValueError, match=r"^min_automation_rate: 2 is above 1"):
        PilotCriteria(min_automation_rate=2)


_THRESHOLDS = st.none() | st.decimals(min_value=0, max_value=1, places=2)


@given(
    automation=_THRESHOLDS,
    resolution=_THRESHOLDS,
    recontact=_THRESHOLDS,
    csat=st.none() | st.decimals(min_value=1, max_value=5, places=1),
)
def test_a_pilot_passes_exactly_when_every_given_criterion_passes(
    automation: Decimal | None,
    resolution: Decimal | None,
    recontact: Decimal | None,
    csat: Decimal | None,
) -> None:
    """The verdict is the conjunction of one result per criterion given, each judged by its bound."""
    criteria = PilotCriteria(
        min_automation_rate=automation,
        min_resolution_rate=resolution,
        max_recontact_rate=recontact,
        min_csat=csat,
    )
    report = evaluate_pilot(
        CONTRACT, LOG, criteria, starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)
    )
    given_ones = [value for value in (automation, resolution, recontact, csat) if value is not None]
    assert len(report.criteria) == len(given_ones)
    expected = (
        (automation is None or Decimal("0.8182") >= automation)
        and (resolution is None or Decimal("0.5455") >= resolution)
        and (recontact is None or Decimal("0.0909") <= recontact)
        and (csat is None or Decimal(4) >= csat)
    )
    assert report.passed == expected == all(result.passed for result in report.criteria)


def test_quarterly_review_by_hand() -> None:
    """Contract from 1 July: October is Y1Q2; c12 is November (Dubai), the same quarter.

    12 contacts; c12 is the log's last and its window is still open, so it is
    pending and November is not final: 6 billable at $2.00, charge 12.00 over
    6 units is 2.0000; against a 10.00 forecast the variance is 2.00.
    """
    report = quarterly_review(CONTRACT, LOG, forecast={"Y1Q2": "10.00", "Y3Q1": "1"})
    assert [row.quarter for row in report.quarters] == ["Y1Q2"]
    quarter = report.quarters[0]
    assert quarter.periods == ("2026-10", "2026-11", "2026-12")
    assert (quarter.contacts, quarter.billable_units) == (12, Decimal(6))
    assert quarter.resolution_charge == Decimal("12.00")
    assert quarter.effective_price == Decimal("2.0000")
    assert quarter.total_spend == Decimal("12.00")
    assert not quarter.final
    assert (quarter.forecast, quarter.variance) == (Decimal("10.00"), Decimal("2.00"))
    assert report.to_rows()[0]["periods"] == "2026-10;2026-11;2026-12"


def test_review_of_one_year_lists_its_four_quarters() -> None:
    """year=1 gives Y1Q1 to Y1Q4, empty quarters included; a bad label or year is refused."""
    report = quarterly_review(CONTRACT, LOG, year=1)
    assert [row.quarter for row in report.quarters] == ["Y1Q1", "Y1Q2", "Y1Q3", "Y1Q4"]
    assert report.quarters[0].contacts == 0
    assert report.quarters[0].effective_price is None
    with pytest.raises(InvalidValueError, match=r"^year:"):
        quarterly_review(CONTRACT, LOG, year=0)
    with pytest.raises(InvalidValueError, match=r"not a quarter label"):
        quarterly_review(CONTRACT, LOG, forecast={"2026-Q4": 1})


def test_review_of_the_generated_log_matches_its_invoices() -> None:
    """The example log (October and half of November 2026) is Y1Q2 of the example contract.

    Its charge is October's and November's resolutions lines after caps (the
    minimum commitment is not a resolution charge), and its spend is the
    invoices' totals (December has no contacts: the minimum and maintenance).
    """
    from resolutionpricing import calculate_invoice  # noqa: PLC0415

    contract = load_contract("examples/contract.toml")
    log = read_interactions("examples/interactions.csv")
    quarter = quarterly_review(contract, log).quarters[0]
    invoices = [
        calculate_invoice(contract, log, period) for period in ("2026-10", "2026-11", "2026-12")
    ]
    charge = sum(
        line.amount
        for invoice in invoices
        for line in invoice.lines
        if line.code in {"resolutions", "spend_cap"}
    )
    assert quarter.resolution_charge == charge
    assert quarter.total_spend == sum(invoice.total for invoice in invoices)
    assert quarter.contacts == 19500
    assert quarter.billable_units == sum(Decimal(str(i.counts["billable_units"])) for i in invoices)
