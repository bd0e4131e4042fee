"""Tier schedules: per-resolution prices that drop with volume.

The semantics are the ones Stripe, Lago and OpenMeter share:

- a tier's ``up_to`` is inclusive: tier *i* covers (``tiers[i-1].up_to``,
  ``tiers[i].up_to``], the first from 0; the last tier, and only the last, is
  open (``up_to=None``);
- quantities are decimals >= 0 and may be fractional: 5.001 is already in the
  tier after ``up_to=5``;
- **graduated**: each tier's units at that tier's price, plus the tier's flat
  fee once the quantity enters it (the first tier's flat fee even at zero);
- **volume**: every unit at the price of the tier the whole quantity falls in,
  plus that tier's flat fee, so a larger quantity can cost less (the "volume
  cliff").
"""

from __future__ import annotations

import decimal
import enum
import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError, parse_choice, shown
from resolutionpricing._limits import MAX_ITEMS, check_count
from resolutionpricing._money import ARITHMETIC, flat_fee_field, to_decimal, unit_price_field

__all__ = ["PricingMode", "Tier", "TierPart", "TierSchedule"]

_ZERO = Decimal(0)


def _up_to(value: object) -> Decimal | None:
    if value is None:
        return None
    number = to_decimal(value, "up_to")
    if number <= 0:
        raise InvalidValueError(
            "up_to",
            f"{number} is not above 0",
            "a tier's up_to must be above 0, or None for the open last tier",
        )
    return number


def to_quantity(value: object, path: str = "quantity") -> Decimal:
    """Convert a quantity of units to a `Decimal` >= 0 (ints, decimals, decimal strings)."""
    return to_decimal(value, path, minimum=_ZERO)


@attrs.frozen(kw_only=True)
class Tier:
    """One row of a tier schedule: units up to ``up_to`` (inclusive) at ``unit_price``.

    Attributes:
        up_to: the last unit this tier covers, inclusive; ``None`` (the
            default) for the open last tier.
        unit_price: the price of each unit in this tier (>= 0).
        flat_fee: a fixed amount charged once the quantity enters this tier
            (>= 0; default 0).

    Examples:
        >>> from resolutionpricing import Tier
        >>> Tier(up_to=5000, unit_price="3.50")
        Tier(up_to=Decimal('5000'), unit_price=Decimal('3.50'), flat_fee=Decimal('0'))
    """

    up_to: Decimal | None = attrs.field(default=None, converter=_up_to)
    unit_price: Decimal = attrs.field(converter=unit_price_field)
    flat_fee: Decimal = attrs.field(default=_ZERO, converter=flat_fee_field)


class PricingMode(enum.Enum):
    """How a tier schedule prices a quantity.

    Examples:
        >>> from resolutionpricing import PricingMode
        >>> PricingMode("volume")
        <PricingMode.VOLUME: 'volume'>
    """

    GRADUATED = "graduated"
    """Each tier's units at that tier's price."""
    VOLUME = "volume"
    """All units at the price of the tier the whole quantity falls in."""


def _mode(value: object) -> PricingMode:
    return parse_choice(PricingMode, value, "mode")


@attrs.frozen(kw_only=True)
class TierPart:
    """The part of a price that one tier contributes, exact and unrounded.

    Attributes:
        index: the tier's position in the schedule (0 is the first).
        lower: the quantity the tier starts above (0 for the first tier).
        up_to: the tier's inclusive upper bound, ``None`` if open.
        quantity: the units priced in this tier.
        unit_price: the tier's unit price.
        flat_fee: the flat fee charged for this tier (0 if none).
        amount: ``quantity * unit_price + flat_fee``.

    Examples:
        >>> from resolutionpricing import Tier, TierSchedule
        >>> schedule = TierSchedule.volume([Tier(up_to=5, unit_price=7), Tier(up_to=None, unit_price=6)])
        >>> schedule.breakdown(6)
        (TierPart(index=1, lower=Decimal('5'), up_to=None, quantity=Decimal('6'), unit_price=Decimal('6'), flat_fee=Decimal('0'), amount=Decimal('36')),)
    """

    index: int
    lower: Decimal
    up_to: Decimal | None
    quantity: Decimal
    unit_price: Decimal
    flat_fee: Decimal
    amount: Decimal


def _as_tier(value: object, index: int) -> Tier:
    if isinstance(value, Tier):
        return value
    if isinstance(value, Mapping):
        try:
            return Tier(**value)
        except (InvalidValueError, InvalidTypeError) as error:
            raise error.at(f"tiers[{index}]") from None
        except TypeError as error:
            raise InvalidValueError(
                f"tiers[{index}]", str(error), "keys up_to, unit_price and flat_fee"
            ) from None
    raise InvalidTypeError(
        f"tiers[{index}]", f"{shown(value)} is not a Tier", "a Tier or a mapping"
    )


def _tiers(values: Iterable[object]) -> tuple[Tier, ...]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise InvalidTypeError(
            "tiers", f"{shown(values)} is not a sequence of tiers", "a list of Tier"
        )
    items = list(itertools.islice(values, MAX_ITEMS + 1))
    check_count(items, "tiers")
    return tuple(_as_tier(value, index) for index, value in enumerate(items))


def tier_problems(tiers: tuple[Tier, ...]) -> list[InvalidValueError]:
    """Every problem with the order and bounds of ``tiers``, each with its path."""
    if not tiers:
        return [InvalidValueError("tiers", "is empty", "a schedule needs at least one tier")]
    problems = []
    previous: Decimal | None = _ZERO
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        path = f"tiers[{index}].up_to"
        if tier.up_to is None and not last:
            problems.append(
                InvalidValueError(
                    path,
                    "is open (None) but this is not the last tier",
                    "only the last tier may be open",
                )
            )
        elif tier.up_to is not None and last:
            problems.append(
                InvalidValueError(
                    path,
                    f"is {tier.up_to} on the last tier",
                    "the last tier must be open (no up_to)",
                )
            )
        if tier.up_to is not None and previous is not None and index > 0 and tier.up_to <= previous:
            problems.append(
                InvalidValueError(
                    path,
                    f"{tier.up_to} is not above the previous tier's up_to ({previous})",
                    "up_to must increase strictly from tier to tier",
                )
            )
        if tier.up_to is not None:
            previous = tier.up_to
    return problems


def _check_tiers(
    _instance: object, _attribute: attrs.Attribute[Any], tiers: tuple[Tier, ...]
) -> None:
    problems = tier_problems(tiers)
    if problems:
        raise problems[0]


@attrs.frozen(kw_only=True)
class TierSchedule:
    """A tiered per-unit price: graduated or volume.

    Build one with `TierSchedule.graduated` or `TierSchedule.volume`. Tiers are
    checked at construction: at least one; ``up_to`` strictly ascending; the
    last tier, and only it, open; no negative price or fee.

    Attributes:
        mode: `PricingMode.GRADUATED` or `PricingMode.VOLUME`.
        tiers: the tiers, in ascending order.

    Examples:
        >>> from resolutionpricing import Tier, TierSchedule
        >>> tiers = [
        ...     Tier(up_to=5, unit_price="7.00"),
        ...     Tier(up_to=10, unit_price="6.50"),
        ...     Tier(up_to=None, unit_price="6.00"),
        ... ]
        >>> TierSchedule.graduated(tiers).price(6), TierSchedule.volume(tiers).price(6)
        (Decimal('41.50'), Decimal('39.00'))
    """

    mode: PricingMode = attrs.field(converter=_mode)
    tiers: tuple[Tier, ...] = attrs.field(converter=_tiers, validator=_check_tiers)

    @classmethod
    def graduated(
        cls, *tiers: Tier | Mapping[str, object] | Iterable[Tier | Mapping[str, object]]
    ) -> TierSchedule:
        """A graduated schedule: each tier's units at that tier's price.

        Takes the tiers as arguments or as one list.

        Examples:
            >>> from resolutionpricing import Tier, TierSchedule
            >>> TierSchedule.graduated(Tier(up_to=5, unit_price=7), Tier(up_to=None, unit_price=6)).price(20)
            Decimal('125')
        """
        return cls(mode=PricingMode.GRADUATED, tiers=_spread(tiers))

    @classmethod
    def volume(
        cls, *tiers: Tier | Mapping[str, object] | Iterable[Tier | Mapping[str, object]]
    ) -> TierSchedule:
        """A volume schedule: all units at the price of the tier the total falls in.

        Takes the tiers as arguments or as one list.

        Examples:
            >>> from resolutionpricing import Tier, TierSchedule
            >>> TierSchedule.volume(Tier(up_to=5, unit_price=7), Tier(up_to=None, unit_price=6)).price(20)
            Decimal('120')
        """
        return cls(mode=PricingMode.VOLUME, tiers=_spread(tiers))

    def breakdown(self, quantity: Decimal | int | str) -> tuple[TierPart, ...]:
        """The exact per-tier parts of the price of ``quantity``.

        Graduated: one part for every tier the quantity enters (the first tier
        always). Volume: one part, the tier the quantity falls in.

        Examples:
            >>> from resolutionpricing import Tier, TierSchedule
            >>> schedule = TierSchedule.graduated(Tier(up_to=5, unit_price=7), Tier(up_to=None, unit_price=6))
            >>> [(part.quantity, part.amount) for part in schedule.breakdown("7.5")]
            [(Decimal('5'), Decimal('35')), (Decimal('2.5'), Decimal('15.0'))]
        """
        units = to_quantity(quantity)
        with decimal.localcontext(ARITHMETIC):
            if self.mode is PricingMode.VOLUME:
                return (self._volume_part(units),)
            return tuple(self._graduated_parts(units))

    def price(self, quantity: Decimal | int | str) -> Decimal:
        """The exact, unrounded price of ``quantity`` units.

        Examples:
            >>> from resolutionpricing import Tier, TierSchedule
            >>> tiers = [Tier(up_to=5, unit_price="7.00"), Tier(up_to=10, unit_price="6.50"), Tier(up_to=None, unit_price="6.00")]
            >>> TierSchedule.graduated(tiers).price(20), TierSchedule.volume(tiers).price(20)
            (Decimal('127.50'), Decimal('120.00'))
        """
        parts = self.breakdown(quantity)
        with decimal.localcontext(ARITHMETIC):
            return sum((part.amount for part in parts), start=_ZERO)

    def tier_for(self, quantity: Decimal | int | str) -> int:
        """The index of the tier ``quantity`` falls in (``up_to`` inclusive).

        Examples:
            >>> from resolutionpricing import Tier, TierSchedule
            >>> schedule = TierSchedule.volume(Tier(up_to=5, unit_price=7), Tier(up_to=None, unit_price=6))
            >>> schedule.tier_for(5), schedule.tier_for("5.001")
            (0, 1)
        """
        units = to_quantity(quantity)
        for index, tier in enumerate(self.tiers):
            if tier.up_to is None or units <= tier.up_to:
                return index
        return len(self.tiers) - 1  # unreachable: the last tier is open

    def _lower(self, index: int) -> Decimal:
        bound = self.tiers[index - 1].up_to if index else _ZERO
        return bound if bound is not None else _ZERO

    def _volume_part(self, units: Decimal) -> TierPart:
        index = self.tier_for(units)
        tier = self.tiers[index]
        return TierPart(
            index=index,
            lower=self._lower(index),
            up_to=tier.up_to,
            quantity=units,
            unit_price=tier.unit_price,
            flat_fee=tier.flat_fee,
            amount=units * tier.unit_price + tier.flat_fee,
        )

    def _graduated_parts(self, units: Decimal) -> Iterable[TierPart]:
        for index, tier in enumerate(self.tiers):
            lower = self._lower(index)
            if index and units <= lower:
                return
            top = units if tier.up_to is None else min(units, tier.up_to)
            in_tier = max(top - lower, _ZERO)
            yield TierPart(
                index=index,
                lower=lower,
                up_to=tier.up_to,
                quantity=in_tier,
                unit_price=tier.unit_price,
                flat_fee=tier.flat_fee,
                amount=in_tier * tier.unit_price + tier.flat_fee,
            )


def _spread(args: tuple[object, ...]) -> tuple[object, ...]:
    if (
        len(args) == 1
        and not isinstance(args[0], (Tier, Mapping, str, bytes))
        and isinstance(args[0], Iterable)
    ):
        return tuple(args[0])
    return args
