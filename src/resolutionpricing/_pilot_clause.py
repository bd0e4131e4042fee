"""The pilot clause: a trial before (or at the start of) the term, at its own price.

Contacts that end inside the pilot (``starts_on`` to ``ends_on``, inclusive,
in the contract's time zone) bill at the pilot's price on a
``pilot_resolutions`` line, per period; they use no allowance, no cap and no
commitment, and do not count toward cumulative tiers. The pilot's success
criteria (`PilotCriteria`) are stored with it, and `evaluate_pilot` judges
them on a log.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError, shown
from resolutionpricing._money import to_decimal
from resolutionpricing._periods import check_date, zone
from resolutionpricing._tiers import TierSchedule

__all__ = ["Pilot", "PilotCriteria"]

_ZERO: Final = Decimal(0)


def _optional_rate(value: object) -> Decimal | None:
    if value is None:
        return None
    rate = to_decimal(value, "rate", minimum=_ZERO)
    if rate > 1:
        raise InvalidValueError("rate", f"{rate} is above 1", 'a rate from 0 to 1, such as "0.60"')
    return rate


def _rate_field(value: object, name: str) -> Decimal | None:
    try:
        return _optional_rate(value)
    except (InvalidValueError, InvalidTypeError) as error:
        raise type(error)(name, error.problem, error.allowed) from None


def _min_automation_rate(value: object) -> Decimal | None:
    return _rate_field(value, "min_automation_rate")


def _min_resolution_rate(value: object) -> Decimal | None:
    return _rate_field(value, "min_resolution_rate")


def _max_recontact_rate(value: object) -> Decimal | None:
    return _rate_field(value, "max_recontact_rate")


def _csat(value: object) -> Decimal | None:
    if value is None:
        return None
    score = to_decimal(value, "min_csat", minimum=Decimal(1))
    if score > 5:
        raise InvalidValueError("min_csat", f"{score} is above 5", "a score from 1 to 5")
    return score


@attrs.frozen(kw_only=True)
class PilotCriteria:
    """What the pilot must show; a criterion left None is not judged.

    A minimum passes at or above its threshold, a maximum at or below it.

    Attributes:
        min_automation_rate: the least share of contacts not escalated.
        min_resolution_rate: the least billable units per contact.
        max_recontact_rate: the most contacts voided by a re-contact.
        min_csat: the least mean CSAT score (1 to 5).

    Examples:
        >>> from resolutionpricing.business_case import PilotCriteria
        >>> PilotCriteria(min_automation_rate="0.60", max_recontact_rate="0.10").min_csat is None
        True
    """

    min_automation_rate: Decimal | None = attrs.field(default=None, converter=_min_automation_rate)
    min_resolution_rate: Decimal | None = attrs.field(default=None, converter=_min_resolution_rate)
    max_recontact_rate: Decimal | None = attrs.field(default=None, converter=_max_recontact_rate)
    min_csat: Decimal | None = attrs.field(default=None, converter=_csat)


def _day(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidTypeError(
            attribute.name, f"{shown(value)} is not a date", "a date such as 2026-04-01"
        )
    check_date(value, attribute.name)


def _schedule(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, TierSchedule):
        raise InvalidTypeError(
            "pricing", f"{shown(value)} is not a TierSchedule", "a TierSchedule for the pilot"
        )


def _criteria(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, PilotCriteria):
        raise InvalidTypeError("criteria", f"{shown(value)} is not PilotCriteria", "PilotCriteria")


@attrs.frozen(kw_only=True)
class Pilot:
    """A pilot at its own price: its contacts bill on a ``pilot_resolutions`` line.

    In the file, ``[pilot]`` with ``starts_on``, ``ends_on`` and a price:
    ``unit_price = "1.50"``, or ``mode`` and ``tiers`` as in ``[pricing]``;
    and the success criteria as keys (``min_automation_rate``,
    ``min_resolution_rate``, ``max_recontact_rate``, ``min_csat``). The pilot
    may lie before the contract's ``starts_on``: the contract's periods are
    then those that overlap its term or its pilot. The pilot's tiers count
    each period's pilot units from zero.

    Attributes:
        starts_on: the pilot's first day.
        ends_on: its last day, inclusive.
        pricing: the price of a pilot resolution (a `TierSchedule`).
        criteria: what the pilot must show (`PilotCriteria`; none by default).

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing import Pilot, Tier, TierSchedule
        >>> pilot = Pilot(starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 30),
        ...               pricing=TierSchedule.graduated(Tier(unit_price="1.50")))
        >>> pilot.pricing.price(100)
        Decimal('150.00')
    """

    starts_on: date = attrs.field(validator=_day)
    ends_on: date = attrs.field(validator=_day)
    pricing: TierSchedule = attrs.field(validator=_schedule)
    criteria: PilotCriteria = attrs.field(factory=PilotCriteria, validator=_criteria)

    def __attrs_post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise InvalidValueError(
                "ends_on",
                f"{self.ends_on} is before starts_on ({self.starts_on})",
                "a date on or after starts_on",
            )

    def contains(self, day: date) -> bool:
        """Whether the calendar date ``day`` is in the pilot (both ends included)."""
        return self.starts_on <= day <= self.ends_on

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The pilot's first instant and the first instant after it, in ``timezone``.

        A contact belongs to the pilot when its ``ended_at`` is at or after the
        first and before the second (the days from ``starts_on`` to
        ``ends_on``, both included), as `BillingPeriod.bounds` does for a period.

        Examples:
            >>> from datetime import date
            >>> from resolutionpricing import Pilot, Tier, TierSchedule
            >>> pilot = Pilot(starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 30),
            ...               pricing=TierSchedule.graduated(Tier(unit_price="1.50")))
            >>> start, end = pilot.bounds("Europe/Paris")
            >>> start.isoformat(), end.isoformat()
            ('2026-04-01T00:00:00+02:00', '2026-07-01T00:00:00+02:00')
        """
        tz = zone(timezone)
        return (
            datetime.combine(self.starts_on, time(), tzinfo=tz),
            datetime.combine(self.ends_on + timedelta(days=1), time(), tzinfo=tz),
        )
