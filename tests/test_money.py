"""Money: exact decimals in, floats and bools refused, rounding that names its mode."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from resolutionpricing import (
    Contract,
    ImplementationFee,
    InvalidTypeError,
    InvalidValueError,
    Milestone,
    MinimumCommitment,
    OneTimeFee,
    PauseCap,
    PerEscalationFee,
    RecurringFee,
    ResolutionPricingError,
    Rounding,
    SpendCap,
    StepDownCap,
    Tier,
    TierSchedule,
    round_money,
    to_decimal,
)
from resolutionpricing._money import format_decimal

HINT = 'use a Decimal, an int or a decimal string such as "0.99"'


def _contract(**fields: object) -> Contract:
    """A minimal AED contract; ``fields`` override its defaults."""
    values: dict[str, object] = {
        "name": "Pilot",
        "currency": "AED",
        "timezone": "Asia/Dubai",
        "starts_on": date(2026, 7, 1),
        "pricing": TierSchedule.graduated([Tier(up_to=None, unit_price="3.50")]),
        **fields,
    }
    return Contract(**values)  # type: ignore[arg-type]


# to_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.99"), Decimal("0.99")),
        (7, Decimal(7)),
        ("3.50", Decimal("3.50")),
        (" 3.50 ", Decimal("3.50")),
        ("0.1", Decimal("0.1")),
        ("-2", Decimal(-2)),
    ],
)
def test_to_decimal_accepts_exact_numbers(value: object, expected: Decimal) -> None:
    """Decimals, ints and decimal strings convert exactly, keeping their digits."""
    result = to_decimal(value)
    assert result == expected
    assert str(result) == str(expected)


def test_to_decimal_keeps_trailing_zeros() -> None:
    """A string "3.50" stays 3.50, not 3.5: the written precision is kept."""
    assert str(to_decimal("3.50")) == "3.50"


def test_to_decimal_refuses_float_naming_the_field() -> None:
    """A float is a TypeError whose message names the field and says what to use."""
    with pytest.raises(InvalidTypeError) as caught:
        to_decimal(0.1, "unit_price")
    assert str(caught.value) == (
        f"unit_price: 0.1 is a float, which cannot hold money exactly; {HINT}"
    )
    assert isinstance(caught.value, TypeError)
    assert caught.value.path == "unit_price"


@pytest.mark.parametrize("value", [True, False])
def test_to_decimal_refuses_bool(value: bool) -> None:
    """A bool is an int in Python, but never a number of money or units."""
    with pytest.raises(InvalidTypeError) as caught:
        to_decimal(value, "amount")
    assert str(caught.value) == f"amount: {value!r} is a bool; {HINT}"


@pytest.mark.parametrize(
    ("value", "type_name"), [(None, "NoneType"), ([1], "list"), (b"1", "bytes")]
)
def test_to_decimal_refuses_other_types(value: object, type_name: str) -> None:
    """Anything that is not a Decimal, int or str is a TypeError naming its type."""
    with pytest.raises(InvalidTypeError) as caught:
        to_decimal(value, "amount")
    assert str(caught.value) == f"amount: {value!r} is a {type_name}; {HINT}"


@pytest.mark.parametrize("text", ["abc", "", "1,5", "3.50 AED"])
def test_to_decimal_refuses_text_that_is_not_a_number(text: str) -> None:
    """A string that is not a decimal number is a ValueError quoting it."""
    with pytest.raises(InvalidValueError) as caught:
        to_decimal(text, "amount")
    assert (
        str(caught.value)
        == f'amount: {text!r} is not a number; {HINT}, in ASCII digits without "_"'
    )
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", Decimal("NaN"), "sNaN"])
def test_to_decimal_refuses_non_finite(value: object) -> None:
    """NaN and infinities are not amounts."""
    with pytest.raises(InvalidValueError, match="is not a finite number"):
        to_decimal(value, "amount")


def test_to_decimal_minimum_zero_says_negative() -> None:
    """With minimum 0, a negative value is reported as negative, with the bound."""
    with pytest.raises(InvalidValueError) as caught:
        to_decimal("-0.01", "flat_fee", minimum=Decimal(0))
    assert str(caught.value) == "flat_fee: -0.01 is negative; must be 0 or more"


def test_to_decimal_other_minimum_says_below() -> None:
    """With another minimum, the message names it."""
    with pytest.raises(InvalidValueError) as caught:
        to_decimal(0, "months", minimum=Decimal(1))
    assert str(caught.value) == "months: 0 is below 1; must be 1 or more"


def test_to_decimal_minimum_is_inclusive() -> None:
    """The minimum itself is allowed."""
    assert to_decimal("0", minimum=Decimal(0)) == 0


@pytest.mark.parametrize(
    "value",
    [
        "999999999999999999.999999999999",
        "-999999999999999999",
        "0.000000000001",
        "1.000000000000",
    ],
)
def test_to_decimal_accepts_up_to_18_digits_before_the_point_and_12_after(value: str) -> None:
    """Just below 10^18 in size, and 12 decimal places, are still accepted as written."""
    assert to_decimal(value) == Decimal(value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1E60", "'1E60'"),
        ("1E18", "'1E18'"),
        ("-1E18", "'-1E18'"),
        (10**18, "1000000000000000000"),
        (Decimal("1E+18"), "Decimal('1E+18')"),
    ],
)
def test_to_decimal_refuses_numbers_of_10_to_the_18_or_more(value: object, shown: str) -> None:
    """10^18 or more in size (either sign) is refused before any arithmetic can overflow."""
    with pytest.raises(InvalidValueError) as caught:
        to_decimal(value, "amount")
    assert str(caught.value) == f"amount: {shown} is too large; a number below 10^18 in size"


def test_to_decimal_drops_trailing_zeros_past_12_places() -> None:
    """Zeros past the 12th place change nothing: they are dropped, not refused."""
    number = to_decimal("1.0000000000000", "unit_price")
    assert number == 1
    assert number.as_tuple().exponent == -12


@pytest.mark.parametrize("text", ["0.0000000000001", "1E-13", "1.0000000000001"])
def test_to_decimal_refuses_more_than_12_decimal_places(text: str) -> None:
    """A 13th significant decimal place is refused."""
    with pytest.raises(InvalidValueError) as caught:
        to_decimal(text, "unit_price")
    assert str(caught.value) == (
        f"unit_price: {text!r} has more than 12 decimal places; at most 12 decimal places"
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [("5E+3", "5000"), (Decimal("5E+3"), "5000"), (Decimal("1.2E+2"), "120"), ("0E+5", "0")],
)
def test_to_decimal_writes_positive_exponents_out(value: object, written: str) -> None:
    """5E+3 and 5000 are the same number, and come out in the plain form."""
    result = to_decimal(value)
    assert str(result) == written
    assert result.as_tuple().exponent == 0


# every public constructor refuses floats and bools, naming the field

CONSTRUCTORS: list[tuple[str, Callable[[object], object]]] = [
    ("unit_price", lambda value: Tier(up_to=5, unit_price=value)),
    ("flat_fee", lambda value: Tier(up_to=5, unit_price=1, flat_fee=value)),
    ("up_to", lambda value: Tier(up_to=value, unit_price=1)),
    ("limit", lambda value: PauseCap(limit=value)),
    ("limit", lambda value: SpendCap(limit=value)),
    ("above", lambda value: StepDownCap(above=value, unit_price=1)),
    ("unit_price", lambda value: StepDownCap(above=10, unit_price=value)),
    (
        "amount",
        lambda value: Milestone(deliverable="A", amount=value, accepted_on=date(2026, 7, 1)),
    ),
    ("cap", lambda value: ImplementationFee(milestones=[], cap=value)),
    ("amount", lambda value: RecurringFee(code="kb", description="KB", amount=value)),
    ("unit_price", lambda value: PerEscalationFee(unit_price=value)),
    (
        "amount",
        lambda value: OneTimeFee(code="x", description="X", amount=value, bill_on=date(2027, 1, 1)),
    ),
    ("amount", lambda value: MinimumCommitment(amount=value)),
    ("tax_rate", lambda value: _contract(tax_rate=value)),
    ("rounding_increment", lambda value: _contract(rounding_increment=value)),
]


@pytest.mark.parametrize(("field", "build"), CONSTRUCTORS)
def test_public_constructors_refuse_floats(field: str, build: Callable[[object], object]) -> None:
    """Every money or quantity field refuses a float with a TypeError naming the field."""
    with pytest.raises(InvalidTypeError) as caught:
        build(0.5)
    assert str(caught.value) == (
        f"{field}: 0.5 is a float, which cannot hold money exactly; {HINT}"
    )


@pytest.mark.parametrize(("field", "build"), CONSTRUCTORS)
def test_public_constructors_refuse_bools(field: str, build: Callable[[object], object]) -> None:
    """Every money or quantity field refuses True with a TypeError naming the field."""
    with pytest.raises(InvalidTypeError) as caught:
        build(True)  # noqa: FBT003  (the bool is the bad input under test)
    assert str(caught.value) == f"{field}: True is a bool; {HINT}"


@pytest.mark.parametrize(("field", "build"), CONSTRUCTORS)
def test_public_constructors_accept_int_str_and_decimal(
    field: str, build: Callable[[object], object]
) -> None:
    """Every money or quantity field accepts an int, a decimal string and a Decimal."""
    whole = 0 if field == "tax_rate" else 1  # a tax rate of 1 (100 %) is refused
    for value in (whole, "0.01", Decimal("0.50")):
        assert build(value) is not None


# rounding


@pytest.mark.parametrize(
    ("amount", "currency", "rounding", "expected"),
    [
        # half-up: a 5 in the first dropped place goes away from zero
        ("2.125", "AED", Rounding.HALF_UP, "2.13"),
        ("2.135", "AED", Rounding.HALF_UP, "2.14"),
        ("-2.125", "AED", Rounding.HALF_UP, "-2.13"),
        # half-even: a tie goes to the even neighbour
        ("2.125", "AED", Rounding.HALF_EVEN, "2.12"),
        ("2.135", "AED", Rounding.HALF_EVEN, "2.14"),
        ("-2.125", "AED", Rounding.HALF_EVEN, "-2.12"),
        # not a tie: both modes agree
        ("2.1251", "AED", Rounding.HALF_EVEN, "2.13"),
        ("2.1249", "AED", Rounding.HALF_UP, "2.12"),
        # three-decimal dinars
        ("1.2345", "KWD", Rounding.HALF_UP, "1.235"),
        ("1.2345", "KWD", Rounding.HALF_EVEN, "1.234"),
        ("0.0005", "BHD", Rounding.HALF_UP, "0.001"),
        ("7.0005", "IQD", Rounding.HALF_EVEN, "7.000"),
        # yen has no minor unit
        ("99.5", "JPY", Rounding.HALF_UP, "100"),
        ("98.5", "JPY", Rounding.HALF_EVEN, "98"),
    ],
)
def test_round_money_examples(
    amount: str, currency: str, rounding: Rounding, expected: str
) -> None:
    """Rounding goes to the ISO minor unit with the named mode (checkable by hand)."""
    assert str(round_money(Decimal(amount), currency, rounding)) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("5", "AED", "5.00"), ("5", "KWD", "5.000"), ("5.00", "JPY", "5"), ("5E+3", "SAR", "5000.00")],
)
def test_round_money_always_carries_the_currency_exponent(
    amount: str, currency: str, expected: str
) -> None:
    """Equal amounts print alike: the result has exactly the currency's decimals."""
    assert str(round_money(Decimal(amount), currency, Rounding.HALF_UP)) == expected


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        # 0.125 KWD / 0.010 = 12.5 steps: half-up 13 steps, half-even 12 steps
        ("0.125", Rounding.HALF_UP, "0.130"),
        ("0.125", Rounding.HALF_EVEN, "0.120"),
        # 1.2345 / 0.010 = 123.45 steps: 123 steps either way
        ("1.2345", Rounding.HALF_UP, "1.230"),
        ("1.2345", Rounding.HALF_EVEN, "1.230"),
        # 0.135 / 0.010 = 13.5 steps: half-even goes to 14
        ("0.135", Rounding.HALF_EVEN, "0.140"),
    ],
)
def test_round_money_to_an_increment(amount: str, rounding: Rounding, expected: str) -> None:
    """A 0.010 KWD increment makes every 3-decimal amount end in 0."""
    result = round_money(Decimal(amount), "KWD", rounding, Decimal("0.010"))
    assert str(result) == expected


def test_round_money_to_a_coarser_increment() -> None:
    """An increment of 0.05 AED rounds to twentieths, written with 2 decimals."""
    # 1.024 / 0.05 = 20.48 steps -> 20 -> 1.00; 1.025 / 0.05 = 20.5 -> 21 (half-up) -> 1.05
    assert str(round_money(Decimal("1.024"), "AED", Rounding.HALF_UP, Decimal("0.05"))) == "1.00"
    assert str(round_money(Decimal("1.025"), "AED", Rounding.HALF_UP, Decimal("0.05"))) == "1.05"
    assert str(round_money(Decimal("1.025"), "AED", Rounding.HALF_EVEN, Decimal("0.05"))) == "1.00"


def test_round_money_refuses_a_non_currency() -> None:
    """Rounding to gold is refused with the currency error."""
    with pytest.raises(InvalidValueError, match="'XAU' is a precious metal"):
        round_money(Decimal(1), "XAU", Rounding.HALF_UP)


def test_rounding_each_amount_differs_from_rounding_the_sum() -> None:
    """Three amounts ending in .005: the sum of rounded amounts is not the rounded sum."""
    amounts = [Decimal("1.005"), Decimal("2.005"), Decimal("3.005")]
    # exact sum 6.015 -> 6.02 in both modes
    for rounding in Rounding:
        assert round_money(sum(amounts, Decimal(0)), "AED", rounding) == Decimal("6.02")
    # half-up: 1.01 + 2.01 + 3.01 = 6.03
    half_up = sum((round_money(amount, "AED", Rounding.HALF_UP) for amount in amounts), Decimal(0))
    assert half_up == Decimal("6.03")
    # half-even: 1.00 + 2.00 + 3.00 = 6.00
    half_even = sum(
        (round_money(amount, "AED", Rounding.HALF_EVEN) for amount in amounts), Decimal(0)
    )
    assert half_even == Decimal("6.00")


def test_rounding_modes_are_named_by_their_file_values() -> None:
    """The two modes are "half_up" and "half_even", mapped to decimal's constants."""
    assert Rounding("half_up").decimal_mode == decimal.ROUND_HALF_UP
    assert Rounding("half_even").decimal_mode == decimal.ROUND_HALF_EVEN
    assert [mode.value for mode in Rounding] == ["half_up", "half_even"]


def test_caller_decimal_context_changes_nothing() -> None:
    """A caller's low precision and ROUND_DOWN do not change conversions or rounding."""
    schedule = TierSchedule.graduated(
        [
            Tier(up_to=5, unit_price="7.00"),
            Tier(up_to=10, unit_price="6.50"),
            Tier(up_to=None, unit_price="6.00"),
        ]
    )

    def results() -> list[Decimal]:
        return [
            to_decimal("123456.789"),
            round_money(Decimal("123456.785"), "AED", Rounding.HALF_UP),
            round_money(Decimal("123456.785"), "AED", Rounding.HALF_EVEN),
            round_money(Decimal("98765.4325"), "KWD", Rounding.HALF_UP, Decimal("0.010")),
            schedule.price(123456),
            schedule.price("20.5"),
        ]

    expected = results()
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        assert results() == expected
    assert [str(value) for value in expected[:4]] == [
        "123456.789",
        "123456.79",
        "123456.78",
        "98765.430",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("5E+3"), "5000"),
        (Decimal("3.50"), "3.50"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-12.5"), "-12.5"),
    ],
)
def test_format_decimal_is_plain(value: Decimal, expected: str) -> None:
    """Decimals are written in plain notation, trailing zeros kept, no negative zero."""
    assert format_decimal(value) == expected


def test_money_errors_are_library_errors() -> None:
    """Money errors are caught by the one root, and by the stdlib error they extend."""
    with pytest.raises(ResolutionPricingError):
        to_decimal(1.5)
    with pytest.raises(TypeError):
        to_decimal(1.5)
    with pytest.raises(ValueError, match="is not a number"):
        to_decimal("x")


@pytest.mark.parametrize(
    "text",
    [
        "4_000.00",
        "\u0664\u0660\u0660\u0660.\u0660\u0660",
        "\uff14\uff10",
        "1e-99999999999999999999",
    ],
)
def test_money_takes_ascii_digits_only_and_never_raises_decimal_errors(text: str) -> None:
    """Underscores, Arabic-Indic or full-width digits and huge exponents are InvalidValueError."""
    with pytest.raises(InvalidValueError, match=r"^amount: "):
        to_decimal(text, "amount")


def test_an_int_of_over_4300_digits_is_refused_with_its_size() -> None:
    """to_decimal(10**5000) says how many digits, instead of failing to write the number."""
    with pytest.raises(InvalidValueError, match="an integer of 5001 digits is too large"):
        to_decimal(10**5000, "amount")


def test_a_product_plus_a_flat_fee_at_the_bounds_is_exact() -> None:
    """At the largest numbers allowed, price * quantity + flat fee loses no digit (80-digit context)."""
    largest = "999999999999999999.999999999999"
    schedule = TierSchedule.graduated([Tier(up_to=None, unit_price=largest, flat_fee=largest)])
    exact = Fraction(largest) * Fraction(largest) + Fraction(largest)
    assert Fraction(schedule.price(largest)) == exact
