"""Tier schedules: inclusive up_to, graduated and volume pricing, flat fees, validation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    InvalidTypeError,
    InvalidValueError,
    PricingMode,
    Tier,
    TierSchedule,
    load_contract,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "contract.toml"

# up to 5 at 7.00, up to 10 at 6.50, then 6.00
TIERS = [
    Tier(up_to=5, unit_price="7.00"),
    Tier(up_to=10, unit_price="6.50"),
    Tier(up_to=None, unit_price="6.00"),
]
GRADUATED = TierSchedule.graduated(TIERS)
VOLUME = TierSchedule.volume(TIERS)

# the same, with flat fees of 10.00, 5.00 and 2.00
FLAT_TIERS = [
    Tier(up_to=5, unit_price="7.00", flat_fee="10.00"),
    Tier(up_to=10, unit_price="6.50", flat_fee="5.00"),
    Tier(up_to=None, unit_price="6.00", flat_fee="2.00"),
]


# Tier


def test_tier_converts_its_fields() -> None:
    """Ints and decimal strings become Decimals; the flat fee defaults to 0."""
    tier = Tier(up_to=5000, unit_price="3.50")
    assert tier.up_to == Decimal(5000)
    assert tier.unit_price == Decimal("3.50")
    assert tier.flat_fee == 0


def test_open_tier_has_no_up_to() -> None:
    """``up_to=None`` makes the open tier."""
    assert Tier(up_to=None, unit_price=2).up_to is None


def test_tier_is_frozen() -> None:
    """Tiers are immutable values."""
    tier = Tier(up_to=5, unit_price=1)
    with pytest.raises(AttributeError):
        tier.unit_price = Decimal(2)  # type: ignore[misc]


@pytest.mark.parametrize("up_to", [0, "0", -5, "-0.5"])
def test_tier_up_to_must_be_above_zero(up_to: object) -> None:
    """A bounded tier must end above 0."""
    with pytest.raises(InvalidValueError) as caught:
        Tier(up_to=up_to, unit_price=1)
    number = Decimal(str(up_to))
    assert str(caught.value) == (
        f"up_to: {number} is not above 0; "
        "a tier's up_to must be above 0, or None for the open last tier"
    )


def test_tier_refuses_negative_price() -> None:
    """A negative unit price is refused."""
    with pytest.raises(InvalidValueError) as caught:
        Tier(up_to=5, unit_price="-0.01")
    assert str(caught.value) == "unit_price: -0.01 is negative; must be 0 or more"


def test_tier_refuses_negative_flat_fee() -> None:
    """A negative flat fee is refused."""
    with pytest.raises(InvalidValueError) as caught:
        Tier(up_to=5, unit_price=1, flat_fee=-10)
    assert str(caught.value) == "flat_fee: -10 is negative; must be 0 or more"


def test_zero_price_tier_is_allowed() -> None:
    """A free tier (price 0) is allowed: the first 50 resolutions may be included."""
    schedule = TierSchedule.graduated(Tier(up_to=50, unit_price=0), Tier(up_to=None, unit_price=1))
    # 50 x 0 + 10 x 1 = 10
    assert schedule.price(60) == 10


# graduated: worked numbers


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0, "0"),
        (1, "7.00"),
        (5, "35.00"),  # 5 x 7.00
        (6, "41.50"),  # 5 x 7.00 + 1 x 6.50
        (10, "67.50"),  # 35.00 + 5 x 6.50
        (11, "73.50"),  # 67.50 + 1 x 6.00
        (20, "127.50"),  # 35.00 + 32.50 + 10 x 6.00
    ],
)
def test_graduated_prices(quantity: int, expected: str) -> None:
    """Graduated: each tier's units at that tier's price."""
    assert GRADUATED.price(quantity) == Decimal(expected)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0, "0"),
        (5, "35.00"),  # 5 x 7.00
        (6, "39.00"),  # 6 x 6.50
        (10, "65.00"),  # 10 x 6.50
        (11, "66.00"),  # 11 x 6.00
        (20, "120.00"),  # 20 x 6.00
    ],
)
def test_volume_prices(quantity: int, expected: str) -> None:
    """Volume: every unit at the price of the tier the quantity falls in."""
    assert VOLUME.price(quantity) == Decimal(expected)


def test_volume_cliff_is_visible() -> None:
    """Under volume pricing, 16 units can cost less than 15."""
    schedule = TierSchedule.volume(Tier(up_to=15, unit_price=10), Tier(up_to=None, unit_price=8))
    # 15 x 10 = 150; 16 x 8 = 128
    assert schedule.price(15) == 150
    assert schedule.price(16) == 128


# up_to is inclusive; fractional quantities


@pytest.mark.parametrize(
    ("quantity", "tier"),
    [(0, 0), ("4.999", 0), (5, 0), ("5.0", 0), ("5.001", 1), (10, 1), ("10.5", 2), (10**9, 2)],
)
def test_tier_for_is_inclusive(quantity: object, tier: int) -> None:
    """``up_to`` is inclusive: 5 is in the first tier, 5.001 already in the second."""
    assert GRADUATED.tier_for(quantity) == tier  # type: ignore[arg-type]


def test_fractional_quantity_graduated() -> None:
    """5.001 units: 5 at 7.00 and 0.001 at 6.50, exact and unrounded."""
    # 35.00 + 0.001 x 6.50 = 35.0065
    assert GRADUATED.price("5.001") == Decimal("35.0065")


def test_fractional_quantity_volume() -> None:
    """5.001 units under volume pricing are all at the second tier's price."""
    # 5.001 x 6.50 = 32.5065
    assert VOLUME.price("5.001") == Decimal("32.5065")


def test_quantities_accept_decimal_int_and_string() -> None:
    """A quantity may be a Decimal, an int or a decimal string."""
    assert GRADUATED.price(Decimal(6)) == GRADUATED.price(6) == GRADUATED.price("6")


def test_negative_quantity_is_refused() -> None:
    """Quantities are 0 or more."""
    with pytest.raises(InvalidValueError) as caught:
        GRADUATED.price(-1)
    assert str(caught.value) == "quantity: -1 is negative; must be 0 or more"


def test_float_quantity_is_refused() -> None:
    """A float quantity is refused like a float price."""
    with pytest.raises(InvalidTypeError, match=r"^quantity: 6\.0 is a float"):
        GRADUATED.price(6.0)  # type: ignore[arg-type]


# flat fees


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0, "10.00"),  # the first tier's flat fee even at zero
        (5, "45.00"),  # 5 x 7.00 + 10.00
        (6, "56.50"),  # 45.00 + 1 x 6.50 + 5.00
        (20, "144.50"),  # 45.00 + (5 x 6.50 + 5.00) + (10 x 6.00 + 2.00)
    ],
)
def test_graduated_flat_fees(quantity: int, expected: str) -> None:
    """Graduated: each tier's flat fee once the quantity enters it; the first at zero."""
    assert TierSchedule.graduated(FLAT_TIERS).price(quantity) == Decimal(expected)


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (0, "10.00"),  # 0 x 7.00 + 10.00
        (5, "45.00"),  # 5 x 7.00 + 10.00
        (6, "44.00"),  # 6 x 6.50 + 5.00
        (20, "122.00"),  # 20 x 6.00 + 2.00
    ],
)
def test_volume_flat_fees(quantity: int, expected: str) -> None:
    """Volume: only the flat fee of the tier the quantity falls in."""
    assert TierSchedule.volume(FLAT_TIERS).price(quantity) == Decimal(expected)


def test_flat_fee_not_charged_at_the_boundary() -> None:
    """Exactly 5 units do not enter the tier after up_to=5, so its flat fee is not due."""
    parts = TierSchedule.graduated(FLAT_TIERS).breakdown(5)
    assert [part.index for part in parts] == [0]


# the breakdown of a price


def test_graduated_breakdown_parts() -> None:
    """The breakdown lists each tier entered with its range, units and amount."""
    parts = GRADUATED.breakdown(12)
    assert [(part.index, part.lower, part.up_to) for part in parts] == [
        (0, Decimal(0), Decimal(5)),
        (1, Decimal(5), Decimal(10)),
        (2, Decimal(10), None),
    ]
    # 5 x 7.00 = 35.00; 5 x 6.50 = 32.50; 2 x 6.00 = 12.00
    assert [part.quantity for part in parts] == [5, 5, 2]
    assert [part.amount for part in parts] == [Decimal("35.00"), Decimal("32.50"), Decimal("12.00")]


def test_graduated_breakdown_at_zero_has_the_first_tier() -> None:
    """At zero the first tier is still listed (its flat fee may apply)."""
    parts = GRADUATED.breakdown(0)
    assert len(parts) == 1
    assert parts[0].index == 0
    assert parts[0].quantity == 0


def test_volume_breakdown_is_one_part() -> None:
    """Volume pricing has one part: the tier the quantity falls in, all units."""
    (part,) = VOLUME.breakdown(6)
    assert (part.index, part.lower, part.up_to, part.quantity) == (
        1,
        Decimal(5),
        Decimal(10),
        Decimal(6),
    )
    assert part.amount == Decimal("39.00")


# the seed's schedule: 0-5,000 / 5,001-20,000 / 20,001+


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        (5000, "17500.00"),  # 5,000 x 3.50
        (5001, "17502.75"),  # 17,500 + 1 x 2.75
        (12000, "36750.00"),  # 17,500 + 7,000 x 2.75
        (20000, "58750.00"),  # 17,500 + 15,000 x 2.75
        (20001, "58752.00"),  # 58,750 + 1 x 2.00
    ],
)
def test_example_contract_schedule(quantity: int, expected: str) -> None:
    """The example contract's graduated tiers give the seed's figures."""
    schedule = load_contract(EXAMPLE).pricing
    assert schedule.mode is PricingMode.GRADUATED
    assert schedule.price(quantity) == Decimal(expected)


def test_example_schedule_as_volume() -> None:
    """The same tiers priced by volume: 12,000 units all at 2.75."""
    signed = load_contract(EXAMPLE).pricing
    assert isinstance(signed, TierSchedule)
    schedule = TierSchedule.volume(signed.tiers)
    # 12,000 x 2.75 = 33,000
    assert schedule.price(12000) == Decimal("33000.00")


# construction


def test_tiers_as_arguments_or_one_list() -> None:
    """The constructors take tiers as arguments or as one list."""
    assert TierSchedule.graduated(*TIERS) == TierSchedule.graduated(TIERS)
    assert TierSchedule.volume(iter(TIERS)) == VOLUME


def test_tiers_as_mappings() -> None:
    """Tiers may be given as mappings of their fields."""
    schedule = TierSchedule.graduated(
        [{"up_to": 5, "unit_price": "7.00"}, {"up_to": None, "unit_price": "6.00"}]
    )
    assert schedule.tiers == (Tier(up_to=5, unit_price="7.00"), Tier(up_to=None, unit_price="6"))


def test_mapping_tier_errors_carry_their_index() -> None:
    """A bad field in a mapping tier is located at tiers[i]."""
    with pytest.raises(InvalidValueError) as caught:
        TierSchedule.graduated({"up_to": 5, "unit_price": 1}, {"up_to": None, "unit_price": "-1"})
    assert str(caught.value) == "tiers[1].unit_price: -1 is negative; must be 0 or more"


def test_mapping_tier_with_an_unknown_key() -> None:
    """A mapping with an unknown key names the allowed keys."""
    with pytest.raises(InvalidValueError) as caught:
        TierSchedule.graduated({"up_to": None, "unit_price": 1, "price": 2})
    assert caught.value.path == "tiers[0]"
    assert caught.value.allowed == "keys up_to, unit_price and flat_fee"


def test_tier_of_the_wrong_type() -> None:
    """A tier that is neither a Tier nor a mapping is a TypeError."""
    with pytest.raises(InvalidTypeError) as caught:
        TierSchedule.graduated([Tier(up_to=5, unit_price=1), 7])  # type: ignore[list-item]
    assert str(caught.value) == "tiers[1]: 7 is not a Tier; a Tier or a mapping"


def test_tiers_must_be_a_sequence() -> None:
    """A string is not a list of tiers."""
    with pytest.raises(InvalidTypeError, match=r"^tiers: 'abc' is not a sequence of tiers"):
        TierSchedule(mode="graduated", tiers="abc")


def test_mode_from_text() -> None:
    """The mode may be given by its file value."""
    schedule = TierSchedule(mode="volume", tiers=TIERS)
    assert schedule == VOLUME


def test_unknown_mode() -> None:
    """An unknown mode lists the allowed ones."""
    with pytest.raises(InvalidValueError) as caught:
        TierSchedule(mode="tiered", tiers=TIERS)
    assert (
        str(caught.value)
        == 'mode: \'tiered\' is not allowed; one of "graduated", "volume", "package"'
    )


# refused schedules


def test_no_tiers() -> None:
    """A schedule needs a tier."""
    with pytest.raises(InvalidValueError) as caught:
        TierSchedule.graduated()
    assert str(caught.value) == "tiers: is empty; a schedule needs at least one tier"


def test_open_tier_not_last() -> None:
    """Only the last tier may be open."""
    with pytest.raises(InvalidValueError) as caught:
        TierSchedule.graduated(Tier(up_to=None, unit_price=2), Tier(up_to=None, unit_price=1))
    assert str(caught.value) == (
        "tiers[0].up_to: is open (None) but this is not the last tier; "
        "only the last tier may be open"
    )


def test_bounded_last_tier() -> None:
    """The last tier must be open: no quantity may fall off the schedule."""
    with pytest.raises(InvalidValueError) as caught:
        TierSchedule.volume(Tier(up_to=5, unit_price=2), Tier(up_to=10, unit_price=1))
    assert str(caught.value) == (
        "tiers[1].up_to: is 10 on the last tier; the last tier must be open (no up_to)"
    )


def test_single_bounded_tier() -> None:
    """A single tier with an up_to is a bounded last tier."""
    with pytest.raises(InvalidValueError, match=r"^tiers\[0\]\.up_to: is 5 on the last tier"):
        TierSchedule.graduated(Tier(up_to=5, unit_price=2))


@pytest.mark.parametrize("second", [5, 4])
def test_up_to_must_increase_strictly(second: int) -> None:
    """A tier ending at or below the previous tier's end is refused."""
    with pytest.raises(InvalidValueError) as caught:
        TierSchedule.graduated(
            Tier(up_to=5, unit_price=3),
            Tier(up_to=second, unit_price=2),
            Tier(up_to=None, unit_price=1),
        )
    assert str(caught.value) == (
        f"tiers[1].up_to: {second} is not above the previous tier's up_to (5); "
        "up_to must increase strictly from tier to tier"
    )


def test_single_open_tier_is_a_flat_price() -> None:
    """One open tier is a flat per-unit price."""
    schedule = TierSchedule.graduated(Tier(up_to=None, unit_price="0.99"))
    # 100 x 0.99 = 99.00
    assert schedule.price(100) == Decimal("99.00")


# invariants

QUANTITIES = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False)


@given(quantity=QUANTITIES)
def test_graduated_parts_add_up_to_the_quantity(quantity: Decimal) -> None:
    """The units of a graduated breakdown sum to the quantity, and the amounts to the price."""
    parts = GRADUATED.breakdown(quantity)
    assert sum(part.quantity for part in parts) == quantity
    assert sum(part.amount for part in parts) == GRADUATED.price(quantity)


@given(quantity=QUANTITIES, extra=QUANTITIES)
def test_graduated_price_never_decreases(quantity: Decimal, extra: Decimal) -> None:
    """Under graduated pricing, more units never cost less."""
    assert GRADUATED.price(quantity + extra) >= GRADUATED.price(quantity)


@given(quantity=QUANTITIES)
def test_volume_is_quantity_times_its_tier_price(quantity: Decimal) -> None:
    """Under volume pricing, the price is the quantity times its tier's price."""
    tier = TIERS[VOLUME.tier_for(quantity)]
    assert VOLUME.price(quantity) == quantity * tier.unit_price


@given(quantity=QUANTITIES)
def test_graduated_is_never_below_volume_here(quantity: Decimal) -> None:
    """With falling prices and no flat fees, graduated costs at least volume."""
    assert GRADUATED.price(quantity) >= VOLUME.price(quantity)
