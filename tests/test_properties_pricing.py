"""Invariants of pricing, caps, invoices and contract files, for any valid contract."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    BillingPeriod,
    Contract,
    InvalidValueError,
    Invoice,
    MinimumCommitment,
    PauseCap,
    PricingMode,
    ResolutionDetails,
    ResolutionPricingError,
    ResolutionRule,
    SpendCap,
    StepDownCap,
    StepDownDetails,
    Tier,
    TierPart,
    TierSchedule,
    contract_from_dict,
    contract_to_dict,
    dump_contract,
    loads_contract,
    quote,
)
from resolutionpricing import strategies as rps

_WORKED_TIERS = (
    Tier(up_to=5, unit_price="7.00"),
    Tier(up_to=10, unit_price="6.50"),
    Tier(up_to=None, unit_price="6.00"),
)


def _lower_bounds(schedule: TierSchedule) -> list[Decimal]:
    """Where each tier starts: 0, then the previous tier's up_to."""
    return [Decimal(0)] + [tier.up_to for tier in schedule.tiers[:-1] if tier.up_to is not None]


def _first_period(contract: Contract) -> BillingPeriod:
    return BillingPeriod.containing(contract.starts_on, contract.billing_period)


def _quote(contract: Contract, units: Decimal, escalations: int = 0) -> Invoice:
    return quote(contract, _first_period(contract), resolutions=units, escalations=escalations)


def _amount(invoice: Invoice, code: str) -> Decimal:
    line = invoice.line(code)
    return Decimal(0) if line is None else line.amount


def _with_cap(contract: Contract, cap: PauseCap | StepDownCap | SpendCap) -> Contract:
    """The contract with ``cap`` in place of any cap of its kind."""
    others = tuple(other for other in contract.caps if other.kind != cap.kind)
    return attrs.evolve(contract, caps=(*others, cap))


def _without(contract: Contract, kind: type[PauseCap | StepDownCap | SpendCap]) -> Contract:
    return attrs.evolve(
        contract, caps=tuple(cap for cap in contract.caps if not isinstance(cap, kind))
    )


# Tier schedules


@given(rps.tier_schedules(mode=PricingMode.GRADUATED), rps.quantities(), rps.quantities())
def test_graduated_price_never_decreases_and_jumps_only_at_flat_fees(
    schedule: TierSchedule, first: Decimal, second: Decimal
) -> None:
    """Graduated: price(q2) - price(q1) is between the (q2 - q1) units at the lowest and top prices, plus fees entered."""
    low, high = sorted((first, second))
    rise = schedule.price(high) - schedule.price(low)
    prices = [tier.unit_price for tier in schedule.tiers]
    entered = [
        tier.flat_fee
        for tier, lower in zip(schedule.tiers, _lower_bounds(schedule), strict=True)
        if low <= lower < high and lower > 0
    ]
    assert rise >= (high - low) * min(prices) >= 0
    assert rise <= (high - low) * max(prices) + sum(entered)


@given(rps.tier_schedules(mode=PricingMode.GRADUATED), st.data())
def test_graduated_price_is_continuous_except_where_a_flat_fee_starts(
    schedule: TierSchedule, data: st.DataObject
) -> None:
    """Graduated: price(q + e) - price(q) <= e x top price; it jumps only by flat fees of tiers starting in [q, q + e)."""
    bounds = _lower_bounds(schedule)
    units = data.draw(st.one_of(st.sampled_from(bounds), rps.quantities()), label="units")
    step = data.draw(st.sampled_from([Decimal("0.001"), Decimal("0.5"), Decimal(1)]), label="step")
    jump = schedule.price(units + step) - schedule.price(units)
    top_price = max(tier.unit_price for tier in schedule.tiers)
    fees_starting = sum(
        tier.flat_fee
        for tier, lower in zip(schedule.tiers, bounds, strict=True)
        if lower > 0 and units <= lower < units + step
    )
    assert fees_starting <= jump <= step * top_price + fees_starting


@given(rps.tiers(), rps.quantities())
def test_a_one_tier_volume_schedule_prices_like_graduated(tier: Tier, units: Decimal) -> None:
    """With a single (open) tier, volume and graduated pricing agree on price and breakdown."""
    only = attrs.evolve(tier, up_to=None)
    volume, graduated = TierSchedule.volume(only), TierSchedule.graduated(only)
    assert volume.price(units) == graduated.price(units)
    assert volume.breakdown(units) == graduated.breakdown(units)


@given(rps.tier_schedules(), rps.quantities())
def test_breakdown_sums_to_the_price(schedule: TierSchedule, units: Decimal) -> None:
    """The parts of the breakdown add up to the price, each part being quantity x price + fee."""
    parts = schedule.breakdown(units)
    assert sum(part.amount for part in parts) == schedule.price(units)
    for part in parts:
        assert part.amount == part.quantity * part.unit_price + part.flat_fee
    if schedule.mode is PricingMode.GRADUATED:
        assert [part.index for part in parts] == list(range(len(parts)))
        assert sum(part.quantity for part in parts) == units
    else:
        assert [(part.index, part.quantity) for part in parts] == [
            (schedule.tier_for(units), units)
        ]


# Caps


@given(rps.contracts(), rps.quantities(), rps.quantities())
def test_pause_never_bills_past_its_limit(
    contract: Contract, units: Decimal, limit: Decimal
) -> None:
    """With a pause cap the resolutions line bills min(units, limit) and reports the overflow."""
    invoice = _quote(_with_cap(contract, PauseCap(limit=limit)), units)
    line = invoice.line("resolutions")
    assert line is not None
    assert line.quantity == min(units, limit) <= limit
    assert invoice.counts["overflow_units"] == max(units - limit, Decimal(0))


@given(rps.contracts(), rps.quantities(), st.data())
def test_spend_never_exceeds_its_limit(
    contract: Contract, units: Decimal, data: st.DataObject
) -> None:
    """With a spend cap, the resolutions and spend_cap lines together never exceed the limit.

    The limit is in whole rounding increments (or minor units), as a contract
    requires, so a capped charge comes to exactly the limit.
    """
    step = contract.rounding_increment or Decimal(1).scaleb(-contract.minor_unit)
    limit = data.draw(st.integers(0, 10**6).map(lambda steps: steps * step), label="limit")
    invoice = _quote(_with_cap(contract, SpendCap(limit=limit)), units)
    charged = _amount(invoice, "resolutions") + _amount(invoice, "spend_cap")
    assert charged <= limit
    assert _amount(invoice, "spend_cap") <= 0
    assert (invoice.line("spend_cap") is None) == (_amount(invoice, "resolutions") <= limit)
    if invoice.line("spend_cap") is not None:
        assert charged == limit
        assert _amount(invoice, "spend_cap") % step == 0


@given(rps.contracts(), rps.quantities(), rps.quantities(), st.data())
def test_step_down_at_the_lowest_price_never_costs_more(
    drawn: Contract, units: Decimal, above: Decimal, data: st.DataObject
) -> None:
    """Graduated: a step-down whose price is at most every tier price never raises the charge."""
    assert isinstance(drawn.pricing, TierSchedule)
    schedule = TierSchedule.graduated(drawn.pricing.tiers)
    contract = attrs.evolve(drawn, pricing=schedule)
    lowest = min(tier.unit_price for tier in schedule.tiers)
    price = data.draw(rps.money(max_value=lowest, places=4), label="step-down price")
    capped = _quote(_with_cap(contract, StepDownCap(above=above, unit_price=price)), units)
    uncapped = _quote(_without(contract, StepDownCap), units)
    assert _amount(capped, "resolutions") <= _amount(uncapped, "resolutions")


def test_volume_step_down_prices_the_first_units_as_a_volume_of_above() -> None:
    """Volume: the first ``above`` units are priced as a volume of ``above``, as documented.

    Tiers up to 15 at 10, then 9; a step-down above 15 at 0. Without the cap 16
    units are a volume of 16, all at 9: 144. With it, the first 15 are a volume
    of 15, at 10, and the 16th is stepped down: 15 x 10 + 1 x 0 = 150. Crossing
    the volume cliff with a step-down at it may cost more than no step-down.
    """
    schedule = TierSchedule.volume(Tier(up_to=15, unit_price=10), Tier(up_to=None, unit_price=9))
    plain = Contract(
        name="Cliff", currency="AED", timezone="UTC", starts_on=date(2026, 7, 1), pricing=schedule
    )
    stepped = _with_cap(plain, StepDownCap(above=15, unit_price=0))
    assert _amount(_quote(plain, Decimal(16)), "resolutions") == Decimal("144.00")
    line = _quote(stepped, Decimal(16)).line("resolutions")
    assert line is not None
    assert line.amount == Decimal("150.00")
    assert line.details == ResolutionDetails(
        mode=PricingMode.VOLUME,
        tiers=[
            TierPart(
                index=0,
                lower=Decimal(0),
                up_to=Decimal(15),
                quantity=Decimal(15),
                unit_price=Decimal(10),
                flat_fee=Decimal(0),
                amount=Decimal(150),
            )
        ],
        step_down=StepDownDetails(
            above=Decimal(15), quantity=Decimal(1), unit_price=Decimal(0), amount=Decimal(0)
        ),
        exact_amount=Decimal(150),
    )


# Invoices


def test_an_absurd_commitment_is_refused() -> None:
    """A minimum commitment of 1E+70 AED is refused when the fee is made, with our error."""
    with pytest.raises(InvalidValueError) as caught:
        MinimumCommitment(amount="1e70")
    assert isinstance(caught.value, ResolutionPricingError)
    assert str(caught.value) == "amount: '1e70' is too large; a number below 10^18 in size"


def test_the_largest_commitment_is_quoted_exactly() -> None:
    """Just under 10^18 AED, a commitment still fits the calculator's arithmetic exactly."""
    contract = Contract(
        name="Absurd",
        currency="AED",
        timezone="UTC",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price=1)),
        fees=[MinimumCommitment(amount="999999999999999999.99")],
    )
    # 1 unit at 1 = 1.00; true-up 999,999,999,999,999,998.99
    invoice = _quote(contract, Decimal(1))
    assert _amount(invoice, "minimum_commitment") == Decimal("999999999999999998.99")
    assert invoice.total == Decimal("999999999999999999.99")


@given(rps.contracts(), rps.quantities(), st.integers(0, 10_000))
def test_invoice_lines_are_rounded_to_the_minor_unit_and_add_up(
    contract: Contract, units: Decimal, escalations: int
) -> None:
    """Every amount has the currency's exponent; total = subtotal + tax = sum(lines) + tax."""
    invoice = _quote(contract, units, escalations)
    exponent = -contract.minor_unit
    for amount in [line.amount for line in invoice.lines] + [invoice.subtotal, invoice.tax]:
        assert amount.as_tuple().exponent == exponent
    assert invoice.subtotal == sum(line.amount for line in invoice.lines)
    assert invoice.tax == contract.round(invoice.subtotal * contract.tax_rate)
    assert invoice.total == invoice.subtotal + invoice.tax
    assert invoice.total.as_tuple().exponent == exponent


def test_spend_cap_line_with_a_limit_written_with_extra_zeros_is_rounded() -> None:
    """A spend limit of 100.00 in JPY (valid: whole yen) still gives whole-yen lines."""
    contract = Contract(
        name="Yen",
        currency="JPY",
        timezone="Asia/Tokyo",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price=1)),
        caps=[SpendCap(limit="100.00")],
    )
    line = _quote(contract, Decimal(1000)).line("spend_cap")
    assert line is not None
    # 1,000 x 1 = 1,000; capped at 100: round(100.00 - 1000) = -900, in whole yen
    assert str(line.amount) == "-900"


@given(rps.contracts(), rps.quantities(), st.integers(0, 10_000))
def test_same_inputs_give_the_same_json(
    contract: Contract, units: Decimal, escalations: int
) -> None:
    """Quoting twice, or from the contract written to TOML and read back, gives the same bytes."""
    expected = _quote(contract, units, escalations).to_json()
    assert _quote(contract, units, escalations).to_json() == expected
    assert _quote(loads_contract(dump_contract(contract)), units, escalations).to_json() == expected


def test_a_bound_written_with_a_positive_exponent_gives_the_same_json() -> None:
    """A tier bound of 5E+3 (as TOML `5e3` reads) gives the same invoice after a round trip."""
    contract = Contract(
        name="Exponent",
        currency="AED",
        timezone="UTC",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.graduated(
            Tier(up_to=Decimal("5E+3"), unit_price="3.50"),
            Tier(up_to=Decimal("2E+4"), unit_price="2.75"),
            Tier(up_to=None, unit_price="2.00"),
        ),
    )
    assert isinstance(contract.pricing, TierSchedule)
    assert [str(tier.up_to) for tier in contract.pricing.tiers] == ["5000", "20000", "None"]
    again = loads_contract(dump_contract(contract))
    assert _quote(again, Decimal(25000)).to_json() == _quote(contract, Decimal(25000)).to_json()


# Contract files


@given(rps.contracts())
def test_contracts_round_trip_through_toml_and_dicts(contract: Contract) -> None:
    """Writing a contract and reading it back gives an equal contract, and the same text."""
    text = dump_contract(contract)
    assert loads_contract(text) == contract
    assert dump_contract(loads_contract(text)) == text
    assert contract_from_dict(contract_to_dict(contract)) == contract


def test_a_sub_second_window_is_refused() -> None:
    """A half-second window could not be written in a contract file, so a rule refuses it."""
    with pytest.raises(InvalidValueError) as caught:
        ResolutionRule(recontact_window=timedelta(milliseconds=500))
    assert str(caught.value) == (
        "recontact_window: 0:00:00.500000 is not a whole number of seconds; "
        "a window in whole seconds"
    )


def test_a_one_second_window_round_trips() -> None:
    """The shortest non-zero window, one second, is written and read back equal."""
    contract = Contract(
        name="Window",
        currency="AED",
        timezone="UTC",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price=1)),
        resolution=ResolutionRule(recontact_window=timedelta(seconds=1)),
    )
    assert 'recontact_window = "1s"' in dump_contract(contract)
    assert loads_contract(dump_contract(contract)) == contract


# Worked examples


def test_the_volume_cliff_exists() -> None:
    """Volume tiers (up to 15 at 10, then 9): 16 units cost less than 15."""
    schedule = TierSchedule.volume(Tier(up_to=15, unit_price=10), Tier(up_to=None, unit_price=9))
    assert schedule.price(15) == 150
    assert schedule.price(16) == 144
    assert schedule.price(16) < schedule.price(15)


@pytest.mark.parametrize(
    ("mode", "units", "expected"),
    [
        (PricingMode.GRADUATED, 6, "41.50"),
        (PricingMode.GRADUATED, 20, "127.50"),
        (PricingMode.VOLUME, 6, "39.00"),
        (PricingMode.VOLUME, 20, "120.00"),
    ],
)
def test_worked_numbers(mode: PricingMode, units: int, expected: str) -> None:
    """5 at 7.00, 5 at 6.50, then 6.00: graduated 6 is 41.50, 20 is 127.50; volume 39.00, 120.00."""
    assert TierSchedule(mode=mode, tiers=_WORKED_TIERS).price(units) == Decimal(expected)


def test_a_fraction_past_a_bound_is_in_the_next_tier() -> None:
    """5.001 units fall in the second tier (up_to is inclusive); graduated 5.001 is 35.0065."""
    schedule = TierSchedule.graduated(_WORKED_TIERS)
    assert schedule.tier_for(5) == 0
    assert schedule.tier_for("5.001") == 1
    assert schedule.price("5.001") == Decimal("35.0065")
    assert TierSchedule.volume(_WORKED_TIERS).price("5.001") == Decimal("32.5065")
