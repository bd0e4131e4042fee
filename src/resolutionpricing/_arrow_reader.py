"""The columnar log reader: ``read_interactions(path, reader="arrow")``, with pyarrow.

pyarrow parses the file (CSV, JSON Lines or Parquet) in C++; the columns are
checked and converted in bulk: timestamps matched against the log's grammar
and cast by pyarrow, the few-valued columns (channel, topics, booleans, csat,
attributes) dictionary-encoded so that each distinct value goes through the
column's converter once. The interactions are those of the standard library
reader, equal value for value.

A file with anything this path is not sure of (a bad row, a cell outside the
common shapes, a parse error) is read again by the careful path, which names
every problem with its line (its row, for Parquet): errors cost a second read,
clean files never do.
"""

from __future__ import annotations

import collections
import csv
import functools
import io
import itertools
import operator
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._interactions import (
    _KNOWN_COLUMNS,
    _NO_ATTRIBUTES,
    _REQUIRED_COLUMNS,
    _SLOT_SETTERS,
    Interaction,
    _boolean,
    _read_attribute,
    _read_csat,
    _read_resolved_topics,
    _read_text,
    _read_topics,
    _ReadLog,
)
from resolutionpricing._limits import MAX_LINE_CHARACTERS, open_regular

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    import pyarrow as pa

__all__ = ["read_with_arrow"]

EXTRA: Final = "resolutionpricing[arrow]"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# The grammar of `parse_timestamp` in RE2, with the years whose instants are
# supported in every offset (0003 to 9997); a cell outside it goes to the careful path.
_TIMESTAMP: Final = (
    r"^(?:000[3-9]|00[1-9]\d|0[1-9]\d\d|[1-8]\d\d\d|9[0-8]\d\d|99[0-8]\d|999[0-7])"
    r"-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)


class NotClean(Exception):  # noqa: N818 (a signal inside this module, never raised to a user)
    """A column the bulk path cannot vouch for: the careful path reads the file."""


def require_pyarrow() -> ModuleType:
    """Import pyarrow, or say which extra brings it."""
    try:
        import pyarrow as pa  # noqa: PLC0415 -- optional dependency
        import pyarrow.compute  # noqa: PLC0415 -- the kernels the reader uses
    except ImportError as error:
        msg = f"read_interactions(..., reader=\"arrow\") needs pyarrow: pip install '{EXTRA}' ({error})"
        raise ImportError(msg) from error
    module: ModuleType = pa
    return module


def _csv_table(path: Path) -> pa.Table:
    """The CSV log as a table of strings, empty cells as "" (never null), as the csv module reads."""
    import pyarrow.csv  # noqa: PLC0415 -- optional dependency

    with open_regular(path, "a log") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        lines = csv.reader(text, strict=True)
        header = next(lines, None)
        first_line = lines.line_num == 1
    # The header on line 1 alone, each column named once, as the careful path requires.
    if not header or not first_line or len(set(header)) != len(header) or not all(header):
        raise NotClean
    if any(column not in header for column in _REQUIRED_COLUMNS):
        raise NotClean
    with open_regular(path, "a log") as raw:
        return pyarrow.csv.read_csv(
            raw,
            read_options=pyarrow.csv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pyarrow.csv.ParseOptions(newlines_in_values=True),
            convert_options=pyarrow.csv.ConvertOptions(
                column_types=dict.fromkeys(header, pyarrow.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )


def _json_table(path: Path) -> pa.Table:
    """The JSON Lines log as a table; its text columns read as strings."""
    import pyarrow as pa  # noqa: PLC0415 -- optional dependency
    import pyarrow.json  # noqa: PLC0415 -- optional dependency

    text_columns = ("id", "customer_id", "channel", "started_at", "ended_at", "logged_at")
    schema = pa.schema([(column, pa.string()) for column in text_columns])
    with open_regular(path, "a log") as raw:
        return pyarrow.json.read_json(
            raw,
            parse_options=pyarrow.json.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="infer"
            ),
        )


def _parquet_table(path: Path) -> pa.Table:
    import pyarrow.parquet  # noqa: PLC0415 -- optional dependency

    with open_regular(path, "a log") as raw:
        return pyarrow.parquet.read_table(raw)


TABLES: Final[dict[str, Callable[[Path], pa.Table]]] = {
    ".csv": _csv_table,
    ".jsonl": _json_table,
    ".ndjson": _json_table,
    ".parquet": _parquet_table,
}


def _by_value(column: pa.ChunkedArray, read: Callable[[object], object], size: int) -> list[object]:
    """Each row's value, each distinct cell read once (a null read as None)."""
    import pyarrow as pa  # noqa: PLC0415 -- optional dependency
    import pyarrow.compute as pc  # noqa: PLC0415 -- optional dependency

    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        memo: dict[object, object] = {}
        values = []
        for cell in column.to_pylist():
            key = None if cell is None else tuple(cell)
            if key not in memo:
                memo[key] = _checked(read, cell)
            values.append(memo[key])
        return values
    encoded = pc.dictionary_encode(column.combine_chunks()) if size else None
    if encoded is None:
        return []
    read_values = [_checked(read, value) for value in encoded.dictionary.to_pylist()]
    if encoded.null_count:
        read_values.append(_checked(read, None))
        indices = _filled(encoded.indices, len(read_values) - 1)
    else:
        indices = encoded.indices.to_pylist()
    return list(map(read_values.__getitem__, indices))


def _filled(indices: pa.Array, last: int) -> list[Any]:
    """Dictionary indices as a list, a null as ``last``.

    Not ``pc.fill_null``: a Python scalar given to pyarrow imports pandas (1.5 s).
    """
    return [last if index is None else index for index in indices.to_pylist()]


def _checked(read: Callable[[object], object], value: object) -> object:
    try:
        return read(value)
    except (InvalidValueError, InvalidTypeError):
        raise NotClean from None


def _texts(column: pa.ChunkedArray, *, optional: bool) -> list[Any]:
    """A text column: every cell a string that is not blank (or empty/null if ``optional``)."""
    import pyarrow as pa  # noqa: PLC0415 -- optional dependency
    import pyarrow.compute as pc  # noqa: PLC0415 -- optional dependency

    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        raise NotClean  # such as JSON numbers, whose text the careful path keeps as written
    cells: list[Any] = column.to_pylist()
    if optional:
        cells = [cell or None for cell in cells]
        if not all(cell is None or cell.strip() for cell in cells):
            raise NotClean
    elif not (
        # A cell starting with a visible ASCII character is not blank: checked in
        # bulk; str.strip (Python's whitespace, not Arrow's) only if one does not.
        (column.null_count == 0 and pc.all(pc.match_substring_regex(column, "^[!-~]")).as_py())
        or all(cell is not None and cell.strip() for cell in cells)
    ):
        raise NotClean
    return cells


def _instants(
    column: pa.ChunkedArray, epochs: dict[int, datetime], *, optional: bool
) -> tuple[list[Any], pa.ChunkedArray]:
    """Timestamps as datetimes in their own offsets, and as microseconds since 1970 (int64, null if empty).

    ``epochs`` holds the epoch in each offset (in minutes) met so far, shared
    by the log's timestamp columns: one tzinfo object per offset.
    """
    import pyarrow as pa  # noqa: PLC0415 -- optional dependency
    import pyarrow.compute as pc  # noqa: PLC0415 -- optional dependency

    size = len(column)
    if pa.types.is_timestamp(column.type):  # Parquet: a typed column, aware or refused
        if column.type.tz is None:
            raise NotClean
        micros = column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
        offsets: list[int] = [0] * size
    elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        if optional:
            # An empty cell is no timestamp. No Python scalar: pyarrow would import pandas.
            given_text = pc.cast(pc.utf8_length(column), pa.bool_())
            column = pc.if_else(given_text, column, pa.nulls(len(column), column.type))
        given = pc.is_valid(column)
        if not optional and not pc.all(given).as_py():
            raise NotClean
        if not pc.all(
            pc.or_kleene(pc.match_substring_regex(column, _TIMESTAMP), pc.invert(given))
        ).as_py():
            raise NotClean  # naive, over-precise or malformed: the careful path names the row
        try:
            micros = pc.cast(column, pa.timestamp("us", tz="UTC")).cast(pa.int64())
        except pa.ArrowInvalid:  # such as 30 February
            raise NotClean from None
        offsets = _offset_minutes(column)
    else:
        raise NotClean
    # The epoch in each offset plus the microseconds: an aware datetime in that
    # offset, one tzinfo object per offset, without parsing the text again.
    for minutes in set(offsets).difference(epochs):
        epochs[minutes] = _EPOCH.astimezone(
            UTC if minutes == 0 else timezone(timedelta(minutes=minutes))
        )
    return _moments(micros, offsets, epochs), micros


def _moments(micros: pa.ChunkedArray, offsets: list[int], epochs: dict[int, datetime]) -> list[Any]:
    """Each instant as a datetime in its offset (``epochs`` holds the epoch in each); null as None."""
    # Without a Python loop: timedelta and the additions are called from map, in C.
    # (pyarrow's own durations to Python objects cost four times as much.)
    values = micros.to_pylist()
    moments: list[Any]
    if micros.null_count:  # an optional column with empty cells
        moments = [
            None if value is None else epochs[minutes] + timedelta(0, 0, value)
            for value, minutes in zip(values, offsets, strict=True)
        ]
    else:
        deltas = map(functools.partial(timedelta, 0, 0), values)
        if len(distinct := set(offsets)) == 1:
            moments = list(map(epochs[distinct.pop()].__add__, deltas))
        else:
            moments = list(map(operator.add, map(epochs.__getitem__, offsets), deltas))
    return moments


def _offset_minutes(column: pa.ChunkedArray) -> list[int]:
    """Each timestamp's offset in minutes, from its text (``Z`` is 0)."""
    import pyarrow.compute as pc  # noqa: PLC0415 -- optional dependency

    tails = pc.dictionary_encode(pc.utf8_slice_codeunits(column.combine_chunks(), -6))
    minutes = []
    for tail in tails.dictionary.to_pylist():
        if tail.endswith("Z"):
            minutes.append(0)
        else:
            sign = -1 if tail[0] == "-" else 1
            minutes.append(sign * (int(tail[1:3]) * 60 + int(tail[4:6])))
    minutes.append(0)  # a null (an empty logged_at)
    return [minutes[index] for index in _filled(tails.indices, len(minutes) - 1)]


def read_with_arrow(path: Path, suffix: str) -> _ReadLog | None:
    """The interactions of a clean log, read in bulk, with their instants; None if the careful path must read it."""
    pa = require_pyarrow()
    try:
        table = TABLES[suffix](path)
    except (pa.ArrowException, UnicodeDecodeError, csv.Error, InvalidValueError, NotClean):
        return None  # the careful path says what is wrong (InvalidValueError: not a regular file)
    try:
        return _interactions(table, suffix)
    except NotClean:
        return None


def _boolean_cell(value: object) -> bool | None:
    return _boolean(value, "true or false")


def _escalated(value: object) -> bool:
    escalated = _boolean_cell(value)
    if escalated is None:
        raise NotClean
    return escalated


def _resolved(value: object) -> frozenset[str]:
    if value is None:  # null or absent in JSON: only the careful path can tell which
        raise NotClean
    return _read_resolved_topics(value)


def _attribute(value: object) -> str:
    if value is None:
        raise NotClean
    return _read_attribute(value)


def _interactions(table: pa.Table, suffix: str) -> _ReadLog:  # noqa: C901, PLR0912, PLR0915 (a column a step)
    """Check and convert every column in bulk, then build the rows; `NotClean` at the first doubt."""
    import pyarrow as pa  # noqa: PLC0415 -- optional dependency
    import pyarrow.compute as pc  # noqa: PLC0415 -- optional dependency

    names = table.column_names
    if len(set(names)) != len(names) or any(column not in names for column in _REQUIRED_COLUMNS):
        raise NotClean
    for name in names:  # a cell over the documented limit: the careful path refuses the file
        cells = table.column(name)
        if (
            (pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type))
            and len(cells)
            and (pc.max(pc.utf8_length(cells)).as_py() or 0) > MAX_LINE_CHARACTERS
        ):
            raise NotClean
    size = table.num_rows
    nothing: list[Any] = [None] * size

    def column(name: str) -> pa.ChunkedArray | None:
        return table.column(name) if name in names else None

    identifiers = _texts(table.column("id"), optional=False)
    customers = _shared_texts(table.column("customer_id"), size)
    channels = _by_value(table.column("channel"), _read_text, size)
    accounts = nothing
    if (cells := column("account_id")) is not None:
        accounts = _shared(_texts(cells, optional=True))
    conversations = identifiers
    if (cells := column("conversation_id")) is not None and not (
        # The usual log: every conversation id is the row's id, checked in bulk.
        pa.types.is_string(cells.type)
        and not cells.null_count
        and pc.all(pc.equal(cells, table.column("id"))).as_py()
    ):
        conversations = [  # the id's own string when they are equal: one string, not two
            identifier if not given or given == identifier else given
            for given, identifier in zip(_texts(cells, optional=True), identifiers, strict=True)
        ]
    distinct = len(
        set(identifiers) if accounts is nothing else set(zip(accounts, identifiers, strict=True))
    )
    if distinct != size:
        raise NotClean  # a repeated id: the careful path names both lines
    epochs: dict[int, datetime] = {}
    started, started_us = _instants(table.column("started_at"), epochs, optional=False)
    ended, ended_us = _instants(table.column("ended_at"), epochs, optional=False)
    if size and pc.any(pc.less(ended_us, started_us)).as_py():
        raise NotClean
    logged = nothing
    logged_list: list[int] | None = None
    if (cells := column("logged_at")) is not None:
        logged, logged_us = _instants(cells, epochs, optional=True)
        if size and pc.any(pc.less(logged_us, started_us)).as_py():  # an empty cell is null
            raise NotClean
        if logged_us.null_count < size:  # as `Instants`: a row without logged_at, at its start
            logged_list = pc.coalesce(logged_us, started_us).to_pylist()
    topics = _by_value(table.column("topics"), _read_topics, size)
    resolved = _by_value(table.column("resolved_topics"), _resolved, size)
    if not all(done <= raised for done, raised in zip(resolved, topics, strict=True)):  # type: ignore[operator]
        raise NotClean
    escalated = _by_value(table.column("escalated"), _escalated, size)
    confirmed = nothing
    if (cells := column("confirmed")) is not None:
        confirmed = _by_value(cells, _boolean_cell, size)
    scores = nothing
    if (cells := column("csat")) is not None:
        if suffix != ".parquet" and pa.types.is_floating(cells.type):
            raise NotClean  # a JSON 4.0, which the careful path refuses by its text
        scores = _by_value(cells, _read_csat, size)
    others = sorted(name for name in names if name not in _KNOWN_COLUMNS)
    attributes: list[Any] = [_NO_ATTRIBUTES] * size
    if others:
        if suffix != ".parquet" and not all(
            pa.types.is_string(table.column(name).type) for name in others
        ):
            raise NotClean  # JSON numbers keep the text the file wrote: the careful path's work
        if len(others) == 1:  # the common case: one mapping per distinct cell, no row tuples
            (name,) = others
            attributes = _by_value(
                table.column(name),
                lambda cell: MappingProxyType({name: _attribute(cell)}),
                size,
            )
        else:
            attributes = _attribute_maps(
                others, [_by_value(table.column(name), _attribute, size) for name in others]
            )
    contacts = list(map(object.__new__, itertools.repeat(Interaction, size)))
    columns = (
        identifiers,
        customers,
        channels,
        started,
        ended,
        topics,
        resolved,
        escalated,
        confirmed,
        scores,
        conversations,
        attributes,
        accounts,
        logged,
    )
    # A field at a time over every row, in C: half the cost of building row by row.
    for set_field, values in zip(_SLOT_SETTERS, columns, strict=True):
        collections.deque(map(set_field, contacts, values), maxlen=0)
    return _ReadLog.of(contacts, started_us.to_pylist(), ended_us.to_pylist(), logged_list)


def _shared_texts(column: pa.ChunkedArray, size: int) -> list[Any]:
    """A required text column of few values (customers): checked once a value, one string each."""
    import pyarrow as pa  # noqa: PLC0415 -- optional dependency
    import pyarrow.compute as pc  # noqa: PLC0415 -- optional dependency

    if not size or column.null_count or not pa.types.is_string(column.type):
        return _by_value(column, _read_text, size)
    encoded = pc.dictionary_encode(column.combine_chunks())
    values: list[Any] = encoded.dictionary.to_pylist()
    # Arrow's strings are UTF-8, so hold no lone surrogate: a value is good if it is not
    # blank, which a visible ASCII first character shows in bulk.
    if not (
        pc.all(pc.match_substring_regex(encoded.dictionary, "^[!-~]")).as_py()
        or all(value.strip() for value in values)
    ):
        raise NotClean
    return list(map(values.__getitem__, encoded.indices.to_pylist()))


def _shared(cells: list[Any]) -> list[Any]:
    """The same strings, one object per distinct value."""
    memo: dict[Any, Any] = {}
    return [memo.setdefault(cell, cell) for cell in cells]


def _attribute_maps(names: Sequence[str], columns: list[list[object]]) -> list[Any]:
    """Each row's attributes, one read-only mapping per distinct combination."""
    memo: dict[tuple[object, ...], Any] = {}
    maps = []
    for cells in zip(*columns, strict=True):
        mapping = memo.get(cells)
        if mapping is None:
            mapping = memo[cells] = MappingProxyType(dict(zip(names, cells, strict=True)))
        maps.append(mapping)
    return maps
