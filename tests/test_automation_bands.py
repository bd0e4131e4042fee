"""Automation-linked price: the band of the containment rate scales the resolution charge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    AutomationBand,
    Contract,
    ContractError,
    InvalidValueError,
    MinimumCommitment,
    SpendCap,
    Tier,
    TierSchedule,
    dump_contract,
    loads_contract,
    quote,
)

BANDS = (
    AutomationBand(at_least="0.40", factor="0.90"),
    AutomationBand(at_least="0.60", factor="0.80"),
    AutomationBand(at_least="0.80", factor="1"),
)


def _contract(**changes: object) -> Contract:
    terms: dict[str, object] = {
        "name": "Bands",
        "currency": "USD",
        "timezone": "UTC",
        "starts_on": date(2026, 7, 1),
        "pricing": TierSchedule.graduated([Tier(unit_price="2.00")]),
        "automation_bands": BANDS,
    }
    terms.update(changes)
    return Contract(**terms)  # type: ignore[arg-type]


def _adjustment(contacts: int, escalations: int, **changes: object) -> Decimal | None:
    invoice = quote(
        _contract(**changes),
        "2026-07",
        resolutions=1000,
        escalations=escalations,
        contacts=contacts,
    )
    line = invoice.line("automation_adjustment")
    return None if line is None else line.amount


def test_rate_exactly_at_a_band_takes_that_band() -> None:
    """6000 of 10000 not escalated is 0.6000: the 0.60 band, 2000.00 x (0.80 - 1) = -400.00."""
    assert _adjustment(10000, 4000) == Decimal("-400.00")


def test_rate_just_below_a_band_takes_the_band_under_it() -> None:
    """5999 of 10000 is 0.5999: the 0.40 band, 2000.00 x (0.90 - 1) = -200.00."""
    assert _adjustment(10000, 4001) == Decimal("-200.00")


def test_rate_below_every_band_has_no_line() -> None:
    """3999 of 10000 is 0.3999: no band, no line."""
    assert _adjustment(10000, 6001) is None


def test_factor_of_one_has_no_line() -> None:
    """At 0.80 the band's factor is 1: the charge is unchanged and no line is shown."""
    assert _adjustment(10000, 2000) is None


def test_rate_is_taken_as_the_invoice_shows_it() -> None:
    """59995 of 100000 rounds half-up to 0.6000 on the invoice, so it is in the 0.60 band."""
    assert _adjustment(100000, 40005) == Decimal("-400.00")


def test_adjustment_comes_after_caps_and_before_the_minimum() -> None:
    """Charge 2000.00, spend cap 1500.00, x0.80 = 1200.00; minimum 1300.00 tops up 100.00."""
    invoice = quote(
        _contract(caps=[SpendCap(limit="1500.00")], fees=[MinimumCommitment(amount="1300.00")]),
        "2026-07",
        resolutions=1000,
        escalations=4000,
        contacts=10000,
    )
    assert [(line.code, line.amount) for line in invoice.lines] == [
        ("resolutions", Decimal("2000.00")),
        ("spend_cap", Decimal("-500.00")),
        ("automation_adjustment", Decimal("-300.00")),
        ("minimum_commitment", Decimal("100.00")),
    ]


def test_adjustment_is_rounded_with_the_contracts_mode() -> None:
    """Rate 5/10 = 0.5000, band 0.40: 1.01 x (0.90 - 1) = -0.101, half-up to -0.10."""
    contract = _contract(pricing=TierSchedule.graduated([Tier(unit_price="1.01")]))
    invoice = quote(contract, "2026-07", resolutions=1, escalations=5, contacts=10)
    line = invoice.line("automation_adjustment")
    assert line is not None
    assert line.amount == Decimal("-0.10")


def test_quote_needs_contacts_when_the_contract_has_bands() -> None:
    """Without contacts there is no containment rate: a clear error, not a silent full price."""
    with pytest.raises(InvalidValueError, match=r"^contacts: is missing"):
        quote(_contract(), "2026-07", resolutions=10)


def test_bands_round_trip_through_toml() -> None:
    """[[pricing.automation_bands]] is written back and read to an equal contract."""
    contract = _contract()
    text = dump_contract(contract)
    assert 'automation_bands = [\n    { at_least = "0.40", factor = "0.90" },' in text
    assert loads_contract(text) == contract


_FILE = """
[contract]
name = "x"
currency = "USD"
timezone = "UTC"
starts_on = 2026-07-01
[pricing]
mode = "graduated"
tiers = [{ unit_price = "1" }]
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(ContractError) as caught:
        loads_contract(text)
    return [str(problem) for problem in caught.value.problems]


def test_bad_bands_are_located() -> None:
    """Out-of-range rates, negative factors and repeated at_least values name their key."""
    text = (
        _FILE
        + """
[[pricing.automation_bands]]
at_least = "1.2"
factor = "0.9"
[[pricing.automation_bands]]
at_least = "0.5"
factor = "-1"
[[pricing.automation_bands]]
at_least = "0.5"
factor = "1"
[[pricing.automation_bands]]
at_least = "0.50"
factor = "1"
wrong = 1
"""
    )
    assert _problems(text) == [
        'pricing.automation_bands[0].at_least: 1.2 is above 1; a containment rate from 0 to 1, such as "0.40"',
        "pricing.automation_bands[1].factor: -1 is negative; must be 0 or more",
        "pricing.automation_bands[3].wrong: is not a known key; the keys are at_least, factor",
    ]
    duplicate = (
        _FILE
        + """
[[pricing.automation_bands]]
at_least = "0.5"
factor = "1"
[[pricing.automation_bands]]
at_least = "0.50"
factor = "0.9"
"""
    )
    assert _problems(duplicate) == [
        "pricing.automation_bands[1].at_least: 0.50 is already the at_least of pricing.automation_bands[0]; a different at_least for every band"
    ]


def test_too_many_bands_and_too_many_places() -> None:
    """More than 20 bands, or an at_least finer than the invoice's 4 places, is refused."""
    with pytest.raises(ContractError, match=r"at most 20 bands"):
        _contract(
            automation_bands=[
                AutomationBand(at_least=Decimal(i) / 100, factor=1) for i in range(21)
            ]
        )
    with pytest.raises(InvalidValueError, match=r"more than 4 decimal places"):
        AutomationBand(at_least="0.40001", factor=1)


def test_implementation_amortize_months_has_moved() -> None:
    """A contract file with the old amortize_months key says where it went."""
    text = (
        _FILE
        + """
[[fees]]
kind = "implementation"
amortize_months = 24
milestones = [{ deliverable = "A", amount = "1", accepted_on = 2026-07-02 }]
"""
    )
    assert _problems(text) == [
        (
            "fees[0].amortize_months: has moved out of the contract into the business case; "
            "remove it and pass BusinessCase(amortize_months=...) "
            "(or amortize_months in a business-case scenario file)"
        )
    ]


@given(
    escalations=st.integers(0, 10000),
    resolutions=st.integers(0, 5000),
)
def test_charge_after_adjustment_is_the_band_factor_times_the_charge(
    escalations: int, resolutions: int
) -> None:
    """Resolution lines add up to round(charge x factor of the band the shown rate is in)."""
    invoice = quote(
        _contract(), "2026-07", resolutions=resolutions, escalations=escalations, contacts=10000
    )
    rate = invoice.counts["containment_rate"]
    assert isinstance(rate, Decimal)
    factor = max(
        (band for band in BANDS if band.at_least <= rate),
        key=lambda band: band.at_least,
        default=AutomationBand(at_least=0, factor=1),
    ).factor
    charge = sum(
        line.amount
        for line in invoice.lines
        if line.code in {"resolutions", "automation_adjustment"}
    )
    gross = Decimal(resolutions) * 2
    assert abs(charge - gross * factor) <= Decimal("0.005")
