"""Hypothesis strategies for resolutionpricing's types, to test your own integrations.

Install them with the ``strategies`` extra (``pip install
"resolutionpricing[strategies]"``); this module needs Hypothesis. Every
strategy draws only valid objects. ``st.builds(Tier)`` would not: it ignores
the ranges that the attrs converters and validators enforce, so every
constrained type has its own strategy here. The package also registers the
main ones with Hypothesis (through the ``hypothesis`` entry point), so
``st.from_type(Contract)`` draws from `contracts`, and likewise for `Tier`,
`TierSchedule`, `PackagePricing`, `ResolutionRule` and `Interaction`.

Each docstring says what its strategy *shrinks to*: the simplest value, the
one a failing test ends up being reported with. The examples use
``settings(derandomize=True)`` so that they print the same on every run.

Examples:
    >>> from hypothesis import find, settings
    >>> from resolutionpricing.strategies import tier_schedules
    >>> schedule = find(tier_schedules(), lambda schedule: len(schedule.tiers) >= 2, settings=settings(derandomize=True))
    >>> schedule.tiers[0]
    Tier(up_to=Decimal('1'), unit_price=Decimal('0.00'), flat_fee=Decimal('0'))
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ModuleNotFoundError as missing:  # pragma: no cover - the dev extra installs hypothesis
    message = (
        "resolutionpricing.strategies needs hypothesis: pip install 'resolutionpricing[strategies]'"
    )
    raise ImportError(message, name=missing.name) from missing

from resolutionpricing._caps import Cap, PauseCap, SpendCap, StepDownCap
from resolutionpricing._contract import RESERVED_CODES, Contract
from resolutionpricing._currencies import MINOR_UNITS
from resolutionpricing._errors import ResolutionPricingError
from resolutionpricing._fees import (
    Fee,
    ImplementationFee,
    Milestone,
    MinimumCommitment,
    OneTimeFee,
    PerEscalationFee,
    RecurringFee,
)
from resolutionpricing._interactions import Interaction
from resolutionpricing._money import Rounding, minor_unit, to_decimal
from resolutionpricing._periods import Cadence
from resolutionpricing._rules import PartialPolicy, RecontactScope, ResolutionRule
from resolutionpricing._tiers import PackagePricing, PricingMode, Tier, TierSchedule

__all__ = [
    # money
    "money",
    "quantities",
    "currencies",
    # tiers and caps
    "tiers",
    "tier_schedules",
    "package_pricings",
    "caps",
    "cap_lists",
    # fees
    "fees",
    # contracts and rules
    "resolution_rules",
    "contracts",
    # interactions
    "interactions",
]

_T = TypeVar("_T")

# Sizes: large enough for any real contract, small enough that every sum and
# product stays exact in the calculator's 80 digits.
_MAX_MONEY: Final = Decimal(1_000_000)
_MAX_QUANTITY: Final = Decimal(1_000_000)
_MAX_PRICE: Final = Decimal(1_000)
_MAX_FLAT_FEE: Final = Decimal(100_000)
_MAX_TIER_WIDTH: Final = 10_000

_TIMEZONES: Final = (
    "UTC",
    "Asia/Dubai",
    "Asia/Riyadh",
    "Asia/Kuwait",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
)
"""Zones with whole, half and quarter hour offsets, with and without daylight saving."""

_FIRST_START: Final = date(2000, 1, 1)
_LAST_START: Final = date(2099, 12, 31)
_LONGEST_TERM_DAYS: Final = 3 * 366
_FEE_DAYS_BEFORE_START: Final = 62
_FEE_DAYS_AFTER_START: Final = 190
_MOST_FEES: Final = 5
_FEE_FIRST_DAY: Final = date(2020, 1, 1)
_FEE_LAST_DAY: Final = date(2035, 12, 31)

_NAMES: Final = ("Pilot", "Gulf Telecom: AI resolution agreement", "Year one")
_DESCRIPTIONS: Final = ("Knowledge base maintenance", "Retraining cycle", "Platform fee")
_DELIVERABLES: Final = ("API integration", "Knowledge base ingestion", "Initial training")
_ESCALATIONS: Final = ("Escalations to human agents", "Human hand-offs")
_CODES: Final = ("kb_maintenance", "retraining", "platform", "voice_integration")
_CODE_TAIL: Final = string.ascii_lowercase + string.digits + "_"
_INCREMENT_STEPS: Final = (1, 5, 10, 25, 50, 100)
_TAX_RATES: Final = (Decimal("0.05"), Decimal("0.15"), Decimal("0.2"))
_NEAR_WHOLE: Final = tuple(
    Decimal(text) for text in ("0.001", "0.5", "0.999", "0.25", "0.0001", "0.10", "0.0")
)
"""Fractions just past a whole number, like 5.001, which already falls in the next tier."""

_DEFAULT_CUSTOMERS: Final = ("u1", "u2", "u3")
_DEFAULT_TOPICS: Final = ("billing", "refund", "delivery", "login")
_DEFAULT_CHANNELS: Final = ("chat", "email", "whatsapp", "voice")
_DEFAULT_START: Final = datetime(2026, 10, 1, tzinfo=UTC)
_DEFAULT_SPAN: Final = timedelta(days=3)
_LONGEST_CONTACT_MINUTES: Final = 180
_CONVERSATIONS: Final = 4
_OTHER_ZONES: Final[tuple[tzinfo, ...]] = (
    UTC,
    timezone(timedelta(hours=4)),
    ZoneInfo("Asia/Dubai"),
    ZoneInfo("Europe/Paris"),
    ZoneInfo("America/New_York"),
)


# Checking the arguments: misuse is Hypothesis's InvalidArgument, as for its own strategies.


def _whole(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgument(f"{name}={value!r} must be a whole number of {minimum} or more")
    return value


def _limit(value: object, name: str) -> Decimal:
    try:
        return to_decimal(value, name, minimum=Decimal(0))
    except ResolutionPricingError as error:
        raise InvalidArgument(str(error)) from None


def _places(currency: object) -> int:
    if currency is None:
        return 0
    if not isinstance(currency, str):
        raise InvalidArgument(f"currency={currency!r} must be an ISO 4217 code or None")
    try:
        return minor_unit(currency)
    except ResolutionPricingError as error:
        raise InvalidArgument(str(error)) from None


def _pool(values: object, name: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise InvalidArgument(f"{name}={values!r} must be a non-empty sequence of strings")
    pool: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InvalidArgument(f"{name} has {value!r}, which is not a non-empty string")
        pool.append(value)
    return tuple(pool)


# The building blocks are made once: Hypothesis draws much faster from a
# strategy object it has seen before than from a new one on every draw.


def _scaled(units: int, places: int) -> Decimal:
    # The string form is exact at any size, and keeps the trailing zeros ("1.50").
    return Decimal(f"{units}E-{places}")


@functools.cache
def _money(top: Decimal, places: int) -> st.SearchStrategy[Decimal]:
    most_units = int(Fraction(top) * 10**places)
    return st.integers(0, most_units).map(functools.partial(_scaled, places=places))


def _times(amount: Decimal, steps: int) -> Decimal:
    return amount * steps


@functools.cache
def _amounts(places: int, steps: int) -> st.SearchStrategy[Decimal]:
    """Fixed amounts up to 1,000,000 in whole increments of ``steps`` minor units."""
    if steps == 1:
        return _money(_MAX_MONEY, places)
    # n minor units times steps keeps the places: 5 x 0.010 is 0.050, and 0 is 0.000.
    return _money(_MAX_MONEY / steps, places).map(functools.partial(_times, steps=steps))


def _add(parts: tuple[Decimal, Decimal]) -> Decimal:
    return parts[0] + parts[1]


@functools.cache
def _quantities(top: Decimal, places: int) -> st.SearchStrategy[Decimal]:
    whole = st.integers(0, int(top)).map(Decimal)
    if top < 1:  # no room past a whole number
        return st.one_of(whole, _money(top, places))
    near_whole = st.tuples(st.integers(0, int(top) - 1).map(Decimal), st.sampled_from(_NEAR_WHOLE))
    return st.one_of(whole, near_whole.map(_add), _money(top, places))


@functools.cache
def _prices() -> st.SearchStrategy[Decimal]:
    # Unit prices may be finer than the currency (0.0125 per unit): they are
    # multiplied before anything is rounded.
    return st.one_of(_money(_MAX_PRICE, 2), _money(_MAX_PRICE, 0), _money(_MAX_PRICE, 4))


@functools.cache
def _flat_fees() -> st.SearchStrategy[Decimal]:
    return st.one_of(st.just(Decimal(0)), _money(_MAX_FLAT_FEE, 2))


@functools.cache
def _tier_widths() -> st.SearchStrategy[Decimal]:
    return st.one_of(
        st.integers(1, _MAX_TIER_WIDTH).map(Decimal),
        _money(Decimal(_MAX_TIER_WIDTH), 3).filter(lambda width: width > 0),
    )


@functools.cache
def _texts(examples: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(examples), st.text(min_size=1, max_size=40).filter(str.strip))


def _code(parts: tuple[str, str]) -> str:
    return parts[0] + parts[1]


@functools.cache
def _codes() -> st.SearchStrategy[str]:
    made_up = st.tuples(
        st.sampled_from(string.ascii_lowercase), st.text(alphabet=_CODE_TAIL, max_size=19)
    ).map(_code)
    return st.one_of(
        st.sampled_from(_CODES), made_up.filter(lambda code: code not in RESERVED_CODES)
    )


@functools.cache
def _optional(strategy: st.SearchStrategy[_T]) -> st.SearchStrategy[_T | None]:
    return st.one_of(st.none(), strategy)


def money(
    max_value: Decimal | int | str = _MAX_MONEY, places: int = 2
) -> st.SearchStrategy[Decimal]:
    """Amounts of money from 0 to ``max_value``, with exactly ``places`` decimals.

    Every amount carries ``places`` decimal places, as an amount written in a
    currency with that minor unit would (``Decimal('12.50')``).

    Shrinks to zero with ``places`` decimals (``Decimal('0.00')``), then
    towards smaller amounts.

    Args:
        max_value: the largest amount (default 1,000,000).
        places: the number of decimal places (default 2; 3 for KWD, 0 for JPY).

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing.strategies import money
        >>> reproducible = settings(derandomize=True)
        >>> find(money(), lambda amount: amount >= 1, settings=reproducible)
        Decimal('1.00')
        >>> find(money(places=3), lambda amount: amount > 0, settings=reproducible)
        Decimal('0.001')
    """
    return _money(_limit(max_value, "max_value"), _whole(places, "places", 0))


def quantities(
    max_value: Decimal | int | str = _MAX_QUANTITY, places: int = 3
) -> st.SearchStrategy[Decimal]:
    """Quantities of units: decimals from 0 to ``max_value``, whole or fractional.

    Many are whole (``Decimal('12000')``); some are just past a whole number
    (``Decimal('5.001')``, which is already in the tier after ``up_to=5``, or
    ``Decimal('5.0')``, a whole number written with a decimal); the rest have
    ``places`` decimals.

    Shrinks to ``Decimal('0')``, then towards smaller whole numbers.

    Args:
        max_value: the largest quantity (default 1,000,000).
        places: the decimal places of the fractional ones (default 3).

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing.strategies import quantities
        >>> reproducible = settings(derandomize=True)
        >>> find(quantities(), lambda units: units > 5, settings=reproducible)
        Decimal('6')
        >>> find(quantities(), lambda units: units % 1 != 0, settings=reproducible)
        Decimal('0.001')
    """
    return _quantities(_limit(max_value, "max_value"), _whole(places, "places", 0))


def tiers() -> st.SearchStrategy[Tier]:
    """Single tiers: open or up to a positive quantity, at any price and flat fee of 0 or more.

    Shrinks to an open tier at a zero price with no flat fee,
    ``Tier(up_to=None, unit_price=Decimal('0.00'), flat_fee=Decimal('0'))``.

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing.strategies import tiers
        >>> find(tiers(), lambda tier: tier.flat_fee > 0, settings=settings(derandomize=True))
        Tier(up_to=None, unit_price=Decimal('0.00'), flat_fee=Decimal('0.01'))
    """
    return st.builds(
        Tier, up_to=_optional(_tier_widths()), unit_price=_prices(), flat_fee=_flat_fees()
    )


_TIER_MODES = (PricingMode.GRADUATED, PricingMode.VOLUME)


@st.composite
def _tier_schedules(draw: st.DrawFn, mode: PricingMode | None, max_tiers: int) -> TierSchedule:
    chosen = draw(st.sampled_from(_TIER_MODES)) if mode is None else mode
    count = draw(st.integers(1, max_tiers))
    bounds: list[Decimal | None] = []
    bound = Decimal(0)
    for _ in range(count - 1):
        bound += draw(_tier_widths())
        bounds.append(bound)
    bounds.append(None)
    rows = [
        Tier(up_to=up_to, unit_price=draw(_prices()), flat_fee=draw(_flat_fees()))
        for up_to in bounds
    ]
    return TierSchedule(mode=chosen, tiers=rows)


def tier_schedules(
    mode: PricingMode | str | None = None, max_tiers: int = 5
) -> st.SearchStrategy[TierSchedule]:
    """Valid tier schedules: 1 to ``max_tiers`` tiers, ``up_to`` strictly ascending, the last open.

    Bounds may be fractional (``up_to=2.5``); prices and flat fees are any
    amounts of 0 or more, in any order (prices need not drop with volume, so
    volume cliffs and their opposite both occur).

    Shrinks to a graduated schedule of one open tier at a zero price; with
    more tiers, to bounds 1, 2, 3...

    Args:
        mode: `PricingMode.GRADUATED` or `PricingMode.VOLUME` (or its value);
            None (the default) draws either.
        max_tiers: the most tiers (default 5).

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing.strategies import tier_schedules
        >>> reproducible = settings(derandomize=True)
        >>> find(tier_schedules(), lambda schedule: schedule.mode.value == "volume", settings=reproducible)
        TierSchedule(mode=<PricingMode.VOLUME: 'volume'>, tiers=(Tier(up_to=None, unit_price=Decimal('0.00'), flat_fee=Decimal('0')),))
        >>> schedule = find(tier_schedules("volume"), lambda schedule: len(schedule.tiers) >= 3, settings=reproducible)
        >>> [tier.up_to for tier in schedule.tiers]
        [Decimal('1'), Decimal('2'), None]
    """
    chosen: PricingMode | None = None
    if mode is not None:
        # Not PricingMode(mode): "package" is a PackagePricing, not a tier schedule.
        chosen = next((each for each in _TIER_MODES if mode in (each, each.value)), None)
        if chosen is None:
            raise InvalidArgument(f"mode={mode!r} must be None, 'graduated' or 'volume'")
    return _tier_schedules(chosen, _whole(max_tiers, "max_tiers", 1))


def package_pricings() -> st.SearchStrategy[PackagePricing]:
    """Valid package prices: a whole package size, a package price and free units of 0 or more.

    Sizes run from 1 to 10,000 units, package prices up to 100,000 (with 0,
    2 or 4 decimals), free units from 0 to 10,000, whole or fractional.

    Shrinks to packages of 1 unit at 0.00 with no free units.

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing.strategies import package_pricings
        >>> find(package_pricings(), lambda pricing: pricing.free_units > 0, settings=settings(derandomize=True))
        PackagePricing(package_size=1, package_price=Decimal('0.00'), free_units=Decimal('1'))
    """
    return st.builds(
        PackagePricing,
        package_size=st.integers(1, _MAX_TIER_WIDTH),
        package_price=st.one_of(
            _money(_MAX_FLAT_FEE, 2), _money(_MAX_FLAT_FEE, 0), _money(_MAX_FLAT_FEE, 4)
        ),
        free_units=_quantities(Decimal(_MAX_TIER_WIDTH), 3),
    )


@functools.cache
def _cap_kinds(places: int, steps: int = 1) -> tuple[st.SearchStrategy[Cap], ...]:
    quantity = _quantities(_MAX_QUANTITY, 3)
    return (
        st.builds(PauseCap, limit=quantity),
        st.builds(StepDownCap, above=quantity, unit_price=_prices()),
        st.builds(SpendCap, limit=_amounts(places, steps)),
    )


def caps(currency: str | None = None) -> st.SearchStrategy[Cap]:
    """Single volume caps: a `PauseCap`, a `StepDownCap` or a `SpendCap`.

    Shrinks to a zero spend cap, ``SpendCap(limit=Decimal('0'))`` (with the
    currency's decimals), the kind drawn with the fewest choices.

    Args:
        currency: the ISO 4217 code whose minor unit a spend limit is written
            in; None (the default) gives whole amounts, which fit every currency.

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing import SpendCap
        >>> from resolutionpricing.strategies import caps
        >>> find(caps("KWD"), lambda cap: isinstance(cap, SpendCap), settings=settings(derandomize=True))
        SpendCap(limit=Decimal('0.000'))
    """
    return st.one_of(_cap_kinds(_places(currency)))


@st.composite
def _cap_lists(draw: st.DrawFn, places: int, steps: int = 1) -> tuple[Cap, ...]:
    kinds = _cap_kinds(places, steps)
    # One yes or no per kind shrinks better than a list of kinds: a test that
    # needs a spend cap shrinks to the spend cap alone.
    present = [draw(st.booleans()) for _ in kinds]
    order = draw(st.permutations(range(len(kinds))))
    return tuple(draw(kinds[index]) for index in order if present[index])


def cap_lists(currency: str | None = None) -> st.SearchStrategy[tuple[Cap, ...]]:
    """The caps of one contract: at most one of each kind, in any order.

    Any order will do: the calculator always applies pause, then step-down,
    then spend.

    Shrinks to no caps, ``()``.

    Args:
        currency: as for `caps`.

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing.strategies import cap_lists
        >>> find(cap_lists(), lambda caps: len(caps) >= 1, settings=settings(derandomize=True))
        (SpendCap(limit=Decimal('0')),)
    """
    return _cap_lists(_places(currency))


_FeeMaker = Callable[[st.DrawFn, st.SearchStrategy[Decimal], Callable[[], date]], Fee]


def _recurring_fee(
    draw: st.DrawFn, amounts: st.SearchStrategy[Decimal], day: Callable[[], date]
) -> Fee:
    starts_on = day() if draw(st.booleans()) else None
    ends_on = day() if draw(st.booleans()) else None
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        starts_on, ends_on = ends_on, starts_on
    return RecurringFee(
        code=draw(_codes()),
        description=draw(_texts(_DESCRIPTIONS)),
        amount=draw(amounts),
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _one_time_fee(
    draw: st.DrawFn, amounts: st.SearchStrategy[Decimal], day: Callable[[], date]
) -> Fee:
    return OneTimeFee(
        code=draw(_codes()),
        description=draw(_texts(_DESCRIPTIONS)),
        amount=draw(amounts),
        bill_on=day(),
    )


def _escalation_fee(
    draw: st.DrawFn, _amounts: st.SearchStrategy[Decimal], _day: Callable[[], date]
) -> Fee:
    return PerEscalationFee(unit_price=draw(_prices()), description=draw(_texts(_ESCALATIONS)))


def _minimum_commitment(
    draw: st.DrawFn, amounts: st.SearchStrategy[Decimal], _day: Callable[[], date]
) -> Fee:
    return MinimumCommitment(amount=draw(amounts))


def _implementation_fee(
    draw: st.DrawFn, amounts: st.SearchStrategy[Decimal], day: Callable[[], date]
) -> Fee:
    # Deliverables are unique: each milestone's line key is implementation:<deliverable>.
    deliverables = draw(st.lists(_texts(_DELIVERABLES), min_size=1, max_size=4, unique=True))
    milestones = [
        Milestone(deliverable=deliverable, amount=draw(amounts), accepted_on=day())
        for deliverable in deliverables
    ]
    return ImplementationFee(
        milestones=milestones,
        cap=draw(_optional(amounts)),
    )


_FEE_MAKERS: Final[tuple[_FeeMaker, ...]] = (
    _recurring_fee,
    _one_time_fee,
    _escalation_fee,
    _minimum_commitment,
    _implementation_fee,
)


def _draw_fee(draw: st.DrawFn, places: int, first_day: date, last_day: date, steps: int = 1) -> Fee:
    days = st.integers(0, (last_day - first_day).days)

    def day() -> date:
        return first_day + timedelta(days=draw(days))

    maker = _FEE_MAKERS[draw(st.integers(0, len(_FEE_MAKERS) - 1))]
    return maker(draw, _amounts(places, steps), day)


@st.composite
def _fees(draw: st.DrawFn, places: int) -> Fee:
    return _draw_fee(draw, places, _FEE_FIRST_DAY, _FEE_LAST_DAY)


def fees(currency: str | None = None) -> st.SearchStrategy[Fee]:
    """Single fee items of every kind, with amounts that fit ``currency``'s minor unit.

    Codes are never one of the calculator's reserved line codes; dates fall
    from 2020 to 2035.

    Shrinks to a zero minimum commitment, ``MinimumCommitment(amount=Decimal('0'))``
    (with the currency's decimals), the kind drawn with the fewest choices;
    a test that needs a recurring fee shrinks to ``RecurringFee(code='kb_maintenance',
    description='Knowledge base maintenance', amount=Decimal('0'))``.

    Args:
        currency: the ISO 4217 code whose minor unit amounts are written in;
            None (the default) gives whole amounts, which fit every currency.

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing import MinimumCommitment
        >>> from resolutionpricing.strategies import fees
        >>> find(fees("SAR"), lambda fee: isinstance(fee, MinimumCommitment), settings=settings(derandomize=True))
        MinimumCommitment(amount=Decimal('0.00'))
    """
    return _fees(_places(currency))


def _fee_identity(fee: Fee) -> object:
    """What two fees of one contract may not share: a line code, or a single kind."""
    if isinstance(fee, (RecurringFee, OneTimeFee)):
        return ("code", fee.code)
    if isinstance(fee, (PerEscalationFee, MinimumCommitment)):
        return ("kind", fee.kind)
    # One implementation fee per contract: two could share a deliverable.
    return ("kind", "implementation")


def _seconds(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


@functools.cache
def _resolution_rules() -> st.SearchStrategy[ResolutionRule]:
    common = (
        timedelta(hours=48),
        timedelta(hours=24),
        timedelta(hours=72),
        timedelta(0),
        timedelta(days=7),
    )
    windows = st.one_of(st.sampled_from(common), st.integers(0, 14 * 24 * 3600).map(_seconds))
    true_first = st.sampled_from((True, False))
    return st.builds(
        ResolutionRule,
        recontact_window=windows,
        recontact_scope=st.sampled_from(
            (RecontactScope.SAME_TOPIC, RecontactScope.SAME_CONVERSATION, RecontactScope.ANY_TOPIC)
        ),
        cross_channel=true_first,
        exclude_escalated=true_first,
        require_confirmation=st.booleans(),
        min_csat=_optional(st.integers(1, 5)),
        partial=st.sampled_from(PartialPolicy),
    )


def resolution_rules() -> st.SearchStrategy[ResolutionRule]:
    """Resolution rules: any scope, partial policy, flags and veto; windows in whole seconds.

    Windows are the common ones (48 h, 24 h, 72 h, 0, 7 days) or any whole
    number of seconds up to 14 days.

    Shrinks to the default rule, ``ResolutionRule()``: 48 h, same topic,
    across channels, escalations excluded, no confirmation needed, no CSAT
    veto, all or nothing.

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing import ResolutionRule
        >>> from resolutionpricing.strategies import resolution_rules
        >>> rule = find(resolution_rules(), lambda rule: rule.min_csat is not None, settings=settings(derandomize=True))
        >>> rule == ResolutionRule(min_csat=1)
        True
    """
    return _resolution_rules()


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 codes of the package's currency table (no funds, metals or test codes).

    Shrinks to ``'AED'``, the first code in alphabetical order.

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing.strategies import currencies
        >>> find(currencies(), lambda code: code >= "K", settings=settings(derandomize=True))
        'KES'
    """
    return st.sampled_from(sorted(MINOR_UNITS))


def _after(start: date, days: int) -> date:
    return start + timedelta(days=days)


@st.composite
def _contracts(draw: st.DrawFn, currency: str | None) -> Contract:
    code = draw(currencies()) if currency is None else currency
    places = minor_unit(code)
    starts_on = draw(st.dates(_FIRST_START, _LAST_START))
    term = draw(_optional(st.integers(0, _LONGEST_TERM_DAYS)))
    steps = draw(_optional(st.sampled_from(_INCREMENT_STEPS)))
    # Fees are drawn here, not with st.lists: their dates depend on the start,
    # and a new strategy object on every draw is slow to draw from.
    first_fee_day = starts_on - timedelta(days=_FEE_DAYS_BEFORE_START)
    last_fee_day = starts_on + timedelta(days=_FEE_DAYS_AFTER_START)
    fee_items: dict[object, Fee] = {}
    for _ in range(draw(st.integers(0, _MOST_FEES))):
        fee = _draw_fee(draw, places, first_fee_day, last_fee_day, steps or 1)
        fee_items.setdefault(_fee_identity(fee), fee)  # a repeated code or kind is dropped
    return Contract(
        name=draw(_texts(_NAMES)),
        currency=code,
        timezone=draw(st.sampled_from(_TIMEZONES)),
        starts_on=starts_on,
        ends_on=None if term is None else _after(starts_on, term),
        billing_period=draw(st.sampled_from(Cadence)),
        rounding=draw(st.sampled_from(Rounding)),
        rounding_increment=None if steps is None else steps * Decimal(1).scaleb(-places),
        tax_rate=draw(
            st.one_of(
                st.just(Decimal(0)),
                st.sampled_from(_TAX_RATES),
                st.decimals(min_value=0, max_value=Decimal("0.25"), places=4),
            )
        ),
        resolution=draw(_resolution_rules()),
        pricing=draw(_tier_schedules(None, 5)),
        caps=draw(_cap_lists(places, steps or 1)),
        fees=tuple(fee_items.values()),
    )


def contracts(currency: str | None = None) -> st.SearchStrategy[Contract]:
    """Valid contracts, with every field, cap and fee kind, in any currency of the table.

    They satisfy every rule of `Contract.problems`: the end on or after the
    start; the optional rounding increment in whole minor units of the
    currency; fixed amounts (spend limits, fee amounts, implementation caps,
    milestones, minimum commitments) in whole rounding increments if there is
    one, else in whole minor units; at most one cap of each kind; unique, unreserved
    fee codes; at most one escalation fee and one minimum commitment. Tax is
    0 to 25 %; rounding is either mode; billing monthly or quarterly. Fee
    dates fall from two months before the start to six months after it, so
    that many are billed in the first periods.

    Shrinks to a graduated, monthly, one-tier contract at a zero price named
    ``'Pilot'``, in AED, time zone UTC, starting on 2000-01-01 with no end,
    rounding half up with no increment, no tax, the default resolution rule,
    no caps and no fees.

    Args:
        currency: an ISO 4217 code for every contract; None (the default)
            draws one.

    Examples:
        >>> from hypothesis import given, settings
        >>> from resolutionpricing import BillingPeriod, quote
        >>> from resolutionpricing.strategies import contracts
        >>> @settings(max_examples=20, derandomize=True)
        ... @given(contracts("KWD"))
        ... def test_every_line_is_in_whole_fils(contract):
        ...     period = BillingPeriod.containing(contract.starts_on, contract.billing_period)
        ...     invoice = quote(contract, period, resolutions=1500)
        ...     assert all(line.amount.as_tuple().exponent == -3 for line in invoice.lines)
        >>> test_every_line_is_in_whole_fils()
    """
    if currency is not None:
        _places(currency)
    return _contracts(currency)


@st.composite
def _interactions(
    draw: st.DrawFn,
    *,
    customers: tuple[str, ...],
    topics: tuple[str, ...],
    channels: tuple[str, ...],
    start: datetime,
    span_minutes: int,
    zones: tuple[tzinfo, ...],
    accounts: tuple[str | None, ...] = (None,),
) -> Interaction:
    # Arithmetic on UTC instants, then shown in a zone: minutes added to a
    # wall-clock time across a daylight-saving change could end before they start.
    started = start.astimezone(UTC) + timedelta(minutes=draw(st.integers(0, span_minutes)))
    ended = started + timedelta(minutes=draw(st.integers(0, _LONGEST_CONTACT_MINUTES)))
    zone = draw(st.sampled_from(zones))
    raised = draw(st.sets(st.sampled_from(topics), min_size=1, max_size=3))
    resolved = {topic for topic in sorted(raised) if draw(st.booleans())}
    contact_id = f"c{draw(st.integers(0, 10**6))}"
    conversation = draw(_optional(st.integers(0, _CONVERSATIONS - 1)))
    # One account (the default) draws nothing, so logs without accounts shrink as before.
    account = accounts[0] if len(accounts) == 1 else draw(st.sampled_from(accounts))
    return Interaction(
        id=contact_id,
        account_id=account,
        customer_id=draw(st.sampled_from(customers)),
        conversation_id=contact_id if conversation is None else f"conversation{conversation}",
        channel=draw(st.sampled_from(channels)),
        started_at=started.astimezone(zone),
        ended_at=ended.astimezone(zone),
        topics=raised,
        resolved_topics=resolved,
        escalated=draw(st.booleans()),
        confirmed=draw(_optional(st.booleans())),
        csat=draw(_optional(st.integers(1, 5))),
        attributes=draw(
            st.dictionaries(
                st.sampled_from(("region", "tenant")),
                st.sampled_from(("north", "south")),
                max_size=2,
            )
        ),
    )


def interactions(
    *,
    customers: Sequence[str] = _DEFAULT_CUSTOMERS,
    topics: Sequence[str] = _DEFAULT_TOPICS,
    channels: Sequence[str] = _DEFAULT_CHANNELS,
    start: datetime = _DEFAULT_START,
    span: timedelta = _DEFAULT_SPAN,
    accounts: Sequence[str | None] = (None,),
) -> st.SearchStrategy[Interaction]:
    """Valid interactions from small pools, close in time, so that a log has re-contacts.

    Contacts start on a whole minute from ``start`` to ``start + span`` and
    last 0 to 180 minutes. Times are aware, in ``start``'s zone or another
    (UTC, +04:00, Asia/Dubai, Europe/Paris, America/New_York): the instants
    are the same either way. Each contact raises one to three topics and
    resolves some of them; about half share one of four conversations. Ids
    are ``c`` and a number: draw a log with ``st.lists(interactions(),
    unique_by=lambda contact: contact.id)`` (with several accounts, unique by
    ``(contact.account_id, contact.id)``: the same id in two accounts is allowed).

    Shrinks to contact ``c0`` by the first customer on the first channel,
    starting and ending at ``start``, raising the first topic and resolving
    none, not escalated, silent and unrated.

    Args:
        customers: the customer ids to draw from.
        topics: the topics to draw from.
        channels: the channels to draw from.
        start: the earliest start, timezone-aware (default 2026-10-01 00:00 UTC).
        span: how much later the last contact may start (default 3 days).
        accounts: the account ids to draw from (None: the rows without an
            account); by default every contact has no account.

    Examples:
        >>> from hypothesis import find, settings
        >>> from resolutionpricing.strategies import interactions
        >>> contact = find(interactions(), lambda contact: contact.escalated, settings=settings(derandomize=True))
        >>> contact.id, contact.customer_id, contact.channel, sorted(contact.topics), contact.started_at.isoformat()
        ('c0', 'u1', 'chat', ['billing'], '2026-10-01T00:00:00+00:00')
    """
    given_start: object = start
    given_span: object = span
    if not isinstance(given_start, datetime) or given_start.utcoffset() is None:
        raise InvalidArgument(f"start={start!r} must be a timezone-aware datetime")
    if not isinstance(given_span, timedelta) or given_span < timedelta(0):
        raise InvalidArgument(f"span={span!r} must be a timedelta of 0 or more")
    start_zone = start.tzinfo or UTC  # aware, so never None: the `or` is for mypy
    return _interactions(
        customers=_pool(customers, "customers"),
        topics=_pool(topics, "topics"),
        channels=_pool(channels, "channels"),
        start=start,
        span_minutes=span // timedelta(minutes=1),
        zones=(start_zone, *(zone for zone in _OTHER_ZONES if zone is not start_zone)),
        accounts=_accounts(accounts),
    )


def _accounts(values: Sequence[str | None]) -> tuple[str | None, ...]:
    given: object = values
    if isinstance(given, str) or not isinstance(given, Sequence) or not given:
        raise InvalidArgument(f"accounts={values!r} must be a non-empty sequence of ids or None")
    for value in given:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidArgument(f"accounts={values!r} holds {value!r}: ids are non-empty strings")
    return tuple(given)
