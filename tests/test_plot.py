"""resolutionpricing.plot: each chart draws, marks what it should, and needs only its extra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from resolutionpricing import (
    InvalidTypeError,
    InvalidValueError,
    PricingMode,
    TierSchedule,
    bill,
    compare_clauses,
    compare_offers,
    load_contract,
    read_interactions,
)
from resolutionpricing.business_case import load_scenario
from resolutionpricing.plot import (
    plot_business_case,
    plot_clauses,
    plot_offers,
    plot_price_curve,
    plot_statement,
)

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = load_contract(ROOT / "examples" / "contract.toml")
LOG = read_interactions(ROOT / "examples" / "interactions.csv")


def _texts(figure: object) -> list[str]:
    return [text.get_text() for axes in figure.axes for text in axes.texts]  # type: ignore[attr-defined]


def test_price_curve_marks_tiers_caps_and_the_volume_cliff() -> None:
    """Tier boundaries, the step-down and spend caps, and each volume cliff are labelled."""
    assert isinstance(CONTRACT.pricing, TierSchedule)
    volume = attrs.evolve(
        CONTRACT, pricing=TierSchedule(mode=PricingMode.VOLUME, tiers=CONTRACT.pricing.tiers)
    )
    texts = _texts(plot_price_curve(volume, 40000))
    assert {"up_to 5,000", "up_to 20,000", "step-down above 30,000", "spend cap 90,000.00"} <= set(
        texts
    )
    # 20,000 units at 2.75 = 55,000.00; 20,001 at 2.00 = 40,002.00.
    assert "volume cliff: -14,998.00" in texts


def test_price_curve_draws_exact_charges() -> None:
    """The charge drawn at 12,000 units is the tier price, 36,750.00."""
    figure = plot_price_curve(attrs.evolve(CONTRACT, caps=()), 12000)
    line = figure.axes[0].get_lines()[0]
    points = dict(zip(line.get_xdata(), line.get_ydata(), strict=True))  # type: ignore[arg-type]
    assert points[12000.0] == 36750.0


def test_clause_and_offer_charts_draw_one_bar_per_variant_and_offer() -> None:
    """plot_clauses has a bar per variant; plot_offers a bar per offer and period."""
    report = compare_clauses(CONTRACT, LOG, "2026-10", {"72h": {"recontact_window": "72h"}})
    assert len(plot_clauses(report).axes[0].patches) == 1
    offers = [
        load_contract(ROOT / "examples" / "offers" / f"{name}.toml")
        for name in ("outcome", "graduated", "volume")
    ]
    offer_report = compare_offers(offers, LOG, ["2026-10", "2026-11"])
    assert len(plot_offers(offer_report).axes[0].patches) == 6


def test_the_core_never_imports_matplotlib() -> None:
    """Importing resolutionpricing leaves matplotlib unimported (it is an extra)."""
    code = "import sys, resolutionpricing; print('matplotlib' in sys.modules)"
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    assert result.stdout.strip() == "False"


def test_without_matplotlib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without matplotlib, plotting says which extra to install."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"resolutionpricing\[plot\]"):
        plot_price_curve(CONTRACT, 100)


def test_statement_stacks_each_line_code_per_period() -> None:
    """plot_statement: one bar per (line code, period), heights the line amounts, subtotals labelled."""
    run = bill(CONTRACT, LOG, "2026-10..2026-11")
    axes = plot_statement(run).axes[0]
    codes = list(dict.fromkeys(line.code for invoice in run.invoices for line in invoice.lines))
    assert len(axes.patches) == len(codes) * len(run.invoices)
    # Bars come code by code, period by period: the first is October's resolutions line.
    october = run.invoices[0]
    resolutions = october.line("resolutions")
    assert resolutions is not None
    assert axes.patches[0].get_height() == float(resolutions.amount)  # type: ignore[attr-defined]
    texts = {text.get_text() for text in axes.texts}
    assert {f"{invoice.subtotal:,}" for invoice in run.invoices} <= texts


def test_statement_picks_the_account_and_refuses_an_unknown_one() -> None:
    """A named account draws its own invoices; an unknown one is refused, listing the accounts."""
    contracts = [
        load_contract(ROOT / "examples" / "accounts" / f"acct-{n}.toml") for n in (1, 2, 3)
    ]
    run = bill(
        contracts, read_interactions(ROOT / "examples" / "accounts" / "interactions.csv"), "2026-10"
    )
    assert "acct-2" in plot_statement(run, "acct-2").axes[0].get_title()
    with pytest.raises(InvalidValueError, match="acct-1"):
        plot_statement(run, "nobody")
    with pytest.raises(InvalidValueError, match="account_id"):
        plot_statement(run)
    with pytest.raises(InvalidTypeError):
        plot_statement(run.invoices[0])  # type: ignore[arg-type]


def test_business_case_draws_cost_baseline_and_break_even() -> None:
    """plot_business_case: a point per month on both lines, the break-even month marked."""
    result = load_scenario(ROOT / "examples" / "business-case" / "scenario.toml").evaluate()
    costs, savings = plot_business_case(result).axes
    total, baseline = costs.get_lines()[:2]
    assert list(total.get_ydata()) == [float(month.total_cost) for month in result.months]  # type: ignore[arg-type]
    assert list(baseline.get_ydata()) == [float(month.baseline_cost) for month in result.months]  # type: ignore[arg-type]
    even = result.summary.break_even_month
    assert even is not None
    assert f"break-even: month {even} ({result.months[even - 1].period})" in {
        text.get_text() for text in savings.texts
    }
    with pytest.raises(InvalidTypeError):
        plot_business_case(result.summary)  # type: ignore[arg-type]
