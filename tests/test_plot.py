"""resolutionpricing.plot: each chart draws, marks what it should, and needs only its extra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from resolutionpricing import (
    PricingMode,
    TierSchedule,
    compare_clauses,
    compare_offers,
    load_contract,
    read_interactions,
)
from resolutionpricing.plot import plot_clauses, plot_offers, plot_price_curve

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = load_contract(ROOT / "examples" / "contract.toml")
LOG = read_interactions(ROOT / "examples" / "interactions.csv")


def _texts(figure: object) -> list[str]:
    return [text.get_text() for axes in figure.axes for text in axes.texts]  # type: ignore[attr-defined]


def test_price_curve_marks_tiers_caps_and_the_volume_cliff() -> None:
    """Tier boundaries, the step-down and spend caps, and each volume cliff are labelled."""
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
