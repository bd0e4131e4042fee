"""The ``resolutionpricing bill`` command: one folder of invoices per account, decisions, a summary."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from resolutionpricing import Invoice, bill, load_contract, read_interactions
from resolutionpricing._cli import main

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = ROOT / "examples" / "accounts"
CONTRACTS = [str(ACCOUNTS / f"acct-{number}.toml") for number in (1, 2, 3)]
LOG = str(ACCOUNTS / "interactions.csv")


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """Run ``resolutionpricing bill ...``; return the status, stdout and stderr."""
    status = main(["bill", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_bill_writes_one_file_per_invoice_and_the_decisions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """DIR/<account>/<period>.json per invoice, DIR/decisions.csv, and the summary on stdout."""
    status, out, err = run(
        capsys, *CONTRACTS, "--log", LOG, "--period", "2026-10..2026-11", "--out", str(tmp_path)
    )
    expected = bill(
        [load_contract(path) for path in CONTRACTS], read_interactions(LOG), "2026-10..2026-11"
    )
    assert (status, out, err) == (0, expected.to_text(), "")
    files = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*.json"))
    assert files == [f"acct-{n}/2026-{m}.json" for n in (1, 2, 3) for m in (10, 11)]
    for invoice in expected.invoices:
        text = (tmp_path / str(invoice.account_id) / f"{invoice.period.label}.json").read_text()
        assert Invoice.from_json(text) == invoice
    with (tmp_path / "decisions.csv").open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["account_id", "id", "period", "status", "units", "reasons", "recontacted_by"]
    assert len(rows) - 1 == len(expected.decisions)


def test_a_contract_without_an_account_writes_to_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The example contract names no account: its invoice goes to DIR/default/."""
    example = str(ROOT / "examples" / "contract.toml")
    log = str(ROOT / "examples" / "interactions.csv")
    status, _, _ = run(capsys, example, "--log", log, "--period", "2026-10", "--out", str(tmp_path))
    assert status == 0
    assert (tmp_path / "default" / "2026-10.json").is_file()


def test_unbilled_accounts_are_listed_and_strict_refuses_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without acct-3's contract its rows are reported on stderr; --strict exits 2 and writes nothing."""
    arguments = (
        *CONTRACTS[:2],
        "--log",
        LOG,
        "--period",
        "2026-10",
        "--out",
        str(tmp_path / "out"),
    )
    status, _, err = run(capsys, *arguments)
    assert status == 0
    assert err.startswith("resolutionpricing: unbilled: account 'acct-3': ")
    shutil.rmtree(tmp_path / "out")
    status, out, err = run(capsys, *arguments, "--strict")
    assert (status, out) == (2, "")
    assert "resolutionpricing: error: --strict" in err
    assert not (tmp_path / "out").exists()


def test_a_bad_range_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A range that ends before it starts: status 2 and the error, no traceback."""
    status, _, err = run(
        capsys, *CONTRACTS, "--log", LOG, "--period", "2026-12..2026-07", "--out", str(tmp_path)
    )
    assert status == 2
    assert err == (
        "resolutionpricing: error: periods: '2026-12..2026-07' ends before it starts; "
        "a range whose end is on or after its start\n"
    )


def _with_late_recontact(tmp_path: Path) -> Path:
    """The example log with a logged_at column and one late re-contact of c0013339 (31 October)."""
    lines = (ROOT / "examples" / "interactions.csv").read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",logged_at", *(line + "," for line in lines[1:])]
    rows.append(
        "c9000001,u003516,c9000001,chat,2026-11-01T08:00:00Z,2026-11-01T08:06:00Z,"
        "password_reset,,false,,,UAE,2026-11-20T00:00:00Z"
    )
    path = tmp_path / "grown.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_bill_issued_carries_a_late_credit_onto_the_next_invoice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """October issued at 26,506.34; a late re-contact voids 2.75: November carries -2.75 once."""
    contract = str(ROOT / "examples" / "contract.toml")
    log = str(ROOT / "examples" / "interactions.csv")
    issued, later, last = tmp_path / "oct", tmp_path / "nov", tmp_path / "dec"
    assert run(capsys, contract, "--log", log, "--period", "2026-10", "--out", str(issued))[0] == 0
    grown = str(_with_late_recontact(tmp_path))
    as_of = ["--as-of", "2026-11-20T00:00:00Z"]
    arguments = [contract, "--log", grown, *as_of, "--issued", str(issued)]
    assert run(capsys, *arguments, "--period", "2026-11", "--out", str(later))[0] == 0
    (november_file,) = later.glob("*/2026-11.json")
    november = Invoice.from_json(november_file.read_text(encoding="utf-8"))
    line = november.line("prior_period_adjustment:2026-10")
    assert line is not None
    assert line.amount == Decimal("-2.75")  # one 2.75 AED resolution of the second tier
    shutil.copytree(issued, tmp_path / "all", dirs_exist_ok=True)
    shutil.copytree(later, tmp_path / "all", dirs_exist_ok=True)
    again = [contract, "--log", grown, *as_of, "--issued", str(tmp_path / "all")]
    assert run(capsys, *again, "--period", "2026-12", "--out", str(last))[0] == 0
    (december_file,) = last.glob("*/2026-12.json")
    december = Invoice.from_json(december_file.read_text(encoding="utf-8"))
    assert december.line("prior_period_adjustment:2026-10") is None


def test_a_sorted_bill_reads_the_log_lazily(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bill --sorted`` never reads the whole log (read_log is not called) and prints the same summary."""
    expected = bill(
        [load_contract(path) for path in CONTRACTS], read_interactions(LOG), "2026-10"
    ).to_text()

    def whole(*_: object) -> None:
        raise AssertionError("bill --sorted read the whole log")

    monkeypatch.setattr("resolutionpricing._cli.read_log", whole)
    status, out, err = run(
        capsys, *CONTRACTS, "--log", LOG, "--period", "2026-10", "--out", str(tmp_path), "--sorted"
    )
    assert (status, out, err) == (0, expected, "")


def _sorted_log(path: Path, rows: int, bad: int) -> Path:
    """``rows`` clean contacts a minute apart, from 09:00 on 1 October 2026; row ``bad`` has csat 9."""
    lines = ["id,customer_id,channel,started_at,ended_at,topics,resolved_topics,escalated,csat"]
    for number in range(1, rows + 1):
        minutes = f"{number // 60 % 24:02d}:{number % 60:02d}"
        day = 1 + number // 1440
        lines.append(
            f"c{number:05d},u{number},chat,2026-10-{day:02d}T{minutes}:00Z,"
            f"2026-10-{day:02d}T{minutes}:30Z,billing,billing,false,{9 if number == bad else 5}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_sorted_bill_with_a_bad_row_in_a_late_chunk_exits_2_naming_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Row 10,002 of 10,005 (line 10,003, in the second chunk of 10,000): status 2, its line, nothing written."""
    log = _sorted_log(tmp_path / "log.csv", 10_005, bad=10_002)
    example = str(ROOT / "examples" / "contract.toml")
    out = tmp_path / "out"
    status, printed, err = run(
        capsys, example, "--log", str(log), "--period", "2026-10", "--out", str(out), "--sorted"
    )
    assert (status, printed) == (2, "")
    assert err.startswith(f"resolutionpricing: error: {log} has 1 problem:\n  - line 10003, csat: ")
    assert "Traceback" not in err
    assert not out.exists()


def test_a_sorted_bill_of_a_missing_log_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A log that is not there is one error line naming it, as without --sorted."""
    missing = str(tmp_path / "missing.csv")
    arguments = [*CONTRACTS, "--log", missing, "--period", "2026-10", "--out", str(tmp_path)]
    status, printed, err = run(capsys, *arguments, "--sorted")
    assert (status, printed) == (2, "")
    assert err == run(capsys, *arguments)[2]
    assert err.startswith(f"resolutionpricing: error: {missing} cannot be read")
