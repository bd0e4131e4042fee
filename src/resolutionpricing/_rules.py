"""The written definition of a billable resolution (the contract's ``[resolution]``).

The rule is data; `resolutionpricing.decide` applies it to an interaction log.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError, parse_choice, shown

if TYPE_CHECKING:
    from resolutionpricing._sql import Periods

__all__ = [
    "PartialPolicy",
    "RecontactScope",
    "ResolutionRule",
    "format_window",
    "parse_window",
]

_SHORT = re.compile(r"^\s*(?P<number>\d+)\s*(?P<unit>[smhdw])\s*$", re.ASCII)
_ISO = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$",
    re.ASCII,
)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_WINDOW_HINT = 'a duration such as "48h", "2d", "90m", "3600s", "1w" or ISO 8601 "PT48H"'


def parse_window(value: object, path: str = "recontact_window") -> timedelta:
    """Read a re-contact window: ``"48h"``, ``"2d"``, ``"90m"``, ``"PT48H"`` or a `timedelta`.

    Raises:
        InvalidValueError: for text that is not such a duration, or a negative one.

    Examples:
        >>> from resolutionpricing import parse_window
        >>> parse_window("48h") == parse_window("2d") == parse_window("PT48H")
        True
        >>> parse_window("90m")
        datetime.timedelta(seconds=5400)
    """
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise InvalidValueError(path, f"{value} is negative", "a window of 0 or more")
        if value.microseconds:
            raise InvalidValueError(
                path, f"{value} is not a whole number of seconds", "a window in whole seconds"
            )
        return value
    if not isinstance(value, str):
        raise InvalidTypeError(path, f"{shown(value)} is a {type(value).__name__}", _WINDOW_HINT)
    # ASCII digits only (re.ASCII): "\u0664\u0668h" is not 48 hours.
    short = _SHORT.fullmatch(value)
    iso = _ISO.match(value.strip().upper())
    try:
        if short:
            return timedelta(**{_UNITS[short["unit"]]: int(short["number"])})
        if (
            iso
            and value.strip().upper() not in {"P", "PT"}
            and not value.strip().upper().endswith("T")
        ):
            parts = {name: int(number) for name, number in iso.groupdict().items() if number}
            return timedelta(**parts)
    except (OverflowError, ValueError):  # beyond timedelta, or an int of over 4300 digits
        raise InvalidValueError(
            path, f"{shown(value)} is too long a duration", "a window under 999999999 days"
        ) from None
    raise InvalidValueError(path, f"{shown(value)} is not a duration", _WINDOW_HINT)


def format_window(window: timedelta) -> str:
    """Write a window in the largest whole unit of hours, minutes or seconds.

    Examples:
        >>> from datetime import timedelta
        >>> from resolutionpricing import format_window
        >>> format_window(timedelta(days=2)), format_window(timedelta(minutes=90))
        ('48h', '90m')
    """
    if window.microseconds or window < timedelta(0):
        raise InvalidValueError(
            "recontact_window",
            f"{window} is not a whole number of seconds of 0 or more",
            "a window in whole seconds",
        )
    seconds = window // timedelta(seconds=1)
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


class RecontactScope(enum.Enum):
    """What counts as the customer coming back about the same issue.

    Examples:
        >>> from resolutionpricing import RecontactScope
        >>> RecontactScope("same_topic")
        <RecontactScope.SAME_TOPIC: 'same_topic'>
    """

    SAME_CONVERSATION = "same_conversation"
    """A later contact in the same conversation (Intercom's model)."""
    SAME_TOPIC = "same_topic"
    """A later contact sharing a resolved topic; only the shared topics are voided."""
    ANY_TOPIC = "any_topic"
    """Any later contact by the customer voids the whole resolution."""


class PartialPolicy(enum.Enum):
    """What a contact that resolved some of its topics bills.

    With R the resolved topics left and T all the contact's topics:

    Examples:
        >>> from resolutionpricing import PartialPolicy
        >>> [policy.value for policy in PartialPolicy]
        ['all_or_nothing', 'per_topic', 'pro_rata', 'any']
    """

    ALL_OR_NOTHING = "all_or_nothing"
    """1 unit if every topic is resolved, else 0."""
    PER_TOPIC = "per_topic"
    """One unit per resolved topic: |R|."""
    PRO_RATA = "pro_rata"
    """|R| / |T|, rounded half-up to 4 decimal places."""
    ANY = "any"
    """1 unit if any topic is resolved."""


def _scope(value: object) -> RecontactScope:
    return parse_choice(RecontactScope, value, "recontact_scope")


def _partial(value: object) -> PartialPolicy:
    return parse_choice(PartialPolicy, value, "partial")


def _non_negative_window(
    _instance: object, attribute: attrs.Attribute[Any], value: timedelta
) -> None:
    if value < timedelta(0):
        raise InvalidValueError(attribute.name, f"{value} is negative", "a window of 0 or more")


def _csat(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(
            "min_csat", f"{shown(value)} is not a whole number", "an integer from 1 to 5, or None"
        )
    if not 1 <= value <= 5:
        raise InvalidValueError(
            "min_csat", f"{value} is out of range", "an integer from 1 to 5, or None"
        )
    return value


def _flag(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidTypeError(attribute.name, f"{shown(value)} is not a boolean", "true or false")


@attrs.frozen(kw_only=True)
class ResolutionRule:
    """When a contact is a billable resolution, and how many units it bills.

    Interaction B re-contacts interaction A when B is by the same customer,
    starts strictly after A starts and no later than ``A.ended_at +
    recontact_window`` (inclusive), matches A under ``recontact_scope``, and,
    unless ``cross_channel``, is on A's channel.

    Attributes:
        recontact_window: how long after a contact a return voids it (default 48 h).
        recontact_scope: what counts as coming back (default ``same_topic``).
        cross_channel: whether a return on another channel counts (default True).
        exclude_escalated: escalated contacts never bill (default True).
        require_confirmation: only contacts the customer confirmed bill
            (default False: silent contacts bill, as "assumed" resolutions).
        min_csat: contacts rated below this never bill (default None: no veto).
        partial: what a partly resolved contact bills (default ``all_or_nothing``).

    Examples:
        >>> from resolutionpricing import ResolutionRule
        >>> rule = ResolutionRule(recontact_window="72h", partial="per_topic", min_csat=4)
        >>> rule.recontact_window, rule.partial
        (datetime.timedelta(days=3), <PartialPolicy.PER_TOPIC: 'per_topic'>)
    """

    recontact_window: timedelta = attrs.field(
        default=timedelta(hours=48), converter=parse_window, validator=_non_negative_window
    )
    recontact_scope: RecontactScope = attrs.field(
        default=RecontactScope.SAME_TOPIC,
        converter=_scope,
    )
    cross_channel: bool = attrs.field(default=True, validator=_flag)
    exclude_escalated: bool = attrs.field(default=True, validator=_flag)
    require_confirmation: bool = attrs.field(default=False, validator=_flag)
    min_csat: int | None = attrs.field(default=None, converter=_csat)
    partial: PartialPolicy = attrs.field(
        default=PartialPolicy.ALL_OR_NOTHING,
        converter=_partial,
    )

    def to_sql(
        self,
        table: str,
        *,
        dialect: str = "duckdb",
        as_of_us: int | None = None,
        periods: Periods | None = None,
        output: Literal["decisions", "usage"] = "decisions",
        pause_limit: Decimal | int | str | Mapping[str | None, Decimal | int | str] | None = None,
    ) -> str:
        """Compile the rule to one SQL query that decides every contact of ``table``.

        ``table`` holds one row per contact in the canonical columns
        ``account_id`` (text, NULL being one account of its own), ``id``,
        ``customer_id``, ``conversation_id``, ``channel``, ``start_us`` and
        ``end_us`` (BIGINT microseconds since the Unix epoch, UTC), ``topics``
        and ``resolved_topics`` (lists of text), ``escalated``, ``confirmed``
        (nullable) and ``csat`` (nullable integer). The query decides exactly
        as `decide` does, each account on its own.

        With ``output="decisions"`` it yields one row per contact starting no
        later than the cutoff, ordered by (``account_id`` with NULL first,
        ``start_us``, ``interaction_id``), with the columns ``account_id``,
        ``interaction_id``, ``status`` (``billable``, ``not_billable`` or
        ``pending``), ``units`` and ``provisional_units`` (DECIMAL(18, 4)),
        ``reasons`` (a list, in the order of `Reason`), ``recontacted_by``
        (the first re-contact of each voided topic, de-duplicated, in
        (start, id) order), ``voided_topics`` (sorted), ``period`` (NULL
        without ``periods``), and ``start_us``, ``end_us``, ``escalated``
        carried over. With ``output="usage"`` it yields one row per
        (``account_id``, ``period``) with ``contacts``, ``escalated``,
        ``billable_interactions``, ``billable_units``, ``pending``,
        ``not_billable_interactions``, one ``not_billable_<reason>`` count per
        `Reason` and ``overflow_from``.

        Args:
            table: a table name, or any table expression such as
                ``read_parquet('log.parquet')``, inserted into the query as is.
            dialect: ``"duckdb"`` or ``"spark"`` (Spark SQL 3.5 or later).
            as_of_us: what was known, in microseconds since the epoch;
                contacts starting after it are left out. Defaults to the
                latest ``start_us`` or ``end_us`` of the whole table.
            periods: billing periods as ``(label, start_us, end_us)``; a
                contact belongs to the first whose ``[start_us, end_us)``
                holds its ``end_us``. One sequence for every account, or a
                mapping from account id (None for the rows without one) to
                that account's periods, since each contract's periods follow
                its own time zone.
            output: ``"decisions"`` or ``"usage"``.
            pause_limit: a pause cap's limit (one for every account, or a
                mapping from account id to limit): ``overflow_from`` is then
                the first contact, in (``end_us``, ``start_us``, id) order,
                whose running sum of billable units exceeds it; else NULL.

        Returns:
            The query, as text.

        Raises:
            InvalidValueError: for another dialect or output, or a malformed
                period.
            InvalidTypeError: for an ``as_of_us`` that is not an integer.

        Examples:
            >>> from resolutionpricing import ResolutionRule
            >>> sql = ResolutionRule(recontact_window="48h").to_sql("contacts", as_of_us=0)
            >>> sql.splitlines()[:3]
            ['WITH', 'cutoff AS (', '  SELECT CAST(0 AS BIGINT) AS cutoff_us']
            >>> "RANGE BETWEEN 1 FOLLOWING" in sql, "JOIN known" in sql
            (True, False)
        """
        from resolutionpricing._sql import compile_rule  # noqa: PLC0415 -- _sql imports this module

        return compile_rule(
            self,
            table,
            dialect=dialect,
            as_of_us=as_of_us,
            periods=periods,
            output=output,
            pause_limit=pause_limit,
        )
