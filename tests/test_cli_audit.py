"""The `resolutionpricing audit sample` and `audit estimate` commands."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from resolutionpricing import Adjustment, Invoice
from resolutionpricing._cli import main

CONTRACT = "examples/contract.toml"
LOG = "examples/interactions.csv"
REVIEWED = "examples/audit-2026-10-reviewed.csv"


def _sample(tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "sample.csv"
    arguments = ["audit", "sample", CONTRACT, LOG, "--period", "2026-10", "--size", "12"]
    assert main([*arguments, "--seed", "3", "--out", str(out), *extra]) == 0
    return out


def test_sample_writes_the_contacts_to_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file has one row per sampled contact, billable, of the period, with a blank finding."""
    rows = list(
        csv.DictReader(
            _sample(tmp_path, "--strata", "channel").read_text(encoding="utf-8").splitlines()
        )
    )
    assert len(rows) == 12
    assert {row["status"] for row in rows} == {"billable"}
    assert {row["period"] for row in rows} == {"2026-10"}
    assert {row["meets_definition"] for row in rows} == {""}
    assert {row["stratum"] for row in rows} <= {"chat", "email", "voice", "whatsapp"}
    assert "Sampled 12 of 6630 billed contacts of 2026-10 (seed 3)" in capsys.readouterr().out


def test_sample_is_reproducible(tmp_path: Path) -> None:
    """The same seed writes the same file."""
    first = _sample(tmp_path).read_bytes()
    assert _sample(tmp_path).read_bytes() == first


def test_estimate_prints_the_rate_and_the_credit(capsys: pytest.CaptureFixture[str]) -> None:
    """3 of 40 fail (stratified 0.076189), over 2 % tolerance: the whole rate of 21,244.13 AED."""
    assert main(["audit", "estimate", CONTRACT, REVIEWED, "--log", LOG]) == 0
    out = capsys.readouterr().out
    assert "3 of 40 sampled contacts fail the definition" in out
    assert "failure rate 0.076189" in out
    assert "audit_credit:2026-10 -1618.57 AED" in out  # 0.076189 * 21,244.13 = 1,618.56...


def test_estimate_without_an_invoice_prints_no_credit(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --invoice or --log the estimate is printed and the credit is said to need one."""
    assert main(["audit", "estimate", CONTRACT, REVIEWED, "--method", "clopper_pearson"]) == 0
    out = capsys.readouterr().out
    assert "95% clopper_pearson interval" in out
    assert "credit: needs the period's invoice" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "line 2, meets_definition: is blank"),
        ("maybe", "line 2, meets_definition: 'maybe' is not a finding"),
    ],
)
def test_estimate_refuses_unreviewed_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    """A blank or unreadable finding exits 2 with a one-line error naming the line."""
    rows = list(csv.DictReader(Path(REVIEWED).read_text(encoding="utf-8").splitlines()))
    rows[0]["meets_definition"] = value
    broken = tmp_path / "reviewed.csv"
    with broken.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert main(["audit", "estimate", CONTRACT, str(broken)]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert error.count("\n") == 1


def test_bad_input_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown strata column, a size of 0 or a file that is not a sample exit 2 with one line."""
    out = str(tmp_path / "s.csv")
    base = ["audit", "sample", CONTRACT, LOG, "--period", "2026-10", "--seed", "1", "--out", out]
    assert main([*base, "--size", "5", "--strata", "colour"]) == 2
    assert main([*base, "--size", "0"]) == 2
    assert main(["audit", "estimate", CONTRACT, LOG]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3
    assert "'colour' is not a column of the log" in errors[0]
    assert "size: 0 is below 1" in errors[1]
    assert "is not an audit sample" in errors[2]


def test_estimate_reads_the_invoice_a_billing_run_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bill --out, then audit estimate --invoice on its October JSON: the credit of --log, written back."""
    assert (
        main(["bill", CONTRACT, "--log", LOG, "--period", "2026-10", "--out", str(tmp_path)]) == 0
    )
    (invoice,) = tmp_path.glob("*/2026-10.json")
    capsys.readouterr()
    credit = tmp_path / "credit.json"
    arguments = ["audit", "estimate", CONTRACT, REVIEWED, "--invoice", str(invoice)]
    assert main([*arguments, "--credit-out", str(credit)]) == 0
    assert "audit_credit:2026-10 -1618.57 AED" in capsys.readouterr().out
    adjustment = Adjustment.from_json(credit.read_text(encoding="utf-8"))
    assert (
        adjustment.issued_fingerprint == Invoice.from_json(invoice.read_text("utf-8")).fingerprint
    )
    assert adjustment.total_difference == Decimal("-1699.50")  # -1618.57 and 5 % tax, -80.93
