"""Quoting a period from counts: lines, rounding, tax, and the invoice's canonical form."""

from __future__ import annotations

import decimal
import hashlib
import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    BillingPeriod,
    Cap,
    Contract,
    ContractError,
    Fee,
    ImplementationFee,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    Milestone,
    MinimumCommitment,
    OneTimeFee,
    PerEscalationFee,
    PricingMode,
    RecurringFee,
    ResolutionDetails,
    Rounding,
    SpendCap,
    Tier,
    TierPart,
    TierSchedule,
    load_contract,
    quote,
    round_money,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "contract.toml"


def _contract(
    unit_price: str,
    *,
    currency: str = "AED",
    rounding: str = "half_up",
    increment: str | None = None,
    tax_rate: str = "0",
    caps: Sequence[Cap] = (),
    fees: Sequence[Fee] = (),
) -> Contract:
    """A contract with one open tier at ``unit_price``."""
    return Contract(
        name="Quote",
        currency=currency,
        timezone="Asia/Dubai",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price=unit_price)),
        rounding=rounding,
        rounding_increment=increment,
        tax_rate=tax_rate,
        caps=caps,
        fees=fees,
    )


def _lines(invoice: Invoice) -> list[tuple[str, str]]:
    """Each line's code and amount, as text."""
    return [(line.code, str(line.amount)) for line in invoice.lines]


# the example contract, by hand


def test_example_october() -> None:
    """October 2026 at 12,000 resolutions and 3,100 escalations, checked by hand."""
    invoice = quote(load_contract(EXAMPLE), "2026-10", resolutions=12000, escalations=3100)
    # resolutions: 5,000 x 3.50 + 7,000 x 2.75 = 17,500 + 19,250 = 36,750
    # escalations: 3,100 x 0.00 = 0; KB maintenance 4,000; no milestone, no one-time fee
    assert _lines(invoice) == [
        ("resolutions", "36750.00"),
        ("escalations", "0.00"),
        ("kb_maintenance", "4000.00"),
    ]
    # subtotal 40,750; tax 5 % = 2,037.50; total 42,787.50
    assert (str(invoice.subtotal), str(invoice.tax), str(invoice.total)) == (
        "40750.00",
        "2037.50",
        "42787.50",
    )
    assert invoice.final is True
    assert invoice.as_of is None
    assert invoice.currency == "AED"
    assert invoice.contract == "Gulf Telecom: AI resolution agreement"
    assert invoice.period == BillingPeriod.month(2026, 10)


def test_example_july_with_spend_cap_and_milestone() -> None:
    """July 2026 at 40,000: step-down, spend cap, the first milestone, KB."""
    invoice = quote(load_contract(EXAMPLE), "2026-07", resolutions=40000)
    # tiers to 30,000: 17,500 + 41,250 + 10,000 x 2.00 = 78,750
    # step-down: 10,000 x 1.50 = 15,000; gross 93,750; spend cap 90,000: -3,750
    assert _lines(invoice) == [
        ("resolutions", "93750.00"),
        ("spend_cap", "-3750.00"),
        ("escalations", "0.00"),
        ("implementation", "80000.00"),
        ("kb_maintenance", "4000.00"),
    ]
    # 90,000 + 80,000 + 4,000 = 174,000; tax 8,700; total 182,700
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("174000.00"),
        Decimal("8700.00"),
        Decimal("182700.00"),
    )


def test_example_january_one_time_fee_and_minimum() -> None:
    """January 2027 at 100 resolutions: the minimum commitment and the voice integration."""
    invoice = quote(load_contract(EXAMPLE), "2027-01", resolutions=100)
    # 100 x 3.50 = 350; commitment 15,000: true-up 14,650
    assert _lines(invoice) == [
        ("resolutions", "350.00"),
        ("minimum_commitment", "14650.00"),
        ("escalations", "0.00"),
        ("kb_maintenance", "4000.00"),
        ("voice_integration", "25000.00"),
    ]
    # 15,000 + 4,000 + 25,000 = 44,000; tax 2,200; total 46,200
    assert invoice.total == Decimal("46200.00")


def test_period_as_label_or_billing_period() -> None:
    """A label and the BillingPeriod it names give the same invoice."""
    contract = load_contract(EXAMPLE)
    by_label = quote(contract, "2026-10", resolutions=12000)
    by_period = quote(contract, BillingPeriod.month(2026, 10), resolutions=12000)
    assert by_label == by_period


# line order


def test_line_order_is_fixed() -> None:
    """Resolutions, spend_cap, minimum, escalations, milestones, then fees in contract order."""
    fees: list[Fee] = [
        OneTimeFee(code="voice", description="Voice", amount=300, bill_on=date(2026, 10, 20)),
        RecurringFee(code="kb", description="KB", amount=100),
        ImplementationFee(
            milestones=[
                Milestone(deliverable="Second", amount=20, accepted_on=date(2026, 10, 9)),
                Milestone(deliverable="First", amount=10, accepted_on=date(2026, 10, 2)),
            ]
        ),
        PerEscalationFee(unit_price="0.50"),
        MinimumCommitment(amount=1000),
    ]
    contract = _contract("2.00", caps=[SpendCap(limit=500)], fees=fees)
    invoice = quote(contract, "2026-10", resolutions=300, escalations=4)
    # 300 x 2.00 = 600; capped to 500 (-100); true-up to 1,000 (+500)
    assert [(line.code, line.description, str(line.amount)) for line in invoice.lines] == [
        ("resolutions", "Resolutions (graduated tiers)", "600.00"),
        ("spend_cap", "Monthly spend cap on resolutions", "-100.00"),
        ("minimum_commitment", "Minimum commitment true-up", "500.00"),
        ("escalations", "Escalations to human agents", "2.00"),  # 4 x 0.50
        ("implementation", "Implementation: First", "10.00"),
        ("implementation", "Implementation: Second", "20.00"),
        ("voice", "Voice", "300.00"),
        ("kb", "KB", "100.00"),
    ]


def test_resolution_line_details() -> None:
    """The resolution line carries the exact per-tier breakdown."""
    line = quote(load_contract(EXAMPLE), "2026-10", resolutions=12000).lines[0]
    assert line.quantity == 12000
    assert line.unit_price is None
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.mode is PricingMode.GRADUATED
    assert line.details.tiers == (
        TierPart(
            index=0,
            lower=Decimal(0),
            up_to=Decimal(5000),
            quantity=Decimal(5000),
            unit_price=Decimal("3.50"),
            flat_fee=Decimal(0),
            amount=Decimal("17500.00"),
        ),
        TierPart(
            index=1,
            lower=Decimal(5000),
            up_to=Decimal(20000),
            quantity=Decimal(7000),
            unit_price=Decimal("2.75"),
            flat_fee=Decimal(0),
            amount=Decimal("19250.00"),
        ),
    )
    assert line.details.exact_amount == Decimal("36750.00")


def test_invoice_line_lookup() -> None:
    """``Invoice.line`` finds the first line of a code, or None."""
    invoice = quote(load_contract(EXAMPLE), "2026-10", resolutions=12000)
    line = invoice.line("kb_maintenance")
    assert line is not None
    assert line.amount == Decimal("4000.00")
    assert invoice.line("spend_cap") is None


# rounding: each line, then the sum


@pytest.mark.parametrize(
    ("rounding", "lines", "subtotal"),
    [
        # 201 x 0.005 = 1.005 per line; half-up: 1.01 + 1.01 = 2.02
        ("half_up", ["1.01", "1.01"], "2.02"),
        # half-even: 1.00 + 1.00 = 2.00
        ("half_even", ["1.00", "1.00"], "2.00"),
    ],
)
def test_lines_are_rounded_before_they_are_summed(
    rounding: str, lines: list[str], subtotal: str
) -> None:
    """Per-line rounding differs from rounding the sum (2.010 would round to 2.01)."""
    contract = _contract("0.005", rounding=rounding, fees=[PerEscalationFee(unit_price="0.005")])
    invoice = quote(contract, "2026-10", resolutions=201, escalations=201)
    assert [str(line.amount) for line in invoice.lines] == lines
    assert str(invoice.subtotal) == subtotal
    exact_sum = Decimal("1.005") + Decimal("1.005")
    assert round_money(exact_sum, "AED", Rounding(rounding)) == Decimal("2.01")
    assert invoice.subtotal != Decimal("2.01")


@pytest.mark.parametrize(
    ("rounding", "tax", "total"),
    [
        # 101 x 0.10 = 10.10; 5 % = 0.505: half-up 0.51, total 10.61
        ("half_up", "0.51", "10.61"),
        # half-even 0.50, total 10.60
        ("half_even", "0.50", "10.60"),
    ],
)
def test_tax_is_the_rounded_rate_on_the_subtotal(rounding: str, tax: str, total: str) -> None:
    """Tax is round(subtotal x rate) with the contract's mode; total is subtotal + tax."""
    invoice = quote(
        _contract("0.10", rounding=rounding, tax_rate="0.05"), "2026-10", resolutions=101
    )
    assert str(invoice.subtotal) == "10.10"
    assert (str(invoice.tax), str(invoice.total)) == (tax, total)
    assert invoice.tax_rate == Decimal("0.05")


@pytest.mark.parametrize(
    ("rounding", "line", "total"),
    [
        # 101 x 0.125 = 12.625 KWD = 1262.5 steps of 0.010: half-up 12.630
        # tax 12.630 x 0.05 = 0.6315 = 63.15 steps: 0.630; total 13.260
        ("half_up", "12.630", "13.260"),
        # half-even 12.620; tax 0.631 = 63.1 steps: 0.630; total 13.250
        ("half_even", "12.620", "13.250"),
    ],
)
def test_rounding_increment_applies_to_lines_and_tax(rounding: str, line: str, total: str) -> None:
    """With a 0.010 KWD increment, every line and the tax end in 0."""
    contract = _contract(
        "0.125", currency="KWD", rounding=rounding, increment="0.010", tax_rate="0.05"
    )
    invoice = quote(contract, "2026-10", resolutions=101)
    assert str(invoice.lines[0].amount) == line
    assert str(invoice.tax) == "0.630"
    assert str(invoice.total) == total
    assert invoice.rounding_increment == Decimal("0.010")
    assert invoice.to_dict()["rounding_increment"] == "0.010"


def test_fixed_amounts_must_be_whole_increments() -> None:
    """With a 0.010 KWD increment, a 10.005 spend cap or a 5.005 commitment is refused."""
    with pytest.raises(ContractError) as caught:
        _contract(
            "1",
            currency="KWD",
            increment="0.010",
            caps=[SpendCap(limit="10.005")],
            fees=[MinimumCommitment(amount="5.005")],
        )
    assert [str(problem) for problem in caught.value.problems] == [
        "caps[0].limit: 10.005 is not in whole rounding increments (0.010); a multiple of 0.010",
        "fees[0].amount: 5.005 is not in whole rounding increments (0.010); a multiple of 0.010",
    ]


@pytest.mark.parametrize(
    ("resolutions", "expected"),
    [
        # 1 x 1 = 1.000; true-up to the 5.010 commitment: 4.010
        ("1", [("resolutions", "1.000"), ("minimum_commitment", "4.010")]),
        # 20 x 1 = 20.000; capped at 10.010: 10.010 - 20.000 = -9.990
        ("20", [("resolutions", "20.000"), ("spend_cap", "-9.990")]),
        # 20.0005 = 2000.05 steps of 0.010: 20.000 (half-up); the cap line is
        # round(10.010 - 20.0005) = round(-9.9905) = -9.990, not -9.9905
        ("20.0005", [("resolutions", "20.000"), ("spend_cap", "-9.990")]),
    ],
)
def test_every_line_is_a_multiple_of_the_increment(
    resolutions: str, expected: list[tuple[str, str]]
) -> None:
    """With a 0.010 increment and amounts in whole increments, every line ends in 0."""
    contract = _contract(
        "1",
        currency="KWD",
        increment="0.010",
        caps=[SpendCap(limit="10.010")],
        fees=[MinimumCommitment(amount="5.010")],
    )
    invoice = quote(contract, "2026-10", resolutions=resolutions)
    capped = {"resolutions", "spend_cap", "minimum_commitment"}
    assert [line for line in _lines(invoice) if line[0] in capped] == expected
    assert [line.amount % Decimal("0.010") for line in invoice.lines] == [0] * len(invoice.lines)


def test_fractional_resolutions_round_with_the_contracts_mode() -> None:
    """Fractional units (pro-rata partial resolutions) are priced exactly, then rounded."""
    # 5,000 x 3.50 + 0.06 x 2.75 = 17,500.165
    contract = load_contract(EXAMPLE)
    assert quote(contract, "2026-10", resolutions="5000.06").lines[0].amount == Decimal("17500.17")
    line = quote(contract, "2026-10", resolutions=Decimal("5000.06")).lines[0]
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.exact_amount == Decimal("17500.165")


def test_jpy_lines_have_no_decimals() -> None:
    """In yen every amount is a whole number."""
    invoice = quote(_contract("99.5", currency="JPY", tax_rate="0.10"), "2026-10", resolutions=3)
    # 3 x 99.5 = 298.5 -> 299 (half-up); tax 29.9 -> 30; total 329
    assert (str(invoice.subtotal), str(invoice.tax), str(invoice.total)) == ("299", "30", "329")


def test_invoice_identities_by_hand() -> None:
    """The subtotal is the sum of lines; tax == round(subtotal x rate); total == subtotal + tax."""
    invoice = quote(load_contract(EXAMPLE), "2026-07", resolutions=40000, escalations=12)
    assert invoice.subtotal == sum(line.amount for line in invoice.lines)
    assert invoice.tax == round_money(invoice.subtotal * invoice.tax_rate, "AED", Rounding.HALF_UP)
    assert invoice.total == invoice.subtotal + invoice.tax


PERIODS = [f"2026-{month:02d}" for month in range(7, 13)] + ["2027-01", "2028-06"]


@given(
    resolutions=st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False),
    escalations=st.integers(min_value=0, max_value=10**6),
    label=st.sampled_from(PERIODS),
)
def test_invoice_identities_always_hold(resolutions: Decimal, escalations: int, label: str) -> None:
    """For any counts, lines carry the currency's exponent and the totals add up exactly."""
    invoice = quote(load_contract(EXAMPLE), label, resolutions=resolutions, escalations=escalations)
    for line in invoice.lines:
        assert line.amount.as_tuple().exponent == -2
    assert invoice.subtotal == sum(line.amount for line in invoice.lines)
    assert invoice.tax == round_money(invoice.subtotal * Decimal("0.05"), "AED", Rounding.HALF_UP)
    assert invoice.total == invoice.subtotal + invoice.tax
    # the resolution charge after caps never exceeds the spend cap, never falls under the minimum
    resolution_charge = sum(
        line.amount
        for line in invoice.lines
        if line.code in {"resolutions", "spend_cap", "minimum_commitment"}
    )
    assert Decimal("15000.00") <= resolution_charge <= Decimal("90000.00")


# a caller's decimal context changes nothing


def _everything() -> list[str]:
    """Load, quote several periods and serialise, as one list of canonical texts."""
    contract = load_contract(EXAMPLE)
    counts: list[tuple[str, int | str]] = [
        ("2026-07", 40000),
        ("2026-09", "123456.789"),
        ("2026-10", 12000),
        ("2027-01", "4285.7"),
    ]
    return [
        quote(contract, label, resolutions=resolutions, escalations=123).to_json()
        for label, resolutions in counts
    ]


def test_caller_decimal_context_changes_no_result() -> None:
    """Loading and quoting under prec=3 and ROUND_DOWN gives the same invoices, byte for byte."""
    expected = _everything()
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        assert _everything() == expected
    assert decimal.getcontext().prec != 3


def test_caller_decimal_context_with_contacts() -> None:
    """The containment rate does not depend on the caller's decimal context either."""
    contract = load_contract(EXAMPLE)
    expected = quote(contract, "2026-10", resolutions=12000, escalations=3100, contacts=20000)
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        invoice = quote(contract, "2026-10", resolutions=12000, escalations=3100, contacts=20000)
    assert invoice == expected


# counts


def test_counts() -> None:
    """The invoice reports the counts behind it, with the containment rate if contacts are known."""
    invoice = quote(
        load_contract(EXAMPLE), "2026-10", resolutions=12000, escalations=3100, contacts=20000
    )
    # (20,000 - 3,100) / 20,000 = 0.845
    assert dict(invoice.counts) == {
        "billable_units": Decimal(12000),
        "escalated": 3100,
        "contacts": 20000,
        "containment_rate": Decimal("0.8450"),
        "overflow_units": Decimal(0),
    }


def test_counts_without_contacts() -> None:
    """Without contacts there is no containment rate; with 0 contacts it is None."""
    contract = load_contract(EXAMPLE)
    counts = quote(contract, "2026-10", resolutions=1).counts
    assert "contacts" not in counts
    assert "containment_rate" not in counts
    counts = quote(contract, "2026-10", resolutions=0, contacts=0).counts
    assert counts["contacts"] == 0
    assert counts["containment_rate"] is None


# bad counts


@pytest.mark.parametrize(
    ("resolutions", "error", "message"),
    [
        (
            1.5,
            InvalidTypeError,
            'resolutions: 1.5 is a float, which cannot hold money exactly; use a Decimal, an int or a decimal string such as "0.99"',
        ),
        (
            True,
            InvalidTypeError,
            'resolutions: True is a bool; use a Decimal, an int or a decimal string such as "0.99"',
        ),
        (-1, InvalidValueError, "resolutions: -1 is negative; must be 0 or more"),
        (
            "many",
            InvalidValueError,
            'resolutions: \'many\' is not a number; use a Decimal, an int or a decimal string such as "0.99", in ASCII digits without "_"',
        ),
    ],
)
def test_bad_resolutions(resolutions: object, error: type[Exception], message: str) -> None:
    """Resolutions are a number of units of 0 or more, never a float."""
    with pytest.raises(error) as caught:
        quote(load_contract(EXAMPLE), "2026-10", resolutions=resolutions)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("keyword", "value", "error", "message"),
    [
        (
            "escalations",
            1.0,
            InvalidTypeError,
            "escalations: 1.0 is not a whole number; an int of 0 or more",
        ),
        (
            "escalations",
            True,
            InvalidTypeError,
            "escalations: True is not a whole number; an int of 0 or more",
        ),
        (
            "escalations",
            "3",
            InvalidTypeError,
            "escalations: '3' is not a whole number; an int of 0 or more",
        ),
        ("escalations", -2, InvalidValueError, "escalations: -2 is negative; must be 0 or more"),
        (
            "contacts",
            Decimal(5),
            InvalidTypeError,
            "contacts: Decimal('5') is not a whole number; an int of 0 or more",
        ),
        ("contacts", -1, InvalidValueError, "contacts: -1 is negative; must be 0 or more"),
    ],
)
def test_bad_escalations_and_contacts(
    keyword: str, value: object, error: type[Exception], message: str
) -> None:
    """Escalations and contacts are whole numbers of 0 or more."""
    with pytest.raises(error) as caught:
        quote(load_contract(EXAMPLE), "2026-10", resolutions=1, **{keyword: value})  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_bad_period_label() -> None:
    """A label that names no period is refused."""
    with pytest.raises(InvalidValueError, match=r"^period: '2026-13' is not a period label"):
        quote(load_contract(EXAMPLE), "2026-13", resolutions=1)


# the invoice as data


def test_to_dict_is_json_safe_with_strings_for_amounts() -> None:
    """``to_dict`` has the documented keys; amounts and quantities are strings."""
    invoice = quote(load_contract(EXAMPLE), "2026-07", resolutions=40000, escalations=7)
    data = invoice.to_dict()
    assert {"currency", "period", "final", "lines", "subtotal", "tax", "total", "rounding"} <= set(
        data
    )
    assert (data["currency"], data["period"], data["final"], data["rounding"]) == (
        "AED",
        "2026-07",
        True,
        "half_up",
    )
    assert (data["subtotal"], data["tax"], data["total"]) == ("174000.00", "8700.00", "182700.00")
    for line in data["lines"]:
        assert set(line) == {
            "key",
            "code",
            "description",
            "quantity",
            "unit_price",
            "amount",
            "details",
        }
        assert isinstance(line["quantity"], str)
        assert isinstance(line["amount"], str)
    assert data["lines"][1] == {
        "key": "spend_cap",
        "code": "spend_cap",
        "description": "Monthly spend cap on resolutions",
        "quantity": "1",
        "unit_price": None,
        "amount": "-3750.00",
        "details": {"limit": "90000.00", "gross": "93750.00"},
    }
    assert data["lines"][3]["details"]["accepted_on"] == "2026-07-15"
    assert data["lines"][3]["key"] == "implementation:API integration"
    assert json.loads(json.dumps(data)) == data


def test_to_json_is_canonical() -> None:
    """Keys sorted, no spaces: the same invoice always gives the same text."""
    invoice = quote(load_contract(EXAMPLE), "2026-10", resolutions=12000)
    text = invoice.to_json()
    assert text == json.dumps(
        invoice.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert text.startswith(
        '{"account_id":null,"as_of":null,"contract":"Gulf Telecom: AI resolution agreement",'
    )
    assert text.endswith(',"total":"42787.50"}')
    assert " :" not in text
    assert ", " not in text.replace("Gulf Telecom: AI", "")


def test_equal_inputs_give_identical_bytes() -> None:
    """Two separately loaded contracts and equal counts give the same JSON and fingerprint."""
    first = quote(load_contract(EXAMPLE), "2026-10", resolutions=12000, escalations=5)
    second = quote(load_contract(str(EXAMPLE)), "2026-10", resolutions="12000", escalations=5)
    assert first.to_json() == second.to_json()
    assert first.fingerprint == second.fingerprint


def test_fingerprint_is_sha256_of_the_json() -> None:
    """The fingerprint is the hex sha256 of the canonical JSON in UTF-8."""
    invoice = quote(load_contract(EXAMPLE), "2026-10", resolutions=12000)
    assert invoice.fingerprint == hashlib.sha256(invoice.to_json().encode("utf-8")).hexdigest()


def test_fingerprint_changes_with_the_counts() -> None:
    """One more resolution, a different invoice."""
    contract = load_contract(EXAMPLE)
    assert (
        quote(contract, "2026-10", resolutions=12000).fingerprint
        != quote(contract, "2026-10", resolutions=12001).fingerprint
    )


def test_non_ascii_names_are_kept_in_utf8() -> None:
    """A contract name outside ASCII is written as itself, not escaped."""
    contract = Contract(
        name="Étisalat pilot",
        currency="AED",
        timezone="Asia/Dubai",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price=1)),
    )
    invoice = quote(contract, "2026-10", resolutions=1)
    assert '"contract":"Étisalat pilot"' in invoice.to_json()
    assert invoice.fingerprint == hashlib.sha256(invoice.to_json().encode("utf-8")).hexdigest()


def test_the_spend_cap_line_names_the_contracts_cadence() -> None:
    """A quarterly contract's spend-cap line says quarterly, not monthly."""
    contract = attrs.evolve(
        _contract("1.00", caps=[SpendCap(limit="100.00")]), billing_period="quarterly"
    )
    invoice = quote(contract, "2026-Q4", resolutions=250)  # 250 x 1.00 = 250.00, capped at 100.00
    spend_cap = invoice.line("spend_cap")
    assert spend_cap is not None
    assert spend_cap.description == "Quarterly spend cap on resolutions"
    assert spend_cap.amount == Decimal("-150.00")


def test_more_escalations_than_contacts_is_refused() -> None:
    """escalations=20 of contacts=10 would give a containment rate of -1: refused."""
    with pytest.raises(InvalidValueError, match="escalations: 20 is more than the 10 contacts"):
        quote(load_contract(EXAMPLE), "2026-10", resolutions=1, escalations=20, contacts=10)


def test_a_huge_int_count_is_a_located_error() -> None:
    """quote(resolutions=10**5000) and escalations=10**5000 say the size, never a bare ValueError."""
    contract = load_contract(EXAMPLE)
    for keyword in ("resolutions", "escalations"):
        counts: dict[str, Any] = {"resolutions": 1, keyword: 10**5000}
        with pytest.raises(InvalidValueError, match=f"{keyword}: an integer of 5001 digits"):
            quote(contract, "2026-10", **counts)


def test_the_tax_label_ignores_the_callers_decimal_context() -> None:
    """The text renderer's "tax (N%)" is 12.346% whatever the caller's precision."""
    contract = attrs.evolve(load_contract(EXAMPLE), tax_rate="0.12346")
    invoice = quote(contract, "2026-10", resolutions=1)
    with decimal.localcontext(decimal.Context(prec=3)):
        assert "tax (12.346%)" in invoice.to_text()
