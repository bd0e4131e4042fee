"""Billing periods: calendar months (or quarters) in the contract's time zone."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError, parse_choice, shown

__all__ = ["BillingPeriod", "Cadence", "zone"]

_LABEL = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4]))$")
_LABEL_HINT = 'a month "YYYY-MM" (such as "2026-10") or a quarter "YYYY-Qn" (such as "2026-Q4")'


class Cadence(enum.Enum):
    """How long a contract's billing period is.

    Examples:
        >>> from resolutionpricing import Cadence
        >>> Cadence("quarterly").months
        3
    """

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @property
    def months(self) -> int:
        """The number of calendar months in one period."""
        return 1 if self is Cadence.MONTHLY else 3


def _cadence(value: object) -> Cadence:
    return parse_choice(Cadence, value, "cadence")


def zone(name: str, path: str = "timezone") -> ZoneInfo:
    """The IANA time zone ``name`` (``"Asia/Dubai"``), or a located error.

    Examples:
        >>> from resolutionpricing._periods import zone
        >>> zone("Asia/Dubai")
        zoneinfo.ZoneInfo(key='Asia/Dubai')
    """
    try:
        return ZoneInfo(name)
    # OSError: a name that is a directory of the database ("America"), or too long.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidValueError(
            path, f"{shown(name)} is not an IANA time zone", 'a name such as "Asia/Dubai" or "UTC"'
        ) from None


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@attrs.frozen(kw_only=True, order=True)
class BillingPeriod:
    """A calendar month or quarter: the dates from ``start`` up to, not including, ``end``.

    A period is a span of calendar dates; the contract's time zone turns it
    into instants (`BillingPeriod.bounds`), so a contact at 23:30 UTC on
    31 October is in November for a contract in Asia/Dubai.

    Attributes:
        start: the first day of the period.
        cadence: `Cadence.MONTHLY` or `Cadence.QUARTERLY`.

    Examples:
        >>> from resolutionpricing import BillingPeriod
        >>> period = BillingPeriod.parse("2026-10")
        >>> period.label, period.start, period.end
        ('2026-10', datetime.date(2026, 10, 1), datetime.date(2026, 11, 1))
        >>> BillingPeriod.parse("2026-Q4").end
        datetime.date(2027, 1, 1)
    """

    start: date
    cadence: Cadence = attrs.field(default=Cadence.MONTHLY, converter=_cadence)

    def __attrs_post_init__(self) -> None:
        start: object = self.start
        if not isinstance(start, date) or isinstance(start, datetime):
            raise InvalidTypeError("start", f"{shown(self.start)} is not a date", "a datetime.date")
        first_months = (1, 4, 7, 10) if self.cadence is Cadence.QUARTERLY else range(1, 13)
        if self.start.day != 1 or self.start.month not in first_months:
            raise InvalidValueError(
                "start",
                f"{self.start.isoformat()} does not start a {self.cadence.value} period",
                "the first day of a month (monthly) or of January, April, July or October (quarterly)",
            )

    @classmethod
    def month(cls, year: int, month: int) -> BillingPeriod:
        """The calendar month ``year``-``month``.

        Examples:
            >>> from resolutionpricing import BillingPeriod
            >>> BillingPeriod.month(2026, 10).label
            '2026-10'
        """
        if month not in range(1, 13):
            raise InvalidValueError("month", f"{shown(month)} is not a month", "1 to 12")
        return cls(start=date(year, month, 1), cadence=Cadence.MONTHLY)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> BillingPeriod:
        """The calendar quarter ``quarter`` (1 to 4) of ``year``.

        Examples:
            >>> from resolutionpricing import BillingPeriod
            >>> BillingPeriod.quarter(2026, 4).end
            datetime.date(2027, 1, 1)
        """
        if quarter not in {1, 2, 3, 4}:
            raise InvalidValueError("quarter", f"{shown(quarter)} is not a quarter", "1, 2, 3 or 4")
        return cls(start=date(year, 3 * quarter - 2, 1), cadence=Cadence.QUARTERLY)

    @classmethod
    def parse(cls, label: str) -> BillingPeriod:
        """The period a label names: ``"2026-10"`` (a month) or ``"2026-Q4"`` (a quarter).

        Examples:
            >>> from resolutionpricing import BillingPeriod
            >>> BillingPeriod.parse("2027-Q1").start
            datetime.date(2027, 1, 1)
        """
        text: object = label
        match = _LABEL.match(text) if isinstance(text, str) else None
        if match is None or (match["month"] and not 1 <= int(match["month"]) <= 12):
            raise InvalidValueError("period", f"{shown(label)} is not a period label", _LABEL_HINT)
        if match["quarter"]:
            return cls.quarter(int(match["year"]), int(match["quarter"]))
        return cls.month(int(match["year"]), int(match["month"]))

    @classmethod
    def containing(cls, day: date, cadence: Cadence | str = Cadence.MONTHLY) -> BillingPeriod:
        """The period of ``cadence`` that contains the calendar date ``day``.

        Examples:
            >>> from datetime import date
            >>> from resolutionpricing import BillingPeriod
            >>> BillingPeriod.containing(date(2026, 11, 30), "quarterly").label
            '2026-Q4'
        """
        cadence = _cadence(cadence)
        first_month = day.month - (day.month - 1) % cadence.months
        return cls(start=date(day.year, first_month, 1), cadence=cadence)

    @property
    def end(self) -> date:
        """The first day after the period."""
        return _add_months(self.start, self.cadence.months)

    @property
    def label(self) -> str:
        """``"2026-10"`` for a month, ``"2026-Q4"`` for a quarter."""
        if self.cadence is Cadence.QUARTERLY:
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        return f"{self.start.year}-{self.start.month:02d}"

    def contains(self, day: date) -> bool:
        """Whether the calendar date ``day`` is in the period.

        Examples:
            >>> from datetime import date
            >>> from resolutionpricing import BillingPeriod
            >>> BillingPeriod.parse("2026-10").contains(date(2026, 10, 31))
            True
        """
        return self.start <= day < self.end

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The period's first instant and the first instant after it, in ``timezone``.

        Examples:
            >>> from resolutionpricing import BillingPeriod
            >>> start, end = BillingPeriod.parse("2026-10").bounds("Asia/Dubai")
            >>> start.isoformat(), end.isoformat()
            ('2026-10-01T00:00:00+04:00', '2026-11-01T00:00:00+04:00')
        """
        tz = zone(timezone)
        return (
            datetime.combine(self.start, time(), tzinfo=tz),
            datetime.combine(self.end, time(), tzinfo=tz),
        )

    def next(self) -> BillingPeriod:
        """The period right after this one.

        Examples:
            >>> from resolutionpricing import BillingPeriod
            >>> BillingPeriod.parse("2026-12").next().label
            '2027-01'
        """
        return BillingPeriod(start=self.end, cadence=self.cadence)

    def __str__(self) -> str:
        return self.label
