"""The calculator: a contract and a period's usage in, an invoice out.

`quote` prices a period from counts; `resolutionpricing.bill` (and
`calculate_invoice`, its one-account case) derives the usage from an
interaction log. Both hand it to `price_period`, the one place where invoice
lines are made.

The steps, in order:

1. resolutions: pause cap, then step-down cap, then the tier schedule; one
   ``resolutions`` line whose details carry the breakdown;
2. ``spend_cap``: a negative line bringing the resolution charge down to the
   spend limit, when the charge is above it;
3. ``automation_adjustment``: the automation band of the period's
   containment rate scales the charge after caps (`AutomationBand`);
4. ``minimum_commitment``: the shortfall of the resolution charge (after
   caps and the automation adjustment) below the commitment, when there is one;
5. ``escalations``: the escalated contacts at the escalation fee's price;
6. ``implementation``: one line per milestone accepted in the period (key
   ``implementation:<deliverable>``);
7. recurring and one-time fees that fall in the period, in contract order.

Each line is rounded to the currency, then the lines are summed; tax is the
rounded product of the subtotal and the rate.
"""

from __future__ import annotations

import decimal
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

import attrs

from resolutionpricing._automation import band_for
from resolutionpricing._caps import PauseCap, SpendCap, StepDownCap
from resolutionpricing._contract import Contract
from resolutionpricing._errors import InvalidTypeError, InvalidValueError, shown
from resolutionpricing._fees import (
    ImplementationFee,
    MinimumCommitment,
    OneTimeFee,
    PerEscalationFee,
    RecurringFee,
)
from resolutionpricing._invoice import (
    AutomationDetails,
    ImplementationDetails,
    Invoice,
    LineItem,
    MinimumCommitmentDetails,
    OneTimeFeeDetails,
    PauseDetails,
    ResolutionDetails,
    SpendCapDetails,
    StepDownDetails,
)
from resolutionpricing._money import ARITHMETIC, format_decimal, to_decimal
from resolutionpricing._periods import BillingPeriod
from resolutionpricing._tiers import resolutions_description, to_quantity
from resolutionpricing._usage import Usage

__all__ = ["cap_of", "price_period", "quote"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_CapT = TypeVar("_CapT", PauseCap, StepDownCap, SpendCap)


def quote(
    contract: Contract,
    period: BillingPeriod | str,
    *,
    resolutions: Decimal | int | str,
    escalations: int = 0,
    contacts: int | None = None,
) -> Invoice:
    """Price one billing period from counts.

    Args:
        contract: the contract.
        period: a `BillingPeriod` or a label such as ``"2026-10"``; it must be
            of the contract's cadence and overlap its term.
        resolutions: the period's billable resolution units (before caps).
        escalations: the period's escalated contacts.
        contacts: the period's contacts, if known (adds the containment rate
            to the counts); required when the contract has automation bands.

    Returns:
        A final `Invoice`, with the fees that fall in the period, caps, the
        minimum commitment and tax.

    Examples:
        >>> from resolutionpricing import load_contract, quote
        >>> invoice = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000, escalations=3100)
        >>> [(line.code, str(line.amount)) for line in invoice.lines]
        [('resolutions', '36750.00'), ('escalations', '0.00'), ('kb_maintenance', '4000.00')]
        >>> str(invoice.total)
        '42787.50'
    """
    if contacts is None and contract.automation_bands:
        raise InvalidValueError(
            "contacts",
            "is missing, and the contract's automation bands price by the containment rate",
            "the period's contacts, such as contacts=50000",
        )
    usage = Usage(
        billable_units=to_quantity(resolutions, "resolutions"),
        escalated=_count(escalations, "escalations"),
        contacts=None if contacts is None else _count(contacts, "contacts"),
    )
    if usage.contacts is not None and usage.escalated > usage.contacts:
        raise InvalidValueError(
            "escalations",
            f"{usage.escalated} is more than the {usage.contacts} contacts",
            "at most as many escalations as contacts",
        )
    return price_period(
        contract, contract.period(period), usage=usage, final=True, account_id=contract.account_id
    )


def _count(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(path, f"{shown(value)} is not a whole number", "an int of 0 or more")
    to_decimal(value, path, minimum=_ZERO)
    return value


def price_period(
    contract: Contract,
    period: BillingPeriod,
    *,
    usage: Usage,
    final: bool,
    account_id: str | None,
    as_of: datetime | None = None,
    overflow_from: str | None = None,
) -> Invoice:
    """Make the invoice lines of one period from its usage.

    The usage is copied onto the invoice with ``overflow_units`` set here;
    the invoice names the contract (name, id, fingerprint) and the account.
    """
    with decimal.localcontext(ARITHMETIC):
        lines, overflow = _resolution_lines(
            contract, usage.billable_units, overflow_from, usage.containment_rate
        )
        lines += _fee_lines(contract, period, usage.escalated)
        subtotal = sum((line.amount for line in lines), start=contract.round(_ZERO))
        tax = contract.round(subtotal * contract.tax_rate)
        return Invoice(
            contract=contract.name,
            contract_id=contract.id,
            contract_fingerprint=contract.fingerprint,
            account_id=account_id,
            currency=contract.currency,
            period=period,
            final=final,
            lines=tuple(lines),
            subtotal=subtotal,
            tax_rate=contract.tax_rate,
            tax=tax,
            total=subtotal + tax,
            rounding=contract.rounding,
            rounding_increment=contract.rounding_increment,
            usage=attrs.evolve(usage, overflow_units=overflow or _ZERO),
            as_of=as_of,
        )


def cap_of(contract: Contract, kind: type[_CapT]) -> _CapT | None:
    """The contract's cap of ``kind``, or None."""
    return next((cap for cap in contract.caps if isinstance(cap, kind)), None)


def _resolution_lines(
    contract: Contract,
    billable_units: Decimal,
    overflow_from: str | None,
    automation_rate: Decimal | None,
) -> tuple[list[LineItem], Decimal]:
    pause = cap_of(contract, PauseCap)
    step_down = cap_of(contract, StepDownCap)
    spend = cap_of(contract, SpendCap)

    billed_units = billable_units if pause is None else min(billable_units, pause.limit)
    overflow = billable_units - billed_units
    tier_units, stepped_units = billed_units, _ZERO
    if step_down is not None and billed_units > step_down.above:
        tier_units, stepped_units = step_down.above, billed_units - step_down.above
    parts = contract.pricing.breakdown(tier_units)
    gross = sum((part.amount for part in parts), start=_ZERO)
    paused = None
    if pause is not None:
        paused = PauseDetails(
            limit=pause.limit,
            billable_units=billable_units,
            overflow_units=overflow,
            overflow_from=overflow_from,
        )
    stepped = None
    if step_down is not None:
        stepped_amount = stepped_units * step_down.unit_price
        gross += stepped_amount
        stepped = StepDownDetails(
            above=step_down.above,
            quantity=stepped_units,
            unit_price=step_down.unit_price,
            amount=stepped_amount,
        )
    details = ResolutionDetails(
        mode=contract.pricing.mode, tiers=parts, pause=paused, step_down=stepped, exact_amount=gross
    )
    charge = contract.round(gross)
    lines = [
        LineItem(
            code="resolutions",
            description=resolutions_description(contract.pricing),
            quantity=billed_units,
            unit_price=None,
            amount=charge,
            details=details,
        )
    ]
    if spend is not None and charge > spend.limit:
        lines.append(
            LineItem(
                code="spend_cap",
                description=f"{contract.billing_period.value.capitalize()} spend cap on resolutions",
                quantity=_ONE,
                unit_price=None,
                amount=contract.round(spend.limit - charge),
                details=SpendCapDetails(limit=spend.limit, gross=charge),
            )
        )
        charge = spend.limit
    adjustment = _automation_line(contract, charge, automation_rate)
    if adjustment is not None:
        lines.append(adjustment)
        charge += adjustment.amount
    minimum = next((fee for fee in contract.fees if isinstance(fee, MinimumCommitment)), None)
    if minimum is not None and charge < minimum.amount:
        lines.append(
            LineItem(
                code="minimum_commitment",
                description="Minimum commitment true-up",
                quantity=_ONE,
                unit_price=None,
                amount=contract.round(minimum.amount - charge),
                details=MinimumCommitmentDetails(
                    commitment=minimum.amount, resolution_charges=charge
                ),
            )
        )
    return lines, overflow


def _automation_line(
    contract: Contract, charge: Decimal, automation_rate: Decimal | None
) -> LineItem | None:
    """The ``automation_adjustment`` line of the band the rate falls in, if it changes the charge."""
    if automation_rate is None or not contract.automation_bands:
        return None
    band = band_for(contract.automation_bands, automation_rate)
    if band is None or band.factor == _ONE:
        return None
    return LineItem(
        code="automation_adjustment",
        description=f"Automation-linked price (containment {format_decimal(automation_rate)})",
        quantity=_ONE,
        unit_price=None,
        amount=contract.round(charge * (band.factor - _ONE)),
        details=AutomationDetails(
            containment_rate=automation_rate,
            at_least=band.at_least,
            factor=band.factor,
            resolution_charge=charge,
        ),
    )


def _fee_lines(contract: Contract, period: BillingPeriod, escalations: int) -> list[LineItem]:
    lines = [
        LineItem(
            code="escalations",
            description=fee.description,
            quantity=Decimal(escalations),
            unit_price=fee.unit_price,
            amount=contract.round(escalations * fee.unit_price),
        )
        for fee in contract.fees
        if isinstance(fee, PerEscalationFee)
    ]
    for fee in contract.fees:
        if isinstance(fee, ImplementationFee):
            billed_to_date = _ZERO
            for milestone, billed, waived in fee.schedule():
                billed_to_date += billed
                if period.contains(milestone.accepted_on):
                    lines.append(
                        LineItem(
                            code="implementation",
                            description=f"Implementation: {milestone.deliverable}",
                            quantity=_ONE,
                            unit_price=None,
                            amount=contract.round(billed),
                            details=ImplementationDetails(
                                deliverable=milestone.deliverable,
                                accepted_on=milestone.accepted_on,
                                milestone_amount=milestone.amount,
                                waived=waived,
                                cap=fee.cap,
                                billed_to_date=billed_to_date,
                            ),
                        )
                    )
    for fee in contract.fees:
        if isinstance(fee, RecurringFee) and _recurring_applies(contract, fee, period):
            lines.append(_fixed_line(contract, fee.code, fee.description, fee.amount))
        elif isinstance(fee, OneTimeFee) and period.contains(fee.bill_on):
            lines.append(
                _fixed_line(
                    contract,
                    fee.code,
                    fee.description,
                    fee.amount,
                    OneTimeFeeDetails(bill_on=fee.bill_on),
                )
            )
    return lines


def _recurring_applies(contract: Contract, fee: RecurringFee, period: BillingPeriod) -> bool:
    first = fee.starts_on or contract.starts_on
    last = fee.ends_on or contract.ends_on
    return first < period.end and (last is None or last >= period.start)


def _fixed_line(
    contract: Contract,
    code: str,
    description: str,
    amount: Decimal,
    details: OneTimeFeeDetails | None = None,
) -> LineItem:
    return LineItem(
        code=code,
        description=description,
        quantity=_ONE,
        unit_price=amount,
        amount=contract.round(amount),
        details=details,
    )
