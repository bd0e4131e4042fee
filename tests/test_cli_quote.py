"""The ``resolutionpricing quote`` command: a text table or canonical JSON; clean errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from resolutionpricing import __version__, load_contract, quote
from resolutionpricing._cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "contract.toml"

OCTOBER_TEXT = """\
Gulf Telecom: AI resolution agreement
Period 2026-10 (AED, final)

code            description                                    quantity     unit price          amount
resolutions     Resolutions (graduated tiers)                     12000                       36750.00
                  tier 1: 5000 x 3.50                                                         17500.00
                  tier 2: 7000 x 2.75                                                         19250.00
escalations     Escalations to human agents                        3100           0.00            0.00
kb_maintenance  Knowledge base maintenance                            1        4000.00         4000.00

                                                                              subtotal        40750.00
                                                                              tax (5%)         2037.50
                                                                                 total        42787.50
"""


def _run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """Run ``resolutionpricing quote EXAMPLE ...``; return the status, stdout and stderr."""
    status = main(["quote", str(EXAMPLE), *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The default output is a table: lines, the tier breakdown, subtotal, tax and total."""
    status, out, err = _run(
        capsys, "--period", "2026-10", "--resolutions", "12000", "--escalations", "3100"
    )
    # 5,000 x 3.50 + 7,000 x 2.75 = 36,750; + 4,000 = 40,750; 5 % tax 2,037.50
    assert (status, out, err) == (0, OCTOBER_TEXT, "")


def test_text_table_shows_step_down_and_spend_cap(capsys: pytest.CaptureFixture[str]) -> None:
    """The step-down part and the spend cap line are visible in the table."""
    status, out, _ = _run(capsys, "--period", "2026-07", "--resolutions", "40000")
    assert status == 0
    assert "  step-down above 30000: 10000 x 1.50" in out
    assert "15000.00" in out
    assert out.splitlines()[9].split() == [
        "spend_cap",
        "Monthly",
        "spend",
        "cap",
        "on",
        "resolutions",
        "1",
        "-3750.00",
    ]
    assert out.splitlines()[-1].split() == ["total", "182700.00"]


def test_json_is_the_invoices_canonical_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``--format json`` prints ``Invoice.to_json()`` and a newline."""
    status, out, err = _run(
        capsys,
        "--period",
        "2026-10",
        "--resolutions",
        "12000",
        "--escalations",
        "3100",
        "--contacts",
        "20000",
        "--format",
        "json",
    )
    expected = quote(
        load_contract(EXAMPLE), "2026-10", resolutions=12000, escalations=3100, contacts=20000
    )
    assert (status, out, err) == (0, expected.to_json() + "\n", "")
    data = json.loads(out)
    assert data["total"] == "42787.50"
    assert data["counts"]["containment_rate"] == "0.845"  # 0.8450 in normal form


def test_fractional_resolutions(capsys: pytest.CaptureFixture[str]) -> None:
    """Resolution units may be fractional on the command line."""
    status, out, _ = _run(
        capsys, "--period", "2026-10", "--resolutions", "5000.06", "--format", "json"
    )
    # 17,500 + 0.06 x 2.75 = 17,500.165 -> 17,500.17
    assert status == 0
    assert json.loads(out)["lines"][0]["amount"] == "17500.17"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--period", "2026-Q4", "--resolutions", "1"],
            'period: 2026-Q4 is quarterly but the contract bills monthly; a monthly period such as "2026-10"',
        ),
        (
            ["--period", "2026-06", "--resolutions", "1"],
            "period: 2026-06 is outside the contract's term (2026-07-01 to 2028-06-30); a period that overlaps the term",
        ),
        (
            ["--period", "October", "--resolutions", "1"],
            'period: \'October\' is not a period label; a month "YYYY-MM" (such as "2026-10") or a quarter "YYYY-Qn" (such as "2026-Q4")',
        ),
        (
            ["--period", "2026-10", "--resolutions", "-5"],
            "resolutions: -5 is negative; must be 0 or more",
        ),
        (
            ["--period", "2026-10", "--resolutions", "lots"],
            'resolutions: \'lots\' is not a number; use a Decimal, an int or a decimal string such as "0.99", in ASCII digits without "_"',
        ),
        (
            ["--period", "2026-10", "--resolutions", "0.0000000000001"],
            "resolutions: '0.0000000000001' has more than 12 decimal places; at most 12 decimal places",
        ),
    ],
)
def test_bad_input_exits_2_with_the_message(
    capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    """Bad input: status 2, the library's message on stderr, nothing on stdout."""
    status, out, err = _run(capsys, *arguments)
    assert (status, out, err) == (2, "", f"resolutionpricing: error: {message}\n")


def test_missing_contract_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A contract that cannot be read is reported, with its path."""
    path = tmp_path / "absent.toml"
    status = main(["quote", str(path), "--period", "2026-10", "--resolutions", "1"])
    err = capsys.readouterr().err
    assert status == 2
    assert err == (
        f"resolutionpricing: error: {path} cannot be read:\n"
        f"  - {path}: No such file or directory; a readable TOML file\n"
    )


def test_broken_contract_lists_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A contract with several problems: all of them, each on its own line."""
    path = tmp_path / "broken.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(
        text.replace('currency = "AED"', 'currency = "XAU"').replace(
            "min_csat = 4", "min_csat = 0"
        ),
        encoding="utf-8",
    )
    status = main(["quote", str(path), "--period", "2026-10", "--resolutions", "1"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.splitlines() == [
        f"resolutionpricing: error: {path} has 2 problems:",
        "  - contract.currency: 'XAU' is a precious metal, fund or testing code, not a currency; an ISO 4217 currency code such as AED, SAR, KWD, EUR or USD",
        "  - resolution.min_csat: 0 is out of range; an integer from 1 to 5, or None",
    ]


@pytest.mark.parametrize("option", ["--escalations", "--contacts"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2.5", "'2.5' is not a whole number; ASCII digits 0-9, at most 18 of them"),
        ("\u0663", "'\u0663' is not a whole number; ASCII digits 0-9, at most 18 of them"),
        ("1_000", "'1_000' is not a whole number; ASCII digits 0-9, at most 18 of them"),
        ("x", "'x' is not a whole number; ASCII digits 0-9, at most 18 of them"),
        ("-1", "'-1' is negative; 0 or more"),
    ],
)
def test_counts_must_be_whole_numbers(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    """A count that is not a whole number of 0 or more is an argparse usage error: status 2."""
    with pytest.raises(SystemExit) as caught:
        main(["quote", str(EXAMPLE), "--period", "2026-10", "--resolutions", "1", option, value])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("usage: resolutionpricing quote ")
    assert captured.err.splitlines()[-1] == (
        f"resolutionpricing quote: error: argument {option}: {message}"
    )


@pytest.mark.parametrize(
    "arguments",
    [
        ["quote", str(EXAMPLE), "--resolutions", "1"],  # no --period
        ["quote", str(EXAMPLE), "--period", "2026-10"],  # no --resolutions
        ["quote", str(EXAMPLE), "--period", "2026-10", "--resolutions", "1", "--format", "xml"],
        [],  # no command
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> None:
    """Missing or invalid options are argparse usage errors: status 2 and a usage line."""
    with pytest.raises(SystemExit) as caught:
        main(arguments)
    assert caught.value.code == 2
    assert "usage: resolutionpricing" in capsys.readouterr().err


def test_absurd_resolutions_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Even 1E60 resolutions is a clean error, not a traceback."""
    status, out, err = _run(capsys, "--period", "2026-10", "--resolutions", "1E60")
    assert (status, out, err) == (
        2,
        "",
        "resolutionpricing: error: resolutions: '1E60' is too large; a number below 10^18 in size\n",
    )


def test_python_dash_m_runs_the_command() -> None:
    """``python -m resolutionpricing quote ... --format json`` prints the invoice's JSON."""
    result = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "resolutionpricing",
            "quote",
            str(EXAMPLE),
            "--period",
            "2026-10",
            "--resolutions",
            "12000",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    expected = quote(load_contract(EXAMPLE), "2026-10", resolutions=12000)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected.to_json() + "\n", "")


def test_python_dash_m_bad_input_has_no_traceback() -> None:
    """In a real process, bad input exits non-zero with the message and no traceback."""
    result = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "resolutionpricing",
            "quote",
            str(EXAMPLE),
            "--period",
            "2026-Q4",
            "--resolutions",
            "1",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "resolutionpricing: error: period: 2026-Q4 is quarterly but the contract bills monthly; "
        'a monthly period such as "2026-10"\n'
    )
    assert "Traceback" not in result.stderr


# --- the CLI never prints a traceback -------------------------------------------------


def _command(*words: str, **options: Any) -> subprocess.CompletedProcess[str]:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | options
    return subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-m", "resolutionpricing", *words],
        text=True, check=False, timeout=60, **streams,
    )  # fmt: skip


QUOTE = ("quote", str(EXAMPLE), "--period", "2026-10", "--resolutions", "1")
CLOSED_STDOUT = (
    "import os, sys; os.close(1); from resolutionpricing._cli import main;"
    f" sys.exit(main({list(QUOTE)!r}))"
)


def test_version_prints_the_version() -> None:
    """--version prints the program's name and version, status 0."""
    done = _command("--version")
    assert (done.returncode, done.stdout) == (0, f"resolutionpricing {__version__}\n")


def test_a_closed_stdout_is_one_line_and_status_1() -> None:
    """Started with standard output closed (>&-): one line on stderr, status 1."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CLOSED_STDOUT],
        capture_output=False, stderr=subprocess.PIPE, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["resolutionpricing: error: standard output is closed"] or (
        done.stderr.splitlines()[-1].startswith("resolutionpricing: error: standard output")
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_disk_is_one_line_and_status_1() -> None:
    """Standard output to /dev/full: one line naming the error, status 1, no traceback."""
    with Path("/dev/full").open("w") as full:
        done = _command(*QUOTE, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert done.stderr == (
        "resolutionpricing: error: standard output cannot be written: No space left on device\n"
    )


def test_a_reader_gone_exits_quietly_with_141() -> None:
    """A pipe whose reader has gone (| true): nothing on stderr, status 141 (128 + SIGPIPE)."""
    command = [sys.executable, "-m", "resolutionpricing", "invoice", str(EXAMPLE),
               str(EXAMPLE.parent / "interactions.csv"), "--period", "2026-10", "--format", "json"]  # fmt: skip
    for _ in range(3):
        writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
        assert writer.stdout is not None
        writer.stdout.close()  # the reader is gone before the write
        _, errors = writer.communicate(timeout=60)
        assert (writer.returncode, errors) == (141, b"")


def test_a_non_utf8_stdout_escapes_what_it_cannot_encode(tmp_path: Path) -> None:
    """PYTHONIOENCODING=ascii with an Arabic contract name: escapes, status 0, no traceback."""
    arabic = tmp_path / "contract.toml"
    text = EXAMPLE.read_text(encoding="utf-8")
    arabic.write_text(
        text.replace(load_contract(EXAMPLE).name, "\u0634\u0631\u0643\u0629"), encoding="utf-8"
    )
    done = _command("quote", str(arabic), "--period", "2026-10", "--resolutions", "1",
                    env={**os.environ, "PYTHONIOENCODING": "ascii"})  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[0] == "\\u0634\\u0631\\u0643\\u0629"


@pytest.mark.parametrize("period", ["9999-12", "0000-01"])
def test_calendar_edge_periods_are_one_line_and_status_2(period: str) -> None:
    """--period 9999-12 or 0000-01: one line with the supported range, status 2."""
    done = _command("quote", str(EXAMPLE), "--period", period, "--resolutions", "1")
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "a period in the years 0002 to 9998" in done.stderr


def test_contract_and_log_read_errors_have_one_shape(tmp_path: Path) -> None:
    """A missing contract and a missing log: a summary line, then the problem indented."""
    missing = str(tmp_path / "missing")
    contract = _command("quote", missing + ".toml", "--period", "2026-10", "--resolutions", "1")
    log = _command("invoice", str(EXAMPLE), missing + ".csv", "--period", "2026-10")
    assert contract.stderr.splitlines() == [
        f"resolutionpricing: error: {missing}.toml cannot be read:",
        f"  - {missing}.toml: No such file or directory; a readable TOML file",
    ]
    assert log.stderr.splitlines() == [
        f"resolutionpricing: error: {missing}.csv cannot be read:",
        f"  - {missing}.csv: No such file or directory; a readable log file",
    ]
    assert contract.returncode == log.returncode == 2


def test_init_writes_files_that_invoice_reads(tmp_path: Path) -> None:
    """Init DIR writes the example contract and a small log; invoice then prices October."""
    folder = tmp_path / "start"
    assert main(["init", str(folder)]) == 0
    done = _command("invoice", str(folder / "contract.toml"), str(folder / "interactions.csv"),
                    "--period", "2026-10", "--format", "json")  # fmt: skip
    assert done.returncode == 0
    assert json.loads(done.stdout)["final"] is True
    assert main(["init", str(folder)]) == 2  # never overwrites


def test_the_packaged_example_contract_is_the_repository_one() -> None:
    """What init writes is examples/contract.toml, byte for byte."""
    packaged = (
        Path(__file__).resolve().parent.parent / "src/resolutionpricing/_examples/contract.toml"
    )
    assert packaged.read_bytes() == EXAMPLE.read_bytes()
