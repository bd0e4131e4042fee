"""compare_clauses: every variant's figures are those of calculate_invoice for the variant contract."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolutionpricing import (
    ClauseReport,
    Contract,
    ContractError,
    Interaction,
    InvalidValueError,
    ResolutionRule,
    Tier,
    TierSchedule,
    calculate_invoice,
    compare_clauses,
    load_contract,
    read_interactions,
)
from resolutionpricing._clauses import DEFAULT_VARIANTS
from resolutionpricing.strategies import interactions, resolution_rules

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = load_contract(ROOT / "examples" / "contract.toml")
LOG = read_interactions(ROOT / "examples" / "interactions.csv")


def _checked(report: ClauseReport, contract: Contract, log: Sequence[Interaction]) -> None:
    """Assert that each row and period of ``report`` is what calculate_invoice bills."""
    signed = {label: calculate_invoice(contract, log, label).total for label in report.periods}
    for row in report.rows:
        variant = attrs.evolve(contract, resolution=row.rule)
        for figures in row.periods:
            invoice = calculate_invoice(variant, log, figures.period)
            charge = sum(
                line.amount for line in invoice.lines if line.code in {"resolutions", "spend_cap"}
            )
            assert figures.billable_units == invoice.counts["billable_units"]
            assert figures.resolution_charge == charge
            assert figures.total == invoice.total
            assert figures.difference == invoice.total - signed[figures.period]
        assert row.overall.total == sum(figures.total for figures in row.periods)
        assert row.overall.billable_units == sum(figures.billable_units for figures in row.periods)


def test_example_log_every_default_variant_is_its_own_invoice() -> None:
    """On the example log, each default variant's October figures equal its own invoice."""
    report = compare_clauses(CONTRACT, LOG, "2026-10")
    _checked(report, CONTRACT, LOG)


@settings(max_examples=60, deadline=None)
@given(
    log=st.lists(
        interactions(start=datetime(2026, 10, 30, 12, tzinfo=UTC), span=timedelta(days=3)),
        max_size=18,
        unique_by=lambda contact: contact.id,
    ),
    rule=resolution_rules(),
    names=st.lists(
        st.sampled_from([name for name, _ in DEFAULT_VARIANTS]), max_size=4, unique=True
    ),
)
def test_random_logs_every_variant_is_its_own_invoice(
    log: list[Interaction], rule: ResolutionRule, names: list[str]
) -> None:
    """On random logs across a period boundary, each variant equals calculate_invoice."""
    contract = attrs.evolve(CONTRACT, resolution=rule)
    overrides = dict(DEFAULT_VARIANTS)
    variants = {name: overrides[name] for name in names}
    report = compare_clauses(contract, log, ["2026-10", "2026-11"], variants)
    assert [row.name for row in report.rows] == ["as signed", *names]
    _checked(report, contract, log)


def _flat(window: str) -> Contract:
    return Contract(
        name="Flat",
        currency="AED",
        timezone="UTC",
        starts_on=date(2026, 10, 1),
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price="1.00")),
        resolution=attrs.evolve(CONTRACT.resolution, recontact_window=window, min_csat=None),
    )


def _contact(identifier: str, hours: int, customer: str = "u1") -> Interaction:
    start = datetime(2026, 10, 5, 9, tzinfo=UTC) + timedelta(hours=hours)
    return Interaction(
        id=identifier,
        customer_id=customer,
        channel="chat",
        started_at=start,
        ended_at=start + timedelta(minutes=10),
        topics=["refund"],
        resolved_topics=["refund"],
    )


def test_a_return_after_30_hours_is_worth_one_resolution_between_24h_and_48h() -> None:
    """Two contacts 30 h apart: a 24 h window bills both, the signed 48 h one only the second."""
    # c3, by someone else days later, closes both windows (what is known is its end);
    # it is pending itself, so it bills nothing.
    log = [_contact("c1", 0), _contact("c2", 30), _contact("c3", 200, customer="u2")]
    report = compare_clauses(_flat("48h"), log, "2026-10", {"24h": {"recontact_window": "24h"}})
    signed, shorter = report.rows
    assert (signed.overall.billable_units, signed.overall.total) == (Decimal(1), Decimal("1.00"))
    assert (shorter.overall.billable_units, shorter.overall.total) == (Decimal(2), Decimal("2.00"))
    assert shorter.overall.difference == Decimal("1.00")


def test_default_sweep_skips_the_variants_equal_to_the_contract() -> None:
    """The default rows are named after their change, without those the contract already has."""
    names = [row.name for row in compare_clauses(CONTRACT, LOG, "2026-10").rows]
    assert names[0] == "as signed"
    assert "recontact_window=48h" not in names  # the example contract's own window
    assert "partial=pro_rata" not in names
    assert "recontact_window=72h" in names
    assert "min_csat=off" in names
    assert len(names) == 1 + len(DEFAULT_VARIANTS) - 7


def test_bad_variants_are_reported_all_at_once_with_their_paths() -> None:
    """An unknown key, a bad window and a reserved name are each reported, located."""
    with pytest.raises(ContractError) as caught:
        compare_clauses(
            CONTRACT,
            LOG[:10],
            "2026-10",
            {
                "typo": {"recontact_windw": "72h"},
                "bad window": {"recontact_window": "soon"},
                "as signed": {},
            },
        )
    paths = [problem.path for problem in caught.value.problems]
    assert paths == [
        "variants['typo'].recontact_windw",
        "variants['bad window'].recontact_window",
        "variants['as signed']",
    ]


def test_a_period_listed_twice_is_an_error() -> None:
    """The same period twice would double every overall figure: refused."""
    with pytest.raises(InvalidValueError, match="2026-10 is listed more than once"):
        compare_clauses(CONTRACT, LOG[:10], ["2026-10", "2026-10"])


def test_rows_dict_text_and_html_agree() -> None:
    """to_rows has Decimals, to_dict is JSON, to_text and HTML show the same names."""
    report = compare_clauses(
        CONTRACT, LOG, ["2026-10", "2026-11"], {"72h": {"recontact_window": "72h"}}
    )
    rows = report.to_rows()
    assert [(row["variant"], row["period"]) for row in rows] == [
        ("as signed", "2026-10"),
        ("as signed", "2026-11"),
        ("as signed", "all"),
        ("72h", "2026-10"),
        ("72h", "2026-11"),
        ("72h", "all"),
    ]
    assert all(isinstance(row["total"], Decimal) for row in rows)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["rows"][1]["overrides"] == {"recontact_window": "72h"}
    assert data["rows"][1]["overall"]["total"] == str(rows[5]["total"])
    assert "72h" in report.to_text()
    assert "<td" in report._repr_html_()


def test_to_pandas_keeps_decimals_unless_asked_for_floats() -> None:
    """exact=True keeps Decimal money; exact=False gives floats for plotting."""
    report = compare_clauses(CONTRACT, LOG, "2026-10", {"72h": {"recontact_window": "72h"}})
    exact = report.to_pandas()
    assert list(exact.columns) == [
        "variant", "period", "billable_units", "resolution_charge", "total", "difference"
    ]  # fmt: skip
    assert isinstance(exact["total"].iloc[0], Decimal)
    assert isinstance(report.to_pandas(exact=False)["total"].iloc[0], float)


def test_to_pandas_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas installed, the error says which extra to install."""
    monkeypatch.setitem(__import__("sys").modules, "pandas", None)
    report = compare_clauses(CONTRACT, LOG[:10], "2026-10", {})
    with pytest.raises(ImportError, match=r"resolutionpricing\[pandas\]"):
        report.to_pandas()
