"""`calculate_invoice`: the invoice of one period, from an interaction log.

Unless a test says otherwise the contract is in Asia/Dubai (UTC+4, no
daylight saving), bills monthly at a flat 2.00 per unit, charges 1.50 per
escalation, has no tax, and uses the default rule: a 48 h window, same topic,
escalations excluded, all or nothing. Each contact is by its own customer
unless a test makes two share one, so there is no re-contact by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from resolutionpricing import (
    BillingPeriod,
    Cap,
    Contract,
    ContractError,
    DecisionStatus,
    Interaction,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    LineItem,
    PauseCap,
    PerEscalationFee,
    ResolutionDetails,
    ResolutionRule,
    SpendCap,
    StepDownCap,
    StepDownDetails,
    Tier,
    TierSchedule,
    calculate_invoice,
    decide,
    load_contract,
    quote,
    read_interactions,
)
from resolutionpricing._periods import zone
from resolutionpricing.strategies import contracts, interactions

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONTRACT = ROOT / "examples" / "contract.toml"
EXAMPLE_LOG = ROOT / "examples" / "interactions.csv"

ZERO = Decimal(0)
OCTOBER = "2026-10"
LATE = datetime(2027, 2, 1, tzinfo=UTC)
"""An ``as_of`` by which every example window has closed."""


def utc(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An instant of 2026, in UTC."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def make_contract(
    *,
    rule: ResolutionRule | None = None,
    caps: tuple[Cap, ...] = (),
    billing_period: str = "monthly",
) -> Contract:
    """A Dubai contract at a flat 2.00 per unit and 1.50 per escalation."""
    return Contract(
        name="Pilot",
        currency="AED",
        timezone="Asia/Dubai",
        starts_on=date(2026, 7, 1),
        billing_period=billing_period,
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price="2.00")),
        resolution=ResolutionRule() if rule is None else rule,
        caps=caps,
        fees=[PerEscalationFee(unit_price="1.50")],
    )


def contact(
    identifier: str,
    ended: datetime,
    *,
    minutes: int = 10,
    customer: str | None = None,
    topics: tuple[str, ...] = ("billing",),
    resolved: tuple[str, ...] | None = None,
    escalated: bool = False,
    confirmed: bool | None = None,
    csat: int | None = None,
) -> Interaction:
    """A contact ending at ``ended`` after ``minutes``, resolving all its topics unless told."""
    return Interaction(
        id=identifier,
        customer_id=f"u-{identifier}" if customer is None else customer,
        channel="chat",
        started_at=ended - timedelta(minutes=minutes),
        ended_at=ended,
        topics=topics,
        resolved_topics=topics if resolved is None else resolved,
        escalated=escalated,
        confirmed=confirmed,
        csat=csat,
    )


def shown_in(row: Interaction, zone_name: str) -> Interaction:
    """``row`` with its timestamps shown in the IANA zone ``zone_name``: the same instants."""
    tz = ZoneInfo(zone_name)
    return attrs.evolve(
        row, started_at=row.started_at.astimezone(tz), ended_at=row.ended_at.astimezone(tz)
    )


def count(invoice: Invoice, key: str) -> int:
    """One of the invoice's whole-number counts."""
    value = invoice.counts[key]
    assert isinstance(value, int)
    return value


def line_amounts(invoice: Invoice) -> list[tuple[str, Decimal]]:
    """The invoice's lines as (code, amount) pairs."""
    return [(line.code, line.amount) for line in invoice.lines]


def resolutions_line(invoice: Invoice) -> LineItem:
    """The invoice's ``resolutions`` line."""
    line = invoice.line("resolutions")
    assert line is not None
    return line


def pause_details(invoice: Invoice) -> Mapping[str, object]:
    """The ``pause`` part of the resolutions line's details."""
    details = resolutions_line(invoice).details
    assert isinstance(details, ResolutionDetails)
    assert details.pause is not None
    return {key: value for key, value in attrs.asdict(details.pause).items() if value is not None}


# Which period a contact belongs to


def test_a_contact_belongs_to_the_period_in_which_it_ended_in_the_contracts_zone() -> None:
    """Dubai is UTC+4: 19:59:59 UTC on 31 October is October, 20:00:00 and 23:30 UTC are November."""
    contract = make_contract()
    last_october_second = contact("oct", utc(10, 31, 19, 59, 59))  # 23:59:59 in Dubai
    first_november_second = contact("nov", utc(11, 1) - timedelta(hours=4))  # 00:00:00 in Dubai
    issue_example = contact("nov-2330", utc(10, 31, 23, 30))  # 03:30 on 1 November in Dubai
    log = [last_october_second, first_november_second, issue_example]

    october = calculate_invoice(contract, log, OCTOBER, as_of=LATE)
    november = calculate_invoice(contract, log, "2026-11", as_of=LATE)

    assert (october.counts["contacts"], october.counts["billable_units"]) == (1, 1)
    assert (november.counts["contacts"], november.counts["billable_units"]) == (2, 2)


def test_a_contact_that_starts_in_one_period_and_ends_in_the_next_belongs_to_the_next() -> None:
    """Started 23:50 on 31 October in Dubai, ended 00:10 on 1 November: a November contact."""
    contract = make_contract()
    log = [contact("c1", utc(10, 31, 20, 10), minutes=20)]

    assert calculate_invoice(contract, log, OCTOBER, as_of=LATE).counts["contacts"] == 0
    assert calculate_invoice(contract, log, "2026-11", as_of=LATE).counts["contacts"] == 1


def test_quarterly_periods_are_bounded_in_the_contracts_zone_too() -> None:
    """Q4 in Dubai runs from 20:00 UTC on 30 September to 20:00 UTC on 31 December."""
    contract = make_contract(billing_period="quarterly")
    log = [
        contact("q3-last", utc(9, 30, 19, 59, 59)),
        contact("q4-first", utc(9, 30, 20)),
        contact("q4-middle", utc(11, 15, 12)),
        contact("q4-last", utc(12, 31, 19, 59, 59)),
        contact("q1-first", utc(12, 31, 20)),
    ]

    q3 = calculate_invoice(contract, log, "2026-Q3", as_of=LATE)
    q4 = calculate_invoice(contract, log, "2026-Q4", as_of=LATE)
    q1 = calculate_invoice(contract, log, "2027-Q1", as_of=LATE)

    assert (q3.counts["contacts"], q4.counts["contacts"], q1.counts["contacts"]) == (1, 3, 1)
    # 3 units x 2.00
    assert resolutions_line(q4).amount == Decimal("6.00")


# Contacts outside the period


def test_an_october_contact_is_voided_by_a_november_re_contact_inside_the_window() -> None:
    """The November contact voids October's resolution, but is billed only in November."""
    contract = make_contract()
    log = [
        contact("c1", utc(10, 31, 18), customer="u1"),  # 22:00 on 31 October in Dubai
        contact("c2", utc(11, 1, 10), customer="u1"),  # 16 h later: inside the 48 h window
    ]

    october = calculate_invoice(contract, log, OCTOBER, as_of=LATE)
    november = calculate_invoice(contract, log, "2026-11", as_of=LATE)

    assert october.counts["contacts"] == 1
    assert october.counts["billable_units"] == 0
    assert october.counts["not_billable"] == {"recontacted": 1}
    assert november.counts["contacts"] == 1
    assert november.counts["billable_units"] == 1


def test_a_september_contact_is_not_one_of_octobers_contacts() -> None:
    """A September contact re-contacted in October is voided in September; October counts only its own."""
    contract = make_contract()
    log = [
        contact("c0", utc(9, 30, 10), customer="u1"),  # 14:00 on 30 September in Dubai
        contact("c1", utc(10, 1, 10), customer="u1"),  # 24 h later, in October
    ]

    september = calculate_invoice(contract, log, "2026-09", as_of=LATE)
    october = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    assert september.counts["contacts"] == 1
    assert september.counts["not_billable"] == {"recontacted": 1}
    assert october.counts["contacts"] == 1
    # c1 is the re-contact, not the re-contacted: it bills.
    assert october.counts["billable_units"] == 1


# Pending contacts and as_of


def test_a_contact_whose_window_is_open_is_pending_and_not_billed() -> None:
    """At 00:00 UTC on 1 November the 48 h window of a contact ending 10:00 on 31 October is open."""
    contract = make_contract()
    log = [contact("c1", utc(10, 31, 10))]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=utc(11, 1))

    assert invoice.final is False
    assert invoice.counts["pending"] == 1
    assert invoice.counts["billable_interactions"] == 0
    assert invoice.counts["billable_units"] == 0
    assert resolutions_line(invoice).amount == Decimal("0.00")
    assert invoice.to_dict()["final"] is False


def test_once_the_window_has_closed_the_contact_is_billed_and_the_invoice_final() -> None:
    """With a later ``as_of`` the same contact bills one unit, 2.00."""
    contract = make_contract()
    log = [contact("c1", utc(10, 31, 10))]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=utc(11, 10))

    assert invoice.final is True
    assert invoice.counts["pending"] == 0
    assert invoice.counts["billable_units"] == 1
    assert resolutions_line(invoice).amount == Decimal("2.00")


def test_as_of_exactly_at_the_end_of_the_window_bills_the_contact() -> None:
    """10:00 on 31 October + 48 h = 10:00 on 2 November: billed then, pending a second before.

    The invoice is not final at either: October's own window runs to 3 November
    at midnight in Dubai (see tests/test_billing.py for that edge).
    """
    contract = make_contract()
    log = [contact("c1", utc(10, 31, 10))]
    window_end = utc(11, 2, 10)

    at_the_end = calculate_invoice(contract, log, OCTOBER, as_of=window_end)
    a_second_before = calculate_invoice(
        contract, log, OCTOBER, as_of=window_end - timedelta(seconds=1)
    )

    assert (at_the_end.final, at_the_end.counts["billable_units"]) == (False, 1)
    assert (a_second_before.final, a_second_before.counts["pending"]) == (False, 1)


def test_only_the_periods_own_contacts_make_it_not_final() -> None:
    """A pending November contact leaves October final."""
    contract = make_contract()
    log = [contact("oct", utc(10, 20, 10)), contact("nov", utc(11, 3, 10))]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=utc(11, 3, 12))

    assert invoice.final is True
    assert invoice.counts["billable_units"] == 1


def test_as_of_defaults_to_the_latest_timestamp_in_the_log() -> None:
    """Without ``as_of`` the log's last end is what was known: the last contact is pending."""
    contract = make_contract()
    log = [contact("c1", utc(10, 10, 10)), contact("c2", utc(10, 30, 10))]

    invoice = calculate_invoice(contract, log, OCTOBER)

    assert invoice.counts["billable_units"] == 1  # c1's window closed long before
    assert invoice.counts["pending"] == 1  # c2 ended at the log's last instant
    assert invoice.as_of == utc(10, 30, 10)
    assert invoice.to_dict()["as_of"] == "2026-10-30T14:00:00+04:00"


def test_rows_starting_after_as_of_are_ignored() -> None:
    """A contact starting after ``as_of`` is not counted, nor does it void an earlier one."""
    contract = make_contract()
    log = [
        contact("c1", utc(10, 10, 10), customer="u1"),
        contact("c2", utc(10, 11, 10), customer="u1"),  # re-contacts c1, 24 h later
        contact("c3", utc(10, 20, 10)),
    ]

    # At 00:00 on 11 October neither c2 nor c3 had started; c1's window is still open.
    early = calculate_invoice(contract, log, OCTOBER, as_of=utc(10, 11))
    late = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    assert early.counts["contacts"] == 1
    assert early.counts["pending"] == 1
    assert early.counts["not_billable_interactions"] == 0
    assert late.counts["contacts"] == 3
    assert late.counts["not_billable"] == {"recontacted": 1}


def test_the_invoices_as_of_is_shown_in_the_contracts_zone() -> None:
    """``as_of`` given in UTC comes back as the same instant at +04:00."""
    contract = make_contract()
    as_of = utc(11, 5)

    invoice = calculate_invoice(contract, [contact("c1", utc(10, 10))], OCTOBER, as_of=as_of)

    assert invoice.as_of == as_of
    assert invoice.as_of is not None
    assert invoice.as_of.utcoffset() == timedelta(hours=4)
    assert invoice.to_dict()["as_of"] == "2026-11-05T04:00:00+04:00"


def test_the_default_as_of_is_the_latest_instant_even_in_a_repeated_hour() -> None:
    """New York repeats 01:00-02:00 on 1 November: 01:30 EST is an hour after 01:30 EDT."""
    contract = make_contract()
    log = [
        shown_in(contact("edt", utc(11, 1, 5, 30)), "America/New_York"),  # 01:30 EDT
        shown_in(contact("est", utc(11, 1, 6, 30)), "America/New_York"),  # 01:30 EST
    ]

    forward = calculate_invoice(contract, log, "2026-11")
    backward = calculate_invoice(contract, log[::-1], "2026-11")

    assert forward.as_of == backward.as_of == utc(11, 1, 6, 30)
    assert forward.to_json() == backward.to_json()


def test_an_empty_log_without_as_of_has_no_as_of() -> None:
    """Nothing known, nothing to show: ``as_of`` is None, and the invoice is not final."""
    invoice = calculate_invoice(make_contract(), [], OCTOBER)

    assert invoice.as_of is None
    assert invoice.final is False


def test_a_naive_as_of_is_refused() -> None:
    """An ``as_of`` without a time zone is an InvalidValueError naming ``as_of``."""
    with pytest.raises(InvalidValueError, match=r"^as_of: .* has no time zone"):
        calculate_invoice(make_contract(), [], OCTOBER, as_of=datetime(2026, 11, 1))  # noqa: DTZ001


def test_an_as_of_that_is_not_a_datetime_is_refused() -> None:
    """A string ``as_of`` is an InvalidTypeError naming ``as_of``."""
    with pytest.raises(InvalidTypeError, match=r"^as_of: "):
        calculate_invoice(make_contract(), [], OCTOBER, as_of="2026-11-01T00:00:00Z")  # type: ignore[arg-type]


# Counts and rates


def test_counts_every_key_with_not_billable_by_reason() -> None:
    """Eleven contacts, each case once: every count and rate, exactly."""
    contract = make_contract(rule=ResolutionRule(min_csat=4))
    log = [
        contact("b1", utc(10, 5, 10)),
        contact("b2", utc(10, 5, 11), confirmed=True, csat=5),
        contact("e1", utc(10, 6, 10), escalated=True),
        contact("e2", utc(10, 6, 11), escalated=True, csat=2),
        contact("n1", utc(10, 7, 10), confirmed=False),
        contact("l1", utc(10, 7, 11), csat=3),
        contact("u1", utc(10, 8, 10), resolved=()),
        contact("p1", utc(10, 8, 11), topics=("billing", "refund"), resolved=("billing",)),
        contact("r1", utc(10, 9, 10), customer="u-r"),
        contact("r2", utc(10, 10, 10), customer="u-r"),  # re-contacts r1 24 h later
        contact("w1", utc(10, 30, 10)),  # its window is open at as_of
    ]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=utc(10, 31))

    assert dict(invoice.counts) == {
        "contacts": 11,
        "escalated": 2,  # e1, e2
        "billable_interactions": 3,  # b1, b2, r2
        "billable_units": 3,
        "pending": 1,  # w1
        "not_billable_interactions": 7,  # e1, e2, n1, l1, u1, p1, r1
        # e2 is escalated and low_csat: it counts under both reasons.
        "not_billable": {
            "escalated": 2,
            "negative_feedback": 1,
            "low_csat": 2,
            "unresolved": 1,
            "recontacted": 1,
            "partial": 1,
        },
        "overflow_units": 0,
        "containment_rate": Decimal("0.8182"),  # (11 - 2) / 11 = 0.81818...
        "resolution_rate": Decimal("0.2727"),  # 3 / 11 = 0.27272...
    }
    # 11 contacts = 3 billable + 7 not billable + 1 pending
    assert count(invoice, "contacts") == (
        count(invoice, "billable_interactions")
        + count(invoice, "not_billable_interactions")
        + count(invoice, "pending")
    )
    assert invoice.final is False


def test_rates_are_rounded_half_up_to_four_places() -> None:
    """31 / 32 = 0.96875 and 1 / 32 = 0.03125 round half-up to 0.9688 and 0.0313."""
    contract = make_contract()
    log = [
        contact("escalated", utc(10, 5), escalated=True),
        contact("resolved", utc(10, 5)),
        *(contact(f"unresolved{number}", utc(10, 5), resolved=()) for number in range(30)),
    ]

    counts = calculate_invoice(contract, log, OCTOBER, as_of=LATE).counts

    assert counts["contacts"] == 32
    assert counts["containment_rate"] == Decimal("0.9688")
    assert counts["resolution_rate"] == Decimal("0.0313")
    assert str(counts["containment_rate"]) == "0.9688"


def test_a_period_without_contacts_has_no_rates() -> None:
    """With 0 contacts (here, only a November one) the rates are None, and the counts 0."""
    log = [contact("nov", utc(11, 10))]

    invoice = calculate_invoice(make_contract(), log, OCTOBER, as_of=LATE)

    assert invoice.counts["contacts"] == 0
    assert invoice.counts["billable_units"] == 0
    assert invoice.counts["not_billable"] == {}
    assert invoice.counts["containment_rate"] is None
    assert invoice.counts["resolution_rate"] is None
    assert invoice.to_dict()["counts"]["resolution_rate"] is None


# The escalations line


def test_the_escalations_line_counts_every_escalated_contact_of_the_period() -> None:
    """Three escalated October contacts, also low_csat or negative: 3 x 1.50 = 4.50."""
    contract = make_contract(rule=ResolutionRule(min_csat=4))
    log = [
        contact("e1", utc(10, 5), escalated=True),
        contact("e2", utc(10, 6), escalated=True, csat=1),
        contact("e3", utc(10, 7), escalated=True, confirmed=False),
        contact("e-sep", utc(9, 15), escalated=True),
        contact("e-nov", utc(11, 15), escalated=True),
        contact("plain", utc(10, 8)),
    ]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=LATE)
    line = invoice.line("escalations")

    assert line is not None
    assert (line.quantity, line.unit_price, line.amount) == (
        Decimal(3),
        Decimal("1.50"),
        Decimal("4.50"),
    )
    assert invoice.counts["escalated"] == 3


def test_an_escalated_contact_that_bills_is_still_an_escalation() -> None:
    """When escalations may bill, one escalated resolution is 2.00 and 1.50: 3.50."""
    contract = make_contract(rule=ResolutionRule(exclude_escalated=False))
    log = [contact("e1", utc(10, 5), escalated=True)]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    assert line_amounts(invoice) == [
        ("resolutions", Decimal("2.00")),
        ("escalations", Decimal("1.50")),
    ]
    assert invoice.total == Decimal("3.50")
    assert invoice.counts["containment_rate"] == 0


# The pause cap


def test_a_pause_cap_overflows_the_chronologically_last_units() -> None:
    """Four units, a limit of 2: the third and fourth to end overflow, whatever their ids."""
    contract = make_contract(caps=(PauseCap(limit=2),))
    # Ids in reverse time order, and the log shuffled, so neither can stand in for time.
    log = [
        contact("x", utc(10, 7)),
        contact("z", utc(10, 5)),
        contact("w", utc(10, 8)),
        contact("y", utc(10, 6)),
    ]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    assert invoice.counts["billable_units"] == 4
    assert invoice.counts["overflow_units"] == 2
    assert pause_details(invoice) == {
        "limit": 2,
        "billable_units": 4,
        "overflow_units": 2,
        "overflow_from": "x",  # z, y are billed; x, w overflow
    }
    line = resolutions_line(invoice)
    assert (line.quantity, line.amount) == (Decimal(2), Decimal("4.00"))  # 2 x 2.00


def test_a_pause_cap_orders_by_ended_at_before_started_at() -> None:
    """The contact that started first but ended last is the one that overflows."""
    contract = make_contract(caps=(PauseCap(limit=1),))
    long_one = contact("a-long", utc(10, 5, 12), minutes=180)  # 09:00 to 12:00 UTC
    short_one = contact("b-short", utc(10, 5, 10))  # 09:50 to 10:00 UTC

    invoice = calculate_invoice(contract, [long_one, short_one], OCTOBER, as_of=LATE)

    assert pause_details(invoice)["overflow_from"] == "a-long"


def test_a_pause_cap_breaks_ties_on_ended_at_by_started_at() -> None:
    """Two contacts ending together: the later start overflows, though its id sorts first."""
    contract = make_contract(caps=(PauseCap(limit=1),))
    log = [
        contact("b-early", utc(10, 5, 10), minutes=30),
        contact("a-late", utc(10, 5, 10), minutes=10),
    ]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    assert pause_details(invoice)["overflow_from"] == "a-late"


def test_a_pause_cap_breaks_ties_on_both_instants_by_id() -> None:
    """Two contacts with the same start and end: the greater id overflows."""
    contract = make_contract(caps=(PauseCap(limit=1),))
    log = [contact("m", utc(10, 5, 10)), contact("k", utc(10, 5, 10))]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    assert pause_details(invoice)["overflow_from"] == "m"


def test_a_pause_cap_with_pro_rata_units_straddling_the_limit() -> None:
    """0.5 + 1 + 0.6667 = 2.1667 units, limit 1.2: b straddles it, 0.9667 overflow."""
    rule = ResolutionRule(partial="pro_rata")
    contract = make_contract(rule=rule, caps=(PauseCap(limit="1.2"),))
    log = [
        contact("a", utc(10, 5), topics=("billing", "refund"), resolved=("billing",)),  # 1/2
        contact("b", utc(10, 6)),  # 1
        contact(
            "c", utc(10, 7), topics=("billing", "refund", "login"), resolved=("billing", "refund")
        ),  # 2/3
    ]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    # cumulative 0.5, then 1.5 > 1.2: b is the first whose units overflow.
    assert pause_details(invoice) == {
        "limit": Decimal("1.2"),
        "billable_units": Decimal("2.1667"),
        "overflow_units": Decimal("0.9667"),  # 2.1667 - 1.2
        "overflow_from": "b",
    }
    assert invoice.counts["overflow_units"] == Decimal("0.9667")
    line = resolutions_line(invoice)
    assert (line.quantity, line.amount) == (Decimal("1.2"), Decimal("2.40"))  # 1.2 x 2.00


def test_units_that_reach_the_pause_limit_exactly_do_not_overflow() -> None:
    """0.5 + 1 = 1.5 is the limit: nothing overflows until c, and c overflows whole."""
    rule = ResolutionRule(partial="pro_rata")
    contract = make_contract(rule=rule, caps=(PauseCap(limit="1.5"),))
    log = [
        contact("a", utc(10, 5), topics=("billing", "refund"), resolved=("billing",)),
        contact("b", utc(10, 6)),
        contact(
            "c", utc(10, 7), topics=("billing", "refund", "login"), resolved=("billing", "refund")
        ),
    ]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    assert pause_details(invoice)["overflow_from"] == "c"
    assert invoice.counts["overflow_units"] == Decimal("0.6667")


def test_a_pause_cap_orders_by_instant_even_in_a_repeated_hour() -> None:
    """01:10 EST (06:10 UTC) ends 40 minutes after 01:30 EDT (05:30 UTC): it overflows."""
    contract = make_contract(caps=(PauseCap(limit=1),))
    log = [
        shown_in(contact("edt", utc(11, 1, 5, 30)), "America/New_York"),
        shown_in(contact("est", utc(11, 1, 6, 10)), "America/New_York"),
    ]

    invoice = calculate_invoice(contract, log, "2026-11", as_of=LATE)

    assert pause_details(invoice)["overflow_from"] == "est"


def test_a_pause_cap_that_is_not_reached_names_no_contact() -> None:
    """Two units under a limit of 5: no ``overflow_from``, 0 overflow units."""
    contract = make_contract(caps=(PauseCap(limit=5),))
    log = [contact("a", utc(10, 5)), contact("b", utc(10, 6))]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=LATE)

    assert pause_details(invoice) == {"limit": 5, "billable_units": 2, "overflow_units": 0}
    assert invoice.counts["overflow_units"] == 0


def test_pending_and_other_periods_contacts_do_not_fill_the_pause_cap() -> None:
    """A September unit and a pending unit take no room: a limit of 1 bills October's one unit."""
    contract = make_contract(caps=(PauseCap(limit=1),))
    log = [
        contact("sep", utc(9, 20)),
        contact("oct", utc(10, 5)),
        contact("oct-pending", utc(10, 30, 10)),
    ]

    invoice = calculate_invoice(contract, log, OCTOBER, as_of=utc(10, 31))

    assert invoice.counts["pending"] == 1
    assert pause_details(invoice) == {"limit": 1, "billable_units": 1, "overflow_units": 0}


# Step-down and spend caps through a log


def five_resolutions() -> list[Interaction]:
    """Five resolved October contacts, one a day from 1 October."""
    return [contact(f"c{day}", utc(10, day, 12)) for day in range(1, 6)]


def test_a_step_down_cap_through_a_log() -> None:
    """Five units, step-down above 2 at 0.50: 2 x 2.00 + 3 x 0.50 = 5.50."""
    contract = make_contract(caps=(StepDownCap(above=2, unit_price="0.50"),))

    invoice = calculate_invoice(contract, five_resolutions(), OCTOBER, as_of=LATE)

    line = resolutions_line(invoice)
    assert line.amount == Decimal("5.50")
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.step_down == StepDownDetails(
        above=2, quantity=3, unit_price=Decimal("0.50"), amount=Decimal("1.50")
    )


def test_a_spend_cap_through_a_log() -> None:
    """Five units at 2.00 = 10.00, capped at 7.00: a spend_cap line of -3.00."""
    contract = make_contract(caps=(SpendCap(limit="7.00"),))

    invoice = calculate_invoice(contract, five_resolutions(), OCTOBER, as_of=LATE)

    assert line_amounts(invoice) == [
        ("resolutions", Decimal("10.00")),
        ("spend_cap", Decimal("-3.00")),
        ("escalations", Decimal("0.00")),
    ]
    assert invoice.total == Decimal("7.00")


def test_pause_then_step_down_then_spend_through_a_log() -> None:
    """Five units, pause at 4, step-down above 2 at 0.50, spend cap 4.50: 4 units, 5.00, -0.50."""
    contract = make_contract(
        caps=(
            SpendCap(limit="4.50"),
            StepDownCap(above=2, unit_price="0.50"),
            PauseCap(limit=4),
        )
    )

    invoice = calculate_invoice(contract, five_resolutions(), OCTOBER, as_of=LATE)

    # 2 x 2.00 + 2 x 0.50 = 5.00, above the 4.50 spend limit by 0.50
    assert line_amounts(invoice) == [
        ("resolutions", Decimal("5.00")),
        ("spend_cap", Decimal("-0.50")),
        ("escalations", Decimal("0.00")),
    ]
    assert pause_details(invoice)["overflow_from"] == "c5"
    assert invoice.counts["overflow_units"] == 1


# Properties


LOG_START = datetime(2026, 10, 1, tzinfo=UTC)
LOGS = st.lists(
    interactions(
        customers=("u1", "u2"),
        topics=("billing", "refund"),
        channels=("chat", "email"),
        start=LOG_START,
        span=timedelta(days=2),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda row: row.id,
)
"""Small logs over two days from ``LOG_START``: few customers and topics, so re-contacts happen.

Made once and moved in time for each contract: Hypothesis draws much faster
from a strategy it has seen before than from a new one on every example.
"""


def moved(row: Interaction, by: timedelta) -> Interaction:
    """``row`` moved ``by`` in time, in UTC (wall clocks skip hours), shown in its own zone."""

    def move(instant: datetime) -> datetime:
        return (instant.astimezone(UTC) + by).astimezone(instant.tzinfo)

    return attrs.evolve(row, started_at=move(row.started_at), ended_at=move(row.ended_at))


@st.composite
def contract_period_and_log(
    draw: st.DrawFn,
) -> tuple[Contract, BillingPeriod, list[Interaction], datetime | None]:
    """Any contract, its first period, a small log around one of the period's edges, an as_of."""
    try:
        contract = draw(contracts())
    except ContractError:
        # contracts() draws fee and spend-cap amounts in minor units even when the
        # rounding increment is several of them (0.05 AED), which Contract refuses.
        # A bug of the strategy, reported; until it is fixed, skip those draws.
        reject()
    if draw(st.booleans()):
        # Drawn rules veto most contacts (escalated, unconfirmed, low CSAT): half the
        # time lift the vetoes, keeping the window, scope and partial policy, so that
        # many contacts bill.
        lenient = attrs.evolve(
            contract.resolution, exclude_escalated=False, require_confirmation=False, min_csat=None
        )
        contract = attrs.evolve(contract, resolution=lenient)
    if draw(st.booleans()):
        # A pause cap small enough to overflow a small log: limits are rarely drawn so low.
        limit = draw(st.sampled_from(("0", "1", "1.5", "2", "3.25")))
        others = tuple(cap for cap in contract.caps if not isinstance(cap, PauseCap))
        contract = attrs.evolve(contract, caps=(*others, PauseCap(limit=limit)))
    period = BillingPeriod.containing(contract.starts_on, contract.billing_period)
    start, end = period.bounds(contract.timezone)
    edge = draw(st.sampled_from((start, end)))
    log = [moved(row, edge - timedelta(days=1) - LOG_START) for row in draw(LOGS)]
    # None (the log's latest instant), a few days after the edge, or 20 days after
    # it, when every window (14 days at most) has closed.
    as_of = draw(
        st.one_of(
            st.none(),
            st.integers(0, 5 * 24 * 60).map(lambda minutes: edge + timedelta(minutes=minutes)),
            st.just(edge + timedelta(days=20)),
        )
    )
    return contract, period, log, as_of


PROPERTIES = settings(max_examples=min(settings().max_examples, 300))
"""At most 300 examples: each draws a whole contract and log (about 20 ms), and the ci
profile's 500 would take this file past 30 seconds."""


@PROPERTIES
@given(contract_period_and_log(), st.data())
def test_the_invoice_json_does_not_depend_on_the_order_of_the_rows(
    scenario: tuple[Contract, BillingPeriod, list[Interaction], datetime | None],
    data: st.DataObject,
) -> None:
    """Any permutation of the log gives the same invoice JSON, byte for byte."""
    contract, period, log, as_of = scenario
    shuffled = data.draw(st.permutations(log))

    expected = calculate_invoice(contract, log, period, as_of=as_of).to_json()

    assert calculate_invoice(contract, shuffled, period, as_of=as_of).to_json() == expected


@PROPERTIES
@given(contract_period_and_log())
def test_the_counts_agree_with_the_decisions_of_the_periods_contacts(
    scenario: tuple[Contract, BillingPeriod, list[Interaction], datetime | None],
) -> None:
    """Contacts = billable + not billable + pending; billable units = their decisions' units."""
    contract, period, log, as_of = scenario
    tz = zone(contract.timezone)
    ended = {row.id: row.ended_at for row in log}
    decisions = [
        decision
        for decision in decide(contract.resolution, log, as_of=as_of)
        if period.contains(ended[decision.interaction_id].astimezone(tz).date())
    ]
    billable = [d for d in decisions if d.status is DecisionStatus.BILLABLE]

    invoice = calculate_invoice(contract, log, period, as_of=as_of)

    contacts = count(invoice, "contacts")
    billable_interactions = count(invoice, "billable_interactions")
    not_billable_interactions = count(invoice, "not_billable_interactions")
    assert contacts == len(decisions)
    assert contacts == billable_interactions + not_billable_interactions + count(invoice, "pending")
    assert billable_interactions == len(billable)
    assert invoice.counts["billable_units"] == sum((d.units for d in billable), start=ZERO)
    not_billable = invoice.counts["not_billable"]
    assert isinstance(not_billable, dict)
    # Every not-billable contact has at least one reason; some have several.
    assert sum(not_billable.values()) >= not_billable_interactions


@PROPERTIES
@given(contract_period_and_log())
def test_the_totals_add_up_and_agree_with_quote(
    scenario: tuple[Contract, BillingPeriod, list[Interaction], datetime | None],
) -> None:
    """Total == subtotal + tax == sum(lines) + tax; quoting the same counts gives the same lines."""
    contract, period, log, as_of = scenario
    invoice = calculate_invoice(contract, log, period, as_of=as_of)
    billable_units = invoice.counts["billable_units"]
    assert isinstance(billable_units, Decimal)

    quoted = quote(
        contract, period, resolutions=billable_units, escalations=count(invoice, "escalated")
    )

    lines = sum((line.amount for line in invoice.lines), start=ZERO)
    assert invoice.subtotal == lines
    assert invoice.total == invoice.subtotal + invoice.tax == lines + invoice.tax
    assert invoice.tax == contract.round(invoice.subtotal * contract.tax_rate)
    _, end = period.bounds(contract.timezone)
    closed = (
        invoice.as_of is not None and invoice.as_of >= end + contract.resolution.recontact_window
    )
    assert invoice.final == (invoice.counts["pending"] == 0 and closed)
    assert line_amounts(invoice) == line_amounts(quoted)
    assert invoice.total == quoted.total


# The example


@pytest.fixture(scope="module")
def example_invoice() -> Invoice:
    """October 2026 of the example contract and log."""
    contract = load_contract(EXAMPLE_CONTRACT)
    return calculate_invoice(contract, read_interactions(EXAMPLE_LOG), OCTOBER)


def test_the_examples_october_counts(example_invoice: Invoice) -> None:
    """The example log's October: 13,333 contacts, 6,361.5017 billable units, all final."""
    assert example_invoice.final is True
    assert example_invoice.as_of is not None
    assert example_invoice.as_of.isoformat() == "2026-11-15T03:05:45+04:00"
    assert dict(example_invoice.counts) == {
        "contacts": 13333,
        "escalated": 3381,
        "billable_interactions": 6630,
        "billable_units": Decimal("6361.5017"),
        "pending": 0,
        "not_billable_interactions": 6703,
        "not_billable": {
            "escalated": 3381,
            "negative_feedback": 811,
            "low_csat": 1563,
            "unresolved": 5104,
            "recontacted": 638,
            "partial": 370,
        },
        "overflow_units": Decimal("0.0000"),
        "containment_rate": Decimal("0.7464"),  # (13333 - 3381) / 13333 = 0.74642...
        "resolution_rate": Decimal("0.4973"),  # 6630 / 13333 = 0.49726...
    }
    # 13333 contacts = 6630 billable + 6703 not billable + 0 pending
    assert count(example_invoice, "contacts") == (
        count(example_invoice, "billable_interactions")
        + count(example_invoice, "not_billable_interactions")
        + count(example_invoice, "pending")
    )


def test_the_examples_october_total(example_invoice: Invoice) -> None:
    """The resolutions line follows the 3.50 / 2.75 tiers; total 26,506.34 with 5 % VAT."""
    # 5000 x 3.50 = 17500; (6361.5017 - 5000) x 2.75 = 1361.5017 x 2.75 = 3744.129675
    exact = Decimal(5000) * Decimal("3.50") + (Decimal("6361.5017") - 5000) * Decimal("2.75")
    assert exact == Decimal("21244.129675")
    assert line_amounts(example_invoice) == [
        ("resolutions", Decimal("21244.13")),  # above the 15,000 commitment: no true-up
        ("escalations", Decimal("0.00")),  # 3381 x 0.00
        ("kb_maintenance", Decimal("4000.00")),
    ]
    # 21244.13 + 4000.00 = 25244.13; 5 % = 1262.2065, rounded 1262.21
    assert example_invoice.subtotal == Decimal("25244.13")
    assert example_invoice.tax == Decimal("1262.21")
    assert example_invoice.total == Decimal("26506.34")
    details = resolutions_line(example_invoice).details
    assert isinstance(details, ResolutionDetails)
    assert details.exact_amount == exact
