"""Interaction logs: reading CSV, JSON Lines and records, and refusing every bad row."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    Interaction,
    InteractionLogError,
    InvalidTypeError,
    InvalidValueError,
    ReadReport,
    RejectedRow,
    ResolutionPricingError,
    interactions_from_records,
    read_interactions,
)

HEADER = [
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
]
GOOD_ROW = {
    "id": "c1",
    "customer_id": "u1",
    "conversation_id": "",
    "channel": "chat",
    "started_at": "2026-10-01T09:00:00+04:00",
    "ended_at": "2026-10-01T09:05:00+04:00",
    "topics": "billing;refund",
    "resolved_topics": "billing",
    "escalated": "false",
    "confirmed": "true",
    "csat": "5",
}
GOOD_RECORD: dict[str, object] = {
    "id": "c1",
    "customer_id": "u1",
    "channel": "chat",
    "started_at": datetime(2026, 10, 1, 5, 0, tzinfo=UTC),
    "ended_at": datetime(2026, 10, 1, 5, 5, tzinfo=UTC),
    "topics": ["billing", "refund"],
    "resolved_topics": ["billing"],
    "escalated": False,
}
DUBAI = timezone(timedelta(hours=4))
TIMESTAMP_ALLOWED = (
    "a timezone-aware timestamp such as 2026-10-01T09:30:00+04:00 or 2026-10-01T05:30:00Z"
)
TEXT_ALLOWED = "a non-empty string is required"
TOPICS_ALLOWED = "a list of non-empty strings, or one string of topics separated by ';'"
CSAT_ALLOWED = "an integer from 1 to 5, or None"


def csv_text(*rows: dict[str, str], header: list[str] = HEADER) -> str:
    """A CSV file with ``header`` and one line per row (missing columns left empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``folder/name`` as UTF-8, line endings untouched."""
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def problems_in(error: InteractionLogError) -> list[InvalidValueError | InvalidTypeError]:
    """The located problems in the error (mypy sees ExceptionGroup's wider element type)."""
    found = list(error.exceptions)
    assert all(isinstance(problem, InvalidValueError | InvalidTypeError) for problem in found)
    return found  # type: ignore[return-value]


def messages(error: InteractionLogError) -> list[str]:
    """Each problem in the error, as its message."""
    return [str(problem) for problem in error.exceptions]


def bad_row_messages(folder: Path, **changes: str) -> list[str]:
    """The problems reported for a file whose only row is GOOD_ROW with ``changes``."""
    path = write(folder, "log.csv", csv_text({**GOOD_ROW, **changes}))
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(path)
    return messages(caught.value)


def jsonl(*lines: object) -> str:
    """A JSON Lines file: objects are dumped one per line, strings are kept as they are."""
    return "".join(line if isinstance(line, str) else json.dumps(line) + "\n" for line in lines)


# CSV: valid files


def test_reads_every_column_of_a_csv_row(tmp_path: Path) -> None:
    """Each column becomes the matching Interaction field, with exact types."""
    path = write(tmp_path, "log.csv", csv_text(GOOD_ROW))
    (contact,) = read_interactions(path)
    assert contact == Interaction(
        id="c1",
        customer_id="u1",
        channel="chat",
        started_at=datetime(2026, 10, 1, 9, 0, tzinfo=DUBAI),
        ended_at=datetime(2026, 10, 1, 9, 5, tzinfo=DUBAI),
        topics=["billing", "refund"],
        resolved_topics=["billing"],
        escalated=False,
        confirmed=True,
        csat=5,
    )
    assert contact.conversation_id == "c1"
    assert contact.started_at.utcoffset() == timedelta(hours=4)


def test_a_csv_path_may_be_a_string(tmp_path: Path) -> None:
    """A str path works as well as a Path."""
    path = write(tmp_path, "log.csv", csv_text(GOOD_ROW))
    assert len(read_interactions(str(path))) == 1


def test_csv_values_are_read_leniently_where_lossless(tmp_path: Path) -> None:
    """Booleans in any case, spaces around topics and Z offsets are all accepted."""
    row = {
        **GOOD_ROW,
        "escalated": "TRUE",
        "confirmed": "False",
        "topics": " billing ; refund ",
        "resolved_topics": "refund ",
        "started_at": "2026-10-01T05:00:00Z",
        "ended_at": "2026-10-01T05:00:00.250Z",
        "conversation_id": "conv-9",
    }
    (contact,) = read_interactions(write(tmp_path, "log.csv", csv_text(row)))
    assert contact.escalated is True
    assert contact.confirmed is False
    assert contact.topics == {"billing", "refund"}
    assert contact.resolved_topics == {"refund"}
    assert contact.ended_at - contact.started_at == timedelta(milliseconds=250)
    assert contact.conversation_id == "conv-9"


def test_empty_optional_cells_are_none(tmp_path: Path) -> None:
    """Empty confirmed, csat and resolved_topics mean None, None and no topics."""
    row = {**GOOD_ROW, "confirmed": "", "csat": "", "resolved_topics": ""}
    (contact,) = read_interactions(write(tmp_path, "log.csv", csv_text(row)))
    assert (contact.confirmed, contact.csat, contact.resolved_topics) == (None, None, frozenset())


def test_optional_columns_may_be_absent(tmp_path: Path) -> None:
    """A file without conversation_id, confirmed and csat columns reads with their defaults."""
    header = [column for column in HEADER if column not in {"conversation_id", "confirmed", "csat"}]
    (contact,) = read_interactions(write(tmp_path, "log.csv", csv_text(GOOD_ROW, header=header)))
    assert (contact.conversation_id, contact.confirmed, contact.csat) == ("c1", None, None)


def test_extra_columns_are_kept_as_attributes(tmp_path: Path) -> None:
    """Columns the library does not know (tenant, region) are kept as text, even if empty."""
    header = [*HEADER, "tenant", "region"]
    row = {**GOOD_ROW, "tenant": "acme", "region": ""}
    (contact,) = read_interactions(write(tmp_path, "log.csv", csv_text(row, header=header)))
    assert dict(contact.attributes) == {"region": "", "tenant": "acme"}


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """A file saved by Excel as "CSV UTF-8" starts with a BOM; the first column is still id."""
    path = tmp_path / "log.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(GOOD_ROW).encode())
    (contact,) = read_interactions(path)
    assert contact.id == "c1"
    assert "\ufeffid" not in contact.attributes


def test_windows_line_endings_are_read(tmp_path: Path) -> None:
    """CRLF line endings are the same as LF."""
    path = tmp_path / "log.csv"
    path.write_bytes(csv_text(GOOD_ROW, {**GOOD_ROW, "id": "c2"}).replace("\n", "\r\n").encode())
    assert [contact.id for contact in read_interactions(path)] == ["c1", "c2"]


def test_a_header_only_file_has_no_interactions(tmp_path: Path) -> None:
    """No rows is an empty log, not an error."""
    assert read_interactions(write(tmp_path, "log.csv", csv_text())) == ()


def test_rows_come_back_in_file_order(tmp_path: Path) -> None:
    """The tuple follows the file, not ids or times."""
    rows = [{**GOOD_ROW, "id": name} for name in ("c3", "c1", "c2")]
    assert [c.id for c in read_interactions(write(tmp_path, "log.csv", csv_text(*rows)))] == [
        "c3",
        "c1",
        "c2",
    ]


# CSV: each kind of bad row, with its exact message


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"started_at": "2026-10-01T09:00:00"},
            f"line 2, started_at: '2026-10-01T09:00:00' has no time zone; {TIMESTAMP_ALLOWED}",
            id="naive timestamp",
        ),
        pytest.param(
            {"ended_at": "2026-10-01 09:05"},
            f"line 2, ended_at: '2026-10-01 09:05' has no time zone; {TIMESTAMP_ALLOWED}",
            id="naive timestamp with a space",
        ),
        pytest.param(
            {"ended_at": "2026-10-01T08:59:00+04:00"},
            "line 2, ended_at: 2026-10-01T08:59:00+04:00 is before started_at "
            "(2026-10-01T09:00:00+04:00); ended_at on or after started_at",
            id="ends before it starts",
        ),
        pytest.param(
            {"resolved_topics": "billing;warranty"},
            "line 2, resolved_topics: warranty not among the topics (billing, refund); "
            "a subset of topics",
            id="resolved topic never raised",
        ),
        pytest.param(
            {"escalated": "yes"},
            "line 2, escalated: 'yes' is not a boolean; true or false",
            id="unknown boolean",
        ),
        pytest.param(
            {"escalated": ""},
            "line 2, escalated: is missing; true or false",
            id="empty escalated",
        ),
        pytest.param(
            {"confirmed": "maybe"},
            "line 2, confirmed: 'maybe' is not a boolean; "
            "true, false, or empty when the customer did not say",
            id="unknown confirmed",
        ),
        pytest.param(
            {"csat": "6"},
            f"line 2, csat: 6 is out of range; {CSAT_ALLOWED}",
            id="csat above 5",
        ),
        pytest.param(
            {"csat": "0"},
            f"line 2, csat: 0 is out of range; {CSAT_ALLOWED}",
            id="csat 0",
        ),
        pytest.param(
            {"csat": "-10"},
            f"line 2, csat: -10 is out of range; {CSAT_ALLOWED}",
            id="negative csat",
        ),
        pytest.param(
            {"csat": "4.0"},
            f"line 2, csat: '4.0' is not an integer; {CSAT_ALLOWED}",
            id="csat with a decimal point",
        ),
        pytest.param(
            {"csat": "9" * 5000},
            f"line 2, csat: a very large number is out of range; {CSAT_ALLOWED}",
            id="csat too long for int()",
        ),
        pytest.param(
            {"id": ""},
            f"line 2, id: is missing; {TEXT_ALLOWED}",
            id="empty id",
        ),
        pytest.param(
            {"customer_id": "  "},
            f"line 2, customer_id: '  ' is blank; {TEXT_ALLOWED}",
            id="blank customer id",
        ),
        pytest.param(
            {"channel": ""},
            f"line 2, channel: is missing; {TEXT_ALLOWED}",
            id="empty channel",
        ),
        pytest.param(
            {"topics": "", "resolved_topics": ""},
            "line 2, topics: is empty; at least one topic",
            id="no topics",
        ),
        pytest.param(
            {"topics": "billing;;refund"},
            f"line 2, topics: 'billing;;refund' has an empty topic; {TOPICS_ALLOWED}",
            id="empty topic between separators",
        ),
    ],
)
def test_each_kind_of_bad_row_has_its_message(
    tmp_path: Path, changes: dict[str, str], expected: str
) -> None:
    """A bad value is reported with its line, its column, what is wrong and what is allowed."""
    assert bad_row_messages(tmp_path, **changes) == [expected]


GRAMMAR = (
    "RFC 3339 with an offset: YYYY-MM-DDTHH:MM[:SS], an optional fraction of 1 to 6 digits, "
    "then Z or +HH:MM/-HH:MM, such as 2026-10-01T09:30:00+04:00 or 2026-10-01T05:30:00.25Z"
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("yesterday", "'yesterday' is not an RFC 3339 timestamp"),
        ("2026-02-30T09:00:00Z", "'2026-02-30T09:00:00Z' is not a valid date ("),
        ("2026-10-01T09:00:00+25:00", "'2026-10-01T09:00:00+25:00' is not an RFC 3339 timestamp"),
    ],
)
def test_unreadable_timestamps_name_the_text(tmp_path: Path, text: str, reason: str) -> None:
    """Text that is not an RFC 3339 timestamp is refused, quoting it, with the grammar."""
    path = write(tmp_path, "log.csv", csv_text({**GOOD_ROW, "started_at": text}))
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(path)
    (problem,) = problems_in(caught.value)
    assert problem.path == "line 2, started_at"
    assert problem.problem.startswith(reason)
    assert problem.allowed == GRAMMAR


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-10-01T09:00:00.1234567Z", "has a fraction finer than a microsecond"),
        ("2026-10-01T24:00:00Z", "is not an RFC 3339 timestamp"),
        ("2026-W40-4T09:00:00Z", "is not an RFC 3339 timestamp"),
        ("2026-274T09:00:00Z", "is not an RFC 3339 timestamp"),
        ("2026-10-01T09:00:00+05", "is not an RFC 3339 timestamp"),
        ("2026-10-01T09:00:00Z ", "is not an RFC 3339 timestamp"),
        ("2026-10-01T09Z", "is not an RFC 3339 timestamp"),
        ("٢٠٢٦-10-01T09:00:00Z", "is not an RFC 3339 timestamp"),
    ],
)
def test_timestamps_outside_the_grammar_are_refused_never_truncated(
    tmp_path: Path, text: str, problem: str
) -> None:
    """A 7th fractional digit, 24:00, week or ordinal dates, +05, a trailing space: refused."""
    path = write(tmp_path, "log.csv", csv_text({**GOOD_ROW, "started_at": text}))
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(path)
    (found,) = problems_in(caught.value)
    assert (found.path, found.problem, found.allowed) == (
        "line 2, started_at",
        f"{text!r} {problem}",
        GRAMMAR,
    )


def test_timestamps_of_the_grammar_keep_their_microseconds(tmp_path: Path) -> None:
    """Fractions of 1 to 6 digits are read exactly, with the offset as written."""
    row = {**GOOD_ROW, "started_at": "2026-10-01T09:00:00.5+04:00"}
    row["ended_at"] = "2026-10-01T05:10:00.123456Z"
    (contact,) = read_interactions(write(tmp_path, "log.csv", csv_text(row)))
    assert contact.started_at.isoformat() == "2026-10-01T09:00:00.500000+04:00"
    assert contact.ended_at.microsecond == 123456


def test_a_row_with_the_wrong_number_of_fields_is_one_problem(tmp_path: Path) -> None:
    """An unquoted comma shifts every column, so only the count is reported, with the raw fields."""
    text = csv_text() + "c1,u1,,chat,2026-10-01T09:00:00Z,2026-10-01T09:05:00Z,a,b,a,false,,,\n"
    report = read_interactions(write(tmp_path, "log.csv", text), errors="collect")
    (row,) = report.rejected
    assert [str(problem) for problem in row.problems] == [
        (
            "line 2: has 13 fields but the header has 11; "
            "one field per column; quote a field that holds a comma"
        )
    ]
    assert row.raw["csat"] == ""
    assert (row.raw["field 12"], row.raw["field 13"]) == ("", "")


def test_every_problem_of_a_row_is_reported_at_once(tmp_path: Path) -> None:
    """Columns are checked separately, then across columns, so one read shows every fix needed."""
    found = bad_row_messages(
        tmp_path,
        customer_id="",
        escalated="nope",
        csat="9",
        ended_at="2026-10-01T08:00:00+04:00",
    )
    assert found == [
        f"line 2, customer_id: is missing; {TEXT_ALLOWED}",
        "line 2, escalated: 'nope' is not a boolean; true or false",
        f"line 2, csat: 9 is out of range; {CSAT_ALLOWED}",
        (
            "line 2, ended_at: 2026-10-01T08:00:00+04:00 is before started_at "
            "(2026-10-01T09:00:00+04:00); ended_at on or after started_at"
        ),
    ]


def test_every_problem_of_every_row_is_in_the_error(tmp_path: Path) -> None:
    """The InteractionLogError counts and lists all problems of all rows, as located leaves."""
    rows = [
        {**GOOD_ROW, "id": "c1", "csat": "7"},
        {**GOOD_ROW, "id": "c2"},
        {**GOOD_ROW, "id": "c3", "escalated": "", "confirmed": "no"},
    ]
    path = write(tmp_path, "log.csv", csv_text(*rows))
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(path)
    error = caught.value
    assert isinstance(error, ExceptionGroup)
    assert isinstance(error, ResolutionPricingError)
    assert str(error).splitlines()[0] == f"{path} has 3 problems:"
    assert [problem.path for problem in problems_in(error)] == [
        "line 2, csat",
        "line 4, escalated",
        "line 4, confirmed",
    ]
    assert all(isinstance(problem, InvalidValueError) for problem in error.exceptions)


def test_one_problem_is_singular(tmp_path: Path) -> None:
    """The error's first line reads "has 1 problem", not "1 problems"."""
    path = write(tmp_path, "log.csv", csv_text({**GOOD_ROW, "csat": "7"}))
    with pytest.raises(InteractionLogError, match=r"log\.csv has 1 problem:"):
        read_interactions(path)


def test_duplicate_ids_reject_the_later_rows(tmp_path: Path) -> None:
    """The first row with an id is kept; each later one is bad and names the first's line."""
    rows = [
        {**GOOD_ROW, "id": "c1"},
        {**GOOD_ROW, "id": "c2"},
        {**GOOD_ROW, "id": "c1"},
        {**GOOD_ROW, "id": "c1"},
    ]
    report = read_interactions(write(tmp_path, "log.csv", csv_text(*rows)), errors="collect")
    assert [contact.id for contact in report.interactions] == ["c1", "c2"]
    assert [str(problem) for row in report.rejected for problem in row.problems] == [
        "line 4, id: 'c1' is already the id of line 2; an id used by one row only",
        "line 5, id: 'c1' is already the id of line 2; an id used by one row only",
    ]


def test_an_invalid_first_row_still_owns_its_id(tmp_path: Path) -> None:
    """A later row reusing the id of a bad row is a duplicate too: no row is silently replaced."""
    rows = [{**GOOD_ROW, "csat": "9"}, GOOD_ROW]
    report = read_interactions(write(tmp_path, "log.csv", csv_text(*rows)), errors="collect")
    assert report.accepted == 0
    assert [row.problems[0].path for row in report.rejected] == ["line 2, csat", "line 3, id"]


def test_line_numbers_count_blank_lines_and_line_breaks_in_quotes(tmp_path: Path) -> None:
    """A row's line is the physical line it starts on, as an editor shows it."""
    multi_line = csv_text({**GOOD_ROW, "id": "c1", "channel": "chat\nsecond line"})
    text = multi_line + "\n" + csv_text({**GOOD_ROW, "id": "c2", "csat": "8"}).split("\n", 1)[1]
    report = read_interactions(write(tmp_path, "log.csv", text), errors="collect")
    assert report.interactions[0].channel == "chat\nsecond line"
    assert [row.line for row in report.rejected] == [5]


# CSV: problems with the whole file


def test_a_missing_required_column_is_one_problem_for_the_file(tmp_path: Path) -> None:
    """The header names every missing column in one problem, before any row is read."""
    header = [column for column in HEADER if column not in {"customer_id", "escalated"}]
    path = write(tmp_path, "log.csv", csv_text(GOOD_ROW, GOOD_ROW, header=header))
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(path)
    assert messages(caught.value) == [
        (
            "header: is missing the columns customer_id, escalated; a first line naming at "
            "least the columns id, customer_id, channel, started_at, ended_at, topics, "
            "resolved_topics, escalated"
        )
    ]


def test_a_file_that_cannot_be_read_raises_even_when_collecting(tmp_path: Path) -> None:
    """errors="collect" reports bad rows, but a file without the columns has no rows to report."""
    path = write(tmp_path, "log.csv", "id,customer_id\nc1,u1\n")
    with pytest.raises(InteractionLogError, match="header: is missing the columns"):
        read_interactions(path, errors="collect")


def test_repeated_and_unnamed_header_columns_are_refused(tmp_path: Path) -> None:
    """Two columns with one name would hide a value; an unnamed one has no attribute name."""
    header = [*HEADER, "region", "region", ""]
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(write(tmp_path, "log.csv", csv_text(header=header)))
    assert messages(caught.value) == [
        "header: names the column 'region' more than once; each column once",
        "header: column 14 has no name; a name for every column",
    ]


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    """A file without even a header is not a log."""
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(write(tmp_path, "log.csv", ""))
    assert problems_in(caught.value)[0].problem == "is missing (the file is empty)"


def test_broken_quoting_is_refused_with_its_line(tmp_path: Path) -> None:
    """A stray quote is an error (the csv module's strict mode), never a silently merged field."""
    text = csv_text(GOOD_ROW) + 'c2,"u"2,,chat,x,x,x,,false,,\n'
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(write(tmp_path, "log.csv", text))
    (problem,) = problems_in(caught.value)
    assert problem.path == "line 3"
    assert problem.problem.startswith("is not valid CSV (")


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 (here Latin-1 é) are reported on their own line."""
    path = tmp_path / "log.csv"
    body = csv_text(*({**GOOD_ROW, "id": f"c{n}"} for n in range(500)))
    path.write_bytes(body.encode() + "c500,Jos\xe9,,chat\n".encode("latin-1"))
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(path)
    assert messages(caught.value) == [
        "line 502: byte 9 (0xe9) is not UTF-8; a file encoded in UTF-8"
    ]


def test_other_extensions_are_refused(tmp_path: Path) -> None:
    """The format follows the extension; any other is an error naming the allowed ones."""
    with pytest.raises(InvalidValueError) as caught:
        read_interactions(tmp_path / "log.txt")
    assert caught.value.path == "path"
    assert caught.value.problem.endswith("has the extension '.txt'")
    assert caught.value.allowed == "a file ending in .csv, .jsonl or .ndjson"


def test_unknown_errors_mode_is_refused(tmp_path: Path) -> None:
    """Only "raise" and "collect" are modes; anything else is an error, not a silent default."""
    with pytest.raises(InvalidValueError) as caught:
        read_interactions(tmp_path / "log.csv", errors="ignore")  # type: ignore[call-overload]
    assert str(caught.value) == 'errors: \'ignore\' is not allowed; one of "raise", "collect"'


# Collect mode


def test_collect_mode_returns_good_and_bad_rows(tmp_path: Path) -> None:
    """Every row is either accepted or rejected: read == accepted + len(rejected)."""
    rows = [
        {**GOOD_ROW, "id": "c1"},
        {**GOOD_ROW, "id": "c2", "csat": "0"},
        {**GOOD_ROW, "id": "c3"},
        {**GOOD_ROW, "id": "c4", "started_at": "2026-10-01T09:00:00"},
    ]
    report = read_interactions(write(tmp_path, "log.csv", csv_text(*rows)), errors="collect")
    assert isinstance(report, ReadReport)
    assert (report.read, report.accepted, len(report.rejected)) == (4, 2, 2)
    assert report.read == report.accepted + len(report.rejected)
    assert [contact.id for contact in report.interactions] == ["c1", "c3"]
    assert [row.line for row in report.rejected] == [3, 5]
    assert report.rejected[0].raw["csat"] == "0"
    assert isinstance(report.rejected[0], RejectedRow)
    assert str(report.rejected[0].problems[0]) == f"line 3, csat: 0 is out of range; {CSAT_ALLOWED}"


def test_collect_mode_on_a_clean_file_rejects_nothing(tmp_path: Path) -> None:
    """A clean file gives a report with no rejected rows."""
    report = read_interactions(write(tmp_path, "log.csv", csv_text(GOOD_ROW)), errors="collect")
    assert (report.read, report.accepted, report.rejected) == (1, 1, ())


# JSON Lines


def json_row(**changes: object) -> dict[str, object]:
    """A valid JSON Lines row, with ``changes``."""
    row: dict[str, object] = {
        "id": "c1",
        "customer_id": "u1",
        "channel": "chat",
        "started_at": "2026-10-01T09:00:00+04:00",
        "ended_at": "2026-10-01T09:05:00+04:00",
        "topics": ["billing", "refund"],
        "resolved_topics": ["billing"],
        "escalated": False,
        "confirmed": None,
        "csat": 4,
    }
    row.update(changes)
    return row


def test_json_lines_accept_lists_and_semicolon_strings(tmp_path: Path) -> None:
    """Topics may be a JSON list or a ';' string; both read the same."""
    text = jsonl(
        json_row(id="c1"),
        json_row(id="c2", topics="billing; refund", resolved_topics="billing"),
    )
    first, second = read_interactions(write(tmp_path, "log.jsonl", text))
    assert first.topics == second.topics == {"billing", "refund"}
    assert first.resolved_topics == second.resolved_topics == {"billing"}


def test_json_lines_accept_string_booleans_and_numbers(tmp_path: Path) -> None:
    """The strings "true"/"false" and a csat of "4" are read; null is None."""
    text = jsonl(json_row(escalated="TRUE", confirmed="false", csat="4", resolved_topics=None))
    (contact,) = read_interactions(write(tmp_path, "log.ndjson", text))
    assert (contact.escalated, contact.confirmed, contact.csat) == (True, False, 4)
    assert contact.resolved_topics == frozenset()


def test_json_lines_keep_string_and_number_keys_as_attributes(tmp_path: Path) -> None:
    """Unknown keys with strings or numbers become text attributes."""
    text = jsonl(json_row(tenant="acme", seats=12, ratio=0.5))
    (contact,) = read_interactions(write(tmp_path, "log.jsonl", text))
    assert dict(contact.attributes) == {"ratio": "0.5", "seats": "12", "tenant": "acme"}


def test_json_lines_refuse_other_attribute_values(tmp_path: Path) -> None:
    """An unknown key holding an object, a list, a boolean or null is an error, not dropped."""
    text = jsonl(json_row(extra={"a": 1}, tags=["x"], vip=True, note=None))
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(write(tmp_path, "log.jsonl", text))
    assert messages(caught.value) == [
        "line 1, extra: {'a': 1} is a dict, not a string or number; a string or a number",
        "line 1, tags: ['x'] is a list, not a string or number; a string or a number",
        "line 1, vip: True is a bool, not a string or number; a string or a number",
        "line 1, note: is missing; a string or a number",
    ]


def test_json_lines_refuse_a_float_csat_and_wrong_types(tmp_path: Path) -> None:
    """4.0 is not an integer; 1 is not a boolean; a number is not a list of topics."""
    text = jsonl(json_row(csat=4.0, escalated=1, topics=7))
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(write(tmp_path, "log.jsonl", text))
    assert messages(caught.value) == [
        f"line 1, topics: 7 is an int, not topics; {TOPICS_ALLOWED}",
        "line 1, escalated: 1 is an int, not a boolean; true or false",
        f"line 1, csat: 4.0 is a float, not an integer; {CSAT_ALLOWED}",
    ]


def test_json_lines_skip_blank_lines_but_count_them(tmp_path: Path) -> None:
    """Blank lines hold no row, and a later row's line number still matches the file."""
    text = jsonl(json_row(id="c1"), "\n", "   \n", json_row(id="c2", csat=6))
    report = read_interactions(write(tmp_path, "log.jsonl", text), errors="collect")
    assert report.read == 2
    assert [str(p) for row in report.rejected for p in row.problems] == [
        f"line 4, csat: 6 is out of range; {CSAT_ALLOWED}"
    ]


def test_json_lines_report_lines_that_are_not_objects(tmp_path: Path) -> None:
    """Invalid JSON, a non-object, a repeated key and NaN are each a bad row with its text."""
    text = jsonl(
        "{not json\n",
        "[1, 2]\n",
        '{"id": "a", "id": "b"}\n',
        '{"csat": NaN}\n',
    )
    report = read_interactions(write(tmp_path, "log.jsonl", text), errors="collect")
    assert [str(p) for row in report.rejected for p in row.problems] == [
        (
            "line 1: is not valid JSON (Expecting property name enclosed in double quotes "
            "at column 2); one JSON object per line"
        ),
        "line 2: is an array, not an object; one JSON object per line",
        "line 3, id: appears more than once; each key once per line",
        "line 4: is not valid JSON (NaN is not a JSON value); one JSON object per line",
    ]
    assert report.rejected[0].raw == {"text": "{not json"}


def test_json_lines_report_missing_keys(tmp_path: Path) -> None:
    """A required key that is absent is missing, like an empty CSV cell."""
    row = json_row()
    del row["customer_id"], row["resolved_topics"]
    with pytest.raises(InteractionLogError) as caught:
        read_interactions(write(tmp_path, "log.jsonl", jsonl(row)))
    assert messages(caught.value) == [
        f"line 1, customer_id: is missing; {TEXT_ALLOWED}",
        f"line 1, resolved_topics: is missing; {TOPICS_ALLOWED} (may be empty)",
    ]


# Records (such as pandas' df.to_dict("records"))


def test_records_accept_datetimes_and_python_values() -> None:
    """Aware datetimes, lists and bools are used as they are; strings as in a file."""
    records = [GOOD_RECORD, {**GOOD_RECORD, "id": "c2", "started_at": "2026-10-01T09:00:00+04:00"}]
    first, second = interactions_from_records(records)
    assert first.started_at == second.started_at == datetime(2026, 10, 1, 5, tzinfo=UTC)
    assert first.topics == {"billing", "refund"}


def test_records_refuse_naive_datetimes() -> None:
    """A naive datetime is never assumed to be UTC."""
    record = {**GOOD_RECORD, "started_at": datetime(2026, 10, 1, 5, 0)}  # noqa: DTZ001 (the point)
    with pytest.raises(InteractionLogError) as caught:
        interactions_from_records([record])
    assert messages(caught.value) == [
        f"record 1, started_at: 2026-10-01T05:00:00 has no time zone; {TIMESTAMP_ALLOWED}"
    ]


def test_records_accept_datetime_subclasses_such_as_pandas_timestamps() -> None:
    """pandas.Timestamp subclasses datetime; any subclass is accepted as it is."""

    class Timestamp(datetime):
        pass

    started = Timestamp(2026, 10, 1, 5, 0, tzinfo=UTC)
    (contact,) = interactions_from_records([{**GOOD_RECORD, "started_at": started}])
    assert contact.started_at is started


def test_records_read_pandas_missing_values_as_none() -> None:
    """NaN (and NaT, NA) mean None for conversation_id, confirmed and csat; no resolved topics."""

    class NAType:
        """Stands in for pandas.NA, which the library recognises by its type's name."""

    record = {
        **GOOD_RECORD,
        "conversation_id": math.nan,
        "confirmed": NAType(),
        "csat": math.nan,
        "resolved_topics": math.nan,
    }
    (contact,) = interactions_from_records([record])
    assert (contact.conversation_id, contact.confirmed, contact.csat) == ("c1", None, None)
    assert contact.resolved_topics == frozenset()


def test_records_report_nan_in_a_required_column_as_missing() -> None:
    """A NaN customer_id or a NaT timestamp is missing, not a float or a strange datetime."""

    class NaTType(datetime):
        """Stands in for pandas.NaT: a datetime not equal to itself."""

        def __eq__(self, other: object) -> bool:
            return False

        def __ne__(self, other: object) -> bool:
            return True

        __hash__ = datetime.__hash__

    not_a_time = NaTType(2000, 1, 1)
    with pytest.raises(InteractionLogError) as caught:
        interactions_from_records(
            [{**GOOD_RECORD, "customer_id": math.nan, "ended_at": not_a_time}]
        )
    assert messages(caught.value) == [
        f"record 1, customer_id: is missing; {TEXT_ALLOWED}",
        f"record 1, ended_at: is missing; {TIMESTAMP_ALLOWED}",
    ]


def test_records_accept_integer_like_csat_and_refuse_bool_and_float() -> None:
    """An object with __index__ (a numpy integer) is an integer; True and 4.0 are not."""

    class NumpyInt:
        def __index__(self) -> int:
            return 4

    (contact,) = interactions_from_records([{**GOOD_RECORD, "csat": NumpyInt()}])
    assert contact.csat == 4
    with pytest.raises(InteractionLogError) as caught:
        interactions_from_records(
            [{**GOOD_RECORD, "csat": True}, {**GOOD_RECORD, "id": "c2", "csat": 4.5}]
        )
    assert messages(caught.value) == [
        f"record 1, csat: True is a bool, not an integer; {CSAT_ALLOWED}",
        f"record 2, csat: 4.5 is a float, not an integer; {CSAT_ALLOWED}",
    ]
    assert all(isinstance(problem, InvalidTypeError) for problem in caught.value.exceptions)


def test_records_accept_topics_as_tuples_sets_and_strings() -> None:
    """Any list, tuple, set or ';' string of topics reads the same."""
    forms: list[object] = [("billing", "refund"), {"billing", "refund"}, "billing;refund"]
    contacts = interactions_from_records(
        [{**GOOD_RECORD, "id": f"c{n}", "topics": form} for n, form in enumerate(forms)]
    )
    assert {contact.topics for contact in contacts} == {frozenset({"billing", "refund"})}


def test_records_read_integer_ids_as_their_digits() -> None:
    """An id of 42 (a numeric column in pandas) is the id "42"."""
    (contact,) = interactions_from_records([{**GOOD_RECORD, "id": 42, "customer_id": 7}])
    assert (contact.id, contact.customer_id, contact.conversation_id) == ("42", "7", "42")


def test_records_match_the_errors_module_example() -> None:
    """The first problem of a record with only an id is its missing customer_id."""
    with pytest.raises(InteractionLogError) as caught:
        interactions_from_records([{"id": "a"}])
    assert str(caught.value.exceptions[0]) == f"record 1, customer_id: is missing; {TEXT_ALLOWED}"
    assert str(caught.value).splitlines()[0] == "the records have 7 problems:"


def test_records_that_are_not_mappings_are_bad_rows() -> None:
    """A list in place of a record is reported with its number and kept in raw."""
    records: list[Any] = [GOOD_RECORD, ["c1", "u1"]]
    report = interactions_from_records(records, errors="collect")
    (row,) = report.rejected
    assert str(row.problems[0]) == (
        "record 2: is a list, not a mapping; "
        'a mapping of column names to values, such as a row of df.to_dict("records")'
    )
    assert row.raw == {"record": ["c1", "u1"]}
    assert (report.read, report.accepted) == (2, 1)


def test_a_single_mapping_is_not_records() -> None:
    """Passing one dict instead of a list of dicts is a type error, not a row per key."""
    with pytest.raises(InvalidTypeError, match="is a dict, not an iterable of records"):
        interactions_from_records(GOOD_RECORD)  # type: ignore[arg-type]


def test_records_report_duplicate_ids_by_record_number() -> None:
    """Duplicates are found across records as across lines."""
    with pytest.raises(InteractionLogError) as caught:
        interactions_from_records([GOOD_RECORD, GOOD_RECORD])
    assert messages(caught.value) == [
        "record 2, id: 'c1' is already the id of record 1; an id used by one row only"
    ]


def test_records_refuse_keys_that_are_not_strings() -> None:
    """A column name must be text to become an attribute."""
    record: dict[Any, object] = dict(GOOD_RECORD)
    record[5] = "x"
    with pytest.raises(InteractionLogError) as caught:
        interactions_from_records([record])
    assert messages(caught.value) == [
        "record 1, 5: the key is an int; column names that are strings"
    ]


# Interaction itself


def test_interaction_refuses_a_non_boolean_escalated() -> None:
    """escalated=1 raises the library's InvalidTypeError, not attrs' plain TypeError."""
    with pytest.raises(InvalidTypeError) as caught:
        Interaction(
            id="c1",
            customer_id="u1",
            channel="chat",
            started_at=datetime(2026, 10, 1, tzinfo=UTC),
            ended_at=datetime(2026, 10, 1, tzinfo=UTC),
            topics=["billing"],
            escalated=1,  # type: ignore[arg-type]
        )
    assert str(caught.value) == "escalated: 1 is not a boolean; True or False"


# Properties


def _aware_datetimes() -> st.SearchStrategy[datetime]:
    offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    )
    return st.datetimes(
        min_value=datetime(1000, 1, 2),  # noqa: DTZ001 (bounds are naive in hypothesis)
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=offsets,
    )


_TEXT = st.text(min_size=1).filter(lambda text: bool(text.strip()))
_TOPIC = st.text(min_size=1).map(str.strip).filter(lambda topic: bool(topic) and ";" not in topic)


@st.composite
def _interactions(draw: st.DrawFn) -> Interaction:
    started, ended = sorted([draw(_aware_datetimes()), draw(_aware_datetimes())])
    topics = draw(st.frozensets(_TOPIC, min_size=1, max_size=4))
    return Interaction(
        id=draw(_TEXT),
        customer_id=draw(_TEXT),
        conversation_id=draw(_TEXT),
        channel=draw(_TEXT),
        started_at=started,
        ended_at=ended,
        topics=topics,
        resolved_topics=draw(st.frozensets(st.sampled_from(sorted(topics)))),
        escalated=draw(st.booleans()),
        confirmed=draw(st.none() | st.booleans()),
        csat=draw(st.none() | st.integers(1, 5)),
        attributes={"tenant": draw(st.text()), "region": draw(st.text())},
    )


def _write_csv(path: Path, contacts: list[Interaction]) -> None:
    """Write interactions as a log file, the way a logging system would."""

    def flag(value: bool | None) -> str:
        return "" if value is None else str(value).lower()

    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*HEADER, "tenant", "region"])
        for contact in contacts:
            writer.writerow(
                [
                    contact.id,
                    contact.customer_id,
                    contact.conversation_id,
                    contact.channel,
                    contact.started_at.isoformat(),
                    contact.ended_at.isoformat(),
                    ";".join(sorted(contact.topics)),
                    ";".join(sorted(contact.resolved_topics)),
                    flag(contact.escalated),
                    flag(contact.confirmed),
                    "" if contact.csat is None else str(contact.csat),
                    contact.attributes["tenant"],
                    contact.attributes["region"],
                ]
            )


@given(contacts=st.lists(_interactions(), max_size=5, unique_by=lambda contact: contact.id))
def test_csv_round_trip_gives_equal_interactions(
    tmp_path_factory: pytest.TempPathFactory, contacts: list[Interaction]
) -> None:
    """Writing valid interactions to CSV and reading them back gives equal interactions."""
    path = tmp_path_factory.mktemp("round_trip") / "log.csv"
    _write_csv(path, contacts)
    assert read_interactions(path) == tuple(contacts)


_CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "true", "FALSE", "4", "6", "4.0", "billing;refund", ";", "c1"]),
    _aware_datetimes().map(datetime.isoformat),
    st.datetimes().map(datetime.isoformat),
)


def _assert_only_library_errors(path: Path) -> None:
    try:
        result = read_interactions(path, errors="collect")
    except ResolutionPricingError:
        return
    assert result.read == result.accepted + len(result.rejected)


@given(text=st.text())
def test_any_text_as_a_csv_file_raises_only_library_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """Whatever a .csv file holds, reading it raises only ResolutionPricingError subclasses."""
    path = tmp_path_factory.mktemp("fuzz") / "log.csv"
    path.write_text(text, encoding="utf-8", newline="")
    _assert_only_library_errors(path)


@given(text=st.text())
def test_any_text_after_a_valid_header_raises_only_library_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """With the header right, any body is read or reported, never a crash."""
    path = tmp_path_factory.mktemp("fuzz") / "log.csv"
    path.write_text(",".join(HEADER) + "\n" + text, encoding="utf-8", newline="")
    _assert_only_library_errors(path)


@given(rows=st.lists(st.lists(_CELLS, min_size=10, max_size=13), max_size=5))
def test_any_csv_cells_raise_only_library_errors(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    """Well-quoted rows of arbitrary and near-valid cells are read or reported, never a crash."""
    path = tmp_path_factory.mktemp("fuzz") / "log.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*HEADER, "tenant"])
        writer.writerows(rows)
    _assert_only_library_errors(path)


@given(text=st.text())
def test_any_text_as_a_json_lines_file_raises_only_library_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """Whatever a .jsonl file holds, reading it raises only ResolutionPricingError subclasses."""
    path = tmp_path_factory.mktemp("fuzz") / "log.jsonl"
    path.write_text(text, encoding="utf-8", newline="")
    _assert_only_library_errors(path)


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.datetimes(),
    _aware_datetimes(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(
    records=st.lists(
        st.dictionaries(st.sampled_from([*HEADER, "tenant"]), _VALUES, max_size=12), max_size=4
    )
)
def test_any_record_values_raise_only_library_errors(records: list[dict[str, Any]]) -> None:
    """Arbitrary values in records are converted or reported, never a crash."""
    try:
        report = interactions_from_records(records, errors="collect")
    except ResolutionPricingError:  # pragma: no cover (collect mode reports rows instead)
        return
    assert report.read == len(records) == report.accepted + len(report.rejected)


# --- hardening: documented errors only, nothing changed without a word -----------------


def test_json_numbers_keep_the_text_the_file_wrote(tmp_path: Path) -> None:
    """1e16, 1.10, 12345678901234567890.5 and -0 stay as written, as attributes and as an id."""
    line = (
        json.dumps(json_row())[:-1]
        + ', "a": 1e16, "b": 1.10, "c": 12345678901234567890.5, "d": -0}'
    )
    (contact,) = read_interactions(write(tmp_path, "log.jsonl", line.replace('"c1"', "-0") + "\n"))
    assert contact.id == "-0"
    assert dict(contact.attributes) == {
        "a": "1e16",
        "b": "1.10",
        "c": "12345678901234567890.5",
        "d": "-0",
    }


@pytest.mark.parametrize("errors", ["raise", "collect"])
def test_a_line_nested_1000_deep_rejects_that_line_only(tmp_path: Path, errors: str) -> None:
    """RecursionError in json becomes a rejected line; the read goes on in both modes."""
    deep = '{"x": ' + "[" * 1000 + "]" * 1000 + "}\n"
    path = write(tmp_path, "log.jsonl", jsonl(json_row(), deep, json_row(id="c2")))
    if errors == "raise":
        with pytest.raises(InteractionLogError) as caught:
            read_interactions(path)
        assert messages(caught.value) == [
            "line 2: is nested too deeply to read; JSON nested a few levels deep"
        ]
    else:
        report = read_interactions(path, errors="collect")
        assert (report.accepted, [row.line for row in report.rejected]) == (2, [2])


@pytest.mark.parametrize("blank", ["\u00a0", "\u3000", "\u2028", "\x1c"])
def test_only_ascii_whitespace_is_a_blank_json_line(tmp_path: Path, blank: str) -> None:
    """A line of U+00A0, U+3000, U+2028 or U+001C is a rejected line, not silently skipped."""
    report = read_interactions(
        write(tmp_path, "log.jsonl", jsonl(json_row(), blank + "\n")), errors="collect"
    )
    assert (report.read, [row.line for row in report.rejected]) == (2, [2])


def test_a_json_line_over_one_mib_is_rejected_with_its_line(tmp_path: Path) -> None:
    """A line longer than the documented bound is one rejected row; the next line still reads."""
    long = json.dumps(json_row(note="x" * (1024 * 1024))) + "\n"
    report = read_interactions(
        write(tmp_path, "log.jsonl", long + jsonl(json_row(id="c2"))), errors="collect"
    )
    assert [contact.id for contact in report.interactions] == ["c2"]
    assert str(report.rejected[0].problems[0]).startswith(
        "line 1: is too long; a line of at most 1,048,576"
    )


def test_a_csv_field_above_the_csv_module_default_is_read(tmp_path: Path) -> None:
    """A 200,000-character field (over csv's 131,072 default, under 1 MiB) is kept whole."""
    header = [*HEADER, "note"]
    (contact,) = read_interactions(
        write(tmp_path, "log.csv", csv_text({**GOOD_ROW, "note": "x" * 200_000}, header=header))
    )
    assert len(contact.attributes["note"]) == 200_000


def test_a_lone_surrogate_id_is_refused_where_it_enters(tmp_path: Path) -> None:
    """A lone surrogate from a JSON escape would break fingerprints and JSON: the row is rejected."""
    path = write(tmp_path, "log.jsonl", json.dumps(json_row(id="\ud800")) + "\n")
    with pytest.raises(InteractionLogError, match="lone surrogate"):
        read_interactions(path)


@pytest.mark.parametrize("column", ["id", "topics", "region"])
def test_an_int_of_over_4300_digits_rejects_its_record_only(column: str) -> None:
    """A 5,000-digit id, topic or attribute is a rejected record, also with errors="collect"."""
    bad = {**GOOD_RECORD, "id": "c2", column: [10**5000] if column == "topics" else 10**5000}
    report = interactions_from_records([GOOD_RECORD, bad], errors="collect")
    assert (report.accepted, [row.line for row in report.rejected]) == (1, [2])


def test_a_year_0001_timestamp_is_refused_with_the_range(tmp_path: Path) -> None:
    """0001-01-01T00:00:00+14:00 (before year 1 in UTC) is refused where it enters."""
    row = {**GOOD_ROW, "started_at": "0001-01-01T00:00:00+14:00"}
    assert bad_row_messages(tmp_path, **row) == [
        (
            "line 2, started_at: 0001-01-01T00:00:00+14:00 is outside the supported times; "
            "an instant from 0002-01-02T00:00:00Z up to 9998-12-31T00:00:00Z"
        )
    ]


def test_order_inside_a_repeated_dst_hour_is_by_instant() -> None:
    """01:30 then 01:10 fold=1 in New York is 40 minutes later: accepted."""
    new_york = ZoneInfo("America/New_York")
    contact = Interaction(
        id="c1", customer_id="u1", channel="chat", topics=["billing"],
        started_at=datetime(2026, 11, 1, 1, 30, tzinfo=new_york),
        ended_at=datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=new_york),
    )  # fmt: skip
    assert contact.ended_at - contact.started_at == timedelta(minutes=-20)  # wall-clock difference
    assert contact.ended_at.astimezone(UTC) - contact.started_at.astimezone(UTC) == timedelta(
        minutes=40
    )


def test_a_fifo_log_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO with no writer is not a regular file: an InteractionLogError at once."""
    path = tmp_path / "log.csv"
    os.mkfifo(path)
    with pytest.raises(InteractionLogError, match="is a FIFO"):
        read_interactions(path, errors="collect")
