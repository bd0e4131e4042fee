"""The contract: currency, rounding, term, resolution rule, tiers, caps and fees."""

from __future__ import annotations

import decimal
import hashlib
import itertools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from resolutionpricing._audit_clause import AuditClause
from resolutionpricing._automation import AutomationBand, band_problems
from resolutionpricing._billing_clause import BillingClause
from resolutionpricing._caps import Cap, PauseCap, SpendCap, StepDownCap
from resolutionpricing._contract_view import contract_html, contract_text
from resolutionpricing._contract_year import Accumulate, IncludedAllowance
from resolutionpricing._errors import (
    TEXT_ALLOWED,
    ContractError,
    InvalidTypeError,
    InvalidValueError,
    has_surrogate,
    parse_choice,
    shown,
)
from resolutionpricing._fees import (
    Fee,
    ImplementationFee,
    MinimumCommitment,
    OneTimeFee,
    PerEscalationFee,
    PrepaidCommitment,
    RecurringFee,
)
from resolutionpricing._limits import MAX_ITEMS, check_count
from resolutionpricing._money import ARITHMETIC, Rounding, minor_unit, round_money, to_decimal
from resolutionpricing._periods import BillingPeriod, Cadence, check_date, zone
from resolutionpricing._pilot_clause import Pilot
from resolutionpricing._rules import ResolutionRule
from resolutionpricing._tiers import PackagePricing, PricingMode, TierSchedule

__all__ = ["RESERVED_CODES", "Contract"]

RESERVED_CODES = frozenset(
    {
        "resolutions",
        "spend_cap",
        "minimum_commitment",
        "escalations",
        "implementation",
        "automation_adjustment",
        "volume_true_up",
        "prepaid_commitment",
        "commitment_drawdown",
        "commitment_lapsed",
        "pilot_resolutions",
    }
)
"""Line codes the calculator uses itself; a fee's own code may not be one of them."""

_CAP_TYPES = (PauseCap, StepDownCap, SpendCap)
_FEE_TYPES = (
    ImplementationFee,
    RecurringFee,
    PerEscalationFee,
    OneTimeFee,
    MinimumCommitment,
    PrepaidCommitment,
)


def _name(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(
            "name", f"{shown(value)} is empty or not a string", "a string naming the contract"
        )
    if has_surrogate(value):
        raise InvalidValueError("name", f"{shown(value)} holds a lone surrogate", TEXT_ALLOWED)


def _optional_text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidValueError(
            f"contract.{attribute.name}",
            f"{value!r} is empty or not a string",
            "a non-empty string, or no value",
        )


def _currency(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError(
            "currency", f"{shown(value)} is not a string", 'an ISO 4217 code such as "AED"'
        )
    minor_unit(value)


def _timezone(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidTypeError(
            "timezone", f"{shown(value)} is not a string", 'an IANA name such as "Asia/Dubai"'
        )
    zone(value)


def _date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidTypeError(
            attribute.name, f"{shown(value)} is not a date", "a date such as 2026-07-01"
        )
    check_date(value, attribute.name)


def _optional_date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _date(_instance, attribute, value)


def _pricing(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, (TierSchedule, PackagePricing)):
        raise InvalidTypeError(
            "pricing",
            f"{shown(value)} is not a TierSchedule or a PackagePricing",
            "TierSchedule.graduated(...), TierSchedule.volume(...) or PackagePricing(...)",
        )


def _resolution(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ResolutionRule):
        raise InvalidTypeError(
            "resolution", f"{shown(value)} is not a ResolutionRule", "a ResolutionRule"
        )


def _audit(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, AuditClause):
        raise InvalidTypeError(
            "audit", f"{value!r} is not an AuditClause", "an AuditClause or None"
        )


def _billing(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, BillingClause):
        raise InvalidTypeError("billing", f"{value!r} is not a BillingClause", "a BillingClause")


def _billing_period(value: object) -> Cadence:
    return parse_choice(Cadence, value, "billing_period")


def _rounding(value: object) -> Rounding:
    return parse_choice(Rounding, value, "rounding")


def _tax_rate(value: object) -> Decimal:
    rate = to_decimal(value, "tax_rate", minimum=Decimal(0))
    if rate >= 1:
        raise InvalidValueError(
            "tax_rate", f"{rate} is 100 % or more", 'a fraction from 0 up to 1, such as "0.05"'
        )
    return rate


def _increment(value: object) -> Decimal | None:
    if value is None:
        return None
    step = to_decimal(value, "rounding_increment")
    if step <= 0:
        raise InvalidValueError(
            "rounding_increment", f"{step} is not above 0", 'a positive step such as "0.010"'
        )
    return step


def _items(values: object, name: str, kinds: tuple[type, ...]) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidTypeError(name, f"{shown(values)} is not a list", f"a list of {name}")
    items = tuple(itertools.islice(values, MAX_ITEMS + 1))
    check_count(items, name)
    for index, item in enumerate(items):
        if not isinstance(item, kinds):
            allowed = ", ".join(kind.__name__ for kind in kinds)
            raise InvalidTypeError(
                f"{name}[{index}]", f"{shown(item)} is not one of {allowed}", f"one of {allowed}"
            )
    return items


def _bands(values: object) -> tuple[AutomationBand, ...]:
    return _items(values, "automation_bands", (AutomationBand,))


def _caps(values: object) -> tuple[Cap, ...]:
    return _items(values, "caps", _CAP_TYPES)


def _accumulate(value: object) -> Accumulate:
    return parse_choice(Accumulate, value, "accumulate")


def _allowance(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, IncludedAllowance):
        raise InvalidTypeError(
            "allowance",
            f"{shown(value)} is not an IncludedAllowance",
            "an IncludedAllowance or None",
        )


def _channel_pricing(value: object) -> Mapping[str, TierSchedule]:
    if not isinstance(value, Mapping):
        raise InvalidTypeError(
            "pricing.channels",
            f"{shown(value)} is not a mapping",
            'a mapping of channel to TierSchedule, such as {"voice": TierSchedule.graduated(...)}',
        )
    checked: dict[str, TierSchedule] = {}
    for channel in sorted(value, key=str):
        schedule = value[channel]
        if not isinstance(channel, str) or not channel.strip() or has_surrogate(channel):
            raise InvalidValueError(
                "pricing.channels", f"{shown(channel)} is not a channel name", "a channel name"
            )
        if not isinstance(schedule, TierSchedule):
            raise InvalidTypeError(
                f"pricing.channels.{channel}",
                f"{shown(schedule)} is not a TierSchedule",
                "TierSchedule.graduated(...) or TierSchedule.volume(...)",
            )
        checked[channel] = schedule
    return MappingProxyType(checked)


def _pilot(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Pilot):
        raise InvalidTypeError("pilot", f"{shown(value)} is not a Pilot", "a Pilot or None")


def _fees(values: object) -> tuple[Fee, ...]:
    return _items(values, "fees", _FEE_TYPES)


@attrs.frozen(kw_only=True)
class Contract:
    """A per-resolution contract, everything needed to price a billing period.

    Build it in Python or load it from TOML with `load_contract`. Fields are
    checked one by one as they are set; then the contract as a whole is
    checked, and every problem found there is raised at once as a
    `ContractError`: fixed amounts with more decimals than the currency has,
    a rounding increment that is not a whole number of minor units, an end
    before the start, duplicate or reserved line codes, two caps of one kind,
    more than one escalation fee or minimum commitment, or automation bands
    that share an ``at_least`` (or more than 20 of them).

    Attributes:
        name: the contract's name, shown on invoices.
        id: a stable identifier of the contract (``"GT-2026-001"``), or None;
            recorded on its invoices.
        account_id: the account whose log rows the contract bills (the log's
            ``account_id`` column), or None: the rows without an account.
        currency: an ISO 4217 code (``AED``).
        timezone: the IANA time zone whose calendar defines the periods.
        starts_on: the first day of the term.
        ends_on: the last day of the term, inclusive (None: open-ended).
        billing_period: `Cadence.MONTHLY` (default) or `Cadence.QUARTERLY`.
        rounding: how lines and tax are rounded (default half-up).
        rounding_increment: a rounding step in the currency (``0.010`` KWD).
        tax_rate: the tax on the subtotal (``0.05`` for UAE VAT; default 0).
        resolution: the definition of a billable resolution.
        pricing: the pricing of resolutions: a `TierSchedule` (graduated or
            volume) or a `PackagePricing`.
        caps: volume caps (applied pause, step-down, spend).
        fees: the fee items.
        automation_bands: the automation-linked price (`AutomationBand`s, in
            the file ``[[pricing.automation_bands]]``): a factor on the
            resolution charge after caps by the period's containment rate.
        audit: the audit credit clause (`AuditClause`), or None when the
            contract grants no audit credit.
        billing: the ``[billing]`` clause (`BillingClause`): whether pending
            contacts wait or bill provisionally.
        accumulate: what the tiers count (`Accumulate`): the period's units
            (default) or the contract year's (``[pricing] accumulate``).
        allowance: the resolutions included in the price
            (`IncludedAllowance`, ``[pricing] included``), or None.
        channel_pricing: channels with their own `TierSchedule`
            (``[pricing.channels.voice]``): each bills on a
            ``resolutions:<channel>`` line with its own tier count; the other
            channels share ``pricing`` on the ``resolutions`` line.
        pilot: a pilot at its own price (`Pilot`, ``[pilot]``), or None.

    Examples:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from resolutionpricing import Contract, Tier, TierSchedule
        >>> contract = Contract(
        ...     name="Pilot",
        ...     currency="AED",
        ...     timezone="Asia/Dubai",
        ...     starts_on=date(2026, 7, 1),
        ...     pricing=TierSchedule.graduated([Tier(up_to=None, unit_price="3.50")]),
        ... )
        >>> contract.round(Decimal("10.005"))
        Decimal('10.01')
    """

    name: str = attrs.field(validator=_name)
    currency: str = attrs.field(validator=_currency)
    timezone: str = attrs.field(validator=_timezone)
    starts_on: date = attrs.field(validator=_date)
    pricing: TierSchedule | PackagePricing = attrs.field(validator=_pricing)
    ends_on: date | None = attrs.field(default=None, validator=_optional_date)
    billing_period: Cadence = attrs.field(
        default=Cadence.MONTHLY,
        converter=_billing_period,
    )
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_rounding)
    rounding_increment: Decimal | None = attrs.field(default=None, converter=_increment)
    tax_rate: Decimal = attrs.field(default=Decimal(0), converter=_tax_rate)
    resolution: ResolutionRule = attrs.field(factory=ResolutionRule, validator=_resolution)
    caps: tuple[Cap, ...] = attrs.field(default=(), converter=_caps)
    fees: tuple[Fee, ...] = attrs.field(default=(), converter=_fees)
    automation_bands: tuple[AutomationBand, ...] = attrs.field(default=(), converter=_bands)
    audit: AuditClause | None = attrs.field(default=None, validator=_audit)
    billing: BillingClause = attrs.field(factory=BillingClause, validator=_billing)
    accumulate: Accumulate = attrs.field(default=Accumulate.PERIOD, converter=_accumulate)
    allowance: IncludedAllowance | None = attrs.field(default=None, validator=_allowance)
    # A mapping cannot be hashed: the contract's hash leaves it out (equality does not).
    channel_pricing: Mapping[str, TierSchedule] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_channel_pricing, hash=False
    )
    pilot: Pilot | None = attrs.field(default=None, validator=_pilot)
    id: str | None = attrs.field(default=None, validator=_optional_text)
    account_id: str | None = attrs.field(default=None, validator=_optional_text)
    # A memo of `fingerprint` (a pure function of the other fields): computing it
    # is a JSON dump and a hash, too slow to repeat for every invoice of a run.
    _fingerprint: str | None = attrs.field(
        default=None, init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ContractError(f"contract has {_count(problems)}", problems)

    def problems(self) -> list[InvalidValueError | InvalidTypeError]:
        """Every problem of the contract as a whole (fields are checked on their own).

        Paths are those of the TOML file (``contract.currency``, ``fees[2].code``).
        """
        problems: list[InvalidValueError | InvalidTypeError] = []
        if self.ends_on is not None and self.ends_on < self.starts_on:
            problems.append(
                InvalidValueError(
                    "contract.ends_on",
                    f"{self.ends_on} is before starts_on ({self.starts_on})",
                    "a date on or after starts_on",
                )
            )
        problems.extend(self._year_problems())
        problems.extend(self._clause_conflicts())
        problems.extend(band_problems(self.automation_bands, "pricing.automation_bands"))
        problems.extend(self._amount_problems())
        problems.extend(self._item_problems())
        return problems

    def _clause_conflicts(self) -> list[InvalidValueError | InvalidTypeError]:
        """Clauses that cannot price together, each refused with the clause it conflicts with."""
        problems: list[InvalidValueError | InvalidTypeError] = []
        if self.channel_pricing:
            for index, cap in enumerate(self.caps):
                if isinstance(cap, (PauseCap, StepDownCap)):
                    problems.append(
                        InvalidValueError(
                            f"caps[{index}].kind",
                            f'a "{cap.kind}" cap counts units, and [pricing.channels] prices '
                            "each channel's units apart",
                            'per-channel prices with a "spend" cap (on the sum of the resolution '
                            "lines), or one schedule for every channel",
                        )
                    )
            if self.allowance is not None:
                problems.append(
                    InvalidValueError(
                        "pricing.included",
                        "an included allowance with [pricing.channels] does not say which "
                        "channel's units it covers",
                        "an allowance or per-channel prices, not both",
                    )
                )
        pilot = self.pilot
        if pilot is not None and self.ends_on is not None and pilot.starts_on > self.ends_on:
            problems.append(
                InvalidValueError(
                    "pilot.starts_on",
                    f"{pilot.starts_on} is after the term's end ({self.ends_on})",
                    "a pilot that starts before the term ends",
                )
            )
        return problems

    def _year_problems(self) -> list[InvalidValueError | InvalidTypeError]:
        """A contract with a contract-year clause starts on a period's first day.

        The clauses of contract years (issue #10): cumulative tiers, an
        included allowance, a prepaid commitment, a pilot, per-channel and
        package prices.
        """
        first = BillingPeriod.containing(self.starts_on, self.billing_period)
        if first.start == self.starts_on:
            return []
        clauses = [
            name
            for name, used in (
                ('accumulate = "contract_year"', self.accumulate is Accumulate.CONTRACT_YEAR),
                ("included", self.allowance is not None),
                (
                    "a prepaid_commitment fee",
                    any(isinstance(fee, PrepaidCommitment) for fee in self.fees),
                ),
                ("a [pilot]", self.pilot is not None),
                ("[pricing.channels]", bool(self.channel_pricing)),
                ('mode = "package"', self.pricing.mode is PricingMode.PACKAGE),
            )
            if used
        ]
        if not clauses:
            return []
        return [
            InvalidValueError(
                "contract.starts_on",
                f"{self.starts_on} is not the first day of a {self.billing_period.value} period, "
                f"and the contract uses {', '.join(clauses)}",
                f"the first day of a billing period, such as {first.next().start}, so that "
                "each period lies in one contract year",
            )
        ]

    def _amount_problems(self) -> list[InvalidValueError | InvalidTypeError]:
        """Fixed amounts must be whole minor units, or whole increments if one is set.

        Otherwise a spend cap or a commitment could not be met exactly by lines
        that are each rounded to the currency (or the increment).
        """
        minor = Decimal(1).scaleb(-minor_unit(self.currency))
        problems: list[InvalidValueError | InvalidTypeError] = []
        step, unit = minor, f"whole minor units of {self.currency} ({minor})"
        if self.rounding_increment is not None:
            if _whole_steps(self.rounding_increment, minor):
                step = self.rounding_increment
                unit = f"whole rounding increments ({step})"
            else:
                problems.append(
                    InvalidValueError(
                        "contract.rounding_increment",
                        f"{self.rounding_increment} is not a whole number of {self.currency} minor units ({minor})",
                        f"a multiple of {minor}",
                    )
                )
        amounts: list[tuple[Decimal | None, str]] = [
            (cap.limit, f"caps[{index}].limit")
            for index, cap in enumerate(self.caps)
            if isinstance(cap, SpendCap)
        ]
        for index, fee in enumerate(self.fees):
            if isinstance(fee, ImplementationFee):
                amounts.append((fee.cap, f"fees[{index}].cap"))
                amounts.extend(
                    (milestone.amount, f"fees[{index}].milestones[{number}].amount")
                    for number, milestone in enumerate(fee.milestones)
                )
            elif isinstance(fee, (RecurringFee, OneTimeFee, MinimumCommitment, PrepaidCommitment)):
                amounts.append((fee.amount, f"fees[{index}].amount"))
        problems.extend(
            InvalidValueError(path, f"{amount} is not in {unit}", f"a multiple of {step}")
            for amount, path in amounts
            if amount is not None and not _whole_steps(amount, step)
        )
        return problems

    def _item_problems(self) -> list[InvalidValueError | InvalidTypeError]:
        problems: list[InvalidValueError | InvalidTypeError] = []
        seen_caps: dict[str, int] = {}
        for index, cap in enumerate(self.caps):
            if cap.kind in seen_caps:
                problems.append(
                    InvalidValueError(
                        f"caps[{index}].kind",
                        f'a second "{cap.kind}" cap (the first is caps[{seen_caps[cap.kind]}])',
                        "at most one cap of each kind",
                    )
                )
            seen_caps.setdefault(cap.kind, index)
        seen_codes: dict[str, int] = {}
        singles: dict[str, int] = {}
        problems.extend(self._deliverable_problems())
        for index, fee in enumerate(self.fees):
            if isinstance(fee, (PerEscalationFee, MinimumCommitment, PrepaidCommitment)):
                if fee.kind in singles:
                    problems.append(
                        InvalidValueError(
                            f"fees[{index}].kind",
                            f'a second "{fee.kind}" fee (the first is fees[{singles[fee.kind]}])',
                            f'at most one "{fee.kind}" fee',
                        )
                    )
                singles.setdefault(fee.kind, index)
            if isinstance(fee, (RecurringFee, OneTimeFee)):
                if fee.code in RESERVED_CODES:
                    problems.append(
                        InvalidValueError(
                            f"fees[{index}].code",
                            f"{shown(fee.code)} is reserved for the calculator's own lines",
                            "a code other than " + ", ".join(sorted(RESERVED_CODES)),
                        )
                    )
                elif fee.code in seen_codes:
                    problems.append(
                        InvalidValueError(
                            f"fees[{index}].code",
                            f"{shown(fee.code)} is already the code of fees[{seen_codes[fee.code]}]",
                            "a code used by one fee only",
                        )
                    )
                seen_codes.setdefault(fee.code, index)
        return problems

    def to_text(self) -> str:
        """The contract as readable fixed-width tables: head, rule, tiers, caps, fees.

        Values are written as in the contract file (``48h``, ``pro_rata``).

        Examples:
            >>> from resolutionpricing import load_contract
            >>> print(load_contract("examples/contract.toml").to_text())  # doctest: +ELLIPSIS
            Gulf Telecom: AI resolution agreement
            <BLANKLINE>
            Contract
            key             value
            currency        AED
            ...
            Pricing (graduated)
            tier  above  up_to  unit_price  flat_fee
               1      0   5000        3.50      0.00
               2   5000  20000        2.75      0.00
               3  20000      -        2.00      0.00
            ...
        """
        return contract_text(self)

    def _repr_html_(self) -> str:
        """The tables of `Contract.to_text` as HTML, for notebooks."""
        return contract_html(self)

    def _deliverable_problems(self) -> list[InvalidValueError | InvalidTypeError]:
        """Each milestone's line key is ``implementation:<deliverable>``: it must be unique."""
        problems: list[InvalidValueError | InvalidTypeError] = []
        seen: dict[str, str] = {}
        for index, fee in enumerate(self.fees):
            if not isinstance(fee, ImplementationFee):
                continue
            for number, milestone in enumerate(fee.milestones):
                path = f"fees[{index}].milestones[{number}].deliverable"
                if milestone.deliverable in seen:
                    problems.append(
                        InvalidValueError(
                            path,
                            f"{milestone.deliverable!r} is already the deliverable of {seen[milestone.deliverable]}",
                            "one milestone per deliverable (its line key is implementation:<deliverable>)",
                        )
                    )
                seen.setdefault(milestone.deliverable, path.removesuffix(".deliverable"))
        return problems

    @property
    def fingerprint(self) -> str:
        """The sha256 of the contract's canonical form, in hex: equal contracts share it.

        The canonical form is the contract file's data as JSON with sorted
        keys and every decimal in normal form, so ``"3.5"`` and ``"3.50"``
        give one fingerprint. Invoices record it as ``contract_fingerprint``.

        Examples:
            >>> from resolutionpricing import load_contract
            >>> contract = load_contract("examples/contract.toml")
            >>> len(contract.fingerprint), contract.fingerprint == load_contract("examples/contract.toml").fingerprint
            (64, True)
        """
        if self._fingerprint is None:
            # The file format lives in _files, which imports this module.
            from resolutionpricing._files import canonical_contract_json  # noqa: PLC0415

            text = canonical_contract_json(self)
            # Frozen, but the memo may be filled once: the value never changes.
            object.__setattr__(self, "_fingerprint", hashlib.sha256(text.encode()).hexdigest())
        return str(self._fingerprint)

    @property
    def minor_unit(self) -> int:
        """The currency's ISO 4217 minor-unit exponent (2 for AED, 3 for KWD)."""
        return minor_unit(self.currency)

    def round(self, amount: Decimal) -> Decimal:
        """Round ``amount`` to the currency (and increment) with the contract's mode."""
        return round_money(amount, self.currency, self.rounding, self.rounding_increment)

    def period(self, period: BillingPeriod | str) -> BillingPeriod:
        """Check a period (or read a label such as ``"2026-10"``) against the contract.

        The period must be of the contract's cadence and overlap its term.

        Examples:
            >>> from resolutionpricing import load_contract
            >>> contract = load_contract("examples/contract.toml")
            >>> contract.period("2026-10").label
            '2026-10'
            >>> contract.period("2026-Q4")
            Traceback (most recent call last):
            ...
            resolutionpricing.InvalidValueError: period: 2026-Q4 is quarterly but the contract bills monthly; a monthly period such as "2026-10"
        """
        resolved = BillingPeriod.parse(period) if isinstance(period, str) else period
        if not isinstance(resolved, BillingPeriod):
            raise InvalidTypeError(
                "period",
                f"{shown(period)} is not a period",
                'a BillingPeriod or a label such as "2026-10"',
            )
        if resolved.cadence is not self.billing_period:
            example = '"2026-10"' if self.billing_period is Cadence.MONTHLY else '"2026-Q4"'
            raise InvalidValueError(
                "period",
                f"{resolved.label} is {resolved.cadence.value} but the contract bills {self.billing_period.value}",
                f"a {self.billing_period.value} period such as {example}",
            )
        if not self.bills(resolved):
            term = f"{self.starts_on} to {self.ends_on or 'open end'}"
            pilot = "" if self.pilot is None else " or its pilot"
            raise InvalidValueError(
                "period",
                f"{resolved.label} is outside the contract's term ({term}){pilot}",
                f"a period that overlaps the term{pilot}",
            )
        return resolved

    def in_term(self, period: BillingPeriod) -> bool:
        """Whether ``period`` overlaps the contract's term (its first day to ``ends_on``).

        Examples:
            >>> from resolutionpricing import BillingPeriod, load_contract
            >>> load_contract("examples/contract.toml").in_term(BillingPeriod.parse("2026-06"))
            False
        """
        return period.end > self.starts_on and (
            self.ends_on is None or period.start <= self.ends_on
        )

    def bills(self, period: BillingPeriod) -> bool:
        """Whether the contract bills ``period``: it overlaps the term or the pilot.

        Examples:
            >>> from resolutionpricing import BillingPeriod, load_contract
            >>> load_contract("examples/annual-contract.toml").bills(BillingPeriod.parse("2026-06"))
            True
        """
        pilot = self.pilot
        in_pilot = (
            pilot is not None and period.end > pilot.starts_on and period.start <= pilot.ends_on
        )
        return in_pilot or self.in_term(period)


def _whole_steps(amount: Decimal, step: Decimal) -> bool:
    """Whether ``amount`` is a whole number of ``step`` (amounts are bounded by `to_decimal`)."""
    with decimal.localcontext(ARITHMETIC):
        return amount % step == 0


def _count(problems: list[InvalidValueError | InvalidTypeError]) -> str:
    return "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
