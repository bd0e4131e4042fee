"""Invoices, usage, runs and adjustments as text, HTML, rows and DataFrames, with exact types."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from resolutionpricing import (
    DecisionStatus,
    InvalidValueError,
    bill,
    calculate_invoice,
    load_contract,
    quote,
    read_interactions,
    reconcile,
)

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = load_contract(ROOT / "examples" / "contract.toml")
LOG = read_interactions(ROOT / "examples" / "interactions.csv")


class _Tables(HTMLParser):
    """Checks that every tag closes in order, and collects the cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        self.open.append(tag)
        if tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        assert self.open, f"</{tag}> closes nothing"
        assert self.open.pop() == tag, f"</{tag}> closes another tag"
        if tag in {"td", "th"} and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _cells(markup: str) -> list[str]:
    parser = _Tables()
    parser.feed(markup)
    parser.close()
    assert parser.open == [], f"unclosed tags: {parser.open}"
    return parser.cells


def test_invoice_rows_are_its_lines_with_decimal_money() -> None:
    """12,000 resolutions: one row per line, in order, Decimal amounts that add up to the subtotal."""
    invoice = quote(CONTRACT, "2026-10", resolutions=12000)
    rows = invoice.to_rows()
    assert [row["key"] for row in rows] == ["resolutions", "escalations", "kb_maintenance"]
    assert rows[0]["amount"] == Decimal("36750.00")  # 5,000 x 3.50 + 7,000 x 2.75
    assert rows[2]["unit_price"] == Decimal("4000.00")
    assert all(isinstance(row["amount"], Decimal) for row in rows)
    assert sum(row["amount"] for row in rows) == invoice.subtotal  # type: ignore[misc]


def test_tier_rows_carry_their_line_key() -> None:
    """The tier rows: 5,000 x 3.50 = 17,500.00 and 7,000 x 2.75 = 19,250.00, both of ``resolutions``."""
    rows = quote(CONTRACT, "2026-10", resolutions=12000).tier_rows()
    assert [(row["key"], row["tier"], row["from"], row["up_to"]) for row in rows] == [
        ("resolutions", 1, Decimal(0), Decimal(5000)),
        ("resolutions", 2, Decimal(5000), Decimal(20000)),
    ]
    assert [row["amount"] for row in rows] == [Decimal("17500.00"), Decimal("19250.00")]


def test_invoice_html_is_well_formed_with_minor_unit_amounts() -> None:
    """The HTML closes every tag and shows lines, tiers, totals and counts, money to 2 places."""
    invoice = calculate_invoice(CONTRACT, LOG, "2026-10")
    markup = invoice._repr_html_()
    cells = _cells(markup)
    assert {"resolutions", "kb_maintenance", "4000.00", "26506.34", "13333"} <= set(cells)
    for caption in ("Lines", "Tier breakdown", "Totals", "Counts"):
        assert f"<caption>{caption}</caption>" in markup
    assert "not_billable: partial" in cells or "not_billable: unresolved" in cells


def test_invoice_html_prints_three_places_for_kwd() -> None:
    """A KWD invoice's amounts are printed to the fils: 3 places."""
    contract = load_contract(ROOT / "examples" / "accounts" / "acct-3.toml")
    log = read_interactions(ROOT / "examples" / "accounts" / "interactions.csv")
    run = bill(contract, log, "2026-10")
    invoice = run.invoices[0]
    assert invoice.currency == "KWD"
    assert f"{invoice.total:.3f}" in _cells(invoice._repr_html_())


def test_invoice_text_is_what_the_cli_printed() -> None:
    """to_text keeps the CLI's table: header, lines, tier breakdown, totals, then the counts."""
    text = calculate_invoice(CONTRACT, LOG, "2026-10").to_text()
    lines = text.splitlines()
    assert lines[0] == CONTRACT.name
    assert lines[1] == "Period 2026-10 (AED, final)"
    assert "Contacts of the period" in lines
    assert any(line.split() == ["contacts", "13333"] for line in lines)
    assert repr(quote(CONTRACT, "2026-10", resolutions=1)).startswith("Invoice(contract=")


def test_decision_rows_join_contacts_and_split_reasons() -> None:
    """Each decision row has its contact's channel, customer and aware times; reasons split by status."""
    run = bill(CONTRACT, LOG, "2026-10")
    rows = run.decisions_rows()
    assert len(rows) == len(run.decisions)
    contacts = {row.id: row for row in LOG}
    for row in rows[:50]:
        contact = contacts[str(row["interaction_id"])]
        assert (row["channel"], row["customer_id"]) == (contact.channel, contact.customer_id)
        assert row["started_at"] == contact.started_at
        assert isinstance(row["ended_at"], datetime)
        assert row["ended_at"].tzinfo is not None
    for row in rows:
        status = DecisionStatus(row["status"])
        assert bool(row["billable_reasons"]) <= (status is DecisionStatus.BILLABLE)
        assert bool(row["not_billable_reasons"]) <= (status is DecisionStatus.NOT_BILLABLE)
        assert bool(row["pending_reasons"]) <= (status is DecisionStatus.PENDING)


def test_counting_not_billable_reasons_agrees_with_the_invoice() -> None:
    """Counting not_billable_reasons over a period's rows gives the invoice's not_billable counts."""
    run = bill(CONTRACT, LOG, "2026-10")
    period = [row for row in run.decisions_rows() if row["period"] == "2026-10"]
    counted = Counter(
        reason
        for row in period
        for reason in row["not_billable_reasons"]  # type: ignore[attr-defined]
    )
    assert dict(counted) == dict(run.invoices[0].counts["not_billable"])  # type: ignore[call-overload]
    units = sum((row["units"] for row in period), start=Decimal(0))  # type: ignore[type-var]
    assert units == run.invoices[0].counts["billable_units"]


def test_invoices_rows_one_per_invoice() -> None:
    """invoices_rows: account, period, counts and money of every invoice, Decimal and bool."""
    run = bill(CONTRACT, LOG, "2026-10..2026-11")
    rows = run.invoices_rows()
    assert [row["period"] for row in rows] == ["2026-10", "2026-11"]
    for row, invoice in zip(rows, run.invoices, strict=True):
        assert (row["subtotal"], row["tax"], row["total"]) == (
            invoice.subtotal,
            invoice.tax,
            invoice.total,
        )
        assert row["final"] is invoice.final
        assert row["contacts"] == invoice.usage.contacts
    assert run.to_rows() == rows


def test_run_html_lists_invoices_and_the_unbilled() -> None:
    """The run's HTML has a row per invoice and a table of the unbilled accounts."""
    contract = load_contract(ROOT / "examples" / "accounts" / "acct-1.toml")
    run = bill(
        contract, read_interactions(ROOT / "examples" / "accounts" / "interactions.csv"), "2026-10"
    )
    markup = run._repr_html_()
    cells = _cells(markup)
    assert f"{run.invoices[0].total:.2f}" in cells
    assert "<caption>Unbilled</caption>" in markup
    assert {"acct-2", "acct-3"} <= set(cells)


def test_usage_rows_flatten_the_reasons() -> None:
    """Usage.to_rows is one row; each not-billable reason is a column of its own."""
    usage = calculate_invoice(CONTRACT, LOG, "2026-10").usage
    (row,) = usage.to_rows()
    assert row["contacts"] == usage.contacts
    for reason, count in (usage.not_billable or {}).items():
        assert row[f"not_billable_{reason}"] == count
    assert "figure" in usage.to_text().splitlines()[0]
    _cells(usage._repr_html_())


def test_adjustment_rows_text_and_html() -> None:
    """12,000 billed, 11,000 recomputed: resolutions -2,750.00 (1,000 x 2.75), tax -137.50."""
    adjustment = reconcile(
        quote(CONTRACT, "2026-10", resolutions=12000), quote(CONTRACT, "2026-10", resolutions=11000)
    )
    assert adjustment.to_rows() == [
        {
            "key": "resolutions",
            "issued": Decimal("36750.00"),
            "recomputed": Decimal("34000.00"),
            "difference": Decimal("-2750.00"),
        }
    ]
    assert "-137.50" in adjustment.to_text()
    assert "-2887.50" in _cells(adjustment._repr_html_())


def test_to_pandas_keeps_decimals_or_gives_floats() -> None:
    """DataFrames: Decimal money by default, floats with exact=False, the rows' columns in order."""
    import pandas as pd  # noqa: PLC0415 -- the extra, a dev dependency

    run = bill(CONTRACT, LOG, "2026-10")
    decisions = run.to_pandas()
    assert len(decisions) == len(run.decisions)
    assert isinstance(decisions["units"].iloc[0], Decimal)
    assert isinstance(decisions["started_at"].iloc[0], (datetime, pd.Timestamp))
    invoices = run.to_pandas("invoices", exact=False)
    assert invoices["total"].tolist() == [26506.34]
    lines = run.invoices[0].to_pandas()
    assert list(lines.columns) == ["key", "code", "description", "quantity", "unit_price", "amount"]
    assert lines["amount"].sum() == run.invoices[0].subtotal
    tiers = run.invoices[0].to_pandas("tiers")
    assert tiers["amount"].sum() == run.invoices[0].line("resolutions").details.exact_amount  # type: ignore[union-attr]


def test_to_pandas_refuses_an_unknown_table() -> None:
    """An unknown table name says which ones there are."""
    run = bill(CONTRACT, [], "2026-10")
    with pytest.raises(InvalidValueError, match='"decisions", "invoices"'):
        run.to_pandas("lines")
    with pytest.raises(InvalidValueError, match='"lines", "tiers"'):
        run.invoices[0].to_pandas("decisions")


def test_without_pandas_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas, to_pandas says which extra to install."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"resolutionpricing\[pandas\]"):
        bill(CONTRACT, [], "2026-10").to_pandas("invoices")
