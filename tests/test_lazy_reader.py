"""`iter_interactions`: a log read a chunk at a time, as `read_interactions` reads it whole."""

from __future__ import annotations

import csv
import itertools
import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    Interaction,
    InteractionLogError,
    InvalidTypeError,
    InvalidValueError,
    bill,
    iter_interactions,
    load_contract,
    read_interactions,
)
from test_log_readers import COLUMNS, GOOD, _logged_logs, _single_line, _write_contacts, log_rows

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "examples" / "contract.toml"
HEADER = "id,customer_id,channel,started_at,ended_at,topics,resolved_topics,escalated,csat"
START = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _row(number: int, *, identifier: str | None = None, csat: str = "5") -> str:
    """One clean CSV row, contact ``number`` starting ``number`` minutes after 09:00 on 1 October."""
    started = START + timedelta(minutes=number)
    ended = started + timedelta(minutes=4)
    return (
        f"{identifier or f'c{number}'},u{number},chat,{started:%Y-%m-%dT%H:%M:%SZ},"
        f"{ended:%Y-%m-%dT%H:%M:%SZ},billing,billing,false,{csat}"
    )


def _log(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("chunk_rows", [1, 7, 10_000])
@pytest.mark.parametrize("name", ["interactions.csv", "accounts/interactions.csv"])
def test_the_example_logs_read_lazily_equal_the_whole_read(name: str, chunk_rows: int) -> None:
    """Each example log, in chunks of 1, 7 or 10,000 rows, gives read_interactions's interactions."""
    path = ROOT / "examples" / name
    assert tuple(iter_interactions(path, chunk_rows=chunk_rows)) == read_interactions(path)


def _unique_ids(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows with every id that is not blank made unique (ids are checked per chunk only)."""
    return [
        dict(row, id=f"r{index}") if row["id"].strip() else row for index, row in enumerate(rows)
    ]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerows({key: _single_line(value) for key, value in row.items()} for row in rows)


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    lines = [json.dumps(row) for row in rows]
    path.write_text(
        "".join(f"{line}\n" for line in lines), encoding="utf-8", errors="surrogatepass"
    )


def _paths(error: InteractionLogError) -> list[str]:
    """Where each problem of a log error is."""
    paths = []
    for problem in error.exceptions:
        assert isinstance(problem, InvalidValueError)
        paths.append(problem.path)
    return paths


def _lazily(path: Path, chunk_rows: int) -> tuple[list[Interaction], list[str] | None]:
    """What iter_interactions gives before it stops, and the problems it stops with (None: none)."""
    given_rows: list[Interaction] = []
    try:
        given_rows.extend(iter_interactions(path, chunk_rows=chunk_rows))
    except InteractionLogError as error:
        return given_rows, [str(problem) for problem in error.exceptions]
    return given_rows, None


@given(
    rows=st.lists(log_rows(), max_size=9),
    chunk_rows=st.integers(1, 4),
    suffix=st.sampled_from([".csv", ".jsonl"]),
)
def test_chunks_give_the_rows_and_the_problems_of_the_whole_read(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[dict[str, str]],
    chunk_rows: int,
    suffix: str,
) -> None:
    """On edge-cell rows: the chunks before the first bad row, then that chunk's problems, lines as read_interactions's."""
    rows = _unique_ids(rows)
    path = tmp_path_factory.mktemp("lazy") / f"log{suffix}"
    (_write_csv if suffix == ".csv" else _write_jsonl)(path, rows)
    whole = read_interactions(path, errors="collect")
    first_line = 2 if suffix == ".csv" else 1  # one line a row, after the header in a CSV

    def chunk(line: int) -> int:
        return (line - first_line) // chunk_rows

    given_rows, problems = _lazily(path, chunk_rows)
    if not whole.rejected:
        assert (given_rows, problems) == (list(whole.interactions), None)
        return
    bad = chunk(whole.rejected[0].line)
    assert problems == [
        str(problem) for row in whole.rejected if chunk(row.line) == bad for problem in row.problems
    ]
    # Every id given is r<row>: a row with a blank id is refused, never given.
    before = [row for row in whole.interactions if chunk(first_line + int(row.id[1:])) < bad]
    assert given_rows == before


@given(contacts=_logged_logs(), style=st.integers(0, 1), chunk_rows=st.integers(1, 5))
def test_random_logs_read_lazily_equal_the_whole_read(
    tmp_path_factory: pytest.TempPathFactory,
    contacts: list[Interaction],
    style: int,
    chunk_rows: int,
) -> None:
    """Generated interactions written to CSV and to JSON Lines: every chunking reads them back whole."""
    folder = tmp_path_factory.mktemp("lazy")
    _write_contacts(folder / "log.csv", contacts, style)
    with (folder / "log.csv").open(encoding="utf-8", newline="") as file:
        records = list(csv.DictReader(file))
    _write_jsonl(folder / "log.jsonl", records)
    for name in ("log.csv", "log.jsonl"):
        path = folder / name
        assert tuple(iter_interactions(path, chunk_rows=chunk_rows)) == read_interactions(path)
        assert tuple(iter_interactions(path, chunk_rows=chunk_rows)) == tuple(contacts)


def test_a_bad_row_in_the_second_chunk_raises_with_its_line(tmp_path: Path) -> None:
    """Chunks of 3: the first three rows are given, then row 5 (line 6) is refused by its line."""
    path = _log(tmp_path / "log.csv", [_row(n, csat="9" if n == 5 else "5") for n in range(1, 7)])
    rows = iter_interactions(path, chunk_rows=3)
    assert [row.id for row in itertools.islice(rows, 3)] == ["c1", "c2", "c3"]
    with pytest.raises(InteractionLogError) as raised:
        next(rows)
    assert _paths(raised.value) == ["line 6, csat"]
    assert str(raised.value).startswith(f"{path} has 1 problem:")


def test_a_chunk_lists_every_problem_of_its_rows(tmp_path: Path) -> None:
    """Two bad rows in one chunk are both listed; a third in a later chunk is not reached."""
    rows = [_row(n, csat="9" if n in {2, 3, 5} else "5") for n in range(1, 6)]
    path = _log(tmp_path / "log.csv", rows)
    with pytest.raises(InteractionLogError) as raised:
        list(iter_interactions(path, chunk_rows=3))
    assert _paths(raised.value) == [
        "line 3, csat",
        "line 4, csat",
    ]


def test_json_lines_count_blank_lines_across_chunks(tmp_path: Path) -> None:
    """Blank lines count in the chunks and in the line numbers: the bad object on line 5 is named so."""
    good = json.dumps(dict(GOOD, account_id=None, conversation_id=None, confirmed=None))
    bad = json.dumps(dict(GOOD, id="c2", csat="9"))
    path = tmp_path / "log.jsonl"
    path.write_text(f"{good}\n\n\n\n{bad}\n", encoding="utf-8")
    rows = iter_interactions(path, chunk_rows=2)
    assert next(rows).id == "c1"
    with pytest.raises(InteractionLogError) as raised:
        next(rows)
    assert _paths(raised.value) == ["line 5, csat"]


def test_ids_are_checked_within_a_chunk(tmp_path: Path) -> None:
    """An id repeated in one chunk is refused as read_interactions refuses it; in two chunks, the reader gives both."""
    path = _log(tmp_path / "log.csv", [_row(1), _row(2, identifier="c1")])
    with pytest.raises(InteractionLogError) as raised:
        list(iter_interactions(path, chunk_rows=2))
    assert str(raised.value) == _message(path)
    assert [row.id for row in iter_interactions(path, chunk_rows=1)] == ["c1", "c1"]


def _message(path: Path) -> str:
    with pytest.raises(InteractionLogError) as raised:
        read_interactions(path)
    return str(raised.value)


def test_an_id_repeated_across_chunks_in_one_window_is_refused_by_the_stream(
    tmp_path: Path,
) -> None:
    """c1 again 1 minute later, each in its own chunk: the sorted bill refuses it, naming row 1."""
    path = _log(tmp_path / "log.csv", [_row(1), _row(2, identifier="c1"), _row(3)])
    contract = load_contract(CONTRACT)
    with pytest.raises(InteractionLogError) as raised:
        bill(contract, iter_interactions(path, chunk_rows=1), "2026-10", sorted_by_start=True)
    (problem,) = raised.value.exceptions
    assert _paths(raised.value) == ["interactions[1]"]
    assert "the id 'c1' appears again while row 0's window is open" in str(problem)


def test_a_sorted_bill_from_the_lazy_reader_equals_the_whole_read() -> None:
    """The example log streamed in chunks of 1,000 bills the same invoice, to the fingerprint."""
    contract = load_contract(CONTRACT)
    log = ROOT / "examples" / "interactions.csv"
    whole = bill(contract, read_interactions(log), "2026-10")
    lazy = bill(contract, iter_interactions(log, chunk_rows=1000), "2026-10", sorted_by_start=True)
    assert lazy.invoices[0].fingerprint == whole.invoices[0].fingerprint


def _peak(read: object) -> int:
    """The peak of traced memory while ``read`` runs, in bytes."""
    tracemalloc.start()
    try:
        read()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_lazy_reader_holds_one_chunk(tmp_path: Path) -> None:
    """Over 50,000 rows (4.2 MB) in chunks of 1,000, the traced peak stays under 2 MiB.

    Read whole, the same file peaks at about 28 MB of Python objects; read
    lazily, at about 1 MB (one chunk of rows and its interactions).
    """
    path = _log(tmp_path / "log.csv", [_row(n) for n in range(50_000)])
    assert path.stat().st_size > 4_000_000

    def drain() -> None:
        for _ in iter_interactions(path, chunk_rows=1000):
            pass

    assert _peak(drain) < 2 * 2**20


@pytest.mark.parametrize(
    ("arguments", "error", "path"),
    [
        ({"reader": "arrow"}, InvalidValueError, "reader"),
        ({"reader": "pandas"}, InvalidValueError, "reader"),
        ({"chunk_rows": 0}, InvalidValueError, "chunk_rows"),
        ({"chunk_rows": True}, InvalidTypeError, "chunk_rows"),
        ({"chunk_rows": "10"}, InvalidTypeError, "chunk_rows"),
    ],
)
def test_bad_arguments_are_refused_when_called(
    arguments: dict[str, object], error: type[Exception], path: str
) -> None:
    """A reader other than stdlib, or a chunk size that is not a whole number from 1, is refused at once."""
    with pytest.raises(error) as raised:
        iter_interactions("no-such-file.csv", **arguments)  # type: ignore[arg-type]
    assert raised.value.path == path  # type: ignore[attr-defined]


def test_another_extension_is_refused_when_called() -> None:
    """A .parquet path is refused before anything is read, naming what is allowed."""
    with pytest.raises(InvalidValueError) as raised:
        iter_interactions("log.parquet")
    assert raised.value.allowed == "a file ending in .csv, .jsonl or .ndjson"


def test_a_missing_file_is_an_error_of_the_first_row() -> None:
    """The file is opened when the first row is asked for: a missing one is then an OSError."""
    rows = iter_interactions("no-such-file.csv")
    with pytest.raises(FileNotFoundError):
        next(rows)


def test_a_folder_is_a_log_error(tmp_path: Path) -> None:
    """A folder named like a log cannot be read, as read_interactions says."""
    folder = tmp_path / "log.csv"
    folder.mkdir()
    with pytest.raises(InteractionLogError) as raised:
        next(iter_interactions(folder))
    assert str(raised.value).startswith(f"{folder} cannot be read")


def test_broken_quoting_in_a_later_chunk_names_its_line(tmp_path: Path) -> None:
    """A stray quote in the second chunk stops the read with the line where the CSV broke."""
    path = _log(tmp_path / "log.csv", [_row(1), _row(2), 'c3,"u3,chat'])
    rows = iter_interactions(path, chunk_rows=2)
    assert [row.id for row in itertools.islice(rows, 2)] == ["c1", "c2"]
    with pytest.raises(InteractionLogError) as raised:
        next(rows)
    assert str(raised.value) == _message(path)
