"""The columnar engine behind `bill`: the rule of `decide`, on integers, held as columns.

`decide` (in `_decisions`) is the reference: it builds one `Decision` per
contact and finds each re-contact by bisection. This engine gives the same
decisions (tests/test_engines.py checks it on random logs) at a fraction of
the cost, for the bulk path of `bill`:

- instants are whole microseconds since the epoch, computed once a row
  (`Instants`), and shared by the default ``as_of``, the decisions and the
  periods;
- the first later-starting contact of each group (LEAD-DECISIONS item 1) is
  found by one stable sort of the ranks by group (customer, and channel or
  conversation as the rule asks) and one comparison of each pair of
  neighbours: only a contact whose next contact starts within its window can
  be re-contacted. Under ``same_topic`` the next contacts of those few are
  walked for their topics; a walk past `_WALK` steps bisects an index of the
  group's topics instead, so the worst log stays n log n. Ties on the start
  are walked past;
- a log already in canonical order (start, then id), with every row known,
  is not copied;
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
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise, repeat
from operator import attrgetter, eq, lt
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


def _group_order(rule: ResolutionRule, known: list[Interaction]) -> tuple[list[int], list[int]]:
    """The ranks laid out group by group, each group in rank order; and each entry's group.

    A group is what a re-contact must share with a contact (the customer,
    and the channel or conversation the rule asks for). Topics are not part
    of it: under ``same_topic`` a contact's later contacts are walked for
    its topics (see `_Walk`).
    """
    keys: dict[Hashable, int] = {}
    key = keys.setdefault
    groups = [key(shared, len(keys)) for shared in map(_shared(rule), known)]
    # A stable sort by group keeps each group in rank order.
    ranks = sorted(range(len(known)), key=groups.__getitem__)
    return ranks, list(map(groups.__getitem__, ranks))


def _near(
    ranks: list[int], groups: list[int], starts: list[int], ends: list[int], window: int
) -> list[int]:
    """The entries whose next entry in their group starts within their window.

    Only those can be re-contacted: every later contact of the group starts
    later still. One comparison a pair of neighbours, in one comprehension.
    """
    following = list(map(starts.__getitem__, ranks[1:]))
    finishing = list(map(ends.__getitem__, ranks))
    return [
        entry
        for entry, (group, after, end, start) in enumerate(
            zip(groups, groups[1:], finishing, following, strict=False)
        )
        if group == after and start - end <= window
    ]


_WALK: Final = 32  # later contacts walked for a contact's topics before an index is built


class _Walk:
    """The first later contact of an entry's group, per topic: a short walk, or a bisection.

    A contact's later contacts in its group are walked in rank order (start
    order) while they start within its window, until each resolved topic has
    found its first later contact carrying it. A walk is almost always one or
    two steps; past `_WALK` steps (many contacts of one customer inside one
    window, none with the topic) the group gets an index of its topics, built
    once, and the rest is one bisection per topic: n log n whatever the log.
    """

    def __init__(
        self, known: list[Interaction], ranks: list[int], groups: list[int], starts: list[int]
    ) -> None:
        self.known, self.ranks, self.groups, self.starts = known, ranks, groups, starts
        self.indexes: dict[int, dict[str, tuple[list[int], list[int]]]] = {}

    def first_later(self, entry: int, topics: frozenset[str], closing: int) -> dict[str, int]:
        """Each of ``topics`` mapped to the rank of its first later contact starting by ``closing``."""
        known, ranks, groups, starts = self.known, self.ranks, self.groups, self.starts
        rank = ranks[entry]
        group, start = groups[entry], starts[rank]
        wanted = set(topics)
        found: dict[str, int] = {}
        later, last, steps = entry + 1, len(ranks), 0
        while wanted and later < last and groups[later] == group:
            other = ranks[later]
            begins = starts[other]
            if begins > closing:
                return found
            if begins > start:
                for topic in wanted & known[other].topics:
                    found[topic] = other
                wanted -= found.keys()
            later += 1
            steps += 1
            if steps == _WALK and wanted:
                for topic in wanted:
                    first = self._bisect(entry, topic, start)
                    if first is not None and starts[first] <= closing:
                        found[topic] = first
                return found
        return found

    def _bisect(self, entry: int, topic: str, start: int) -> int | None:
        """The rank of the first contact of ``entry``'s group with ``topic`` starting after ``start``."""
        group = self.groups[entry]
        index = self.indexes.get(group)
        if index is None:
            index = self.indexes[group] = self._index(entry)
        found = index.get(topic)
        if found is None:
            return None
        topic_starts, topic_ranks = found
        low = bisect_right(topic_starts, start)
        return topic_ranks[low] if low < len(topic_ranks) else None

    def _index(self, entry: int) -> dict[str, tuple[list[int], list[int]]]:
        """Each topic of ``entry``'s group: its contacts' starts and ranks, in rank order."""
        group, groups = self.groups[entry], self.groups
        first = entry
        while first > 0 and groups[first - 1] == group:
            first -= 1
        index: dict[str, tuple[list[int], list[int]]] = {}
        at = first
        while at < len(groups) and groups[at] == group:
            rank = self.ranks[at]
            for topic in self.known[rank].topics:
                topic_starts, topic_ranks = index.setdefault(topic, ([], []))
                topic_starts.append(self.starts[rank])
                topic_ranks.append(rank)
            at += 1
        return index


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

    __slots__ = ("ends", "ids_checked", "logged", "starts")

    def __init__(self, rows: Sequence[Interaction]) -> None:
        epoch, unit = _EPOCH, _MICROSECOND
        self.ids_checked = False  # rows from anywhere: the run checks their ids
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

    @classmethod
    def of(
        cls,
        starts: list[int],
        ends: list[int],
        logged: list[int] | None,
        *,
        ids_checked: bool = False,
    ) -> Instants:
        """The instants a reader computed (`read_interactions`), one entry a row, as `Instants` holds them.

        ``ids_checked``: the reader has refused a repeated id within an
        account, so the run need not look again.
        """
        made = cls.__new__(cls)
        made.starts, made.ends, made.logged = starts, ends, logged
        made.ids_checked = ids_checked
        return made

    def gather(self, positions: list[int]) -> Instants:
        """The instants of the rows at ``positions``, in that order."""
        logged = None if self.logged is None else list(map(self.logged.__getitem__, positions))
        return Instants.of(
            list(map(self.starts.__getitem__, positions)),
            list(map(self.ends.__getitem__, positions)),
            logged,
            ids_checked=self.ids_checked,
        )

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
    ends = instants.ends
    known = rows
    if len(order) != len(rows) or not all(map(eq, order, range(len(order)))):
        # Not the usual log, written in start order with every row known: reorder.
        known = list(map(rows.__getitem__, order))
        starts = list(map(starts.__getitem__, order))
        ends = list(map(ends.__getitem__, order))
    window = rule.recontact_window // _MICROSECOND
    voided, first = _voided(rule, known, starts, ends, window)
    base = len(into.rows)
    keys = _outcome_keys(rule, known, ends, cutoff - window)
    for rank, topics in voided.items():
        into.voided[base + rank] = frozenset(topics)
        later = first[rank]
        into.recontacted_by[base + rank] = (
            (known[later.pop()].id,)  # the usual: one first re-contact for every topic
            if len(later) == 1
            else tuple(known[other].id for other in sorted(later))
        )
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
    if max(starts, default=cutoff) <= cutoff:  # every row is known (as_of's default)
        order = sorted(range(len(starts)), key=starts.__getitem__)
    else:
        order = sorted(
            [row for row, start in enumerate(starts) if start <= cutoff], key=starts.__getitem__
        )
    ordered = list(map(starts.__getitem__, order))
    # Ties on the start are a few in a hundred: sort each run of them by id.
    ties = [
        position for position, (before, start) in enumerate(pairwise(ordered), 1) if start == before
    ]
    run_end = 0
    for position in ties:
        if position < run_end:
            continue
        run_start, run_end = position - 1, position + 1
        while run_end < len(order) and ordered[run_end] == ordered[run_start]:
            run_end += 1
        if run_end - run_start == 2:  # the usual tie: two rows
            first, second = order[run_start], order[position]
            if rows[second].id < rows[first].id:
                order[run_start], order[position] = second, first
        else:
            order[run_start:run_end] = sorted(
                order[run_start:run_end], key=lambda row: rows[row].id
            )
    return order


def _voided(
    rule: ResolutionRule,
    known: list[Interaction],
    starts: list[int],
    ends: list[int],
    window: int,
) -> tuple[dict[int, set[str]], dict[int, set[int]]]:
    """The topics each re-contacted contact lost, and the ranks of their first re-contacts."""
    ranks, groups = _group_order(rule, known)
    by_topic = rule.recontact_scope is RecontactScope.SAME_TOPIC
    walk = _Walk(known, ranks, groups, starts)
    voided: dict[int, set[str]] = {}
    first: dict[int, set[int]] = {}
    last = len(ranks)
    past_ties: dict[int, int] = {}  # an entry inside a run of ties -> the entry after the run
    for entry in _near(ranks, groups, starts, ends, window):
        rank = ranks[entry]
        resolved = known[rank].resolved_topics
        if not resolved:
            continue  # nothing resolved, nothing a re-contact could void
        closing = ends[rank] + window
        if by_topic:
            after = ranks[entry + 1]  # the usual case: the next contact has every topic
            if starts[after] > starts[rank] and resolved <= known[after].topics:
                voided[rank], first[rank] = set(resolved), {after}
                continue
            found = walk.first_later(entry, resolved, closing)
            if found:
                voided[rank] = set(found)
                first[rank] = set(found.values())
            continue
        later, start = entry + 1, starts[rank]
        group = groups[entry]
        # A tie on the start is no re-contact: the first one starts later
        # still. Each run of ties is walked once, however many contacts it has.
        if later in past_ties:
            later = past_ties[later]
        elif later < last and groups[later] == group and starts[ranks[later]] == start:
            run = later
            while later < last and groups[later] == group and starts[ranks[later]] == start:
                later += 1
            past_ties.update(dict.fromkeys(range(run, later), later))
        if later < last and groups[later] == group and starts[ranks[later]] <= closing:
            voided[rank] = set(resolved)
            first[rank] = {ranks[later]}
    return voided, first


_Key = tuple[bool, bool | None, bool, int, int, int, bool, bool]


def _outcome_keys(
    rule: ResolutionRule, known: list[Interaction], ends: list[int], opened_after: int
) -> list[_Key]:
    """Each contact's outcome key as if nothing re-contacted it (see `_Judge`).

    Built column by column with `map` and `zip`, no bytecode a row: a CSAT
    below the bar is looked up once per distinct score.
    """
    bar = rule.min_csat
    scores = list(map(_CSAT, known))
    low = {score: score is not None and bar is not None and score < bar for score in set(scores)}
    resolved = list(map(len, map(_RESOLVED, known)))
    return list(
        zip(
            map(_ESCALATED, known),
            map(_CONFIRMED, known),
            map(low.__getitem__, scores),
            resolved,
            resolved,
            map(len, map(_TOPICS, known)),
            repeat(False),  # noqa: FBT003 -- re-contacted: not yet
            map(lt, repeat(opened_after), ends),
            strict=False,  # repeat() is endless: known and ends set the length
        )
    )


_CSAT: Final = attrgetter("csat")
_RESOLVED: Final = attrgetter("resolved_topics")
_TOPICS: Final = attrgetter("topics")
_CONFIRMED: Final = attrgetter("confirmed")


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
