"""The calculator: a contract and a period's counts in, an invoice out.

`quote` prices a period from counts; `calculate_invoice` derives the counts
from an interaction log (through `resolutionpricing.decide`). Both hand them
to `price_period`, the one place where invoice lines are made.

The steps, in order:

1. resolutions: pause cap, then step-down cap, then the tier schedule; one
   ``resolutions`` line whose details carry the breakdown;
2. ``spend_cap``: a negative line bringing the resolution charge down to the
   spend limit, when the charge is above it;
3. ``minimum_commitment``: the shortfall of the resolution charge (after
   caps) below the commitment, when there is one;
4. ``escalations``: the escalated contacts at the escalation fee's price;
5. ``implementation``: one line per milestone accepted in the period;
6. recurring and one-time fees that fall in the period, in contract order.

Each line is rounded to the currency, then the lines are summed; tax is the
rounded product of the subtotal and the rate.
"""

from __future__ import annotations

import decimal
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

import attrs

from resolutionpricing._caps import PauseCap, SpendCap, StepDownCap
from resolutionpricing._contract import Contract
from resolutionpricing._decisions import Decision, DecisionStatus, Reason, check_log, decide
from resolutionpricing._errors import InvalidTypeError, InvalidValueError, shown
from resolutionpricing._fees import (
    ImplementationFee,
    MinimumCommitment,
    OneTimeFee,
    PerEscalationFee,
    RecurringFee,
)
from resolutionpricing._interactions import Interaction
from resolutionpricing._invoice import Invoice, LineItem
from resolutionpricing._money import ARITHMETIC, to_decimal
from resolutionpricing._periods import BillingPeriod, zone
from resolutionpricing._tiers import TierPart, to_quantity

__all__ = ["calculate_invoice", "price_period", "quote"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_RATE_PLACES = Decimal("0.0001")
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
            to the counts).

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
    billable_units = to_quantity(resolutions, "resolutions")
    escalated = _count(escalations, "escalations")
    counts: dict[str, object] = {"billable_units": billable_units, "escalated": escalated}
    if contacts is not None:
        contacts = _count(contacts, "contacts")
        if escalated > contacts:
            raise InvalidValueError(
                "escalations",
                f"{escalated} is more than the {contacts} contacts",
                "at most as many escalations as contacts",
            )
        counts["contacts"] = contacts
        counts["containment_rate"] = _rate(contacts - escalated, contacts)
    return price_period(
        contract,
        contract.period(period),
        billable_units=billable_units,
        escalations=escalated,
        counts=counts,
        final=True,
    )


def calculate_invoice(
    contract: Contract,
    interactions: Iterable[Interaction],
    period: BillingPeriod | str,
    *,
    as_of: datetime | None = None,
) -> Invoice:
    """Price one billing period from an interaction log.

    Every contact known at ``as_of`` is decided with the contract's
    resolution rule (`decide`). A contact belongs to the period in which it
    ended, in the contract's time zone (23:30 UTC on 31 October is November
    in Dubai); contacts of other periods only count as possible re-contacts,
    so the log should run past the period's end by the re-contact window.

    Pending contacts are not billed, and the invoice is ``final: false`` while
    any contact of the period is pending. A pause cap overflows the
    chronologically last units (by ``ended_at``, then ``started_at``, then id);
    the ``resolutions`` line's details name the first contact that overflowed.

    Args:
        contract: the contract.
        interactions: the log, in any order; the result does not depend on it.
        period: a `BillingPeriod` or a label such as ``"2026-10"``.
        as_of: what was known (timezone-aware); contacts starting after it are
            ignored. Defaults to the latest timestamp in the log.

    Returns:
        The period's `Invoice`, whose ``counts`` carry ``contacts``,
        ``escalated``, ``billable_interactions``, ``billable_units``,
        ``pending``, ``not_billable_interactions``, ``not_billable`` (by
        reason), ``overflow_units``, ``containment_rate`` and
        ``resolution_rate``.

    Examples:
        >>> from resolutionpricing import calculate_invoice, load_contract, read_interactions
        >>> contract = load_contract("examples/contract.toml")
        >>> invoice = calculate_invoice(contract, read_interactions("examples/interactions.csv"), "2026-10")
        >>> invoice.final, invoice.counts["contacts"], invoice.counts["billable_units"]
        (True, 13333, Decimal('6361.5017'))
    """
    check_log(interactions)  # a path here is a natural mistake: say to read it
    rows = list(interactions)
    resolved_period = contract.period(period)
    decisions = decide(contract.resolution, rows, as_of=as_of)
    start, end = (moment.astimezone(UTC) for moment in resolved_period.bounds(contract.timezone))
    by_id = {row.id: row for row in rows}
    # Instants in UTC throughout: aware datetimes sharing a tzinfo compare by
    # wall clock, which is wrong in a repeated daylight-saving hour.
    in_period = [
        (by_id[decision.interaction_id], decision)
        for decision in decisions
        if start <= by_id[decision.interaction_id].ended_at.astimezone(UTC) < end
    ]
    # Chronological order for the pause cap: the last units to end overflow.
    in_period.sort(
        key=lambda pair: (
            pair[0].ended_at.astimezone(UTC),
            pair[0].started_at.astimezone(UTC),
            pair[0].id,
        )
    )
    tally = _Tally.of(in_period)
    return price_period(
        contract,
        resolved_period,
        billable_units=tally.billable_units,
        escalations=tally.escalated,
        counts=tally.counts(),
        final=tally.pending == 0,
        as_of=_shown_as_of(contract, as_of if as_of is not None else _latest(rows)),
        overflow_from=_first_overflow(contract, in_period),
    )


def _shown_as_of(contract: Contract, known_at: datetime | None) -> datetime | None:
    """``as_of`` in the contract's time zone, so it prints the same whatever zone it came in."""
    if known_at is None:
        return None
    try:
        return known_at.astimezone(zone(contract.timezone))
    except OverflowError:
        raise InvalidValueError(
            "as_of",
            f"{known_at} is out of range in {contract.timezone}",
            "a date before 9999-12-31",
        ) from None


def _latest(rows: list[Interaction]) -> datetime | None:
    if not rows:
        return None
    return max(max(row.started_at.astimezone(UTC), row.ended_at.astimezone(UTC)) for row in rows)


@attrs.frozen
class _Tally:
    """What the decisions of one period add up to."""

    contacts: int
    escalated: int
    billable: int
    billable_units: Decimal
    pending: int
    not_billable: int
    by_reason: Mapping[str, int]

    @classmethod
    def of(cls, in_period: list[tuple[Interaction, Decision]]) -> _Tally:
        statuses = Counter(decision.status for _, decision in in_period)
        reasons = Counter(
            reason
            for _, decision in in_period
            if decision.status is DecisionStatus.NOT_BILLABLE
            for reason in decision.reasons
        )
        with decimal.localcontext(ARITHMETIC):
            units = sum(
                (
                    decision.units
                    for _, decision in in_period
                    if decision.status is DecisionStatus.BILLABLE
                ),
                start=_ZERO,
            )
        return cls(
            contacts=len(in_period),
            escalated=sum(1 for interaction, _ in in_period if interaction.escalated),
            billable=statuses[DecisionStatus.BILLABLE],
            billable_units=units,
            pending=statuses[DecisionStatus.PENDING],
            not_billable=statuses[DecisionStatus.NOT_BILLABLE],
            # In the order reasons are declared; reasons no contact has are left out.
            by_reason={reason.value: reasons[reason] for reason in Reason if reasons[reason]},
        )

    def counts(self) -> dict[str, object]:
        """The invoice's ``counts`` (``overflow_units`` is added by `price_period`)."""
        return {
            "contacts": self.contacts,
            "escalated": self.escalated,
            "billable_interactions": self.billable,
            "billable_units": self.billable_units,
            "pending": self.pending,
            "not_billable_interactions": self.not_billable,
            "not_billable": dict(self.by_reason),
            "containment_rate": _rate(self.contacts - self.escalated, self.contacts),
            "resolution_rate": _rate(self.billable, self.contacts),
        }


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    with decimal.localcontext(ARITHMETIC):
        return (Decimal(part) / whole).quantize(_RATE_PLACES, rounding=decimal.ROUND_HALF_UP)


def _first_overflow(
    contract: Contract, in_period: list[tuple[Interaction, Decision]]
) -> str | None:
    pause = _cap(contract, PauseCap)
    if pause is None:
        return None
    billed = _ZERO
    with decimal.localcontext(ARITHMETIC):
        for interaction, decision in in_period:
            if decision.status is not DecisionStatus.BILLABLE:
                continue
            billed += decision.units
            if billed > pause.limit:
                return interaction.id
    return None


def _count(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(path, f"{shown(value)} is not a whole number", "an int of 0 or more")
    to_decimal(value, path, minimum=_ZERO)
    return value


def price_period(
    contract: Contract,
    period: BillingPeriod,
    *,
    billable_units: Decimal,
    escalations: int,
    counts: Mapping[str, object],
    final: bool,
    as_of: datetime | None = None,
    overflow_from: str | None = None,
) -> Invoice:
    """Make the invoice lines of one period from its billable units and escalations.

    ``counts`` is copied onto the invoice, with ``overflow_units`` set here.
    """
    with decimal.localcontext(ARITHMETIC):
        lines, overflow = _resolution_lines(contract, billable_units, overflow_from)
        lines += _fee_lines(contract, period, escalations)
        subtotal = sum((line.amount for line in lines), start=contract.round(_ZERO))
        tax = contract.round(subtotal * contract.tax_rate)
        return Invoice(
            contract=contract.name,
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
            counts={**counts, "overflow_units": overflow or _ZERO},
            as_of=as_of,
        )


def _cap(contract: Contract, kind: type[_CapT]) -> _CapT | None:
    return next((cap for cap in contract.caps if isinstance(cap, kind)), None)


def _tier_detail(part: TierPart) -> dict[str, object]:
    return {
        "tier": part.index + 1,
        "from": part.lower,
        "up_to": part.up_to,
        "quantity": part.quantity,
        "unit_price": part.unit_price,
        "flat_fee": part.flat_fee,
        "amount": part.amount,
    }


def _resolution_lines(
    contract: Contract, billable_units: Decimal, overflow_from: str | None
) -> tuple[list[LineItem], Decimal]:
    pause = _cap(contract, PauseCap)
    step_down = _cap(contract, StepDownCap)
    spend = _cap(contract, SpendCap)

    billed_units = billable_units if pause is None else min(billable_units, pause.limit)
    overflow = billable_units - billed_units
    tier_units, stepped_units = billed_units, _ZERO
    if step_down is not None and billed_units > step_down.above:
        tier_units, stepped_units = step_down.above, billed_units - step_down.above
    parts = contract.pricing.breakdown(tier_units)
    gross = sum((part.amount for part in parts), start=_ZERO)
    details: dict[str, object] = {
        "mode": contract.pricing.mode.value,
        "tiers": [_tier_detail(part) for part in parts],
    }
    if pause is not None:
        pause_details: dict[str, object] = {
            "limit": pause.limit,
            "billable_units": billable_units,
            "overflow_units": overflow,
        }
        if overflow_from is not None:
            pause_details["overflow_from"] = overflow_from
        details["pause"] = pause_details
    if step_down is not None:
        stepped_amount = stepped_units * step_down.unit_price
        gross += stepped_amount
        details["step_down"] = {
            "above": step_down.above,
            "quantity": stepped_units,
            "unit_price": step_down.unit_price,
            "amount": stepped_amount,
        }
    details["exact_amount"] = gross
    charge = contract.round(gross)
    lines = [
        LineItem(
            code="resolutions",
            description=f"Resolutions ({contract.pricing.mode.value} tiers)",
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
                details={"limit": spend.limit, "gross": charge},
            )
        )
        charge = spend.limit
    minimum = next((fee for fee in contract.fees if isinstance(fee, MinimumCommitment)), None)
    if minimum is not None and charge < minimum.amount:
        lines.append(
            LineItem(
                code="minimum_commitment",
                description="Minimum commitment true-up",
                quantity=_ONE,
                unit_price=None,
                amount=contract.round(minimum.amount - charge),
                details={"commitment": minimum.amount, "resolution_charges": charge},
            )
        )
    return lines, overflow


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
                            details={
                                "deliverable": milestone.deliverable,
                                "accepted_on": milestone.accepted_on,
                                "milestone_amount": milestone.amount,
                                "waived": waived,
                                "cap": fee.cap,
                                "billed_to_date": billed_to_date,
                            },
                        )
                    )
    for fee in contract.fees:
        if isinstance(fee, RecurringFee) and _recurring_applies(contract, fee, period):
            lines.append(_fixed_line(contract, fee.code, fee.description, fee.amount))
        elif isinstance(fee, OneTimeFee) and period.contains(fee.bill_on):
            lines.append(
                _fixed_line(contract, fee.code, fee.description, fee.amount, bill_on=fee.bill_on)
            )
    return lines


def _recurring_applies(contract: Contract, fee: RecurringFee, period: BillingPeriod) -> bool:
    first = fee.starts_on or contract.starts_on
    last = fee.ends_on or contract.ends_on
    return first < period.end and (last is None or last >= period.start)


def _fixed_line(
    contract: Contract, code: str, description: str, amount: Decimal, **details: object
) -> LineItem:
    return LineItem(
        code=code,
        description=description,
        quantity=_ONE,
        unit_price=amount,
        amount=contract.round(amount),
        details=details,
    )
