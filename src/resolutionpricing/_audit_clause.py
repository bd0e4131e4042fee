"""The contract's audit clause: which figure of an audit estimate a credit uses, and the tolerance.

It lives apart from `resolutionpricing._audit` so that the contract can hold it
without importing the statistics.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import attrs

from resolutionpricing._errors import InvalidValueError, parse_choice
from resolutionpricing._money import to_decimal

__all__ = ["AuditBasis", "AuditClause"]


class AuditBasis(enum.Enum):
    """Which figure of an `AuditEstimate` an audit credit is computed from.

    Examples:
        >>> from resolutionpricing import AuditBasis
        >>> [basis.value for basis in AuditBasis]
        ['point', 'lower', 'upper']
    """

    POINT = "point"
    """The point estimate of the failure rate."""
    LOWER = "lower"
    """The lower bound of its interval: the buyer is credited only what is near-certain."""
    UPPER = "upper"
    """The upper bound: the vendor carries the sampling uncertainty."""


def _basis(value: object) -> AuditBasis:
    return parse_choice(AuditBasis, value, "basis")


def _tolerance(value: object) -> Decimal:
    tolerance = to_decimal(value, "tolerance", minimum=Decimal(0))
    if tolerance >= 1:
        raise InvalidValueError(
            "tolerance",
            f"{tolerance} is 100 % or more",
            'a fraction from 0 up to 1, such as "0.02"',
        )
    return tolerance


@attrs.frozen(kw_only=True)
class AuditClause:
    """The ``[audit]`` clause of a contract: how an audit of billed resolutions turns into a credit.

    At or below ``tolerance`` no credit is owed. Above it, the credit is the
    whole rate (the ``basis`` figure of the estimate) times the period's
    resolution charge after caps, not only the part above the tolerance.

    Attributes:
        basis: `AuditBasis.POINT` (default), ``LOWER`` or ``UPPER``.
        tolerance: the failure rate up to which no credit is owed, a fraction
            from 0 up to 1 (default 0).

    Examples:
        >>> from resolutionpricing import AuditClause
        >>> clause = AuditClause(basis="lower", tolerance="0.02")
        >>> clause.basis, clause.tolerance
        (<AuditBasis.LOWER: 'lower'>, Decimal('0.02'))
        >>> AuditClause(tolerance="1.5")
        Traceback (most recent call last):
        ...
        resolutionpricing.InvalidValueError: tolerance: 1.5 is 100 % or more; a fraction from 0 up to 1, such as "0.02"
    """

    basis: AuditBasis = attrs.field(default=AuditBasis.POINT, converter=_basis)
    tolerance: Decimal = attrs.field(default=Decimal(0), converter=_tolerance)

    def to_dict(self) -> dict[str, Any]:
        """The clause as the ``[audit]`` table of a contract file.

        Examples:
            >>> from resolutionpricing import AuditClause
            >>> AuditClause(basis="upper", tolerance="0.020").to_dict()
            {'basis': 'upper', 'tolerance': '0.020'}
        """
        return {"basis": self.basis.value, "tolerance": format(self.tolerance, "f")}
