"""Invoices stored and read back: exact round trips, normal-form decimals, fingerprints, checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolutionpricing import (
    BillingPeriod,
    Decision,
    InvalidValueError,
    Invoice,
    ResolutionPricingError,
    ResolutionRule,
    Tier,
    TierSchedule,
    calculate_invoice,
    decide,
    load_contract,
    quote,
    read_interactions,
)
from resolutionpricing.strategies import contracts, interactions, quantities

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "contract.toml"
ACCOUNTS = ROOT / "examples" / "accounts"


def example_quote() -> Invoice:
    """July of the example contract in a spike month: every kind of line but a one-time fee."""
    return quote(
        load_contract(EXAMPLE), "2026-07", resolutions=45000, escalations=3100, contacts=60000
    )


def test_a_quote_reads_back_equal_with_the_same_fingerprint() -> None:
    """from_json(to_json()) is the invoice, byte for byte."""
    invoice = example_quote()
    back = Invoice.from_json(invoice.to_json())
    assert back == invoice
    assert back.fingerprint == invoice.fingerprint


def test_an_invoice_from_a_log_reads_back_equal() -> None:
    """The example log's October, with every count and the pause-free details, reads back equal."""
    invoice = calculate_invoice(
        load_contract(EXAMPLE), read_interactions(ROOT / "examples" / "interactions.csv"), "2026-10"
    )
    assert Invoice.from_dict(invoice.to_dict()) == invoice
    assert Invoice.from_json(invoice.to_json()).to_json() == invoice.to_json()


def test_a_kwd_invoice_keeps_three_decimals() -> None:
    """KWD money is written with 3 places, and reads back."""
    contract = load_contract(ACCOUNTS / "acct-3.toml")
    invoice = quote(contract, "2026-10", resolutions=2500, escalations=7)
    data = invoice.to_dict()
    assert data["total"] == "838.380"  # 2000 x 0.350 + 500 x 0.275 = 837.500; 7 x 0.125 = 0.875
    assert Invoice.from_dict(data) == invoice


def test_equal_quotes_written_differently_have_one_fingerprint() -> None:
    """quote(resolutions="12000") and "12000.0" are equal invoices: equal JSON, equal fingerprints."""
    contract = load_contract(EXAMPLE)
    whole = quote(contract, "2026-10", resolutions="12000")
    decimal = quote(contract, "2026-10", resolutions="12000.0")
    assert whole == decimal
    assert whole.to_json() == decimal.to_json()
    assert whole.fingerprint == decimal.fingerprint


def test_equal_contracts_written_differently_have_one_fingerprint() -> None:
    """A unit price of "3.5" and "3.50" make equal contracts with one fingerprint, on their invoices too."""
    contract = load_contract(EXAMPLE)
    assert isinstance(contract.pricing, TierSchedule)
    tiers = [
        Tier(up_to=tier.up_to, unit_price=tier.unit_price.normalize())
        for tier in contract.pricing.tiers
    ]
    other = attrs.evolve(contract, pricing=TierSchedule.graduated(tiers))
    assert other == contract
    assert other.fingerprint == contract.fingerprint
    assert (
        quote(other, "2026-10", resolutions=7).fingerprint
        == quote(contract, "2026-10", resolutions=7).fingerprint
    )


def test_another_contract_has_another_fingerprint() -> None:
    """A contract with another id is another contract version."""
    contract = load_contract(EXAMPLE)
    assert attrs.evolve(contract, id="GT-2").fingerprint != contract.fingerprint


def test_the_invoice_names_its_contract() -> None:
    """contract_id, account_id and contract_fingerprint are on the invoice and in its JSON."""
    contract = load_contract(ACCOUNTS / "acct-1.toml")
    data = quote(contract, "2026-10", resolutions=1).to_dict()
    assert (data["contract_id"], data["account_id"]) == ("GT-2026-001", "acct-1")
    assert data["contract_fingerprint"] == contract.fingerprint
    assert data["format"] == 1


def test_lines_have_stable_unique_keys() -> None:
    """Every line has its key; a milestone's is implementation:<deliverable>."""
    invoice = example_quote()
    assert [line.key for line in invoice.lines] == [
        "resolutions",
        "spend_cap",
        "escalations",
        "implementation:API integration",
        "kb_maintenance",
    ]
    line = invoice.line("implementation:API integration")
    assert line is not None
    assert line.amount == Decimal("80000.00")


# Tampered documents


def tampered(change: dict[str, Any]) -> dict[str, Any]:
    """The example quote's data with ``change`` applied at the top level."""
    return {**example_quote().to_dict(), **change}


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        ({"total": "182700.01"}, "invoice.total", "is not subtotal + tax"),
        ({"tax": "8700.01", "total": "182700.01"}, "invoice.tax", "is not subtotal x tax_rate"),
        ({"subtotal": "174000.01"}, "invoice.subtotal", "is not the sum of the lines"),
        ({"format": 2}, "invoice.format", "is not a known version"),
        ({"format": None}, "invoice.format", "is not a known version"),
        ({"currency": "XAU"}, "invoice.currency", "precious metal"),
        ({"period": "2026-13"}, "invoice.period", "is not a period label"),
        ({"colour": "red"}, "invoice.colour", "is not a known key"),
        ({"final": "yes"}, "invoice.final", "is not a boolean"),
    ],
)
def test_a_tampered_invoice_is_refused(change: dict[str, Any], path: str, problem: str) -> None:
    """Figures that do not add up, an unknown version, a bad value: a located error."""
    with pytest.raises(ResolutionPricingError) as caught:
        Invoice.from_dict(tampered(change))
    error = caught.value
    assert isinstance(error, (InvalidValueError, TypeError))
    assert getattr(error, "path", None) == path
    assert problem in str(error)


def test_a_line_amount_finer_than_the_currency_is_refused() -> None:
    """A line of 4000.001 AED is not in whole fils."""
    data = example_quote().to_dict()
    data["lines"][-1]["amount"] = "4000.001"
    with pytest.raises(
        InvalidValueError,
        match=r"invoice\.lines\[4\]\.amount: 4000\.001 is not in whole minor units",
    ):
        Invoice.from_dict(data)


def test_two_lines_with_one_key_are_refused() -> None:
    """Keys are unique within an invoice."""
    data = example_quote().to_dict()
    data["lines"][2]["key"] = "resolutions"
    with pytest.raises(InvalidValueError, match=r"invoice\.lines\[2\]\.key"):
        Invoice.from_dict(data)


def test_text_that_is_not_json_is_refused() -> None:
    """from_json of broken text raises our error, not json's."""
    with pytest.raises(InvalidValueError, match=r"^invoice: is not JSON"):
        Invoice.from_json("{")


def test_a_wrong_rate_in_the_counts_is_refused() -> None:
    """A containment rate that the counts do not give is tampering."""
    data = example_quote().to_dict()
    data["counts"]["containment_rate"] = "0.99"
    with pytest.raises(InvalidValueError, match="containment_rate"):
        Invoice.from_dict(data)


# Decisions


def test_a_bad_decision_is_refused() -> None:
    """Unknown status, negative units, unknown reason: each named by its key."""
    good: dict[str, object] = {
        "interaction_id": "c1",
        "account_id": None,
        "period": None,
        "status": "billable",
        "units": "1",
        "provisional_units": "1",
        "reasons": [],
        "recontacted_by": [],
        "voided_topics": [],
    }
    assert Decision.from_dict(good).units == 1
    for key, value, path in [
        ("status", "maybe", "decision.status"),
        ("units", "-1", "decision.units"),
        ("reasons", ["tired"], "decision.reasons[0]"),
        ("colour", "red", "decision.colour"),
    ]:
        with pytest.raises(InvalidValueError) as caught:
            Decision.from_dict({**good, key: value})
        assert caught.value.path == path


# Properties


@settings(max_examples=100, deadline=None)
@given(contract=contracts(), units=quantities(), escalations=st.integers(0, 10_000), data=st.data())
def test_every_quote_reads_back_from_its_json(
    contract: Any, units: Decimal, escalations: int, data: st.DataObject
) -> None:
    """Any contract's quote: from_json(to_json()) is equal and has the same fingerprint."""
    period = BillingPeriod.containing(contract.starts_on, contract.billing_period)
    contacts = data.draw(st.none() | st.integers(escalations, 20_000))
    invoice = quote(contract, period, resolutions=units, escalations=escalations, contacts=contacts)
    back = Invoice.from_json(invoice.to_json())
    assert back == invoice
    assert back.fingerprint == invoice.fingerprint
    assert json.loads(invoice.to_json()) == invoice.to_dict()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        interactions(accounts=(None, "acme")),
        max_size=20,
        unique_by=lambda row: (row.account_id, row.id),
    )
)
def test_every_decision_reads_back_from_its_dict(log: list[Any]) -> None:
    """Decision.from_dict(decision.to_dict()) is the decision."""
    rule = ResolutionRule(partial="pro_rata")
    for decision in decide(rule, log, as_of=datetime(2026, 10, 2, tzinfo=UTC)):
        placed = attrs.evolve(decision, period="2026-10")
        assert Decision.from_dict(placed.to_dict()) == placed
        assert Decision.from_dict(decision.to_dict()) == decision
