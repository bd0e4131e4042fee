"""The contract's ``[billing]`` clause: what an invoice does with contacts still pending.

It lives apart from `resolutionpricing._billing` so that the contract can
hold it without importing the billing runs.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from resolutionpricing._errors import parse_choice

__all__ = ["BillingClause", "PendingBilling"]


class PendingBilling(enum.Enum):
    """What an invoice bills for a contact whose re-contact window is still open.

    Examples:
        >>> from resolutionpricing import PendingBilling
        >>> [policy.value for policy in PendingBilling]
        ['wait', 'bill_provisionally']
    """

    WAIT = "wait"
    """Pending contacts are not billed; the invoice is not final until they settle."""
    BILL_PROVISIONALLY = "bill_provisionally"
    """Pending contacts bill their provisional units now; the invoice is ``provisional``
    and the next cycle's ``prior_period_adjustment`` settles them."""


def _pending(value: object) -> PendingBilling:
    return parse_choice(PendingBilling, value, "pending")


@attrs.frozen(kw_only=True)
class BillingClause:
    """The ``[billing]`` clause of a contract.

    Attributes:
        pending: `PendingBilling.WAIT` (default, the behaviour without the
            clause) or ``BILL_PROVISIONALLY``.

    Examples:
        >>> from resolutionpricing import BillingClause
        >>> BillingClause(pending="bill_provisionally").pending
        <PendingBilling.BILL_PROVISIONALLY: 'bill_provisionally'>
        >>> BillingClause().to_dict()
        {'pending': 'wait'}
    """

    pending: PendingBilling = attrs.field(default=PendingBilling.WAIT, converter=_pending)

    def to_dict(self) -> dict[str, Any]:
        """The clause as the ``[billing]`` table of a contract file."""
        return {"pending": self.pending.value}
