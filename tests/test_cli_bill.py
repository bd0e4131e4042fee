"""The ``resolutionpricing bill`` command: one folder of invoices per account, decisions, a summary."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from resolutionpricing import Invoice, bill, load_contract, read_interactions
from resolutionpricing._cli import main, render_summary

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
    assert (status, out, err) == (0, render_summary(expected), "")
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
