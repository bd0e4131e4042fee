"""The log readers agree: the fast CSV path, the careful path, and the Arrow reader.

`read_interactions` checks a clean CSV row on a fast path and hands any other
row to the careful path (the one `interactions_from_records` and JSON Lines
use); these tests pin that the two accept the same rows, with equal values, and
report the same problems, and that the builder that skips `Interaction`'s
validators is only given what they would accept.
"""

from __future__ import annotations

import csv
import inspect
import json
import pickle
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    Interaction,
    InteractionLogError,
    InvalidValueError,
    ReadReport,
    interactions_from_records,
    read_interactions,
)
from resolutionpricing._engine import Instants
from resolutionpricing._interactions import (
    _micros,
    _read_csv_rows,
    _ReadLog,
    _Rows,
    _timestamp_reader,
    _trusted_interaction,
    parse_timestamp,
)
from resolutionpricing.strategies import interactions

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = (
    "id",
    "account_id",
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
    "logged_at",
    "region",
    "tenant",
)
GOOD = {
    "id": "c1",
    "account_id": "",
    "customer_id": "u1",
    "conversation_id": "",
    "channel": "chat",
    "started_at": "2026-10-01T09:00:00+04:00",
    "ended_at": "2026-10-01T09:04:00+04:00",
    "topics": "billing; refund",
    "resolved_topics": "billing",
    "escalated": "false",
    "confirmed": "",
    "csat": "5",
    "logged_at": "",
    "region": "UAE",
    "tenant": "acme",
}

# Cells that sit at the edge of what a column accepts, for every column.
edge_cells = st.sampled_from(
    [
        "",
        " ",
        "\u00a0",
        "c1",
        "c2",
        " c1",
        "acct-1",
        "TRUE",
        "False",
        " true ",
        "yes",
        "0",
        "6",
        "+3",
        "4.0",
        "billing",
        "refund",
        "billing;refund",
        "billing;;refund",
        ";",
        "2026-10-01T09:00:00Z",
        "2026-10-01T09:03:00+04:00",
        "2026-10-01T09:00:00-00:00",
        "2026-10-01T09:00:00+05:60",
        "2026-10-01T09:00:00+24:00",
        "2026-10-01T24:00:00Z",
        "2026-02-30T09:00:00Z",
        "2026-10-01 09:00:00+04:00",
        "2026-10-01T09:00+04:00",
        "2026-10-01T09:00:00.5+04:00",
        "2026-10-01T09:00:00",
        "0002-01-01T00:00:00+14:00",
        "9998-12-31T12:00:00Z",
        "2026-10-01T09:00:00\u0664Z",
        "2026-\u0661\u0660-01T09:00:00Z",  # Arabic-Indic digits
    ]
)


@st.composite
def log_rows(draw: st.DrawFn) -> dict[str, str]:
    """A good row with a few cells replaced by edge cells or generated text."""
    row = dict(GOOD, id=draw(st.sampled_from(["c1", "c2", "c3", "c4", " ", ""])))
    for column in draw(st.sets(st.sampled_from(COLUMNS), max_size=4)):
        row[column] = draw(st.one_of(edge_cells, st.text(max_size=12)))
    return row


def _as_fields(contact: Interaction) -> dict[str, Any]:
    return {field.name: getattr(contact, field.name) for field in attrs.fields(Interaction)}


def _single_line(text: str) -> str:
    # The careful reader below numbers records, not lines: one line per row.
    return text.replace("\n", "").replace("\r", "").replace("\x00", "")


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerows({key: _single_line(value) for key, value in row.items()} for row in rows)


def _careful(path: Path) -> ReadReport:
    """The log read by the careful path alone, its problems located by line like the CSV reader's."""
    with path.open(encoding="utf-8", newline="") as file:
        report = interactions_from_records(list(csv.DictReader(file)), errors="collect")
    for row in report.rejected:
        for problem in row.problems:
            assert problem.path.startswith(f"record {row.line}")
    return report


_RECORD = re.compile(r"\brecord (\d+)")


def _texts(report: ReadReport, shift: int) -> list[tuple[int, list[str]]]:
    """Each rejected row's line and problems, "record N" read as "line N + shift" (the id's too)."""
    return [
        (
            row.line + shift,
            [
                _RECORD.sub(lambda found: f"line {int(found[1]) + shift}", str(problem))
                for problem in row.problems
            ],
        )
        for row in report.rejected
    ]


@given(rows=st.lists(log_rows(), max_size=6))
def test_the_fast_csv_path_accepts_and_refuses_what_the_careful_path_does(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]]
) -> None:
    """On rows at every column's edge, the CSV reader and the records reader give equal results."""
    path = tmp_path_factory.mktemp("differential") / "log.csv"
    _write(path, rows)
    fast = read_interactions(path, errors="collect")
    careful = _careful(path)
    assert fast.interactions == careful.interactions
    for contact in careful.interactions:  # what the readers accept, the validators accept
        assert Interaction(**_as_fields(contact)) == contact
    assert _texts(fast, 0) == _texts(careful, 1)  # record 1 is line 2, after the header


class _Lines:
    """Rows as `csv.reader` gives them, one a line after the header (``line_num`` included)."""

    def __init__(self, rows: list[list[str]]) -> None:
        self._rows = iter(rows)
        self.line_num = 1

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> list[str]:
        row = next(self._rows)
        self.line_num += 1
        return row


class _CountedRows(_Rows):
    """The rows of a log, noting which line numbers went to the careful path."""

    def __init__(self) -> None:
        super().__init__("line")
        self.careful: list[int] = []

    def add(self, number: int, *args: Any) -> None:
        self.careful.append(number)
        super().add(number, *args)


def test_a_clean_row_takes_the_fast_path() -> None:
    """A clean row is built by the fast path; a row it is unsure of is left to the careful one."""
    rows = _CountedRows()
    lines = [
        [GOOD[column] for column in COLUMNS],
        [dict(GOOD, id="c2", csat="6")[column] for column in COLUMNS],
        [GOOD[column] for column in COLUMNS],  # c1 again: the careful path names the first line
    ]
    _read_csv_rows(_Lines(lines), list(COLUMNS), rows)  # type: ignore[arg-type]
    assert rows.careful == [3, 4]
    assert [row.line for row in rows.rejected] == [3, 4]
    (contact,) = rows.interactions
    assert contact == Interaction(
        id="c1",
        customer_id="u1",
        channel="chat",
        started_at=datetime(2026, 10, 1, 5, 0, tzinfo=UTC),
        ended_at=datetime(2026, 10, 1, 5, 4, tzinfo=UTC),
        topics=["billing", "refund"],
        resolved_topics=["billing"],
        csat=5,
        attributes={"region": "UAE", "tenant": "acme"},
    )
    assert rows.starts == rows.logged == [_micros(datetime(2026, 10, 1, 5, 0, tzinfo=UTC))]
    assert rows.ends == [rows.starts[0] + 4 * 60 * 1_000_000]
    assert not rows.has_logged


# The timestamps of the fast path: never one the grammar refuses, always the same instant.
_DIGIT = st.sampled_from("0123456789")
_SHAPED = st.builds(
    "{}{}{}{}-{}{}-{}{}T{}{}:{}{}:{}{}{}".format,
    *([_DIGIT] * 14),
    st.one_of(
        st.just("Z"),
        st.builds("{}{}{}:{}{}".format, st.sampled_from("+-"), *([_DIGIT] * 4)),
    ),
)


@given(text=st.one_of(_SHAPED, edge_cells))
def test_fast_timestamps_are_those_of_the_grammar(text: str) -> None:
    """A timestamp the fast path reads, the grammar reads as the same instant with the same offset."""
    moment = _timestamp_reader()(text)
    if moment is None:
        return
    expected = parse_timestamp(text)
    assert moment == expected
    assert moment.utcoffset() == expected.utcoffset()


def test_fast_timestamps_leave_an_offset_minute_of_60_to_the_grammar() -> None:
    """Python reads +05:60 as +06:00: the fast path leaves it to the grammar, which refuses it."""
    assert _timestamp_reader()("2026-10-01T09:00:00+05:60") is None
    with pytest.raises(InvalidValueError, match="not an RFC 3339 timestamp"):
        parse_timestamp("2026-10-01T09:00:00+05:60")


def test_the_trusted_builder_takes_the_fields_in_their_order() -> None:
    """_trusted_interaction's parameters are Interaction's fields, in the same order."""
    parameters = list(inspect.signature(_trusted_interaction).parameters)
    assert parameters == [field.name for field in attrs.fields(Interaction)]


def test_the_example_log_reads_to_validated_interactions() -> None:
    """Every interaction of the example log equals one built by Interaction, validators run."""
    contacts = read_interactions(ROOT / "examples" / "interactions.csv")
    assert len(contacts) > 100
    for contact in contacts:
        fields = _as_fields(contact)
        assert Interaction(**fields) == contact


# --- the Arrow reader -------------------------------------------------------------

pa = pytest.importorskip("pyarrow")
import pyarrow.csv  # noqa: E402 (after the skip: pyarrow is the optional extra)
import pyarrow.parquet  # noqa: E402


def test_the_arrow_reader_gives_the_example_log_s_interactions() -> None:
    """reader="arrow" reads the 19,500 rows of the example log to the stdlib reader's tuple."""
    path = ROOT / "examples" / "interactions.csv"
    stdlib = read_interactions(path)
    assert len(stdlib) == 19_500
    assert read_interactions(path, reader="arrow") == stdlib


def _outcome(report: ReadReport) -> tuple[object, ...]:
    """A report as comparable values: the interactions, then each rejected row's line, text, raw."""
    rejected = [
        (row.line, [str(problem) for problem in row.problems], dict(row.raw))
        for row in report.rejected
    ]
    return report.interactions, rejected


@given(rows=st.lists(log_rows(), max_size=6))
def test_the_arrow_reader_agrees_with_the_stdlib_reader(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]]
) -> None:
    """On rows at every column's edge, both readers give equal interactions and equal problems."""
    path = tmp_path_factory.mktemp("arrow") / "log.csv"
    _write(path, rows)
    stdlib = read_interactions(path, errors="collect")
    arrow = read_interactions(path, reader="arrow", errors="collect")
    assert _outcome(arrow) == _outcome(stdlib)
    for contact, expected in zip(arrow.interactions, stdlib.interactions, strict=True):
        assert contact.started_at.utcoffset() == expected.started_at.utcoffset()


@given(text=st.text(alphabet=st.sampled_from(list('a,"\n\r ;12-:TZ')), max_size=80))
def test_the_arrow_reader_parses_csv_as_the_csv_module_does(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """Any body after a good header: both readers accept the same rows or raise the same error."""
    path = tmp_path_factory.mktemp("arrow") / "log.csv"
    header = ",".join(COLUMNS)
    good = ",".join(GOOD[column] for column in COLUMNS)
    path.write_text(f"{header}\n{good}\n{text}", encoding="utf-8", newline="")
    outcomes: list[object] = []
    for reader in ("stdlib", "arrow"):
        try:
            outcomes.append(_outcome(read_interactions(path, reader=reader, errors="collect")))
        except InteractionLogError as error:
            outcomes.append(str(error))
    assert outcomes[0] == outcomes[1]


@given(
    rows=st.lists(log_rows(), max_size=5),
    typed=st.sets(st.sampled_from(["escalated", "csat", "topics", "confirmed", "id"])),
)
def test_the_arrow_reader_agrees_on_json_lines(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, str]], typed: set[str]
) -> None:
    """JSON Lines of edge cells, some as JSON booleans, numbers or lists: both readers agree."""
    path = tmp_path_factory.mktemp("arrow") / "log.jsonl"
    lines = []
    for row in rows:
        record: dict[str, object] = dict(row)
        if "escalated" in typed and row["escalated"] in {"true", "false"}:
            record["escalated"] = row["escalated"] == "true"
        if "confirmed" in typed:
            record["confirmed"] = None if not row["confirmed"] else row["confirmed"]
        if "csat" in typed and row["csat"].isdigit():
            record["csat"] = int(row["csat"])
        if "topics" in typed:
            record["topics"] = row["topics"].split(";")
        if "id" in typed and row["id"].isdigit():
            record["id"] = int(row["id"])
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    stdlib = read_interactions(path, errors="collect")
    assert _outcome(read_interactions(path, reader="arrow", errors="collect")) == _outcome(stdlib)


def test_a_naive_timestamp_is_refused_with_its_line(tmp_path: Path) -> None:
    """The Arrow reader refuses a timestamp without an offset, naming line 3 as the stdlib one does."""
    path = tmp_path / "log.csv"
    _write(path, [GOOD, dict(GOOD, id="c2", started_at="2026-10-01T09:00:00")])
    with pytest.raises(InteractionLogError) as raised:
        read_interactions(path, reader="arrow")
    assert [str(problem) for problem in raised.value.problems] == [
        (
            "line 3, started_at: '2026-10-01T09:00:00' has no time zone; a timezone-aware "
            "timestamp such as 2026-10-01T09:30:00+04:00 or 2026-10-01T05:30:00Z"
        )
    ]


def test_json_lines_read_with_arrow_equal_the_stdlib_reader(tmp_path: Path) -> None:
    """A JSON Lines log with lists, booleans and integers reads the same with both readers."""
    path = tmp_path / "log.jsonl"
    path.write_text(
        '{"id": "c1", "customer_id": "u1", "channel": "chat", "started_at": '
        '"2026-10-01T09:00:00+04:00", "ended_at": "2026-10-01T09:04:00+04:00", '
        '"topics": ["billing", "refund"], "resolved_topics": ["billing"], "escalated": false, '
        '"confirmed": true, "csat": 4, "region": "UAE"}\n'
        '{"id": "c2", "customer_id": "u2", "channel": "email", "started_at": '
        '"2026-10-02T09:00:00Z", "ended_at": "2026-10-02T09:04:00Z", '
        '"topics": "billing", "resolved_topics": [], "escalated": true, '
        '"confirmed": null, "csat": null, "region": "KSA"}\n',
        encoding="utf-8",
    )
    stdlib = read_interactions(path)
    assert read_interactions(path, reader="arrow") == stdlib
    assert [contact.csat for contact in stdlib] == [4, None]


def test_parquet_logs_are_read_and_their_bad_rows_named_by_row(tmp_path: Path) -> None:
    """A Parquet log reads to the CSV's interactions; a bad one names the row (from 1)."""
    csv_path = tmp_path / "log.csv"
    _write(csv_path, [GOOD, dict(GOOD, id="c2", topics="refund", resolved_topics="")])
    table = pyarrow.csv.read_csv(
        csv_path,
        convert_options=pyarrow.csv.ConvertOptions(
            column_types=dict.fromkeys(COLUMNS, pa.string()), strings_can_be_null=False
        ),
    )
    good = tmp_path / "log.parquet"
    pyarrow.parquet.write_table(table, good)
    assert read_interactions(good, reader="arrow") == read_interactions(csv_path)
    bad = tmp_path / "bad.parquet"
    csat = pa.array(["5", "9"])
    pyarrow.parquet.write_table(table.set_column(COLUMNS.index("csat"), "csat", csat), bad)
    with pytest.raises(InteractionLogError, match="row 2, csat: 9 is out of range"):
        read_interactions(bad, reader="arrow")


def test_parquet_needs_the_arrow_reader(tmp_path: Path) -> None:
    """The stdlib reader refuses .parquet, naming the extensions it reads."""
    with pytest.raises(InvalidValueError, match=r"a file ending in \.csv, \.jsonl or \.ndjson$"):
        read_interactions(tmp_path / "log.parquet")


def test_an_unknown_reader_is_refused(tmp_path: Path) -> None:
    """reader= is "stdlib" or "arrow"; anything else is an InvalidValueError naming both."""
    with pytest.raises(InvalidValueError, match=r"reader: 'polars' is not a reader; \"stdlib\""):
        read_interactions(tmp_path / "log.csv", reader="polars")


def test_without_pyarrow_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If pyarrow cannot be imported, reader="arrow" says to install resolutionpricing[arrow]."""
    path = tmp_path / "log.csv"
    _write(path, [GOOD])
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"pip install 'resolutionpricing\[arrow\]'"):
        read_interactions(path, reader="arrow")


def test_the_arrow_reader_does_not_import_pandas() -> None:
    """Reading the example log with pyarrow leaves pandas unimported (it costs over a second)."""
    code = (
        "import sys; from resolutionpricing import read_interactions; "
        "read_interactions('examples/interactions.csv', reader='arrow'); "
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run(  # noqa: S603 -- this interpreter, our own one-liner
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    )
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("reader", ["stdlib", "arrow"])
def test_rows_share_their_offsets_topics_and_attributes(tmp_path: Path, reader: str) -> None:
    """Rows with the same offset, topics, customer and attributes hold one object of each."""
    path = tmp_path / "log.csv"
    _write(path, [dict(GOOD, conversation_id="c1"), dict(GOOD, id="c2")])
    first, second = read_interactions(path, reader=reader)
    assert first.started_at.tzinfo is second.ended_at.tzinfo
    assert first.topics is second.topics
    assert first.attributes is second.attributes
    assert first.customer_id is second.customer_id
    assert first.conversation_id is first.id  # a conversation id equal to the id: one string


@pytest.mark.parametrize("name", ["log.csv", "log.jsonl", "log.parquet"])
def test_the_arrow_reader_refuses_a_folder_as_the_stdlib_reader_does(
    tmp_path: Path, name: str
) -> None:
    """A folder named like a log is an InteractionLogError saying it cannot be read."""
    folder = tmp_path / name
    folder.mkdir()
    with pytest.raises(InteractionLogError, match="cannot be read"):
        read_interactions(folder, reader="arrow")


def test_a_file_that_is_not_parquet_is_a_log_error(tmp_path: Path) -> None:
    """Text in a .parquet file is an InteractionLogError, not a pyarrow exception."""
    path = tmp_path / "log.parquet"
    path.write_text("id,customer_id\n", encoding="utf-8")
    with pytest.raises(InteractionLogError, match="file: is not a Parquet file"):
        read_interactions(path, reader="arrow")


# --- the instants a reader hands to the engine ---------------------------------------


def _instants_of(rows: tuple[Interaction, ...]) -> tuple[object, ...]:
    """What `Instants` computes from the rows' datetimes: starts, ends, logged."""
    instants = Instants(rows)
    return instants.starts, instants.ends, instants.logged


def _carried(rows: tuple[Interaction, ...]) -> tuple[object, ...]:
    """The instants a read log carries: starts, ends, logged."""
    assert isinstance(rows, _ReadLog)
    return rows.starts, rows.ends, rows.logged


@pytest.mark.parametrize("reader", ["stdlib", "arrow"])
@pytest.mark.parametrize("name", ["interactions.csv", "accounts/interactions.csv"])
def test_the_example_logs_carry_the_engine_s_instants(name: str, reader: str) -> None:
    """Each example log, read by either reader, carries the instants `Instants` would compute."""
    rows = read_interactions(ROOT / "examples" / name, reader=reader)
    assert isinstance(rows, _ReadLog)
    assert _carried(rows) == _instants_of(rows)
    assert rows.logged is None  # the examples have no logged_at


def _stamp(moment: datetime, style: int) -> str:
    """A timestamp as a log writes it: Z for UTC, or its offset; with or without seconds' fraction."""
    text = moment.isoformat()
    return text.replace("+00:00", "Z") if style == 0 else text


@st.composite
def _logged_logs(draw: st.DrawFn) -> list[Interaction]:
    """Logs of generated interactions, some rows with a logged_at, some with a fraction of a second."""
    contacts = draw(st.lists(interactions(), max_size=8, unique_by=lambda contact: contact.id))
    log = []
    for contact in contacts:
        ended = contact.ended_at + timedelta(microseconds=draw(st.sampled_from([0, 0, 1, 250_000])))
        logged = draw(st.sampled_from([None, timedelta(0), timedelta(minutes=90, seconds=1)]))
        log.append(
            attrs.evolve(
                contact,
                attributes={},  # beside the point here
                ended_at=ended,
                logged_at=None if logged is None else (ended + logged).astimezone(DUBAI),
            )
        )
    return log


DUBAI = timezone(timedelta(hours=4))


def _write_contacts(path: Path, contacts: list[Interaction], style: int) -> None:
    """Write interactions as a CSV log, timestamps in their own offsets."""

    def flag(value: object) -> str:
        return "" if value is None else str(value).lower()

    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*COLUMNS[:13]])
        for contact in contacts:
            writer.writerow(
                [
                    contact.id,
                    contact.account_id or "",
                    contact.customer_id,
                    contact.conversation_id,
                    contact.channel,
                    _stamp(contact.started_at, style),
                    _stamp(contact.ended_at, style),
                    ";".join(sorted(contact.topics)),
                    ";".join(sorted(contact.resolved_topics)),
                    flag(contact.escalated),
                    flag(contact.confirmed),
                    flag(contact.csat),
                    "" if contact.logged_at is None else _stamp(contact.logged_at, style),
                ]
            )


@given(contacts=_logged_logs(), style=st.integers(0, 1))
def test_a_read_log_carries_the_engine_s_instants(
    tmp_path_factory: pytest.TempPathFactory, contacts: list[Interaction], style: int
) -> None:
    """Random logs in several offsets, with and without logged_at: each reader's instants are Instants'."""
    path = tmp_path_factory.mktemp("instants") / "log.csv"
    _write_contacts(path, contacts, style)
    for reader in ("stdlib", "arrow"):
        rows = read_interactions(path, reader=reader)
        assert isinstance(rows, _ReadLog)
        assert rows == tuple(contacts)
        assert _carried(rows) == _instants_of(rows)
        assert (rows.logged is None) == all(contact.logged_at is None for contact in contacts)


def test_a_read_log_is_a_tuple(tmp_path: Path) -> None:
    """A read log equals, adds and prints as the tuple of its rows."""
    path = tmp_path / "log.csv"
    _write(path, [GOOD, dict(GOOD, id="c2", logged_at="2026-10-01T09:30:00+04:00")])
    rows = read_interactions(path)
    assert isinstance(rows, _ReadLog)
    plain = tuple(rows)
    assert rows == plain
    assert rows + plain == plain + plain
    assert type(rows + plain) is tuple
    assert repr(rows) == repr(plain)
    assert _carried(rows) == _instants_of(plain)
    # 09:00 and 09:30 at +04:00: 05:00 and 05:30 UTC, in microseconds since 1970.
    five = _micros(datetime(2026, 10, 1, 5, 0, tzinfo=UTC))
    assert rows.logged == [five, five + 30 * 60 * 1_000_000]


def test_a_read_log_pickles_with_its_instants(tmp_path: Path) -> None:
    """A read log pickles as a tuple does, keeping its instants (an Interaction's mappingproxy does not pickle)."""
    path = tmp_path / "log.csv"
    path.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
    rows = read_interactions(path)
    again = pickle.loads(pickle.dumps(rows))  # noqa: S301 (our own bytes)
    assert isinstance(again, _ReadLog)
    assert (again.starts, again.ends, again.logged) == ([], [], None)
    assert again == ()
