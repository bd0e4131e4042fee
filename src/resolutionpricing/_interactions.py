"""Interactions: one conversation of a customer with the AI, as logged.

Also the readers of interaction logs: CSV and JSON Lines files
(`read_interactions`, or `iter_interactions` a chunk at a time) and in-memory
records such as a pandas ``df.to_dict("records")`` (`interactions_from_records`).
The readers share one converter per column, so a value means the same thing in
every source.
"""

from __future__ import annotations

import contextlib
import csv
import enum
import functools
import gc
import io
import itertools
import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn, SupportsIndex, overload

import attrs

from resolutionpricing._errors import (
    TEXT_ALLOWED,
    InteractionLogError,
    InvalidTypeError,
    InvalidValueError,
    has_surrogate,
    shown,
)
from resolutionpricing._limits import MAX_LINE_CHARACTERS, open_regular
from resolutionpricing._periods import check_instant

if TYPE_CHECKING:
    import _csv
    import os

    from resolutionpricing._errors import Problem

__all__ = [
    "Interaction",
    "ReadReport",
    "RejectedRow",
    "interactions_from_records",
    "iter_interactions",
    "read_interactions",
]

_TIMESTAMP_ALLOWED: Final = (
    "a timezone-aware timestamp such as 2026-10-01T09:30:00+04:00 or 2026-10-01T05:30:00Z"
)


def _aware(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, datetime):
        raise InvalidTypeError(
            attribute.name, f"{value!r} is not a datetime", "a timezone-aware datetime"
        )
    if value.utcoffset() is None:
        raise InvalidValueError(
            attribute.name, f"{value.isoformat()} has no time zone", _TIMESTAMP_ALLOWED
        )
    check_instant(value, attribute.name)


def _text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(
            attribute.name, f"{shown(value)} is empty or not a string", "a non-empty string"
        )
    if has_surrogate(value):
        raise InvalidValueError(
            attribute.name, f"{shown(value)} holds a lone surrogate", TEXT_ALLOWED
        )


def _topics(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError(
            "topics", f"{value!r} is not a collection of topics", "a list or set of strings"
        )
    # A frozenset (what the log readers pass) is checked in place, not copied.
    items = value if type(value) is frozenset else list(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidValueError("topics", f"{shown(item)} is not a topic", "non-empty strings")
        if has_surrogate(item):
            raise InvalidValueError("topics", f"{shown(item)} holds a lone surrogate", TEXT_ALLOWED)
    return items if type(items) is frozenset else frozenset(items)


def _attributes(value: Mapping[Any, object] | None) -> Mapping[str, str]:
    items = dict(value or {})
    for key, item in items.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise InvalidTypeError(
                f"attributes[{shown(key)}]", f"{shown(item)} is not a string", "strings only"
            )
        if has_surrogate(key) or has_surrogate(item):
            raise InvalidValueError(
                f"attributes[{shown(key)}]", f"{shown(item)} holds a lone surrogate", TEXT_ALLOWED
            )
    return MappingProxyType(dict(sorted(items.items())))


def _bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidTypeError(attribute.name, f"{value!r} is not a boolean", "True or False")


def _optional_bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidTypeError(attribute.name, f"{value!r} is not a boolean", "True, False or None")


def _csat(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(
            attribute.name, f"{value!r} is not a whole number", "an integer from 1 to 5, or None"
        )
    if not 1 <= value <= 5:
        raise InvalidValueError(
            attribute.name, f"{value} is out of range", "an integer from 1 to 5, or None"
        )


def _order_problem(started_at: datetime, ended_at: datetime) -> InvalidValueError | None:
    """The problem of an interaction that ends before it starts, if it does."""
    # As instants: two datetimes sharing one ZoneInfo compare by wall clock,
    # which is wrong inside a repeated daylight-saving hour (fold=1).
    if ended_at.astimezone(UTC) < started_at.astimezone(UTC):
        return InvalidValueError(
            "ended_at",
            f"{ended_at.isoformat()} is before started_at ({started_at.isoformat()})",
            "ended_at on or after started_at",
        )
    return None


def _logged_problem(started_at: datetime, logged_at: datetime | None) -> InvalidValueError | None:
    """The problem of a row logged before its contact started, if it is."""
    if logged_at is not None and logged_at.astimezone(UTC) < started_at.astimezone(UTC):
        return InvalidValueError(
            "logged_at",
            f"{logged_at.isoformat()} is before started_at ({started_at.isoformat()})",
            "logged_at on or after started_at, or empty when not known",
        )
    return None


def _resolved_problem(topics: frozenset[str], resolved: frozenset[str]) -> InvalidValueError | None:
    """The problem of resolved topics that were never raised, if there are any."""
    unknown = resolved - topics
    if unknown:
        return InvalidValueError(
            "resolved_topics",
            f"{', '.join(sorted(unknown))} not among the topics ({', '.join(sorted(topics))})",
            "a subset of topics",
        )
    return None


@attrs.frozen(kw_only=True)
class Interaction:
    """One contact of a customer with the AI, as the log records it.

    Attributes:
        id: unique within its account.
        customer_id: who contacted.
        account_id: whose log row it is: the account (a vendor's customer)
            that a contract bills, or None. A contact re-contacts another only
            within the same account, and ids are unique per account.
        conversation_id: the conversation it belongs to (defaults to ``id``).
        channel: ``chat``, ``email``, ``whatsapp``, ``voice``...
        started_at: when it started (timezone-aware).
        ended_at: the AI's last answer (timezone-aware, not before ``started_at``).
        topics: the issues raised (at least one).
        resolved_topics: the subset the AI resolved (may be empty).
        escalated: a human agent took part.
        confirmed: True if the customer confirmed it helped, False if they said
            it did not, None if silent.
        csat: the customer's rating from 1 to 5, or None.
        attributes: any other columns (tenant, region), as strings.
        logged_at: when the row reached the log (timezone-aware, not before
            ``started_at``: a row cannot be logged before its contact
            begins), or None when the log does not say. With it, ``as_of``
            means "what was in the log at ``as_of``": `decide`, `bill` and
            `calculate_invoice` ignore rows logged after ``as_of``.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from resolutionpricing import Interaction
        >>> contact = Interaction(
        ...     id="c1", customer_id="u1", channel="chat",
        ...     started_at=datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc),
        ...     ended_at=datetime(2026, 10, 1, 9, 5, tzinfo=timezone.utc),
        ...     topics=["billing", "refund"], resolved_topics=["billing"],
        ... )
        >>> contact.conversation_id, sorted(contact.topics)
        ('c1', ['billing', 'refund'])
    """

    id: str = attrs.field(validator=_text)
    customer_id: str = attrs.field(validator=_text)
    channel: str = attrs.field(validator=_text)
    started_at: datetime = attrs.field(validator=_aware)
    ended_at: datetime = attrs.field(validator=_aware)
    topics: frozenset[str] = attrs.field(converter=_topics)
    resolved_topics: frozenset[str] = attrs.field(factory=frozenset, converter=_topics)
    escalated: bool = attrs.field(default=False, validator=_bool)
    confirmed: bool | None = attrs.field(default=None, validator=_optional_bool)
    csat: int | None = attrs.field(default=None, validator=_csat)
    conversation_id: str = attrs.field(validator=_text)
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_attributes)
    account_id: str | None = attrs.field(default=None, validator=attrs.validators.optional(_text))
    logged_at: datetime | None = attrs.field(
        default=None, validator=attrs.validators.optional(_aware)
    )

    @conversation_id.default
    def _conversation_defaults_to_id(self) -> str:
        return self.id

    def __attrs_post_init__(self) -> None:
        problem = _order_problem(self.started_at, self.ended_at) or _logged_problem(
            self.started_at, self.logged_at
        )
        if problem:
            raise problem
        if not self.topics:
            raise InvalidValueError("topics", "is empty", "at least one topic")
        problem = _resolved_problem(self.topics, self.resolved_topics)
        if problem:
            raise problem


_NO_ATTRIBUTES: Final[Mapping[str, str]] = MappingProxyType({})
_SLOT_SETTERS: Final = tuple(
    vars(Interaction)[field.name].__set__ for field in attrs.fields(Interaction)
)


def _trusted_interaction(  # noqa: PLR0917 (one argument a field, in the fields' order)
    id: str,  # noqa: A002 (the field's name)
    customer_id: str,
    channel: str,
    started_at: datetime,
    ended_at: datetime,
    topics: frozenset[str],
    resolved_topics: frozenset[str],
    escalated: bool,
    confirmed: bool | None,
    csat: int | None,
    conversation_id: str,
    attributes: Mapping[str, str],
    account_id: str | None,
    logged_at: datetime | None,
) -> Interaction:
    """An `Interaction` built from values a log reader has already checked, without re-checking.

    Only the readers call it, after the converters and the checks across
    columns passed: ``Interaction(...)`` re-runs every validator and
    converter, which was most of the cost of a read. The values must be what
    the validators and converters would have produced: frozensets of topics,
    attributes as a read-only mapping sorted by key, the conversation id set.
    """
    contact: Interaction = object.__new__(Interaction)
    (
        set_id,
        set_customer_id,
        set_channel,
        set_started_at,
        set_ended_at,
        set_topics,
        set_resolved_topics,
        set_escalated,
        set_confirmed,
        set_csat,
        set_conversation_id,
        set_attributes,
        set_account_id,
        set_logged_at,
    ) = _SLOT_SETTERS
    set_id(contact, id)
    set_customer_id(contact, customer_id)
    set_channel(contact, channel)
    set_started_at(contact, started_at)
    set_ended_at(contact, ended_at)
    set_topics(contact, topics)
    set_resolved_topics(contact, resolved_topics)
    set_escalated(contact, escalated)
    set_confirmed(contact, confirmed)
    set_csat(contact, csat)
    set_conversation_id(contact, conversation_id)
    set_attributes(contact, attributes)
    set_account_id(contact, account_id)
    set_logged_at(contact, logged_at)
    return contact


# Reading logs
# ------------
#
# Each column has one converter, shared by the CSV, JSON Lines and records
# readers. A converter takes the raw value (a string from CSV, a JSON value, or
# any Python object from records) and returns the typed value, or raises an
# InvalidValueError / InvalidTypeError with an empty path; the row reader puts
# "line 7, csat" in front. Converters test for the common case first so that a
# clean CSV row costs no exception and few type checks.


class JsonNumber:
    """A number of a JSON Lines log, kept as the text the file wrote.

    ``json`` would turn ``1e16`` into ``1e+16``, ``1.10`` into ``1.1`` and
    ``-0`` into ``0``; kept as text, an attribute or an id keeps its digits,
    and ``csat`` reads the integer it writes.

    Examples:
        >>> from resolutionpricing._interactions import JsonNumber
        >>> JsonNumber("1.10", integer=False)
        1.10
    """

    __slots__ = ("integer", "text")

    def __init__(self, text: str, *, integer: bool) -> None:
        self.text = text
        self.integer = integer

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def value(self) -> int | Decimal | str:
        """The number as a Python value: an int, an exact `Decimal`, or its text if too large."""
        try:
            return int(self.text) if self.integer else Decimal(self.text)
        except (ValueError, ArithmeticError):  # over 4,300 digits, or beyond decimal's exponents
            return self.text


def _raw_value(value: object) -> object:
    """A value of a rejected row as the user reads it: JSON numbers as Python numbers."""
    if isinstance(value, JsonNumber):
        return value.value()
    if isinstance(value, list) and any(isinstance(item, JsonNumber) for item in value):
        return [item.value() if isinstance(item, JsonNumber) else item for item in value]
    return value


class _Absent(enum.Enum):
    """The value of a key that a row does not have at all."""

    ABSENT = enum.auto()


_ABSENT: Final = _Absent.ABSENT

_TEXT_ALLOWED: Final = "a non-empty string is required"
_TOPICS_ALLOWED: Final = "a list of non-empty strings, or one string of topics separated by ';'"
_RESOLVED_ALLOWED: Final = (
    "a list of non-empty strings, or one string of topics separated by ';' (may be empty)"
)
_ESCALATED_ALLOWED: Final = "true or false"
_CONFIRMED_ALLOWED: Final = "true, false, or empty when the customer did not say"
_CSAT_ALLOWED: Final = "an integer from 1 to 5, or None"
_ATTRIBUTE_ALLOWED: Final = "a string or a number"
_CSV_ALLOWED: Final = (
    "comma-separated fields; a field holding a comma, a quote or a line break in double quotes"
)
_JSON_LINE_ALLOWED: Final = "one JSON object per line"
_UTF8_ALLOWED: Final = "a file encoded in UTF-8"
_MAPPING_ALLOWED: Final = (
    'a mapping of column names to values, such as a row of df.to_dict("records")'
)
_ERRORS_ALLOWED: Final = 'one of "raise", "collect"'

# One grammar for timestamps, RFC 3339 with its offset: the date, "T", the
# time (seconds may be left out, as the docs' examples do), an optional
# fraction of 1 to 6 digits (a finer one would have to be truncated), then "Z"
# or an offset +HH:MM / -HH:MM. After this check
# datetime.fromisoformat, which is fast, reads the same instant.
_TIMESTAMP: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
).fullmatch
_FINER_THAN_MICROSECONDS: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7,}(?:Z|[+-]\d{2}:\d{2})", re.ASCII
).fullmatch
_NAIVE: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?", re.ASCII
).fullmatch
_GRAMMAR: Final = (
    "RFC 3339 with an offset: YYYY-MM-DDTHH:MM[:SS], an optional fraction of 1 to 6 digits, "
    "then Z or +HH:MM/-HH:MM, such as 2026-10-01T09:30:00+04:00 or 2026-10-01T05:30:00.25Z"
)

_SHOWN_LENGTH: Final = 60


def _shown(value: object) -> str:
    """The value as a message quotes it: its repr, cut short if long."""
    return shown(value, _SHOWN_LENGTH)


def _kind(value: object) -> str:
    """The name of the value's type with its article: ``an int``, ``a list``."""
    if isinstance(value, JsonNumber):
        return "an int" if value.integer else "a float"  # the words json would give
    name = type(value).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _is_missing(value: object) -> bool:
    """Whether the value means "no value": an absent key, None, or a pandas NaN, NaT or NA."""
    if value is None or value is _ABSENT:
        return True
    if isinstance(value, float | datetime):
        # NaN and pandas' NaT are the only floats and datetimes not equal to themselves.
        return value != value  # noqa: PLR0124 (the self-comparison is the test)
    # pandas.NA cannot be compared (its truth value raises); pandas is not imported here.
    return type(value).__name__ == "NAType"


def _missing(allowed: str) -> InvalidValueError:
    return InvalidValueError("", "is missing", allowed)


def _checked_text(value: str) -> str:
    """A string that UTF-8 can encode: a lone surrogate (from a JSON escape) is refused."""
    if has_surrogate(value):
        raise InvalidValueError("", f"{_shown(value)} holds a lone surrogate", TEXT_ALLOWED)
    return value


def _digits_of(value: int) -> str:
    """An int's digits; one too long for Python to write (over 4,300 digits) is refused."""
    try:
        return str(value)
    except ValueError:
        raise InvalidValueError(
            "", f"{_shown(value)} is too long", "an integer of at most 4,300 digits, or a string"
        ) from None


def _read_text(value: object) -> str:
    """A required identifier or name: a string that is not blank (an int is read as its digits)."""
    if isinstance(value, str):
        if value.strip():
            return _checked_text(value)
        if value:
            raise InvalidValueError("", f"{_shown(value)} is blank", _TEXT_ALLOWED)
        raise _missing(_TEXT_ALLOWED)
    if isinstance(value, JsonNumber) and value.integer:
        return value.text  # as written: -0 stays "-0"
    if isinstance(value, int) and not isinstance(value, bool):
        return _digits_of(value)
    if _is_missing(value):
        raise _missing(_TEXT_ALLOWED)
    raise InvalidTypeError("", f"{_shown(value)} is {_kind(value)}, not a string", _TEXT_ALLOWED)


def _read_conversation_id(value: object) -> str | None:
    """The conversation id, or None (then it defaults to the interaction's id)."""
    if (isinstance(value, str) and not value) or _is_missing(value):
        return None
    return _read_text(value)


def _read_account_id(value: object) -> str | None:
    """The account, or None: an empty cell, null or NaN is the rows without an account."""
    if (isinstance(value, str) and not value) or _is_missing(value):
        return None
    return _read_text(value)


def parse_timestamp(text: str) -> datetime:
    """Read one timestamp of the log's grammar (RFC 3339 with an offset), or say what is wrong.

    Raises:
        InvalidValueError: with an empty path, naming the allowed form.

    Examples:
        >>> from resolutionpricing._interactions import parse_timestamp
        >>> parse_timestamp("2026-10-01T09:30:00.5+04:00").isoformat()
        '2026-10-01T09:30:00.500000+04:00'
        >>> parse_timestamp("2026-10-01T09:30:00.1234567Z")
        Traceback (most recent call last):
        ...
        resolutionpricing.InvalidValueError: '2026-10-01T09:30:00.1234567Z' has a fraction finer than a microsecond; RFC 3339 with an offset: YYYY-MM-DDTHH:MM[:SS], an optional fraction of 1 to 6 digits, then Z or +HH:MM/-HH:MM, such as 2026-10-01T09:30:00+04:00 or 2026-10-01T05:30:00.25Z
    """
    if _TIMESTAMP(text):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as error:  # such as 31 February
            raise InvalidValueError(
                "", f"{_shown(text)} is not a valid date ({error})", _GRAMMAR
            ) from None
        return check_instant(parsed, "")
    if not text.strip():
        raise _missing(_TIMESTAMP_ALLOWED)
    if _NAIVE(text):
        raise InvalidValueError("", f"{_shown(text)} has no time zone", _TIMESTAMP_ALLOWED)
    if _FINER_THAN_MICROSECONDS(text):
        problem = f"{_shown(text)} has a fraction finer than a microsecond"
        raise InvalidValueError("", problem, _GRAMMAR)
    raise InvalidValueError("", f"{_shown(text)} is not an RFC 3339 timestamp", _GRAMMAR)


def _read_timestamp(value: object) -> datetime:
    """A timestamp of the log's grammar, or an aware datetime; naive ones are refused."""
    if isinstance(value, str):
        return parse_timestamp(value)
    if isinstance(value, datetime) and not _is_missing(value):
        if value.utcoffset() is None:
            raise InvalidValueError("", f"{value.isoformat()} has no time zone", _TIMESTAMP_ALLOWED)
        return check_instant(value, "")
    if _is_missing(value):
        raise _missing(_TIMESTAMP_ALLOWED)
    raise InvalidTypeError(
        "", f"{_shown(value)} is {_kind(value)}, not a timestamp", _TIMESTAMP_ALLOWED
    )


def _read_logged_at(value: object) -> datetime | None:
    """When the row reached the log, or None: an empty cell, null or a missing column."""
    if (isinstance(value, str) and not value) or _is_missing(value):
        return None
    return _read_timestamp(value)


# Logs repeat a few combinations of topics: caching them saves the splitting, and
# rows then share one frozenset each instead of holding a copy.
@functools.lru_cache(maxsize=4096)
def _split_topics(text: str, allowed: str) -> frozenset[str]:
    """Topics from a ``;``-separated string; an empty string is no topics."""
    _checked_text(text)
    if ";" not in text:
        topic = text.strip()
        return frozenset((topic,)) if topic else frozenset()
    topics = [part.strip() for part in text.split(";")]
    if "" in topics:
        raise InvalidValueError("", f"{_shown(text)} has an empty topic", allowed)
    return frozenset(topics)


def _topic_set(value: object, allowed: str) -> frozenset[str] | None:
    """Topics from a ``;``-separated string or a collection of strings; None if missing."""
    if isinstance(value, str):
        return _split_topics(value, allowed)
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            if not isinstance(item, str):
                raise InvalidTypeError("", f"{_shown(item)} is {_kind(item)}, not a topic", allowed)
            if not item.strip():
                raise InvalidValueError("", f"{_shown(item)} is not a topic", allowed)
            _checked_text(item)
        return frozenset(value)
    if _is_missing(value):
        return None
    raise InvalidTypeError("", f"{_shown(value)} is {_kind(value)}, not topics", allowed)


def _read_topics(value: object) -> frozenset[str]:
    """The topics raised: at least one."""
    topics = _topic_set(value, _TOPICS_ALLOWED)
    if topics is None:
        raise _missing(_TOPICS_ALLOWED)
    if not topics:
        raise InvalidValueError("", "is empty", "at least one topic")
    return topics


def _read_resolved_topics(value: object) -> frozenset[str]:
    """The topics resolved: may be empty (an empty cell, [], null or NaN), but the key must be there."""
    if value is _ABSENT:
        raise _missing(_RESOLVED_ALLOWED)
    return _topic_set(value, _RESOLVED_ALLOWED) or frozenset()


def _boolean(value: object, allowed: str) -> bool | None:
    """``true``/``false`` in any case, or a bool; None if missing or empty."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "false":
            return False
        if text == "true":
            return True
        if not text:
            return None
        raise InvalidValueError("", f"{_shown(value)} is not a boolean", allowed)
    if _is_missing(value):
        return None
    raise InvalidTypeError("", f"{_shown(value)} is {_kind(value)}, not a boolean", allowed)


def _read_escalated(value: object) -> bool:
    """Whether a human took part: required, because a missing answer would change the bill."""
    escalated = _boolean(value, _ESCALATED_ALLOWED)
    if escalated is None:
        raise _missing(_ESCALATED_ALLOWED)
    return escalated


def _read_confirmed(value: object) -> bool | None:
    """The customer's confirmation, or None if they said nothing."""
    return _boolean(value, _CONFIRMED_ALLOWED)


def _csat_from_text(value: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    digits = text[1:] if text[0] in "+-" else text
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidValueError("", f"{_shown(value)} is not an integer", _CSAT_ALLOWED)
    if len(digits.lstrip("0")) > 9:  # int() of very long text raises
        raise InvalidValueError("", "a very large number is out of range", _CSAT_ALLOWED)
    return int(text)


def _read_csat(value: object) -> int | None:
    """A rating from 1 to 5 (an int, an object with ``__index__``, or digits), or None."""
    score: int | None
    if isinstance(value, str):
        score = _csat_from_text(value)
    elif isinstance(value, JsonNumber):
        if not value.integer:
            raise InvalidTypeError("", f"{value.text} is a float, not an integer", _CSAT_ALLOWED)
        score = _csat_from_text(value.text)
    elif isinstance(value, bool):
        raise InvalidTypeError("", f"{value!r} is a bool, not an integer", _CSAT_ALLOWED)
    elif isinstance(value, int):
        score = value
    elif _is_missing(value):
        return None
    elif isinstance(value, SupportsIndex) and not isinstance(value, float):
        try:
            score = operator.index(value)
        except TypeError:  # such as numpy.bool_, which has __index__ but refuses it
            raise InvalidTypeError(
                "", f"{_shown(value)} is {_kind(value)}, not an integer", _CSAT_ALLOWED
            ) from None
    else:
        raise InvalidTypeError(
            "", f"{_shown(value)} is {_kind(value)}, not an integer", _CSAT_ALLOWED
        )
    if score is None or 1 <= score <= 5:
        return score
    shown = str(score) if -(10**9) < score < 10**9 else "a very large number"
    raise InvalidValueError("", f"{shown} is out of range", _CSAT_ALLOWED)


def _read_attribute(value: object) -> str:
    """Any other column: a string, or a number written as text (JSON numbers as the file wrote them)."""
    if isinstance(value, str):
        return _checked_text(value)
    if isinstance(value, JsonNumber):
        return value.text
    if isinstance(value, bool):
        raise InvalidTypeError(
            "", f"{value!r} is a bool, not a string or number", _ATTRIBUTE_ALLOWED
        )
    if _is_missing(value):
        raise _missing(_ATTRIBUTE_ALLOWED)
    if isinstance(value, int):
        return _digits_of(value)
    if (isinstance(value, float) and math.isfinite(value)) or (
        isinstance(value, Decimal) and value.is_finite()
    ):
        return str(value)
    raise InvalidTypeError(
        "", f"{_shown(value)} is {_kind(value)}, not a string or number", _ATTRIBUTE_ALLOWED
    )


_COLUMNS: Final[tuple[tuple[str, Callable[[object], object]], ...]] = (
    ("id", _read_text),
    ("account_id", _read_account_id),
    ("customer_id", _read_text),
    ("conversation_id", _read_conversation_id),
    ("channel", _read_text),
    ("started_at", _read_timestamp),
    ("ended_at", _read_timestamp),
    ("topics", _read_topics),
    ("resolved_topics", _read_resolved_topics),
    ("escalated", _read_escalated),
    ("confirmed", _read_confirmed),
    ("csat", _read_csat),
    ("logged_at", _read_logged_at),
)
_KNOWN_COLUMNS: Final = frozenset(column for column, _ in _COLUMNS)
_OPTIONAL_COLUMNS: Final = frozenset(
    {"account_id", "conversation_id", "confirmed", "csat", "logged_at"}
)
_REQUIRED_COLUMNS: Final = tuple(
    column for column, _ in _COLUMNS if column not in _OPTIONAL_COLUMNS
)


def _located(error: Problem, where: str, column: object = "") -> Problem:
    """The same problem, with ``where`` (``line 7``) and the column as its path."""
    path = f"{where}, {column}" if column != "" else where
    return type(error)(path, error.problem, error.allowed)


def _convert_columns(
    raw: Mapping[Any, object], where: str, problems: list[Problem]
) -> dict[str, Any]:
    """Each known column's value, converted; the problems of those that fail go to ``problems``."""
    values: dict[str, Any] = {}
    for column, read in _COLUMNS:
        try:
            values[column] = read(raw.get(column, _ABSENT))
        except (InvalidValueError, InvalidTypeError) as error:
            problems.append(_located(error, where, column))
    return values


def _attribute_name(key: object) -> str:
    if isinstance(key, str):
        return _checked_text(key)
    raise InvalidTypeError("", f"the key is {_kind(key)}", "column names that are strings")


def _convert_attributes(
    raw: Mapping[Any, object], keys: Iterable[object], where: str, problems: list[Problem]
) -> dict[str, str]:
    """The other columns, as text; the problems of those that are not text go to ``problems``."""
    attributes: dict[str, str] = {}
    for key in keys:
        value = raw[key]
        if type(value) is str and type(key) is str and value.isascii() and key.isascii():
            attributes[key] = value  # nearly every CSV attribute takes this path
            continue
        try:
            attributes[_attribute_name(key)] = _read_attribute(value)
        except (InvalidValueError, InvalidTypeError) as error:
            problems.append(_located(error, where, key))
    return attributes


def _check_across_columns(values: Mapping[str, Any], where: str, problems: list[Problem]) -> None:
    """The checks that need two columns, run when both were converted."""
    if "started_at" in values and "ended_at" in values:
        problem = _order_problem(values["started_at"], values["ended_at"])
        if problem:
            problems.append(_located(problem, where, problem.path))
    if "started_at" in values and values.get("logged_at") is not None:
        problem = _logged_problem(values["started_at"], values["logged_at"])
        if problem:
            problems.append(_located(problem, where, problem.path))
    if "topics" in values and "resolved_topics" in values:
        problem = _resolved_problem(values["topics"], values["resolved_topics"])
        if problem:
            problems.append(_located(problem, where, problem.path))


@attrs.frozen(kw_only=True)
class RejectedRow:
    """A row of a log that could not be read, with every problem found in it.

    Attributes:
        line: the physical line of the file where the row starts (the header is
            line 1), or the record's number (from 1) for
            `interactions_from_records`.
        problems: each problem, located as ``line 7, csat``.
        raw: the row as read. A CSV row with too many fields keeps the extra
            ones as ``field 12`` (counted from 1); a JSON Lines line that is not
            an object is kept as ``{"text": line}``, and a record that is not a
            mapping as ``{"record": value}``.

    Examples:
        >>> from resolutionpricing import interactions_from_records
        >>> report = interactions_from_records([{"id": "a", "csat": 6}], errors="collect")
        >>> rejected = report.rejected[0]
        >>> rejected.line, rejected.raw["csat"], str(rejected.problems[-1])
        (1, 6, 'record 1, csat: 6 is out of range; an integer from 1 to 5, or None')
    """

    line: int
    problems: tuple[Problem, ...]
    raw: Mapping[str, object]


@attrs.frozen(kw_only=True)
class ReadReport:
    """What a log held: the interactions that were read, and the rows that were not.

    Returned by `read_interactions` and `interactions_from_records` with
    ``errors="collect"``. Every row is in exactly one of the two tuples, so
    ``read == accepted + len(rejected)``.

    Attributes:
        interactions: the valid rows, in file order.
        rejected: the invalid rows, in file order, each with its problems.

    Examples:
        >>> from resolutionpricing import interactions_from_records
        >>> good = {
        ...     "id": "c1", "customer_id": "u1", "channel": "chat",
        ...     "started_at": "2026-10-01T09:00:00Z", "ended_at": "2026-10-01T09:04:00Z",
        ...     "topics": "billing", "resolved_topics": "billing", "escalated": False,
        ... }
        >>> report = interactions_from_records([good, {**good, "id": "c2", "csat": 0}], errors="collect")
        >>> report.read, report.accepted, [row.line for row in report.rejected]
        (2, 1, [2])
    """

    interactions: tuple[Interaction, ...]
    rejected: tuple[RejectedRow, ...]

    @property
    def read(self) -> int:
        """How many rows (or records) there were, blank lines not counted."""
        return len(self.interactions) + len(self.rejected)

    @property
    def accepted(self) -> int:
        """How many rows became interactions."""
        return len(self.interactions)


class _Rows:
    """The outcome of every row of one log, in order, and the ids seen so far."""

    __slots__ = (
        "_seen",
        "_unit",
        "ends",
        "has_logged",
        "interactions",
        "logged",
        "rejected",
        "starts",
    )

    def __init__(self, unit: str) -> None:
        self._unit = unit
        # Keyed by the id alone for a row without an account (no tuple a row),
        # by (account, id) for the others: a str never equals a tuple.
        self._seen: dict[str | tuple[str, str], int] = {}
        self.interactions: list[Interaction] = []
        self.rejected: list[RejectedRow] = []
        # Each interaction's instants in microseconds since 1970, as `_ReadLog` gives them;
        # ``logged`` holds the start of a row without logged_at.
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.logged: list[int] = []
        self.has_logged = False

    def add(
        self, number: int, raw: Mapping[Any, object], extra_keys: Iterable[object] | None = None
    ) -> None:
        """Convert one row; ``extra_keys`` are its attribute columns (found if None)."""
        where = f"{self._unit} {number}"
        problems: list[Problem] = []
        values = _convert_columns(raw, where, problems)
        self._check_unique(values.get("account_id"), values.get("id"), number, problems)
        if extra_keys is None:
            extra_keys = [key for key in raw if key not in _KNOWN_COLUMNS]
        attributes = _convert_attributes(raw, extra_keys, where, problems)
        _check_across_columns(values, where, problems)
        if problems:
            self.reject(number, raw, problems)
            return
        # The converters and the checks across columns check everything that
        # Interaction's validators do (tests/test_log_readers.py runs the
        # validators on what the readers accept), so they are not run again.
        conversation_id = values["conversation_id"]
        start = _micros(values["started_at"])
        self.starts.append(start)
        self.ends.append(_micros(values["ended_at"]))
        if values["logged_at"] is None:
            self.logged.append(start)
        else:
            self.logged.append(_micros(values["logged_at"]))
            self.has_logged = True
        self.interactions.append(
            _trusted_interaction(
                id=values["id"],
                customer_id=values["customer_id"],
                channel=values["channel"],
                started_at=values["started_at"],
                ended_at=values["ended_at"],
                topics=values["topics"],
                resolved_topics=values["resolved_topics"],
                escalated=values["escalated"],
                confirmed=values["confirmed"],
                csat=values["csat"],
                conversation_id=values["id"] if conversation_id is None else conversation_id,
                attributes=MappingProxyType(dict(sorted(attributes.items())))
                if attributes
                else _NO_ATTRIBUTES,
                account_id=values["account_id"],
                logged_at=values["logged_at"],
            )
        )

    def claim(self, account: str | None, identifier: str, number: int) -> int:
        """Remember the first row of (account, id): its number (``number`` if this row is first)."""
        return self._seen.setdefault(
            identifier if account is None else (account, identifier), number
        )

    def _check_unique(
        self, account: str | None, identifier: str | None, number: int, problems: list[Problem]
    ) -> None:
        """Remember the first row of each (account, id); a later row with it is a problem."""
        if identifier is None:
            return
        first = self.claim(account, identifier, number)
        if first != number:
            problems.append(
                InvalidValueError(
                    f"{self._unit} {number}, id",
                    f"{_shown(identifier)} is already the id of {self._unit} {first}"
                    + ("" if account is None else f" in account {_shown(account)}"),
                    "an id used by one row only"
                    if account is None
                    else "an id used by one row of the account only",
                )
            )

    def reject(self, number: int, raw: Mapping[Any, object], problems: Iterable[Problem]) -> None:
        """Record a row that could not be read."""
        kept = {key: _raw_value(value) for key, value in raw.items()}
        self.rejected.append(
            RejectedRow(line=number, problems=tuple(problems), raw=MappingProxyType(kept))
        )

    def problems(self) -> list[Problem]:
        """Every problem of every rejected row, in order."""
        return [problem for row in self.rejected for problem in row.problems]

    def fail(self, subject: str, *problems: Problem) -> NoReturn:
        """Stop reading a log that cannot be read further, listing every problem so far."""
        raise _log_error(subject, [*self.problems(), *problems])

    def finish(self, subject: str, errors: str) -> tuple[Interaction, ...] | ReadReport:
        """The result ``errors`` asks for: a report, or the interactions if no row was bad."""
        if errors == "collect":
            return ReadReport(interactions=tuple(self.interactions), rejected=tuple(self.rejected))
        if self.rejected:
            raise _log_error(subject, self.problems())
        return _ReadLog.of(
            self.interactions, self.starts, self.ends, self.logged if self.has_logged else None
        )


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    """An aware datetime as microseconds since 1970 (UTC), as the engine counts instants."""
    return (moment - _EPOCH) // _MICROSECOND


class _ReadLog(tuple[Interaction, ...]):  # noqa: SLOT001 (a tuple subclass cannot have slots of its own)
    """The interactions a reader gave, in file order, with each row's instants computed at read time.

    A tuple equal to ``tuple(rows)`` (its repr, ``+`` and pickling are a
    tuple's), which also carries, for each position ``i``, ``starts[i]`` and
    ``ends[i]``: the row's ``started_at`` and ``ended_at`` as microseconds
    since 1970 (UTC); and ``logged``: None when no row has ``logged_at``, else
    ``logged[i]`` is the row's ``logged_at`` in microseconds, or ``starts[i]``
    when it has none. These are `resolutionpricing._engine.Instants`'s lists,
    computed by the reader from what it parsed.

    Examples:
        >>> from resolutionpricing._interactions import _ReadLog
        >>> log = _ReadLog.of([], [], [], None)
        >>> log, log.starts, log.logged
        ((), [], None)
    """

    starts: list[int]
    ends: list[int]
    logged: list[int] | None

    @classmethod
    def of(
        cls,
        rows: Iterable[Interaction],
        starts: list[int],
        ends: list[int],
        logged: list[int] | None,
    ) -> _ReadLog:
        """The rows with their instants (lists in the rows' order, one entry a row)."""
        log = tuple.__new__(cls, rows)
        log.starts = starts
        log.ends = ends
        log.logged = logged
        return log


def _log_error(subject: str, problems: list[Problem]) -> InteractionLogError:
    plural = "" if len(problems) == 1 else "s"
    return InteractionLogError(f"{subject} {len(problems)} problem{plural}", problems)


def _check_errors(errors: object) -> None:
    if errors not in {"raise", "collect"}:
        raise InvalidValueError("errors", f"{_shown(errors)} is not allowed", _ERRORS_ALLOWED)


# The fast path of CSV rows
# -------------------------
#
# `_read_csv_rows` checks a clean CSV row in one pass, with each cell parsed
# once: the values of the few-valued columns (channel, topics, booleans,
# csat, attributes) are remembered by their text; a timestamp of the common shapes is read by
# `datetime.fromisoformat`, and its instant in microseconds computed once for
# the engine. The row is then built without re-validation. A row it is not sure of (any problem, or a cell it does not
# know quickly) goes to `_Rows.add`, the careful path, which finds every
# problem with its line: the fast path only ever accepts rows the careful path
# accepts, with equal values, so the errors and their messages are the careful
# path's.

_MISS: Final = object()
_ONCE: Final = (None,)
# How many distinct cells of one column are remembered: enough for the
# channels, topic sets and attribute values of a real log, bounded for a column
# of unique values.
_MEMO_LIMIT: Final = 4096
_Z_LENGTH: Final = 20
_OFFSET_LENGTH: Final = 25
_Z_SHAPE: Final = "--T::Z"  # the separators of 2026-10-01T09:30:00Z, every 3rd character
_OFFSET_SHAPES: Final = frozenset({"--T::+:", "--T::-:"})  # of 2026-10-01T09:30:00+04:00
_SAFE_YEARS: Final = ("0003", "9997")  # within the supported instants in every offset


def _timestamp_reader() -> Callable[[str], datetime | None]:
    """A reader of the common shapes of timestamps, sharing one tzinfo object per offset.

    It returns None for a cell it leaves to the careful path (`parse_timestamp`).
    """
    zones: dict[object, Any] = {}
    share_zone = zones.setdefault
    fromisoformat = datetime.fromisoformat
    first_year, last_year = _SAFE_YEARS

    def read(text: str) -> datetime | None:
        size = len(text)
        if not (
            (size == _Z_LENGTH and text[4:20:3] == _Z_SHAPE)
            # fromisoformat reads an offset minute of 60 to 99; the grammar does not.
            or (size == _OFFSET_LENGTH and text[4:23:3] in _OFFSET_SHAPES and text[23] <= "5")
        ):
            return None
        if not (text.isascii() and first_year <= text[:4] <= last_year):
            return None
        try:
            # With the separators in place and ASCII only, fromisoformat reads
            # digits where the grammar has them and refuses hour 24, minute 60,
            # 31 February and an offset of a day, as the grammar does.
            moment = fromisoformat(text)
        except ValueError:
            return None
        zone = moment.tzinfo
        if zone is not UTC:  # one tzinfo object per offset, not one per timestamp
            shared = share_zone(zone, zone)
            if shared is not zone:
                moment = moment.replace(tzinfo=shared)
        return moment

    return read


def _remembered(memo: dict[str, Any], read: Callable[[object], object], text: str) -> object:
    """``read(text)``, remembered in ``memo``; `_MISS` if it raises (the careful path says why)."""
    try:
        value = read(text)
    except (InvalidValueError, InvalidTypeError):
        return _MISS
    if len(memo) < _MEMO_LIMIT:
        memo[text] = value
    return value


def _reject_width(fields: list[str], header: list[str], number: int, rows: _Rows) -> None:
    """Reject a row with more or fewer fields than the header, keeping the extra ones."""
    width = len(header)
    raw: dict[str, object] = dict(zip(header, fields, strict=False))
    raw.update({f"field {index}": field for index, field in enumerate(fields[width:], width + 1)})
    problem = InvalidValueError(
        f"line {number}",
        f"has {len(fields)} fields but the header has {width}",
        "one field per column; quote a field that holds a comma",
    )
    rows.reject(number, raw, [problem])


def _read_csv_rows(  # noqa: C901, PLR0912, PLR0915 (one pass over a row, a check a line)
    reader: _csv.Reader, header: list[str], rows: _Rows, limit: int | None = None
) -> None:
    """Read the rows after the header into ``rows``: clean rows here, the others by `_Rows.add`.

    ``reader`` is the file's `csv.reader`, past the header; a row of the
    wrong width is rejected here, a blank line skipped. ``limit``: read at
    most that many records (blank lines included) and stop, the reader left
    where it is (`iter_interactions` reads a file a chunk at a time); None
    reads to the end.
    """
    width = len(header)
    extra_keys = tuple(column for column in header if column not in _KNOWN_COLUMNS)
    position = {column: index for index, column in enumerate(header)}
    (
        at_id,
        at_account,
        at_customer,
        at_conversation,
        at_channel,
        at_started,
        at_ended,
        at_topics,
        at_resolved,
        at_escalated,
        at_confirmed,
        at_csat,
        at_logged,
    ) = (position.get(column, -1) for column, _ in _COLUMNS)
    others = sorted(
        (column, index) for index, column in enumerate(header) if column not in _KNOWN_COLUMNS
    )
    attribute_names = tuple(column for column, _ in others)
    attribute_cells = operator.itemgetter(*(index for _, index in others)) if others else None
    attribute_maps: dict[object, Mapping[str, str]] = {}
    customers: dict[str, str] = {}
    accounts: dict[str, str] = {}
    # Memos keyed by a cell's text alone: a dict of str keys is looked up faster than
    # one of tuples (which is why the cells are not remembered in groups).
    channels: dict[str, Any] = {}
    topic_sets: dict[str, Any] = {}
    resolved_sets: dict[str, Any] = {}
    booleans: dict[str, Any] = {}
    scores: dict[str, Any] = {}
    timestamp = _timestamp_reader()
    epoch, unit = _EPOCH, _MICROSECOND
    seen = rows._seen.setdefault  # noqa: SLF001 (the reader's own bookkeeping)
    append = rows.interactions.append
    append_start = rows.starts.append
    append_end = rows.ends.append
    append_logged = rows.logged.append
    careful = rows.add
    new = object.__new__
    (
        set_id,
        set_customer_id,
        set_channel,
        set_started_at,
        set_ended_at,
        set_topics,
        set_resolved_topics,
        set_escalated,
        set_confirmed,
        set_csat,
        set_conversation_id,
        set_attributes,
        set_account_id,
        set_logged_at,
    ) = _SLOT_SETTERS
    previous = reader.line_num
    for fields in reader if limit is None else itertools.islice(reader, limit):
        number = previous + 1
        previous = reader.line_num
        if len(fields) != width:
            if fields:
                _reject_width(fields, header, number, rows)
            continue  # else: a blank line, which holds no row
        # One pass, not a loop: a check that fails breaks out to the careful path (no
        # function call a row); a row built goes on to the next by the ``else``.
        for _ in _ONCE:
            identifier = fields[at_id]
            if not identifier.strip():
                break
            customer = fields[at_customer]
            known = customers.get(customer)
            if known is None:
                if not customer.strip():
                    break
                customers[customer] = customer
            else:
                customer = known  # one string per customer, shared by their rows
            account: str | None = None
            if at_account >= 0 and (text := fields[at_account]):
                account = accounts.get(text)
                if account is None:
                    if not text.strip():
                        break
                    account = accounts.setdefault(text, text)
            conversation = identifier
            if at_conversation >= 0 and (text := fields[at_conversation]) and text != identifier:
                if not text.strip():
                    break
                conversation = text
            text = fields[at_channel]
            channel = channels.get(text, _MISS)
            if channel is _MISS and (channel := _remembered(channels, _read_text, text)) is _MISS:
                break
            text = fields[at_topics]
            topics = topic_sets.get(text, _MISS)
            if topics is _MISS and (topics := _remembered(topic_sets, _read_topics, text)) is _MISS:
                break
            text = fields[at_resolved]
            resolved = resolved_sets.get(text, _MISS)
            if (
                resolved is _MISS
                and (resolved := _remembered(resolved_sets, _read_resolved_topics, text)) is _MISS
            ) or not resolved <= topics:
                break
            text = fields[at_escalated]
            escalated = booleans.get(text, _MISS)
            if escalated is _MISS:
                escalated = _remembered(booleans, _read_confirmed, text)
            if escalated is _MISS or escalated is None:
                break
            confirmed = None
            if at_confirmed >= 0:
                text = fields[at_confirmed]
                confirmed = booleans.get(text, _MISS)
                if confirmed is _MISS and (
                    (confirmed := _remembered(booleans, _read_confirmed, text)) is _MISS
                ):
                    break
            csat = None
            if at_csat >= 0:
                text = fields[at_csat]
                csat = scores.get(text, _MISS)
                if csat is _MISS and (csat := _remembered(scores, _read_csat, text)) is _MISS:
                    break
            started = timestamp(fields[at_started])
            ended = timestamp(fields[at_ended])
            if started is None or ended is None:
                break
            # The instants `bill` needs, as the engine's `Instants` computes them.
            start = (started - epoch) // unit
            end = (ended - epoch) // unit
            if end < start:
                break
            logged = None
            logged_us = start
            if at_logged >= 0 and (text := fields[at_logged]):
                logged = timestamp(text)
                if logged is None:
                    break
                logged_us = (logged - epoch) // unit
                if logged_us < start:
                    break
            attributes = _NO_ATTRIBUTES
            if attribute_cells is not None:
                cells = attribute_cells(fields)
                attributes = attribute_maps.get(cells, _NO_ATTRIBUTES)
                if attributes is _NO_ATTRIBUTES:
                    attributes = MappingProxyType(
                        dict(
                            zip(
                                attribute_names,
                                cells if isinstance(cells, tuple) else (cells,),
                                strict=True,
                            )
                        )
                    )
                    if len(attribute_maps) < _MEMO_LIMIT:
                        attribute_maps[cells] = attributes
            # Last, so that a row left to the careful path has not claimed its id.
            if seen(identifier if account is None else (account, identifier), number) != number:
                break
            contact = new(Interaction)
            set_id(contact, identifier)
            set_customer_id(contact, customer)
            set_channel(contact, channel)
            set_started_at(contact, started)
            set_ended_at(contact, ended)
            set_topics(contact, topics)
            set_resolved_topics(contact, resolved)
            set_escalated(contact, escalated)
            set_confirmed(contact, confirmed)
            set_csat(contact, csat)
            set_conversation_id(contact, conversation)
            set_attributes(contact, attributes)
            set_account_id(contact, account)
            set_logged_at(contact, logged)
            append(contact)
            append_start(start)
            append_end(end)
            append_logged(logged_us)
            if logged is not None:
                rows.has_logged = True
        else:
            continue
        careful(number, dict(zip(header, fields, strict=True)), extra_keys)


def _read_csv(path: Path, rows: _Rows, subject: str) -> None:
    """Read a CSV log into ``rows``; stop with `InteractionLogError` if the file is not CSV."""
    # newline="" lets the csv module see line breaks inside quoted fields.
    with (
        io.TextIOWrapper(open_regular(path, "a log"), encoding="utf-8-sig", newline="") as file,
        _field_limit(),
    ):
        # strict: a stray quote is an error, not a silently merged field.
        reader = csv.reader(file, strict=True)
        try:
            header = _csv_header(reader, rows, subject)
            _read_csv_rows(reader, header, rows)
        except csv.Error as error:
            _refuse_csv(reader, error, rows, subject)


def _csv_header(reader: _csv.Reader, rows: _Rows, subject: str) -> list[str]:
    """The first non-blank line, checked as the header."""
    return _checked_header(next((fields for fields in reader if fields), None), rows, subject)


def _refuse_csv(reader: _csv.Reader, error: csv.Error, rows: _Rows, subject: str) -> NoReturn:
    """Stop at broken CSV, listing every problem so far and where the CSV broke."""
    # After a field over the limit the reader could restart inside a
    # quoted field, so the file stops here, like broken quoting.
    allowed = _FIELD_ALLOWED if "field limit" in str(error) else _CSV_ALLOWED
    rows.fail(
        subject,
        InvalidValueError(f"line {reader.line_num}", f"is not valid CSV ({error})", allowed),
    )


def _csv_chunks(path: Path, subject: str, chunk_rows: int) -> Iterator[_Rows]:
    """A CSV log's rows, ``chunk_rows`` records at a time, each chunk read as `_read_csv` reads a file.

    The garbage collector is paused and the field limit raised while a chunk
    is read, never while the caller holds it.
    """
    with io.TextIOWrapper(open_regular(path, "a log"), encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file, strict=True)
        header: list[str] | None = None
        while True:
            rows = _Rows("line")
            before = reader.line_num
            with _field_limit(), _paused_gc():
                try:
                    if header is None:
                        header = _csv_header(reader, rows, subject)
                    _read_csv_rows(reader, header, rows, chunk_rows)
                except csv.Error as error:
                    _refuse_csv(reader, error, rows, subject)
                except UnicodeDecodeError:
                    rows.fail(subject, _undecodable(path))
            if reader.line_num == before:
                return
            yield rows


_FIELD_ALLOWED: Final = f"fields of at most {MAX_LINE_CHARACTERS:,} characters (a documented limit)"


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a log is read, restoring its state after.

    A read makes a million objects that hold no cycles: without the pause the
    collector walks the growing heap again and again, for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _field_limit() -> Iterator[None]:
    """Raise the csv module's field limit (131,072) to `MAX_LINE_CHARACTERS` for one read.

    The limit is the csv module's global setting: it is put back afterwards.
    """
    previous = csv.field_size_limit(MAX_LINE_CHARACTERS)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _checked_header(header: list[str] | None, rows: _Rows, subject: str) -> list[str]:
    """The header, if it names every required column once; else stop with every problem."""
    required = ", ".join(_REQUIRED_COLUMNS)
    if header is None:
        rows.fail(
            subject,
            InvalidValueError(
                "header",
                "is missing (the file is empty)",
                f"a first line naming the columns {required}",
            ),
        )
    problems: list[Problem] = []
    missing = [column for column in _REQUIRED_COLUMNS if column not in header]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(
            InvalidValueError(
                "header",
                f"is missing the column{plural} {', '.join(missing)}",
                f"a first line naming at least the columns {required}",
            )
        )
    seen: set[str] = set()
    repeated: set[str] = set()
    for index, column in enumerate(header, 1):
        if not column:
            problems.append(
                InvalidValueError(
                    "header", f"column {index} has no name", "a name for every column"
                )
            )
        elif column not in seen:
            seen.add(column)
        elif column not in repeated:
            repeated.add(column)
            problems.append(
                InvalidValueError(
                    "header", f"names the column {column!r} more than once", "each column once"
                )
            )
    if problems:
        rows.fail(subject, *problems)
    return header


class _RepeatedKeys(dict[str, object]):
    """A JSON object in which some key appears more than once (the last value is kept)."""

    __slots__ = ("repeated",)
    repeated: tuple[str, ...]


def _json_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Build a JSON object, marking it if a key repeats, so no value is dropped silently."""
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = _RepeatedKeys(result)
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    marked.repeated = tuple(key for key, count in counts.items() if count > 1)
    return marked


def _refuse_constant(name: str) -> NoReturn:
    """NaN and Infinity are not JSON, though Python's json module reads them."""
    msg = f"{name} is not a JSON value"
    raise ValueError(msg)


def _json_int(text: str) -> JsonNumber:
    return JsonNumber(text, integer=True)


def _json_float(text: str) -> JsonNumber:
    return JsonNumber(text, integer=False)


_JSON_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_json_object,
    parse_constant=_refuse_constant,
    parse_int=_json_int,
    parse_float=_json_float,
)
_JSON_KINDS: Final[Mapping[type, str]] = {
    list: "an array",
    str: "a string",
    JsonNumber: "a number",
    bool: "a boolean",
    type(None): "null",
}


_ASCII_WHITESPACE: Final = " \t\n\r\x0b\x0c"
_LINE_ALLOWED: Final = f"a line of at most {MAX_LINE_CHARACTERS:,} characters (a documented limit)"
_KEPT_OF_LONG_LINE: Final = 1000


def _read_json_lines(path: Path, rows: _Rows, _subject: str) -> None:
    """Read a JSON Lines log into ``rows``, one object per line; blank lines are skipped."""
    with io.TextIOWrapper(open_regular(path, "a log"), encoding="utf-8-sig") as file:
        _read_json_chunk(file, rows, 0, None)


def _read_json_chunk(file: io.TextIOWrapper, rows: _Rows, number: int, limit: int | None) -> int:
    """Read the lines after line ``number`` into ``rows``, at most ``limit`` (None: to the end).

    Returns the number of the last line read (``number`` at the end of the file).
    """
    end = None if limit is None else number + limit
    while (end is None or number < end) and (line := file.readline(MAX_LINE_CHARACTERS + 1)):
        number += 1
        if len(line) > MAX_LINE_CHARACTERS and not line.endswith("\n"):
            _skip_rest_of_line(file)
            problem = InvalidValueError(f"line {number}", "is too long", _LINE_ALLOWED)
            rows.reject(number, {"text": line[:_KEPT_OF_LONG_LINE]}, [problem])
        elif line.strip(_ASCII_WHITESPACE):  # only ASCII whitespace is a blank line
            _read_json_line(line, number, rows)
    return number


def _json_chunks(path: Path, subject: str, chunk_rows: int) -> Iterator[_Rows]:
    """A JSON Lines log's rows, ``chunk_rows`` lines at a time (blank lines counted)."""
    with io.TextIOWrapper(open_regular(path, "a log"), encoding="utf-8-sig") as file:
        number = 0
        while True:
            rows = _Rows("line")
            with _paused_gc():
                try:
                    after = _read_json_chunk(file, rows, number, chunk_rows)
                except UnicodeDecodeError:
                    rows.fail(subject, _undecodable(path))
            if after == number:
                return
            number = after
            yield rows


def _skip_rest_of_line(file: io.TextIOWrapper) -> None:
    while (part := file.readline(MAX_LINE_CHARACTERS)) and not part.endswith("\n"):
        pass


def _read_json_line(line: str, number: int, rows: _Rows) -> None:
    """Read one line of a JSON Lines log into ``rows``: a row, or a rejected line."""
    try:
        record = _JSON_DECODER.decode(line)
    except RecursionError:
        problem = InvalidValueError(
            f"line {number}", "is nested too deeply to read", "JSON nested a few levels deep"
        )
        rows.reject(number, {"text": line.rstrip("\r\n")[:_KEPT_OF_LONG_LINE]}, [problem])
        return
    except ValueError as error:
        reason = (
            f"{error.msg} at column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else str(error)
        )
        problem = InvalidValueError(
            f"line {number}", f"is not valid JSON ({reason})", _JSON_LINE_ALLOWED
        )
        rows.reject(number, {"text": line.rstrip("\r\n")}, [problem])
        return
    if isinstance(record, _RepeatedKeys):
        problems = [
            InvalidValueError(
                f"line {number}, {key}", "appears more than once", "each key once per line"
            )
            for key in record.repeated
        ]
        rows.reject(number, record, problems)
    elif isinstance(record, dict):
        rows.add(number, record)
    else:
        kind = _JSON_KINDS.get(type(record), "a value")
        problem = InvalidValueError(
            f"line {number}", f"is {kind}, not an object", _JSON_LINE_ALLOWED
        )
        rows.reject(number, {"text": line.rstrip("\r\n")}, [problem])


_LOG_READERS: Final = ("stdlib", "arrow")
_READER_ALLOWED: Final = '"stdlib" (the default), or "arrow" (resolutionpricing[arrow])'
_READERS: Final[Mapping[str, Callable[[Path, _Rows, str], None]]] = {
    ".csv": _read_csv,
    ".jsonl": _read_json_lines,
    ".ndjson": _read_json_lines,
}


def _undecodable(path: Path) -> InvalidValueError:
    """Find the first line of the file that is not UTF-8 (text reading decodes ahead, in blocks)."""
    with path.open("rb") as file:
        for number, line in enumerate(file, 1):
            try:
                line.decode("utf-8")  # a BOM is valid UTF-8 too
            except UnicodeDecodeError as error:
                return InvalidValueError(
                    f"line {number}",
                    f"byte {error.start + 1} ({line[error.start]:#04x}) is not UTF-8",
                    _UTF8_ALLOWED,
                )
    return InvalidValueError("file", "is not valid UTF-8", _UTF8_ALLOWED)  # pragma: no cover


@overload
def read_interactions(
    path: str | os.PathLike[str], *, errors: Literal["raise"] = "raise", reader: str = "stdlib"
) -> tuple[Interaction, ...]: ...


@overload
def read_interactions(
    path: str | os.PathLike[str], *, errors: Literal["collect"], reader: str = "stdlib"
) -> ReadReport: ...


def read_interactions(
    path: str | os.PathLike[str], *, errors: str = "raise", reader: str = "stdlib"
) -> tuple[Interaction, ...] | ReadReport:
    r"""Read an interaction log from a CSV or JSON Lines file, refusing every bad row.

    The format follows the extension: ``.csv``, or ``.jsonl`` / ``.ndjson``.
    Both are UTF-8 (a byte order mark is accepted).

    **CSV.** The first line names the columns ``id, customer_id, channel,
    started_at, ended_at, topics, resolved_topics, escalated`` (required) and
    ``account_id, conversation_id, confirmed, csat, logged_at`` (optional); any other column is kept in
    each interaction's ``attributes``, as text. Topics are separated by ``;``
    (an empty ``resolved_topics`` means none was resolved); booleans are
    ``true``/``false`` in any case; an empty ``confirmed``, ``csat`` or
    ``conversation_id``, ``account_id`` or ``logged_at`` means None (the conversation defaults
    to the id; a row without an account belongs to the rows without one). Blank
    lines are skipped; a row's line is where it starts, the header being line 1.

    **JSON Lines.** One object per line with the same keys. Topics are a list or
    a ``;`` string; booleans are JSON ``true``/``false`` (or those strings);
    ``csat`` is an integer (``4.0`` is refused, ``"4"`` accepted); ``null`` is
    None (for ``resolved_topics``, none resolved). Other keys go to ``attributes`` if their values are strings or
    numbers. Blank lines are skipped but still counted in line numbers.

    In both, timestamps are ISO 8601 with an offset or ``Z``: a timestamp
    without a time zone is refused, never assumed to be UTC. Ids are
    unique per account: a later row reusing an id in the same account is a bad
    row (the same id in two accounts is two contacts). Nothing is dropped
    silently: a row is either an `Interaction` or a problem.

    Args:
        path: the file, ending in ``.csv``, ``.jsonl`` or ``.ndjson``.
        errors: ``"raise"`` (the default) to raise if any row is bad;
            ``"collect"`` to return a `ReadReport` of good and bad rows.
        reader: ``"stdlib"`` (the default), the standard library alone; or
            ``"arrow"``, which parses the file with pyarrow and converts its
            columns in bulk (the extra ``resolutionpricing[arrow]``; pyarrow is
            imported only then). The Arrow reader also reads ``.parquet``
            (its bad rows located as ``row 3``, counted from 1) and gives the
            same interactions and the same problems; a file with a bad row is
            read a second time by the careful path, which names the lines.

    Returns:
        The interactions, in file order; with ``errors="collect"``, a
        `ReadReport`.

    Raises:
        InteractionLogError: with ``errors="raise"``, if any row is bad, listing
            every problem of every row as ``line 7, csat: ...``. In both modes, if
            the file cannot be read as a whole: a required column is missing from
            the header (path ``header``), the CSV quoting is broken, a CSV field
            is over 1 MiB, the file is not UTF-8, or it is not a regular file
            (a directory, a FIFO, a device).
        InvalidValueError: for another extension, or another value of ``errors``
            or ``reader``.
        ImportError: for ``reader="arrow"`` without pyarrow, naming the extra.
        OSError: if the file cannot be opened.

    Examples:
        >>> import pathlib, tempfile
        >>> from resolutionpricing import read_interactions
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     log = pathlib.Path(folder, "october.csv")
        ...     _ = log.write_text(
        ...         "id,customer_id,channel,started_at,ended_at,topics,resolved_topics,escalated,tenant\n"
        ...         "c1,u1,chat,2026-10-01T09:00:00+04:00,2026-10-01T09:04:00+04:00,billing; refund,"
        ...         "billing,false,acme\n",
        ...         encoding="utf-8",
        ...     )
        ...     (contact,) = read_interactions(log)
        >>> sorted(contact.topics), contact.resolved_topics, contact.attributes["tenant"]
        (['billing', 'refund'], frozenset({'billing'}), 'acme')
    """
    _check_errors(errors)
    if reader not in _LOG_READERS:
        raise InvalidValueError("reader", f"{_shown(reader)} is not a reader", _READER_ALLOWED)
    file = Path(path)
    suffix = file.suffix.lower()
    read = _READERS.get(suffix)
    if read is None and not (reader == "arrow" and suffix == ".parquet"):
        raise _extension_error(path, suffix, reader)
    subject = f"{path} has"
    if reader == "arrow":
        from resolutionpricing._arrow_reader import read_with_arrow  # noqa: PLC0415

        with _paused_gc():
            clean = read_with_arrow(file, suffix)
        if clean is not None:
            return (
                ReadReport(interactions=tuple(clean), rejected=()) if errors == "collect" else clean
            )
        if read is None:  # Parquet: the careful path, row by row, rows counted from 1
            return _read_parquet_rows(file, subject, errors)
    rows = _Rows("line")
    try:
        with _paused_gc():
            read(file, rows, subject)  # type: ignore[misc]
    except UnicodeDecodeError:
        rows.fail(subject, _undecodable(file))
    except InvalidValueError as error:  # not a regular file: a FIFO, a device, a folder
        raise InteractionLogError(f"{path} cannot be read", [error]) from None
    return rows.finish(subject, errors)


def _extension_error(path: str | os.PathLike[str], suffix: str, reader: str) -> InvalidValueError:
    problem = (
        f"{str(path)!r} has the extension {suffix!r}"
        if suffix
        else f"{str(path)!r} has no extension"
    )
    allowed = "a file ending in .csv, .jsonl or .ndjson"
    return InvalidValueError(
        "path", problem, allowed + (", or .parquet" if reader == "arrow" else "")
    )


_CHUNK_READERS: Final[Mapping[str, Callable[[Path, str, int], Iterator[_Rows]]]] = {
    ".csv": _csv_chunks,
    ".jsonl": _json_chunks,
    ".ndjson": _json_chunks,
}
_CHUNK_ROWS: Final = 10_000


def iter_interactions(
    path: str | os.PathLike[str], *, reader: str = "stdlib", chunk_rows: int = _CHUNK_ROWS
) -> Iterator[Interaction]:
    r"""Read an interaction log lazily: its interactions one by one, in file order.

    The file is read as `read_interactions` reads it (the same formats, the
    same fast and careful paths, so the same interactions, the same problems
    and the same line numbers), but ``chunk_rows`` rows at a time: only one
    chunk is held, nothing of a row is kept once its chunk is given out. This
    is the reader for ``bill(..., sorted_by_start=True)``, whose memory is then
    the open windows rather than the log.

    What it checks differently from `read_interactions`:

    - a chunk with a bad row raises `InteractionLogError` with every problem
      of that chunk (lines counted in the whole file), before any of its rows
      is given; the chunks before it have been given already;
    - ids are checked unique within a chunk only. ``bill(...,
      sorted_by_start=True)`` checks them among the contacts whose windows are
      open, so an id repeated within one window is still refused, wherever
      the chunks split.

    The arguments are checked when it is called; the file is opened when the
    first interaction is asked for, and closed at its end (or when the
    iterator is closed).

    Args:
        path: the file, ending in ``.csv``, ``.jsonl`` or ``.ndjson``.
        reader: ``"stdlib"`` (the default and, for now, the only lazy reader).
        chunk_rows: how many rows (lines, blank ones included) are read at a
            time: 1 or more, 10,000 by default. The chunks change the memory
            held and where an error is raised, never the interactions.

    Returns:
        An iterator of `Interaction`.

    Raises:
        InteractionLogError: while iterating, for a chunk with a bad row, or a
            file that cannot be read further (as `read_interactions`).
        InvalidValueError: when called, for another extension, another
            ``reader`` (``"arrow"`` included) or a ``chunk_rows`` under 1.
        InvalidTypeError: when called, for a ``chunk_rows`` that is not an int.
        OSError: while iterating, if the file cannot be opened.

    Examples:
        >>> import pathlib, tempfile
        >>> from resolutionpricing import iter_interactions, read_interactions
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     log = pathlib.Path(folder, "october.csv")
        ...     _ = log.write_text(
        ...         "id,customer_id,channel,started_at,ended_at,topics,resolved_topics,escalated\n"
        ...         "c1,u1,chat,2026-10-01T09:00:00Z,2026-10-01T09:04:00Z,billing,billing,false\n"
        ...         "c2,u2,voice,2026-10-01T10:00:00Z,2026-10-01T10:09:00Z,refund,,true\n",
        ...         encoding="utf-8",
        ...     )
        ...     rows = iter_interactions(log, chunk_rows=1)
        ...     first = next(rows)
        ...     rest = list(rows)
        ...     same = (first, *rest) == read_interactions(log)
        >>> first.id, [row.id for row in rest], same
        ('c1', ['c2'], True)
    """
    if reader != "stdlib":
        problem = (
            '"arrow" does not read lazily'
            if reader == "arrow"
            else f"{_shown(reader)} is not a reader"
        )
        raise InvalidValueError(
            "reader",
            problem,
            '"stdlib" (the default); read_interactions(path, reader="arrow") reads a whole file',
        )
    given: object = chunk_rows  # checked at run time, whatever the annotation says
    if not isinstance(given, int) or isinstance(given, bool):
        raise InvalidTypeError(
            "chunk_rows", f"{chunk_rows!r} is {_kind(chunk_rows)}", "a whole number of rows"
        )
    if chunk_rows < 1:
        raise InvalidValueError("chunk_rows", f"{chunk_rows} is under 1", "1 row or more")
    file = Path(path)
    suffix = file.suffix.lower()
    chunks = _CHUNK_READERS.get(suffix)
    if chunks is None:
        raise _extension_error(path, suffix, reader)
    subject = f"{path} has"
    return _lazy_interactions(str(path), subject, chunks(file, subject, chunk_rows))


def _lazy_interactions(path: str, subject: str, chunks: Iterator[_Rows]) -> Iterator[Interaction]:
    """The interactions of each chunk in turn, a chunk with a bad row an error."""
    while True:
        try:
            rows = next(chunks, None)
        except InvalidValueError as error:  # not a regular file: a FIFO, a device, a folder
            raise InteractionLogError(f"{path} cannot be read", [error]) from None
        if rows is None:
            return
        if rows.rejected:
            raise _log_error(subject, rows.problems())
        interactions = rows.interactions
        del rows  # only the interactions are given out: the chunk's other lists can go
        yield from interactions
        del interactions


def _read_parquet_rows(
    file: Path, subject: str, errors: str
) -> tuple[Interaction, ...] | ReadReport:
    """A Parquet log the bulk path could not vouch for, row by row: ``row 3, csat: ...``."""
    import pyarrow as pa  # noqa: PLC0415 -- optional dependency
    from pyarrow import parquet  # noqa: PLC0415 -- optional dependency

    rows = _Rows("row")
    try:
        raw = open_regular(file, "a log")
    except InvalidValueError as error:  # not a regular file: a FIFO, a device, a folder
        raise InteractionLogError(f"{file} cannot be read", [error]) from None
    with raw, _paused_gc():
        try:
            records = parquet.read_table(raw).to_pylist()
        except pa.ArrowException as error:
            problem = InvalidValueError(
                "file", f"is not a Parquet file ({error})", "a Parquet file"
            )
            raise InteractionLogError(f"{file} cannot be read", [problem]) from None
        for number, record in enumerate(records, 1):
            rows.add(number, record)
    return rows.finish(subject, errors)


@overload
def interactions_from_records(
    records: Iterable[Mapping[Any, object]], *, errors: Literal["raise"] = "raise"
) -> tuple[Interaction, ...]: ...


@overload
def interactions_from_records(
    records: Iterable[Mapping[Any, object]], *, errors: Literal["collect"]
) -> ReadReport: ...


def interactions_from_records(
    records: Iterable[Mapping[Any, object]], *, errors: str = "raise"
) -> tuple[Interaction, ...] | ReadReport:
    """Build interactions from mappings with the log's keys, such as ``df.to_dict("records")``.

    The keys and checks are those of `read_interactions`; problems are located
    as ``record 3, csat`` (records count from 1). Values may be strings as in a
    file, or Python values: aware `datetime` objects (pandas ``Timestamp``
    included; naive ones are refused), topics as a list, tuple or set, bools,
    and integers for ``csat`` (any object with ``__index__``, such as a numpy
    integer; bools and floats are refused). Ids may also be integers, read as
    their digits.

    pandas marks missing values as ``NaN`` (a float), ``NaT`` or ``NA``: these
    are read as None, which is allowed for ``account_id``, ``conversation_id``, ``confirmed``,
    ``csat`` and ``logged_at`` and means "no topics" for ``resolved_topics``; in a required
    column it is reported as missing.

    Args:
        records: the rows, each a mapping from column name to value.
        errors: ``"raise"`` (the default) or ``"collect"``, as for
            `read_interactions`.

    Returns:
        The interactions, in order; with ``errors="collect"``, a `ReadReport`.

    Raises:
        InteractionLogError: with ``errors="raise"``, if any record is bad,
            listing every problem.
        InvalidTypeError: if ``records`` is not an iterable of records.
        InvalidValueError: for another value of ``errors``.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from resolutionpricing import interactions_from_records
        >>> (contact,) = interactions_from_records([{
        ...     "id": "c1", "customer_id": "u1", "channel": "chat",
        ...     "started_at": datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc),
        ...     "ended_at": "2026-10-01T09:04:00Z",
        ...     "topics": ["billing"], "resolved_topics": ["billing"],
        ...     "escalated": False, "csat": float("nan"), "region": "UAE",
        ... }])
        >>> contact.csat, contact.conversation_id, dict(contact.attributes)
        (None, 'c1', {'region': 'UAE'})
    """
    _check_errors(errors)
    given: Iterable[object] = records  # each record is checked at run time too
    if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
        raise InvalidTypeError(
            "records",
            f"{_shown(given)} is {_kind(given)}, not an iterable of records",
            _MAPPING_ALLOWED,
        )
    rows = _Rows("record")
    for number, record in enumerate(given, 1):
        if isinstance(record, Mapping):
            rows.add(number, record)
        else:
            problem = InvalidTypeError(
                f"record {number}", f"is {_kind(record)}, not a mapping", _MAPPING_ALLOWED
            )
            rows.reject(number, {"record": record}, [problem])
    return rows.finish("the records have", errors)
