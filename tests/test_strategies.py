"""The public hypothesis strategies draw only valid objects, and Hypothesis finds them by type."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from resolutionpricing import (
    BillingPeriod,
    Contract,
    ImplementationFee,
    Interaction,
    MinimumCommitment,
    OneTimeFee,
    PackagePricing,
    PauseCap,
    PerEscalationFee,
    PricingMode,
    RecurringFee,
    ResolutionRule,
    SpendCap,
    StepDownCap,
    Tier,
    TierSchedule,
    format_window,
    minor_unit,
    parse_window,
    quote,
)
from resolutionpricing import strategies as rps
from resolutionpricing._contract import RESERVED_CODES
from resolutionpricing._currencies import MINOR_UNITS
from resolutionpricing._fees import Fee
from resolutionpricing._tiers import tier_problems

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _exponent(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent


def _fits(amount: Decimal, currency: str) -> bool:
    return amount % Decimal(1).scaleb(-minor_unit(currency)) == 0


@given(rps.money(max_value="250.5", places=3))
def test_money_has_exactly_the_places_asked_for(amount: Decimal) -> None:
    """Money is a Decimal from 0 to max_value written with exactly `places` decimals."""
    assert Decimal(0) <= amount <= Decimal("250.5")
    assert _exponent(amount) == -3


@given(rps.quantities(max_value=1000))
def test_quantities_are_exact_and_in_range(units: Decimal) -> None:
    """Quantities are finite decimals from 0 to max_value."""
    assert isinstance(units, Decimal)
    assert units.is_finite()
    assert Decimal(0) <= units <= 1000


@given(st.one_of(rps.quantities(max_value=0), rps.quantities(max_value="0.5", places=1)))
def test_quantities_below_one_stay_in_range(units: Decimal) -> None:
    """quantities(max_value) below 1 still draws, and never above max_value."""
    assert Decimal(0) <= units <= Decimal("0.5")


def test_quantities_include_fractions_just_past_a_whole_number() -> None:
    """Quantities include values like 5.001, which fall in the tier after up_to = 5."""
    found = find(rps.quantities(), lambda units: units % 1 == Decimal("0.001") and units > 1)
    assert found == Decimal("1.001")


@given(rps.tiers())
def test_tiers_are_valid(tier: Tier) -> None:
    """A drawn tier has up_to None or above 0, and no negative price or fee."""
    assert tier.up_to is None or tier.up_to > 0
    assert tier.unit_price >= 0
    assert tier.flat_fee >= 0
    assert attrs.evolve(tier) == tier


@given(rps.tier_schedules())
def test_tier_schedules_are_valid(schedule: TierSchedule) -> None:
    """A drawn schedule has 1 to 5 tiers, up_to strictly ascending, and only the last open."""
    assert 1 <= len(schedule.tiers) <= 5
    assert tier_problems(schedule.tiers) == []
    bounds = [tier.up_to for tier in schedule.tiers[:-1]]
    assert None not in bounds
    assert schedule.tiers[-1].up_to is None
    assert attrs.evolve(schedule) == schedule


@given(rps.package_pricings())
def test_package_pricings_are_valid(pricing: PackagePricing) -> None:
    """A drawn package price has a whole size of 1 to 10,000 and no negative price or free units."""
    assert isinstance(pricing.package_size, int)
    assert 1 <= pricing.package_size <= 10_000
    assert pricing.package_price >= 0
    assert 0 <= pricing.free_units <= 10_000
    assert attrs.evolve(pricing) == pricing


def test_tier_schedules_refuse_the_package_mode() -> None:
    """tier_schedules(mode="package") is refused: package prices are package_pricings()."""
    with pytest.raises(InvalidArgument):
        rps.tier_schedules(mode="package")


@given(rps.tier_schedules(mode="volume", max_tiers=2))
def test_tier_schedules_honour_mode_and_max_tiers(schedule: TierSchedule) -> None:
    """tier_schedules(mode, max_tiers) draws that mode and at most that many tiers."""
    assert schedule.mode is PricingMode.VOLUME
    assert len(schedule.tiers) <= 2


@given(rps.caps("KWD"))
def test_caps_are_valid_in_their_currency(cap: PauseCap | StepDownCap | SpendCap) -> None:
    """A drawn cap is one of the three kinds; a spend limit is in whole fils."""
    assert isinstance(cap, (PauseCap, StepDownCap, SpendCap))
    if isinstance(cap, SpendCap):
        assert _fits(cap.limit, "KWD")


@given(rps.cap_lists("JPY"))
def test_cap_lists_hold_at_most_one_cap_of_each_kind(
    caps: tuple[PauseCap | StepDownCap | SpendCap, ...],
) -> None:
    """A drawn cap list has no two caps of one kind."""
    kinds = [cap.kind for cap in caps]
    assert len(kinds) == len(set(kinds))
    assert all(_fits(cap.limit, "JPY") for cap in caps if isinstance(cap, SpendCap))


def _fixed_amounts(fee: Fee) -> list[Decimal]:
    if isinstance(fee, ImplementationFee):
        return [milestone.amount for milestone in fee.milestones] + (
            [] if fee.cap is None else [fee.cap]
        )
    if isinstance(fee, (RecurringFee, OneTimeFee, MinimumCommitment)):
        return [fee.amount]
    return []


@given(rps.fees("BHD"))
def test_fees_fit_their_currency_and_use_free_codes(fee: Fee) -> None:
    """A drawn fee's fixed amounts fit the currency, and its code is valid and not reserved."""
    assert all(_fits(amount, "BHD") for amount in _fixed_amounts(fee))
    if isinstance(fee, (RecurringFee, OneTimeFee)):
        assert _CODE.match(fee.code)
        assert fee.code not in RESERVED_CODES
    if isinstance(fee, RecurringFee) and fee.starts_on and fee.ends_on:
        assert fee.starts_on <= fee.ends_on
    if isinstance(fee, ImplementationFee):
        assert fee.milestones


@given(rps.resolution_rules())
def test_resolution_rules_round_trip_their_window(rule: ResolutionRule) -> None:
    """A drawn rule's window is whole seconds >= 0, so it is written and read back exactly."""
    assert rule.recontact_window >= timedelta(0)
    assert parse_window(format_window(rule.recontact_window)) == rule.recontact_window
    assert attrs.evolve(rule) == rule


@given(rps.currencies())
def test_currencies_come_from_the_table(code: str) -> None:
    """A drawn currency is in the package's ISO 4217 table."""
    assert code in MINOR_UNITS


@given(st.one_of(st.none(), rps.currencies()), st.data())
def test_contracts_are_valid_and_can_be_quoted(currency: str | None, data: st.DataObject) -> None:
    """A drawn contract has no problems, is in the currency asked for, rebuilds equal, and quotes."""
    contract = data.draw(rps.contracts(currency), label="contract")
    assert currency is None or contract.currency == currency
    assert contract.problems() == []
    assert attrs.evolve(contract) == contract
    kinds = [cap.kind for cap in contract.caps]
    assert len(kinds) == len(set(kinds))
    assert 0 <= contract.tax_rate <= Decimal("0.25")
    if contract.rounding_increment is not None:
        assert _fits(contract.rounding_increment, contract.currency)
    step = contract.rounding_increment or Decimal(1).scaleb(-contract.minor_unit)
    amounts = [cap.limit for cap in contract.caps if isinstance(cap, SpendCap)]
    amounts += [amount for fee in contract.fees for amount in _fixed_amounts(fee)]
    assert all(amount % step == 0 for amount in amounts)
    period = BillingPeriod.containing(contract.starts_on, contract.billing_period)
    assert quote(contract, period, resolutions=1).currency == contract.currency


def test_contracts_with_an_increment_draw_amounts_in_whole_increments() -> None:
    """With a 0.010 KWD increment, the smallest positive spend limit and commitment are 0.010."""

    def positive_limit_and_commitment(contract: Contract) -> bool:
        return (
            contract.rounding_increment == Decimal("0.010")
            and any(isinstance(cap, SpendCap) and cap.limit > 0 for cap in contract.caps)
            and any(isinstance(fee, MinimumCommitment) and fee.amount > 0 for fee in contract.fees)
        )

    reproducible = settings(derandomize=True, database=None, max_examples=5000)
    found = find(rps.contracts("KWD"), positive_limit_and_commitment, settings=reproducible)
    limits = [str(cap.limit) for cap in found.caps if isinstance(cap, SpendCap)]
    commitments = [str(fee.amount) for fee in found.fees if isinstance(fee, MinimumCommitment)]
    assert (limits, commitments) == (["0.010"], ["0.010"])


_START = datetime(2026, 10, 31, 23, 30, tzinfo=timezone(timedelta(hours=4)))


@given(
    rps.interactions(
        customers=["alice", "bob"],
        topics=["billing"],
        channels=["voice"],
        start=_START,
        span=timedelta(hours=2),
    )
)
def test_interactions_are_valid_and_drawn_from_the_pools(contact: Interaction) -> None:
    """A drawn contact is aware, ends on or after it starts, resolves a subset, uses the pools."""
    assert contact.started_at.utcoffset() is not None
    assert contact.ended_at.utcoffset() is not None
    assert contact.started_at <= contact.ended_at
    assert contact.resolved_topics <= contact.topics
    assert contact.customer_id in {"alice", "bob"}
    assert contact.topics == {"billing"}
    assert contact.channel == "voice"
    assert _START <= contact.started_at <= _START + timedelta(hours=2)


def test_interaction_logs_have_recontacts() -> None:
    """A small log drawn from interactions() can hold a same-customer same-topic return."""

    def has_recontact(log: list[Interaction]) -> bool:
        return any(
            first.customer_id == later.customer_id
            and first.started_at < later.started_at
            and first.resolved_topics & later.topics
            for first in log
            for later in log
        )

    logs = st.lists(rps.interactions(), min_size=2, max_size=2, unique_by=lambda c: c.id)
    # Found without shrinking: only that one exists matters here.
    assert has_recontact(find(logs, has_recontact, settings=settings(phases=[Phase.generate])))


@pytest.mark.parametrize(
    "kind",
    [Tier, TierSchedule, PackagePricing, ResolutionRule, Contract, Interaction],
    ids=lambda kind: kind.__name__,
)
def test_from_type_uses_the_registered_strategies(kind: type[object]) -> None:
    """st.from_type finds the package's strategies through the hypothesis entry point."""

    @settings(max_examples=10)
    @given(st.from_type(kind))
    def check(value: object) -> None:
        assert isinstance(value, kind)
        assert attrs.evolve(value) == value  # type: ignore[misc]

    check()


@pytest.mark.parametrize(
    "make",
    [
        lambda: rps.money(places=-1),
        lambda: rps.money(max_value=-5),
        lambda: rps.money(max_value=1.5),  # type: ignore[arg-type]
        lambda: rps.quantities(places=True),
        lambda: rps.tier_schedules(mode="tiered"),
        lambda: rps.tier_schedules(max_tiers=0),
        lambda: rps.caps("XAU"),
        lambda: rps.cap_lists("ZZZ"),
        lambda: rps.fees(currency=978),  # type: ignore[arg-type]
        lambda: rps.contracts("EURO"),
        lambda: rps.interactions(customers=[]),
        lambda: rps.interactions(topics="billing"),
        lambda: rps.interactions(channels=["chat", " "]),
        lambda: rps.interactions(start=datetime(2026, 10, 1)),  # noqa: DTZ001  (naive on purpose)
        lambda: rps.interactions(span=timedelta(-1)),
    ],
)
def test_bad_arguments_raise_invalid_argument(make: object) -> None:
    """A strategy called with a bad argument raises Hypothesis's InvalidArgument at once."""
    assert callable(make)
    with pytest.raises(InvalidArgument):
        make()


@given(rps.interactions())
def test_interactions_default_to_three_days_from_october_2026(contact: Interaction) -> None:
    """By default contacts start within 3 days from 2026-10-01 00:00 UTC."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    assert start <= contact.started_at <= start + timedelta(days=3)
    assert contact.ended_at - contact.started_at <= timedelta(hours=3)


def _anything(_value: object) -> bool:
    return True


def test_documented_shrink_targets() -> None:
    """Simple strategies shrink to what their docstrings say."""
    assert find(rps.money(), _anything) == Decimal("0.00")
    assert find(rps.quantities(), _anything) == Decimal(0)
    assert find(rps.tiers(), _anything) == Tier(up_to=None, unit_price="0.00")
    assert find(rps.package_pricings(), _anything) == PackagePricing(
        package_size=1, package_price="0.00"
    )
    assert find(rps.cap_lists(), _anything) == ()
    assert find(rps.currencies(), _anything) == "AED"
    assert find(rps.resolution_rules(), _anything) == ResolutionRule()
    assert find(rps.caps(), _anything) == SpendCap(limit=0)
    assert find(rps.fees(), _anything) == MinimumCommitment(amount=0)
    assert find(rps.fees(), lambda fee: isinstance(fee, RecurringFee)) == RecurringFee(
        code="kb_maintenance", description="Knowledge base maintenance", amount=0
    )
    assert find(rps.fees(), lambda fee: isinstance(fee, PerEscalationFee)) == PerEscalationFee(
        unit_price="0.00"
    )
