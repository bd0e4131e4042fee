"""The ``resolutionpricing invoice`` command: an invoice from a log, the decisions CSV, clean errors.

Most tests use the example contract (Asia/Dubai, graduated tiers from 3.50,
pro rata, min_csat 4, a 15,000 commitment, 4,000 of knowledge base
maintenance a month, 5 % VAT) with a six-contact log:

- ``s1`` ends 23:30 on 30 September in Dubai; ``o1`` and ``o4``, by the same
  customer about the same topic on 1 October, re-contact it;
- ``o4`` re-contacts ``o1`` too, and bills 1 unit;
- ``o2`` resolves one of its two topics: 0.5 units;
- ``o3`` is escalated and rated 2;
- ``n1`` ends at 20:00 UTC on 31 October, midnight in Dubai: November.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from resolutionpricing import calculate_invoice, load_contract, read_interactions
from resolutionpricing._cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONTRACT = ROOT / "examples" / "contract.toml"
EXAMPLE_LOG = ROOT / "examples" / "interactions.csv"

HEADER = (
    "id,customer_id,channel,started_at,ended_at,topics,resolved_topics,escalated,confirmed,csat"
)
LOG = f"""\
{HEADER}
s1,u1,chat,2026-09-30T19:00:00Z,2026-09-30T19:30:00Z,billing,billing,false,,
o1,u1,chat,2026-10-01T08:00:00Z,2026-10-01T08:10:00Z,billing,billing,false,,
o4,u1,email,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,billing,billing,false,true,5
o2,u2,chat,2026-10-10T10:00:00Z,2026-10-10T10:10:00Z,billing;refund,billing,false,,
o3,u3,chat,2026-10-20T10:00:00Z,2026-10-20T10:10:00Z,billing,billing,true,,2
n1,u4,chat,2026-10-31T19:50:00Z,2026-10-31T20:00:00Z,billing,billing,false,,
"""

DECISIONS = """\
account_id,id,period,status,units,reasons,recontacted_by
,o1,2026-10,not_billable,0,recontacted,o4
,o4,2026-10,billable,1,,
,o2,2026-10,billable,0.5,partial,
,o3,2026-10,not_billable,0,escalated;low_csat,
"""
"""October's decisions at the log's latest instant, 20:00 UTC on 31 October (s1 is
September's and n1 November's: not written)."""


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """The six-contact log, as a CSV file."""
    path = tmp_path / "interactions.csv"
    path.write_text(LOG, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """Run ``resolutionpricing invoice ...``; return the status, stdout and stderr."""
    status = main(["invoice", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def expected_invoice(log: Path, as_of: datetime | None = None) -> str:
    """The invoice JSON of October for the example contract and ``log``."""
    contract = load_contract(EXAMPLE_CONTRACT)
    return calculate_invoice(contract, read_interactions(log), "2026-10", as_of=as_of).to_json()


# Output


def test_json_is_the_canonical_invoice_json(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    """``--format json`` prints ``calculate_invoice(...).to_json()`` and a newline."""
    status, out, err = run(
        capsys, str(EXAMPLE_CONTRACT), str(log), "--period", "2026-10", "--format", "json"
    )

    assert (status, out, err) == (0, expected_invoice(log) + "\n", "")
    data = json.loads(out)
    # o2 + o4 = 0.5 + 1 = 1.5 units x 3.50 = 5.25, topped up to the 15,000 commitment.
    assert [(line["code"], line["amount"]) for line in data["lines"]] == [
        ("resolutions", "5.25"),
        ("minimum_commitment", "14994.75"),
        ("escalations", "0.00"),
        ("kb_maintenance", "4000.00"),
    ]
    # 15,000 + 4,000 = 19,000; 5 % = 950
    assert (data["subtotal"], data["tax"], data["total"]) == ("19000.00", "950.00", "19950.00")
    # Known at n1's end, midnight in Dubai: October's re-contact window is still open.
    assert data["final"] is False
    assert data["as_of"] == "2026-11-01T00:00:00+04:00"  # n1's end, in Dubai
    assert data["counts"]["contacts"] == 4  # o1, o2, o3, o4
    assert data["counts"]["not_billable"] == {"escalated": 1, "low_csat": 1, "recontacted": 1}


def test_text_is_the_rendered_invoice(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    """The default output is the text table of the same invoice, with its counts."""
    status, out, err = run(capsys, str(EXAMPLE_CONTRACT), str(log), "--period", "2026-10")

    contract = load_contract(EXAMPLE_CONTRACT)
    invoice = calculate_invoice(contract, read_interactions(log), "2026-10")
    assert (status, out, err) == (0, invoice.to_text(), "")
    assert out.splitlines()[1] == "Period 2026-10 (AED, NOT FINAL: re-contacts may still change it)"
    assert out.splitlines()[-1].split() == ["resolution", "rate", "0.5000"]  # 2 / 4
    assert "Contacts of the period" in out


def test_the_example_log(capsys: pytest.CaptureFixture[str]) -> None:
    """The example contract and log: October's total is 26,506.34."""
    status, out, _ = run(
        capsys,
        str(EXAMPLE_CONTRACT),
        str(EXAMPLE_LOG),
        "--period",
        "2026-10",
        "--format",
        "json",
    )

    assert status == 0
    assert out == expected_invoice(EXAMPLE_LOG) + "\n"
    assert json.loads(out)["total"] == "26506.34"


def test_as_of(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    """``--as-of`` midnight on 2 October in Dubai: only s1, o1 and o4 are known; o4 is pending."""
    status, out, _ = run(
        capsys,
        str(EXAMPLE_CONTRACT),
        str(log),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-02T00:00:00+04:00",
        "--format",
        "json",
    )

    assert status == 0
    assert out == expected_invoice(log, datetime(2026, 10, 1, 20, tzinfo=UTC)) + "\n"
    data = json.loads(out)
    assert data["final"] is False
    assert data["as_of"] == "2026-10-02T00:00:00+04:00"
    assert (data["counts"]["contacts"], data["counts"]["pending"]) == (2, 1)  # o1, o4


def test_as_of_in_utc_is_shown_in_the_contracts_zone(
    capsys: pytest.CaptureFixture[str], log: Path
) -> None:
    """``--as-of ...Z`` is read as UTC and shown at +04:00; the text says NOT FINAL."""
    status, out, _ = run(
        capsys,
        str(EXAMPLE_CONTRACT),
        str(log),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-01T20:00:00Z",
    )

    assert status == 0
    assert out.splitlines()[1] == "Period 2026-10 (AED, NOT FINAL: re-contacts may still change it)"


# The decisions file


def read_rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file."""
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_decisions_are_written_as_csv(
    capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path
) -> None:
    """One row per contact, in (started_at, id) order, periods in Dubai, lists joined by ``;``."""
    decisions = tmp_path / "decisions.csv"

    status, out, _ = run(
        capsys,
        str(EXAMPLE_CONTRACT),
        str(log),
        "--period",
        "2026-10",
        "--format",
        "json",
        "--decisions",
        str(decisions),
    )

    assert status == 0
    assert out == expected_invoice(log) + "\n"  # the invoice is printed as well
    assert decisions.read_text(encoding="utf-8") == DECISIONS


def test_decisions_know_only_the_contacts_known_at_as_of(
    capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path
) -> None:
    """With ``--as-of`` at midnight on 2 October in Dubai, o2, o3 and n1 had not started."""
    decisions = tmp_path / "decisions.csv"

    status, _, _ = run(
        capsys,
        str(EXAMPLE_CONTRACT),
        str(log),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-02T00:00:00+04:00",
        "--decisions",
        str(decisions),
    )

    assert status == 0
    assert read_rows(decisions) == [
        ["account_id", "id", "period", "status", "units", "reasons", "recontacted_by"],
        ["", "o1", "2026-10", "not_billable", "0", "recontacted", "o4"],
        ["", "o4", "2026-10", "pending", "0", "window_open", ""],
    ]


def test_decisions_are_labelled_with_the_contracts_cadence(
    capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path
) -> None:
    """Under a quarterly contract, 23:30 on 30 September is Q3 and midnight on 1 November Q4."""
    contract = tmp_path / "quarterly.toml"
    text = EXAMPLE_CONTRACT.read_text(encoding="utf-8")
    contract.write_text(
        text.replace('billing_period = "monthly"', 'billing_period = "quarterly"'),
        encoding="utf-8",
    )
    decisions = tmp_path / "decisions.csv"

    status, _, err = run(
        capsys, str(contract), str(log), "--period", "2026-Q4", "--decisions", str(decisions)
    )

    assert (status, err) == (0, "")
    # s1 ended in Q3: only Q4's decisions are written.
    assert [row[1:3] for row in read_rows(decisions)] == [
        ["id", "period"],
        ["o1", "2026-Q4"],
        ["o4", "2026-Q4"],
        ["o2", "2026-Q4"],
        ["o3", "2026-Q4"],
        ["n1", "2026-Q4"],
    ]


# Errors: status 2, a message, no traceback


def test_a_naive_timestamp_in_the_log_exits_2_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A timestamp without a time zone on line 3: status 2, the line and column named."""
    path = tmp_path / "naive.csv"
    path.write_text(
        f"{HEADER}\n"
        "c1,u1,chat,2026-10-01T09:00:00Z,2026-10-01T09:10:00Z,billing,billing,false,,\n"
        "c2,u1,chat,2026-10-02T09:00:00,2026-10-02T09:10:00Z,billing,billing,false,,\n",
        encoding="utf-8",
    )

    status, out, err = run(capsys, str(EXAMPLE_CONTRACT), str(path), "--period", "2026-10")

    assert (status, out) == (2, "")
    assert err.startswith(f"resolutionpricing: error: {path} has 1 problem:\n")
    assert "line 3, started_at: '2026-10-02T09:00:00' has no time zone" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2026-11-01T00:00:00", "has no time zone"),
        ("yesterday", "is not an RFC 3339 timestamp"),
    ],
)
def test_a_bad_as_of_exits_2(
    capsys: pytest.CaptureFixture[str], log: Path, as_of: str, message: str
) -> None:
    """A naive or unreadable ``--as-of`` is a usage error: status 2, the option named."""
    with pytest.raises(SystemExit) as caught:
        main(["invoice", str(EXAMPLE_CONTRACT), str(log), "--period", "2026-10", "--as-of", as_of])

    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    last = captured.err.splitlines()[-1]
    assert last.startswith(f"resolutionpricing invoice: error: argument --as-of: {as_of!r} ")
    assert message in last


def test_an_as_of_at_the_end_of_time_exits_2(capsys: pytest.CaptureFixture[str], log: Path) -> None:
    """23:00 UTC on 31 December 9999 is the year 10000 in Dubai: status 2, not a traceback."""
    arguments = [str(EXAMPLE_CONTRACT), str(log), "--period", "2026-10"]
    try:
        status, _, _ = run(capsys, *arguments, "--as-of", "9999-12-31T23:00:00Z")
    except SystemExit as caught:  # a usage error would do as well
        status = int(str(caught.code))
    assert status == 2


@pytest.mark.parametrize(
    ("name", "problem"),
    [("absent/decisions.csv", "No such file or directory"), (".", "Is a directory")],
)
def test_an_unwritable_decisions_path_exits_2(
    capsys: pytest.CaptureFixture[str], log: Path, tmp_path: Path, name: str, problem: str
) -> None:
    """A decisions path in a missing folder, or a folder: status 2, the path and the reason."""
    path = tmp_path / name

    status, out, err = run(
        capsys, str(EXAMPLE_CONTRACT), str(log), "--period", "2026-10", "--decisions", str(path)
    )

    assert (status, out) == (2, "")
    assert err == (
        f"resolutionpricing: error: --decisions: {path} cannot be written ({problem}); "
        "a writable file path\n"
    )


def test_a_log_of_another_format_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A log that is neither .csv nor .jsonl: status 2, the extension named."""
    path = tmp_path / "interactions.txt"
    path.write_text(LOG, encoding="utf-8")

    status, out, err = run(capsys, str(EXAMPLE_CONTRACT), str(path), "--period", "2026-10")

    assert (status, out) == (2, "")
    assert err.startswith("resolutionpricing: error: path: ")
    assert "'.txt'" in err


@pytest.mark.parametrize("name", ["absent.csv", "folder.csv"])
def test_an_unreadable_log_exits_2_with_a_clean_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    """A log that is missing, or a folder: status 2 and a message naming it, no traceback."""
    (tmp_path / "folder.csv").mkdir()
    path = tmp_path / name

    status, out, err = run(capsys, str(EXAMPLE_CONTRACT), str(path), "--period", "2026-10")

    assert (status, out) == (2, "")
    assert err.startswith("resolutionpricing: error: ")
    assert str(path) in err


# The module as a program


def test_python_m_resolutionpricing_invoice(log: Path) -> None:
    """``python -m resolutionpricing invoice ... --format json`` prints the same JSON, status 0."""
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "resolutionpricing",
            "invoice",
            str(EXAMPLE_CONTRACT),
            str(log),
            "--period",
            "2026-10",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected_invoice(log) + "\n"
