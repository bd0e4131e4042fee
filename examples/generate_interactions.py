"""Generate a seeded, realistic log of AI customer-service contacts as CSV.

The log is for the example contract: a Gulf telecom whose billing periods run
on Dubai time (UTC+04:00, no daylight saving). By default it covers
2026-10-01T00:00+04:00 up to (not including) 2026-11-15T00:00+04:00, so the
October billing month is followed by two weeks of November: far more than the
48 h re-contact window, so late re-contacts that void October resolutions are
in the file.

Run it as a script::

    python examples/generate_interactions.py --out examples/interactions.csv
    python examples/generate_interactions.py --out big.csv --contacts 1000000
    python examples/generate_interactions.py --out examples/accounts/interactions.csv \
        --accounts 3 --contacts 6000

With ``--accounts N`` (N > 1) the log holds N accounts (``acct-1``...): each
is a log of its own, seeded ``seed + index``, with its share of the contacts
and customers, and an ``account_id`` column after ``id``. Ids are unique per
account (every account starts at ``c0000001``); rows are sorted by
``started_at``, then account, then id. With one account (the default) the
file is exactly what it was before the option existed.

The same arguments always give the same file, byte for byte: every random
choice comes from one ``random.Random(seed)``, nothing reads the clock, and
no set of strings is ever iterated (their order changes between runs).

Columns: ``id, customer_id, conversation_id, channel, started_at, ended_at,
topics, resolved_topics, escalated, confirmed, csat, region``. Topics are
separated by ``;`` (the main issue first, resolved topics in the same order);
booleans are ``true``/``false``; ``confirmed`` and ``csat`` are empty when the
customer said nothing; timestamps are UTC with a ``Z`` and whole seconds;
``region`` is an extra attribute. Rows are sorted by ``started_at``, then
``id``; ids (``c0000001``...) are numbered in that order, so they are unique
and sort the same way.

The model:

* **Volume.** ``--contacts`` is exact: the range is cut into one-hour
  buckets, and the contacts are shared out among them at random, weighted by
  a daily rhythm in local time (the UTC offset of ``--start``: quiet from 01:00
  to 06:00, peaks late morning and around 20:00), a lighter weekend (Saturday,
  Sunday: x0.85), and the bill run (1st-3rd of each month: x1.15, with billing
  and payment_failure questions twice as common). Re-contacts scheduled into
  an hour take the place of new issues there, so that the total comes out
  exact while the shape stays.
* **Incident.** A network outage from 2026-10-31T22:00Z to 2026-11-01T01:00Z
  (02:00-05:00 on 1 November in Dubai, still 31 October in UTC) adds a
  surge of network_outage contacts. This puts contacts at 23:30 UTC on
  31 October, which belong to November's invoice in Dubai time. Incidents
  outside the range are ignored.
* **Customers.** A customer base of ``--customers`` (default: one per 3.25
  contacts, so 6,000 for the default 19,500 contacts), each with a region
  (UAE 70 %, KSA 20 %, Oman 10 %), a usual channel, and a log-normal activity
  weight: new issues are drawn by that weight, so some customers write often,
  most a few times, and some (about one in five) never.
* **Channels.** chat 45 %, whatsapp 30 %, email 15 %, voice 10 %; a customer
  uses their usual channel 60 % of the time.
* **Topics.** Ten telecom issues with their own shares, chance to need a
  human, and chance that the AI solves them (password_reset is easy; refund
  and porting are hard). A contact raises 1 topic (80 %), 2 (15 %) or 3 (5 %).
* **Escalation.** Each topic may bring in a human; more topics, voice, and
  coming back about an unsolved issue make it likelier. About 25 % of
  contacts are escalated. Escalated contacts mostly have no resolved topic
  (about 85 %): 65 % are handed over with nothing solved, in the others each
  topic has a 35 % chance to have been solved by the AI before the hand-over.
* **Partial resolution.** Without a human, each topic is solved on its own
  chance, so a multi-issue contact can be partly solved.
* **Feedback.** ``confirmed`` is true for about 30 % of contacts, false for
  about 5 %, empty otherwise; it leans on the outcome. A CSAT score is left
  on about 40 % of contacts, mostly 4-5, with 1-3 mostly after bad outcomes.
* **Durations.** Log-normal by channel: voice about 5 min, chat 7 min,
  whatsapp 12 min (clamped to 1 min-1 h), email about 1.5 h (10 min-6 h);
  longer with more topics or an escalation. ``ended_at`` is the AI's last
  answer and is never before ``started_at``.
* **Re-contacts.** After each contact the customer may come back: about the
  same topic within minutes (2-90 min after the end), about the same topic
  30-47 h after the start (inside a 48 h window), about the same topic
  55-100 h after the end (outside it), or about a different topic 1-120 h
  later. A same-topic return is about a topic left unsolved if there is one.
  Unsolved contacts come back far more often (27 % against 8 % for solved
  ones, 11 % for escalated ones), and a return about an unsolved issue is
  1.5 times as likely to be escalated. Some re-contacts continue the same
  conversation (``conversation_id`` reused, same channel): 55 % of those
  within minutes, 15 % inside the window, 5 % after it, 10 % of those about
  another topic. Re-contacts can be followed up in turn, up to three deep,
  each level half as likely. Re-contacts that would start after ``--end``
  are not written, and none are scheduled during the last hour of the range
  (to keep the count exact).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import heapq
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = [
    "COLUMNS",
    "DEFAULT_CONTACTS",
    "DEFAULT_END",
    "DEFAULT_START",
    "GeneratorConfig",
    "account_ids",
    "generate_rows",
    "main",
    "write_csv",
]

COLUMNS = (
    "id",
    "customer_id",
    "conversation_id",
    "channel",
    "started_at",
    "ended_at",
    "topics",
    "resolved_topics",
    "escalated",
    "confirmed",
    "csat",
    "region",
)
DEFAULT_SEED = 2026
DEFAULT_CONTACTS = 19_500
CONTACTS_PER_CUSTOMER = 3.25  # 19,500 contacts -> 6,000 customers
DEFAULT_START = "2026-10-01T00:00:00+04:00"
DEFAULT_END = "2026-11-15T00:00:00+04:00"
_DEFAULT_START_AT = datetime.fromisoformat(DEFAULT_START)
_DEFAULT_END_AT = datetime.fromisoformat(DEFAULT_END)

HOUR = 3600
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

CHANNELS = ("chat", "whatsapp", "email", "voice")
CHANNEL_SHARES = (45.0, 30.0, 15.0, 10.0)
USUAL_CHANNEL_SHARE = 0.6
# (median seconds, shortest, longest) of the time from first message to the AI's last answer.
DURATIONS = {
    "chat": (7 * 60, 60, HOUR),
    "whatsapp": (12 * 60, 60, HOUR),
    "email": (90 * 60, 10 * 60, 6 * HOUR),
    "voice": (5 * 60, 60, HOUR),
}
# Voice callers ask for a human more readily; email writers wait for the answer.
CHANNEL_ESCALATION = {"chat": 1.0, "whatsapp": 1.0, "email": 0.85, "voice": 1.35}

REGIONS = ("UAE", "KSA", "Oman")
REGION_SHARES = (70.0, 20.0, 10.0)


@dataclass(frozen=True, slots=True)
class _Topic:
    name: str
    share: float  # how often it is raised
    escalation: float  # chance that this issue alone brings in a human
    resolution: float  # chance the AI solves it when no human steps in


TOPICS = (
    _Topic("billing", 20, 0.17, 0.80),
    _Topic("plan_change", 13, 0.13, 0.82),
    _Topic("password_reset", 11, 0.05, 0.93),
    _Topic("roaming", 10, 0.17, 0.75),
    _Topic("network_outage", 9, 0.26, 0.60),
    _Topic("device_setup", 9, 0.18, 0.72),
    _Topic("sim_activation", 8, 0.19, 0.78),
    _Topic("payment_failure", 8, 0.24, 0.68),
    _Topic("refund", 7, 0.44, 0.50),
    _Topic("porting", 5, 0.46, 0.45),
)
_TOPIC_BY_NAME = {topic.name: topic for topic in TOPICS}
TOPIC_COUNT_SHARES = ((1, 0.80), (2, 0.15), (3, 0.05))
BILL_RUN_TOPICS = ("billing", "payment_failure")
BILL_RUN_DAYS = (1, 2, 3)
BILL_RUN_VOLUME = 1.15
WEEKEND_VOLUME = 0.85  # Saturday and Sunday, the UAE weekend since 2022

# Relative contact volume by local hour of the day.
DAILY_RHYTHM = (
    0.35, 0.20, 0.12, 0.10, 0.10, 0.15, 0.30, 0.60, 0.90, 1.10, 1.25, 1.30,
    1.25, 1.20, 1.15, 1.10, 1.10, 1.15, 1.25, 1.35, 1.40, 1.30, 1.00, 0.65,
)  # fmt: skip


class _Incident(NamedTuple):
    start: datetime
    end: datetime
    extra_volume: float  # added to the hourly weight (a busy hour weighs about 1.3)
    topic: str


INCIDENTS = (
    _Incident(
        start=datetime(2026, 10, 31, 22, 0, tzinfo=UTC),
        end=datetime(2026, 11, 1, 1, 0, tzinfo=UTC),
        extra_volume=2.5,
        topic="network_outage",
    ),
)


class _Followup(NamedTuple):
    """How likely each kind of coming back is after one outcome."""

    same_topic_minutes: float
    same_topic_inside_window: float
    same_topic_after_window: float
    other_topic: float


_UNSOLVED_FOLLOWUP = _Followup(0.13, 0.09, 0.05, 0.04)
FOLLOWUPS = {
    "solved": _Followup(0.03, 0.03, 0.02, 0.04),
    "partial": _UNSOLVED_FOLLOWUP,
    "unsolved": _UNSOLVED_FOLLOWUP,
    "escalated": _Followup(0.03, 0.05, 0.03, 0.04),
}
# Chance that a re-contact of each kind continues the same conversation.
SAME_CONVERSATION = {"minutes": 0.55, "inside": 0.15, "after": 0.05, "other": 0.10}
MAX_GENERATION = 3  # a re-contact of a re-contact of a re-contact, no further
NO_RESOLUTION_WHEN_ESCALATED = 0.65
RESOLVED_BEFORE_HANDOVER = 0.35
RECONTACT_ESCALATION = 1.5  # coming back about an unsolved issue
RECONTACT_RESOLUTION = 0.85

# (chance of confirmed true, chance of confirmed false) by outcome.
CONFIRMATION = {
    "solved": (0.48, 0.02),
    "partial": (0.20, 0.08),
    "unsolved": (0.04, 0.14),
    "escalated": (0.10, 0.08),
}
CSAT_SHARE = 0.40
# Weights of CSAT 1..5 by outcome.
CSAT_SCORES = {
    "solved": (2.0, 2.0, 6.0, 30.0, 60.0),
    "partial": (8.0, 10.0, 20.0, 35.0, 27.0),
    "unsolved": (25.0, 20.0, 22.0, 20.0, 13.0),
    "escalated": (15.0, 12.0, 18.0, 28.0, 27.0),
}
_CSAT_VALUES = ("1", "2", "3", "4", "5")


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneratorConfig:
    """What to generate: the seed, the population, the volume and the range.

    Attributes:
        seed: the seed of the one random generator.
        customers: the size of the customer base; who writes is drawn from
            it by activity, so some customers never write.
        contacts: how many contacts (rows) to write, exactly.
        start: the first instant of the range (timezone-aware); its UTC
            offset is the local time of the daily rhythm.
        end: the end of the range, not included (timezone-aware).
    """

    seed: int = DEFAULT_SEED
    customers: int = round(DEFAULT_CONTACTS / CONTACTS_PER_CUSTOMER)
    contacts: int = DEFAULT_CONTACTS
    start: datetime = _DEFAULT_START_AT
    end: datetime = _DEFAULT_END_AT

    def __post_init__(self) -> None:
        """Refuse a configuration that cannot give a log.

        Raises:
            ValueError: a count is not positive, a bound has no time zone, or
                the range is empty.
        """
        if self.customers < 1:
            raise ValueError(f"customers is {self.customers}; it must be at least 1")
        if self.contacts < 1:
            raise ValueError(f"contacts is {self.contacts}; it must be at least 1")
        for name, bound in (("start", self.start), ("end", self.end)):
            if bound.utcoffset() is None:
                raise ValueError(
                    f"{name} {bound.isoformat()} has no time zone; "
                    "give an offset, e.g. 2026-10-01T00:00:00+04:00"
                )
        if self.end <= self.start:
            raise ValueError(
                f"end {self.end.isoformat()} is not after start {self.start.isoformat()}"
            )


class _Pending(NamedTuple):
    """A contact waiting in the queue; a new issue when ``customer`` is -1."""

    customer: int
    conversation_id: str | None
    channel: str | None
    topics: tuple[str, ...]
    generation: int
    unsolved_before: bool


_NEW_ISSUE = _Pending(-1, None, None, (), 0, unsolved_before=False)


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = 0.0
    sums = []
    for weight in weights:
        total += weight
        sums.append(total)
    return sums


def _pick(rng: Random, cumulative: Sequence[float]) -> int:
    index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
    # random() < 1, but the product can round up to the total.
    return index if index < len(cumulative) else index - 1


def _seconds(moment: datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


class _Simulation:
    """The state of one run: population, queue of contacts, counters."""

    def __init__(self, config: GeneratorConfig) -> None:
        self.rng = Random(config.seed)
        self.start = _seconds(config.start)
        self.end = _seconds(config.end)
        offset = config.start.utcoffset()
        self.local_offset = int(offset.total_seconds()) if offset is not None else 0
        self.bucket_count = -(-(self.end - self.start) // HOUR)
        self.id_width = max(7, len(str(config.contacts)))
        customer_width = max(6, len(str(config.customers)))
        rng = self.rng

        self.customer_ids = [
            f"u{number:0{customer_width}d}" for number in range(1, config.customers + 1)
        ]
        region_sums = _cumulative(REGION_SHARES)
        channel_sums = _cumulative(CHANNEL_SHARES)
        self.regions = [REGIONS[_pick(rng, region_sums)] for _ in range(config.customers)]
        self.usual_channels = [CHANNELS[_pick(rng, channel_sums)] for _ in range(config.customers)]
        self.activity_sums = _cumulative(
            [rng.lognormvariate(0.0, 0.75) for _ in range(config.customers)]
        )
        self.channel_sums = channel_sums

        self.topic_names = tuple(topic.name for topic in TOPICS)
        self.topic_sums = _cumulative([topic.share for topic in TOPICS])
        self.bill_run_topic_sums = _cumulative(
            [topic.share * (2 if topic.name in BILL_RUN_TOPICS else 1) for topic in TOPICS]
        )
        self.topic_count_sums = _cumulative([share for _, share in TOPIC_COUNT_SHARES])
        self.csat_sums = {outcome: _cumulative(weights) for outcome, weights in CSAT_SCORES.items()}

        self.incidents = [
            (
                _seconds(incident.start),
                _seconds(incident.end),
                incident.extra_volume,
                incident.topic,
            )
            for incident in INCIDENTS
        ]
        starts = [self.start + index * HOUR for index in range(self.bucket_count)]
        self.bucket_weights = [self._bucket_weight(bucket_start) for bucket_start in starts]
        self.bill_run_buckets = [
            self._local(bucket_start).day in BILL_RUN_DAYS for bucket_start in starts
        ]
        # Per hour: the chance that a new issue is about an incident, and its topic.
        self.incident_buckets: list[tuple[float, str] | None] = []
        for bucket_start, weight in zip(starts, self.bucket_weights, strict=True):
            extra, topic = self._incident_share(bucket_start, min(bucket_start + HOUR, self.end))
            self.incident_buckets.append(None if topic is None else (extra / weight, topic))
        self.queue: list[tuple[int, int, _Pending]] = []
        self.sequence = 0
        self.scheduled_into: dict[int, int] = {}
        self.accept_followups = True
        self.current_bucket = 0
        self.same_hour_followups = 0
        self.next_id = 0
        self.hour_prefixes: dict[int, str] = {}
        self.minute_seconds = [f"{second // 60:02d}:{second % 60:02d}Z" for second in range(HOUR)]

    # --- volume -------------------------------------------------------------

    def _local(self, moment: int) -> datetime:
        return _EPOCH + timedelta(seconds=moment + self.local_offset)

    def _incident_share(self, bucket_start: int, bucket_end: int) -> tuple[float, str | None]:
        for incident_start, incident_end, extra, topic in self.incidents:
            overlap = min(bucket_end, incident_end) - max(bucket_start, incident_start)
            if overlap > 0:
                return extra * overlap / HOUR, topic
        return 0.0, None

    def _bucket_weight(self, bucket_start: int) -> float:
        bucket_end = min(bucket_start + HOUR, self.end)
        local = self._local(bucket_start)
        weight = DAILY_RHYTHM[local.hour] * (bucket_end - bucket_start) / HOUR
        if local.weekday() >= 5:
            weight *= WEEKEND_VOLUME
        if local.day in BILL_RUN_DAYS:
            weight *= BILL_RUN_VOLUME
        extra, _ = self._incident_share(bucket_start, bucket_end)
        return weight + extra

    def _quotas(self, contacts: int) -> list[int]:
        sums = _cumulative(self.bucket_weights)
        quotas = [0] * self.bucket_count
        for index in self.rng.choices(range(self.bucket_count), cum_weights=sums, k=contacts):
            quotas[index] += 1
        return quotas

    # --- queue --------------------------------------------------------------

    def _push(self, moment: int, pending: _Pending) -> None:
        self.sequence += 1
        heapq.heappush(self.queue, (moment, self.sequence, pending))

    def _accepts(self, moment: int) -> bool:
        return moment < self.end and self.accept_followups

    def _schedule(self, moment: int, pending: _Pending) -> None:
        bucket = (moment - self.start) // HOUR
        if bucket == self.current_bucket:
            self.same_hour_followups += 1
        else:
            self.scheduled_into[bucket] = self.scheduled_into.get(bucket, 0) + 1
        self._push(moment, pending)

    def rows(self, contacts: int) -> Iterator[tuple[str, ...]]:
        """Yield every row in order of ``started_at``, then ``id``."""
        quotas = self._quotas(contacts)
        carry = 0  # contacts owed by earlier hours (negative: written ahead)
        new_issues = 0
        last = self.bucket_count - 1
        for bucket, quota in enumerate(quotas):
            bucket_start = self.start + bucket * HOUR
            bucket_end = min(bucket_start + HOUR, self.end)
            self.current_bucket = bucket
            target = quota + carry
            already = self.scheduled_into.pop(bucket, 0)
            if bucket == last:
                # No new re-contacts in the last hour, so the total comes out exact.
                self.accept_followups = False
                fresh = target - already
                if fresh < 0:
                    self._drop_latest(-fresh)
                    fresh = 0
            else:
                followups_per_issue = (self.same_hour_followups + 1) / (new_issues + 20)
                fresh = max(0, round((target - already) / (1 + followups_per_issue)))
            for _ in range(fresh):
                self._push(self.rng.randrange(bucket_start, bucket_end), _NEW_ISSUE)
            new_issues += fresh
            written = 0
            while self.queue and self.queue[0][0] < bucket_end:
                moment, _, pending = heapq.heappop(self.queue)
                yield self._contact(moment, pending)
                written += 1
            carry = target - written

    def _drop_latest(self, count: int) -> None:
        entries = sorted(self.queue)
        self.queue = entries[: len(entries) - count]
        heapq.heapify(self.queue)

    # --- one contact --------------------------------------------------------

    def _topics(self, moment: int, exclude: Sequence[str]) -> tuple[str, ...]:
        rng = self.rng
        count = TOPIC_COUNT_SHARES[_pick(rng, self.topic_count_sums)][0]
        bill_run = self.bill_run_buckets[(moment - self.start) // HOUR]
        sums = self.bill_run_topic_sums if bill_run else self.topic_sums
        chosen: list[str] = []
        for _ in range(20 * count):
            name = self.topic_names[_pick(rng, sums)]
            if name not in chosen and name not in exclude:
                chosen.append(name)
                if len(chosen) == count:
                    break
        if not chosen:  # everything was excluded: fall back to any other topic
            chosen.append(next(name for name in self.topic_names if name not in exclude))
        return tuple(chosen)

    def _new_issue(self, moment: int) -> _Pending:
        rng = self.rng
        customer = _pick(rng, self.activity_sums)
        incident = self.incident_buckets[(moment - self.start) // HOUR]
        if incident is not None:
            chance, incident_topic = incident
            if rng.random() < chance:
                topics: tuple[str, ...] = (incident_topic,)
                if rng.random() < 0.15:
                    topics += self._topics(moment, exclude=topics)[:1]
                return _Pending(customer, None, None, topics, 0, unsolved_before=False)
        return _Pending(customer, None, None, self._topics(moment, ()), 0, unsolved_before=False)

    def _channel(self, customer: int) -> str:
        if self.rng.random() < USUAL_CHANNEL_SHARE:
            return self.usual_channels[customer]
        return CHANNELS[_pick(self.rng, self.channel_sums)]

    def _duration(self, channel: str, topic_count: int, escalated: bool) -> int:
        median, shortest, longest = DURATIONS[channel]
        seconds = median * self.rng.lognormvariate(0.0, 0.7) * (1 + 0.4 * (topic_count - 1))
        if escalated:
            seconds *= 1.6
        return int(min(max(seconds, shortest), longest))

    def _escalated(self, channel: str, topics: Sequence[str], unsolved_before: bool) -> bool:
        stays_with_ai = 1.0
        for name in topics:
            stays_with_ai *= 1 - _TOPIC_BY_NAME[name].escalation
        chance = (1 - stays_with_ai) * CHANNEL_ESCALATION[channel]
        if unsolved_before:
            chance *= RECONTACT_ESCALATION
        return self.rng.random() < min(chance, 0.95)

    def _resolved(
        self, topics: Sequence[str], escalated: bool, unsolved_before: bool
    ) -> tuple[str, ...]:
        rng = self.rng
        if escalated:
            if rng.random() < NO_RESOLUTION_WHEN_ESCALATED:
                return ()
            return tuple(name for name in topics if rng.random() < RESOLVED_BEFORE_HANDOVER)
        factor = RECONTACT_RESOLUTION if unsolved_before else 1.0
        return tuple(
            name for name in topics if rng.random() < _TOPIC_BY_NAME[name].resolution * factor
        )

    def _feedback(self, outcome: str) -> tuple[str, str]:
        rng = self.rng
        yes, no = CONFIRMATION[outcome]
        draw = rng.random()
        confirmed = "true" if draw < yes else "false" if draw < yes + no else ""
        csat = ""
        if rng.random() < CSAT_SHARE:
            csat = _CSAT_VALUES[_pick(rng, self.csat_sums[outcome])]
        return confirmed, csat

    def _timestamp(self, moment: int) -> str:
        hour, second = divmod(moment, HOUR)
        prefix = self.hour_prefixes.get(hour)
        if prefix is None:
            prefix = (_EPOCH + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:")
            self.hour_prefixes[hour] = prefix
        return prefix + self.minute_seconds[second]

    def _contact(self, started: int, pending: _Pending) -> tuple[str, ...]:
        if pending.customer < 0:
            pending = self._new_issue(started)
        self.next_id += 1
        contact_id = f"c{self.next_id:0{self.id_width}d}"
        conversation_id = pending.conversation_id or contact_id
        channel = pending.channel or self._channel(pending.customer)
        topics = pending.topics
        escalated = self._escalated(channel, topics, pending.unsolved_before)
        resolved = self._resolved(topics, escalated, pending.unsolved_before)
        ended = started + self._duration(channel, len(topics), escalated)
        if escalated:
            outcome = "escalated"
        elif len(resolved) == len(topics):
            outcome = "solved"
        else:
            outcome = "partial" if resolved else "unsolved"
        confirmed, csat = self._feedback(outcome)
        if pending.generation < MAX_GENERATION:
            self._follow_up(
                pending,
                started=started,
                ended=ended,
                conversation_id=conversation_id,
                channel=channel,
                topics=topics,
                resolved=resolved,
                outcome=outcome,
            )
        return (
            contact_id,
            self.customer_ids[pending.customer],
            conversation_id,
            channel,
            self._timestamp(started),
            self._timestamp(ended),
            ";".join(topics),
            ";".join(resolved),
            "true" if escalated else "false",
            confirmed,
            csat,
            self.regions[pending.customer],
        )

    # --- coming back --------------------------------------------------------

    def _follow_up(
        self,
        pending: _Pending,
        *,
        started: int,
        ended: int,
        conversation_id: str,
        channel: str,
        topics: tuple[str, ...],
        resolved: tuple[str, ...],
        outcome: str,
    ) -> None:
        rng = self.rng
        chances = FOLLOWUPS[outcome]
        damping = 0.5**pending.generation  # a chain of re-contacts dies out
        within_minutes = chances.same_topic_minutes * damping
        inside_window = within_minutes + chances.same_topic_inside_window * damping
        after_window = inside_window + chances.same_topic_after_window * damping
        draw = rng.random()
        if draw < within_minutes:
            kind = "minutes"
            moment = ended + int(min(max(15 * 60 * rng.lognormvariate(0.0, 0.8), 120), 90 * 60))
        elif draw < inside_window:
            kind = "inside"
            moment = max(started + rng.randrange(30 * HOUR, 47 * HOUR), ended + 60)
        elif draw < after_window:
            kind = "after"
            moment = ended + rng.randrange(55 * HOUR, 100 * HOUR)
        else:
            kind, moment = "", self.end
        unsolved = tuple(name for name in topics if name not in resolved)
        if kind and self._accepts(moment):
            again: tuple[str, ...] = (rng.choice(unsolved or topics),)
            if rng.random() < 0.12:
                again += self._topics(moment, exclude=again)[:1]
            self._come_back(
                pending,
                moment=moment,
                kind=kind,
                conversation_id=conversation_id,
                channel=channel,
                topics=again,
                unsolved_before=bool(unsolved),
            )
        if rng.random() < chances.other_topic * damping:
            moment = ended + rng.randrange(HOUR, 120 * HOUR)
            if self._accepts(moment):
                self._come_back(
                    pending,
                    moment=moment,
                    kind="other",
                    conversation_id=conversation_id,
                    channel=channel,
                    topics=self._topics(moment, exclude=topics),
                    unsolved_before=False,
                )

    def _come_back(
        self,
        pending: _Pending,
        *,
        moment: int,
        kind: str,
        conversation_id: str,
        channel: str,
        topics: tuple[str, ...],
        unsolved_before: bool,
    ) -> None:
        rng = self.rng
        if rng.random() < SAME_CONVERSATION[kind]:
            conversation: str | None = conversation_id
            next_channel: str | None = channel  # a conversation stays on its channel
        else:
            conversation = None
            next_channel = channel if rng.random() < 0.6 else None
        self._schedule(
            moment,
            _Pending(
                pending.customer,
                conversation,
                next_channel,
                topics,
                pending.generation + 1,
                unsolved_before=unsolved_before,
            ),
        )


def generate_rows(config: GeneratorConfig) -> Iterator[tuple[str, ...]]:
    """Yield the rows of the log (without the header), sorted by start, then id.

    Args:
        config: what to generate.

    Yields:
        One tuple of strings per contact, in the order of `COLUMNS`.

    Example:
        >>> config = GeneratorConfig(seed=1, customers=50, contacts=100)
        >>> rows = list(generate_rows(config))
        >>> len(rows), rows[0][0], rows[-1][0]
        (100, 'c0000001', 'c0000100')
    """
    return _Simulation(config).rows(config.contacts)


def account_ids(accounts: int) -> list[str]:
    """The account ids of a log of ``accounts`` accounts.

    Example:
        >>> account_ids(3)
        ['acct-1', 'acct-2', 'acct-3']
    """
    return [f"acct-{number}" for number in range(1, accounts + 1)]


def _account_rows(config: GeneratorConfig, accounts: int) -> Iterator[tuple[str, ...]]:
    """The rows of ``accounts`` accounts, each a log of its own, merged in start order."""
    logs = []
    for index, account in enumerate(account_ids(accounts)):
        share = config.contacts // accounts + (index < config.contacts % accounts)
        part = replace(
            config,
            seed=config.seed + index,
            contacts=max(1, share),
            customers=max(1, config.customers // accounts),
        )
        logs.append([(row[0], account, *row[1:]) for row in generate_rows(part)])
    started = COLUMNS.index("started_at") + 1
    return heapq.merge(*logs, key=lambda row: (row[started], row[1], row[0]))


def write_csv(path: Path, config: GeneratorConfig, accounts: int = 1) -> int:
    """Write the log with its header to ``path``, streaming row by row.

    Args:
        path: the CSV file to (over)write.
        config: what to generate.
        accounts: how many accounts the log holds; above 1, an
            ``account_id`` column follows ``id``.

    Returns:
        The number of contacts written.
    """
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        if accounts == 1:
            writer.writerow(COLUMNS)
            rows = generate_rows(config)
        else:
            writer.writerow((COLUMNS[0], "account_id", *COLUMNS[1:]))
            rows = _account_rows(config, accounts)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _aware(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 timestamp") from error
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset; add one, e.g. +04:00 or Z")
    return moment


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from error
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} must be at least 1")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, write the file, and print what was written.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status, 0 on success.
    """
    parser = argparse.ArgumentParser(
        description="Write a seeded, realistic log of AI customer-service contacts as CSV."
    )
    parser.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="default: %(default)s")
    parser.add_argument(
        "--customers",
        type=_positive,
        help=f"size of the customer base (default: contacts / {CONTACTS_PER_CUSTOMER})",
    )
    parser.add_argument(
        "--contacts",
        type=_positive,
        default=DEFAULT_CONTACTS,
        help="rows to write (default: %(default)s)",
    )
    parser.add_argument(
        "--accounts",
        type=_positive,
        default=1,
        help="accounts in the log, acct-1... (default: 1, no account_id column)",
    )
    parser.add_argument("--start", type=_aware, default=DEFAULT_START, help="default: %(default)s")
    parser.add_argument(
        "--end", type=_aware, default=DEFAULT_END, help="excluded (default: %(default)s)"
    )
    arguments = parser.parse_args(argv)
    customers = arguments.customers or max(1, round(arguments.contacts / CONTACTS_PER_CUSTOMER))
    try:
        config = GeneratorConfig(
            seed=arguments.seed,
            customers=customers,
            contacts=arguments.contacts,
            start=arguments.start,
            end=arguments.end,
        )
    except ValueError as error:
        parser.error(str(error))
    began = time.perf_counter()
    written = write_csv(arguments.out, config, arguments.accounts)
    elapsed = time.perf_counter() - began
    print(
        f"wrote {written:,} contacts of {customers:,} customers "
        f"({config.start.isoformat()} to {config.end.isoformat()}) to {arguments.out} in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
