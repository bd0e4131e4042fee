"""Automation-linked price: a factor on the resolution charge by the automation rate achieved.

A contract may list `AutomationBand`s (``[[pricing.automation_bands]]``). The
band that applies in a period is the one with the greatest ``at_least`` that
is not above the period's containment rate, as the invoice shows it (rounded
half-up to 4 places). Its ``factor`` scales the resolution charge after the
caps and before the minimum commitment; the change is its own
``automation_adjustment`` line, ``charge x (factor - 1)`` rounded to the
currency with the contract's mode. Below every band, or at a factor of 1,
there is no line.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

from resolutionpricing._errors import InvalidValueError
from resolutionpricing._money import ARITHMETIC, to_decimal

__all__ = ["MAX_AUTOMATION_BANDS", "AutomationBand", "band_for", "band_problems"]

MAX_AUTOMATION_BANDS: Final = 20
"""More bands than this is a typo, not a contract."""
_RATE_PLACES: Final = 4


def _at_least(value: object) -> Decimal:
    rate = to_decimal(value, "at_least", minimum=Decimal(0))
    exponent = rate.as_tuple().exponent
    if rate > 1:
        raise InvalidValueError(
            "at_least", f"{rate} is above 1", 'a containment rate from 0 to 1, such as "0.40"'
        )
    if (
        isinstance(exponent, int)
        and exponent < -_RATE_PLACES
        and rate != rate.quantize(Decimal(1).scaleb(-_RATE_PLACES), context=ARITHMETIC)
    ):
        raise InvalidValueError(
            "at_least",
            f"{rate} has more than {_RATE_PLACES} decimal places",
            f"at most {_RATE_PLACES} places: the invoice's containment rate has {_RATE_PLACES}",
        )
    return rate


def _factor(value: object) -> Decimal:
    return to_decimal(value, "factor", minimum=Decimal(0))


@attrs.frozen(kw_only=True)
class AutomationBand:
    """From a containment rate of ``at_least`` up, the resolution charge is multiplied by ``factor``.

    Attributes:
        at_least: the lowest containment rate (0 to 1, at most 4 places) at
            which the band applies.
        factor: what the resolution charge after caps is multiplied by
            (``0.90`` is a 10 % discount, ``1.05`` a 5 % premium; 0 or more).

    Examples:
        >>> from resolutionpricing import AutomationBand
        >>> AutomationBand(at_least="0.40", factor="0.90")
        AutomationBand(at_least=Decimal('0.40'), factor=Decimal('0.90'))
    """

    at_least: Decimal = attrs.field(converter=_at_least)
    factor: Decimal = attrs.field(converter=_factor)


def band_problems(bands: Sequence[Any], path: str) -> list[InvalidValueError]:
    """Problems of the bands as a list: too many, or two with the same ``at_least``."""
    problems = []
    if len(bands) > MAX_AUTOMATION_BANDS:
        problems.append(
            InvalidValueError(
                path, f"has {len(bands)} bands", f"at most {MAX_AUTOMATION_BANDS} bands"
            )
        )
    seen: dict[Decimal, int] = {}
    for index, band in enumerate(bands):
        if not isinstance(band, AutomationBand):
            continue
        if band.at_least in seen:
            problems.append(
                InvalidValueError(
                    f"{path}[{index}].at_least",
                    f"{band.at_least} is already the at_least of {path}[{seen[band.at_least]}]",
                    "a different at_least for every band",
                )
            )
        seen.setdefault(band.at_least, index)
    return problems


def band_for(bands: Sequence[AutomationBand], rate: Decimal) -> AutomationBand | None:
    """The band with the greatest ``at_least`` not above ``rate``, or None below every band.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import AutomationBand
        >>> from resolutionpricing._automation import band_for
        >>> bands = [AutomationBand(at_least="0.40", factor="0.90"), AutomationBand(at_least="0.60", factor="0.80")]
        >>> band_for(bands, Decimal("0.6000")).factor, band_for(bands, Decimal("0.5999")).factor
        (Decimal('0.80'), Decimal('0.90'))
        >>> band_for(bands, Decimal("0.3999")) is None
        True
    """
    with decimal.localcontext(ARITHMETIC):
        applicable = [band for band in bands if band.at_least <= rate]
    return max(applicable, key=lambda band: band.at_least, default=None)
