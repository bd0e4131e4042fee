"""The business case: baseline, ramp, forecast and the month-by-month arithmetic.

The seed's case throughout: 50,000 contacts a month, a $14 fully loaded cost
per contact (8,400,000 a year over 600,000 contacts), 60 % automation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    Cadence,
    Contract,
    ImplementationFee,
    InvalidTypeError,
    InvalidValueError,
    Milestone,
    OneTimeFee,
    PauseCap,
    RecurringFee,
    SpendCap,
    StepDownCap,
    Tier,
    TierSchedule,
)
from resolutionpricing.business_case import (
    AutomationRamp,
    BusinessCase,
    CostBaseline,
    VolumeForecast,
    spike_test,
    spread,
)

BASELINE = CostBaseline(
    {
        "salaries": "5200000",
        "benefits": "1300000",
        "management": "900000",
        "training": "400000",
        "attrition": "600000",
    },
    600_000,
    "USD",
)


def _contract(price: str = "1.00", **changes: object) -> Contract:
    terms: dict[str, object] = {
        "name": "Simple",
        "currency": "USD",
        "timezone": "UTC",
        "starts_on": date(2026, 7, 1),
        "ends_on": date(2028, 6, 30),
        "pricing": TierSchedule.graduated([Tier(unit_price=price)]),
    }
    terms.update(changes)
    return Contract(**terms)  # type: ignore[arg-type]


def _case(
    contract: Contract, ramp: AutomationRamp | None = None, **options: object
) -> BusinessCase:
    months = options.get("months", 24)
    assert isinstance(months, int)
    return BusinessCase(
        contract,
        BASELINE,
        ramp or AutomationRamp.flat("0.60"),
        VolumeForecast.flat(50_000, months),
        start="2026-07",
        **options,  # type: ignore[arg-type]
    )


def test_baseline_cost_per_contact_counts_every_component() -> None:
    """8,400,000 a year over 600,000 contacts is 14; wages alone would be 8.6667."""
    assert BASELINE.annual_cost == Decimal(8_400_000)
    assert BASELINE.cost_per_contact == Decimal(14)
    rows = BASELINE.to_rows()
    assert rows[0] == {
        "component": "salaries",
        "annual_amount": Decimal(5_200_000),
        "per_contact": Decimal("8.6667"),
    }
    assert rows[-1]["per_contact"] == Decimal("14.0000")


def test_seed_case_under_a_flat_dollar_price() -> None:
    """$1 a resolution: 30,000 resolutions cost 30,000; 20,000 x 14 = 280,000 for humans.

    Baseline 50,000 x 14 = 700,000; total 310,000; savings 390,000 a month,
    9,360,000 over 24 months; 310,000 / 50,000 = 6.2000 per contact.
    """
    result = _case(_contract()).evaluate()
    first = result.months[0]
    assert (first.resolutions, first.escalations) == (Decimal("30000.00"), 20000)
    assert first.ai_cost == Decimal("30000.00")
    assert first.human_cost == Decimal("280000.00")
    assert first.baseline_cost == Decimal("700000.00")
    assert first.net_savings == Decimal("390000.00")
    assert first.cost_per_contact == Decimal("6.2000")
    summary = result.summary
    assert summary.total_savings == summary.total_savings_cash == Decimal("9360000.00")
    assert summary.average_cost_per_contact == Decimal("6.2000")
    assert summary.baseline_cost_per_contact == Decimal("14.0000")
    assert (summary.break_even_month, summary.break_even_month_cash) == (1, 1)


def test_implementation_is_spread_and_cut_at_the_horizon() -> None:
    """$120,000 in month 1 over 24 months is 5,000 a month; a 12-month case leaves 60,000 beyond.

    Amortized month: 30,000 + 2,000 maintenance + 5,000 = 37,000 AI, savings
    700,000 - 37,000 - 280,000 = 383,000; x12 = 4,596,000. Cash: month 1 pays
    the 120,000, so 12 x 390,000 - 12 x 2,000 - 120,000 = 4,536,000.
    """
    contract = _contract(
        fees=[
            ImplementationFee(
                milestones=[
                    Milestone(deliverable="Setup", amount="120000", accepted_on=date(2026, 7, 5))
                ]
            ),
            RecurringFee(code="kb", description="KB", amount="2000.00"),
        ]
    )
    result = _case(contract, months=12).evaluate()
    first = result.months[0]
    assert (first.fees_billed, first.fees_amortized) == (Decimal("120000.00"), Decimal("5000.00"))
    assert first.ai_cost_cash == Decimal("152000.00")
    assert first.ai_cost == Decimal("37000.00")
    assert first.cumulative_savings_cash == Decimal("268000.00")
    assert result.summary.total_savings == Decimal("4596000.00")
    assert result.summary.total_savings_cash == Decimal("4536000.00")
    assert result.summary.amortized_beyond_horizon == Decimal("60000.00")


def test_break_even_month_on_each_basis() -> None:
    """At $8 a resolution the month saves 180,000; a $1,000,000 fee in month 1 is recovered in month 6 cash.

    180,000 x 5 = 900,000 < 1,000,000 <= 1,080,000 = 180,000 x 6. Amortized,
    each month carries 41,666.66 of it and saves from month 1.
    """
    contract = _contract(
        "8.00",
        fees=[
            OneTimeFee(
                code="setup", description="Setup", amount="1000000", bill_on=date(2026, 7, 1)
            )
        ],
    )
    result = _case(contract).evaluate()
    assert result.months[0].fees_amortized == Decimal("41666.66")
    assert result.months[23].fees_amortized == Decimal("41666.82")
    assert result.summary.break_even_month == 1
    assert result.summary.break_even_month_cash == 6
    assert result.months[4].cumulative_savings_cash == Decimal("-100000.00")


def test_no_break_even_is_none() -> None:
    """At $20 a resolution the AI costs more than the $14 agent: savings never reach 0."""
    summary = _case(_contract("20.00")).evaluate().summary
    assert summary.break_even_month is None
    assert summary.total_savings < 0


def test_seed_ramps_by_month() -> None:
    """The low ramp: 30 % in months 1-3, 60 % in 4-8, 80 % from 9; mid: 40, 67.5, 82.5 %."""
    low = AutomationRamp.seed("low")
    assert [low.rate(month) for month in (1, 3, 4, 8, 9, 24)] == [
        Decimal("0.30"),
        Decimal("0.30"),
        Decimal("0.60"),
        Decimal("0.60"),
        Decimal("0.80"),
        Decimal("0.80"),
    ]
    high = AutomationRamp.seed("high")
    assert [high.rate(month) for month in (1, 4, 9)] == [
        Decimal("0.50"),
        Decimal("0.75"),
        Decimal("0.85"),
    ]
    mid = AutomationRamp.seed("mid")
    assert [mid.rate(month) for month in (3, 8, 9)] == [
        Decimal("0.40"),
        Decimal("0.675"),
        Decimal("0.825"),
    ]


def test_ramp_months_in_the_case() -> None:
    """$1 contract, low ramp. Month 1: 15,000 res, 35,000 x 14 = 490,000; savings 195,000.

    Month 4: 390,000 (as at 60 %). Month 9: 40,000 res, 10,000 x 14 = 140,000, savings 520,000.
    Mid ramp month 4: 33,750 res + 16,250 x 14 = 227,500, total 261,250, savings 438,750.
    """
    months = _case(_contract(), AutomationRamp.seed("low")).evaluate().months
    assert [months[index].net_savings for index in (0, 3, 8)] == [
        Decimal("195000.00"),
        Decimal("390000.00"),
        Decimal("520000.00"),
    ]
    mid = _case(_contract(), AutomationRamp.seed("mid")).evaluate().months[3]
    assert (mid.resolutions, mid.human_cost, mid.net_savings) == (
        Decimal("33750.000"),
        Decimal("227500.00"),
        Decimal("438750.00"),
    )


def test_resolutions_stay_exact_and_escalations_round_half_up() -> None:
    """33,333 x 0.675 = 22,499.775 units are quoted as they are; 10,833.225 escalations round to 10,833."""
    case = BusinessCase(
        _contract(),
        BASELINE,
        AutomationRamp.flat("0.675"),
        VolumeForecast.flat(33_333, 1),
        start="2026-07",
        months=1,
    )
    month = case.evaluate().months[0]
    assert month.resolutions == Decimal("22499.775")
    assert month.escalations == 10833
    assert month.ai_cost == Decimal("22499.78")


def test_spike_month_with_a_spend_cap() -> None:
    """x3 in month 2: 150,000 contacts, 90,000 resolutions at $1 capped at $40,000.

    Savings: 2,100,000 baseline - 40,000 - 60,000 x 14 = 1,220,000.
    """
    forecast = VolumeForecast.flat(50_000, 3).with_spike(2, 3)
    case = BusinessCase(
        _contract(caps=[SpendCap(limit="40000.00")]),
        BASELINE,
        AutomationRamp.flat("0.60"),
        forecast,
        start="2026-07",
        months=3,
    )
    spike = case.evaluate().months[1]
    assert spike.contacts == 150_000
    assert spike.ai_cost == Decimal("40000.00")
    assert spike.net_savings == Decimal("1220000.00")


def test_spike_test_rows() -> None:
    """30,000 resolutions at $1 under a $40,000 cap: normal 30,000; x3 capped 40,000, uncapped 90,000."""
    test = spike_test(
        _contract(caps=[SpendCap(limit="40000.00")]), "2026-07", resolutions=30000, factor=3
    )
    assert [(row.scenario, row.resolutions, row.total) for row in test.rows] == [
        ("normal", Decimal(30000), Decimal("30000.00")),
        ("spike_with_caps", Decimal(90000), Decimal("40000.00")),
        ("spike_without_caps", Decimal(90000), Decimal("90000.00")),
    ]
    assert test.saved_by_caps == Decimal("50000.00")
    assert test.to_rows()[-1] == {
        "scenario": "saved_by_caps",
        "resolutions": None,
        "total": Decimal("50000.00"),
    }


def test_seasonality_follows_calendar_months() -> None:
    """Factors are by calendar month: a case from November takes November's, then December's."""
    factors = ["1"] * 10 + ["1.5", "2"]
    forecast = VolumeForecast.flat(1001, 3).with_seasonality(factors, start="2026-11")
    assert forecast.contacts == (1502, 2002, 1001)  # 1501.5 rounds half-up
    assert forecast.start is not None
    assert forecast.start.label == "2026-11"
    with pytest.raises(InvalidValueError, match=r"^start: is missing"):
        VolumeForecast.flat(1, 1).with_seasonality(factors)
    with pytest.raises(InvalidValueError, match=r"12 factors"):
        VolumeForecast.flat(1, 1).with_seasonality(["1"], start="2026-11")


def test_forecast_from_csv(tmp_path: Path) -> None:
    """month,contacts: numbered months, or labelled consecutive months that give the start."""
    numbered = tmp_path / "n.csv"
    numbered.write_text("month,contacts\n1,100\n2,200\n", encoding="utf-8")
    assert VolumeForecast.from_csv(numbered) == VolumeForecast([100, 200])
    labelled = tmp_path / "l.csv"
    labelled.write_text("month,contacts\n2026-12,100\n2027-01,200\n", encoding="utf-8")
    forecast = VolumeForecast.from_csv(labelled)
    assert forecast.start is not None
    assert forecast.start.label == "2026-12"
    gap = tmp_path / "g.csv"
    gap.write_text("month,contacts\n2026-12,100\n2027-02,200\n", encoding="utf-8")
    with pytest.raises(InvalidValueError, match=r"line 3, month: '2027-02' is not 2027-01"):
        VolumeForecast.from_csv(gap)
    bad = tmp_path / "b.csv"
    bad.write_text("month,contacts\n1,1.5\n", encoding="utf-8")
    with pytest.raises(InvalidValueError, match=r"line 2, contacts: '1.5' is not a whole number"):
        VolumeForecast.from_csv(bad)


def test_case_checks_its_inputs() -> None:
    """Currency, cadence, forecast length and start, and the term are checked at construction."""
    ramp, forecast = AutomationRamp.flat("0.6"), VolumeForecast.flat(1, 24)
    with pytest.raises(InvalidValueError, match=r"^baseline.currency: USD is not"):
        BusinessCase(_contract(currency="EUR"), BASELINE, ramp, forecast, start="2026-07")
    with pytest.raises(InvalidValueError, match=r"^contract: bills quarterly"):
        BusinessCase(
            _contract(billing_period=Cadence.QUARTERLY), BASELINE, ramp, forecast, start="2026-07"
        )
    with pytest.raises(InvalidValueError, match=r"^forecast: has 24 months but the case has 36"):
        BusinessCase(_contract(), BASELINE, ramp, forecast, start="2026-07", months=36)
    with pytest.raises(InvalidValueError, match=r"^months: month 24 \(2028-07\) is outside"):
        BusinessCase(_contract(), BASELINE, ramp, forecast, start="2026-08")
    dated = VolumeForecast.flat(1, 24, start="2026-08")
    with pytest.raises(InvalidValueError, match=r"^forecast.start: 2026-08 is not"):
        BusinessCase(_contract(), BASELINE, ramp, dated, start="2026-07")
    with pytest.raises(InvalidTypeError, match=r"^rates\[0\]: 0.6 is a float"):
        AutomationRamp([0.6])
    with pytest.raises(InvalidValueError, match=r"^rates\[1\]: 1.5 is above 1"):
        AutomationRamp(["0.5", "1.5"])
    with pytest.raises(InvalidValueError, match=r"not a seed ramp"):
        AutomationRamp.seed("best")  # type: ignore[arg-type]


def test_spread_sums_to_the_fee() -> None:
    """100.00 USD over 3 is 33.33, 33.33 and 33.34; 10 JPY (no minor unit) over 3 is 3, 3, 4."""
    assert spread("100.00", 3, "USD") == (Decimal("33.33"), Decimal("33.33"), Decimal("33.34"))
    assert spread(10, 3, "JPY") == (Decimal(3), Decimal(3), Decimal(4))


def test_results_have_rows_text_and_html() -> None:
    """to_rows gives flat dicts of Decimals; the HTML is a table; the text ends with the summary."""
    result = _case(_contract(), months=2).evaluate()
    rows = result.to_rows()
    assert rows[0]["net_savings"] == Decimal("390000.00")
    assert all(not isinstance(value, (dict, list, tuple)) for value in rows[0].values())
    assert result._repr_html_().startswith("<table>\n<caption>Business case (USD)</caption>")
    assert "break_even_month" in result.to_text()


_PRICES = st.decimals(min_value=0, max_value=30, places=2)


@given(low=_PRICES, high=_PRICES, rate=st.decimals(min_value=0, max_value=1, places=3))
def test_savings_fall_as_the_price_rises(low: Decimal, high: Decimal, rate: Decimal) -> None:
    """A higher per-resolution price never gives higher total savings."""
    low, high = sorted((low, high))
    savings = [
        _case(_contract(str(price)), AutomationRamp.flat(rate), months=2).evaluate().summary
        for price in (low, high)
    ]
    assert savings[1].total_savings <= savings[0].total_savings


@st.composite
def _graduated(draw: st.DrawFn) -> TierSchedule:
    widths = draw(st.lists(st.integers(1, 40000), max_size=3))
    bounds: list[int | None] = []
    total = 0
    for width in widths:
        total += width
        bounds.append(total)
    bounds.append(None)
    prices = draw(st.lists(_PRICES, min_size=len(bounds), max_size=len(bounds)))
    return TierSchedule.graduated(
        [Tier(up_to=bound, unit_price=price) for bound, price in zip(bounds, prices, strict=True)]
    )


@given(
    schedule=_graduated(),
    rate=st.decimals(min_value=0, max_value=Decimal("0.99"), places=3),
    step=st.sampled_from([Decimal("0.001"), Decimal("0.01")]),
)
def test_cost_per_contact_is_continuous_in_the_rate(
    schedule: TierSchedule, rate: Decimal, step: Decimal
) -> None:
    """Graduated tiers without flat fees: a small change in the rate moves the cost a little.

    Raising the rate by d moves the cost per contact by at most d x (the highest unit price + the human cost per contact), plus rounding:
    two money roundings of at most 0.005 each on either side over the
    50,000 contacts, and two 4-place roundings of the cost per contact.
    """
    contract = _contract(pricing=schedule)

    def cost(r: Decimal) -> Decimal:
        month = _case(contract, AutomationRamp.flat(r), months=1).evaluate().months[0]
        assert month.cost_per_contact is not None
        return month.cost_per_contact

    highest = max(tier.unit_price for tier in schedule.tiers)
    bound = step * (highest + BASELINE.cost_per_contact) + Decimal("0.02") / 50_000
    assert abs(cost(rate + step) - cost(rate)) <= bound + Decimal("0.0001")


@given(
    schedule=_graduated(),
    resolutions=st.integers(0, 100000),
    factor=st.sampled_from([Decimal(1), Decimal(2), Decimal(3), Decimal("5.5")]),
    pause=st.none() | st.integers(1, 200000),
    step_above=st.none() | st.integers(1, 200000),
    spend=st.none() | st.integers(0, 500000),
)
def test_a_cap_never_raises_a_spike_months_cost(
    *,
    schedule: TierSchedule,
    resolutions: int,
    factor: Decimal,
    pause: int | None,
    step_above: int | None,
    spend: int | None,
) -> None:
    """Pause, spend and a step-down priced at most at the cheapest tier never raise the spike total.

    (A step-down dearer than the tier it replaces, or one under volume
    pricing, can raise it: that is the contract's choice, not a cap's effect.)
    """
    caps: list[object] = []
    if pause is not None:
        caps.append(PauseCap(limit=pause))
    if step_above is not None:
        cheapest = min(tier.unit_price for tier in schedule.tiers)
        caps.append(StepDownCap(above=step_above, unit_price=cheapest))
    if spend is not None:
        caps.append(SpendCap(limit=spend))
    contract = _contract(pricing=schedule, caps=caps)
    test = spike_test(contract, "2026-07", resolutions=resolutions, factor=factor)
    assert test.saved_by_caps >= 0
    assert test.row("spike_with_caps").total <= test.row("spike_without_caps").total


@given(
    amounts=st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=1, max_size=4),
    offsets=st.lists(st.integers(0, 20), min_size=4, max_size=4),
    amortize=st.integers(1, 36),
    months=st.integers(1, 24),
)
def test_amortized_fees_sum_to_the_fees(
    amounts: list[Decimal], offsets: list[int], amortize: int, months: int
) -> None:
    """The spreads in the horizon plus what lies beyond are the fees billed, to the cent."""
    fees = [
        OneTimeFee(
            code=f"fee{index}",
            description="Fee",
            amount=amount,
            bill_on=date(2026 + (6 + offsets[index]) // 12, (6 + offsets[index]) % 12 + 1, 3),
        )
        for index, amount in enumerate(amounts)
    ]
    result = _case(_contract(fees=fees), months=months, amortize_months=amortize).evaluate()
    billed = sum(month.fees_billed for month in result.months)
    amortized = sum(month.fees_amortized for month in result.months)
    assert amortized + result.summary.amortized_beyond_horizon == billed
    assert result.summary.total_savings - result.summary.total_savings_cash == (
        result.summary.amortized_beyond_horizon
    )
