"""Billing periods: calendar months (or quarters) in the contract's time zone."""

from __future__ import annotations

import enum
import functools
import importlib.resources
import re
from datetime import UTC, date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError, parse_choice, shown

__all__ = [
    "DATE_RANGE",
    "FIRST_DATE",
    "FIRST_INSTANT",
    "INSTANT_RANGE",
    "LAST_DATE",
    "LAST_INSTANT",
    "BillingPeriod",
    "Cadence",
    "check_date",
    "check_instant",
    "zone",
]

FIRST_DATE: Final = date(2, 1, 1)
LAST_DATE: Final = date(9998, 12, 31)
"""The dates a contract, a fee, a period or a timestamp may have: years 0002 to 9998.

A year short of each end of the calendar, so that moving any instant to any
time zone (up to a day), and the period after the last one, stay in it."""
DATE_RANGE: Final = "a date from 0002-01-01 to 9998-12-31"
FIRST_INSTANT: Final = datetime(2, 1, 2, tzinfo=UTC)
LAST_INSTANT: Final = datetime(9998, 12, 31, tzinfo=UTC)
INSTANT_RANGE: Final = "an instant from 0002-01-02T00:00:00Z up to 9998-12-31T00:00:00Z"

_LABEL = re.compile(r"(?P<year>\d{4})-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4]))", re.ASCII)
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


def check_date(day: date, path: str) -> date:
    """Refuse a date outside `FIRST_DATE` to `LAST_DATE`, naming the range.

    Examples:
        >>> from datetime import date
        >>> from resolutionpricing._periods import check_date
        >>> check_date(date(1, 1, 1), "starts_on")
        Traceback (most recent call last):
        ...
        resolutionpricing.InvalidValueError: starts_on: 0001-01-01 is outside the supported dates; a date from 0002-01-01 to 9998-12-31
    """
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InvalidValueError(
            path, f"{day.isoformat()} is outside the supported dates", DATE_RANGE
        )
    return day


def check_instant(moment: datetime, path: str) -> datetime:
    """Refuse an aware instant that is not on a supported date in every time zone.

    That is, from `FIRST_INSTANT` up to, not including, `LAST_INSTANT`: one
    day inside the supported dates, since time zones are up to a day apart.

    Examples:
        >>> from datetime import datetime, timedelta, timezone
        >>> from resolutionpricing._periods import check_instant
        >>> check_instant(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), "started_at")
        Traceback (most recent call last):
        ...
        resolutionpricing.InvalidValueError: started_at: 0001-01-01T00:00:00+14:00 is outside the supported times; an instant from 0002-01-02T00:00:00Z up to 9998-12-31T00:00:00Z
    """
    # The year first: converting a year-1 instant to UTC would overflow.
    if not (
        FIRST_DATE.year <= moment.year <= LAST_DATE.year
        and FIRST_INSTANT <= moment.astimezone(UTC) < LAST_INSTANT
    ):
        raise InvalidValueError(
            path, f"{moment.isoformat()} is outside the supported times", INSTANT_RANGE
        )
    return moment


def _cadence(value: object) -> Cadence:
    return parse_choice(Cadence, value, "cadence")


def zone(name: str, path: str = "timezone") -> ZoneInfo:
    """The IANA time zone ``name`` (``"Asia/Dubai"``), or a located error.

    Examples:
        >>> from resolutionpricing._periods import zone
        >>> zone("Asia/Dubai")
        zoneinfo.ZoneInfo(key='Asia/Dubai')
    """
    names = _iana_names()
    if not names:
        raise InvalidValueError(
            path,
            f"{shown(name)} cannot be checked: time zone data is missing (install tzdata)",
            "a machine with the IANA time zone database (pip install tzdata)",
        )
    # Only keys of the IANA database: "localtime" or a file path would be this
    # machine's zone, and the same contract would price differently elsewhere.
    if name not in names:
        raise InvalidValueError(
            path, f"{shown(name)} is not an IANA time zone", 'a name such as "Asia/Dubai" or "UTC"'
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # pragma: no cover - listed but unreadable
        raise InvalidValueError(
            path,
            f"{shown(name)} cannot be read: time zone data is missing (install tzdata)",
            "a machine with the IANA time zone database (pip install tzdata)",
        ) from None


@functools.cache
def _iana_names() -> frozenset[str]:
    """The keys of the IANA database: tzdata's list, else the system's zone files."""
    try:
        listed = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        # available_timezones() walks the system's folders, which also hold
        # files that are not zones of the database.
        return frozenset(available_timezones() - {"localtime", "posixrules", "posix", "right"})
    return frozenset(listed.split())


def _check_year(year: object) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidTypeError("year", f"{shown(year)} is not a year", "an int from 2 to 9998")
    if not FIRST_DATE.year <= year <= LAST_DATE.year:
        raise InvalidValueError("year", f"{shown(year)} is outside the supported dates", DATE_RANGE)


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
        check_date(self.start, "start")
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
        _check_year(year)
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
        _check_year(year)
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
        match = _LABEL.fullmatch(text) if isinstance(text, str) else None
        if match is None or (match["month"] and not 1 <= int(match["month"]) <= 12):
            raise InvalidValueError("period", f"{shown(label)} is not a period label", _LABEL_HINT)
        if not FIRST_DATE.year <= int(match["year"]) <= LAST_DATE.year:
            raise InvalidValueError(
                "period",
                f"{shown(label)} is outside the supported dates",
                f"a period in the years 0002 to 9998 ({DATE_RANGE})",
            )
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
        check_date(day, "day")
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
