"""The DuckDB engine: load a log into the canonical table, check it, decide it in SQL.

The decisions are made by `ResolutionRule.to_sql` itself (no second query);
this module only loads and checks the log and runs that SQL.

Loading. A CSV file is read by DuckDB as text and converted in SQL; a Parquet
file, a pyarrow Table, or a pandas or polars DataFrame (through Arrow) is
converted from its column types: text or integer ids, text or
timezone-aware timestamps (a timestamp without a zone is refused), topics as
a list of text or one ``;``-separated string, booleans or ``true``/``false``
text, integer or digit CSAT. A JSON Lines file is read by the Python reader
(`read_interactions`) and then decided in SQL.

Checking. Every rule of the Python readers is checked in SQL: required
columns, non-blank ids, customer and channel, timestamps with an offset,
``ended_at`` on or after ``started_at``, at least one topic and no empty one,
resolved topics among the topics, booleans, CSAT an integer from 1 to 5,
``logged_at`` (optional) not before ``started_at``, and ids unique per account.

Late data. A row logged after ``as_of`` (``logged_at``) is ignored, as
`resolutionpricing.decide` ignores it; without ``as_of`` what was known is the
latest start, end or ``logged_at`` of the whole log. The fast path accepts only text timestamps of the
shape ``2026-10-01T09:30:00[.ffffff](Z|+04:00)``; when any row fails a check,
the Python reader reads the same source again and either raises its
`InteractionLogError`, with every problem located by line (or record) and
column, or, when it accepts every row (an ISO 8601 form the fast path does not
parse, say), its rows are decided instead. So no row is ever dropped or
changed silently: the SQL checks can only be stricter than the reader, never
looser.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Final

import attrs

from resolutionpricing._errors import InteractionLogError, InvalidTypeError, InvalidValueError
from resolutionpricing._interactions import (
    Interaction,
    interactions_from_records,
    read_interactions,
)
from resolutionpricing._rules import ResolutionRule
from resolutionpricing._sql import Periods, usage_over

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

__all__ = ["SQLDecisions", "decide_duckdb", "interactions_to_arrow"]

_EXTRA: Final = "resolutionpricing[duckdb]"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_TEXT_COLUMNS: Final = ("id", "customer_id", "channel")
_REQUIRED: Final = (
    "id",
    "customer_id",
    "channel",
    "started_at",
    "ended_at",
    "topics",
    "resolved_topics",
    "escalated",
)
# The characters other than the space that Python's str.strip() removes, as an
# RE2 class. DuckDB's trim removes spaces only: a row holding any of these in a
# text cell is left to the Python reader, so trim means strip on every other row.
_OTHER_SPACE: Final = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)
_TIMESTAMP: Final = (
    # Hours 00-23 and seconds 00-59, as the reader: DuckDB's cast reads 24:00 as the next day.
    r"(\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?)"
    r"(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
)


def _require() -> tuple[ModuleType, ModuleType]:
    """Import duckdb and pyarrow, or say which extra brings them."""
    try:
        import duckdb  # noqa: PLC0415 -- optional dependency
        import pyarrow as pa  # noqa: PLC0415 -- optional dependency
    except ImportError as error:
        msg = f"the DuckDB engine needs duckdb and pyarrow: pip install '{_EXTRA}' ({error})"
        raise ImportError(msg) from error
    return duckdb, pa


def _connect() -> duckdb.DuckDBPyConnection:
    engine, _ = _require()
    # Offline by design: never fetch an extension (parquet, json and icu are built in).
    connection: duckdb.DuckDBPyConnection = engine.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    return connection


@attrs.frozen(kw_only=True)
class SQLDecisions:
    """What the DuckDB engine returns: the decisions as Arrow, and the usage per period.

    Attributes:
        decisions: one row per contact known at the cutoff, in the columns of
            `ResolutionRule.to_sql` (a ``pyarrow.Table``).
        usage: one mapping per (account, period), with the usage query's
            columns (``billable_units`` a `Decimal`).
        cutoff_us: the instant decided at, in microseconds since the epoch.
    """

    decisions: pa.Table
    usage: tuple[Mapping[str, object], ...]
    cutoff_us: int | None


def decide_duckdb(
    rule: ResolutionRule,
    source: object,
    *,
    as_of: datetime | None = None,
    periods: Periods | None = None,
    accounts: Collection[str | None] | None = None,
    pause_limit: Decimal | int | str | Mapping[str | None, Decimal | int | str] | None = None,
    out: str | os.PathLike[str] | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> SQLDecisions:
    """Decide a log in DuckDB with ``rule.to_sql``, after checking it as the readers do.

    Args:
        rule: the resolution rule.
        source: a ``.csv``, ``.jsonl``/``.ndjson`` or ``.parquet`` path, a
            pyarrow Table, or a pandas or polars DataFrame, with the log's
            columns (``account_id`` optional).
        as_of: what was known (timezone-aware): rows logged after it
            (``logged_at``) are ignored; defaults to the latest
            timestamp of the whole log (every account, before ``accounts``
            selects some).
        periods: billing periods, as for `ResolutionRule.to_sql`.
        accounts: decide only these accounts (None for the rows without one);
            all by default.
        pause_limit: as for `ResolutionRule.to_sql`.
        out: also write the decisions to this Parquet file.
        connection: a DuckDB connection to use (a fresh one by default).

    Returns:
        The decisions (Arrow) and the usage per (account, period).

    Raises:
        InteractionLogError: if any row of the log is bad, listing every problem.
        ImportError: without duckdb and pyarrow (``resolutionpricing[duckdb]``).
    """
    known_at = _as_of_us(as_of)
    database = connection if connection is not None else _connect()
    with _loaded(database, source) as table:
        if known_at is None:
            known_at = _latest_us(database, table)
        selected = _selected(_known_rows(table, known_at), accounts)
        # Decided once, kept in a table: the usage adds up those rows.
        decided = f"{table}_decisions"
        database.execute(
            f"CREATE TEMP TABLE {decided} AS "
            + rule.to_sql(selected, as_of_us=known_at, periods=periods)
        )
        try:
            decisions = database.sql(f"SELECT * FROM {decided}").to_arrow_table()
            result = database.execute(usage_over(decided, pause_limit=pause_limit))
            columns = [column[0] for column in result.description or ()]
            usage = result.fetchall()
        finally:
            database.execute(f"DROP TABLE IF EXISTS {decided}")
    if out is not None:
        import pyarrow.parquet  # noqa: PLC0415 -- optional dependency

        pyarrow.parquet.write_table(decisions, os.fspath(out))
    return SQLDecisions(
        decisions=decisions,
        usage=tuple(dict(zip(columns, row, strict=True)) for row in usage),
        cutoff_us=known_at,
    )


def _as_of_us(as_of: datetime | None) -> int | None:
    if as_of is None:
        return None
    if not isinstance(as_of, datetime):
        raise InvalidTypeError("as_of", f"{as_of!r} is not a datetime", "a timezone-aware datetime")
    if as_of.utcoffset() is None:
        raise InvalidValueError(
            "as_of", f"{as_of.isoformat()} has no time zone", "a timezone-aware datetime"
        )
    return (as_of - _EPOCH) // _MICROSECOND


def _latest_us(database: duckdb.DuckDBPyConnection, table: str) -> int | None:
    """The default ``as_of``: the latest start, end or ``logged_at`` of the whole table."""
    latest: int | None = database.execute(
        "SELECT GREATEST(MAX(start_us), MAX(end_us), COALESCE(MAX(logged_us), MAX(start_us)))"
        f" FROM {table}"
    ).fetchall()[0][0]
    return latest


def _known_rows(table: str, known_at: int | None) -> str:
    """The rows that were in the log at ``known_at``: a row logged after it is ignored."""
    if known_at is None:  # an empty table
        return table
    return f"(SELECT * FROM {table} WHERE logged_us IS NULL OR logged_us <= {int(known_at)})"


def _selected(table: str, accounts: Collection[str | None] | None) -> str:
    if accounts is None:
        return table
    tests = []
    for account in accounts:
        if account is None:
            tests.append("account_id IS NULL")
        elif isinstance(account, str):
            tests.append("account_id = '" + account.replace("'", "''") + "'")
        else:
            raise InvalidTypeError("accounts", f"{account!r} is not an account id", "text or None")
    where = " OR ".join(tests) or "FALSE"
    return f"(SELECT * FROM {table} WHERE {where})"


_TABLE_COUNTER: list[int] = [0]


@contextmanager
def _loaded(database: duckdb.DuckDBPyConnection, source: object) -> Iterator[str]:
    """Load ``source`` into a checked canonical temporary table; yield its name, then drop it."""
    _TABLE_COUNTER[0] += 1
    name = f"resolutionpricing_contacts_{_TABLE_COUNTER[0]}"
    raw = f"{name}_raw"
    try:
        fallback = _load_raw(database, source, raw)
        if fallback is None:
            try:
                _canonical(database, raw, name)
            except _require()[0].Error:  # such as broken CSV quoting: the reader says where
                fallback = _python_rows(source)
            else:
                if _has_problems(database, name):
                    fallback = _python_rows(source)
        if fallback is not None:
            database.execute(f"DROP TABLE IF EXISTS {name}")
            database.execute(f"DROP VIEW IF EXISTS {raw}")
            database.register(raw, interactions_to_arrow(fallback))
            _canonical(database, raw, name)
        yield name
    finally:
        database.execute(f"DROP TABLE IF EXISTS {name}")
        database.execute(f"DROP VIEW IF EXISTS {raw}")
        with suppress(Exception):  # when nothing was registered under that name
            database.unregister(raw)


def _load_raw(
    database: duckdb.DuckDBPyConnection, source: object, raw: str
) -> list[Interaction] | None:
    """Make ``raw`` a view of the source as given; or return its rows, read in Python."""
    _, pa = _require()
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        suffix = path.suffix.lower()
        if suffix in {".jsonl", ".ndjson"}:
            return list(read_interactions(path))
        if suffix == ".parquet":
            database.execute(f"CREATE VIEW {raw} AS SELECT * FROM read_parquet({_quoted(path)})")
            return None
        if suffix == ".csv":
            return _load_csv(database, path, raw)
        raise InvalidValueError(
            "source", f"{str(path)!r} is not a log file", "a .csv, .jsonl, .ndjson or .parquet file"
        )
    table = _arrow_of(pa, source)
    database.register(raw, _microseconds(pa, table))
    return None


def _quoted(path: Path) -> str:
    return "'" + os.fspath(path).replace("'", "''") + "'"


def _arrow_of(pa: ModuleType, source: object) -> pa.Table:
    """A pyarrow Table of an Arrow, pandas or polars table."""
    if isinstance(source, pa.Table):
        return source
    kind = f"{type(source).__module__}.{type(source).__name__}"
    if kind.startswith("pandas.") and kind.endswith("DataFrame"):
        return pa.Table.from_pandas(source, preserve_index=False)
    if kind.startswith("polars.") and kind.endswith("DataFrame"):
        return source.to_arrow()  # type: ignore[attr-defined]
    raise InvalidTypeError(
        "source",
        f"{type(source).__name__} is not a log",
        "a .csv, .jsonl or .parquet path, a pyarrow Table, or a pandas or polars DataFrame",
    )


def _microseconds(pa: ModuleType, table: pa.Table) -> pa.Table:
    """Timestamps in microseconds: a nanosecond part would be cut off, so it is refused."""
    import pyarrow.compute  # noqa: PLC0415 -- optional dependency

    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            try:
                column = pyarrow.compute.cast(
                    table.column(index), pa.timestamp("us", tz=field.type.tz), safe=True
                )
            except pa.ArrowInvalid:
                raise InteractionLogError(
                    "the log has 1 problem",
                    [
                        InvalidValueError(
                            field.name,
                            "has a timestamp with a part below a microsecond",
                            "timestamps in whole microseconds",
                        )
                    ],
                ) from None
            table = table.set_column(index, field.name, column)
    return table


def _load_csv(
    database: duckdb.DuckDBPyConnection, path: Path, raw: str
) -> list[Interaction] | None:
    """A view of the CSV as text, its header read as the Python reader reads it."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        try:
            header = next((fields for fields in csv.reader(file, strict=True) if fields), None)
        except (csv.Error, UnicodeDecodeError):
            header = None
    if (
        header is None
        or len(set(header)) != len(header)
        or "" in header
        or not set(_REQUIRED) <= set(header)
    ):
        return _python_rows(path)  # raises, naming the header's problems
    columns = ", ".join(f"{_quoted(Path(name))}: 'VARCHAR'" for name in header)
    database.execute(
        f"CREATE VIEW {raw} AS SELECT * FROM read_csv({_quoted(path)}, columns = {{{columns}}},"
        " header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"',"
        " strict_mode = true, null_padding = false, encoding = 'utf-8')"
    )
    return None


def _python_rows(source: object) -> list[Interaction]:
    """The rows as the Python readers read them: they raise for every bad row, located."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet  # noqa: PLC0415 -- optional dependency

            return list(interactions_from_records(pyarrow.parquet.read_table(path).to_pylist()))
        return list(read_interactions(path))
    _, pa = _require()
    records = _arrow_of(pa, source).to_pylist()
    for record in records:
        # Without an account is no account, until interactions carry their own.
        if record.get("account_id", "") is None:
            del record["account_id"]
    return list(interactions_from_records(records))


def interactions_to_arrow(interactions: Collection[Interaction]) -> pa.Table:
    """The canonical contacts table of `Interaction` objects, as a pyarrow Table.

    The account is the ``account_id`` attribute (empty for none) until
    interactions carry their own.
    """
    _, pa = _require()
    rows = list(interactions)
    instants = [
        ((row.started_at - _EPOCH) // _MICROSECOND, (row.ended_at - _EPOCH) // _MICROSECOND)
        for row in rows
    ]
    columns = {
        "account_id": [
            getattr(row, "account_id", None) or row.attributes.get("account_id") or None
            for row in rows
        ],
        "id": [row.id for row in rows],
        "customer_id": [row.customer_id for row in rows],
        "conversation_id": [row.conversation_id for row in rows],
        "channel": [row.channel for row in rows],
        "started_at": [start for start, _ in instants],
        "ended_at": [end for _, end in instants],
        "topics": [sorted(row.topics) for row in rows],
        "resolved_topics": [sorted(row.resolved_topics) for row in rows],
        "escalated": [row.escalated for row in rows],
        "confirmed": [row.confirmed for row in rows],
        "csat": [row.csat for row in rows],
        "logged_at": [
            None if row.logged_at is None else (row.logged_at - _EPOCH) // _MICROSECOND
            for row in rows
        ],
    }
    text, texts = pa.string(), pa.list_(pa.string())
    instant = pa.timestamp("us", tz="UTC")
    schema = pa.schema(
        [
            ("account_id", text),
            ("id", text),
            ("customer_id", text),
            ("conversation_id", text),
            ("channel", text),
            ("started_at", instant),
            ("ended_at", instant),
            ("topics", texts),
            ("resolved_topics", texts),
            ("escalated", pa.bool_()),
            ("confirmed", pa.bool_()),
            ("csat", pa.int8()),
            ("logged_at", instant),
        ]
    )
    return pa.table(columns, schema=schema)


_INTEGERS: Final = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    }
)


def _strip(column: str) -> str:
    return f"trim({column})"


def _blank(column: str) -> str:
    return f"trim({column}) = ''"


def _text(column: str, kind: str | None) -> tuple[str, str]:
    """A required identifier: non-blank text, or an integer read as its digits."""
    if kind == "VARCHAR":
        return column, f"{column} IS NULL OR {_blank(column)}"
    if kind in _INTEGERS:
        return f"CAST({column} AS VARCHAR)", f"{column} IS NULL"
    return "NULL", "TRUE"


def _optional_text(column: str, kind: str | None) -> tuple[str, str]:
    """An optional identifier: NULL when the cell is empty or missing."""
    if kind is None:
        return "CAST(NULL AS VARCHAR)", "FALSE"
    if kind == "VARCHAR":
        return f"NULLIF({column}, '')", f"{column} <> '' AND {_blank(column)}"
    if kind in _INTEGERS:
        return f"CAST({column} AS VARCHAR)", "FALSE"
    return "NULL", f"{column} IS NOT NULL"


def _parts(column: str) -> str:
    """The column of ``column`` parsed once (a quoted name: ``"started_at"``)."""
    return column[:-1] + '__parts"'


_PARSED_TIMESTAMPS: Final = ("started_at", "ended_at", "logged_at")
_PARSED_TOPICS: Final = ("topics", "resolved_topics")


def _pre_parsed(raw: str, kinds: Mapping[str, str]) -> str:
    """``raw`` with each text timestamp matched and each text topics list split, once per row.

    The checks and the values both read these parts: parsing them in a subquery
    keeps DuckDB from matching the same cell once per use.
    """
    columns = ["*"]
    for name in _PARSED_TIMESTAMPS:
        column = f'"{name}"'
        if kinds.get(name) == "VARCHAR":
            # The grammar is checked first: only then does DuckDB's cast read
            # the text (its offset included), so the cast can accept no other
            # form. Not stripped: the Python reader refuses surrounding spaces.
            instant = (
                f"CASE WHEN regexp_full_match({column}, '{_TIMESTAMP}')"
                f" THEN epoch_us(TRY_CAST({column} AS TIMESTAMPTZ)) END"
            )
            columns.append(f"{instant} AS {_parts(column)}")
    if kinds.get("csat") == "VARCHAR":
        column = '"csat"'
        text = _strip(column)
        score = f"TRY_CAST(CASE WHEN regexp_full_match({text}, '[+-]?[0-9]{{1,18}}') THEN {text} END AS BIGINT)"
        columns.append(f"{score} AS {_parts(column)}")
    for name in _PARSED_TOPICS:
        column = f'"{name}"'
        if kinds.get(name) == "VARCHAR":
            split = f"list_transform(string_split({column}, ';'), lambda x: {_strip('x')})"
            columns.append(f"{split} AS {_parts(column)}")
    return f"(SELECT {', '.join(columns)} FROM {raw})"


def _instant(column: str, kind: str | None) -> tuple[str, str]:
    """Microseconds since the epoch, from an offset timestamp (text) or a zoned one."""
    if kind == "VARCHAR":
        value = _parts(column)  # matched and read once, in the subquery of _pre_parsed
        return value, f"{value} IS NULL"
    if kind == "TIMESTAMP WITH TIME ZONE":
        return f"epoch_us({column})", f"{column} IS NULL"
    return "CAST(NULL AS BIGINT)", "TRUE"  # a naive timestamp, or not a timestamp


def _optional_instant(column: str, kind: str | None) -> tuple[str, str]:
    """``logged_at``: microseconds since the epoch, or NULL for an empty cell or no column."""
    if kind is None:
        return "CAST(NULL AS BIGINT)", "FALSE"
    value, bad = _instant(column, kind)
    if kind == "VARCHAR":
        return (
            f"CASE WHEN {_blank(column)} THEN NULL ELSE {value} END",
            f"NOT {_blank(column)} AND {bad}",
        )
    return value, "FALSE" if kind == "TIMESTAMP WITH TIME ZONE" else bad


def _topics(column: str, kind: str | None, *, required: bool) -> tuple[str, str]:
    """A list of distinct topics, from a list of text or a ';'-separated string."""
    missing = f"{column} IS NULL" if required else "FALSE"
    if kind == "VARCHAR":
        parts = _parts(column)  # split once, in the subquery of _pre_parsed
        # Repeated topics are kept: the decisions query ignores them (list_distinct).
        value = f"CASE WHEN {column} IS NULL OR {parts} = [''] THEN CAST([] AS VARCHAR[]) ELSE {parts} END"
        return value, f"{missing} OR (len({parts}) > 1 AND list_contains({parts}, ''))"
    if kind == "VARCHAR[]":
        value = f"COALESCE({column}, CAST([] AS VARCHAR[]))"
        items = f"len(list_filter({column}, lambda x: x IS NULL OR {_blank('x')})) > 0"
        return value, f"{missing} OR {items}"
    return "CAST([] AS VARCHAR[])", "TRUE"


def _boolean(column: str, kind: str | None, *, required: bool) -> tuple[str, str]:
    if kind is None:
        return "CAST(NULL AS BOOLEAN)", "TRUE" if required else "FALSE"
    if kind == "BOOLEAN":
        return column, f"{column} IS NULL" if required else "FALSE"
    if kind == "VARCHAR":
        word = f"lower({_strip(column)})"
        value = f"CASE {word} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
        allowed = f"{word} IN ('true', 'false')" + ("" if required else f" OR {word} = ''")
        return value, f"{column} IS NULL AND {_flag(required)} OR NOT ({allowed})"
    return "CAST(NULL AS BOOLEAN)", f"{column} IS NOT NULL OR {_flag(required)}"


def _flag(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _csat(column: str, kind: str | None) -> tuple[str, str]:
    """A rating from 1 to 5, or NULL."""
    if kind is None:
        return "CAST(NULL AS INTEGER)", "FALSE"
    if kind in _INTEGERS:
        return (
            f"CAST(CASE WHEN {column} BETWEEN 1 AND 5 THEN {column} END AS INTEGER)",
            f"{column} IS NOT NULL AND {column} NOT BETWEEN 1 AND 5",
        )
    if kind == "VARCHAR":
        text = _strip(column)
        score = _parts(column)  # read once, in the subquery of _pre_parsed
        value = f"CAST(CASE WHEN {score} BETWEEN 1 AND 5 THEN {score} END AS INTEGER)"
        return value, f"{text} <> '' AND ({value}) IS NULL"
    return "CAST(NULL AS INTEGER)", f"{column} IS NOT NULL"


def _canonical(database: duckdb.DuckDBPyConnection, raw: str, name: str) -> None:
    """Create the canonical table ``name`` from ``raw``, with a ``problem`` flag per row."""
    kinds = {row[0]: row[1] for row in database.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()}

    def quoted(column: str) -> str:
        return '"' + column + '"'

    def of(column: str) -> tuple[str, str | None]:
        return quoted(column), kinds.get(column)

    parts = {
        "account_id": _optional_text(*of("account_id")),
        "id": _text(*of("id")),
        "customer_id": _text(*of("customer_id")),
        "conversation_id": _optional_text(*of("conversation_id")),
        "channel": _text(*of("channel")),
        "start_us": _instant(*of("started_at")),
        "end_us": _instant(*of("ended_at")),
        "topics": _topics(*of("topics"), required=True),
        "resolved_topics": _topics(*of("resolved_topics"), required=False),
        "escalated": _boolean(*of("escalated"), required=True),
        "confirmed": _boolean(*of("confirmed"), required=False),
        "csat": _csat(*of("csat")),
        "logged_us": _optional_instant(*of("logged_at")),
    }
    if any(column not in kinds for column in _REQUIRED):
        parts["id"] = ("NULL", "TRUE")  # the Python reader names the missing columns
    values = ",\n  ".join(f"{value} AS {column}" for column, (value, _) in parts.items())
    # Each check is FALSE, not NULL, for a NULL that its column allows.
    problems = " OR ".join(f"COALESCE({bad}, FALSE)" for _, bad in parts.values())
    # started_at and ended_at are matched unstripped against the grammar, which
    # has no space of any kind: they need no look for other spaces.
    texts = [
        quoted(column)
        for column, kind in kinds.items()
        if kind == "VARCHAR" and column not in {"started_at", "ended_at"}
    ]
    if texts:
        cells = f"concat_ws('|', {', '.join(texts)})"
        problems += f" OR regexp_matches({cells}, '{_OTHER_SPACE}')"
    database.execute(
        f"""CREATE TEMP TABLE {name} AS
SELECT account_id, id, customer_id, COALESCE(conversation_id, id) AS conversation_id, channel,
       start_us, end_us, topics, resolved_topics, escalated, confirmed, csat, logged_us,
       problem
         OR end_us < start_us
         OR COALESCE(logged_us < start_us, FALSE)
         OR len(topics) = 0
         OR NOT list_has_all(topics, resolved_topics) AS problem
FROM (
  SELECT {values},
  {problems} AS problem
  FROM {_pre_parsed(raw, kinds)}
)"""
    )


def _has_problems(database: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether any row is bad, or any id repeats within its account."""
    (bad,) = database.execute(f"SELECT COUNT(*) FROM {name} WHERE problem IS NOT FALSE").fetchall()[
        0
    ]
    (repeated,) = database.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {name} GROUP BY account_id, id HAVING COUNT(*) > 1)"
    ).fetchall()[0]
    return bool(bad or repeated)
