"""The example log generator: deterministic, well-formed, and realistic enough to bill."""

from __future__ import annotations

import csv
import doctest
import importlib.util
import itertools
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPT = EXAMPLES / "generate_interactions.py"
COLUMNS = [
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
]
DUBAI = timezone(timedelta(hours=4))
RECONTACT_WINDOW = timedelta(hours=48)


def _load_script() -> ModuleType:
    # examples/ is not a package: load the script from its path.
    spec = importlib.util.spec_from_file_location("generate_interactions", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generator = _load_script()


def _generate(directory: Path, *arguments: str, name: str = "log.csv") -> Path:
    path = directory / name
    assert generator.main(["--out", str(path), *arguments]) == 0
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    """A 5,000-contact log of 1,500 customers over the default range."""
    directory = tmp_path_factory.mktemp("sample")
    return _rows(_generate(directory, "--seed", "7", "--contacts", "5000", "--customers", "1500"))


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two runs with the same arguments write identical files."""
    first = _generate(tmp_path, "--seed", "11", "--contacts", "800", name="first.csv")
    second = _generate(tmp_path, "--seed", "11", "--contacts", "800", name="second.csv")
    assert first.read_bytes() == second.read_bytes()


def test_different_seed_gives_a_different_file(tmp_path: Path) -> None:
    """Another seed gives another log."""
    first = _generate(tmp_path, "--seed", "11", "--contacts", "800", name="first.csv")
    second = _generate(tmp_path, "--seed", "12", "--contacts", "800", name="second.csv")
    assert first.read_bytes() != second.read_bytes()


def test_the_header_is_the_documented_columns(tmp_path: Path) -> None:
    """The columns are exactly the documented ones, in order."""
    path = _generate(tmp_path, "--contacts", "50")
    with path.open(encoding="utf-8") as file:
        assert file.readline().rstrip("\n").split(",") == COLUMNS


def test_contacts_is_the_exact_row_count(tmp_path: Path) -> None:
    """``--contacts`` is exact, even for a tiny log in a short range."""
    for contacts in (1, 7, 333):
        path = _generate(
            tmp_path,
            "--contacts",
            str(contacts),
            "--start",
            "2026-10-31T22:00:00Z",
            "--end",
            "2026-11-01T02:30:00Z",
        )
        assert len(_rows(path)) == contacts


def test_every_contact_ends_on_or_after_it_starts(sample: list[dict[str, str]]) -> None:
    """No row has ``ended_at`` before ``started_at``."""
    assert all(_at(row["ended_at"]) >= _at(row["started_at"]) for row in sample)


def test_ids_are_unique(sample: list[dict[str, str]]) -> None:
    """Every contact has its own id."""
    assert len({row["id"] for row in sample}) == len(sample)


def test_rows_are_sorted_by_start_then_id(sample: list[dict[str, str]]) -> None:
    """Rows come in the order of ``started_at``, then ``id``."""
    keys = [(_at(row["started_at"]), row["id"]) for row in sample]
    assert keys == sorted(keys)


def test_contacts_start_inside_the_range(sample: list[dict[str, str]]) -> None:
    """Every contact starts on or after ``--start`` and before ``--end``."""
    start = _at(generator.DEFAULT_START)
    end = _at(generator.DEFAULT_END)
    assert all(start <= _at(row["started_at"]) < end for row in sample)


def test_values_are_well_formed(sample: list[dict[str, str]]) -> None:
    """Booleans, CSAT, topics and timestamps use the documented forms."""
    for row in sample:
        topics = row["topics"].split(";")
        resolved = [topic for topic in row["resolved_topics"].split(";") if topic]
        assert 1 <= len(topics) == len(set(topics)) <= 3
        assert set(resolved) <= set(topics)
        assert row["escalated"] in {"true", "false"}
        assert row["confirmed"] in {"true", "false", ""}
        assert row["csat"] in {"1", "2", "3", "4", "5", ""}
        assert row["started_at"].endswith("Z")
        assert row["ended_at"].endswith("Z")


def test_escalation_share_is_near_a_quarter(sample: list[dict[str, str]]) -> None:
    """Between 20 % and 30 % of contacts are escalated to a human."""
    escalated = sum(row["escalated"] == "true" for row in sample)
    assert 0.20 <= escalated / len(sample) <= 0.30


def test_some_customers_come_back_about_the_same_topic(sample: list[dict[str, str]]) -> None:
    """Same-topic re-contacts occur within minutes, at 30-48 h, and after 48 h."""
    by_customer: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
    for row in sample:
        by_customer[row["customer_id"]].append(row)
    gaps: list[timedelta] = []
    for contacts in by_customer.values():
        for earlier, later in itertools.pairwise(contacts):
            if set(earlier["topics"].split(";")) & set(later["topics"].split(";")):
                gaps.append(_at(later["started_at"]) - _at(earlier["started_at"]))
    assert any(gap < timedelta(hours=2) for gap in gaps)
    assert any(timedelta(hours=30) <= gap < RECONTACT_WINDOW for gap in gaps)
    assert any(gap > RECONTACT_WINDOW for gap in gaps)


def test_some_recontacts_continue_the_same_conversation(sample: list[dict[str, str]]) -> None:
    """Some contacts reuse an earlier contact's conversation, customer and channel."""
    first_of: dict[str, dict[str, str]] = {}
    continued = 0
    for row in sample:
        opener = first_of.setdefault(row["conversation_id"], row)
        if opener is not row:
            assert opener["customer_id"] == row["customer_id"]
            assert opener["channel"] == row["channel"]
            continued += 1
    assert continued > 0


def test_the_committed_file_is_what_the_defaults_write(tmp_path: Path) -> None:
    """``examples/interactions.csv`` is regenerated byte for byte by the defaults."""
    path = _generate(tmp_path)
    assert path.read_bytes() == (EXAMPLES / "interactions.csv").read_bytes()


def test_the_committed_file_crosses_the_period_end_in_dubai() -> None:
    """Some contacts fall at 23:30 UTC on 31 October, which is November in Dubai."""
    rows = _rows(EXAMPLES / "interactions.csv")
    late = [row for row in rows if row["started_at"].startswith("2026-10-31T23:")]
    assert late
    assert all(_at(row["started_at"]).astimezone(DUBAI).month == 11 for row in late)
    october = sum(_at(row["started_at"]).astimezone(DUBAI).month == 10 for row in rows)
    assert 12_000 <= october <= 15_000


@pytest.mark.parametrize(
    "arguments",
    [
        ["--start", "2026-10-01T00:00:00"],
        ["--start", "2026-11-01T00:00:00Z", "--end", "2026-10-01T00:00:00Z"],
        ["--contacts", "0"],
    ],
)
def test_bad_arguments_stop_with_a_usage_error(tmp_path: Path, arguments: list[str]) -> None:
    """A naive timestamp, an empty range or no contacts exit with status 2."""
    with pytest.raises(SystemExit) as stopped:
        generator.main(["--out", str(tmp_path / "never.csv"), *arguments])
    assert stopped.value.code == 2


def test_the_docstring_examples_run() -> None:
    """The script's ``>>>`` examples pass."""
    results = doctest.testmod(generator)
    assert results.attempted > 0
    assert results.failed == 0


def test_accounts_give_a_log_of_that_many_accounts_with_ids_unique_per_account(
    tmp_path: Path,
) -> None:
    """--accounts 3: an account_id column, three accounts, exact total, seeded, (account, id) unique."""
    first = _generate(tmp_path, "--accounts", "3", "--contacts", "900", name="first.csv")
    second = _generate(tmp_path, "--accounts", "3", "--contacts", "900", name="second.csv")
    assert first.read_bytes() == second.read_bytes()
    rows = _rows(first)
    assert len(rows) == 900
    assert list(rows[0]) == [COLUMNS[0], "account_id", *COLUMNS[1:]]
    assert sorted({row["account_id"] for row in rows}) == ["acct-1", "acct-2", "acct-3"]
    keys = [(row["account_id"], row["id"]) for row in rows]
    assert len(set(keys)) == len(keys)
    assert [row["started_at"] for row in rows] == sorted(row["started_at"] for row in rows)


def test_the_three_account_example_log_is_what_the_generator_writes(tmp_path: Path) -> None:
    """examples/accounts/interactions.csv is --accounts 3 --contacts 6000, byte for byte."""
    written = _generate(tmp_path, "--accounts", "3", "--contacts", "6000")
    assert written.read_bytes() == (EXAMPLES / "accounts" / "interactions.csv").read_bytes()
