"""Fee items: every cost beside the resolutions, visible on the invoice.

- `ImplementationFee`: milestones tied to deliverables, each billed in the
  period of its acceptance date, with an optional cap on their sum.
- `RecurringFee`: a fixed amount every period (knowledge-base maintenance, a
  platform fee), between optional start and end dates.
- `PerEscalationFee`: a price per escalated contact (the clean model is 0; the
  line still shows the count).
- `OneTimeFee`: a dated one-off charge (a retraining cycle, a new channel).
- `MinimumCommitment`: a floor under the period's resolution charges.
- `PrepaidCommitment`: an amount per contract year, billed up front and drawn
  down by the resolution charges (see `resolutionpricing._contract_year`).
"""

from __future__ import annotations

import decimal
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from resolutionpricing._errors import (
    TEXT_ALLOWED,
    InvalidTypeError,
    InvalidValueError,
    has_surrogate,
    shown,
)
from resolutionpricing._limits import check_count
from resolutionpricing._money import ARITHMETIC, amount_field, cap_field, unit_price_field
from resolutionpricing._periods import check_date

__all__ = [
    "Fee",
    "ImplementationFee",
    "Milestone",
    "MinimumCommitment",
    "OneTimeFee",
    "PerEscalationFee",
    "PrepaidCommitment",
    "RecurringFee",
]

_ZERO = Decimal(0)
_CODE = re.compile(r"[a-z][a-z0-9_]*")


def _date(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.default is None:
        return
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidTypeError(
            attribute.name, f"{shown(value)} is not a date", "a date such as 2026-07-15"
        )
    check_date(value, attribute.name)


def _text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(
            attribute.name, f"{shown(value)} is not a non-empty string", "some text"
        )
    if has_surrogate(value):
        raise InvalidValueError(
            attribute.name, f"{shown(value)} holds a lone surrogate", TEXT_ALLOWED
        )


def _code(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise InvalidValueError(
            attribute.name,
            f"{shown(value)} is not a line code",
            "lower-case letters, digits and _, starting with a letter",
        )


@attrs.frozen(kw_only=True)
class Milestone:
    """A deliverable of the implementation, billed when it is accepted.

    Attributes:
        deliverable: what was delivered ("API integration").
        amount: its price.
        accepted_on: the date the buyer accepted it; it is billed in the period
            that contains this date.

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import Milestone
        >>> Milestone(deliverable="API integration", amount="80000.00", accepted_on=date(2026, 7, 15)).amount
        Decimal('80000.00')
    """

    deliverable: str = attrs.field(validator=_text)
    amount: Decimal = attrs.field(converter=amount_field)
    accepted_on: date = attrs.field(validator=_date)


def _milestones(values: object) -> tuple[Milestone, ...]:
    if not isinstance(values, (list, tuple)):
        raise InvalidTypeError(
            "milestones", f"{shown(values)} is not a list", "a list of Milestone"
        )
    check_count(values, "milestones")
    for index, value in enumerate(values):
        if not isinstance(value, Milestone):
            raise InvalidTypeError(
                f"milestones[{index}]", f"{shown(value)} is not a Milestone", "a Milestone"
            )
    return tuple(values)


@attrs.frozen(kw_only=True)
class ImplementationFee:
    """Implementation billed by accepted deliverable, with an optional cap.

    Milestones are billed in the period of their ``accepted_on`` date, in date
    order (ties in the order written). Once the cumulative billing reaches
    ``cap``, the rest of a milestone, and every later one, is waived: the
    invoice line shows the milestone's amount, what is billed and what is
    waived.

    Attributes:
        milestones: the deliverables.
        cap: the most billed for all milestones together (None: no cap).

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import ImplementationFee, Milestone
        >>> fee = ImplementationFee(
        ...     cap="100000",
        ...     milestones=[
        ...         Milestone(deliverable="Integration", amount="80000", accepted_on=date(2026, 7, 15)),
        ...         Milestone(deliverable="Training", amount="40000", accepted_on=date(2026, 9, 1)),
        ...     ],
        ... )
        >>> [(milestone.deliverable, billed, waived) for milestone, billed, waived in fee.schedule()]
        [('Integration', Decimal('80000'), Decimal('0')), ('Training', Decimal('20000'), Decimal('20000'))]
    """

    kind: ClassVar[str] = "implementation"
    milestones: tuple[Milestone, ...] = attrs.field(converter=_milestones)
    cap: Decimal | None = attrs.field(default=None, converter=cap_field)

    def schedule(self) -> tuple[tuple[Milestone, Decimal, Decimal], ...]:
        """Every milestone in billing order with what is billed and what is waived.

        Examples:
            >>> from datetime import date
            >>> from resolutionpricing import ImplementationFee, Milestone
            >>> fee = ImplementationFee(milestones=[Milestone(deliverable="A", amount=5, accepted_on=date(2026, 1, 2))])
            >>> fee.schedule()[0][1:]
            (Decimal('5'), Decimal('0'))
        """
        billed_so_far = _ZERO
        rows = []
        # Sums and differences round in the current context: use our own.
        with decimal.localcontext(ARITHMETIC):
            for milestone in sorted(self.milestones, key=lambda milestone: milestone.accepted_on):
                room = (
                    milestone.amount if self.cap is None else max(self.cap - billed_so_far, _ZERO)
                )
                billed = min(milestone.amount, room)
                billed_so_far += billed
                rows.append((milestone, billed, milestone.amount - billed))
        return tuple(rows)


@attrs.frozen(kw_only=True)
class RecurringFee:
    """A fixed amount billed in full in every period that overlaps its dates.

    There is no proration: a fee that starts on the 15th bills the whole
    amount for that month.

    Attributes:
        code: the invoice line's code (``kb_maintenance``).
        description: the line's description.
        amount: the amount per period.
        starts_on: the first day it applies (None: from the contract's start).
        ends_on: the last day it applies, inclusive (None: to the contract's end).

    Examples:
        >>> from resolutionpricing import RecurringFee
        >>> RecurringFee(code="kb_maintenance", description="Knowledge base maintenance", amount="4000.00").amount
        Decimal('4000.00')
    """

    kind: ClassVar[str] = "recurring"
    code: str = attrs.field(validator=_code)
    description: str = attrs.field(validator=_text)
    amount: Decimal = attrs.field(converter=amount_field)
    starts_on: date | None = attrs.field(default=None, validator=_date)
    ends_on: date | None = attrs.field(default=None, validator=_date)

    def __attrs_post_init__(self) -> None:
        if (
            self.starts_on is not None
            and self.ends_on is not None
            and self.ends_on < self.starts_on
        ):
            raise InvalidValueError(
                "ends_on",
                f"{self.ends_on} is before starts_on ({self.starts_on})",
                "a date on or after starts_on",
            )


@attrs.frozen(kw_only=True)
class PerEscalationFee:
    """A price per escalated contact; the line appears even at 0, with the count.

    Attributes:
        unit_price: the price of each escalation (the clean model is 0).
        description: the line's description.

    Examples:
        >>> from resolutionpricing import PerEscalationFee
        >>> PerEscalationFee(unit_price="0.00").unit_price
        Decimal('0.00')
    """

    kind: ClassVar[str] = "per_escalation"
    unit_price: Decimal = attrs.field(converter=unit_price_field)
    description: str = attrs.field(default="Escalations to human agents", validator=_text)


@attrs.frozen(kw_only=True)
class OneTimeFee:
    """A one-off charge billed in the period that contains ``bill_on``.

    Attributes:
        code: the invoice line's code (``voice_integration``).
        description: the line's description.
        amount: the charge.
        bill_on: the date it is billed.

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import OneTimeFee
        >>> OneTimeFee(code="retraining", description="Retraining cycle", amount=12000, bill_on=date(2027, 3, 1)).code
        'retraining'
    """

    kind: ClassVar[str] = "one_time"
    code: str = attrs.field(validator=_code)
    description: str = attrs.field(validator=_text)
    amount: Decimal = attrs.field(converter=amount_field)
    bill_on: date = attrs.field(validator=_date)


@attrs.frozen(kw_only=True)
class MinimumCommitment:
    """A floor under the period's resolution charges (after caps).

    When the resolution charges are below ``amount``, a ``minimum_commitment``
    line adds the difference; otherwise no line is added.

    Attributes:
        amount: the minimum per period.

    Examples:
        >>> from resolutionpricing import MinimumCommitment
        >>> MinimumCommitment(amount="15000.00").amount
        Decimal('15000.00')
    """

    kind: ClassVar[str] = "minimum_commitment"
    amount: Decimal = attrs.field(converter=amount_field)


def _flag(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidTypeError(attribute.name, f"{shown(value)} is not a boolean", "true or false")


@attrs.frozen(kw_only=True)
class PrepaidCommitment:
    """A prepaid annual commitment: billed up front, drawn down by the resolution charges.

    The ``amount`` is billed on the first period of each contract year as a
    ``prepaid_commitment`` line. Each period's resolution charge (after caps
    and the automation adjustment) draws the balance down: a negative
    ``commitment_drawdown`` line, never more than the charge or the balance;
    what exceeds the balance is billed as usual. At the year's end the unused
    balance lapses (a zero ``commitment_lapsed`` line on the year's last
    period, the amount in its details as ``lapsed``) or, with ``rollover``,
    carries into the next year's balance. Over a year the drawdowns plus the
    lapsed (or carried) balance equal the amount, to the minor unit.

    Attributes:
        amount: the commitment per contract year.
        rollover: carry the unused balance into the next contract year
            (default: it lapses).
        description: the up-front line's description.

    Examples:
        >>> from resolutionpricing import PrepaidCommitment
        >>> PrepaidCommitment(amount="360000.00").amount
        Decimal('360000.00')
    """

    kind: ClassVar[str] = "prepaid_commitment"
    amount: Decimal = attrs.field(converter=amount_field)
    rollover: bool = attrs.field(default=False, validator=_flag)
    description: str = attrs.field(default="Prepaid annual commitment", validator=_text)


Fee = (
    ImplementationFee
    | RecurringFee
    | PerEscalationFee
    | OneTimeFee
    | MinimumCommitment
    | PrepaidCommitment
)
"""Any of the fee items."""
