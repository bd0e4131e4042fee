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
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final, TypeVar

import attrs

from resolutionpricing._automation import band_for
from resolutionpricing._caps import PauseCap, SpendCap, StepDownCap
from resolutionpricing._contract import Contract
from resolutionpricing._contract_year import (
    Accumulate,
    Balances,
    checked_opening,
    closes_year,
    opening_balances,
    opens_year,
    uses_contract_year,
)
from resolutionpricing._errors import InvalidTypeError, InvalidValueError, shown
from resolutionpricing._fees import (
    ImplementationFee,
    MinimumCommitment,
    OneTimeFee,
    PerEscalationFee,
    PrepaidCommitment,
    RecurringFee,
)
from resolutionpricing._invoice import (
    AutomationDetails,
    CommitmentDetails,
    CumulativeDetails,
    ImplementationDetails,
    Invoice,
    LineItem,
    MinimumCommitmentDetails,
    OneTimeFeeDetails,
    PauseDetails,
    ResolutionDetails,
    SpendCapDetails,
    StepDownDetails,
    VolumeTrueUpDetails,
)
from resolutionpricing._money import ARITHMETIC, format_decimal, to_decimal
from resolutionpricing._periods import BillingPeriod
from resolutionpricing._tiers import (
    PackagePricing,
    PricingMode,
    PricingSchedule,
    TierPart,
    resolutions_description,
    to_quantity,
)
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
    opening: Balances | None = None,
    pilot_resolutions: Decimal | int | str | None = None,
    channel_resolutions: Mapping[str, Decimal | int | str] | None = None,
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
        opening: for a contract with a contract-year clause (cumulative
            tiers, an included allowance, a prepaid commitment), the
            `Balances` of the year before the period; without it, a quote
            assumes nothing was billed earlier in the year.
        pilot_resolutions: of ``resolutions``, those that ended inside the
            contract's pilot (default: all of them for a period wholly
            inside the pilot or before the term, else none).
        channel_resolutions: of the resolutions outside the pilot, those of
            each channel with its own price (``{"voice": 1200}``; default
            none: every unit on the contract's own schedule).

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
    resolved = contract.period(period)
    usage = Usage(
        billable_units=to_quantity(resolutions, "resolutions"),
        escalated=_count(escalations, "escalations"),
        contacts=None if contacts is None else _count(contacts, "contacts"),
    )
    usage = _quoted_split(contract, resolved, usage, pilot_resolutions, channel_resolutions)
    if usage.contacts is not None and usage.escalated > usage.contacts:
        raise InvalidValueError(
            "escalations",
            f"{usage.escalated} is more than the {usage.contacts} contacts",
            "at most as many escalations as contacts",
        )
    return price_period(
        contract,
        resolved,
        usage=usage,
        final=True,
        account_id=contract.account_id,
        balances_before=opening,
    )


def _quoted_split(
    contract: Contract,
    period: BillingPeriod,
    usage: Usage,
    pilot: Decimal | int | str | None,
    channels: Mapping[str, Decimal | int | str] | None,
) -> Usage:
    """A quote's pilot and per-channel units, checked against the contract and the total."""
    total = usage.billable_units
    pilot_units: Decimal | None = None
    if contract.pilot is None:
        if pilot is not None:
            raise InvalidValueError(
                "pilot_resolutions",
                "is given, but the contract has no pilot",
                "no pilot_resolutions",
            )
    elif pilot is not None:
        pilot_units = to_quantity(pilot, "pilot_resolutions")
    else:
        # A period wholly in the pilot, or before the term: every unit is the pilot's.
        inside = contract.pilot.starts_on <= period.start and period.end <= (
            contract.pilot.ends_on + timedelta(days=1)
        )
        pilot_units = total if inside or not contract.in_term(period) else _ZERO
    if pilot_units is not None and pilot_units < total and not contract.in_term(period):
        raise InvalidValueError(
            "pilot_resolutions",
            f"{pilot_units} of {total} resolutions in {period.label}, which is before the term: "
            "the others could not be billed",
            "every resolution of a period before the term in the pilot",
        )
    channel_units: dict[str, Decimal] | None = None
    if contract.channel_pricing:
        channel_units = dict.fromkeys(contract.channel_pricing, _ZERO)
    for channel, units in (channels or {}).items():
        if channel_units is None or channel not in channel_units:
            listed = ", ".join(contract.channel_pricing) or "none"
            raise InvalidValueError(
                f"channel_resolutions.{channel}",
                "is not a channel with its own price",
                f"the channels of [pricing.channels] ({listed})",
            )
        channel_units[channel] = to_quantity(units, f"channel_resolutions.{channel}")
    with decimal.localcontext(ARITHMETIC):
        split = (pilot_units or _ZERO) + sum((channel_units or {}).values(), start=_ZERO)
    if split > total:
        raise InvalidValueError(
            "resolutions",
            f"{total} is less than the pilot and per-channel units together ({split})",
            "resolutions counts every billable unit, those of the pilot and the channels included",
        )
    return attrs.evolve(usage, pilot_units=pilot_units, channel_units=channel_units)


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
    balances_before: Balances | None = None,
) -> Invoice:
    """Make the invoice lines of one period from its usage (and its contract year's balances).

    The usage is copied onto the invoice with ``overflow_units`` set here;
    the invoice names the contract (name, id, fingerprint) and the account.
    For a contract with a contract-year clause, ``balances_before`` is the
    state of the year before the period (default: a fresh year, as if
    nothing was billed earlier in it), and the invoice shows it with the
    balances after the period.
    """
    before = _balances_before(contract, period, balances_before)
    with decimal.localcontext(ARITHMETIC):
        lines, overflow, after = _resolution_lines(contract, period, usage, overflow_from, before)
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
            balances_before=before,
            balances_after=after,
        )


def _balances_before(
    contract: Contract, period: BillingPeriod, given: Balances | None
) -> Balances | None:
    if not uses_contract_year(contract) or not contract.in_term(period):
        if given is not None:
            raise InvalidValueError(
                "opening",
                f"is given, but the contract carries no balance into {period.label}",
                "no opening balance, or a contract with accumulate, included or a prepaid commitment",
            )
        return None
    if given is None:
        return opening_balances(contract, period)
    return checked_opening(contract, period, given)


def cap_of(contract: Contract, kind: type[_CapT]) -> _CapT | None:
    """The contract's cap of ``kind``, or None."""
    return next((cap for cap in contract.caps if isinstance(cap, kind)), None)


def _resolution_lines(
    contract: Contract,
    period: BillingPeriod,
    usage: Usage,
    overflow_from: str | None,
    before: Balances | None,
) -> tuple[list[LineItem], Decimal, Balances | None]:
    """The pilot line, the resolution lines, and what caps, bands and commitments make of them."""
    lines = _pilot_lines(contract, period, usage)
    if not contract.in_term(period):  # a period of the pilot alone
        return lines, _ZERO, before
    units = usage.billable_units - (usage.pilot_units or _ZERO)
    by_channel = usage.channel_units or {}
    shared = units - sum(by_channel.values(), start=_ZERO)
    resolution, overflow, included, tier_units = _shared_lines(
        contract, period, shared, overflow_from, before
    )
    lines += resolution
    channel_units = dict(before.channel_units) if before is not None else {}
    for channel, schedule in contract.channel_pricing.items():
        count = by_channel.get(channel, _ZERO)
        prior = channel_units.get(channel, _ZERO)
        parts, increment, cumulative = _tier_charge(
            contract, schedule, period, None if before is None else prior, count
        )
        lines += _charge_lines(
            contract,
            f":{channel}",
            f"Resolutions on {channel} ({schedule.mode.value} tiers)",
            count,
            ResolutionDetails(
                mode=schedule.mode,
                tiers=parts,
                exact_amount=max(increment, _ZERO),
                cumulative=cumulative,
            ),
            increment,
        )
        channel_units[channel] = prior + count
    charge = sum(
        (line.amount for line in lines if line.code in {"resolutions", "volume_true_up"}),
        start=contract.round(_ZERO),
    )
    lines += _after_caps(contract, charge, usage.containment_rate)
    charge = sum(
        (line.amount for line in lines if line.code in _RESOLUTION_CHARGE),
        start=contract.round(_ZERO),
    )
    minimum = _minimum_line(contract, charge)
    lines += [] if minimum is None else [minimum]
    commitment_left = _commitment_lines(contract, period, before, charge, lines)
    after = None
    if before is not None:
        after = attrs.evolve(
            before,
            cumulative_units=before.cumulative_units + tier_units,
            channel_units=channel_units,
            allowance_left=None
            if before.allowance_left is None
            else before.allowance_left - included,
            commitment_left=commitment_left,
        )
    return lines, overflow, after


_RESOLUTION_CHARGE: Final = frozenset(
    {"resolutions", "volume_true_up", "spend_cap", "automation_adjustment"}
)
"""The lines that make the resolution charge the minimum and the commitment measure."""


def _pilot_lines(contract: Contract, period: BillingPeriod, usage: Usage) -> list[LineItem]:
    pilot = contract.pilot
    if pilot is None or not (period.end > pilot.starts_on and period.start <= pilot.ends_on):
        return []
    units = usage.pilot_units or _ZERO
    parts = pilot.pricing.breakdown(units)
    exact = sum((part.amount for part in parts), start=_ZERO)
    return [
        LineItem(
            code="pilot_resolutions",
            description=f"Pilot resolutions ({pilot.starts_on} to {pilot.ends_on})",
            quantity=units,
            unit_price=None,
            amount=contract.round(exact),
            details=ResolutionDetails(mode=pilot.pricing.mode, tiers=parts, exact_amount=exact),
        )
    ]


def _shared_lines(
    contract: Contract,
    period: BillingPeriod,
    billable_units: Decimal,
    overflow_from: str | None,
    before: Balances | None,
) -> tuple[list[LineItem], Decimal, Decimal, Decimal]:
    """The ``resolutions`` line (and its true-up) of the units on the contract's own schedule.

    Returns the lines, the units a pause cap kept off, the units the
    allowance covered and the units the tiers priced.
    """
    pause = cap_of(contract, PauseCap)
    step_down = cap_of(contract, StepDownCap)
    billed_units = billable_units if pause is None else min(billable_units, pause.limit)
    overflow = billable_units - billed_units
    included, chargeable = _included(contract, before, billed_units)
    tier_units, stepped_units = chargeable, _ZERO
    if step_down is not None and chargeable > step_down.above:
        tier_units, stepped_units = step_down.above, chargeable - step_down.above
    parts, increment, cumulative = _tier_charge(
        contract,
        contract.pricing,
        period,
        None if before is None else before.cumulative_units,
        tier_units,
    )
    gross = max(increment, _ZERO)
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
        mode=contract.pricing.mode,
        tiers=parts,
        pause=paused,
        step_down=stepped,
        exact_amount=gross,
        included_units=None if contract.allowance is None else included,
        cumulative=cumulative,
    )
    lines = _charge_lines(
        contract,
        "",
        resolutions_description(contract.pricing),
        billed_units,
        details,
        increment,
    )
    return lines, overflow, included, tier_units


def _charge_lines(  # noqa: PLR0917 -- one line's parts
    contract: Contract,
    suffix: str,
    description: str,
    quantity: Decimal,
    details: ResolutionDetails,
    increment: Decimal,
) -> list[LineItem]:
    """A resolution line, and its ``volume_true_up`` when the year's increment is negative."""
    lines = [
        LineItem(
            code="resolutions",
            key=f"resolutions{suffix}",
            description=description,
            quantity=quantity,
            unit_price=None,
            amount=contract.round(details.exact_amount),
            details=details,
        )
    ]
    if increment < 0 and details.cumulative is not None:
        lines.append(
            LineItem(
                code="volume_true_up",
                key=f"volume_true_up{suffix}",
                description="Volume true-up: the contract year reached a cheaper tier",
                quantity=_ONE,
                unit_price=None,
                amount=contract.round(increment),
                details=VolumeTrueUpDetails(cumulative=details.cumulative, exact_amount=increment),
            )
        )
    return lines


def _after_caps(
    contract: Contract, charge: Decimal, automation_rate: Decimal | None
) -> list[LineItem]:
    """The spend cap's line on the resolution charge, then the automation band's."""
    spend = cap_of(contract, SpendCap)
    lines = []
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
    return lines


def _minimum_line(contract: Contract, charge: Decimal) -> LineItem | None:
    """The ``minimum_commitment`` true-up of a resolution charge below the minimum."""
    minimum = next((fee for fee in contract.fees if isinstance(fee, MinimumCommitment)), None)
    if minimum is None or charge >= minimum.amount:
        return None
    return LineItem(
        code="minimum_commitment",
        description="Minimum commitment true-up",
        quantity=_ONE,
        unit_price=None,
        amount=contract.round(minimum.amount - charge),
        details=MinimumCommitmentDetails(commitment=minimum.amount, resolution_charges=charge),
    )


def _included(
    contract: Contract, before: Balances | None, billed_units: Decimal
) -> tuple[Decimal, Decimal]:
    """The units the allowance covers (the period's first billable units), and the rest."""
    if contract.allowance is None or before is None:
        return _ZERO, billed_units
    available = _ZERO if before.allowance_left is None else before.allowance_left
    included = min(billed_units, available)
    return included, billed_units - included


def _tier_charge(
    contract: Contract,
    pricing: PricingSchedule,
    period: BillingPeriod,
    prior: Decimal | None,
    tier_units: Decimal,
) -> tuple[tuple[TierPart, ...], Decimal, CumulativeDetails | None]:
    """The tier parts, the exact charge and, for cumulative tiers, the year's position.

    Cumulative tiers price the increment, as Lago and Kill Bill do: the price
    of the year's units through this period less the price of those before it
    (nothing before the year's first period, whose charge includes the first
    tier's flat fee). A volume schedule's increment can be negative.
    ``prior`` is the year's units before the period (None: the contract
    carries no balances).
    """
    if contract.accumulate is not Accumulate.CONTRACT_YEAR or prior is None:
        whole = pricing.breakdown(tier_units)
        return whole, sum((part.amount for part in whole), start=_ZERO), None
    through = prior + tier_units
    first = prior == 0 and opens_year(contract, period)
    amount_before = _ZERO if first else pricing.price(prior)
    amount_after = pricing.price(through)
    position = CumulativeDetails(
        units_before=prior,
        units_after=through,
        amount_before=amount_before,
        amount_after=amount_after,
    )
    if isinstance(pricing, PackagePricing):
        # The packages bought in the period: those the year's units need beyond the earlier ones.
        (part,) = pricing.breakdown(through)
        bought = pricing.packages(through) - (0 if first else pricing.packages(prior))
        increment = amount_after - amount_before
        return (
            (attrs.evolve(part, quantity=Decimal(bought), amount=increment),),
            increment,
            position,
        )
    if pricing.mode is not PricingMode.GRADUATED:
        # One price for the whole quantity: the parts show the year's position.
        return pricing.breakdown(through), amount_after - amount_before, position
    earlier = {} if first else {part.index: part for part in pricing.breakdown(prior)}
    parts: list[TierPart] = []
    for part in pricing.breakdown(through):
        old = earlier.get(part.index)
        quantity = part.quantity - (old.quantity if old is not None else _ZERO)
        flat_fee = _ZERO if old is not None else part.flat_fee
        if quantity or flat_fee:
            parts.append(
                attrs.evolve(
                    part,
                    quantity=quantity,
                    flat_fee=flat_fee,
                    amount=quantity * part.unit_price + flat_fee,
                )
            )
    if not parts:  # nothing priced: show the tier the year is in
        index = pricing.tier_for(through)
        part = next(part for part in pricing.breakdown(through) if part.index == index)
        parts.append(attrs.evolve(part, quantity=_ZERO, flat_fee=_ZERO, amount=_ZERO))
    return tuple(parts), amount_after - amount_before, position


def _commitment_lines(
    contract: Contract,
    period: BillingPeriod,
    before: Balances | None,
    charge: Decimal,
    lines: list[LineItem],
) -> Decimal | None:
    """Draw the prepaid balance down by the charge; lapse what is left at the year's end."""
    prepaid = next((fee for fee in contract.fees if isinstance(fee, PrepaidCommitment)), None)
    if prepaid is None or before is None:
        return None if before is None else before.commitment_left
    left = _ZERO if before.commitment_left is None else before.commitment_left
    drawn = min(max(charge, _ZERO), left)
    if drawn:
        lines.append(
            LineItem(
                code="commitment_drawdown",
                description="Drawn from the prepaid commitment",
                quantity=_ONE,
                unit_price=None,
                amount=-drawn,
                details=CommitmentDetails(balance_before=left, drawn=drawn, lapsed=_ZERO),
            )
        )
        left -= drawn
    if closes_year(contract, period) and not prepaid.rollover:
        lines.append(
            LineItem(
                code="commitment_lapsed",
                description="Prepaid commitment unused at the contract year's end (lapsed)",
                quantity=_ONE,
                unit_price=None,
                amount=contract.round(_ZERO),
                details=CommitmentDetails(balance_before=left, drawn=_ZERO, lapsed=left),
            )
        )
    return left


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
        if isinstance(fee, PrepaidCommitment) and opens_year(contract, period):
            lines.append(_fixed_line(contract, PrepaidCommitment.kind, fee.description, fee.amount))
        elif isinstance(fee, RecurringFee) and _recurring_applies(contract, fee, period):
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
