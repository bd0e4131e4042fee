"""Billing periods: calendar months or quarters in the contract's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from resolutionpricing import (
    BillingPeriod,
    Cadence,
    Contract,
    InvalidTypeError,
    InvalidValueError,
    ResolutionPricingError,
    Tier,
    TierSchedule,
    _periods,
    load_contract,
    quote,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "contract.toml"
LABEL_HINT = 'a month "YYYY-MM" (such as "2026-10") or a quarter "YYYY-Qn" (such as "2026-Q4")'


def _quarterly(**fields: object) -> Contract:
    """A quarterly SAR contract from 2026-07-01 to 2027-06-30."""
    values: dict[str, object] = {
        "name": "Quarterly",
        "currency": "SAR",
        "timezone": "Asia/Riyadh",
        "starts_on": date(2026, 7, 1),
        "ends_on": date(2027, 6, 30),
        "billing_period": "quarterly",
        "pricing": TierSchedule.graduated(Tier(up_to=None, unit_price="2.00")),
        **fields,
    }
    return Contract(**values)  # type: ignore[arg-type]


# labels


@pytest.mark.parametrize(
    ("label", "start", "end", "cadence"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 11, 1), Cadence.MONTHLY),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), Cadence.MONTHLY),
        ("2028-02", date(2028, 2, 1), date(2028, 3, 1), Cadence.MONTHLY),
        ("2026-Q1", date(2026, 1, 1), date(2026, 4, 1), Cadence.QUARTERLY),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), Cadence.QUARTERLY),
    ],
)
def test_parse_labels(label: str, start: date, end: date, cadence: Cadence) -> None:
    """Labels: "2026-10" is October 2026, "2026-Q4" October to December; end exclusive."""
    period = BillingPeriod.parse(label)
    assert (period.start, period.end, period.cadence) == (start, end, cadence)
    assert period.label == label
    assert str(period) == label


@pytest.mark.parametrize(
    "label",
    ["2026-13", "2026-00", "2026-1", "26-10", "2026-Q5", "2026-Q0", "2026/10", "2026-10-01", ""],
)
def test_bad_labels(label: str) -> None:
    """Labels that are not a month or a quarter are refused with the accepted forms."""
    with pytest.raises(InvalidValueError) as caught:
        BillingPeriod.parse(label)
    assert str(caught.value) == f"period: {label!r} is not a period label; {LABEL_HINT}"


def test_label_of_the_wrong_type() -> None:
    """A label must be text."""
    with pytest.raises(InvalidValueError, match=r"^period: 202610 is not a period label"):
        BillingPeriod.parse(202610)  # type: ignore[arg-type]


# constructors


def test_month_and_quarter_constructors() -> None:
    """``month`` and ``quarter`` build the same periods as their labels."""
    assert BillingPeriod.month(2026, 10) == BillingPeriod.parse("2026-10")
    assert BillingPeriod.quarter(2026, 4) == BillingPeriod.parse("2026-Q4")


def test_quarter_out_of_range() -> None:
    """There are four quarters."""
    with pytest.raises(InvalidValueError) as caught:
        BillingPeriod.quarter(2026, 5)
    assert str(caught.value) == "quarter: 5 is not a quarter; 1, 2, 3 or 4"


def test_month_out_of_range() -> None:
    """There are twelve months; the error is the library's, not datetime's."""
    with pytest.raises(InvalidValueError) as caught:
        BillingPeriod.month(2026, 13)
    assert str(caught.value) == "month: 13 is not a month; 1 to 12"


def test_start_must_begin_a_period() -> None:
    """A monthly period starts on the 1st; a quarter on 1 January, April, July or October."""
    allowed = "the first day of a month (monthly) or of January, April, July or October (quarterly)"
    with pytest.raises(InvalidValueError) as caught:
        BillingPeriod(start=date(2026, 10, 2))
    assert str(caught.value) == f"start: 2026-10-02 does not start a monthly period; {allowed}"
    with pytest.raises(InvalidValueError) as caught:
        BillingPeriod(start=date(2026, 11, 1), cadence=Cadence.QUARTERLY)
    assert str(caught.value) == f"start: 2026-11-01 does not start a quarterly period; {allowed}"


def test_start_must_be_a_date() -> None:
    """A datetime or a string is not a period start."""
    with pytest.raises(InvalidTypeError, match=r"^start: .* is not a date; a datetime\.date$"):
        BillingPeriod(start=datetime(2026, 10, 1, tzinfo=UTC))
    with pytest.raises(InvalidTypeError):
        BillingPeriod(start="2026-10-01")  # type: ignore[arg-type]


def test_cadence_from_text() -> None:
    """The cadence may be given by its file value; an unknown one lists the allowed."""
    assert BillingPeriod(start=date(2026, 10, 1), cadence="quarterly").label == "2026-Q4"
    with pytest.raises(InvalidValueError) as caught:
        BillingPeriod(start=date(2026, 10, 1), cadence="weekly")
    assert str(caught.value) == 'cadence: \'weekly\' is not allowed; one of "monthly", "quarterly"'


def test_cadence_months() -> None:
    """A month is one calendar month, a quarter three."""
    assert (Cadence.MONTHLY.months, Cadence.QUARTERLY.months) == (1, 3)


@pytest.mark.parametrize(
    ("day", "cadence", "label"),
    [
        (date(2026, 10, 31), Cadence.MONTHLY, "2026-10"),
        (date(2026, 11, 1), Cadence.MONTHLY, "2026-11"),
        (date(2026, 11, 30), Cadence.QUARTERLY, "2026-Q4"),
        (date(2026, 1, 1), Cadence.QUARTERLY, "2026-Q1"),
        (date(2026, 6, 30), Cadence.QUARTERLY, "2026-Q2"),
    ],
)
def test_containing(day: date, cadence: Cadence, label: str) -> None:
    """The period of a cadence that contains a date."""
    assert BillingPeriod.containing(day, cadence).label == label


def test_containing_with_an_unknown_cadence() -> None:
    """An unknown cadence is the library's error, listing the allowed ones."""
    with pytest.raises(InvalidValueError, match=r"^cadence: 'weekly' is not allowed"):
        BillingPeriod.containing(date(2026, 1, 1), "weekly")


def test_contains_is_end_exclusive() -> None:
    """A period contains its first and last day, not the next period's first."""
    october = BillingPeriod.parse("2026-10")
    assert october.contains(date(2026, 10, 1))
    assert october.contains(date(2026, 10, 31))
    assert not october.contains(date(2026, 11, 1))
    assert not october.contains(date(2026, 9, 30))


def test_next_crosses_the_year() -> None:
    """The period after December is January; after Q4 is Q1."""
    assert BillingPeriod.parse("2026-12").next().label == "2027-01"
    assert BillingPeriod.parse("2026-Q4").next().label == "2027-Q1"


def test_periods_sort_by_start() -> None:
    """Periods of one cadence sort chronologically."""
    labels = ["2027-01", "2026-10", "2026-12"]
    assert [p.label for p in sorted(BillingPeriod.parse(label) for label in labels)] == [
        "2026-10",
        "2026-12",
        "2027-01",
    ]


# time zones


def test_bounds_in_dubai() -> None:
    """A period's bounds are midnight in the contract's zone."""
    start, end = BillingPeriod.parse("2026-10").bounds("Asia/Dubai")
    assert start.isoformat() == "2026-10-01T00:00:00+04:00"
    assert end.isoformat() == "2026-11-01T00:00:00+04:00"


def test_late_utc_contact_falls_in_the_next_month_in_dubai() -> None:
    """23:30 UTC on 31 October is 03:30 on 1 November in Dubai (UTC+4)."""
    contact = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    october = BillingPeriod.parse("2026-10")
    november = october.next()
    assert not october.bounds("Asia/Dubai")[0] <= contact < october.bounds("Asia/Dubai")[1]
    assert november.bounds("Asia/Dubai")[0] <= contact < november.bounds("Asia/Dubai")[1]
    # the same instant is still October in UTC
    assert october.bounds("UTC")[0] <= contact < october.bounds("UTC")[1]


def test_bounds_follow_daylight_saving() -> None:
    """In a zone with DST, each bound has its own offset (Europe/Paris, October 2026)."""
    start, end = BillingPeriod.parse("2026-10").bounds("Europe/Paris")
    assert start.utcoffset() != end.utcoffset()
    assert start.tzinfo == ZoneInfo("Europe/Paris")
    assert start.isoformat() == "2026-10-01T00:00:00+02:00"
    assert end.isoformat() == "2026-11-01T00:00:00+01:00"


def test_bounds_refuse_an_unknown_zone() -> None:
    """An unknown time zone is refused with an example of a valid one."""
    with pytest.raises(InvalidValueError) as caught:
        BillingPeriod.parse("2026-10").bounds("Mars/Olympus")
    assert str(caught.value) == (
        'timezone: \'Mars/Olympus\' is not an IANA time zone; a name such as "Asia/Dubai" or "UTC"'
    )


# against a contract


def test_contract_accepts_its_own_cadence_in_its_term() -> None:
    """A monthly label inside the term is accepted, as a label or a BillingPeriod."""
    contract = load_contract(EXAMPLE)
    assert contract.period("2026-07") == BillingPeriod.month(2026, 7)
    assert contract.period(BillingPeriod.month(2028, 6)).label == "2028-06"


def test_contract_refuses_the_wrong_cadence() -> None:
    """A quarter is refused by a monthly contract, and a month by a quarterly one."""
    with pytest.raises(InvalidValueError) as caught:
        load_contract(EXAMPLE).period("2026-Q4")
    assert str(caught.value) == (
        'period: 2026-Q4 is quarterly but the contract bills monthly; a monthly period such as "2026-10"'
    )
    with pytest.raises(InvalidValueError) as caught:
        _quarterly().period("2026-10")
    assert str(caught.value) == (
        'period: 2026-10 is monthly but the contract bills quarterly; a quarterly period such as "2026-Q4"'
    )


@pytest.mark.parametrize("label", ["2026-06", "2028-07", "2030-01"])
def test_contract_refuses_periods_outside_its_term(label: str) -> None:
    """Periods before the start or after the end are refused, naming the term."""
    with pytest.raises(InvalidValueError) as caught:
        load_contract(EXAMPLE).period(label)
    assert str(caught.value) == (
        f"period: {label} is outside the contract's term (2026-07-01 to 2028-06-30); "
        "a period that overlaps the term"
    )


def test_open_ended_term() -> None:
    """Without an end date, any later period is in the term; the message says so."""
    contract = _quarterly(ends_on=None)
    assert contract.period("2040-Q1").label == "2040-Q1"
    with pytest.raises(InvalidValueError, match=r"\(2026-07-01 to open end\)"):
        contract.period("2026-Q2")


def test_partial_first_and_last_periods_are_in_the_term() -> None:
    """A term starting or ending mid-period still bills that period."""
    contract = _quarterly(starts_on=date(2026, 8, 15), ends_on=date(2027, 2, 10))
    assert contract.period("2026-Q3").label == "2026-Q3"
    assert contract.period("2027-Q1").label == "2027-Q1"
    with pytest.raises(InvalidValueError, match="outside the contract's term"):
        contract.period("2027-Q2")


def test_contract_refuses_a_non_period() -> None:
    """A period is a BillingPeriod or a label."""
    with pytest.raises(InvalidTypeError) as caught:
        load_contract(EXAMPLE).period(date(2026, 10, 1))  # type: ignore[arg-type]
    assert str(caught.value) == (
        "period: datetime.date(2026, 10, 1) is not a period; "
        'a BillingPeriod or a label such as "2026-10"'
    )


def test_quarterly_quote() -> None:
    """A quarterly contract prices a quarter at once."""
    invoice = quote(_quarterly(), "2026-Q4", resolutions=30000)
    # 30,000 x 2.00 = 60,000.00 SAR
    assert invoice.period.label == "2026-Q4"
    assert invoice.total == 60000
    assert invoice.to_dict()["period"] == "2026-Q4"


def test_quote_refuses_a_bad_period() -> None:
    """The quote checks the period against the contract like Contract.period."""
    with pytest.raises(ResolutionPricingError, match="is quarterly but the contract bills monthly"):
        quote(load_contract(EXAMPLE), "2026-Q4", resolutions=1)


@pytest.mark.parametrize("label", ["9999-12", "0000-01", "0001-Q1"])
def test_periods_at_the_calendar_edges_are_refused_with_the_range(label: str) -> None:
    """9999-12 (no next period) and 0000-01 (no year 0) are refused, naming the supported years."""
    contract = load_contract(EXAMPLE)
    with pytest.raises(InvalidValueError, match="a period in the years 0002 to 9998"):
        quote(contract, label, resolutions=1)


def test_a_contract_starting_on_0001_01_01_is_refused_with_the_range() -> None:
    """A term starting in year 1 would overflow once moved to UTC: refused where it is set."""
    pricing = TierSchedule.graduated([Tier(up_to=None, unit_price="1")])
    with pytest.raises(InvalidValueError, match="a date from 0002-01-01 to 9998-12-31"):
        Contract(name="x", currency="AED", timezone="UTC", starts_on=date(1, 1, 1), pricing=pricing)


@pytest.mark.parametrize("name", ["localtime", "/etc/localtime", "posixrules", "America"])
def test_only_keys_of_the_iana_database_are_time_zones(name: str) -> None:
    """The name "localtime" is this machine's zone, not an IANA key: refused, as any non-key."""
    pricing = TierSchedule.graduated([Tier(up_to=None, unit_price="1")])
    with pytest.raises(InvalidValueError, match="is not an IANA time zone"):
        Contract(
            name="x", currency="AED", timezone=name, starts_on=date(2026, 1, 1), pricing=pricing
        )


def test_missing_time_zone_data_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without any zone database the error says so, instead of calling a real zone unknown."""
    monkeypatch.setattr(_periods, "_iana_names", frozenset)
    with pytest.raises(InvalidValueError, match=r"time zone data is missing \(install tzdata\)"):
        _periods.zone("Asia/Dubai")


def test_period_labels_take_ascii_digits_only() -> None:
    """An Arabic-Indic 2026-10 is not a period label."""
    with pytest.raises(InvalidValueError, match="is not a period label"):
        BillingPeriod.parse("\u0662\u0660\u0662\u0666-\u0661\u0660")
