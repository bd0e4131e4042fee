"""The columnar engine behind `bill`: the rule of `decide`, on integers, held as columns.

`decide` (in `_decisions`) is the reference: it builds one `Decision` per
contact and finds each re-contact by bisection. This engine gives the same
decisions (tests/test_engines.py checks it on random logs) at a fraction of
the cost, for the bulk path of `bill`:

- instants are whole microseconds since the epoch, computed once a row;
- the first later-starting contact of each group (LEAD-DECISIONS item 1) is
  found by one sort of the (group, rank) pairs and one backward scan, no
  bisection;
- a contact's outcome (status, units, provisional units, reasons) depends on
  a handful of small values, so each distinct outcome is made once and every
  contact holds a reference to it; re-contacts and voided topics are kept
  only for the contacts that have them;
- the decisions are `DecisionColumns`, a `Sequence[Decision]` that builds a
  `Decision` only when one is asked for; it equals a tuple of the same
  decisions;
- usage is tallied from the columns (a count per outcome), and the pause cap's
  chronological sort is made only when the contract has a pause cap;
- the garbage collector is paused while the columns are built: they hold no
  cycles, and a million small containers would trigger it again and again.
"""

from __future__ import annotations

import decimal
import gc
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Final, cast, overload

import attrs

from resolutionpricing._decisions import (
    Decision,
    DecisionStatus,
    Reason,
    _canonical_order,
    _units,
)
from resolutionpricing._interactions import Interaction
from resolutionpricing._money import ARITHMETIC
from resolutionpricing._rules import RecontactScope, ResolutionRule
from resolutionpricing._usage import Usage

__all__ = [
    "DecisionColumns",
    "Outcome",
    "decide_columns",
    "paused_gc",
    "usage_from_counts",
    "usage_of",
]

_ZERO: Final = Decimal(0)
_NOTHING: Final[frozenset[str]] = frozenset()
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for bulk work, restoring its state after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@attrs.frozen
class Outcome:
    """What a decision says besides who and which re-contacts: shared by many contacts."""

    status: DecisionStatus
    units: Decimal
    provisional_units: Decimal
    reasons: tuple[Reason, ...]


class LazyDecisions(Sequence[Decision]):
    """A sequence of decisions that builds each `Decision` only when it is asked for.

    Equal to any sequence of the same decisions, a tuple included. A subclass
    gives ``__len__`` and ``_build(position)``.
    """

    __slots__ = ()

    def _build(self, position: int) -> Decision:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Decision: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Decision, ...]: ...
    def __getitem__(self, index: int | slice) -> Decision | tuple[Decision, ...]:
        if isinstance(index, slice):
            return tuple(self._build(position) for position in range(len(self))[index])
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            msg = "decision index out of range"
            raise IndexError(msg)
        return self._build(index)

    def __iter__(self) -> Iterator[Decision]:
        return map(self._build, range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(
            mine == theirs for mine, theirs in zip(self, other, strict=True)
        )

    def __hash__(self) -> int:
        return hash(tuple(self))


class DecisionColumns(LazyDecisions):
    """Decisions held as columns; a `Decision` is built when one is indexed.

    Equal to any sequence of the same decisions, a tuple included.
    """

    __slots__ = ("outcomes", "periods", "recontacted_by", "rows", "voided")

    def __init__(self) -> None:
        self.rows: list[Interaction] = []
        self.outcomes: list[Outcome] = []
        self.periods: list[str | None] = []
        # Only the contacts that were re-contacted: position -> ids, topics.
        self.recontacted_by: dict[int, tuple[str, ...]] = {}
        self.voided: dict[int, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"DecisionColumns({len(self)} decisions)"

    def _build(self, position: int) -> Decision:
        row = self.rows[position]
        outcome = self.outcomes[position]
        return Decision(
            interaction_id=row.id,
            status=outcome.status,
            units=outcome.units,
            provisional_units=outcome.provisional_units,
            reasons=outcome.reasons,
            recontacted_by=self.recontacted_by.get(position, ()),
            voided_topics=self.voided.get(position, _NOTHING),
            account_id=row.account_id,
            period=self.periods[position],
        )


def _shared(rule: ResolutionRule) -> Callable[[Interaction], Hashable]:
    """What a contact must share with another (besides a topic, under ``same_topic``)."""
    fields = ["customer_id"]  # one account at a time: the account is shared
    if not rule.cross_channel:
        fields.append("channel")
    if rule.recontact_scope is RecontactScope.SAME_CONVERSATION:
        fields.append("conversation_id")
    return attrgetter(*fields)


def _entries(
    rule: ResolutionRule, known: list[Interaction]
) -> tuple[list[int], list[int], list[str]]:
    """Each contact in each of its groups as ``group * span + rank``, sorted; and the topics."""
    keys: dict[Hashable, int] = {}
    key = keys.setdefault
    groups = [key(shared, len(keys)) for shared in map(_shared(rule), known)]
    span = len(known)
    topics: dict[str, int] = {}
    if rule.recontact_scope is not RecontactScope.SAME_TOPIC:
        packed = [group * span + rank for rank, group in enumerate(groups)]
    else:
        width = len(keys)
        number = topics.setdefault
        packed = [
            (number(topic, len(topics)) * width + groups[rank]) * span + rank
            for rank, row in enumerate(known)
            for topic in row.topics
        ]
    packed.sort()
    return packed, groups, list(topics)


def _hits(
    packed: list[int], span: int, starts: list[int], ends: list[int], window: int
) -> list[tuple[int, int, int]]:
    """(entry, rank, first re-contact's rank) for every entry whose first later contact is in its window."""
    hits: list[tuple[int, int, int]] = []
    current = -1
    later = head = -1
    run_start = 0
    # Backward: ``later`` is the first entry (lowest rank) of the next start in the group.
    for member in reversed(packed):
        group, rank = divmod(member, span)
        start = starts[rank]
        if group != current:
            current, later, run_start = group, -1, start
        elif start != run_start:
            later, run_start = head, start
        head = rank
        if later >= 0 and starts[later] <= ends[rank] + window:
            hits.append((group, rank, later))
    return hits


def decide_columns(
    rule: ResolutionRule,
    rows: list[Interaction],
    cutoff: int,
    place: Callable[[int], str | None],
    into: DecisionColumns,
) -> None:
    """Decide one account's rows as `decide` would, appending them to ``into`` in canonical order.

    ``cutoff`` is ``as_of`` in microseconds; ``place`` gives the period label
    of an ``ended_at`` in microseconds.
    """
    epoch_starts = [_micros(row.started_at) for row in rows]
    # One account: its ids alone break ties on the start (typed as _decisions' pairs).
    ids = cast("list[tuple[str, str]]", [row.id for row in rows])
    order, _ = _canonical_order(ids, epoch_starts, cutoff)
    known = [rows[row] for row in order]
    starts = [epoch_starts[row] for row in order]
    ends = [_micros(row.ended_at) for row in known]
    window = rule.recontact_window // _MICROSECOND
    packed, groups, topic_names = _entries(rule, known)
    voided: dict[int, set[str]] = {}
    first: dict[int, set[int]] = {}
    by_topic = rule.recontact_scope is RecontactScope.SAME_TOPIC
    width = max(groups, default=0) + 1
    for group, rank, later in _hits(packed, len(known), starts, ends, window):
        resolved = known[rank].resolved_topics
        if by_topic:
            topic = topic_names[group // width]
            if topic not in resolved:
                continue
            voided.setdefault(rank, set()).add(topic)
        elif resolved:
            voided[rank] = set(resolved)
        else:
            continue
        first.setdefault(rank, set()).add(later)
    base = len(into.rows)
    judge = _Judge(rule)
    outcomes = into.outcomes
    for rank, row in enumerate(known):
        topics = voided.get(rank)
        outcomes.append(judge(row, topics, cutoff < ends[rank] + window))
    for rank, topics in voided.items():
        into.voided[base + rank] = frozenset(topics)
        into.recontacted_by[base + rank] = tuple(known[other].id for other in sorted(first[rank]))
    into.rows.extend(known)
    into.periods.extend(map(place, ends))


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exactly."""
    return (moment - _EPOCH) // _MICROSECOND


class _Judge:
    """The outcome of one contact, each distinct one made once (a log has a handful)."""

    def __init__(self, rule: ResolutionRule) -> None:
        self.rule = rule
        self.seen: dict[tuple[object, ...], Outcome] = {}

    def __call__(self, row: Interaction, voided: set[str] | None, window_open: bool) -> Outcome:
        rule = self.rule
        resolved = row.resolved_topics
        left = len(resolved - voided) if voided else len(resolved)
        low = row.csat is not None and rule.min_csat is not None and row.csat < rule.min_csat
        key = (
            row.escalated,
            row.confirmed,
            low,
            bool(resolved),
            bool(voided),
            left,
            len(row.topics),
            window_open,
        )
        outcome = self.seen.get(key)
        if outcome is None:
            outcome = self.seen[key] = self._outcome(
                row, low, left, voided=bool(voided), open_=window_open
            )
        return outcome

    def _outcome(
        self, row: Interaction, low: bool, left: int, *, voided: bool, open_: bool
    ) -> Outcome:
        """`_decisions._Judge`'s logic, on the key's values."""
        rule = self.rule
        reasons: list[Reason] = []
        if row.escalated and rule.exclude_escalated:
            reasons.append(Reason.ESCALATED)
        if row.confirmed is False:
            reasons.append(Reason.NEGATIVE_FEEDBACK)
        elif row.confirmed is None and rule.require_confirmation:
            reasons.append(Reason.UNCONFIRMED)
        if low:
            reasons.append(Reason.LOW_CSAT)
        if not row.resolved_topics:
            reasons.append(Reason.UNRESOLVED)
        total = len(row.topics)
        units = _ZERO if reasons or not left else _units(rule.partial, left, total)
        if voided:
            reasons.append(Reason.RECONTACTED)
        if 0 < left < total:
            reasons.append(Reason.PARTIAL)
        if not units:
            return Outcome(DecisionStatus.NOT_BILLABLE, _ZERO, _ZERO, tuple(reasons))
        if open_:
            reasons.append(Reason.WINDOW_OPEN)
            return Outcome(DecisionStatus.PENDING, _ZERO, units, tuple(reasons))
        return Outcome(DecisionStatus.BILLABLE, units, units, tuple(reasons))


def usage_of(columns: DecisionColumns, positions: range, label: str) -> Usage:
    """One period's `Usage`, tallied as a count per outcome: what `Usage.from_decisions` gives."""
    counts: dict[Outcome, int] = {}
    contacts = escalated = 0
    periods, outcomes, rows = columns.periods, columns.outcomes, columns.rows
    for position in positions:
        if periods[position] == label:
            contacts += 1
            escalated += rows[position].escalated
            outcome = outcomes[position]
            counts[outcome] = counts.get(outcome, 0) + 1
    return usage_from_counts(counts, contacts, escalated)


def usage_from_counts(counts: dict[Outcome, int], contacts: int, escalated: int) -> Usage:
    """The `Usage` of a count per outcome: what `Usage.from_decisions` gives, one by one."""
    units = _ZERO
    statuses = dict.fromkeys(DecisionStatus, 0)
    reasons: dict[str, int] = {}
    with decimal.localcontext(ARITHMETIC):
        for outcome, count in counts.items():
            statuses[outcome.status] += count
            if outcome.status is DecisionStatus.BILLABLE:
                # count * units is the sum of count equal terms, exactly.
                units += outcome.units * count
            elif outcome.status is DecisionStatus.NOT_BILLABLE:
                for reason in outcome.reasons:
                    reasons[reason.value] = reasons.get(reason.value, 0) + count
    return Usage(
        billable_units=units,
        escalated=escalated,
        contacts=contacts,
        billable_interactions=statuses[DecisionStatus.BILLABLE],
        pending=statuses[DecisionStatus.PENDING],
        not_billable_interactions=statuses[DecisionStatus.NOT_BILLABLE],
        not_billable=reasons,
    )
