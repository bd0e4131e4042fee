"""Invoices and their lines, their typed details, and their canonical JSON form.

Decimals are written in one normal form, so that equal invoices give equal
JSON and equal fingerprints however their numbers were written: money
(amounts, unit prices, caps, exact amounts) with no trailing zeros beyond the
currency's minor unit but at least its places (``"3.50"``, ``"0.125"`` in
AED); quantities, units and rates with no trailing zeros (``"12000"``). Never
an exponent.

`Invoice.from_dict` reads the JSON data back to an equal invoice, checking
that its figures add up.
"""

from __future__ import annotations

import decimal
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, TypeVar

import attrs

from resolutionpricing._adjustment import Adjustment
from resolutionpricing._contract_year import Balances
from resolutionpricing._errors import InvalidTypeError, InvalidValueError, parse_choice
from resolutionpricing._money import (
    ARITHMETIC,
    Rounding,
    format_decimal,
    minor_unit,
    round_money,
    to_decimal,
)
from resolutionpricing._periods import BillingPeriod
from resolutionpricing._tiers import PricingMode, TierPart
from resolutionpricing._usage import Usage, normal_text

__all__ = [
    "AutomationDetails",
    "CarriedAdjustmentDetails",
    "CommitmentDetails",
    "CumulativeDetails",
    "FORMAT_VERSION",
    "ImplementationDetails",
    "Invoice",
    "LineDetails",
    "LineItem",
    "MinimumCommitmentDetails",
    "OneTimeFeeDetails",
    "PauseDetails",
    "ResolutionDetails",
    "SpendCapDetails",
    "StepDownDetails",
    "VolumeTrueUpDetails",
]

FORMAT_VERSION: Final = 1
"""The version of the invoice JSON, written as its ``format`` key."""

_T = TypeVar("_T")


def money_text(value: Decimal, places: int) -> str:
    """Money in normal form: no trailing zeros past ``places``, and at least ``places`` places.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._invoice import money_text
        >>> money_text(Decimal("3.5"), 2), money_text(Decimal("0.1250"), 2), money_text(Decimal("5E+3"), 0)
        ('3.50', '0.125', '5000')
    """
    with decimal.localcontext(ARITHMETIC):
        value = value.normalize()
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -places:
            value = value.quantize(Decimal(1).scaleb(-places))
    return format_decimal(value)


def _optional_money(value: Decimal | None, places: int) -> str | None:
    return None if value is None else money_text(value, places)


def _optional_normal(value: Decimal | None) -> str | None:
    return None if value is None else normal_text(value)


class _Fields:
    """Reads one JSON object's keys, each with its path, refusing unknown and missing keys."""

    def __init__(self, data: object, path: str, keys: Iterable[str]) -> None:
        if not isinstance(data, Mapping):
            raise InvalidTypeError(path, f"{data!r} is not an object", "a JSON object")
        allowed = tuple(keys)
        for key in data:
            if key not in allowed:
                raise InvalidValueError(
                    f"{path}.{key}", "is not a known key", "the keys are " + ", ".join(allowed)
                )
        for key in allowed:
            if key not in data:
                raise InvalidValueError(f"{path}.{key}", "is missing", "this key is required")
        self.data: Mapping[str, object] = data
        self.path = path

    def decimal(self, key: str, *, minimum: Decimal | None = None) -> Decimal:
        value = self.data[key]
        if not isinstance(value, str):
            raise InvalidTypeError(
                f"{self.path}.{key}",
                f"{value!r} is not a string",
                'a decimal string such as "3.50"',
            )
        return to_decimal(value, f"{self.path}.{key}", minimum=minimum)

    def optional_decimal(self, key: str) -> Decimal | None:
        return None if self.data[key] is None else self.decimal(key)

    def text(self, key: str) -> str:
        value = self.data[key]
        if not isinstance(value, str):
            raise InvalidTypeError(f"{self.path}.{key}", f"{value!r} is not a string", "a string")
        return value

    def optional_text(self, key: str) -> str | None:
        return None if self.data[key] is None else self.text(key)

    def integer(self, key: str) -> int:
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidTypeError(f"{self.path}.{key}", f"{value!r} is not an integer", "a number")
        return value

    def day(self, key: str) -> date:
        text = self.text(key)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidValueError(
                f"{self.path}.{key}", f"{text!r} is not a date", "a date such as 2026-07-15"
            ) from None

    def nested(self, key: str, read: Callable[[object, str], _T]) -> _T | None:
        value = self.data[key]
        return None if value is None else read(value, f"{self.path}.{key}")


@attrs.frozen(kw_only=True)
class PauseDetails:
    """How a pause cap shaped the resolution charge.

    Attributes:
        limit: the units billed at most.
        billable_units: the period's billable units before the cap.
        overflow_units: the units the cap kept off the bill.
        overflow_from: from a log, the id of the first contact that
            overflowed (by ``ended_at``, ``started_at``, id), or None.

    Examples:
        >>> from resolutionpricing import PauseDetails
        >>> PauseDetails(limit=50000, billable_units=52000, overflow_units=2000).to_dict(2)
        {'limit': '50000', 'billable_units': '52000', 'overflow_units': '2000'}
    """

    limit: Decimal = attrs.field(converter=to_decimal)
    billable_units: Decimal = attrs.field(converter=to_decimal)
    overflow_units: Decimal = attrs.field(converter=to_decimal)
    overflow_from: str | None = None

    def to_dict(self, places: int) -> dict[str, object]:  # noqa: ARG002 -- one signature for every details type
        """The details as JSON-safe data (``overflow_from`` only when there is one)."""
        data: dict[str, object] = {
            "limit": normal_text(self.limit),
            "billable_units": normal_text(self.billable_units),
            "overflow_units": normal_text(self.overflow_units),
        }
        if self.overflow_from is not None:
            data["overflow_from"] = self.overflow_from
        return data

    @classmethod
    def from_dict(cls, data: object, path: str = "details.pause") -> PauseDetails:
        """Read `PauseDetails.to_dict`'s data back."""
        keys = ["limit", "billable_units", "overflow_units"]
        if isinstance(data, Mapping) and "overflow_from" in data:
            keys.append("overflow_from")
        fields = _Fields(data, path, keys)
        return cls(
            limit=fields.decimal("limit"),
            billable_units=fields.decimal("billable_units"),
            overflow_units=fields.decimal("overflow_units"),
            overflow_from=fields.text("overflow_from") if "overflow_from" in keys else None,
        )


@attrs.frozen(kw_only=True)
class StepDownDetails:
    """The units a step-down cap priced at its lower rate.

    Attributes:
        above: the units above which the step-down rate applies.
        quantity: the units priced at it.
        unit_price: the step-down rate.
        amount: ``quantity * unit_price``, unrounded.

    Examples:
        >>> from resolutionpricing import StepDownDetails
        >>> StepDownDetails(above=30000, quantity=15000, unit_price="1.5", amount="22500").to_dict(2)
        {'above': '30000', 'quantity': '15000', 'unit_price': '1.50', 'amount': '22500.00'}
    """

    above: Decimal = attrs.field(converter=to_decimal)
    quantity: Decimal = attrs.field(converter=to_decimal)
    unit_price: Decimal = attrs.field(converter=to_decimal)
    amount: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data, money with the currency's ``places``."""
        return {
            "above": normal_text(self.above),
            "quantity": normal_text(self.quantity),
            "unit_price": money_text(self.unit_price, places),
            "amount": money_text(self.amount, places),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "details.step_down") -> StepDownDetails:
        """Read `StepDownDetails.to_dict`'s data back."""
        fields = _Fields(data, path, ("above", "quantity", "unit_price", "amount"))
        return cls(**{key: fields.decimal(key) for key in fields.data})


def _tier_to_dict(part: TierPart, places: int) -> dict[str, object]:
    return {
        "tier": part.index + 1,
        "from": normal_text(part.lower),
        "up_to": _optional_normal(part.up_to),
        "quantity": normal_text(part.quantity),
        "unit_price": money_text(part.unit_price, places),
        "flat_fee": money_text(part.flat_fee, places),
        "amount": money_text(part.amount, places),
    }


def _tier_from_dict(data: object, path: str) -> TierPart:
    keys = ("tier", "from", "up_to", "quantity", "unit_price", "flat_fee", "amount")
    fields = _Fields(data, path, keys)
    return TierPart(
        index=fields.integer("tier") - 1,
        lower=fields.decimal("from"),
        up_to=fields.optional_decimal("up_to"),
        quantity=fields.decimal("quantity"),
        unit_price=fields.decimal("unit_price"),
        flat_fee=fields.decimal("flat_fee"),
        amount=fields.decimal("amount"),
    )


def _tier_parts(value: Iterable[TierPart]) -> tuple[TierPart, ...]:
    return tuple(value)


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _mode(value: object) -> PricingMode:
    return parse_choice(PricingMode, value, "mode")


@attrs.frozen(kw_only=True)
class ResolutionDetails:
    """How the ``resolutions`` line was reached: tier by tier, then the caps.

    Attributes:
        mode: graduated, volume or package.
        tiers: one `TierPart` per tier that priced units (or charged a flat
            fee). Under package prices, one part whose ``quantity`` counts
            packages at the package price, above ``lower``, the free units.
        pause: the pause cap's effect, with one.
        step_down: the step-down cap's effect, with one.
        exact_amount: the charge before rounding.
        included_units: the units the included allowance covered (None:
            the contract has no allowance).
        cumulative: with ``accumulate = "contract_year"``, the contract
            year's position before and after the period
            (`CumulativeDetails`); the tiers then show the increment.

    Examples:
        >>> from resolutionpricing import load_contract, quote
        >>> details = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000).line("resolutions").details
        >>> [part.quantity for part in details.tiers], details.exact_amount
        ([Decimal('5000'), Decimal('7000')], Decimal('36750.00'))
    """

    mode: PricingMode = attrs.field(converter=_mode)
    tiers: tuple[TierPart, ...] = attrs.field(converter=_tier_parts)
    exact_amount: Decimal = attrs.field(converter=to_decimal)
    pause: PauseDetails | None = None
    step_down: StepDownDetails | None = None
    included_units: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    cumulative: CumulativeDetails | None = None

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data (``pause``, ``step_down``, ``included_units``, ``cumulative`` only when used)."""
        data: dict[str, object] = {
            "mode": self.mode.value,
            "tiers": [_tier_to_dict(part, places) for part in self.tiers],
        }
        if self.pause is not None:
            data["pause"] = self.pause.to_dict(places)
        if self.step_down is not None:
            data["step_down"] = self.step_down.to_dict(places)
        if self.included_units is not None:
            data["included_units"] = normal_text(self.included_units)
        if self.cumulative is not None:
            data["cumulative"] = self.cumulative.to_dict(places)
        data["exact_amount"] = money_text(self.exact_amount, places)
        return data

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> ResolutionDetails:
        """Read `ResolutionDetails.to_dict`'s data back."""
        keys = ["mode", "tiers", "exact_amount"]
        optional = ("pause", "step_down", "included_units", "cumulative")
        keys += [key for key in optional if isinstance(data, Mapping) and key in data]
        fields = _Fields(data, path, keys)
        tiers = fields.data["tiers"]
        if not isinstance(tiers, list):
            raise InvalidTypeError(f"{path}.tiers", f"{tiers!r} is not a list", "a list")
        return cls(
            mode=parse_choice(PricingMode, fields.data["mode"], f"{path}.mode"),
            tiers=[_tier_from_dict(part, f"{path}.tiers[{n}]") for n, part in enumerate(tiers)],
            exact_amount=fields.decimal("exact_amount"),
            pause=fields.nested("pause", PauseDetails.from_dict) if "pause" in keys else None,
            step_down=fields.nested("step_down", StepDownDetails.from_dict)
            if "step_down" in keys
            else None,
            included_units=fields.decimal("included_units") if "included_units" in keys else None,
            cumulative=fields.nested("cumulative", CumulativeDetails.from_dict)
            if "cumulative" in keys
            else None,
        )


@attrs.frozen(kw_only=True)
class CumulativeDetails:
    """Where a period's units fall in its contract year's tiers (``accumulate = "contract_year"``).

    The period is charged ``amount_after - amount_before``: the exact price
    of the year's units through the period, less that of the units before it
    (zero before the year's first period).

    Attributes:
        units_before: the year's tier units before the period.
        units_after: the year's tier units through the period.
        amount_before: the exact price already charged for ``units_before``.
        amount_after: the exact price of ``units_after``.

    Examples:
        >>> from resolutionpricing import CumulativeDetails
        >>> CumulativeDetails(units_before=4000, units_after=6000, amount_before="14000", amount_after="20750").to_dict(2)
        {'units_before': '4000', 'units_after': '6000', 'amount_before': '14000.00', 'amount_after': '20750.00'}
    """

    units_before: Decimal = attrs.field(converter=to_decimal)
    units_after: Decimal = attrs.field(converter=to_decimal)
    amount_before: Decimal = attrs.field(converter=to_decimal)
    amount_after: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data."""
        return {
            "units_before": normal_text(self.units_before),
            "units_after": normal_text(self.units_after),
            "amount_before": money_text(self.amount_before, places),
            "amount_after": money_text(self.amount_after, places),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "details.cumulative") -> CumulativeDetails:
        """Read `CumulativeDetails.to_dict`'s data back."""
        keys = ("units_before", "units_after", "amount_before", "amount_after")
        fields = _Fields(data, path, keys)
        return cls(**{key: fields.decimal(key) for key in keys})


@attrs.frozen(kw_only=True)
class VolumeTrueUpDetails:
    """Why a ``volume_true_up`` line is negative: the year crossed into a cheaper volume tier.

    Attributes:
        cumulative: the year's position before and after the period.
        exact_amount: the (negative) exact difference of the year's prices.

    Examples:
        >>> from resolutionpricing import CumulativeDetails, VolumeTrueUpDetails
        >>> position = CumulativeDetails(units_before=4000, units_after=6000, amount_before="28000", amount_after="27000")
        >>> VolumeTrueUpDetails(cumulative=position, exact_amount="-1000").to_dict(2)["exact_amount"]
        '-1000.00'
    """

    cumulative: CumulativeDetails
    exact_amount: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data."""
        return {
            "cumulative": self.cumulative.to_dict(places),
            "exact_amount": money_text(self.exact_amount, places),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> VolumeTrueUpDetails:
        """Read `VolumeTrueUpDetails.to_dict`'s data back."""
        fields = _Fields(data, path, ("cumulative", "exact_amount"))
        return cls(
            cumulative=CumulativeDetails.from_dict(fields.data["cumulative"], f"{path}.cumulative"),
            exact_amount=fields.decimal("exact_amount"),
        )


@attrs.frozen(kw_only=True)
class CommitmentDetails:
    """A prepaid commitment's balance around a ``commitment_drawdown`` or ``commitment_lapsed`` line.

    Attributes:
        balance_before: the balance before the line.
        drawn: what the line drew (the resolution charge it covers; 0 for a
            lapse).
        lapsed: what lapses at the contract year's end (0 for a drawdown).

    Examples:
        >>> from resolutionpricing import CommitmentDetails
        >>> CommitmentDetails(balance_before="1000", drawn="400", lapsed=0).to_dict(2)
        {'balance_before': '1000.00', 'drawn': '400.00', 'lapsed': '0.00'}
    """

    balance_before: Decimal = attrs.field(converter=to_decimal)
    drawn: Decimal = attrs.field(converter=to_decimal)
    lapsed: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data."""
        return {
            "balance_before": money_text(self.balance_before, places),
            "drawn": money_text(self.drawn, places),
            "lapsed": money_text(self.lapsed, places),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> CommitmentDetails:
        """Read `CommitmentDetails.to_dict`'s data back."""
        keys = ("balance_before", "drawn", "lapsed")
        fields = _Fields(data, path, keys)
        return cls(**{key: fields.decimal(key) for key in keys})


@attrs.frozen(kw_only=True)
class SpendCapDetails:
    """The spend cap that brought the resolution charge down.

    Attributes:
        limit: the spend limit.
        gross: the rounded resolution charge before the cap.

    Examples:
        >>> from resolutionpricing import SpendCapDetails
        >>> SpendCapDetails(limit="90000", gross="101250.00").to_dict(2)
        {'limit': '90000.00', 'gross': '101250.00'}
    """

    limit: Decimal = attrs.field(converter=to_decimal)
    gross: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data."""
        return {"limit": money_text(self.limit, places), "gross": money_text(self.gross, places)}

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> SpendCapDetails:
        """Read `SpendCapDetails.to_dict`'s data back."""
        fields = _Fields(data, path, ("limit", "gross"))
        return cls(limit=fields.decimal("limit"), gross=fields.decimal("gross"))


@attrs.frozen(kw_only=True)
class MinimumCommitmentDetails:
    """The commitment a true-up line makes up to.

    Attributes:
        commitment: the minimum commitment.
        resolution_charges: the resolution charge after caps, below it.

    Examples:
        >>> from resolutionpricing import MinimumCommitmentDetails
        >>> MinimumCommitmentDetails(commitment=15000, resolution_charges="350").to_dict(2)
        {'commitment': '15000.00', 'resolution_charges': '350.00'}
    """

    commitment: Decimal = attrs.field(converter=to_decimal)
    resolution_charges: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data."""
        return {
            "commitment": money_text(self.commitment, places),
            "resolution_charges": money_text(self.resolution_charges, places),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> MinimumCommitmentDetails:
        """Read `MinimumCommitmentDetails.to_dict`'s data back."""
        fields = _Fields(data, path, ("commitment", "resolution_charges"))
        return cls(
            commitment=fields.decimal("commitment"),
            resolution_charges=fields.decimal("resolution_charges"),
        )


@attrs.frozen(kw_only=True)
class AutomationDetails:
    """The automation band that scaled the resolution charge (`AutomationBand`).

    Attributes:
        containment_rate: the period's containment rate, as the invoice shows it.
        at_least: the band's lower bound.
        factor: the band's factor on the charge.
        resolution_charge: the resolution charge after caps, before the band.

    Examples:
        >>> from resolutionpricing import AutomationDetails
        >>> AutomationDetails(containment_rate="0.62", at_least="0.60", factor="0.90", resolution_charge="1000").to_dict(2)
        {'containment_rate': '0.62', 'at_least': '0.6', 'factor': '0.9', 'resolution_charge': '1000.00'}
    """

    containment_rate: Decimal = attrs.field(converter=to_decimal)
    at_least: Decimal = attrs.field(converter=to_decimal)
    factor: Decimal = attrs.field(converter=to_decimal)
    resolution_charge: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data."""
        return {
            "containment_rate": normal_text(self.containment_rate),
            "at_least": normal_text(self.at_least),
            "factor": normal_text(self.factor),
            "resolution_charge": money_text(self.resolution_charge, places),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> AutomationDetails:
        """Read `AutomationDetails.to_dict`'s data back."""
        keys = ("containment_rate", "at_least", "factor", "resolution_charge")
        fields = _Fields(data, path, keys)
        return cls(**{key: fields.decimal(key) for key in keys})


@attrs.frozen(kw_only=True)
class ImplementationDetails:
    """One accepted milestone of an implementation fee.

    Attributes:
        deliverable: what was delivered.
        accepted_on: when it was accepted.
        milestone_amount: the milestone's amount before the cap.
        waived: the part the cap waived.
        cap: the fee's cap, or None.
        billed_to_date: what the fee has billed up to and including this milestone.

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import ImplementationDetails
        >>> ImplementationDetails(deliverable="API", accepted_on=date(2026, 7, 15), milestone_amount=80000,
        ...                       waived=0, cap=None, billed_to_date=80000).to_dict(2)["waived"]
        '0.00'
    """

    deliverable: str
    accepted_on: date
    milestone_amount: Decimal = attrs.field(converter=to_decimal)
    waived: Decimal = attrs.field(converter=to_decimal)
    cap: Decimal | None
    billed_to_date: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self, places: int) -> dict[str, object]:
        """The details as JSON-safe data."""
        return {
            "deliverable": self.deliverable,
            "accepted_on": self.accepted_on.isoformat(),
            "milestone_amount": money_text(self.milestone_amount, places),
            "waived": money_text(self.waived, places),
            "cap": _optional_money(self.cap, places),
            "billed_to_date": money_text(self.billed_to_date, places),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> ImplementationDetails:
        """Read `ImplementationDetails.to_dict`'s data back."""
        keys = ("deliverable", "accepted_on", "milestone_amount", "waived", "cap", "billed_to_date")
        fields = _Fields(data, path, keys)
        return cls(
            deliverable=fields.text("deliverable"),
            accepted_on=fields.day("accepted_on"),
            milestone_amount=fields.decimal("milestone_amount"),
            waived=fields.decimal("waived"),
            cap=fields.optional_decimal("cap"),
            billed_to_date=fields.decimal("billed_to_date"),
        )


@attrs.frozen(kw_only=True)
class OneTimeFeeDetails:
    """When a one-time fee is billed.

    Attributes:
        bill_on: the date the fee falls on.

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import OneTimeFeeDetails
        >>> OneTimeFeeDetails(bill_on=date(2027, 3, 1)).to_dict(2)
        {'bill_on': '2027-03-01'}
    """

    bill_on: date

    def to_dict(self, places: int) -> dict[str, object]:  # noqa: ARG002 -- one signature for every details type
        """The details as JSON-safe data."""
        return {"bill_on": self.bill_on.isoformat()}

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> OneTimeFeeDetails:
        """Read `OneTimeFeeDetails.to_dict`'s data back."""
        return cls(bill_on=_Fields(data, path, ("bill_on",)).day("bill_on"))


@attrs.frozen(kw_only=True)
class CarriedAdjustmentDetails:
    """The adjustment of an earlier period that a line carries onto a later invoice.

    The details of a ``prior_period_adjustment:<period>`` line (late data,
    from `resolutionpricing.bill` with ``issued=``) or an
    ``audit_credit:<period>`` line (``audits=``); the line's amount is the
    adjustment's line differences, and its tax is the current invoice's.

    Attributes:
        adjustment: the `Adjustment`, exactly as made.

    Examples:
        >>> from resolutionpricing import Adjustment, CarriedAdjustmentDetails
        >>> details = CarriedAdjustmentDetails(adjustment=Adjustment(currency="AED", period="2026-10"))
        >>> CarriedAdjustmentDetails.from_dict(details.to_dict(2)) == details
        True
    """

    adjustment: Adjustment

    def to_dict(self, places: int) -> dict[str, object]:  # noqa: ARG002 -- one signature for every details type
        """The details as JSON-safe data: ``{"adjustment": Adjustment.to_dict()}``."""
        return {"adjustment": self.adjustment.to_dict()}

    @classmethod
    def from_dict(cls, data: object, path: str = "details") -> CarriedAdjustmentDetails:
        """Read `CarriedAdjustmentDetails.to_dict`'s data back."""
        fields = _Fields(data, path, ("adjustment",))
        value = fields.data["adjustment"]
        if not isinstance(value, Mapping):
            raise InvalidTypeError(
                f"{path}.adjustment", f"{value!r} is not an object", "a JSON object"
            )
        try:
            return cls(adjustment=Adjustment.from_dict(value))
        except (InvalidValueError, InvalidTypeError) as error:
            raise error.at(f"{path}.adjustment") from None


LineDetails = (
    ResolutionDetails
    | VolumeTrueUpDetails
    | CommitmentDetails
    | SpendCapDetails
    | MinimumCommitmentDetails
    | AutomationDetails
    | ImplementationDetails
    | OneTimeFeeDetails
    | CarriedAdjustmentDetails
)
"""The details of one line: a type per kind of line (None for lines without)."""

_DETAILS_BY_CODE: Final[Mapping[str, type[LineDetails]]] = MappingProxyType(
    {
        "resolutions": ResolutionDetails,
        "pilot_resolutions": ResolutionDetails,
        "volume_true_up": VolumeTrueUpDetails,
        "commitment_drawdown": CommitmentDetails,
        "commitment_lapsed": CommitmentDetails,
        "spend_cap": SpendCapDetails,
        "minimum_commitment": MinimumCommitmentDetails,
        "automation_adjustment": AutomationDetails,
        "implementation": ImplementationDetails,
        "prior_period_adjustment": CarriedAdjustmentDetails,
        "audit_credit": CarriedAdjustmentDetails,
    }
)


def _default_key(line: LineItem) -> str:
    if isinstance(line.details, ImplementationDetails):
        return f"implementation:{line.details.deliverable}"
    if isinstance(line.details, CarriedAdjustmentDetails):
        return f"{line.code}:{line.details.adjustment.period}"
    return line.code


@attrs.frozen(kw_only=True)
class LineItem:
    """One line of an invoice, rounded to the currency.

    Attributes:
        code: what the line is (``resolutions``, ``spend_cap``,
            ``minimum_commitment``, ``escalations``, ``implementation``, or a
            fee's own code).
        description: a readable description.
        quantity: how many units the line is for (1 for a fixed fee).
        unit_price: the price of one unit where one applies, else None.
        amount: the line's amount, rounded to the currency's minor unit.
        details: how the amount was reached, exact and unrounded, typed by the
            kind of line (`ResolutionDetails`, `SpendCapDetails`,
            `MinimumCommitmentDetails`, `ImplementationDetails`,
            `OneTimeFeeDetails`, `CarriedAdjustmentDetails`), or None for a
            line without any.
        key: unique within the invoice and stable across recomputations: the
            code, ``implementation:<deliverable>`` for a milestone, or
            ``prior_period_adjustment:<period>`` / ``audit_credit:<period>``
            for a carried adjustment.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import LineItem
        >>> line = LineItem(code="kb_maintenance", description="KB", quantity=Decimal(1), unit_price=Decimal("4000.00"), amount=Decimal("4000.00"))
        >>> line.key, line.to_dict(2)["amount"]
        ('kb_maintenance', '4000.00')
    """

    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal
    details: LineDetails | None = None
    key: str = attrs.field(default=attrs.Factory(_default_key, takes_self=True))

    def to_dict(self, places: int) -> dict[str, Any]:
        """The line as JSON-safe data: money with the currency's ``places``, quantities normalized."""
        return {
            "key": self.key,
            "code": self.code,
            "description": self.description,
            "quantity": normal_text(self.quantity),
            "unit_price": _optional_money(self.unit_price, places),
            "amount": money_text(self.amount, places),
            "details": {} if self.details is None else self.details.to_dict(places),
        }

    @classmethod
    def from_dict(cls, data: object, path: str = "line") -> LineItem:
        """Read `LineItem.to_dict`'s data back; the code says which details type to read.

        Examples:
            >>> from resolutionpricing import LineItem
            >>> LineItem.from_dict({"key": "kb", "code": "kb", "description": "KB", "quantity": "1",
            ...                     "unit_price": "4000.00", "amount": "4000.00", "details": {}}).amount
            Decimal('4000.00')
        """
        keys = ("key", "code", "description", "quantity", "unit_price", "amount", "details")
        fields = _Fields(data, path, keys)
        code = fields.text("code")
        return cls(
            key=fields.text("key"),
            code=code,
            description=fields.text("description"),
            quantity=fields.decimal("quantity"),
            unit_price=fields.optional_decimal("unit_price"),
            amount=fields.decimal("amount"),
            details=_details_from_dict(code, fields.data["details"], f"{path}.details"),
        )


def _details_from_dict(code: str, data: object, path: str) -> LineDetails | None:
    kind = _DETAILS_BY_CODE.get(code)
    if kind is not None:
        return kind.from_dict(data, path)
    if isinstance(data, Mapping) and not data:
        return None
    if code == "escalations":
        _Fields(data, path, ())
    return OneTimeFeeDetails.from_dict(data, path)


def _lines(lines: Iterable[LineItem]) -> tuple[LineItem, ...]:
    return tuple(lines)


def _dump(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@attrs.frozen(kw_only=True)
class Invoice:
    """The priced billing period: lines, subtotal, tax and total.

    The figures always satisfy ``subtotal == sum(line.amount)``,
    ``tax == round(subtotal * tax_rate)`` and ``total == subtotal + tax``,
    exactly: every line is rounded to the currency first, then summed.

    Attributes:
        contract: the contract's name.
        currency: the ISO 4217 code.
        period: the billing period.
        final: whether nothing about the period can still change from the
            contacts known: ``as_of`` is at or after the period's end plus the
            re-contact window, and no contact of the period is pending. A
            quote is always final.
        lines: the lines, in a fixed order (see the invoice JSON reference).
        subtotal: the sum of the lines.
        tax_rate: the contract's tax rate.
        tax: the tax on the subtotal, rounded.
        total: ``subtotal + tax``.
        rounding: the rounding mode used.
        rounding_increment: the rounding step, if the contract has one.
        usage: the figures behind the invoice (contacts, billable units...).
        as_of: what was known when the invoice was made, in the contract's
            time zone (None for a quote).
        contract_id: the contract's ``id``, if it has one.
        account_id: the account the invoice bills (None: the rows without one).
        contract_fingerprint: `Contract.fingerprint` of the contract that
            priced it.
        provisional: pending contacts were billed their provisional units
            (the contract's ``[billing] pending = "bill_provisionally"``); a
            later invoice's ``prior_period_adjustment`` settles them.
        balances_before: the contract year's `Balances` before the period
            (None: the contract uses no contract-year clause).
        balances_after: the `Balances` after it, which the next period of
            the year starts from.

    Examples:
        >>> from resolutionpricing import load_contract, quote
        >>> invoice = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000)
        >>> invoice.subtotal, invoice.tax, invoice.total
        (Decimal('40750.00'), Decimal('2037.50'), Decimal('42787.50'))
    """

    contract: str
    currency: str
    period: BillingPeriod
    final: bool
    lines: tuple[LineItem, ...] = attrs.field(converter=_lines)
    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    rounding: Rounding
    usage: Usage
    rounding_increment: Decimal | None = None
    as_of: datetime | None = None
    contract_id: str | None = None
    account_id: str | None = None
    contract_fingerprint: str | None = None
    provisional: bool = False
    balances_before: Balances | None = None
    balances_after: Balances | None = None

    @property
    def counts(self) -> Mapping[str, object]:
        """The usage as a read-only mapping, with the keys of the JSON ``counts``.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> dict(quote(load_contract("examples/contract.toml"), "2026-10", resolutions=10).counts)
            {'billable_units': Decimal('10'), 'escalated': 0, 'overflow_units': Decimal('0')}
        """
        return MappingProxyType(self.usage.counts())

    def line(self, key: str) -> LineItem | None:
        """The line with ``key`` (``resolutions``, ``implementation:<deliverable>``...), or None.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> quote(load_contract("examples/contract.toml"), "2026-10", resolutions=100).line("minimum_commitment").amount
            Decimal('14650.00')
        """
        return next((line for line in self.lines if line.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """The invoice as JSON-safe data: amounts and quantities are strings.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> data = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000).to_dict()
            >>> sorted(data)  # doctest: +NORMALIZE_WHITESPACE
            ['account_id', 'as_of', 'contract', 'contract_fingerprint', 'contract_id', 'counts',
             'currency', 'final', 'format', 'lines', 'period', 'provisional', 'rounding',
             'rounding_increment', 'subtotal', 'tax', 'tax_rate', 'total']
        """
        places = minor_unit(self.currency)
        return {
            "format": FORMAT_VERSION,
            "contract": self.contract,
            "contract_id": self.contract_id,
            "contract_fingerprint": self.contract_fingerprint,
            "account_id": self.account_id,
            "currency": self.currency,
            "period": self.period.label,
            "final": self.final,
            "provisional": self.provisional,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "lines": [line.to_dict(places) for line in self.lines],
            "subtotal": money_text(self.subtotal, places),
            "tax_rate": normal_text(self.tax_rate),
            "tax": money_text(self.tax, places),
            "total": money_text(self.total, places),
            "rounding": self.rounding.value,
            "rounding_increment": _optional_money(self.rounding_increment, places),
            "counts": self.usage.to_dict(),
            **self._balances_dict(),
        }

    def _balances_dict(self) -> dict[str, object]:
        """The balances, only for a contract that has them: older invoices' JSON is unchanged."""
        if self.balances_before is None or self.balances_after is None:
            return {}
        return {
            "balances_before": self.balances_before.to_dict(),
            "balances_after": self.balances_after.to_dict(),
        }

    def to_text(self) -> str:
        """The invoice as a readable table: lines with the tier breakdown, totals, counts.

        What ``resolutionpricing invoice`` prints.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> print(quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000).to_text(), end="")
            Gulf Telecom: AI resolution agreement
            Period 2026-10 (AED, final)
            <BLANKLINE>
            code            description                                    quantity     unit price          amount
            resolutions     Resolutions (graduated tiers)                     12000                       36750.00
                              tier 1: 5000 x 3.50                                                         17500.00
                              tier 2: 7000 x 2.75                                                         19250.00
            escalations     Escalations to human agents                           0           0.00            0.00
            kb_maintenance  Knowledge base maintenance                            1        4000.00         4000.00
            <BLANKLINE>
                                                                                             subtotal     40750.00
                                                                                             tax (5%)      2037.50
                                                                                                total     42787.50
        """
        from resolutionpricing._invoice_view import invoice_text  # noqa: PLC0415 -- it imports this module

        return invoice_text(self)

    def _repr_html_(self) -> str:
        """The invoice as HTML tables (lines, tier breakdown, totals, counts), for notebooks."""
        from resolutionpricing._invoice_view import invoice_html  # noqa: PLC0415 -- it imports this module

        return invoice_html(self)

    def to_rows(self) -> list[dict[str, object]]:
        """One flat row per line: key, code, description, quantity, unit_price, amount.

        Money and quantities are `Decimal`, ready for ``pandas.DataFrame``.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000).to_rows()[0]
            {'key': 'resolutions', 'code': 'resolutions', 'description': 'Resolutions (graduated tiers)', 'quantity': Decimal('12000'), 'unit_price': None, 'amount': Decimal('36750.00')}
        """
        from resolutionpricing._invoice_view import invoice_rows  # noqa: PLC0415 -- it imports this module

        return invoice_rows(self)

    def tier_rows(self) -> list[dict[str, object]]:
        """One flat row per tier part: key (its line's), tier, from, up_to, quantity, unit_price, flat_fee, amount.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> rows = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000).tier_rows()
            >>> [(row["key"], row["tier"], row["quantity"], row["amount"]) for row in rows]
            [('resolutions', 1, Decimal('5000'), Decimal('17500.00')), ('resolutions', 2, Decimal('7000'), Decimal('19250.00'))]
        """
        from resolutionpricing._invoice_view import tier_rows  # noqa: PLC0415 -- it imports this module

        return tier_rows(self)

    def to_pandas(self, table: str = "lines", *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` (``table="lines"``) or `tier_rows` (``"tiers"``) as a `pandas.DataFrame`.

        Needs the extra ``resolutionpricing[pandas]``.

        Args:
            table: ``"lines"`` or ``"tiers"``.
            exact: keep money and units as `Decimal` (default); False gives
                floats, for plotting only.

        Raises:
            InvalidValueError: for another ``table``.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> frame = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000).to_pandas()
            >>> frame["amount"].sum()
            Decimal('40750.00')
        """
        from resolutionpricing._frames import to_pandas  # noqa: PLC0415 -- beside the views
        from resolutionpricing._invoice_view import (  # noqa: PLC0415 -- it imports this module
            LINE_COLUMNS,
            TIER_COLUMNS,
            invoice_rows,
            tier_rows,
        )

        if table == "lines":
            return to_pandas(invoice_rows(self), LINE_COLUMNS, exact=exact)
        if table == "tiers":
            return to_pandas(tier_rows(self), TIER_COLUMNS, exact=exact)
        raise InvalidValueError("table", f"{table!r} is not a table", 'one of "lines", "tiers"')

    def to_json(self) -> str:
        """Canonical JSON: keys sorted, no spaces, UTF-8 text; equal invoices give the same bytes.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> quote(load_contract("examples/contract.toml"), "2026-10", resolutions=0).to_json()[:30]
            '{"account_id":null,"as_of":nul'
        """
        return _dump(self.to_dict())

    @property
    def fingerprint(self) -> str:
        """The sha256 of `Invoice.to_json` (UTF-8), in hex: two equal invoices share it.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> contract = load_contract("examples/contract.toml")
            >>> quote(contract, "2026-10", resolutions="12000").fingerprint == quote(contract, "2026-10", resolutions="12000.0").fingerprint
            True
        """
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def apply(self, adjustment: Adjustment) -> Invoice:
        """This invoice with ``adjustment`` applied: each changed line at its recomputed amount.

        The lines of the adjustment take their ``recomputed`` amounts (a line
        the invoice lacks, issued at 0, is added with the key as its code);
        the subtotal moves by the line differences, the tax by the tax
        difference and the total by the total difference. So
        ``issued.apply(reconcile(issued, recomputed))`` equals ``recomputed``
        in every line amount, the subtotal, the tax and the total; the rest
        (usage, quantities, details) stays the issued invoice's.

        Raises:
            InvalidValueError: an adjustment of another account, contract,
                period or currency, of another invoice (its
                ``issued_fingerprint``), or one whose ``issued`` amount is not
                this invoice's line amount.

        Examples:
            >>> from resolutionpricing import load_contract, quote, reconcile
            >>> contract = load_contract("examples/contract.toml")
            >>> issued, recomputed = (quote(contract, "2026-10", resolutions=n) for n in (12000, 11999))
            >>> issued.apply(reconcile(issued, recomputed)).total == recomputed.total
            True
        """
        return _applied(self, adjustment)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Invoice:
        """Read `Invoice.to_dict`'s data back: the exact inverse, with the figures checked.

        Raises:
            InvalidValueError: for an unknown ``format`` version, a missing or
                unknown key, an amount with more places than the currency,
                lines that do not add up to the subtotal, a tax that is not the
                rounded product of subtotal and rate, a total that is not
                subtotal plus tax, or two lines with one key (the path names
                the key, such as ``invoice.lines[2].amount``).
            InvalidTypeError: for a value of the wrong JSON type.

        Examples:
            >>> from resolutionpricing import Invoice, load_contract, quote
            >>> invoice = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000)
            >>> Invoice.from_dict(invoice.to_dict()) == invoice
            True
            >>> Invoice.from_dict({**invoice.to_dict(), "total": "1.00"})
            Traceback (most recent call last):
            ...
            resolutionpricing.InvalidValueError: invoice.total: 1.00 is not subtotal + tax (42787.50); the figures of the invoice must add up
        """
        return _invoice_from_dict(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> Invoice:
        """Read `Invoice.to_json`'s text back (see `Invoice.from_dict`).

        Examples:
            >>> from resolutionpricing import Invoice, load_contract, quote
            >>> invoice = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000)
            >>> Invoice.from_json(invoice.to_json()).fingerprint == invoice.fingerprint
            True
        """
        try:
            data = json.loads(text)
        except ValueError as error:
            raise InvalidValueError(
                "invoice", f"is not JSON ({error})", "an invoice's JSON"
            ) from None
        return _invoice_from_dict(data)


_INVOICE_KEYS: Final = (
    "format",
    "contract",
    "contract_id",
    "contract_fingerprint",
    "account_id",
    "currency",
    "period",
    "final",
    "provisional",
    "as_of",
    "lines",
    "subtotal",
    "tax_rate",
    "tax",
    "total",
    "rounding",
    "rounding_increment",
    "counts",
)


def _invoice_from_dict(data: object) -> Invoice:
    if isinstance(data, Mapping) and data.get("format") != FORMAT_VERSION:
        raise InvalidValueError(
            "invoice.format",
            f"{data.get('format')!r} is not a known version",
            f"{FORMAT_VERSION}, the version this library writes",
        )
    # Invoices written before ``provisional`` existed were never provisional.
    keys: tuple[str, ...] = _INVOICE_KEYS
    if isinstance(data, Mapping) and "provisional" not in data:
        keys = tuple(key for key in keys if key != "provisional")
    if isinstance(data, Mapping) and ("balances_before" in data or "balances_after" in data):
        keys = (*keys, "balances_before", "balances_after")
    fields = _Fields(data, "invoice", keys)
    currency = fields.text("currency")
    try:
        places = minor_unit(currency)
    except InvalidValueError as error:
        raise error.at("invoice") from None
    raw_lines = fields.data["lines"]
    if not isinstance(raw_lines, list):
        raise InvalidTypeError("invoice.lines", f"{raw_lines!r} is not a list", "a list of lines")
    lines = [LineItem.from_dict(line, f"invoice.lines[{n}]") for n, line in enumerate(raw_lines)]
    final = fields.data["final"]
    provisional = fields.data.get("provisional", False)
    for key, flag in (("final", final), ("provisional", provisional)):
        if not isinstance(flag, bool):
            raise InvalidTypeError(f"invoice.{key}", f"{flag!r} is not a boolean", "true or false")
    try:
        period = BillingPeriod.parse(fields.text("period"))
        usage = Usage.from_dict(fields.data["counts"])  # type: ignore[arg-type]
        before, after = (
            (
                Balances.from_dict(fields.data["balances_before"], "balances_before"),
                Balances.from_dict(fields.data["balances_after"], "balances_after"),
            )
            if "balances_before" in keys
            else (None, None)
        )
    except (InvalidValueError, InvalidTypeError) as error:
        raise error.at("invoice") from None
    invoice = Invoice(
        contract=fields.text("contract"),
        contract_id=fields.optional_text("contract_id"),
        contract_fingerprint=fields.optional_text("contract_fingerprint"),
        account_id=fields.optional_text("account_id"),
        currency=currency,
        period=period,
        final=bool(final),
        provisional=bool(provisional),
        as_of=_as_of(fields),
        lines=lines,
        subtotal=fields.decimal("subtotal"),
        tax_rate=fields.decimal("tax_rate", minimum=Decimal(0)),
        tax=fields.decimal("tax"),
        total=fields.decimal("total"),
        rounding=parse_choice(Rounding, fields.data["rounding"], "invoice.rounding"),
        rounding_increment=fields.optional_decimal("rounding_increment"),
        usage=usage,
        balances_before=before,
        balances_after=after,
    )
    _check_figures(invoice, places)
    return invoice


def _as_of(fields: _Fields) -> datetime | None:
    text = fields.optional_text("as_of")
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise InvalidValueError(
            "invoice.as_of", f"{text!r} is not an aware timestamp", "an ISO 8601 timestamp"
        )
    return moment


def _check_figures(invoice: Invoice, places: int) -> None:
    """The checks of a document read back: whole minor units, unique keys, sums that add up."""
    step = Decimal(1).scaleb(-places)
    amounts = [(line.amount, f"invoice.lines[{n}].amount") for n, line in enumerate(invoice.lines)]
    amounts += [(invoice.subtotal, "invoice.subtotal"), (invoice.tax, "invoice.tax")]
    amounts.append((invoice.total, "invoice.total"))
    with decimal.localcontext(ARITHMETIC):
        for amount, path in amounts:
            if amount % step:
                raise InvalidValueError(
                    path,
                    f"{amount} is not in whole minor units of {invoice.currency}",
                    f"a multiple of {step}",
                )
        seen: set[str] = set()
        for number, line in enumerate(invoice.lines):
            if line.key in seen:
                raise InvalidValueError(
                    f"invoice.lines[{number}].key",
                    f"{line.key!r} is the key of an earlier line",
                    "unique line keys",
                )
            seen.add(line.key)
        _check_sum(
            invoice.subtotal,
            sum((line.amount for line in invoice.lines), start=Decimal(0)),
            "subtotal",
            "the sum of the lines",
        )
        tax = round_money(
            invoice.subtotal * invoice.tax_rate,
            invoice.currency,
            invoice.rounding,
            invoice.rounding_increment,
        )
        _check_sum(invoice.tax, tax, "tax", "subtotal x tax_rate, rounded")
        _check_sum(invoice.total, invoice.subtotal + invoice.tax, "total", "subtotal + tax")


def _check_sum(given: Decimal, expected: Decimal, key: str, what: str) -> None:
    if given != expected:
        raise InvalidValueError(
            f"invoice.{key}",
            f"{format_decimal(given)} is not {what} ({format_decimal(expected)})",
            "the figures of the invoice must add up",
        )


def _applied(invoice: Invoice, adjustment: Adjustment) -> Invoice:
    _check_adjusts(invoice, adjustment)
    changed = {line.key: line for line in adjustment.lines}
    lines: list[LineItem] = []
    for number, line in enumerate(invoice.lines):
        change = changed.pop(line.key, None)
        if change is None:
            lines.append(line)
            continue
        if change.issued != line.amount:
            raise InvalidValueError(
                f"adjustment.lines[{line.key}].issued",
                f"{format_decimal(change.issued)} is not the amount of invoice.lines[{number}] ({format_decimal(line.amount)})",
                "an adjustment of this invoice's figures",
            )
        lines.append(attrs.evolve(line, amount=change.recomputed))
    for key, change in changed.items():  # lines the issued invoice did not have
        if change.issued:
            raise InvalidValueError(
                f"adjustment.lines[{key}].issued",
                f"{format_decimal(change.issued)} is not 0, and the invoice has no line {key!r}",
                "an adjustment of this invoice's lines",
            )
        lines.append(
            LineItem(
                key=key,
                code=key.partition(":")[0],
                description=f"Adjusted: {key}",
                quantity=Decimal(1),
                unit_price=None,
                amount=change.recomputed,
            )
        )
    with decimal.localcontext(ARITHMETIC):
        differences = sum((line.difference for line in adjustment.lines), start=Decimal(0))
        return attrs.evolve(
            invoice,
            lines=lines,
            subtotal=invoice.subtotal + differences,
            tax=invoice.tax + adjustment.tax_difference,
            total=invoice.total + adjustment.total_difference,
        )


def _check_adjusts(invoice: Invoice, adjustment: Adjustment) -> None:
    """The adjustment is of this invoice: its account, contract, period, currency, fingerprint."""
    pairs = (
        ("account_id", invoice.account_id, adjustment.account_id),
        ("contract_id", invoice.contract_id, adjustment.contract_id),
        ("period", invoice.period.label, adjustment.period),
        ("currency", invoice.currency, adjustment.currency),
    )
    for key, mine, theirs in pairs:
        if mine != theirs:
            raise InvalidValueError(
                f"adjustment.{key}",
                f"{theirs!r} is not the invoice's {mine!r}",
                "an adjustment of this invoice",
            )
    fingerprint = adjustment.issued_fingerprint
    if fingerprint is not None and fingerprint != invoice.fingerprint:
        raise InvalidValueError(
            "adjustment.issued_fingerprint",
            f"{fingerprint[:12]}... is not this invoice's fingerprint ({invoice.fingerprint[:12]}...)",
            "an adjustment made from this invoice",
        )
