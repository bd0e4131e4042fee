"""Money: exact decimals, ISO 4217 minor units, and rounding that names its mode."""

from __future__ import annotations

import decimal
import enum
import re
from decimal import Decimal
from typing import Final

from resolutionpricing._currencies import MINOR_UNITS, REFUSED_CODES
from resolutionpricing._errors import InvalidTypeError, InvalidValueError, shown

__all__ = [
    "ARITHMETIC",
    "Rounding",
    "format_decimal",
    "minor_unit",
    "round_money",
    "to_decimal",
]

ARITHMETIC: Final = decimal.Context(
    prec=80,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
"""The context every calculation runs in, so a caller's ``decimal`` settings never
change a result; every rounding to money still names its own mode.

Why 80 digits make every sum and product exact: every number is below 10^18
with at most 12 decimal places (`to_decimal`), so at most 30 digits. A
quantity times a price is below 10^36 with at most 24 places: 60 digits. A
schedule has at most 1,000 tiers (`MAX_ITEMS`), so the sum of its products and
flat fees is below 1,001 * 10^36 < 10^40, still with 24 places: 64 digits. The
lines of an invoice are rounded to at most 3 places before they are summed,
and there are at most a few thousand of them, so the subtotal has at most
47 digits, and the tax (subtotal times a rate of 12 places) at most 62. Only
divisions (pro-rata units, rates) are inexact, and each is rounded at once to
4 places with its mode named."""

_ZERO: Final = Decimal(0)
_MAX_DIGITS: Final = 18
"""Numbers must be below 10^18: far above any invoice, and the product of two
such numbers with `_MAX_PLACES` places each still fits `ARITHMETIC` exactly."""
_MAX_PLACES: Final = 12
_SMALLEST: Final = Decimal(1).scaleb(-_MAX_PLACES)
_DECIMAL_HINT: Final = 'use a Decimal, an int or a decimal string such as "0.99"'
_TEXT_HINT: Final = _DECIMAL_HINT + ', in ASCII digits without "_"'
# ASCII digits only: Decimal() itself also reads "4_000" and Arabic-Indic digits.
_NUMBER_TEXT: Final = re.compile(
    r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*", re.ASCII
).fullmatch
_NOT_FINITE_TEXT: Final = re.compile(
    r"\s*[+-]?(?:s?nan\d*|inf|infinity)\s*", re.ASCII | re.IGNORECASE
).fullmatch


class Rounding(enum.Enum):
    """How an amount is rounded to the currency's minor unit.

    ``HALF_UP`` (the default) is the legal default in the EU (Regulation 1103/97)
    and the UAE; ``HALF_EVEN`` (banker's rounding) is what some processors use.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import Rounding, round_money
        >>> round_money(Decimal("2.125"), "AED", Rounding.HALF_UP)
        Decimal('2.13')
        >>> round_money(Decimal("2.125"), "AED", Rounding.HALF_EVEN)
        Decimal('2.12')
    """

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"

    @property
    def decimal_mode(self) -> str:
        """The `decimal` module's rounding constant for this mode."""
        return decimal.ROUND_HALF_UP if self is Rounding.HALF_UP else decimal.ROUND_HALF_EVEN


def to_decimal(value: object, path: str = "", *, minimum: Decimal | None = None) -> Decimal:
    """Convert an exact number to a `Decimal`, refusing floats and booleans.

    Args:
        value: a `Decimal`, an `int`, or a decimal string (``"0.99"``).
        path: where the value came from, for the error message.
        minimum: if given, the smallest value allowed.

    Raises:
        InvalidTypeError: for a float, a bool or any other type.
        InvalidValueError: for text that is not a number, NaN, infinity, a
            number of 10^18 or more, one with more than 12 decimal places, or
            a value below ``minimum``.

    Examples:
        >>> from resolutionpricing import to_decimal
        >>> to_decimal("0.99")
        Decimal('0.99')
        >>> to_decimal(0.99, "unit_price")
        Traceback (most recent call last):
        ...
        resolutionpricing.InvalidTypeError: unit_price: 0.99 is a float, which cannot hold money exactly; use a Decimal, an int or a decimal string such as "0.99"
    """
    if isinstance(value, bool):
        raise InvalidTypeError(path, f"{shown(value)} is a bool", _DECIMAL_HINT)
    if isinstance(value, float):
        raise InvalidTypeError(
            path, f"{shown(value)} is a float, which cannot hold money exactly", _DECIMAL_HINT
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        number = _from_text(value, path)
    else:
        raise InvalidTypeError(path, f"{shown(value)} is a {type(value).__name__}", _DECIMAL_HINT)
    if not number.is_finite():
        raise InvalidValueError(path, f"{shown(value)} is not a finite number", _DECIMAL_HINT)
    if number.adjusted() >= _MAX_DIGITS:
        raise InvalidValueError(
            path, f"{shown(value)} is too large", f"a number below 10^{_MAX_DIGITS} in size"
        )
    return _check_range(number, path, minimum, value)


def _from_text(value: str, path: str) -> Decimal:
    """A decimal written in ASCII digits; NaN and infinity pass, to be refused by name."""
    if not (_NUMBER_TEXT(value) or _NOT_FINITE_TEXT(value)):
        raise InvalidValueError(path, f"{shown(value)} is not a number", _TEXT_HINT)
    try:
        return Decimal(value.strip(" \t\n\r\f\v"))
    except decimal.InvalidOperation:  # an exponent beyond what decimal can hold
        raise InvalidValueError(
            path, f"{shown(value)} is too large or too small", f"a number below 10^{_MAX_DIGITS}"
        ) from None


def _check_range(number: Decimal, path: str, minimum: Decimal | None, value: object) -> Decimal:
    exponent = number.as_tuple().exponent
    if number.is_zero() and isinstance(exponent, int) and not -_MAX_PLACES <= exponent <= 0:
        # 0E-999999999 is 0 (quantizing it would need a billion digits); 0E+3 is 0.
        number = _SMALLEST * 0 if exponent < 0 else _ZERO
    elif number.adjusted() < -_MAX_PLACES:
        raise InvalidValueError(
            path,
            f"{shown(value)} has more than {_MAX_PLACES} decimal places",
            f"at most {_MAX_PLACES} decimal places",
        )
    elif isinstance(exponent, int) and exponent < -_MAX_PLACES:
        shortened = number.quantize(_SMALLEST, rounding=decimal.ROUND_DOWN, context=ARITHMETIC)
        if shortened != number:
            raise InvalidValueError(
                path,
                f"{shown(value)} has more than {_MAX_PLACES} decimal places",
                f"at most {_MAX_PLACES} decimal places",
            )
        number = shortened  # only trailing zeros went
    elif isinstance(exponent, int) and exponent > 0:
        # 5E+3 and 5000 are the same number; keep the plain form so that
        # invoices print the same whichever way it was written.
        number = number.quantize(Decimal(1), context=ARITHMETIC)
    if minimum is not None and number < minimum:
        problem = "is negative" if minimum == 0 else f"is below {minimum}"
        raise InvalidValueError(path, f"{number} {problem}", f"must be {minimum} or more")
    return number


def minor_unit(currency: str) -> int:
    """The ISO 4217 minor-unit exponent of ``currency``.

    Raises:
        InvalidValueError: for a code that is not an ISO 4217 currency, or is a
            fund or a metal.

    Examples:
        >>> from resolutionpricing import minor_unit
        >>> minor_unit("AED"), minor_unit("KWD"), minor_unit("JPY"), minor_unit("IQD")
        (2, 3, 0, 3)
    """
    if currency in MINOR_UNITS:
        return MINOR_UNITS[currency]
    allowed = "an ISO 4217 currency code such as AED, SAR, KWD, EUR or USD"
    if currency in REFUSED_CODES:
        problem = f"{shown(currency)} is a precious metal, fund or testing code, not a currency"
        raise InvalidValueError("currency", problem, allowed)
    raise InvalidValueError("currency", f"{shown(currency)} is not an ISO 4217 currency", allowed)


def round_money(
    amount: Decimal,
    currency: str,
    rounding: Rounding,
    increment: Decimal | None = None,
) -> Decimal:
    """Round ``amount`` to ``currency``'s minor unit (or ``increment``) with ``rounding``.

    The result always carries the currency's exponent (``Decimal('12.30')`` for
    AED), so equal amounts print alike.

    Args:
        amount: the exact amount.
        currency: an ISO 4217 code.
        rounding: the mode; there is no default, on purpose.
        increment: a rounding step such as ``Decimal("0.010")`` for KWD
            processors that need 3-decimal amounts to end in 0.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import Rounding, round_money
        >>> round_money(Decimal("1.2345"), "KWD", Rounding.HALF_UP)
        Decimal('1.235')
        >>> round_money(Decimal("1.2345"), "KWD", Rounding.HALF_UP, Decimal("0.010"))
        Decimal('1.230')
        >>> round_money(Decimal("99.5"), "JPY", Rounding.HALF_EVEN)
        Decimal('100')
    """
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    with decimal.localcontext(ARITHMETIC):
        if increment is not None:
            steps = (amount / increment).quantize(Decimal(1), rounding=rounding.decimal_mode)
            amount = steps * increment
        return amount.quantize(exponent, rounding=rounding.decimal_mode)


def format_decimal(value: Decimal) -> str:
    """Write a decimal in plain notation, never scientific (``5000``, not ``5E+3``).

    Trailing zeros are kept: ``Decimal("3.50")`` is written ``3.50``.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._money import format_decimal
        >>> format_decimal(Decimal("5E+3")), format_decimal(Decimal("3.50"))
        ('5000', '3.50')
    """
    if value.is_zero():
        value = value.copy_abs()
    return format(value, "f")


# Named converters for attrs fields (mypy's attrs plugin needs named functions).
# Each names its field in errors; the contract loader re-locates them by path.


def unit_price_field(value: object) -> Decimal:
    """Converter for a ``unit_price``: a `Decimal` of 0 or more."""
    return to_decimal(value, "unit_price", minimum=_ZERO)


def amount_field(value: object) -> Decimal:
    """Converter for an ``amount``: a `Decimal` of 0 or more."""
    return to_decimal(value, "amount", minimum=_ZERO)


def flat_fee_field(value: object) -> Decimal:
    """Converter for a ``flat_fee``: a `Decimal` of 0 or more."""
    return to_decimal(value, "flat_fee", minimum=_ZERO)


def limit_field(value: object) -> Decimal:
    """Converter for a cap's ``limit``: a `Decimal` of 0 or more."""
    return to_decimal(value, "limit", minimum=_ZERO)


def above_field(value: object) -> Decimal:
    """Converter for a step-down cap's ``above``: a `Decimal` of 0 or more."""
    return to_decimal(value, "above", minimum=_ZERO)


def cap_field(value: object) -> Decimal | None:
    """Converter for an optional ``cap``: None, or a `Decimal` of 0 or more."""
    return None if value is None else to_decimal(value, "cap", minimum=_ZERO)
