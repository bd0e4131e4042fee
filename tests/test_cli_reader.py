"""``--reader stdlib|arrow``: every command that reads a log chooses its reader."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from resolutionpricing._cli import main

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = str(ROOT / "examples" / "contract.toml")
LOG = str(ROOT / "examples" / "interactions.csv")
REVIEWED = str(ROOT / "examples" / "audit-2026-10-reviewed.csv")
MISSING = (
    "resolutionpricing: error: --reader: arrow needs pyarrow, which is not installed; "
    "--reader stdlib, or pip install 'resolutionpricing[arrow]'\n"
)


def _commands(out: Path) -> dict[str, list[str]]:
    """Each command that reads a log, with the arguments it needs to read the example log."""
    return {
        "invoice": ["invoice", CONTRACT, LOG, "--period", "2026-10"],
        "bill": ["bill", CONTRACT, "--log", LOG, "--period", "2026-10", "--out", str(out)],
        "pilot": ["pilot", CONTRACT, LOG, "--starts-on", "2026-10-01", "--ends-on", "2026-10-31"],
        "review": ["review", CONTRACT, LOG],
        "clauses": ["clauses", CONTRACT, LOG, "--period", "2026-10"],
        "offers": ["offers", LOG, CONTRACT, "--period", "2026-10"],
        "audit sample": [
            *("audit", "sample", CONTRACT, LOG, "--period", "2026-10", "--size", "5"),
            *("--seed", "1", "--out", str(out / "sample.csv")),
        ],
        "audit estimate": ["audit", "estimate", CONTRACT, REVIEWED, "--log", LOG],
    }


COMMANDS = list(_commands(Path()))


def _run(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> tuple[int, str, str]:
    status = main(arguments)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_that_reads_a_log_offers_the_reader_in_its_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--help`` shows ``[--reader READER]``, its two values, the default and the extra."""
    with pytest.raises(SystemExit) as exited:
        main([*command.split(), "--help"])
    assert exited.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())  # unwrapped
    assert "[--reader READER]" in shown
    assert "--reader READER stdlib (the standard library, the default) or arrow (pyarrow" in shown
    assert "pip install 'resolutionpricing[arrow]'" in shown


@pytest.mark.parametrize("command", ["invoice", "bill", "review", "audit sample"])
def test_a_reader_other_than_stdlib_or_arrow_is_a_usage_error(
    command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--reader polars`` exits 2 from the parser, naming the two readers, and reads nothing."""
    with pytest.raises(SystemExit) as exited:
        main([*_commands(tmp_path)[command], "--reader", "polars"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --reader: invalid choice: 'polars' (choose from 'stdlib', 'arrow')" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("command", COMMANDS)
def test_without_pyarrow_the_arrow_reader_is_one_line_naming_the_extra(
    command: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without pyarrow: status 2, one error line naming resolutionpricing[arrow], no traceback."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    status, out, err = _run(capsys, [*_commands(tmp_path)[command], "--reader", "arrow"])
    assert (status, out, err) == (2, "", MISSING)
    assert not list(tmp_path.iterdir())


def test_the_stdlib_reader_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    """``--reader stdlib`` prints what no ``--reader`` prints: the example's October invoice."""
    arguments = ["invoice", CONTRACT, LOG, "--period", "2026-10", "--format", "json"]
    default = _run(capsys, arguments)
    assert default == _run(capsys, [*arguments, "--reader", "stdlib"])
    assert default[0] == 0
    assert '"total":"26506.34"' in default[1]


def test_the_arrow_reader_prints_the_same_invoice(capsys: pytest.CaptureFixture[str]) -> None:
    """``invoice --reader arrow`` on the example log: the stdlib reader's JSON, byte for byte."""
    pytest.importorskip("pyarrow")
    arguments = ["invoice", CONTRACT, LOG, "--period", "2026-10", "--format", "json"]
    assert _run(capsys, [*arguments, "--reader", "arrow"]) == _run(capsys, arguments)


def test_a_sorted_bill_read_with_arrow_writes_the_same_invoices(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``bill --sorted --reader arrow``: the same summary and invoice files as the stdlib reader."""
    pytest.importorskip("pyarrow")
    runs = {}
    for reader in ("stdlib", "arrow"):
        out = tmp_path / reader
        arguments = ["bill", CONTRACT, "--log", LOG, "--period", "2026-10", "--out", str(out)]
        status, printed, err = _run(capsys, [*arguments, "--sorted", "--reader", reader])
        assert (status, err) == (0, "")
        runs[reader] = (printed, (out / "default" / "2026-10.json").read_text(encoding="utf-8"))
    assert runs["arrow"] == runs["stdlib"]
