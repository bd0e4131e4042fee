"""compare_offers: each offer priced on the same log, ranked, in one currency."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from resolutionpricing import (
    InvalidValueError,
    calculate_invoice,
    compare_offers,
    load_contract,
    read_interactions,
)

ROOT = Path(__file__).resolve().parents[1]
OFFERS = [
    load_contract(ROOT / "examples" / "offers" / f"{name}.toml")
    for name in ("outcome", "graduated", "volume")
]
LOG = read_interactions(ROOT / "examples" / "interactions.csv")


def test_each_offer_is_its_own_invoice() -> None:
    """Each offer's figures are its calculate_invoice figures; prices are 4 places half-up."""
    report = compare_offers(OFFERS, LOG, ["2026-10", "2026-11"])
    for offer, row in zip(OFFERS, report.offers, strict=True):
        for figures in row.periods:
            invoice = calculate_invoice(offer, LOG, figures.period)
            assert figures.total == figures.offer_total == invoice.total
            assert figures.billable_units == invoice.counts["billable_units"]
            assert figures.contacts == invoice.counts["contacts"]
    volume = report.offers[2].periods[0]
    # 6,076 units at 2.50 (volume tier 3) plus 5 % VAT: 15,949.50; / 6,076 = 2.62500...
    assert (volume.total, volume.price_per_resolution) == (Decimal("15949.50"), Decimal("2.6250"))
    assert volume.price_per_contact == Decimal("1.1962")  # 15,949.50 / 13,333 = 1.19623...


def test_ranks_per_period_and_overall() -> None:
    """The cheapest offer of each period ranks 1; the overall rank is by the summed totals."""
    report = compare_offers(OFFERS, LOG, ["2026-10", "2026-11"])
    assert [row.periods[0].rank for row in report.offers] == [3, 2, 1]
    assert [row.periods[1].rank for row in report.offers] == [2, 1, 3]
    assert [row.overall.rank for row in report.offers] == [3, 2, 1]
    assert report.offers[0].overall.total == sum(f.total for f in report.offers[0].periods)


def test_equal_totals_share_a_rank_listed_by_name() -> None:
    """Two offers with equal totals share rank 1; the ranking lists them by name."""
    twin = attrs.evolve(OFFERS[2], name="A twin of Volume Co")
    report = compare_offers([OFFERS[2], twin, OFFERS[0]], LOG, "2026-10")
    assert [row.periods[0].rank for row in report.offers] == [1, 1, 3]
    assert [row["offer"] for row in report.ranking("2026-10")] == [
        "A twin of Volume Co",
        "Volume Co: volume tiers",
        "Outcome Co: per-outcome plan",
    ]


def test_other_currencies_need_a_rate() -> None:
    """An offer in SAR without an fx rate is refused; with one its total is converted and rounded."""
    sar = attrs.evolve(OFFERS[1], currency="SAR", name="Riyadh Co")
    with pytest.raises(InvalidValueError, match="fx has no SAR rate"):
        compare_offers([OFFERS[0], sar], LOG, "2026-10")
    report = compare_offers([OFFERS[0], sar], LOG, "2026-10", fx={"SAR": "0.9793"})
    converted = report.offers[1].periods[0]
    assert converted.offer_total == Decimal("22680.00")
    assert converted.total == Decimal("22210.52")  # 22,680.00 x 0.9793 = 22,210.524, half-up
    assert report.currency == "AED"


def test_offers_need_distinct_names() -> None:
    """Two offers with one name could not be told apart in the report."""
    with pytest.raises(InvalidValueError, match="also the name of offers"):
        compare_offers([OFFERS[0], OFFERS[0]], LOG, "2026-10")


def test_rows_dict_and_frames() -> None:
    """Rows hold Decimals, to_dict is JSON, to_pandas(exact=False) gives floats."""
    report = compare_offers(OFFERS, LOG, "2026-10")
    rows = report.to_rows()
    assert len(rows) == 6
    assert rows[0]["offer"] == "Outcome Co: per-outcome plan"
    assert isinstance(rows[0]["total"], Decimal)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["offers"][2]["periods"][0]["total"] == "15949.50"
    assert "Volume Co" in report.to_text()
    assert "<table>" in report._repr_html_()
    assert isinstance(report.to_pandas(exact=False)["total"].iloc[0], float)
    assert isinstance(report.to_pandas()["total"].iloc[0], Decimal)
