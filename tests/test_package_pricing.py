"""Package prices: whole packages beyond the free units, rounded up; in contracts, files and invoices."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolutionpricing import (
    Contract,
    ContractError,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    LineItem,
    MinimumCommitment,
    PackagePricing,
    PauseCap,
    PricingMode,
    PricingSchedule,
    ResolutionDetails,
    SpendCap,
    StepDownCap,
    TierPart,
    TierSchedule,
    bill,
    contract_to_dict,
    dump_contract,
    load_contract,
    loads_contract,
    quote,
    read_interactions,
)
from resolutionpricing._cli import main
from resolutionpricing.plot import plot_price_curve

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "contract.toml"
PACKAGE_EXAMPLE = ROOT / "examples" / "package-contract.toml"

# The fingerprint of examples/contract.toml on main before package prices existed.
MAIN_FINGERPRINT = "fc2bbb8f17bebf16d0d18cc93096424a4e1e852e560a2d08ea17d83e4c94e7b7"

LAGO = PackagePricing(package_size=10, package_price=100)
LAGO_FREE = PackagePricing(package_size=10, package_price=100, free_units=10)

PACKAGE_TOML = """\
[contract]
name = "Packs"
currency = "AED"
timezone = "Asia/Dubai"
starts_on = 2026-07-01

[pricing]
mode = "package"
package_size = 100
package_price = "49.00"
free_units = 0
"""


def _line(invoice: Invoice, code: str) -> LineItem:
    """The invoice's line of ``code``, which must be there."""
    line = invoice.line(code)
    assert line is not None, code
    return line


def _contract(pricing: PackagePricing = LAGO, **fields: object) -> Contract:
    """A contract in AED priced by ``pricing``, with ``fields`` (caps, fees) added."""
    return Contract(
        name="Packs",
        currency="AED",
        timezone="Asia/Dubai",
        starts_on=date(2026, 7, 1),
        pricing=pricing,
        **fields,  # type: ignore[arg-type]
    )


# The anchors


def test_lago_anchor_121_units_bill_thirteen_packages() -> None:
    """Lago: 100 per package of 10, 121 units need 13 packages: 1,300."""
    assert LAGO.packages(121) == 13
    assert LAGO.price(121) == Decimal(1300)


def test_lago_anchor_with_ten_free_units() -> None:
    """Lago: with 10 free units, 111 billable units need 12 packages: 1,200."""
    assert LAGO_FREE.packages(121) == 12
    assert LAGO_FREE.price(121) == Decimal(1200)


def test_orb_anchor_four_units_bill_one_package_eleven_two() -> None:
    """Orb: with packages of 10, 4 units bill one package and 11 units two."""
    assert LAGO.packages(4) == 1
    assert LAGO.packages(11) == 2
    assert LAGO.price(4) == Decimal(100)
    assert LAGO.price(11) == Decimal(200)


def test_a_full_package_is_not_rounded_up() -> None:
    """Exactly 10 and 20 units are exactly 1 and 2 packages."""
    assert (LAGO.packages(10), LAGO.packages(20)) == (1, 2)


def test_fractional_units_round_up_to_the_next_package() -> None:
    """10.5 partial resolutions need 2 packages of 10; beyond 10 free units, 1."""
    assert LAGO.packages("10.5") == 2
    assert LAGO.price(Decimal("10.5")) == Decimal(200)
    assert LAGO_FREE.packages("10.5") == 1
    assert LAGO_FREE.packages("10.000000000001") == 1


def test_nothing_is_billed_within_the_free_units() -> None:
    """0 and 10 units with 10 free units: no package, a price of 0."""
    assert LAGO_FREE.packages(0) == 0
    assert LAGO_FREE.price(10) == 0
    assert LAGO.price(0) == 0


def test_the_price_keeps_the_package_price_exponent() -> None:
    """Packages of 100 at 49.00: 250 units are 3 packages, 147.00."""
    pricing = PackagePricing(package_size=100, package_price="49.00")
    assert str(pricing.price(250)) == "147.00"


# The type


def test_mode_is_package() -> None:
    """A PackagePricing's mode is PricingMode.PACKAGE, whose value is "package"."""
    assert LAGO.mode is PricingMode.PACKAGE
    assert PricingMode("package") is PricingMode.PACKAGE


def test_breakdown_is_one_part_counted_in_packages() -> None:
    """One part: lower the free units, quantity the packages, unit_price the package price."""
    assert LAGO_FREE.breakdown(121) == (
        TierPart(
            index=0,
            lower=Decimal(10),
            up_to=None,
            quantity=Decimal(12),
            unit_price=Decimal(100),
            flat_fee=Decimal(0),
            amount=Decimal(1200),
        ),
    )


def test_breakdown_within_the_free_units_is_zero_packages() -> None:
    """Within the free units the one part has 0 packages and amount 0."""
    (part,) = LAGO_FREE.breakdown(3)
    assert (part.quantity, part.amount) == (Decimal(0), Decimal(0))


def test_fields_are_normalised() -> None:
    """A decimal-string price and free units become Decimals; a whole Decimal size an int."""
    pricing = PackagePricing(package_size=Decimal(100), package_price="49.00", free_units="50")
    assert pricing.package_size == 100
    assert isinstance(pricing.package_size, int)
    assert pricing.package_price == Decimal("49.00")
    assert pricing.free_units == Decimal(50)


def test_is_a_pricing_schedule_and_frozen() -> None:
    """PackagePricing is one of PricingSchedule's members, and immutable."""
    assert isinstance(LAGO, PricingSchedule)
    with pytest.raises(AttributeError):
        LAGO.package_size = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"package_size": 0}, InvalidValueError, "package_size: 0 is below 1; must be 1 or more"),
        (
            {"package_size": Decimal("10.5")},
            InvalidValueError,
            "package_size: 10.5 is not a whole number; a whole number of units of 1 or more, such as 100",
        ),
        ({"package_size": True}, InvalidTypeError, "package_size: True is a bool"),
        ({"package_price": 0.5}, InvalidTypeError, "package_price: 0.5 is a float"),
        ({"package_price": "-1"}, InvalidValueError, "package_price: -1 is negative"),
        ({"free_units": "-3"}, InvalidValueError, "free_units: -3 is negative"),
    ],
)
def test_bad_fields_are_refused_with_their_name(
    fields: dict[str, object], error: type[Exception], message: str
) -> None:
    """A size below 1 or not whole, a float or negative price, negative free units: refused."""
    terms: dict[str, object] = {"package_size": 10, "package_price": 100, **fields}
    with pytest.raises(error) as caught:
        PackagePricing(**terms)
    assert str(caught.value).startswith(message)


def test_a_tier_schedule_cannot_be_in_package_mode() -> None:
    """TierSchedule(mode="package") is refused, pointing to PackagePricing."""
    with pytest.raises(InvalidValueError) as caught:
        TierSchedule(mode="package", tiers=[{"unit_price": 1}])
    assert caught.value.path == "mode"
    assert "PackagePricing" in caught.value.allowed


# Properties

_PRICINGS = st.builds(
    PackagePricing,
    package_size=st.integers(1, 10_000),
    package_price=st.decimals(0, 10_000, places=2),
    free_units=st.decimals(0, 1_000, places=3),
)
_UNITS = st.decimals(0, 1_000_000, places=4)


@given(_PRICINGS, _UNITS, _UNITS)
def test_price_never_drops_as_units_grow(pricing: PackagePricing, a: Decimal, b: Decimal) -> None:
    """More units never cost less."""
    low, high = sorted((a, b))
    assert pricing.price(low) <= pricing.price(high)


@given(_PRICINGS, _UNITS)
def test_price_is_the_ceiling_formula(pricing: PackagePricing, units: Decimal) -> None:
    """price(u) == ceil(max(0, u - free_units) / package_size) * package_price, exactly."""
    billable = max(Fraction(units) - Fraction(pricing.free_units), Fraction(0))
    packages = math.ceil(billable / pricing.package_size)
    assert pricing.packages(units) == packages
    assert pricing.price(units) == packages * pricing.package_price


@given(_PRICINGS, _UNITS)
def test_price_is_a_whole_number_of_packages(pricing: PackagePricing, units: Decimal) -> None:
    """The price is a whole multiple of the package price."""
    price = pricing.price(units)
    if pricing.package_price:
        quotient = price / pricing.package_price
        assert quotient == quotient.to_integral_value()
    else:
        assert price == 0


@given(_PRICINGS, st.data())
def test_nothing_is_billed_up_to_the_free_units(
    pricing: PackagePricing, data: st.DataObject
) -> None:
    """Any quantity from 0 to free_units prices at 0."""
    units = data.draw(st.decimals(0, pricing.free_units, places=3))
    assert pricing.price(units) == 0


@given(_PRICINGS, _UNITS)
def test_the_breakdown_sums_to_the_price(pricing: PackagePricing, units: Decimal) -> None:
    """The one part's amount is the price, its quantity the packages."""
    (part,) = pricing.breakdown(units)
    assert part.amount == pricing.price(units)
    assert part.quantity == pricing.packages(units)


# Invoices


def test_the_resolutions_line_of_a_package_contract() -> None:
    """121 units, packages of 10 at 100, 10 free: one line of 121 units, 1,200.00."""
    invoice = quote(_contract(LAGO_FREE), "2026-10", resolutions=121)
    line = _line(invoice, "resolutions")
    assert line.description == "Resolutions (packages of 10)"
    assert line.quantity == 121
    assert line.amount == Decimal("1200.00")
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.mode is PricingMode.PACKAGE
    assert line.details.tiers == LAGO_FREE.breakdown(121)
    assert line.details.exact_amount == 1200
    assert invoice.total == Decimal("1200.00")


def test_the_invoice_round_trips_through_json() -> None:
    """to_json then from_json gives an equal invoice, with the package breakdown."""
    invoice = quote(_contract(LAGO_FREE), "2026-10", resolutions=121)
    data = invoice.to_dict()
    details = data["lines"][0]["details"]
    assert details["mode"] == "package"
    assert details["tiers"][0]["quantity"] == "12"
    back = Invoice.from_json(invoice.to_json())
    assert back == invoice
    assert back.fingerprint == invoice.fingerprint
    assert Invoice.from_dict(data) == invoice


def test_the_invoice_text_counts_packages() -> None:
    """The breakdown row reads "packages: 12 x 100 (above 10 free units)"."""
    text = quote(_contract(LAGO_FREE), "2026-10", resolutions=121).to_text()
    assert "resolutions     Resolutions (packages of 10)" in text
    assert "packages: 12 x 100 (above 10 free units)" in text
    assert "tier 1" not in text


def test_the_invoice_html_names_the_package_breakdown() -> None:
    """The HTML breakdown's caption says its quantity counts packages."""
    html = quote(_contract(LAGO_FREE), "2026-10", resolutions=121)._repr_html_()
    assert "Package breakdown (quantity in packages, from the free units)" in html
    assert "Tier breakdown" not in html


def test_a_pause_cap_stops_units_before_packages_are_counted() -> None:
    """Pause at 150, 200 units, packages of 100 at 49: 150 billed, 2 packages, 98.00."""
    pricing = PackagePricing(package_size=100, package_price="49.00")
    invoice = quote(_contract(pricing, caps=[PauseCap(limit=150)]), "2026-10", resolutions=200)
    line = _line(invoice, "resolutions")
    assert line.quantity == 150
    assert line.amount == Decimal("98.00")
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.pause is not None
    assert line.details.pause.overflow_units == 50


def test_a_step_down_prices_the_units_above_it_the_packages_the_rest() -> None:
    """Step-down above 100 at 1.00, 250 units: 1 package (49.00) + 150 x 1.00 = 199.00."""
    pricing = PackagePricing(package_size=100, package_price="49.00")
    contract = _contract(pricing, caps=[StepDownCap(above=100, unit_price="1.00")])
    line = _line(quote(contract, "2026-10", resolutions=250), "resolutions")
    assert line.amount == Decimal("199.00")
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.tiers[0].quantity == 1
    assert line.details.step_down is not None
    assert line.details.step_down.quantity == 150


def test_the_spend_cap_and_minimum_apply_as_for_tiers() -> None:
    """Spend cap 1,000: 121 units (1,300) bring a -300 line; minimum 500: 4 units a 400 true-up."""
    capped = quote(_contract(caps=[SpendCap(limit=1000)]), "2026-10", resolutions=121)
    assert _line(capped, "spend_cap").amount == Decimal("-300.00")
    assert capped.total == Decimal("1000.00")
    minimum = _contract(fees=[MinimumCommitment(amount=500)])
    low = quote(minimum, "2026-10", resolutions=4)
    assert _line(low, "minimum_commitment").amount == Decimal("400.00")
    assert low.total == Decimal("500.00")


def test_a_billing_run_from_the_log_bills_packages_then_the_spend_cap() -> None:
    """October of the example log: 6,128 units, 50 free, 61 packs (15,189.00), capped at 12,000."""
    contract = load_contract(PACKAGE_EXAMPLE)
    (invoice,) = bill(
        contract, read_interactions(ROOT / "examples" / "interactions.csv"), "2026-10"
    ).invoices
    line = _line(invoice, "resolutions")
    assert line.quantity == 6128
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.tiers[0].quantity == 61  # ceil(6,078 / 100)
    assert line.amount == Decimal("15189.00")  # 61 x 249.00
    assert _line(invoice, "spend_cap").amount == Decimal("-3189.00")
    assert invoice.total == Decimal("12600.00")  # 12,000.00 and 5 % tax


# Contract files


def test_a_package_table_loads() -> None:
    """A mode = "package" table with package_size, package_price and free_units loads."""
    contract = loads_contract(PACKAGE_TOML)
    assert contract.pricing == PackagePricing(package_size=100, package_price="49.00")
    assert contract.pricing.price(250) == Decimal("147.00")


def test_free_units_default_to_zero_in_a_file() -> None:
    """Without free_units, none are free."""
    contract = loads_contract(PACKAGE_TOML.replace("free_units = 0\n", ""))
    assert isinstance(contract.pricing, PackagePricing)
    assert contract.pricing.free_units == 0


def test_a_package_contract_round_trips_through_toml() -> None:
    """dump_contract then loads_contract gives an equal contract with the same fingerprint."""
    contract = loads_contract(PACKAGE_TOML.replace("free_units = 0", 'free_units = "10.5"'))
    again = loads_contract(dump_contract(contract))
    assert again == contract
    assert again.fingerprint == contract.fingerprint


def test_contract_to_dict_writes_the_package_terms() -> None:
    """The pricing table holds the mode and the three package keys, no tiers."""
    data = contract_to_dict(loads_contract(PACKAGE_TOML))
    assert data["pricing"] == {
        "mode": "package",
        "package_size": 100,
        "package_price": "49.00",
        "free_units": 0,
    }


def test_package_terms_change_the_fingerprint() -> None:
    """Another package price is another contract, with another fingerprint."""
    one = loads_contract(PACKAGE_TOML)
    other = loads_contract(PACKAGE_TOML.replace('"49.00"', '"49.50"'))
    assert one.fingerprint != other.fingerprint
    same = loads_contract(PACKAGE_TOML.replace('"49.00"', '"49.0"'))
    assert same.fingerprint == one.fingerprint


def test_automation_bands_sit_beside_package_terms() -> None:
    """[[pricing.automation_bands]] under mode = "package" load and dump back."""
    text = PACKAGE_TOML + '\n[[pricing.automation_bands]]\nat_least = "0.40"\nfactor = "0.90"\n'
    contract = loads_contract(text)
    assert [band.factor for band in contract.automation_bands] == [Decimal("0.90")]
    assert loads_contract(dump_contract(contract)) == contract


def test_the_tier_example_keeps_its_fingerprint() -> None:
    """examples/contract.toml has the fingerprint it had on main before package prices."""
    assert load_contract(EXAMPLE).fingerprint == MAIN_FINGERPRINT


def _problems(text: str) -> list[str]:
    with pytest.raises(ContractError) as caught:
        loads_contract(text)
    return [str(problem) for problem in caught.value.problems]


def test_tiers_with_package_mode_are_refused_with_every_other_problem() -> None:
    """Tiers under mode = "package" and a bad size are both reported, each at its path."""
    text = PACKAGE_TOML.replace("package_size = 100", "package_size = 0") + (
        'tiers = [{ unit_price = "3.50" }]\n'
    )
    assert _problems(text) == [
        (
            'pricing.tiers: is not allowed with mode = "package"; '
            "package prices take package_size, package_price and free_units, not tiers"
        ),
        "pricing.package_size: 0 is below 1; must be 1 or more",
    ]


def test_package_keys_with_tier_modes_are_refused() -> None:
    """package_size or package_price under mode = "graduated" is an error at its path."""
    text = """\
[contract]
name = "Tiers"
currency = "AED"
timezone = "Asia/Dubai"
starts_on = 2026-07-01

[pricing]
mode = "graduated"
tiers = [{ unit_price = "3.50" }]
package_size = 100
package_price = "49.00"
"""
    assert _problems(text) == [
        (
            'pricing.package_size: is only for mode = "package"; '
            'remove it, or write mode = "package" (and no tiers) to use package_size'
        ),
        (
            'pricing.package_price: is only for mode = "package"; '
            'remove it, or write mode = "package" (and no tiers) to use package_price'
        ),
    ]


def test_missing_package_keys_are_each_reported() -> None:
    """A mode = "package" table alone: package_size and package_price are both missing."""
    text = PACKAGE_TOML.split("package_size", maxsplit=1)[0]
    assert _problems(text) == [
        "pricing.package_size: is missing; this key is required",
        "pricing.package_price: is missing; this key is required",
    ]


def test_an_unknown_key_beside_package_terms_is_refused() -> None:
    """A misspelt package key is named, with the keys allowed."""
    text = PACKAGE_TOML.replace("free_units", "free_unit")
    assert _problems(text) == [
        (
            "pricing.free_unit: is not a known key; "
            "the keys are package_size, package_price, free_units, mode, tiers, automation_bands, "
            "accumulate, included, included_per, rollover, channels"
        )
    ]


def test_the_package_example_loads_and_prices() -> None:
    """examples/package-contract.toml: 1,000 resolutions, 50 free, 950 need 10 packs: 2,490.00."""
    contract = load_contract(PACKAGE_EXAMPLE)
    assert contract.pricing == PackagePricing(
        package_size=100, package_price="249.00", free_units=50
    )
    invoice = quote(contract, "2026-10", resolutions=1000)
    assert _line(invoice, "resolutions").amount == Decimal("2490.00")
    assert invoice.total == Decimal("2614.50")  # with 5 % tax
    assert loads_contract(dump_contract(contract)) == contract


# Display, chart, command line


def test_the_contract_text_shows_the_package_terms() -> None:
    """to_text has a "Pricing (package)" table with the size, price and free units."""
    text = load_contract(PACKAGE_EXAMPLE).to_text()
    assert "Pricing (package)" in text
    assert "package_size   100" in text
    assert "package_price  249.00" in text
    assert "free_units     50" in text


def test_the_contract_html_shows_the_package_terms() -> None:
    """_repr_html_ has the same table."""
    html = load_contract(PACKAGE_EXAMPLE)._repr_html_()
    assert "<caption>Pricing (package)</caption>" in html
    assert "249.00" in html


def test_the_price_curve_of_packages_is_a_staircase() -> None:
    """Packages of 100 at 249.00 beyond 50 free: flat between edges, one package per step."""
    figure = plot_price_curve(load_contract(PACKAGE_EXAMPLE), 1000)
    line = figure.axes[0].lines[0]
    charge = dict(zip(line.get_xdata(), line.get_ydata(), strict=True))  # type: ignore[arg-type]
    assert charge[50.0] == 0
    assert charge[51.0] == 249
    assert charge[150.0] == 249
    assert charge[151.0] == 498
    assert charge[1000.0] == 2490
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert "free up to 50" in texts


def test_the_quote_command_prints_the_packages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The quote command on the package example prints the line and its packages."""
    status = main(["quote", str(PACKAGE_EXAMPLE), "--period", "2026-10", "--resolutions", "1000"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Resolutions (packages of 100)" in out
    assert "packages: 10 x 249.00 (above 50 free units)" in out
    assert "2614.50" in out
