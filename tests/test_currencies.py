"""Currencies: ISO 4217 codes with ISO's minor units; funds and metals refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import ModuleType

import pytest

from resolutionpricing import (
    Contract,
    InvalidTypeError,
    InvalidValueError,
    Rounding,
    Tier,
    TierSchedule,
    minor_unit,
    round_money,
)
from resolutionpricing._currencies import MINOR_UNITS, REFUSED_CODES

ALLOWED = "an ISO 4217 currency code such as AED, SAR, KWD, EUR or USD"


@pytest.fixture(scope="module")
def iso4217() -> ModuleType:
    """The ``iso4217`` package (a dev dependency), the reference for the table."""
    module: ModuleType = pytest.importorskip("iso4217")
    return module


def _iso_funds(iso4217: ModuleType) -> set[str]:
    """Codes whose ``CcyNm`` element carries ``IsFund="true"`` in ISO's list one."""
    funds = set()
    for entry in iso4217.raw_xml.iter("CcyNtry"):
        name = entry.find("CcyNm")
        if name is not None and name.get("IsFund") == "true":
            funds.add(entry.findtext("Ccy"))
    return funds


def _iso_no_minor_unit(iso4217: ModuleType) -> set[str]:
    """Codes whose minor unit is "N.A." (metals, SDR, bond units, testing codes)."""
    return {
        code
        for code, row in iso4217.raw_table.items()
        if code is not None and row.get("CcyMnrUnts") == "N.A."
    }


def test_minor_units_match_iso4217_package(iso4217: ModuleType) -> None:
    """The package table has ISO's codes and exponents, less funds and "N.A." codes."""
    excluded = _iso_funds(iso4217) | _iso_no_minor_unit(iso4217)
    expected = {
        code: int(row["CcyMnrUnts"])
        for code, row in iso4217.raw_table.items()
        # ``None`` is ISO's "No universal currency" row (Antarctica, Palestine...)
        if code is not None and code not in excluded
    }
    assert sorted(set(MINOR_UNITS) - set(expected)) == []
    assert sorted(set(expected) - set(MINOR_UNITS)) == []
    assert {code: MINOR_UNITS[code] for code in expected} == expected


def test_refused_codes_are_exactly_iso_funds_and_non_currencies(iso4217: ModuleType) -> None:
    """The refused codes are ISO's funds plus its codes without a minor unit."""
    funds = _iso_funds(iso4217)
    assert funds == {"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI"}
    assert funds | _iso_no_minor_unit(iso4217) == REFUSED_CODES


def test_refused_codes_are_not_in_the_table() -> None:
    """No code is both a currency and refused."""
    assert REFUSED_CODES.isdisjoint(MINOR_UNITS)


def test_table_is_read_only() -> None:
    """The table cannot be changed at run time."""
    with pytest.raises(TypeError):
        MINOR_UNITS["AED"] = 3  # type: ignore[index]


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("AED", 2),
        ("SAR", 2),
        ("KWD", 3),
        ("BHD", 3),
        ("OMR", 3),
        ("JOD", 3),
        ("IQD", 3),  # CLDR displays 0 digits; ISO says 3, and money follows ISO
        ("LYD", 3),
        ("TND", 3),
        ("JPY", 0),
        ("EUR", 2),
        ("USD", 2),
    ],
)
def test_minor_unit_examples(code: str, digits: int) -> None:
    """The Gulf, North African and other currencies have ISO's exponents."""
    assert minor_unit(code) == digits


@pytest.mark.parametrize("code", ["XAU", "XAG", "XPT", "XDR", "XTS", "XXX", "CHE", "BOV", "USN"])
def test_funds_and_metals_are_refused(code: str) -> None:
    """Gold, SDRs, testing codes and funds are not currencies one can invoice in."""
    with pytest.raises(InvalidValueError) as caught:
        minor_unit(code)
    assert str(caught.value) == (
        f"currency: {code!r} is a precious metal, fund or testing code, not a currency; {ALLOWED}"
    )


@pytest.mark.parametrize("code", ["ABC", "aed", "", "AEDX", "EURO"])
def test_unknown_codes_are_refused(code: str) -> None:
    """Codes that are not ISO 4217 (including lower case) are refused."""
    with pytest.raises(InvalidValueError) as caught:
        minor_unit(code)
    assert str(caught.value) == f"currency: {code!r} is not an ISO 4217 currency; {ALLOWED}"


def _contract(currency: object) -> Contract:
    """A minimal contract in ``currency``."""
    return Contract(
        name="Pilot",
        currency=currency,  # type: ignore[arg-type]
        timezone="Asia/Kuwait",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.volume([Tier(up_to=None, unit_price="0.950")]),
    )


def test_contract_in_kwd_rounds_to_fils() -> None:
    """A KWD contract rounds to 3 decimals (1000 fils to the dinar)."""
    contract = _contract("KWD")
    assert contract.minor_unit == 3
    assert str(contract.round(Decimal("1.2345"))) == "1.235"


def test_contract_refuses_gold() -> None:
    """A contract in XAU is refused with the currency's message."""
    with pytest.raises(InvalidValueError, match="'XAU' is a precious metal"):
        _contract("XAU")


def test_contract_refuses_a_non_string_currency() -> None:
    """A currency that is not a string is a TypeError."""
    with pytest.raises(InvalidTypeError) as caught:
        _contract(784)
    assert str(caught.value) == 'currency: 784 is not a string; an ISO 4217 code such as "AED"'


def test_round_money_uses_iso_digits_not_display_digits() -> None:
    """IQD rounds to 3 decimals (ISO), not 0 (what CLDR displays)."""
    assert str(round_money(Decimal("1.0005"), "IQD", Rounding.HALF_UP)) == "1.001"
