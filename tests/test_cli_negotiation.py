"""The clauses and offers commands: tables, JSON and CSV, and a one-line error for bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest

from resolutionpricing import compare_clauses, load_contract, read_interactions
from resolutionpricing._cli import main

CONTRACT = "examples/contract.toml"
LOG = "examples/interactions.csv"
OFFERS = [f"examples/offers/{name}.toml" for name in ("outcome", "graduated", "volume")]


def test_clauses_json_is_the_report_to_dict(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json prints the report's to_dict() exactly."""
    assert main(["clauses", CONTRACT, LOG, "--period", "2026-10", "--format", "json"]) == 0
    expected = compare_clauses(load_contract(CONTRACT), read_interactions(LOG), "2026-10")
    assert json.loads(capsys.readouterr().out) == expected.to_dict()


def test_clauses_text_starts_with_the_contract_as_signed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The text table's first row is the contract as signed."""
    assert main(["clauses", CONTRACT, LOG, "--period", "2026-10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("as signed ")


def test_offers_csv_has_one_row_per_offer_and_period(capsys: pytest.CaptureFixture[str]) -> None:
    """--format csv prints the rows: a header, then each offer's period and overall rows."""
    arguments = ["offers", LOG, *OFFERS, "--period", "2026-10", "--period", "2026-11"]
    assert main([*arguments, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 9
    assert rows[0]["offer"] == "Outcome Co: per-outcome plan"
    assert {row["period"] for row in rows} == {"2026-10", "2026-11", "all"}


@pytest.mark.parametrize(
    "arguments",
    [
        ["clauses", "examples/missing.toml", LOG, "--period", "2026-10"],
        ["clauses", CONTRACT, LOG, "--period", "2025-01"],
        ["offers", LOG, OFFERS[0], "--period", "2026-13"],
    ],
)
def test_bad_input_exits_2_with_one_message(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file, a period outside the term, a bad label: exit 2, one message, no traceback.

    The message is one line, or for a file a summary line and its problems
    indented below it, as for every command.
    """
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith("resolutionpricing: error: ")
    assert "Traceback" not in error
    assert all(line.startswith("  - ") for line in error.splitlines()[1:])
