"""The business-case, pilot and review commands: tables on stdout, bad input exits 2 in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resolutionpricing import ScenarioError
from resolutionpricing._cli import main
from resolutionpricing.business_case import load_scenario


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_business_case_prints_the_months_and_the_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The example scenario: 24 monthly rows, then the summary with the break-even months."""
    status, out, err = _run(capsys, "business-case", "examples/business-case/scenario.toml")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Business case (USD)"
    assert lines[3].split()[:4] == ["1", "2026-07", "50000", "0.60"]
    assert "total_savings               8961333.56" in out
    assert "amortized_beyond_horizon       3333.56" in out


def test_scenario_problems_are_listed_with_their_keys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A bad key in a scenario file exits 2: the file, then each problem with its key."""
    scenario = tmp_path / "scenario.toml"
    text = Path("examples/business-case/scenario.toml").read_text(encoding="utf-8")
    contract = Path("examples/business-case/contract.toml").resolve()
    text = text.replace('contract = "contract.toml"', f'contract = "{contract}"')
    scenario.write_text(text.replace('rate = "0.60"', 'rate = "1.60"'), encoding="utf-8")
    status, out, err = _run(capsys, "business-case", str(scenario))
    assert (status, out) == (2, "")
    assert err == (
        f"resolutionpricing: error: {scenario} has 1 problem:\n"
        '  - ramp.rate: 1.60 is above 1; a rate from 0 to 1, such as "0.60"\n'
    )
    scenario.write_text(text.replace("[ramp]", "[ramp]\nscenario = 'mid'"), encoding="utf-8")
    status, _, err = _run(capsys, "business-case", str(scenario))
    assert status == 2
    assert "ramp: gives rate and scenario; exactly one of rate, scenario, rates" in err


def test_every_problem_of_a_scenario_is_reported_at_once(tmp_path: Path) -> None:
    """A bad ramp and a bad forecast in one file: both problems, each with its key."""
    scenario = tmp_path / "scenario.toml"
    text = Path("examples/business-case/scenario.toml").read_text(encoding="utf-8")
    contract = Path("examples/business-case/contract.toml").resolve()
    text = text.replace('contract = "contract.toml"', f'contract = "{contract}"')
    text = text.replace('rate = "0.60"', 'rate = "1.60"') + "\n[colours]\n"
    scenario.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert [problem.path for problem in caught.value.problems] == ["colours", "ramp.rate"]


def test_a_fifo_scenario_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A named pipe with no writer is refused at once, as for contract files."""
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="FIFO"):
        load_scenario(fifo)


def test_pilot_command(capsys: pytest.CaptureFixture[str]) -> None:
    """Criteria from flags: October's automation rate passes 0.60, its CSAT fails 4."""
    status, out, _ = _run(
        capsys,
        "pilot",
        "examples/contract.toml",
        "examples/interactions.csv",
        "--starts-on",
        "2026-10-01",
        "--ends-on",
        "2026-10-31",
        "--min-automation-rate",
        "0.60",
        "--min-csat",
        "4",
    )
    assert status == 0
    assert "min_automation_rate    0.7464       0.60  yes" in out
    assert "min_csat               3.8448          4  no" in out
    assert out.endswith("verdict: FAILED\n")


def test_review_command(capsys: pytest.CaptureFixture[str]) -> None:
    """The example log is Y1Q2; --year 0 is refused in one line."""
    status, out, _ = _run(capsys, "review", "examples/contract.toml", "examples/interactions.csv")
    assert status == 0
    assert out.splitlines()[3].split()[:3] == ["Y1Q2", "2026-10;2026-11;2026-12", "19500"]
    status, _, err = _run(
        capsys, "review", "examples/contract.toml", "examples/interactions.csv", "--year", "0"
    )
    assert status == 2
    assert (
        err
        == "resolutionpricing: error: year: 0 is not a contract year; 1 (the first year) or more\n"
    )
