"""The columnar engine behind `bill`: the rule of `decide`, on integers, held as columns.

`decide` (in `_decisions`) is the reference: it builds one `Decision` per
contact and finds each re-contact by bisection. This engine gives the same
decisions (tests/test_engines.py checks it on random logs) at a fraction of
the cost, for the bulk path of `bill`:

- instants are whole microseconds since the epoch, computed once a row
  (`Instants`), and shared by the default ``as_of``, the decisions and the
  periods;
- the first later-starting contact of each group (LEAD-DECISIONS item 1) is
  found by one sort of the (group, rank) pairs and one comparison of each
  pair of neighbours, no bisection (ties on the start are walked past);
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
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Final, overload

import attrs

from resolutionpricing._decisions import (
    Decision,
    DecisionStatus,
    Reason,
    _units,
)
from resolutionpricing._interactions import Interaction
from resolutionpricing._money import ARITHMETIC
from resolutionpricing._rules import RecontactScope, ResolutionRule
from resolutionpricing._usage import Usage

__all__ = [
    "DecisionColumns",
    "Outcome",
    "Instants",
    "decide_columns",
    "first_overflows",
    "paused_gc",
    "usage_from_counts",
    "usages_of",
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


@attrs.frozen(eq=False)
class Outcome:
    """What a decision says besides who and which re-contacts: shared by many contacts.

    Compared and hashed by identity: a run counts contacts per outcome
    object, and a value hash (two decimals, a tuple of enums) per contact
    would cost more than the rest of the tally.
    """

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
    """(entry, rank, first re-contact's rank) for every entry whose first later contact is in its window.

    ``packed`` lays each group out in rank order, so an entry's first later
    contact is usually the next entry of its group: one comparison a pair of
    neighbours, in one comprehension. Only when the neighbour starts at the
    same instant (a tie, rare) is the group scanned on to the next start.
    """
    groups = [member // span for member in packed]
    ranks = [member % span for member in packed]
    entry_starts = list(map(starts.__getitem__, ranks))
    closes = [ends[rank] + window for rank in ranks]
    near = [
        entry
        for entry, (group, following, closing, start) in enumerate(
            zip(groups, groups[1:], closes, entry_starts[1:], strict=False)
        )
        if group == following and start <= closing
    ]
    hits: list[tuple[int, int, int]] = []
    last = len(packed)
    for entry in near:
        later = entry + 1
        start = entry_starts[entry]
        if entry_starts[later] == start:  # a tie: the first re-contact starts later still
            group = groups[entry]
            while later < last and groups[later] == group and entry_starts[later] == start:
                later += 1
            if later == last or groups[later] != group or entry_starts[later] > closes[entry]:
                continue
        hits.append((groups[entry], ranks[entry], ranks[later]))
    return hits


class Instants:
    """Each row's ``started_at`` and ``ended_at`` (and ``logged_at``) as microseconds, computed once.

    The conversion from an aware datetime costs about a microsecond a field;
    the run needs these instants three times (``as_of``'s default, the
    decisions, the periods), so it computes them once a row, here.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from resolutionpricing import Interaction
        >>> at = datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
        >>> row = Interaction(id="c1", customer_id="u1", channel="chat", started_at=at, ended_at=at, topics=["billing"])
        >>> instants = Instants([row])
        >>> instants.starts, instants.ends, instants.logged, instants.latest()
        ([1000000], [1000000], None, 1000000)
    """

    __slots__ = ("ends", "logged", "starts")

    def __init__(self, rows: Sequence[Interaction]) -> None:
        epoch, unit = _EPOCH, _MICROSECOND
        self.starts: list[int] = [(moment - epoch) // unit for moment in map(_STARTED, rows)]
        self.ends: list[int] = [(moment - epoch) // unit for moment in map(_ENDED, rows)]
        logged = list(map(_LOGGED, rows))
        # None when no row has logged_at (the usual log): nothing to filter.
        # A row without one was there all along: as if logged when it started.
        self.logged: list[int] | None = None
        if logged.count(None) != len(logged):
            self.logged = [
                start if moment is None else (moment - epoch) // unit
                for moment, start in zip(logged, self.starts, strict=True)
            ]

    def latest(self) -> int | None:
        """The latest ``started_at``, ``ended_at`` or ``logged_at``: ``as_of``'s default."""
        if not self.starts:
            return None
        latest = max(max(self.starts), max(self.ends))  # noqa: PLW3301 -- no copy of two lists
        return latest if self.logged is None else max(latest, max(self.logged))  # noqa: PLW3301


_STARTED: Final = attrgetter("started_at")
_ENDED: Final = attrgetter("ended_at")
_LOGGED: Final = attrgetter("logged_at")


def decide_columns(  # noqa: PLR0917 -- one account's rows, their instants, the cutoff, the output
    rule: ResolutionRule,
    rows: list[Interaction],
    instants: Instants,
    cutoff: int,
    place: Callable[[list[int]], list[str | None]],
    into: DecisionColumns,
) -> tuple[range, list[int], list[int]]:
    """Decide one account's rows as `decide` would, appending them to ``into`` in canonical order.

    ``cutoff`` is ``as_of`` in microseconds: rows that start, or were logged,
    after it are not known. ``place`` gives the period label of each
    ``ended_at`` (microseconds). Returns the positions of ``into`` the
    account's decisions took, and their starts and ends in that order.
    """
    starts = instants.starts
    if instants.logged is not None:
        # A row logged after the cutoff is not known: as if it started after it.
        beyond = cutoff + 1
        starts = [
            beyond if logged > cutoff else start
            for start, logged in zip(starts, instants.logged, strict=True)
        ]
    order = _start_order(rows, starts, cutoff)
    known = [rows[row] for row in order]
    starts = [starts[row] for row in order]
    ends = list(map(instants.ends.__getitem__, order))
    window = rule.recontact_window // _MICROSECOND
    voided, first = _voided(rule, known, starts, ends, window)
    base = len(into.rows)
    keys = _outcome_keys(rule, known, ends, cutoff - window)
    for rank, topics in voided.items():
        into.voided[base + rank] = frozenset(topics)
        into.recontacted_by[base + rank] = tuple(known[other].id for other in sorted(first[rank]))
        escalated, confirmed, low, resolved, _, total, _, window_open = keys[rank]
        left = len(known[rank].resolved_topics - topics)
        keys[rank] = (escalated, confirmed, low, resolved, left, total, True, window_open)
    made = _Judge(rule).outcomes(keys)
    into.outcomes.extend(map(made.__getitem__, keys))
    into.rows.extend(known)
    into.periods.extend(place(ends))
    return range(base, len(into.rows)), starts, ends


def _start_order(rows: list[Interaction], starts: list[int], cutoff: int) -> list[int]:
    """The rows starting by ``cutoff`` in (``started_at``, ``id``) order: one account's canonical order."""
    order = sorted(
        (row for row, start in enumerate(starts) if start <= cutoff), key=starts.__getitem__
    )
    ordered = list(map(starts.__getitem__, order))
    # Ties on the start are few: sort each run of them by id.
    ties = [
        position for position in range(1, len(order)) if ordered[position] == ordered[position - 1]
    ]
    run_end = 0
    for position in ties:
        if position < run_end:
            continue
        run_start, run_end = position - 1, position + 1
        while run_end < len(order) and ordered[run_end] == ordered[run_start]:
            run_end += 1
        order[run_start:run_end] = sorted(order[run_start:run_end], key=lambda row: rows[row].id)
    return order


def _voided(
    rule: ResolutionRule,
    known: list[Interaction],
    starts: list[int],
    ends: list[int],
    window: int,
) -> tuple[dict[int, set[str]], dict[int, set[int]]]:
    """The topics each re-contacted contact lost, and the ranks of their first re-contacts."""
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
    return voided, first


_Key = tuple[bool, bool | None, bool, int, int, int, bool, bool]


def _outcome_keys(
    rule: ResolutionRule, known: list[Interaction], ends: list[int], opened_after: int
) -> list[_Key]:
    """Each contact's outcome key as if nothing re-contacted it (see `_Judge`)."""
    bar = rule.min_csat
    if bar is None:
        return [
            (
                row.escalated,
                row.confirmed,
                False,
                resolved := len(row.resolved_topics),
                resolved,
                len(row.topics),
                False,
                opened_after < end,
            )
            for row, end in zip(known, ends, strict=True)
        ]
    return [
        (
            row.escalated,
            row.confirmed,
            (csat := row.csat) is not None and csat < bar,
            resolved := len(row.resolved_topics),
            resolved,
            len(row.topics),
            False,
            opened_after < end,
        )
        for row, end in zip(known, ends, strict=True)
    ]


class _Judge:
    """The outcome of a contact from its key, each distinct one made once (a log has a handful).

    The key is (escalated, confirmed, low CSAT, resolved topics, resolved
    topics left, topics, re-contacted, window open): all that `_decisions`'
    judge looks at.
    """

    def __init__(self, rule: ResolutionRule) -> None:
        self.rule = rule
        self.seen: dict[_Key, Outcome] = {}

    def of(
        self,
        judged: tuple[bool, bool | None, bool, int, int],
        resolved: frozenset[str],
        voided: set[str] | None,
        window_open: bool,
    ) -> Outcome:
        """The outcome of a held contact: its key without re-contacts, and what they voided."""
        escalated, confirmed, low, count, total = judged
        left = len(resolved - voided) if voided else count
        key = (escalated, confirmed, low, count, left, total, bool(voided), window_open)
        outcome = self.seen.get(key)
        if outcome is None:
            outcome = self.seen[key] = self._outcome(key)
        return outcome

    def outcomes(self, keys: Iterable[_Key]) -> dict[_Key, Outcome]:
        """The outcome of each distinct key."""
        return {key: self._outcome(key) for key in set(keys)}

    def _outcome(self, key: _Key) -> Outcome:
        """`_decisions._Judge`'s logic, on the key's values."""
        escalated, confirmed, low, resolved, left, total, voided, window_open = key
        rule = self.rule
        reasons: list[Reason] = []
        if escalated and rule.exclude_escalated:
            reasons.append(Reason.ESCALATED)
        if confirmed is False:
            reasons.append(Reason.NEGATIVE_FEEDBACK)
        elif confirmed is None and rule.require_confirmation:
            reasons.append(Reason.UNCONFIRMED)
        if low:
            reasons.append(Reason.LOW_CSAT)
        if not resolved:
            reasons.append(Reason.UNRESOLVED)
        units = _ZERO if reasons or not left else _units(rule.partial, left, total)
        if voided:
            reasons.append(Reason.RECONTACTED)
        if 0 < left < total:
            reasons.append(Reason.PARTIAL)
        if not units:
            return Outcome(DecisionStatus.NOT_BILLABLE, _ZERO, _ZERO, tuple(reasons))
        if window_open:
            reasons.append(Reason.WINDOW_OPEN)
            return Outcome(DecisionStatus.PENDING, _ZERO, units, tuple(reasons))
        return Outcome(DecisionStatus.BILLABLE, units, units, tuple(reasons))


def usages_of(
    columns: DecisionColumns, positions: range, *, provisional: bool = False
) -> dict[str | None, Usage]:
    """Each period's `Usage` (None: outside every billed period), tallied as a count per outcome.

    What `Usage.from_decisions` gives one by one: one count of (period,
    outcome, escalated) over the positions, then a sum per distinct outcome.
    """
    window = slice(positions.start, positions.stop)
    counted = Counter(
        zip(
            columns.periods[window],
            columns.outcomes[window],
            map(_ESCALATED, columns.rows[window]),
            strict=True,
        )
    )
    by_period: dict[str | None, tuple[dict[Outcome, int], list[int]]] = {}
    for (label, outcome, escalated), count in counted.items():
        counts, totals = by_period.setdefault(label, ({}, [0, 0]))
        counts[outcome] = counts.get(outcome, 0) + count
        totals[0] += count
        totals[1] += count if escalated else 0
    return {
        label: usage_from_counts(counts, contacts, escalated, provisional=provisional)
        for label, (counts, (contacts, escalated)) in by_period.items()
    }


_ESCALATED: Final = attrgetter("escalated")


def usage_from_counts(
    counts: dict[Outcome, int], contacts: int, escalated: int, *, provisional: bool = False
) -> Usage:
    """The `Usage` of a count per outcome: what `Usage.from_decisions` gives, one by one.

    With ``provisional`` (``[billing] pending = "bill_provisionally"``),
    pending contacts add their provisional units, as `Usage.from_decisions`.
    """
    units = _ZERO
    statuses = dict.fromkeys(DecisionStatus, 0)
    reasons: dict[str, int] = {}
    with decimal.localcontext(ARITHMETIC):
        for outcome, count in counts.items():
            statuses[outcome.status] += count
            if outcome.status is DecisionStatus.BILLABLE:
                # count * units is the sum of count equal terms, exactly.
                units += outcome.units * count
            elif provisional and outcome.status is DecisionStatus.PENDING:
                units += outcome.provisional_units * count
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


def first_overflows(
    columns: DecisionColumns,
    positions: range,
    starts: list[int],
    ends: list[int],
    limit: Decimal,
    *,
    provisional: bool = False,
) -> dict[str, str]:
    """Per period, the id of the first contact whose units take the period past a pause cap's ``limit``.

    Only the contacts that bill (and, with ``provisional``, the pending) are
    put in chronological order, (``ended_at``, ``started_at``, ``id``), the
    order in which the last units to end overflow. ``starts`` and ``ends``
    are the instants of the positions, in their order.
    """
    base = positions.start
    rows, periods, outcomes = columns.rows, columns.periods, columns.outcomes
    counted = (
        {DecisionStatus.BILLABLE, DecisionStatus.PENDING}
        if provisional
        else {DecisionStatus.BILLABLE}
    )
    billing: dict[str, list[int]] = {}
    for rank, (label, outcome) in enumerate(
        zip(periods[base : positions.stop], outcomes[base : positions.stop], strict=True)
    ):
        if label is not None and outcome.status in counted:
            billing.setdefault(label, []).append(rank)
    found: dict[str, str] = {}
    for label, ranks in billing.items():
        ranks.sort(key=lambda rank: (ends[rank], starts[rank], rows[base + rank].id))
        billed = ARITHMETIC.create_decimal(0)
        for rank in ranks:
            outcome = outcomes[base + rank]
            billed = ARITHMETIC.add(billed, outcome.provisional_units)
            if billed > limit:
                found[label] = rows[base + rank].id
                break
    return found
