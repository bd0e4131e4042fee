"""Contract years: what one period's invoice carries to the next.

Annual contracts move money across periods: tiers that count the
resolutions since the contract year began (``accumulate``), an allowance of
included resolutions (``included``), a prepaid commitment drawn down period
by period (`PrepaidCommitment`). Each period is priced from its usage and a
`Balances`, the state of its contract year before it, and hands on the
balances after it. So a period's invoice is the same whether it is billed
alone (from an explicit opening balance) or within a series: the series only
computes the opening balance, by pricing the year's earlier periods first.

The contract year is the 12 months from ``starts_on`` and from each
anniversary. A contract that uses any of these clauses starts on the first
day of a billing period, so every period lies in one contract year, the one
that holds its first day. Balances reset when a period opens a new contract
year; what lapses is shown on the old year's last period.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError, parse_choice, shown
from resolutionpricing._money import ARITHMETIC, to_decimal
from resolutionpricing._periods import BillingPeriod, check_date

if TYPE_CHECKING:
    from resolutionpricing._contract import Contract
    from resolutionpricing._invoice import Invoice

__all__ = [
    "Accumulate",
    "AllowancePer",
    "Balances",
    "IncludedAllowance",
    "closes_year",
    "next_balances",
    "opening_balances",
    "opens_year",
    "price_series",
    "series",
    "uses_contract_year",
    "year_start",
]

_ZERO = Decimal(0)


class Accumulate(enum.Enum):
    """What a tier position counts: the period's units, or the contract year's.

    Examples:
        >>> from resolutionpricing import Accumulate
        >>> Accumulate("contract_year")
        <Accumulate.CONTRACT_YEAR: 'contract_year'>
    """

    PERIOD = "period"
    """Each period is priced alone, its tiers counted from zero (the default)."""
    CONTRACT_YEAR = "contract_year"
    """A period's units are priced at the tier positions after the year's earlier units."""


class AllowancePer(enum.Enum):
    """How often the included allowance is granted.

    Examples:
        >>> from resolutionpricing import AllowancePer
        >>> AllowancePer("period").value
        'period'
    """

    PERIOD = "period"
    """Every billing period (with ``rollover``, unused units carry to the next period)."""
    CONTRACT_YEAR = "contract_year"
    """Once per contract year, used up period by period."""


def _units(value: object) -> Decimal:
    return to_decimal(value, "included", minimum=_ZERO)


def _bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidTypeError(attribute.name, f"{shown(value)} is not a boolean", "true or false")


def _per(value: object) -> AllowancePer:
    return parse_choice(AllowancePer, value, "included_per")


@attrs.frozen(kw_only=True)
class IncludedAllowance:
    """Resolutions included in the price: the first billable units of a period use them.

    In the file, ``[pricing] included = 50``, ``included_per = "period"`` (or
    ``"contract_year"``) and ``rollover = false``. The tiers price only the
    units beyond the allowance, and only those count toward cumulative tier
    positions; the ``resolutions`` line's details show the rest as
    ``included_units``.

    Attributes:
        units: the resolutions included (per period, or per contract year).
        per: `AllowancePer.PERIOD` (default) or `AllowancePer.CONTRACT_YEAR`.
        rollover: with a per-period allowance, a period's unused units carry
            to the next period, and expire at the contract year's end
            (refused with a per-year allowance, which has nothing to carry).

    Examples:
        >>> from resolutionpricing import IncludedAllowance
        >>> IncludedAllowance(units=50)
        IncludedAllowance(units=Decimal('50'), per=<AllowancePer.PERIOD: 'period'>, rollover=False)
        >>> IncludedAllowance(units=600, per="contract_year", rollover=True)
        Traceback (most recent call last):
        ...
        resolutionpricing.InvalidValueError: rollover: is true with included_per = "contract_year"; rollover only with included_per = "period": a yearly allowance has no next period within its year to carry to
    """

    units: Decimal = attrs.field(converter=_units)
    per: AllowancePer = attrs.field(default=AllowancePer.PERIOD, converter=_per)
    rollover: bool = attrs.field(default=False, validator=_bool)

    def __attrs_post_init__(self) -> None:
        if self.rollover and self.per is AllowancePer.CONTRACT_YEAR:
            raise InvalidValueError(
                "rollover",
                'is true with included_per = "contract_year"',
                'rollover only with included_per = "period": a yearly allowance has no next '
                "period within its year to carry to",
            )


def _day(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, date):
        raise InvalidTypeError(attribute.name, f"{shown(value)} is not a date", "a datetime.date")
    check_date(value, attribute.name)


def _cumulative(value: object) -> Decimal:
    return to_decimal(value, "cumulative_units", minimum=_ZERO)


def _allowance_left(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, "allowance_left", minimum=_ZERO)


def _commitment_left(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, "commitment_left", minimum=_ZERO)


def _channel_units(value: object) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping):
        raise InvalidTypeError(
            "channel_units", f"{shown(value)} is not a mapping", 'a mapping such as {"voice": 120}'
        )
    checked = {}
    for channel, units in sorted(value.items()):
        if not isinstance(channel, str) or not channel:
            raise InvalidTypeError(
                "channel_units", f"{shown(channel)} is not a channel", "channel names (strings)"
            )
        checked[channel] = to_decimal(units, f"channel_units.{channel}", minimum=_ZERO)
    return MappingProxyType(checked)


@attrs.frozen(kw_only=True)
class Balances:
    """The state of a contract year at one moment: what the next period starts from.

    Shown on every invoice of a contract that uses a contract-year clause
    (`Invoice.balances_before`, `Invoice.balances_after`), and passed to
    `bill` or `quote` as ``opening=`` to price a period without the year's
    earlier periods.

    Attributes:
        year_starts_on: the first day of the contract year.
        cumulative_units: the units the contract year's tiers priced so far
            (after the included allowance; pilot units never count).
        channel_units: the same, per channel with its own price.
        allowance_left: included units still available (None: no allowance).
            Before a period, what the period may use; after it, what is left.
        commitment_left: the prepaid commitment not yet drawn down (None: no
            prepaid commitment).

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import Balances
        >>> Balances(year_starts_on=date(2026, 7, 1), cumulative_units=1200, commitment_left="90000.00")
        Balances(year_starts_on=datetime.date(2026, 7, 1), cumulative_units=Decimal('1200'), channel_units=mappingproxy({}), allowance_left=None, commitment_left=Decimal('90000.00'))
    """

    year_starts_on: date = attrs.field(validator=_day)
    cumulative_units: Decimal = attrs.field(default=_ZERO, converter=_cumulative)
    channel_units: Mapping[str, Decimal] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_channel_units, hash=False
    )
    allowance_left: Decimal | None = attrs.field(default=None, converter=_allowance_left)
    commitment_left: Decimal | None = attrs.field(default=None, converter=_commitment_left)

    def following(self, contract: Contract, period: BillingPeriod) -> Balances:
        """The balances before ``period``, when these are the balances after the period before it.

        A period that opens a contract year starts it fresh (a ``rollover``
        commitment carries its unused balance); otherwise a per-period
        allowance is granted again (plus the unused units, with
        ``rollover``). What chains one quote to the next.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> contract = load_contract("examples/annual-contract.toml")
            >>> july = quote(contract, "2026-07", resolutions=30)
            >>> july.balances_after.following(contract, july.period.next()).allowance_left
            Decimal('70')
        """
        return next_balances(contract, self, period)

    def to_dict(self) -> dict[str, object]:
        """The balances as JSON-safe data: decimals as strings, in their normal form.

        Examples:
            >>> from datetime import date
            >>> from resolutionpricing import Balances
            >>> Balances(year_starts_on=date(2026, 7, 1), allowance_left=50).to_dict()
            {'year_starts_on': '2026-07-01', 'cumulative_units': '0', 'channel_units': {}, 'allowance_left': '50', 'commitment_left': None}
        """
        from resolutionpricing._usage import normal_text  # noqa: PLC0415 -- _usage imports money

        return {
            "year_starts_on": self.year_starts_on.isoformat(),
            "cumulative_units": normal_text(self.cumulative_units),
            "channel_units": {
                channel: normal_text(units) for channel, units in self.channel_units.items()
            },
            "allowance_left": None
            if self.allowance_left is None
            else normal_text(self.allowance_left),
            "commitment_left": None
            if self.commitment_left is None
            else normal_text(self.commitment_left),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "balances") -> Balances:
        """Read `Balances.to_dict`'s data back.

        Examples:
            >>> from datetime import date
            >>> from resolutionpricing import Balances
            >>> balances = Balances(year_starts_on=date(2026, 7, 1), cumulative_units="10.5")
            >>> Balances.from_dict(balances.to_dict()) == balances
            True
        """
        keys = {
            "year_starts_on",
            "cumulative_units",
            "channel_units",
            "allowance_left",
            "commitment_left",
        }
        if not isinstance(data, Mapping) or set(data) != keys:
            raise InvalidValueError(
                path, f"{shown(data)} is not a balance", "the keys " + ", ".join(sorted(keys))
            )
        text = data["year_starts_on"]
        try:
            day = date.fromisoformat(text) if isinstance(text, str) else None
        except ValueError:
            day = None
        if day is None:
            raise InvalidValueError(
                f"{path}.year_starts_on",
                f"{shown(text)} is not a date",
                "a date such as 2026-07-01",
            )
        try:
            return cls(
                year_starts_on=day,
                cumulative_units=data["cumulative_units"],
                channel_units=data["channel_units"],
                allowance_left=data["allowance_left"],
                commitment_left=data["commitment_left"],
            )
        except (InvalidValueError, InvalidTypeError) as error:
            raise error.at(path) from None


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)


def uses_contract_year(contract: Contract) -> bool:
    """Whether the contract carries balances from period to period (any contract-year clause)."""
    from resolutionpricing._fees import PrepaidCommitment  # noqa: PLC0415 -- _fees is below

    return (
        contract.accumulate is Accumulate.CONTRACT_YEAR
        or contract.allowance is not None
        or any(isinstance(fee, PrepaidCommitment) for fee in contract.fees)
    )


def year_start(contract: Contract, period: BillingPeriod) -> date:
    """The first day of the contract year that holds the period's first day.

    Examples:
        >>> from resolutionpricing import BillingPeriod, load_contract
        >>> from resolutionpricing._contract_year import year_start
        >>> year_start(load_contract("examples/annual-contract.toml"), BillingPeriod.parse("2027-03"))
        datetime.date(2026, 7, 1)
    """
    start = contract.starts_on
    months = (period.start.year - start.year) * 12 + period.start.month - start.month
    if period.start.day < start.day:
        months -= 1
    return _add_months(start, 12 * (months // 12))


def opens_year(contract: Contract, period: BillingPeriod) -> bool:
    """Whether the period is the first of its contract year."""
    return period.start == year_start(contract, period)


def closes_year(contract: Contract, period: BillingPeriod) -> bool:
    """Whether the period is the last of its contract year (or of the term)."""
    if contract.ends_on is not None and period.end > contract.ends_on:
        return True
    return period.end >= _add_months(year_start(contract, period), 12)


def _prepaid(contract: Contract) -> Any:  # noqa: ANN401 -- a PrepaidCommitment or None
    from resolutionpricing._fees import PrepaidCommitment  # noqa: PLC0415 -- _fees is below

    return next((fee for fee in contract.fees if isinstance(fee, PrepaidCommitment)), None)


def opening_balances(
    contract: Contract, period: BillingPeriod, *, carried_commitment: Decimal = _ZERO
) -> Balances:
    """The balances of a fresh contract year, for the year that holds ``period``.

    Nothing counted, the whole allowance, the whole prepaid commitment (plus
    what a ``rollover`` commitment carried from the year before).

    Examples:
        >>> from resolutionpricing import BillingPeriod, load_contract
        >>> from resolutionpricing._contract_year import opening_balances
        >>> opening_balances(load_contract("examples/annual-contract.toml"), BillingPeriod.parse("2026-10")).commitment_left
        Decimal('180000.00')
    """
    prepaid = _prepaid(contract)
    allowance = contract.allowance
    return Balances(
        year_starts_on=year_start(contract, period),
        allowance_left=None if allowance is None else allowance.units,
        commitment_left=None
        if prepaid is None
        else ARITHMETIC.add(contract.round(prepaid.amount), carried_commitment),
    )


def next_balances(contract: Contract, after: Balances, period: BillingPeriod) -> Balances:
    """The balances before ``period``, from those after the period right before it.

    A period that opens a contract year starts it fresh (a ``rollover``
    commitment carries its unused balance); otherwise a per-period allowance
    is granted again (plus the unused units, with ``rollover``).

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import Balances, BillingPeriod, load_contract
        >>> from resolutionpricing._contract_year import next_balances
        >>> contract = load_contract("examples/annual-contract.toml")
        >>> after = Balances(year_starts_on=date(2026, 7, 1), cumulative_units=900, allowance_left=20, commitment_left="1000.00")
        >>> next_balances(contract, after, BillingPeriod.parse("2026-08")).allowance_left
        Decimal('70')
        >>> next_balances(contract, after, BillingPeriod.parse("2027-07")).cumulative_units
        Decimal('0')
    """
    if opens_year(contract, period):
        prepaid = _prepaid(contract)
        carried = (
            after.commitment_left
            if prepaid is not None and prepaid.rollover and after.commitment_left is not None
            else _ZERO
        )
        return opening_balances(contract, period, carried_commitment=carried)
    allowance = contract.allowance
    left = after.allowance_left
    if allowance is not None and allowance.per is AllowancePer.PERIOD:
        unused = left if allowance.rollover and left is not None else _ZERO
        left = ARITHMETIC.add(unused, allowance.units)
    return attrs.evolve(after, allowance_left=left)


def checked_opening(contract: Contract, period: BillingPeriod, opening: object) -> Balances:
    """``opening`` checked against the contract year of ``period``."""
    if not isinstance(opening, Balances):
        raise InvalidTypeError("opening", f"{shown(opening)} is not a Balances", "a Balances")
    expected = year_start(contract, period)
    if opening.year_starts_on != expected:
        raise InvalidValueError(
            "opening.year_starts_on",
            f"{opening.year_starts_on} is not the start of the contract year of {period.label}",
            f"{expected}, the first day of that contract year",
        )
    return opening


def series(
    contract: Contract, periods: Sequence[BillingPeriod], *, opening: Balances | None = None
) -> list[BillingPeriod]:
    """The periods to price, in order, so that each of ``periods`` gets its balances.

    For a contract with a contract-year clause: every period from the first
    of the contract year that holds the earliest of ``periods`` (or from
    that period itself, given an ``opening`` balance) through the latest.
    Otherwise ``periods`` themselves, in order. A pilot's periods before the
    term come first, as they are: no contract year holds them.

    Examples:
        >>> from resolutionpricing import BillingPeriod, load_contract
        >>> from resolutionpricing._contract_year import series
        >>> [p.label for p in series(load_contract("examples/annual-contract.toml"), [BillingPeriod.parse("2026-09")])]
        ['2026-07', '2026-08', '2026-09']
    """
    everything = sorted(set(periods))
    if not everything or not uses_contract_year(contract):
        return everything
    # The pilot's periods before the term carry no balance: priced as they are.
    before_term = [period for period in everything if not contract.in_term(period)]
    ordered = [period for period in everything if contract.in_term(period)]
    if not ordered:
        return before_term
    first = ordered[0]
    if opening is None:
        first = BillingPeriod(start=year_start(contract, first), cadence=first.cadence)
    found = [first]
    while found[-1] < ordered[-1]:
        found.append(found[-1].next())
    return [*before_term, *found]


def price_series(
    contract: Contract,
    periods: Sequence[BillingPeriod],
    price: Callable[[BillingPeriod, Balances | None], Invoice],
    *,
    opening: Balances | None = None,
) -> dict[str, Invoice]:
    """Price ``periods`` (consecutive, from `series`) in order, each from the balances of the one before.

    ``price(period, balances_before)`` prices one period; the first starts
    from ``opening`` (None: a fresh contract year).
    """
    priced: dict[str, Invoice] = {}
    balances = None
    for period in periods:
        if opening is not None and contract.in_term(period):
            balances, opening = opening, None  # the first period of the term opens from it
        invoice = price(period, balances)
        priced[period.label] = invoice
        after = invoice.balances_after
        balances = None if after is None else _following(contract, after, period)
    return priced


def _following(contract: Contract, after: Balances, period: BillingPeriod) -> Balances | None:
    following = period.next()
    if contract.ends_on is not None and following.start > contract.ends_on:
        return None
    return next_balances(contract, after, following)
