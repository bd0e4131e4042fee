"""Any input loads or raises a documented error; what loads is exactly what was written.

The readers are fed generated text and values, valid rows mixed with broken
ones: a contract either loads or raises a `ResolutionPricingError`; a log in
``errors="collect"`` mode counts every row once (read = accepted + rejected),
and each accepted row keeps its id, topics and attributes as the file wrote
them. ``make fuzz`` runs these with the ``fuzz`` profile (many more examples).
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    ResolutionPricingError,
    interactions_from_records,
    loads_contract,
    read_interactions,
)

EXAMPLE = Path("examples/contract.toml").read_text(encoding="utf-8").splitlines()
COLUMNS: tuple[str, ...] = ("id", "customer_id", "channel", "started_at", "ended_at", "topics")
COLUMNS += ("resolved_topics", "escalated", "csat", "region")
GOOD = {
    "id": "c1",
    "customer_id": "u1",
    "channel": "chat",
    "started_at": "2026-10-01T09:00:00+04:00",
    "ended_at": "2026-10-01T09:04:00+04:00",
    "topics": "billing;refund",
    "resolved_topics": "billing",
    "escalated": "false",
    "csat": "5",
    "region": "UAE",
}

# Values that have broken readers before: huge or odd numbers, calendar edges,
# lone surrogates, non-ASCII digits and blanks, over-precise timestamps.
nasty_text = st.sampled_from(
    [
        "",
        " ",
        "\u00a0",
        "\u3000",
        "\u2028",
        "\x1c",
        "\ud800",
        "\u0664\u0660\u0660\u0660.\u0660\u0660",  # 4000.00 in Arabic-Indic digits
        "4_000.00",
        "1e-99999999999999999999",
        "9" * 5000,
        "-0",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "2026-10-01T09:00:00.1234567Z",
        "2026-10-01T24:00:00Z",
        "2026-W40-4T09:00:00Z",
        "2026-10-01T09:00:00+05",
        "2026-10-01T09:00:00Z ",
        "NaN",
        "true",
        "billing;;refund",
    ]
)
texts = st.one_of(nasty_text, st.text(max_size=30))


def _check_documented(error: BaseException) -> None:
    """Fail, showing the exception, unless it is one of the library's documented errors."""
    if not isinstance(error, ResolutionPricingError):
        raise AssertionError(repr(error)) from error  # noqa: TRY004 (a test failure)


# --- contracts ------------------------------------------------------------------------


@st.composite
def mutated_contracts(draw: st.DrawFn) -> str:
    """The example contract with a few lines replaced, cut or repeated."""
    lines = list(EXAMPLE)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        key = lines[index].split("=", 1)[0] if "=" in lines[index] else "x "
        value = draw(
            st.one_of(
                texts.map(json.dumps),
                st.sampled_from(
                    ["1e-99999999999999999999", "1" * 4400, "0001-01-01", "9999-12-31", "inf"]
                ),
                st.integers().map(str),
                st.text(max_size=20),
            )
        )
        lines[index] = f"{key}= {value}" if draw(st.booleans()) else value
    return "\n".join(lines)


@given(text=st.one_of(mutated_contracts(), st.text(max_size=200)))
def test_any_contract_text_loads_or_raises_a_documented_error(text: str) -> None:
    """A contract either loads, or raises a ResolutionPricingError: nothing else escapes."""
    try:
        loads_contract(text)
    except Exception as error:  # noqa: BLE001 -- the point is to see every exception
        _check_documented(error)


# --- logs -----------------------------------------------------------------------------


@st.composite
def log_rows(draw: st.DrawFn) -> dict[str, str]:
    """A good row with some cells replaced by generated text."""
    row = dict(GOOD, id=f"c{draw(st.integers(0, 10**6))}")
    for column in draw(st.sets(st.sampled_from(COLUMNS), max_size=3)):
        row[column] = draw(texts)
    return row


def _csv_cell(text: str) -> str:
    # One physical line per row, so that rows can be counted by lines.
    return text.replace(",", "").replace('"', "").replace("\n", "").replace("\r", "")


def _fresh_ids(rows: list[dict[str, str]]) -> None:
    for number, row in enumerate(rows):
        row["id"] = f"{row['id']}-{number}" if row["id"].strip() else row["id"]


def _write(suffix: str, text: str) -> Path:
    with tempfile.NamedTemporaryFile(
        "w", suffix=suffix, delete=False, encoding="utf-8", errors="surrogatepass", newline=""
    ) as file:
        file.write(text)
    return Path(file.name)


def _read_both_modes(path: Path) -> Any:
    """The report of ``errors="collect"``, after checking the "raise" mode agrees with it."""
    try:
        report = read_interactions(path, errors="collect")
    except Exception as error:  # noqa: BLE001
        _check_documented(error)
        return None
    try:
        strict = read_interactions(path)
    except Exception as error:  # noqa: BLE001
        _check_documented(error)
        assert report.rejected
    else:
        assert not report.rejected
        assert strict == report.interactions
    return report


@given(rows=st.lists(log_rows(), max_size=6))
def test_csv_logs_count_every_row_and_keep_its_text(rows: list[dict[str, str]]) -> None:
    """CSV: every line is one row, accepted or rejected; accepted rows keep their text."""
    _fresh_ids(rows)
    cells = [[_csv_cell(row[column]) for column in COLUMNS] for row in rows]
    lines = [",".join(COLUMNS), *(",".join(line) for line in cells)]
    path = _write(".csv", "\n".join(lines) + "\n")
    try:
        report = _read_both_modes(path)
    finally:
        path.unlink()
    if report is None:
        return
    assert report.read == len(cells) == report.accepted + len(report.rejected)
    written = {line[0]: line for line in cells}
    for contact in report.interactions:
        line = written[contact.id]
        assert contact.id == line[0]
        assert contact.topics == {topic.strip() for topic in line[5].split(";")}
        assert dict(contact.attributes) == {"region": line[9]}


raw_numbers = st.sampled_from(["1e16", "1.10", "-0", "12345678901234567890.5", "1E+2", "7"])


@given(
    rows=st.lists(log_rows(), max_size=5),
    numbers=st.lists(raw_numbers, min_size=5, max_size=5),
    junk=st.lists(
        st.one_of(nasty_text, st.sampled_from(["[" * 1200, "{}", "[]", "1"])), max_size=3
    ),
)
def test_json_lines_logs_count_every_line_and_keep_numbers_as_written(
    rows: list[dict[str, str]], numbers: list[str], junk: list[str]
) -> None:
    """JSON Lines: each non-blank line is one row; a number attribute keeps its exact text."""
    _fresh_ids(rows)
    lines = []
    for row, number in zip(rows, numbers, strict=False):
        # The attribute is written as a bare JSON number, not a string.
        text = json.dumps({key: value for key, value in row.items() if key != "region"})
        lines.append(text[:-1] + f', "region": {number}}}')
    lines.extend(junk)
    path = _write(".jsonl", "\n".join(lines) + "\n")
    try:
        report = _read_both_modes(path)
    finally:
        path.unlink()
    if report is None:
        return
    blank = " \t\n\r\x0b\x0c"
    assert report.read == sum(1 for line in lines if line.strip(blank))
    for contact in report.interactions:
        row_number = int(contact.id.rsplit("-", 1)[1])
        assert contact.attributes["region"] == numbers[row_number]


record_values = st.one_of(
    texts,
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(10**5000),
    st.floats(),
    st.decimals(),
    st.lists(texts, max_size=3),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),
    st.sampled_from(
        [
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
            datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12))),
            Decimal("1e-999999999"),
        ]
    ),
)


@given(
    records=st.lists(
        st.fixed_dictionaries(
            {},
            optional=dict.fromkeys(COLUMNS, record_values),
        ).map(lambda extra: {**GOOD, **extra}),
        max_size=5,
    )
)
def test_records_load_or_reject_each_row_with_a_documented_error(
    records: list[dict[str, object]],
) -> None:
    """Records: every record is accepted or rejected; accepted ids are the text they were given."""
    try:
        report = interactions_from_records(records, errors="collect")
    except Exception as error:
        raise AssertionError(repr(error)) from error
    assert report.read == len(records)
    accepted = iter(report.interactions)
    rejected = {row.line for row in report.rejected}
    for number, record in enumerate(records, 1):
        if number in rejected:
            continue
        contact = next(accepted)
        given_id = record["id"]
        assert contact.id == (given_id if isinstance(given_id, str) else str(given_id))
