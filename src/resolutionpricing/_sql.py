"""The resolution rule compiled to one portable SQL query (DuckDB and Spark SQL).

`ResolutionRule.to_sql` returns a query over a *canonical contacts table*, one
row per contact, with the columns:

========================  ===========================================================
``account_id``            text, nullable (NULL is one account of its own)
``id``                    text, unique per account
``customer_id``           text
``conversation_id``       text (the contact's ``id`` when the log has none)
``channel``               text
``start_us``, ``end_us``  BIGINT microseconds since the Unix epoch (UTC)
``topics``                list of text, at least one (duplicates are ignored)
``resolved_topics``       list of text, a subset of ``topics`` (may be empty)
``escalated``             boolean
``confirmed``             boolean, nullable
``csat``                  integer, nullable
========================  ===========================================================

The query decides exactly as `resolutionpricing.decide` does (the same
statuses, reasons, units, voided topics), per account. Re-contacts use one
window function, no self-join: within a group (account, customer [, channel]
[, conversation | topic]) ordered by ``start_us``, the least (``start_us``,
``id``) pair over a ``RANGE`` frame from one microsecond later to the end of
the group is the first later-starting contact, so a contact tied on its start
is never a re-contact. A topic (or the whole contact) is voided iff that first
later contact starts no later than ``end_us`` plus the window. So the query
costs one sort of the contacts (or of their topics, under ``same_topic``),
n log n even for one customer with 100,000 contacts on one topic.

Only a few functions differ between the dialects (list functions, lambdas,
structs, integer division, string literals); everything else is shared text.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Final, Literal

import attrs

from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._money import ARITHMETIC, format_decimal
from resolutionpricing._rules import PartialPolicy, RecontactScope, ResolutionRule

__all__ = ["REASON_COLUMNS", "PeriodBounds", "Periods", "compile_rule", "usage_over"]

PeriodBounds = tuple[str, int, int]
"""A billing period as ``(label, start_us, end_us)``: contacts ending in ``[start, end)``."""

Periods = Sequence[PeriodBounds] | Mapping[str | None, Sequence[PeriodBounds]]
"""The same periods for every account, or each account's own (by account id)."""

Output = Literal["decisions", "usage"]

_REASONS: Final = (
    "escalated",
    "negative_feedback",
    "unconfirmed",
    "low_csat",
    "unresolved",
    "recontacted",
    "partial",
    "window_open",
)
REASON_COLUMNS: Final = tuple(f"not_billable_{reason}" for reason in _REASONS)
"""The usage query's per-reason columns: not-billable contacts listing each reason."""

# Timestamps lie within years 1 to 9999 (about 3.2e17 microseconds apart): a
# window longer than this voids the same contacts, and keeps every sum in BIGINT.
_LONGEST_WINDOW_US: Final = 10**18
_DIALECT_HINT: Final = 'one of "duckdb", "spark"'
_MICROSECOND: Final = timedelta(microseconds=1)


@attrs.frozen
class _Dialect:
    """The few SQL spellings that differ between the engines."""

    name: str
    text: str  # the text type's name
    explode: str  # a set-returning function from a list to its items
    contains: str
    size: str
    distinct: str
    sort: str
    collect: str
    list_of: str  # a list literal from its items
    empty_texts: str
    int_div: str  # integer division operator
    lambda_ids: str  # from a list of (s, i) structs, the list of i
    compact: str  # a list without its NULL items, from a literal list body

    def struct(self, start: str, identifier: str) -> str:
        if self.name == "spark":
            return f"named_struct('s', {start}, 'i', {identifier})"
        return f"struct_pack(s := {start}, i := {identifier})"

    def distinct_items(self, column: str) -> str:
        """The list without repeated items; DuckDB skips the call for a list too short to repeat."""
        if self.name == "duckdb":
            # Most contacts have one topic and no or one resolved topic: list_distinct
            # of such a list is the list (a NULL item aside, which it drops).
            short = f"len({column}) = 0 OR (len({column}) = 1 AND {column}[1] IS NOT NULL)"
            return f"CASE WHEN {short} THEN {column} ELSE list_distinct({column}) END"
        return f"{self.distinct}({column})"

    def literal(self, text: str) -> str:
        # Spark reads backslashes in string literals as escapes; DuckDB does not.
        if self.name == "spark":
            return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + text.replace("'", "''") + "'"


_DIALECTS: Final = {
    "duckdb": _Dialect(
        name="duckdb",
        text="VARCHAR",
        explode="unnest",
        contains="list_contains",
        size="len",
        distinct="list_distinct",
        sort="list_sort",
        collect="list",
        list_of="list_value({})",
        empty_texts="CAST([] AS VARCHAR[])",
        int_div="//",
        lambda_ids="list_transform({}, lambda x: x.i)",
        compact="list_filter(list_value({}), lambda x: x IS NOT NULL)",
    ),
    "spark": _Dialect(
        name="spark",
        text="STRING",
        explode="explode",
        contains="array_contains",
        size="size",
        distinct="array_distinct",
        sort="array_sort",
        collect="collect_list",
        list_of="array({})",
        empty_texts="CAST(array() AS ARRAY<STRING>)",
        int_div="div",
        lambda_ids="transform({}, x -> x.i)",
        compact="array_compact(array({}))",
    ),
}


def compile_rule(
    rule: ResolutionRule,
    table: str,
    *,
    dialect: str = "duckdb",
    as_of_us: int | None = None,
    periods: Periods | None = None,
    output: Output = "decisions",
    pause_limit: Decimal | int | str | Mapping[str | None, Decimal | int | str] | None = None,
) -> str:
    """The query behind `ResolutionRule.to_sql` (see there for the arguments)."""
    sql = _dialect(dialect)
    given: object = table  # checked at run time too: callers may not be typed
    if not isinstance(given, str) or not given.strip():
        raise InvalidValueError("table", f"{table!r} is not a table", "a table name or expression")
    moment: object = as_of_us
    if moment is not None and (isinstance(moment, bool) or not isinstance(moment, int)):
        raise InvalidTypeError(
            "as_of_us", f"{as_of_us!r} is not an integer", "microseconds since the epoch, or None"
        )
    if output not in {"decisions", "usage"}:
        raise InvalidValueError(
            "output", f"{output!r} is not allowed", 'one of "decisions", "usage"'
        )
    window = min(rule.recontact_window // _MICROSECOND, _LONGEST_WINDOW_US)
    ctes = [
        _cutoff(table, as_of_us),
        _known(sql, table),
        *_recontacts(sql, rule, window),
        _vetted(sql, rule),
        _decided(sql, rule, window, periods),
    ]
    if output == "decisions":
        return _with(ctes) + _DECISIONS_SELECT
    ctes.append(f"decisions AS (\n{_DECISIONS_SELECT}\n)")
    return _with(ctes) + _usage_select(sql, pause_limit, "decisions")


def usage_over(
    table: str,
    *,
    dialect: str = "duckdb",
    pause_limit: Decimal | int | str | Mapping[str | None, Decimal | int | str] | None = None,
) -> str:
    """The usage query over a table of decisions already made (the decisions query's rows)."""
    return _usage_select(_dialect(dialect), pause_limit, table)


def _dialect(name: object) -> _Dialect:
    if not isinstance(name, str) or name not in _DIALECTS:
        raise InvalidValueError("dialect", f"{name!r} is not supported", _DIALECT_HINT)
    return _DIALECTS[name]


def _with(ctes: list[str]) -> str:
    return "WITH\n" + ",\n".join(ctes) + "\n"


def _cutoff(table: str, as_of_us: int | None) -> str:
    """What was known: ``as_of``, or by default the latest instant of the whole table."""
    if as_of_us is not None:
        return f"cutoff AS (\n  SELECT CAST({as_of_us} AS BIGINT) AS cutoff_us\n)"
    return (
        "cutoff AS (\n"
        "  SELECT GREATEST(MAX(start_us), MAX(end_us)) AS cutoff_us\n"
        f"  FROM {table}\n)"
    )


def _known(sql: _Dialect, table: str) -> str:
    return f"""known AS (
  SELECT c.account_id, c.id, c.customer_id, c.conversation_id, c.channel,
         c.start_us, c.end_us, c.escalated, c.confirmed, c.csat,
         {sql.distinct_items("c.topics")} AS topics,
         {sql.distinct_items("c.resolved_topics")} AS resolved_topics
  FROM {table} AS c CROSS JOIN cutoff
  WHERE c.start_us <= cutoff.cutoff_us
)"""


def _group(rule: ResolutionRule) -> str:
    """What a re-contact must share with the contact (the topic is added under same_topic)."""
    columns = ["account_id", "customer_id"]
    if not rule.cross_channel:
        columns.append("channel")
    if rule.recontact_scope is RecontactScope.SAME_CONVERSATION:
        columns.append("conversation_id")
    if rule.recontact_scope is RecontactScope.SAME_TOPIC:
        columns.append("topic")
    return ", ".join(columns)


def _first_later(sql: _Dialect, source: str, group: str) -> list[str]:
    """Each row's first later-starting row of its group: its start and id (NULL if none).

    One window: the least (start, id) pair among the rows of the group that
    start at least a microsecond later (a ``RANGE`` frame over ``start_us``),
    so rows tied on their start are never each other's re-contact, and a
    group costs one sort.
    """
    first = sql.struct("start_us", "id")
    return [
        f"""later AS (
  SELECT s.*,
         MIN({first})
           OVER (PARTITION BY {group} ORDER BY start_us
                 RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS first_later
  FROM {source} AS s
)""",
        """firsts AS (
  SELECT l.*, l.first_later.s AS first_start_us, l.first_later.i AS first_id
  FROM later AS l
)""",
    ]


def _recontacts(sql: _Dialect, rule: ResolutionRule, window: int) -> list[str]:
    """CTEs ending in ``judged``: each contact's topic counts, voided topics and re-contacts."""
    within = f"first_start_us - end_us <= {window}"
    if rule.recontact_scope is not RecontactScope.SAME_TOPIC:
        voids = f"({sql.size}(resolved_topics) > 0 AND first_start_us IS NOT NULL AND {within})"
        return [
            *_first_later(sql, "known", _group(rule)),
            f"""judged AS (
  SELECT account_id, id, start_us, end_us, escalated, confirmed, csat,
         {sql.size}(topics) AS topic_count,
         {sql.size}(resolved_topics) AS resolved_count,
         CASE WHEN {voids} THEN {sql.sort}(resolved_topics) ELSE {sql.empty_texts} END
           AS voided_topics,
         CASE WHEN {voids} THEN {sql.list_of.format("first_id")} ELSE {sql.empty_texts} END
           AS recontacted_by
  FROM firsts
)""",
        ]
    first = sql.struct("first_start_us", "first_id")
    # The first re-contact of each voided topic, de-duplicated, in (start, id) order.
    recontacted_by = sql.lambda_ids.format(
        f"{sql.sort}({sql.distinct}({sql.collect}({first}) FILTER (WHERE voids)))"
    )
    return [
        f"""exploded AS (
  SELECT account_id, id, customer_id, channel, start_us, end_us,
         escalated, confirmed, csat, resolved_topics,
         {sql.explode}(topics) AS topic
  FROM known
)""",
        # Whether the topic is resolved, before the window: its rows carry no list.
        f"""mentions AS (
  SELECT account_id, id, customer_id, channel, start_us, end_us,
         escalated, confirmed, csat, topic,
         {sql.contains}(resolved_topics, topic) AS resolved
  FROM exploded
)""",
        *_first_later(sql, "mentions", _group(rule)),
        f"""voiding AS (
  SELECT f.*,
         COALESCE(resolved AND first_start_us IS NOT NULL AND {within}, FALSE) AS voids
  FROM firsts AS f
)""",
        f"""judged AS (
  SELECT account_id, id, start_us, end_us, escalated, confirmed, csat,
         COUNT(*) AS topic_count,
         COUNT(CASE WHEN resolved THEN 1 END) AS resolved_count,
         COALESCE({sql.sort}({sql.collect}(topic) FILTER (WHERE voids)), {sql.empty_texts})
           AS voided_topics,
         COALESCE({recontacted_by}, {sql.empty_texts}) AS recontacted_by
  FROM voiding
  GROUP BY account_id, id, start_us, end_us, escalated, confirmed, csat
)""",
    ]


def _flag(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _vetted(sql: _Dialect, rule: ResolutionRule) -> str:
    """The vetoes, the topics left, and the units (in ten-thousandths) before pending."""
    low_csat = "FALSE" if rule.min_csat is None else f"COALESCE(csat < {rule.min_csat}, FALSE)"
    return f"""vetted AS (
  SELECT j.*,
         resolved_count - {sql.size}(voided_topics) AS left_count,
         (escalated AND {_flag(rule.exclude_escalated)}) AS is_escalated,
         COALESCE(NOT confirmed, FALSE) AS is_negative,
         (confirmed IS NULL AND {_flag(rule.require_confirmation)}) AS is_unconfirmed,
         {low_csat} AS is_low_csat,
         resolved_count = 0 AS is_unresolved
  FROM judged AS j
)"""


def _units_e4(sql: _Dialect, policy: PartialPolicy) -> str:
    """The policy's units in ten-thousandths, exactly (integer arithmetic only)."""
    if policy is PartialPolicy.ALL_OR_NOTHING:
        return "CASE WHEN left_count = topic_count THEN 10000 ELSE 0 END"
    if policy is PartialPolicy.PER_TOPIC:
        return "left_count * 10000"
    if policy is PartialPolicy.PRO_RATA:
        # Half-up: floor((2 * 10000 * left + total) / (2 * total)).
        return f"(left_count * 20000 + topic_count) {sql.int_div} (topic_count * 2)"
    return "10000"


def _units(expression: str) -> str:
    return f"CAST(CAST({expression} AS DECIMAL(18, 0)) * CAST(0.0001 AS DECIMAL(5, 4)) AS DECIMAL(18, 4))"


def _decided(sql: _Dialect, rule: ResolutionRule, window: int, periods: Periods | None) -> str:
    vetoed = "is_escalated OR is_negative OR is_unconfirmed OR is_low_csat OR is_unresolved"
    units = f"CASE WHEN {vetoed} OR left_count = 0 THEN 0 ELSE {_units_e4(sql, rule.partial)} END"
    status = (
        "CASE WHEN units_e4 = 0 THEN 'not_billable'"
        f" WHEN cutoff.cutoff_us - end_us < {window} THEN 'pending'"
        " ELSE 'billable' END"
    )
    reasons = ", ".join(
        [
            "CASE WHEN is_escalated THEN 'escalated' END",
            "CASE WHEN is_negative THEN 'negative_feedback' END",
            "CASE WHEN is_unconfirmed THEN 'unconfirmed' END",
            "CASE WHEN is_low_csat THEN 'low_csat' END",
            "CASE WHEN is_unresolved THEN 'unresolved' END",
            f"CASE WHEN {sql.size}(voided_topics) > 0 THEN 'recontacted' END",
            "CASE WHEN left_count > 0 AND left_count < topic_count THEN 'partial' END",
            "CASE WHEN status = 'pending' THEN 'window_open' END",
        ]
    )
    return f"""scored AS (
  SELECT v.*, {units} AS units_e4
  FROM vetted AS v
),
statused AS (
  SELECT s.*, {status} AS status
  FROM scored AS s CROSS JOIN cutoff
),
decided AS (
  SELECT account_id, id AS interaction_id, status,
         {_units("CASE WHEN status = 'billable' THEN units_e4 ELSE 0 END")} AS units,
         {_units("units_e4")} AS provisional_units,
         {sql.compact.format(reasons)} AS reasons,
         recontacted_by, voided_topics,
         {_period(sql, periods)} AS period,
         start_us, end_us, escalated
  FROM statused
)"""


_DECISIONS_SELECT: Final = """SELECT account_id, interaction_id, status, units, provisional_units,
       reasons, recontacted_by, voided_topics, period, start_us, end_us, escalated
FROM decided
ORDER BY account_id NULLS FIRST, start_us, interaction_id"""


def _period(sql: _Dialect, periods: Periods | None) -> str:
    """The label of the period whose [start, end) holds the contact's end, or NULL."""
    if periods is None:
        return f"CAST(NULL AS {sql.text})"
    accounts: list[tuple[object, object]] = (
        list(periods.items()) if isinstance(periods, Mapping) else [(_ALL, periods)]
    )
    branches = [
        f"WHEN {_account_test(sql, account)}end_us >= {start} AND end_us < {end} "
        f"THEN {sql.literal(label)}"
        for account, bounds in accounts
        for label, start, end in _checked_periods(bounds)
    ]
    if not branches:
        return f"CAST(NULL AS {sql.text})"
    return "CASE " + " ".join(branches) + " END"


_ALL: Final = object()


def _account_test(sql: _Dialect, account: object) -> str:
    if account is _ALL:
        return ""
    if account is None:
        return "account_id IS NULL AND "
    if not isinstance(account, str):
        raise InvalidTypeError("periods", f"the account {account!r} is not text", "text or None")
    return f"account_id = {sql.literal(account)} AND "


def _checked_periods(bounds: object) -> list[PeriodBounds]:
    allowed = "a sequence of (label, start_us, end_us) with integer bounds, start before end"
    if isinstance(bounds, str) or not isinstance(bounds, Sequence):
        raise InvalidTypeError("periods", f"{bounds!r} is not a sequence of periods", allowed)
    checked: list[PeriodBounds] = []
    for index, item in enumerate(bounds):
        if not (
            isinstance(item, tuple | list)
            and len(item) == 3
            and isinstance(item[0], str)
            and all(isinstance(bound, int) and not isinstance(bound, bool) for bound in item[1:])
            and item[1] < item[2]
        ):
            raise InvalidValueError(f"periods[{index}]", f"{item!r} is not a period", allowed)
        checked.append((item[0], item[1], item[2]))
    return checked


def _usage_select(sql: _Dialect, pause_limit: object, decisions: str) -> str:
    """Per (account, period): the counts a period's invoice is priced from."""
    per_reason = ",\n".join(
        f"       COUNT(CASE WHEN status = 'not_billable' AND {sql.contains}(reasons, '{reason}')"
        f" THEN 1 END) AS {column}"
        for reason, column in zip(_REASONS, REASON_COLUMNS, strict=True)
    )
    limit = _limit(sql, pause_limit)
    if limit is None:
        source, overflow = decisions, f"CAST(NULL AS {sql.text})"
    else:
        # The first contact, in (ended, started, id) order, past which the
        # running sum of billable units is above the pause limit.
        source = f"""(
  SELECT d.*,
         SUM(units) OVER (PARTITION BY account_id, period
                          ORDER BY end_us, start_us, interaction_id
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_units,
         {limit} AS pause_limit
  FROM {decisions} AS d
) AS r"""
        overflow = (
            "MAX(CASE WHEN status = 'billable' AND running_units > pause_limit"
            " AND running_units - units <= pause_limit THEN interaction_id END)"
        )
    return f"""SELECT account_id, period,
       COUNT(*) AS contacts,
       COUNT(CASE WHEN escalated THEN 1 END) AS escalated,
       COUNT(CASE WHEN status = 'billable' THEN 1 END) AS billable_interactions,
       CAST(COALESCE(SUM(units), 0) AS DECIMAL(38, 4)) AS billable_units,
       COUNT(CASE WHEN status = 'pending' THEN 1 END) AS pending,
       COUNT(CASE WHEN status = 'not_billable' THEN 1 END) AS not_billable_interactions,
{per_reason},
       {overflow} AS overflow_from
FROM {source}
GROUP BY account_id, period
ORDER BY account_id NULLS FIRST, period NULLS FIRST"""


def _decimal_literal(value: object, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidTypeError(
            path, f"{value!r} is not a decimal", "a Decimal, an int or a decimal string"
        )
    try:
        with decimal.localcontext(ARITHMETIC):
            number = Decimal(value)
    except decimal.InvalidOperation:
        raise InvalidValueError(
            path, f"{value!r} is not a decimal", "a decimal such as 12000"
        ) from None
    if not number.is_finite() or number < 0:
        raise InvalidValueError(path, f"{value!r} is not allowed", "a finite decimal of 0 or more")
    text = format_decimal(number)
    places = len(text.partition(".")[2])
    return f"CAST('{text}' AS DECIMAL(38, {places}))"


def _limit(sql: _Dialect, pause_limit: object) -> str | None:
    if pause_limit is None:
        return None
    if not isinstance(pause_limit, Mapping):
        return _decimal_literal(pause_limit, "pause_limit")
    branches = [
        f"WHEN {_account_test(sql, account)}TRUE THEN {_decimal_literal(limit, 'pause_limit')}"
        for account, limit in pause_limit.items()
    ]
    return "CASE " + " ".join(branches) + " END" if branches else None
