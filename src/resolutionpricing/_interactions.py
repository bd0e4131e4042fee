"""Interactions: one conversation of a customer with the AI, as logged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

from typing import Any

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError

__all__ = ["Interaction"]


def _aware(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, datetime):
        raise InvalidTypeError(attribute.name, f"{value!r} is not a datetime", "a timezone-aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValueError(
            attribute.name,
            f"{value.isoformat()} has no time zone",
            "a timezone-aware timestamp such as 2026-10-01T09:30:00+04:00 or 2026-10-01T05:30:00Z",
        )


def _text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(attribute.name, f"{value!r} is empty or not a string", "a non-empty string")


def _topics(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidTypeError("topics", f"{value!r} is not a collection of topics", "a list or set of strings")
    items = list(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidValueError("topics", f"{item!r} is not a topic", "non-empty strings")
    return frozenset(items)


def _attributes(value: Mapping[str, str] | None) -> Mapping[str, str]:
    items = dict(value or {})
    for key, item in items.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise InvalidTypeError(f"attributes[{key!r}]", f"{item!r} is not a string", "strings only")
    return MappingProxyType(dict(sorted(items.items())))


def _optional_bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidTypeError(attribute.name, f"{value!r} is not a boolean", "True, False or None")


def _csat(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(attribute.name, f"{value!r} is not a whole number", "an integer from 1 to 5, or None")
    if not 1 <= value <= 5:
        raise InvalidValueError(attribute.name, f"{value} is out of range", "an integer from 1 to 5, or None")


@attrs.frozen(kw_only=True)
class Interaction:
    """One contact of a customer with the AI, as the log records it.

    Attributes:
        id: unique in the log.
        customer_id: who contacted.
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

    Example:
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
    escalated: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    confirmed: bool | None = attrs.field(default=None, validator=_optional_bool)
    csat: int | None = attrs.field(default=None, validator=_csat)
    conversation_id: str = attrs.field(validator=_text)
    attributes: Mapping[str, str] = attrs.field(factory=dict, converter=_attributes)

    @conversation_id.default
    def _conversation_defaults_to_id(self) -> str:
        return self.id

    def __attrs_post_init__(self) -> None:
        if self.ended_at < self.started_at:
            raise InvalidValueError(
                "ended_at",
                f"{self.ended_at.isoformat()} is before started_at ({self.started_at.isoformat()})",
                "ended_at on or after started_at",
            )
        if not self.topics:
            raise InvalidValueError("topics", "is empty", "at least one topic")
        unknown = self.resolved_topics - self.topics
        if unknown:
            raise InvalidValueError(
                "resolved_topics",
                f"{', '.join(sorted(unknown))} not among the topics ({', '.join(sorted(self.topics))})",
                "a subset of topics",
            )
