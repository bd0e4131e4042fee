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

A `PackagePricing` is the other kind of pricing schedule (Lago's package
charge, Orb's package price): the units beyond the free ones are sold in whole
packages, a partial package rounded up to a whole one. Both kinds answer
``mode``, ``price(quantity)`` and ``breakdown(quantity)``, so the calculator
prices either alike (`PricingSchedule`).
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

__all__ = [
    "PackagePricing",
    "PricingMode",
    "PricingSchedule",
    "Tier",
    "TierPart",
    "TierSchedule",
]

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
    """How a pricing schedule prices a quantity.

    `TierSchedule` is graduated or volume; `PackagePricing` is package.

    Examples:
        >>> from resolutionpricing import PricingMode
        >>> PricingMode("volume")
        <PricingMode.VOLUME: 'volume'>
    """

    GRADUATED = "graduated"
    """Each tier's units at that tier's price."""
    VOLUME = "volume"
    """All units at the price of the tier the whole quantity falls in."""
    PACKAGE = "package"
    """Whole packages of units at a package price, a partial package rounded up."""


def _mode(value: object) -> PricingMode:
    mode = parse_choice(PricingMode, value, "mode")
    if mode is PricingMode.PACKAGE:
        raise InvalidValueError(
            "mode",
            "'package' is not a mode of a tier schedule",
            'one of "graduated", "volume"; package prices are a PackagePricing',
        )
    return mode


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


def _package_size(value: object) -> int:
    number = to_decimal(value, "package_size", minimum=Decimal(1))
    if number != number.to_integral_value():
        raise InvalidValueError(
            "package_size",
            f"{number} is not a whole number",
            "a whole number of units of 1 or more, such as 100",
        )
    return int(number)


def _package_price(value: object) -> Decimal:
    return to_decimal(value, "package_price", minimum=_ZERO)


def _free_units(value: object) -> Decimal:
    return to_quantity(value, "free_units")


@attrs.frozen(kw_only=True)
class PackagePricing:
    """Package prices: the units beyond the free ones in whole packages, rounded up.

    The package charge of Lago and the package price of Orb: ``packages =
    ceil(max(0, quantity - free_units) / package_size)`` and the price is
    ``packages * package_price``. A partial package, fractional units
    included (10.5 partial resolutions), is billed as a whole one.

    It answers the calls a `TierSchedule` answers (``mode``, ``price``,
    ``breakdown``), so a `Contract` is priced with either.

    Attributes:
        package_size: the units in one package (a whole number, 1 or more).
        package_price: the price of one package (>= 0).
        free_units: the units given before the first package (>= 0;
            default 0), in each period.

    Examples:
        >>> from resolutionpricing import PackagePricing
        >>> pricing = PackagePricing(package_size=10, package_price=100)
        >>> pricing.price(121), pricing.price(4), pricing.price(11)
        (Decimal('1300'), Decimal('100'), Decimal('200'))
        >>> PackagePricing(package_size=10, package_price=100, free_units=10).price(121)
        Decimal('1200')
    """

    package_size: int = attrs.field(converter=_package_size)
    package_price: Decimal = attrs.field(converter=_package_price)
    free_units: Decimal = attrs.field(default=_ZERO, converter=_free_units)

    @property
    def mode(self) -> PricingMode:
        """Always `PricingMode.PACKAGE`.

        Examples:
            >>> from resolutionpricing import PackagePricing
            >>> PackagePricing(package_size=100, package_price="49.00").mode
            <PricingMode.PACKAGE: 'package'>
        """
        return PricingMode.PACKAGE

    def packages(self, quantity: Decimal | int | str) -> int:
        """The whole packages that ``quantity`` units need beyond the free units.

        Examples:
            >>> from resolutionpricing import PackagePricing
            >>> pricing = PackagePricing(package_size=10, package_price=100, free_units=10)
            >>> pricing.packages(10), pricing.packages("10.5"), pricing.packages(30), pricing.packages(31)
            (0, 1, 2, 3)
        """
        units = to_quantity(quantity)
        with decimal.localcontext(ARITHMETIC):
            billable = max(units - self.free_units, _ZERO)
            # divmod is exact (a whole quotient and its remainder), unlike a
            # division that would have to be rounded before the ceiling.
            whole, rest = divmod(billable, Decimal(self.package_size))
            return int(whole) + (1 if rest else 0)

    def breakdown(self, quantity: Decimal | int | str) -> tuple[TierPart, ...]:
        """The price of ``quantity`` as one `TierPart`, counted in packages.

        The part's ``quantity`` is the number of packages and its
        ``unit_price`` the package price; its ``lower`` is the free units
        (packages are sold above them) and its ``up_to`` is None. There is
        always one part, with 0 packages within the free units.

        Examples:
            >>> from resolutionpricing import PackagePricing
            >>> (part,) = PackagePricing(package_size=10, package_price=100, free_units=10).breakdown(121)
            >>> part.lower, part.quantity, part.unit_price, part.amount
            (Decimal('10'), Decimal('12'), Decimal('100'), Decimal('1200'))
        """
        packages = Decimal(self.packages(quantity))
        with decimal.localcontext(ARITHMETIC):
            amount = packages * self.package_price
        return (
            TierPart(
                index=0,
                lower=self.free_units,
                up_to=None,
                quantity=packages,
                unit_price=self.package_price,
                flat_fee=_ZERO,
                amount=amount,
            ),
        )

    def price(self, quantity: Decimal | int | str) -> Decimal:
        """The exact, unrounded price of ``quantity`` units: whole packages times their price.

        Examples:
            >>> from resolutionpricing import PackagePricing
            >>> PackagePricing(package_size=100, package_price="49.00").price(250)
            Decimal('147.00')
        """
        (part,) = self.breakdown(quantity)
        return part.amount


PricingSchedule = TierSchedule | PackagePricing
"""A contract's pricing of resolutions: a `TierSchedule` or a `PackagePricing`.

Examples:
    >>> from resolutionpricing import PackagePricing, PricingSchedule
    >>> isinstance(PackagePricing(package_size=100, package_price="49.00"), PricingSchedule)
    True
"""


def resolutions_description(pricing: TierSchedule | PackagePricing) -> str:
    """The description of a ``resolutions`` line priced by ``pricing``.

    Examples:
        >>> from resolutionpricing import PackagePricing
        >>> resolutions_description(PackagePricing(package_size=100, package_price="49.00"))
        'Resolutions (packages of 100)'
    """
    if isinstance(pricing, PackagePricing):
        return f"Resolutions (packages of {pricing.package_size})"
    return f"Resolutions ({pricing.mode.value} tiers)"


def _spread(args: tuple[object, ...]) -> tuple[object, ...]:
    if (
        len(args) == 1
        and not isinstance(args[0], (Tier, Mapping, str, bytes))
        and isinstance(args[0], Iterable)
    ):
        return tuple(args[0])
    return args
