"""Volume caps: what happens to the resolution charge in a spike month.

A contract may combine caps; they always apply in this order, whatever the
order they are written in:

1. `PauseCap`: units beyond ``limit`` are not billed; they overflow to the
   human queue and the invoice reports them.
2. `StepDownCap`: the first ``above`` billable units are priced by the tier
   schedule, every unit above it at the cap's ``unit_price``. With a volume
   schedule the first ``above`` units are priced as a volume of ``above``
   (the tier ``above`` falls in), not at the tier of the whole quantity.
3. `SpendCap`: the resolution charge never exceeds ``limit``; the reduction is
   its own negative ``spend_cap`` line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import attrs

from resolutionpricing._money import above_field, limit_field, unit_price_field

__all__ = ["Cap", "PauseCap", "SpendCap", "StepDownCap"]


@attrs.frozen(kw_only=True)
class PauseCap:
    """Billable units beyond ``limit`` in a period are not billed (they go to humans).

    Attributes:
        limit: the most units billed in one period.

    Examples:
        >>> from resolutionpricing import PauseCap
        >>> PauseCap(limit=25000).limit
        Decimal('25000')
    """

    kind: ClassVar[str] = "pause"
    order: ClassVar[int] = 0
    limit: Decimal = attrs.field(converter=limit_field)


@attrs.frozen(kw_only=True)
class StepDownCap:
    """Units above ``above`` in a period are priced at ``unit_price``, not by the tiers.

    Attributes:
        above: how many units the tier schedule prices.
        unit_price: the price of every unit beyond ``above``.

    Examples:
        >>> from resolutionpricing import StepDownCap
        >>> StepDownCap(above=30000, unit_price="1.50").unit_price
        Decimal('1.50')
    """

    kind: ClassVar[str] = "step_down"
    order: ClassVar[int] = 1
    above: Decimal = attrs.field(converter=above_field)
    unit_price: Decimal = attrs.field(converter=unit_price_field)


@attrs.frozen(kw_only=True)
class SpendCap:
    """The resolution charge of a period never exceeds ``limit``.

    The invoice shows the gross charge and a negative ``spend_cap`` line that
    brings it down to the limit, so both are visible.

    Attributes:
        limit: the most the resolutions of one period cost.

    Examples:
        >>> from resolutionpricing import SpendCap
        >>> SpendCap(limit="90000.00").limit
        Decimal('90000.00')
    """

    kind: ClassVar[str] = "spend"
    order: ClassVar[int] = 2
    limit: Decimal = attrs.field(converter=limit_field)


Cap = PauseCap | StepDownCap | SpendCap
"""Any of the volume caps."""
