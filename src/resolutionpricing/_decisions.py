"""Decisions: a contract's definition of a resolution applied to an interaction log.

`decide` gives every contact exactly one `Decision`: ``billable``,
``not_billable`` or ``pending``, with the units it bills and every reason why.

Re-contact. Interaction B re-contacts interaction A when B is by the same
customer of the same account (``account_id``; None is an account of its own), starts strictly after A starts, and starts no later than A's end
plus the rule's ``recontact_window`` (the window's end is inclusive):
``A.started_at < B.started_at <= A.ended_at + recontact_window``. What else
must hold depends on the rule's ``recontact_scope``:

- ``same_conversation``: B is in A's conversation; it voids all of A.
- ``same_topic``: one of B's topics is one of A's resolved topics; only the
  shared topics are voided.
- ``any_topic``: any contact by the customer voids all of A.

With ``cross_channel = false`` only a B on A's channel counts.

Only the first re-contact matters. For A and each of its groups (the
customer, and the conversation, channel or topic the scope asks for), the
re-contact considered is the first contact of the group, in (``started_at``,
``id``) order, that starts strictly after A; A's topic (or all of A) is
voided if and only if it starts no later than ``A.ended_at`` plus the window.
That is the same as asking whether any B in the window exists, and it is one
bisection per group, so a log of 100,000 contacts of one customer inside one
window costs O(n log n), not O(n^2). ``Decision.recontacted_by`` names that
first re-contact of each voided topic (one id under ``same_conversation`` and
``any_topic``), so each decision records at most one id per voided topic. Escalated
contacts, and contacts outside any billing period, re-contact like any other.
A contact that starts at exactly the same instant as A is not a re-contact of
A, nor A of it. Times are compared as instants (in UTC), so a 48 h window is
48 elapsed hours even across a daylight-saving change.

Reasons, always listed in this order, every one that applies:
``escalated`` (and the rule excludes escalations), ``negative_feedback``
(``confirmed`` is False), ``unconfirmed`` (``confirmed`` is None and the rule
requires confirmation), ``low_csat`` (rated below ``min_csat``),
``unresolved`` (no topic resolved), ``recontacted`` (a re-contact voided some
topics; it disqualifies only when none is left), ``partial`` (some, but not
all, of the topics are left resolved) and ``window_open``.

Units follow the rule's ``partial`` policy, with R the resolved topics left
and T all the contact's topics: ``all_or_nothing`` 1 if R is T, else 0;
``per_topic`` |R|; ``pro_rata`` |R| / |T| rounded half-up to 4 decimal places;
``any`` 1. A contact that would bill nothing is ``not_billable``.

Pending. A contact that would bill, but whose window is still open at
``as_of`` (``as_of < ended_at + recontact_window``), is ``pending``: it bills
0 units now, and its ``provisional_units`` are what it will bill if no
re-contact comes. At ``as_of == ended_at + recontact_window`` the window is
closed, because a re-contact starting at that instant would already be known.

``as_of`` is what was known: contacts starting after it are ignored entirely,
and so are rows whose ``logged_at`` is after it (rows that reached the log
later), so an old ``as_of`` reproduces what the log held then. It defaults to the latest timestamp in the log, so the same log always gives
the same answer; there is no clock.
"""

from __future__ import annotations

import decimal
import enum
import os
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Final

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError, parse_choice, shown
from resolutionpricing._interactions import Interaction
from resolutionpricing._money import ARITHMETIC, format_decimal, to_decimal
from resolutionpricing._periods import check_instant
from resolutionpricing._rules import PartialPolicy, RecontactScope, ResolutionRule

__all__ = ["Decision", "DecisionStatus", "Reason", "decide"]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_PRO_RATA_PLACES: Final = Decimal("0.0001")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_NOTHING: Final[frozenset[str]] = frozenset()
_AS_OF_HINT: Final = "a timezone-aware datetime such as 2026-11-01T00:00:00+00:00, or None"


class DecisionStatus(enum.Enum):
    """Whether a contact bills: now, not at all, or once its window closes.

    Examples:
        >>> from resolutionpricing import DecisionStatus
        >>> [status.value for status in DecisionStatus]
        ['billable', 'not_billable', 'pending']
    """

    BILLABLE = "billable"
    """A resolution: it bills its units."""
    NOT_BILLABLE = "not_billable"
    """Not a resolution under the rule; its reasons say why."""
    PENDING = "pending"
    """It would bill, but its re-contact window is still open at ``as_of``."""


class Reason(enum.Enum):
    """Why a contact does not bill, bills less than a whole unit, or is pending.

    Members are declared in the order a decision lists them.

    Examples:
        >>> from resolutionpricing import Reason
        >>> Reason("low_csat"), Reason.PARTIAL.value
        (<Reason.LOW_CSAT: 'low_csat'>, 'partial')
    """

    ESCALATED = "escalated"
    """A human took part and the rule excludes escalated contacts."""
    NEGATIVE_FEEDBACK = "negative_feedback"
    """The customer said it did not help (``confirmed`` is False)."""
    UNCONFIRMED = "unconfirmed"
    """The customer was silent and the rule requires confirmation."""
    LOW_CSAT = "low_csat"
    """The customer rated it below the rule's ``min_csat``."""
    UNRESOLVED = "unresolved"
    """No topic was resolved in the first place."""
    RECONTACTED = "recontacted"
    """A re-contact within the window voided some (or all) resolved topics."""
    PARTIAL = "partial"
    """Some, but not all, of the contact's topics are left resolved."""
    WINDOW_OPEN = "window_open"
    """The re-contact window is still open at ``as_of``."""


@attrs.frozen(kw_only=True)
class Decision:
    """What the rule makes of one contact, with every reason, so a buyer can audit it.

    Decisions are keyed by (``account_id``, ``interaction_id``): ids are
    unique per account.

    Attributes:
        interaction_id: the contact's ``id``.
        status: billable, not billable, or pending.
        units: what it bills now (0 unless billable).
        provisional_units: what it bills once its window closes with no
            further re-contact (equal to ``units`` when billable, 0 when not
            billable).
        reasons: every reason that applies, in the order of `Reason`.
        recontacted_by: for each voided topic (or for the whole contact under
            ``same_conversation`` and ``any_topic``), the id of its first
            re-contact, without repeats, sorted by (``started_at``, ``id``). Later
            re-contacts inside the window are not listed: the first one
            already voids the topic, and listing them all would be quadratic.
        voided_topics: the resolved topics those re-contacts voided.
        account_id: the contact's account (None for rows without one).
        period: the label of the billing period the contact belongs to (the
            contract period containing its ``ended_at``, set by `bill`), or
            None: outside every billed period, or decided by `decide` alone.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import Decision, DecisionStatus, Reason
        >>> decision = Decision(
        ...     interaction_id="c1", status=DecisionStatus.BILLABLE,
        ...     units=Decimal("0.5000"), provisional_units=Decimal("0.5000"),
        ...     reasons=(Reason.PARTIAL,), account_id="acme", period="2026-10",
        ... )
        >>> decision.units, decision.recontacted_by, decision.voided_topics
        (Decimal('0.5000'), (), frozenset())
        >>> Decision.from_dict(decision.to_dict()) == decision
        True
    """

    interaction_id: str
    status: DecisionStatus
    units: Decimal
    provisional_units: Decimal
    reasons: tuple[Reason, ...] = ()
    recontacted_by: tuple[str, ...] = ()
    voided_topics: frozenset[str] = frozenset()
    account_id: str | None = None
    period: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the decision as JSON-safe data: strings, lists, None and nothing else.

        Units are written as plain decimal strings without trailing zeros
        (``"0.6667"``, ``"1"``); topics are sorted.

        Examples:
            >>> from decimal import Decimal
            >>> from resolutionpricing import Decision, DecisionStatus, Reason
            >>> Decision(
            ...     interaction_id="c1", status=DecisionStatus.PENDING,
            ...     units=Decimal(0), provisional_units=Decimal("0.6667"),
            ...     reasons=(Reason.PARTIAL, Reason.WINDOW_OPEN),
            ... ).to_dict()  # doctest: +NORMALIZE_WHITESPACE
            {'interaction_id': 'c1', 'account_id': None, 'period': None, 'status': 'pending',
             'units': '0', 'provisional_units': '0.6667', 'reasons': ['partial', 'window_open'],
             'recontacted_by': [], 'voided_topics': []}
        """
        return {
            "interaction_id": self.interaction_id,
            "account_id": self.account_id,
            "period": self.period,
            "status": self.status.value,
            "units": _plain(self.units),
            "provisional_units": _plain(self.provisional_units),
            "reasons": [reason.value for reason in self.reasons],
            "recontacted_by": list(self.recontacted_by),
            "voided_topics": sorted(self.voided_topics),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Decision:
        """Read a decision back from `Decision.to_dict`'s data: the exact inverse.

        Raises:
            InvalidValueError: for a missing or unknown key, a status or
                reason that is not one of the allowed values, or units that
                are not a decimal of 0 or more (the path names the key).
            InvalidTypeError: for a value of the wrong type.

        Examples:
            >>> from resolutionpricing import Decision
            >>> Decision.from_dict({"interaction_id": "c1", "status": "maybe"})
            Traceback (most recent call last):
            ...
            resolutionpricing.InvalidValueError: decision.status: 'maybe' is not allowed; one of "billable", "not_billable", "pending"
        """
        return _decision_from_dict(data)


_DECISION_KEYS: Final = (
    "interaction_id",
    "account_id",
    "period",
    "status",
    "units",
    "provisional_units",
    "reasons",
    "recontacted_by",
    "voided_topics",
)


def _decision_from_dict(data: Mapping[str, object]) -> Decision:
    if not isinstance(data, Mapping):
        raise InvalidTypeError("decision", f"{data!r} is not a mapping", "a mapping")
    unknown = sorted(str(key) for key in data if key not in _DECISION_KEYS)
    if unknown:
        raise InvalidValueError(
            f"decision.{unknown[0]}", "is not a known key", "the keys of Decision.to_dict"
        )

    def text(key: str, *, optional: bool = False) -> str | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise InvalidValueError(f"decision.{key}", f"{value!r} is not a string", "a string")
        return value

    def texts(key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise InvalidTypeError(
                f"decision.{key}", f"{value!r} is not a list", "a list of strings"
            )
        return value

    status = parse_choice(DecisionStatus, data.get("status"), "decision.status")
    reasons = tuple(
        parse_choice(Reason, reason, f"decision.reasons[{index}]")
        for index, reason in enumerate(texts("reasons"))
    )
    return Decision(
        interaction_id=text("interaction_id") or "",
        account_id=text("account_id", optional=True),
        period=text("period", optional=True),
        status=status,
        units=to_decimal(data.get("units"), "decision.units", minimum=_ZERO),
        provisional_units=to_decimal(
            data.get("provisional_units"), "decision.provisional_units", minimum=_ZERO
        ),
        reasons=reasons,
        recontacted_by=tuple(texts("recontacted_by")),
        voided_topics=frozenset(texts("voided_topics")),
    )


def _plain(value: Decimal) -> str:
    # normalize() drops the trailing zeros of a quantized 1.0000; format_decimal
    # then writes 1E+1 as 10.
    with decimal.localcontext(ARITHMETIC):
        return format_decimal(value.normalize())


def _check_as_of(as_of: object) -> datetime:
    if not isinstance(as_of, datetime):
        raise InvalidTypeError("as_of", f"{as_of!r} is not a datetime", _AS_OF_HINT)
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InvalidValueError("as_of", f"{as_of.isoformat()} has no time zone", _AS_OF_HINT)
    return check_instant(as_of, "as_of")


def check_rule(rule: object) -> ResolutionRule:
    """Refuse anything but a `ResolutionRule`, saying what to pass for a `Contract`."""
    if isinstance(rule, ResolutionRule):
        return rule
    hint = " (for a Contract, pass contract.resolution)" if hasattr(rule, "resolution") else ""
    raise InvalidTypeError(
        "rule",
        f"{shown(rule, 80)} is a {type(rule).__name__}, not a ResolutionRule{hint}",
        "a ResolutionRule, such as contract.resolution",
    )


def check_log(interactions: object) -> None:
    """Refuse a path given where the rows are expected, saying how to read it."""
    if isinstance(interactions, str | bytes | os.PathLike):
        raise InvalidTypeError(
            "interactions",
            f"{shown(interactions, 80)} is a path or a string, not the log's rows",
            "the interactions: read a file with read_interactions(path) first",
        )


def _check_rows(rows: Sequence[object]) -> None:
    """Check that every row is an `Interaction`, naming the first that is not."""
    # One look at each distinct type: a million rows are usually of one.
    if all(issubclass(kind, Interaction) for kind in set(map(type, rows))):
        return
    position, row = next(
        (position, row) for position, row in enumerate(rows) if not isinstance(row, Interaction)
    )
    raise InvalidTypeError(
        f"interactions[{position}]", f"{row!r} is a {type(row).__name__}", "Interaction objects"
    )


def _check_unique(rows: list[Interaction]) -> None:
    """Check that no id appears twice in one account, naming every one that does."""
    keys = [(row.account_id, row.id) for row in rows]
    if len(set(keys)) == len(keys):
        return
    duplicates = sorted(
        (key for key, count in Counter(keys).items() if count > 1),
        key=lambda key: ("" if key[0] is None else key[0], key[0] is not None, key[1]),
    )
    listed = ", ".join(
        repr(name) if account is None else f"{name!r} (account {account!r})"
        for account, name in duplicates
    )
    problem = (
        f"the id {listed} appears more than once"
        if len(duplicates) == 1
        else f"the ids {listed} appear more than once"
    )
    raise InvalidValueError(
        "interactions", problem, "every interaction id unique within its account"
    )


def _canonical_order(
    ids: list[tuple[str, str]], starts: list[int], cutoff: int
) -> tuple[list[int], list[int]]:
    """The rows known at ``cutoff`` in (started_at, account, id) order, and each row's rank (or -1)."""
    order = sorted(
        (row for row, start in enumerate(starts) if start <= cutoff), key=starts.__getitem__
    )
    # Ties on the start instant are rare: sort each run of them by id.
    run = 0
    for position in range(1, len(order) + 1):
        if position == len(order) or starts[order[position]] != starts[order[run]]:
            if position - run > 1:
                order[run:position] = sorted(order[run:position], key=ids.__getitem__)
            run = position
    ranks = [-1] * len(ids)
    for rank, row in enumerate(order):
        ranks[row] = rank
    return order, ranks


def _shared(rule: ResolutionRule) -> Callable[[Interaction], Hashable]:
    """What a contact must share with another (besides a topic, under ``same_topic``)."""
    # The account first: the same customer id in two accounts is two people.
    fields = ["account_id", "customer_id"]
    if not rule.cross_channel:
        fields.append("channel")
    if rule.recontact_scope is RecontactScope.SAME_CONVERSATION:
        fields.append("conversation_id")
    return attrgetter(*fields)


class _Index:
    """The known contacts grouped by what a re-contact must share with them.

    A group is the contacts with one key: the customer, and the conversation,
    channel or topic the rule asks for. The groups are laid end to end in two
    flat lists of integers, the contacts' ranks and start instants, each group
    ascending; so a group's first contact after an instant is one bisection
    away, and a million contacts cost a few long lists of integers rather than
    a million small containers.
    """

    def __init__(
        self,
        rule: ResolutionRule,
        rows: list[Interaction],
        order: list[int],
        ranks: list[int],
        starts: list[int],
    ) -> None:
        self.by_topic = rule.recontact_scope is RecontactScope.SAME_TOPIC
        keys = dict[Hashable, int]()
        key = keys.setdefault
        self.keys = [key(shared, len(keys)) for shared in map(_shared(rule), rows)]
        self.width = width = len(keys)
        self.topics = topics = dict[str, int]()
        topic_number = topics.setdefault
        # Each contact in a group as one integer, group * span + rank: sorted,
        # they lay out each group in rank order, which is start order.
        span = len(order)
        if self.by_topic:
            packed = [
                (topic_number(topic, len(topics)) * width + self.keys[row]) * span + rank
                for row, rank in enumerate(ranks)
                if rank >= 0
                for topic in rows[row].topics
            ]
        else:
            packed = [self.keys[row] * span + rank for row, rank in enumerate(ranks) if rank >= 0]
        packed.sort()
        groups = [member // span for member in packed]
        self.ranks = [member % span for member in packed]
        self.starts = [starts[order[rank]] for rank in self.ranks]
        # Built from the end, so that each group keeps its first entry.
        self.first = dict(zip(reversed(groups), range(len(groups) - 1, -1, -1), strict=True))
        self.stop = dict(zip(groups, range(1, len(groups) + 1), strict=True))

    def first_later(self, row: int, topic: str, after: int) -> tuple[int, int] | None:
        """The (start, rank) of the first contact in ``row``'s group starting after ``after``.

        Under ``same_topic`` the group is that of ``topic``, one of the row's.
        Only the first matters: if it starts outside the window, every later
        one does too. One bisection, whatever the size of the group.
        """
        group = self.keys[row]
        if self.by_topic:
            group += self.topics[topic] * self.width
        stop = self.stop[group]
        low = bisect_right(self.starts, after, self.first[group], stop)
        if low == stop:
            return None
        return self.starts[low], self.ranks[low]

    def recontacts(
        self, row: int, resolved: frozenset[str], after: int, up_to: int
    ) -> tuple[frozenset[str], list[int]]:
        """The topics of ``row`` voided by a contact starting in ``(after, up_to]``, and its rank.

        For each voided topic (or for the whole contact, outside ``same_topic``)
        only the first re-contact is named, so a decision records at most one
        rank per voided topic.
        """
        if not resolved:
            # Nothing resolved, nothing a re-contact could void.
            return _NOTHING, []
        if not self.by_topic:
            first = self.first_later(row, "", after)
            if first is None or first[0] > up_to:
                return _NOTHING, []
            return resolved, [first[1]]
        voided: list[str] = []
        ranks: set[int] = set()
        for topic in resolved:
            first = self.first_later(row, topic, after)
            if first is not None and first[0] <= up_to:
                voided.append(topic)
                ranks.add(first[1])
        if not voided:
            return _NOTHING, []
        # Two topics may share their first re-contact; ranks are (start, id) order.
        return frozenset(voided), sorted(ranks)


def _units(policy: PartialPolicy, left: int, total: int) -> Decimal:
    if policy is PartialPolicy.ALL_OR_NOTHING:
        return _ONE if left == total else _ZERO
    if policy is PartialPolicy.PER_TOPIC:
        return Decimal(left)
    if policy is PartialPolicy.PRO_RATA:
        with decimal.localcontext(ARITHMETIC):
            return (Decimal(left) / Decimal(total)).quantize(
                _PRO_RATA_PLACES, rounding=decimal.ROUND_HALF_UP
            )
    return _ONE if left else _ZERO


def decide(
    rule: ResolutionRule,
    interactions: Iterable[Interaction],
    *,
    as_of: datetime | None = None,
) -> tuple[Decision, ...]:
    """Decide, for every contact known at ``as_of``, whether and what it bills under ``rule``.

    The semantics (re-contact, reasons, units, pending) are those of this
    module's documentation. It runs in O(n log n) time and O(n) memory in
    every case (a decision names at most one re-contact per voided topic), and
    gives the same answer whatever the order of the rows.

    Args:
        rule: the contract's definition of a resolution.
        interactions: the log, in any order.
        as_of: what was known (timezone-aware); contacts starting after it are
            ignored. Defaults to the latest ``started_at`` or ``ended_at`` in
            the log.

    Returns:
        One decision per contact starting no later than ``as_of``, sorted by
        the contact's (``started_at``, ``id``).

    Raises:
        InvalidValueError: for a naive ``as_of`` or one outside the supported
            times (path ``as_of``), or an id that appears twice in the log (path
            ``interactions``).
        InvalidTypeError: for a ``rule`` that is not a `ResolutionRule` (such
            as a `Contract`: pass ``contract.resolution``), a path given as
            ``interactions`` (read it with `read_interactions` first), an
            ``as_of`` that is not a datetime, or a row that is not an
            `Interaction`.

    Examples:
        >>> from datetime import datetime, timedelta, timezone
        >>> from resolutionpricing import Interaction, ResolutionRule
        >>> from resolutionpricing import decide
        >>> start = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
        >>> def contact(id, hours, topics, resolved):
        ...     return Interaction(
        ...         id=id, customer_id="u1", channel="chat",
        ...         started_at=start + timedelta(hours=hours),
        ...         ended_at=start + timedelta(hours=hours, minutes=10),
        ...         topics=topics, resolved_topics=resolved,
        ...     )
        >>> log = [
        ...     contact("c1", 0, ["billing", "refund"], ["billing", "refund"]),
        ...     contact("c2", 30, ["refund"], ["refund"]),
        ... ]
        >>> rule = ResolutionRule(recontact_window="48h", partial="pro_rata")
        >>> for decision in decide(rule, log, as_of=start + timedelta(days=5)):
        ...     print(decision.interaction_id, decision.status.value, decision.units,
        ...           [reason.value for reason in decision.reasons], decision.recontacted_by)
        c1 billable 0.5000 ['recontacted', 'partial'] ('c2',)
        c2 billable 1.0000 [] ()
        >>> decide(rule, log)[1].status  # as_of defaults to c2's end: its window is open
        <DecisionStatus.PENDING: 'pending'>
    """
    check_rule(rule)
    check_log(interactions)
    rows = list(interactions)
    _check_rows(rows)
    _check_unique(rows)
    known_at = None if as_of is None else _check_as_of(as_of)
    if known_at is not None:
        rows = known_rows(rows, known_at)
    if not rows:
        return ()
    # Ties on the start are broken by (account, id), rows without an account
    # first: ids are unique per account only. (Of the known rows: a row
    # logged after as_of must not shift the others' ties.)
    ties = [("", row.id) if row.account_id is None else (row.account_id, row.id) for row in rows]
    # Instants as whole microseconds since the epoch: exact, compared as
    # instants whatever the time zone, and quick to sort and bisect.
    starts = [(row.started_at - _EPOCH) // _MICROSECOND for row in rows]
    ends = [(row.ended_at - _EPOCH) // _MICROSECOND for row in rows]
    if known_at is None:
        cutoff = max(max(starts), max(ends))  # noqa: PLW3301 -- max(*a, *b) copies two million items
    else:
        cutoff = (known_at - _EPOCH) // _MICROSECOND
    order, ranks = _canonical_order(ties, starts, cutoff)
    if not order:
        return ()
    index = _Index(rule, rows, order, ranks, starts)
    window = rule.recontact_window // _MICROSECOND
    judge = _Judge(rule)

    # Rows are judged in the order given (logs usually come in time order, and
    # so does their memory), then put in canonical order.
    judged: list[Decision | None] = [None] * len(rows)
    for row, rank in enumerate(ranks):
        if rank >= 0:
            window_end = ends[row] + window
            voided, later = index.recontacts(
                row, rows[row].resolved_topics, starts[row], window_end
            )
            judged[row] = judge(
                rows[row],
                voided,
                tuple([rows[order[other]].id for other in later]) if later else (),
                cutoff < window_end,
            )
    return tuple(decision for row in order if (decision := judged[row]) is not None)


def known_rows(rows: list[Interaction], as_of: datetime) -> list[Interaction]:
    """The rows that were in the log at ``as_of``: a row logged after it is ignored.

    A row without ``logged_at`` is taken to have been there all along (what
    it starts after ``as_of`` is ignored later, by its start).
    """
    if all(row.logged_at is None for row in rows):
        return rows
    cutoff = as_of.astimezone(UTC)
    return [row for row in rows if row.logged_at is None or row.logged_at.astimezone(UTC) <= cutoff]


def _vetoes(rule: ResolutionRule, interaction: Interaction) -> list[Reason]:
    """The reasons, before any re-contact, why ``interaction`` cannot bill."""
    reasons: list[Reason] = []
    if interaction.escalated and rule.exclude_escalated:
        reasons.append(Reason.ESCALATED)
    if interaction.confirmed is False:
        reasons.append(Reason.NEGATIVE_FEEDBACK)
    elif interaction.confirmed is None and rule.require_confirmation:
        reasons.append(Reason.UNCONFIRMED)
    if (
        interaction.csat is not None
        and rule.min_csat is not None
        and interaction.csat < rule.min_csat
    ):
        reasons.append(Reason.LOW_CSAT)
    if not interaction.resolved_topics:
        reasons.append(Reason.UNRESOLVED)
    return reasons


class _Judge:
    """Applies the rule's vetoes and partial policy to one contact at a time.

    Units and reason lists repeat across a log, so each is made once and
    shared: a million decisions hold a handful of distinct ones.
    """

    def __init__(self, rule: ResolutionRule) -> None:
        self.rule = rule
        self.units: dict[tuple[int, int], Decimal] = {}
        self.reasons: dict[tuple[Reason, ...], tuple[Reason, ...]] = {}

    def __call__(
        self,
        interaction: Interaction,
        voided: frozenset[str],
        recontacted_by: tuple[str, ...],
        window_open: bool,
    ) -> Decision:
        reasons = _vetoes(self.rule, interaction)
        resolved = interaction.resolved_topics
        left = len(resolved - voided) if voided else len(resolved)
        total = len(interaction.topics)
        units = _ZERO if reasons or not left else self._units(left, total)
        if voided:
            reasons.append(Reason.RECONTACTED)
        if 0 < left < total:
            reasons.append(Reason.PARTIAL)
        if not units:
            status, now, provisional = DecisionStatus.NOT_BILLABLE, _ZERO, _ZERO
        elif window_open:
            reasons.append(Reason.WINDOW_OPEN)
            status, now, provisional = DecisionStatus.PENDING, _ZERO, units
        else:
            status, now, provisional = DecisionStatus.BILLABLE, units, units
        listed = tuple(reasons)
        return Decision(
            interaction_id=interaction.id,
            status=status,
            units=now,
            provisional_units=provisional,
            reasons=self.reasons.setdefault(listed, listed),
            recontacted_by=recontacted_by,
            voided_topics=voided,
            account_id=interaction.account_id,
        )

    def _units(self, left: int, total: int) -> Decimal:
        units = self.units.get((left, total))
        if units is None:
            units = self.units[left, total] = _units(self.rule.partial, left, total)
        return units
