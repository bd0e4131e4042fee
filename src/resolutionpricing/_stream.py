"""Streaming: ``bill(..., sorted_by_start=True)`` over a log sorted by its start.

The log is read once, in order, and only the contacts whose re-contact windows
are still open are held, so memory depends on the contacts per window, not
on the size of the log. The decisions are those of `decide`; what differs:

- Order. Rows must come sorted by (``started_at``, account, ``id``), rows
  without an account before those with one at the same instant (the order of
  ``examples/generate_interactions.py``). A row out of order is an
  `InteractionLogError` naming its position (``interactions[n]``), never a
  wrong decision; nothing is priced.
- Ids. Uniqueness within an account is checked among the contacts held (those
  whose window is open), not across the whole log: an id repeated weeks apart
  is not seen. In sorted order two rows with one id at one instant are always
  caught (the order must be strict).
- ``as_of``. When given, contacts that start after it are read (for their
  order and the unbilled counts) but not decided. When not, it is taken at
  the end: the latest timestamp of the whole log, as `bill` does; contacts
  whose window has not closed before the last row are held until then.
- Decisions. They are tallied into usage as they are made and not kept:
  ``BillingRun.decisions`` is empty for a streamed run. Invoices are those of
  the reference engine, a pilot's units and per-channel units included: the
  tally counts contacts per (period, outcome, in the pilot or not, priced
  channel), a handful of keys whatever the size of the log.

How. Each contact waits, in each of its groups (the customer, and the
conversation, channel or topic the scope asks for), for the first contact of
the group that starts later (the lead's decision 1); it is decided once a row
starts after its window ends (or at the end of the log). Contacts are decided
in (``ended_at``, ``started_at``, ``id``) order, so the pause cap's running sum
needs no sort.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Final, cast

import attrs

from resolutionpricing._caps import PauseCap
from resolutionpricing._contract_year import Balances, price_series, series
from resolutionpricing._decisions import Decision, DecisionStatus, _check_as_of
from resolutionpricing._engine import Outcome, _Judge
from resolutionpricing._errors import InteractionLogError, InvalidTypeError, InvalidValueError
from resolutionpricing._interactions import Interaction
from resolutionpricing._money import ARITHMETIC
from resolutionpricing._rules import RecontactScope, ResolutionRule
from resolutionpricing._usage import Usage

if TYPE_CHECKING:
    from resolutionpricing._billing import BillingRun
    from resolutionpricing._contract import Contract
    from resolutionpricing._invoice import Invoice
    from resolutionpricing._periods import BillingPeriod

__all__ = ["bill_sorted", "stream_decisions"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_NOTHING: Final[frozenset[str]] = frozenset()


class _Held:
    """A contact whose decision is not made yet: what its decision needs, and its re-contacts so far.

    Not the row: an `Interaction` with its times and texts is several times
    larger than this, and a window can hold tens of thousands of contacts.
    """

    __slots__ = (
        "account_id",
        "by",
        "channel",
        "end",
        "escalated",
        "groups",
        "id",
        "judged",
        "resolved",
        "start",
        "voided",
    )

    def __init__(
        self,
        row: Interaction,
        key: tuple[int, str, str],
        end: int,
        judged: tuple[bool, bool | None, bool, int, int],
        resolved: frozenset[str],
    ) -> None:
        self.id = row.id
        self.account_id = row.account_id
        self.channel = row.channel
        self.escalated = row.escalated
        self.resolved = resolved
        self.judged = judged  # (escalated, confirmed, low CSAT, resolved, topics): the judge's key
        self.start = key[0]
        self.end = end
        self.groups: tuple[Hashable, ...] = ()  # the groups it waits in (for its resolved topics)
        self.voided: set[str] | None = None
        self.by: dict[tuple[int, str, str], str] | None = None


def _sharing(rule: ResolutionRule) -> Callable[[Interaction], Hashable]:
    """What a re-contact must share with a contact, besides a topic: one getter, made once a rule."""
    fields = ["account_id", "customer_id"]
    if not rule.cross_channel:
        fields.append("channel")
    if rule.recontact_scope is RecontactScope.SAME_CONVERSATION:
        fields.append("conversation_id")
    return attrgetter(*fields)


def _groups(by_topic: bool, shared: Hashable, topics: Iterable[str]) -> list[Hashable]:
    """The groups a contact is in: ``(shared, topic)`` for each topic under ``same_topic``, else ``shared``."""
    if by_topic:
        return [(shared, topic) for topic in topics]
    return [shared]


def _out_of_order(position: int, problem: str) -> InteractionLogError:
    return InteractionLogError(
        "the log is not sorted by started_at",
        [
            InvalidValueError(
                f"interactions[{position}]",
                problem,
                "rows sorted by (started_at, account_id, id), each key once",
            )
        ],
    )


class _Scanner:
    """One rule's streaming decisions: rows in, (row, outcome, voided, recontacted_by) out."""

    def __init__(self, rule: ResolutionRule) -> None:
        self.rule = rule
        self.window = rule.recontact_window // _MICROSECOND
        self.judge = _Judge(rule)
        self.sharing = _sharing(rule)
        self.by_topic = rule.recontact_scope is RecontactScope.SAME_TOPIC
        self.bar = rule.min_csat
        self.waiting: dict[Hashable, tuple[int, list[_Held]]] = {}
        self.heap: list[tuple[int, int, str, str, _Held]] = []
        # Per account, the ids held and their rows' positions.
        self.open_ids: dict[str | None, dict[str, int]] = {}
        # A window holds tens of thousands of contacts and a handful of
        # distinct judge keys and resolved-topic sets: each is held once.
        self.shared: dict[object, object] = {}

    def add(self, row: Interaction, key: tuple[int, str, str], end: int, position: int) -> None:
        """Take one row (in canonical order): it re-contacts those waiting in its groups."""
        start = key[0]
        shared_key = self.sharing(row)
        topics, resolved = row.topics, row.resolved_topics
        groups = _groups(self.by_topic, shared_key, topics)
        waiting = self.waiting
        for group in groups:
            found = waiting.get(group)
            if found is not None and found[0] < start:
                del waiting[group]
                for held in found[1]:
                    if start <= held.end + self.window:
                        self._void(held, group, key, row.id)
        open_ids = self.open_ids.get(row.account_id)
        if open_ids is None:
            open_ids = self.open_ids[row.account_id] = {}
        if row.id in open_ids:
            raise _out_of_order(
                position,
                f"the id {row.id!r} appears again while row {open_ids[row.id]}'s window is open",
            )
        open_ids[row.id] = position
        bar = self.bar
        low = bar is not None and (csat := row.csat) is not None and csat < bar
        judged = (row.escalated, row.confirmed, low, len(resolved), len(topics))
        shared = self.shared.setdefault
        held = _Held(
            row,
            key,
            end,
            cast("tuple[bool, bool | None, bool, int, int]", shared(judged, judged)),
            cast("frozenset[str]", shared(resolved, resolved)),
        )
        if resolved:
            # Usually every topic is resolved: its groups are those just looked up.
            held.groups = tuple(
                groups if resolved == topics else _groups(self.by_topic, shared_key, resolved)
            )
            for group in held.groups:
                found = waiting.get(group)
                if found is None:
                    waiting[group] = (start, [held])
                else:
                    found[1].append(held)
        heapq.heappush(self.heap, (end, start, key[1], key[2], held))

    def _void(self, held: _Held, group: Hashable, key: tuple[int, str, str], by: str) -> None:
        resolved = held.resolved
        topics = {group[-1]} if self.by_topic else resolved  # type: ignore[index]
        if held.voided is None:
            held.voided, held.by = set(), {}
        held.voided.update(topics)
        assert held.by is not None  # noqa: S101 -- set with voided
        held.by[key] = by

    def ready(self, now: int | None, cutoff: int | None) -> Iterator[tuple[_Held, Outcome]]:
        """Decide the contacts whose window ended before ``now`` (all of them when None)."""
        heap = self.heap
        while heap and (now is None or heap[0][0] + self.window < now):
            held = heapq.heappop(heap)[-1]
            self._forget(held)
            window_open = cutoff is not None and cutoff < held.end + self.window
            if now is not None:
                window_open = False  # a row after the window's end: the cutoff is later
            yield held, self.judge.of(held.judged, held.resolved, held.voided, window_open)

    def _forget(self, held: _Held) -> None:
        del self.open_ids[held.account_id][held.id]
        for group in held.groups:
            found = self.waiting.get(group)
            if found is not None and held in found[1]:
                found[1].remove(held)
                if not found[1]:
                    del self.waiting[group]


def _decision(held: _Held, outcome: Outcome, period: str | None) -> Decision:
    by = held.by or {}
    return Decision(
        interaction_id=held.id,
        status=outcome.status,
        units=outcome.units,
        provisional_units=outcome.provisional_units,
        reasons=outcome.reasons,
        recontacted_by=tuple(by[key] for key in sorted(by)),
        voided_topics=frozenset(held.voided) if held.voided else _NOTHING,
        account_id=held.account_id,
        period=period,
    )


def _rows(log: Iterable[object]) -> Iterator[tuple[int, Interaction, tuple[int, str, str], int]]:
    """The rows with their canonical key and end, checked to be in order."""
    previous: tuple[int, str, str] | None = None
    for position, row in enumerate(log):
        if not isinstance(row, Interaction):
            raise InvalidTypeError(
                f"interactions[{position}]",
                f"{row!r} is a {type(row).__name__}",
                "Interaction objects",
            )
        start = (row.started_at - _EPOCH) // _MICROSECOND
        key = (start, row.account_id or "", row.id)  # no account sorts first
        if previous is not None and key <= previous:
            problem = (
                f"the id {row.id!r} repeats the previous row's, at the same start"
                if key == previous
                else f"{row.id!r} (started {row.started_at.isoformat()}) comes after a row it should precede"
            )
            raise _out_of_order(position, problem)
        previous = key
        yield position, row, key, (row.ended_at - _EPOCH) // _MICROSECOND


def stream_decisions(
    rule: ResolutionRule, log: Iterable[Interaction], *, as_of: datetime | None = None
) -> Iterator[Decision]:
    """The decisions of a sorted one-account log, in (ended, started, id) order (no period)."""
    cutoff = None if as_of is None else (_check_as_of(as_of) - _EPOCH) // _MICROSECOND
    scanner = _Scanner(rule)
    latest: int | None = None
    for position, row, key, end in _rows(log):
        if cutoff is not None and key[0] > cutoff:
            continue  # not known at as_of; the rest is still checked for order
        yield from (
            _decision(held, outcome, None) for held, outcome in scanner.ready(key[0], cutoff)
        )
        scanner.add(row, key, end, position)
        latest = max(key[0], end) if latest is None else max(latest, key[0], end)
    final = cutoff if cutoff is not None else latest
    yield from (_decision(held, outcome, None) for held, outcome in scanner.ready(None, final))


_Tally = tuple[Outcome, bool, str | None]
"""A tally's key: the decision's outcome, whether the contact ends in the pilot, its priced channel."""


class _Account:
    """One billed account's running tallies, per period.

    Contacts are counted per `_Tally`: the outcome, and the split that
    `_billing._split` makes (the pilot's days, as instants, first; then a
    channel with its own price). A contract without a pilot or channel
    prices has one key per outcome.
    """

    def __init__(self, contract: Contract, periods: list[BillingPeriod]) -> None:
        from resolutionpricing._billing import _PeriodFinder  # noqa: PLC0415 -- no import cycle
        from resolutionpricing._calculator import cap_of  # noqa: PLC0415

        self.contract = contract
        self.periods = periods
        self.place = _PeriodFinder(contract, periods).at
        self.scanner = _Scanner(contract.resolution)
        pause = cap_of(contract, PauseCap)
        self.pause = None if pause is None else pause.limit
        self.pilot = contract.pilot
        self.pilot_from = self.pilot_until = 0
        if self.pilot is not None:
            start, end = self.pilot.bounds(contract.timezone)
            self.pilot_from = (start - _EPOCH) // _MICROSECOND
            self.pilot_until = (end - _EPOCH) // _MICROSECOND
        self.channels = contract.channel_pricing
        self.counts: dict[str, dict[_Tally, int]] = {period.label: {} for period in periods}
        self.contacts = dict.fromkeys(self.counts, 0)
        self.escalated = dict.fromkeys(self.counts, 0)
        self.billed = {label: ARITHMETIC.create_decimal(0) for label in self.counts}
        self.overflow: dict[str, str | None] = dict.fromkeys(self.counts)

    def tally(self, decided: Iterator[tuple[_Held, Outcome]]) -> None:
        in_a_pilot, low, high = self.pilot is not None, self.pilot_from, self.pilot_until
        channels = self.channels
        for held, outcome in decided:
            end = held.end
            label = self.place(end)
            if label is None:
                continue
            in_pilot = in_a_pilot and low <= end < high
            channel = (
                held.channel if channels and not in_pilot and held.channel in channels else None
            )
            counts = self.counts[label]
            tally = (outcome, in_pilot, channel)
            counts[tally] = counts.get(tally, 0) + 1
            self.contacts[label] += 1
            self.escalated[label] += held.escalated
            if self.pause is not None and outcome.status is DecisionStatus.BILLABLE:
                billed = self.billed[label] = ARITHMETIC.add(self.billed[label], outcome.units)
                if billed > self.pause and self.overflow[label] is None:
                    self.overflow[label] = held.id

    def usage(self, label: str) -> Usage:
        """The period's usage, with its pilot and channel units as `_billing._split` gives them.

        Only billable units count: the sorted engine refuses provisional billing.
        """
        from resolutionpricing._engine import usage_from_counts  # noqa: PLC0415

        per_outcome: dict[Outcome, int] = {}
        zero = ARITHMETIC.create_decimal(0)
        pilot_units = zero
        by_channel = dict.fromkeys(self.channels, zero)
        for (outcome, in_pilot, channel), count in self.counts[label].items():
            per_outcome[outcome] = per_outcome.get(outcome, 0) + count
            if outcome.status is not DecisionStatus.BILLABLE:
                continue
            units = ARITHMETIC.multiply(outcome.units, count)  # count equal terms, exactly
            if in_pilot:
                pilot_units = ARITHMETIC.add(pilot_units, units)
            elif channel is not None:
                by_channel[channel] = ARITHMETIC.add(by_channel[channel], units)
        usage = usage_from_counts(per_outcome, self.contacts[label], self.escalated[label])
        if self.pilot is None and not self.channels:
            return usage
        return attrs.evolve(
            usage,
            pilot_units=None if self.pilot is None else pilot_units,
            channel_units=by_channel if self.channels else None,
        )


def bill_sorted(
    contracts: list[Contract],
    log: Iterable[Interaction],
    requested: tuple[BillingPeriod, ...],
    *,
    as_of: datetime | None,
    openings: Mapping[str | None, Balances] | None = None,
) -> BillingRun:
    """`bill` in one pass over a log sorted by start (see the module's documentation)."""
    from resolutionpricing._billing import (  # noqa: PLC0415 -- no import cycle
        BillingRun,
        _account_order,
        _contract_periods,
        _final,
        _shown_as_of,
    )
    from resolutionpricing._calculator import price_period  # noqa: PLC0415
    from resolutionpricing._decisions import check_log  # noqa: PLC0415

    check_log(log)
    cutoff = None if as_of is None else (_check_as_of(as_of) - _EPOCH) // _MICROSECOND
    openings = openings or {}
    accounts = {
        contract.account_id: _Account(
            contract,
            series(
                contract,
                _contract_periods(contract, requested),
                opening=openings.get(contract.account_id),
            ),
        )
        for contract in contracts
    }
    unbilled: dict[str | None, int] = {}
    latest: int | None = None
    for position, row, key, end in _rows(log):
        latest = max(key[0], end) if latest is None else max(latest, key[0], end)
        account = accounts.get(row.account_id)
        if account is None:
            unbilled[row.account_id] = unbilled.get(row.account_id, 0) + 1
            continue
        if cutoff is not None and key[0] > cutoff:
            continue  # not known at as_of; the rest is still checked for order
        account.tally(account.scanner.ready(key[0], cutoff))
        account.scanner.add(row, key, end, position)
    final = cutoff if cutoff is not None else latest
    known_at = None if final is None else _EPOCH + final * _MICROSECOND
    invoices: list[Invoice] = []
    for account_id in sorted(accounts, key=_account_order):
        account = accounts[account_id]
        account.tally(account.scanner.ready(None, final))

        def priced(
            period: BillingPeriod, balances: Balances | None, account: _Account = account
        ) -> Invoice:
            usage = account.usage(period.label)
            return price_period(
                account.contract,
                period,
                usage=usage,
                final=_final(account.contract, period, usage, known_at),
                as_of=_shown_as_of(account.contract, known_at),
                overflow_from=account.overflow[period.label],
                account_id=account.contract.account_id,
                balances_before=balances,
            )

        by_label = price_series(
            account.contract,
            account.periods,
            priced,
            opening=openings.get(account_id),
        )
        requested_labels = {period.label for period in requested}
        invoices.extend(invoice for label, invoice in by_label.items() if label in requested_labels)
    return BillingRun(
        invoices=invoices,
        decisions=(),
        unbilled=dict(sorted(unbilled.items(), key=lambda item: _account_order(item[0]))),
    )
