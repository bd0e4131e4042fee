"""Contract files: TOML read exactly, every problem at once with its path, and written back."""

from __future__ import annotations

import contextlib
import copy
import os
import tomllib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolutionpricing import (
    Contract,
    ContractError,
    ImplementationFee,
    InvalidTypeError,
    InvalidValueError,
    Milestone,
    MinimumCommitment,
    OneTimeFee,
    PauseCap,
    PerEscalationFee,
    RecurringFee,
    ResolutionPricingError,
    ResolutionRule,
    SpendCap,
    StepDownCap,
    Tier,
    TierSchedule,
    contract_from_dict,
    contract_to_dict,
    dump_contract,
    load_contract,
    loads_contract,
    quote,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "contract.toml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")

MINIMAL = """\
[contract]
name = "Pilot"
currency = "AED"
timezone = "Asia/Dubai"
starts_on = 2026-07-01

[pricing]
mode = "graduated"
tiers = [{ unit_price = "3.50" }]
"""


def _edit(text: str, *replacements: tuple[str, str]) -> str:
    """``text`` with each (old, new) replaced once; each old must be there."""
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _problems(text: str) -> list[str]:
    """The messages of the problems found in ``text``."""
    with pytest.raises(ContractError) as caught:
        loads_contract(text)
    return [str(problem) for problem in caught.value.problems]


# the example contract


def test_example_contract_loads_unchanged() -> None:
    """The example file loads, with its values exactly as written."""
    contract = load_contract(EXAMPLE)
    assert contract.name == "Gulf Telecom: AI resolution agreement"
    assert (contract.currency, contract.timezone) == ("AED", "Asia/Dubai")
    assert (contract.starts_on, contract.ends_on) == (date(2026, 7, 1), date(2028, 6, 30))
    assert contract.tax_rate == Decimal("0.05")
    assert contract.resolution.recontact_window == timedelta(hours=48)
    assert contract.resolution.min_csat == 4
    assert contract.pricing == TierSchedule.graduated(
        Tier(up_to=5000, unit_price="3.50"),
        Tier(up_to=20000, unit_price="2.75"),
        Tier(up_to=None, unit_price="2.00"),
    )
    assert contract.caps == (
        StepDownCap(above=30000, unit_price="1.50"),
        SpendCap(limit="90000.00"),
    )
    assert [type(fee) for fee in contract.fees] == [
        ImplementationFee,
        RecurringFee,
        PerEscalationFee,
        OneTimeFee,
        MinimumCommitment,
    ]
    implementation = contract.fees[0]
    assert isinstance(implementation, ImplementationFee)
    assert implementation.cap == Decimal("200000.00")
    assert implementation.milestones[1] == Milestone(
        deliverable="Knowledge base ingestion", amount="60000.00", accepted_on=date(2026, 8, 10)
    )


def test_load_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading by absolute path works from any directory; a relative path is from the cwd."""
    monkeypatch.chdir(tmp_path)
    assert load_contract(EXAMPLE) == load_contract(str(EXAMPLE))
    monkeypatch.chdir(ROOT)
    assert load_contract("examples/contract.toml") == load_contract(EXAMPLE)


# numbers are exact


def test_toml_floats_are_read_exactly() -> None:
    """A TOML float is read as the decimal written (0.1 is 0.1, not 0.1000000000000000055...)."""
    text = _edit(
        MINIMAL,
        (
            'tiers = [{ unit_price = "3.50" }]',
            "tiers = [{ up_to = 1000, unit_price = 0.1 }, { unit_price = 3.50 }]",
        ),
        ("[pricing]", "tax_rate = 0.05\n\n[pricing]"),
    )
    contract = loads_contract(text)
    assert isinstance(contract.pricing, TierSchedule)
    assert str(contract.pricing.tiers[0].unit_price) == "0.1"
    assert str(contract.pricing.tiers[1].unit_price) == "3.50"
    assert str(contract.tax_rate) == "0.05"


def test_money_as_string_number_or_integer_is_the_same() -> None:
    """``"3.50"``, ``3.50`` and, for whole amounts, ``4000`` all read as exact decimals."""
    as_string = loads_contract(MINIMAL)
    as_number = loads_contract(_edit(MINIMAL, ('unit_price = "3.50"', "unit_price = 3.50")))
    assert as_string == as_number
    whole = loads_contract(_edit(MINIMAL, ('unit_price = "3.50"', "unit_price = 4")))
    assert isinstance(whole.pricing, TierSchedule)
    assert whole.pricing.tiers[0].unit_price == Decimal(4)


def test_fractional_tier_bounds() -> None:
    """A tier bound may be fractional, as a TOML float or a string."""
    text = _edit(
        MINIMAL,
        (
            'tiers = [{ unit_price = "3.50" }]',
            "tiers = [{ up_to = 5.5, unit_price = 1 }, { unit_price = 2 }]",
        ),
    )
    pricing = loads_contract(text).pricing
    assert isinstance(pricing, TierSchedule)
    assert pricing.tiers[0].up_to == Decimal("5.5")


def test_loaded_numbers_quote_exactly() -> None:
    """Decimals read from TOML give the hand-checked invoice figures."""
    invoice = quote(load_contract(EXAMPLE), "2026-10", resolutions=12000)
    # 36,750 + 0 escalations + 4,000 KB = 40,750; 5 % = 2,037.50; total 42,787.50
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("40750.00"),
        Decimal("2037.50"),
        Decimal("42787.50"),
    )


# every problem at once, each with its path and what is allowed


def test_every_problem_is_reported_at_once() -> None:
    """Seven problems in seven places of one file: seven located problems in one error."""
    text = _edit(
        EXAMPLE_TEXT,
        ('name = "Gulf', 'nam = "Gulf'),
        ("min_csat = 4", "min_csat = 9"),
        ('{ unit_price = "2.00" }', '{ unit_price = "2.00", flat = 1 }'),
        ('mode = "graduated"', 'mode = "tiered"'),
        ('kind = "spend"', 'kind = "spend"\nlimt = 1'),
        ("accepted_on = 2026-09-01", 'accepted_on = "2026-09-01"'),
    )
    with pytest.raises(ContractError) as caught:
        loads_contract(text, source="gulf.toml")
    error = caught.value
    assert [str(problem) for problem in error.problems] == [
        "contract.nam: is not a known key; the keys are name, currency, timezone, starts_on, ends_on, billing_period, rounding, rounding_increment, tax_rate, id, account_id",
        "contract.name: is missing; a string naming the contract is required",
        "resolution.min_csat: 9 is out of range; an integer from 1 to 5, or None",
        "pricing.tiers[2].flat: is not a known key; the keys are up_to, unit_price, flat_fee",
        'pricing.mode: \'tiered\' is not allowed; one of "graduated", "volume", "package"',
        "caps[1].limt: is not a known key; the keys are limit, kind",
        "fees[0].milestones[2].accepted_on: '2026-09-01' is not a date; a date such as 2026-07-15",
    ]
    assert str(error).startswith("gulf.toml has 7 problems:\n  - contract.nam: ")
    assert [problem.path for problem in error.problems][-1] == "fees[0].milestones[2].accepted_on"


def test_every_tier_problem_is_reported() -> None:
    """Tier order problems are all listed, each at pricing.tiers[i].up_to."""
    text = _edit(
        EXAMPLE_TEXT,
        (
            '{ up_to = 20000, unit_price = "2.75" }',
            '{ up_to = 4000, unit_price = "2.75" }, { up_to = 3000, unit_price = "2.50" }',
        ),
        ('{ unit_price = "2.00" }', '{ up_to = 9000, unit_price = "2.00" }'),
    )
    assert _problems(text) == [
        "pricing.tiers[1].up_to: 4000 is not above the previous tier's up_to (5000); up_to must increase strictly from tier to tier",
        "pricing.tiers[2].up_to: 3000 is not above the previous tier's up_to (4000); up_to must increase strictly from tier to tier",
        "pricing.tiers[3].up_to: is 9000 on the last tier; the last tier must be open (no up_to)",
    ]


def test_tier_order_and_mode_problems_together() -> None:
    """A bad mode is reported beside bad tiers, not instead of them."""
    text = _edit(
        MINIMAL,
        ('mode = "graduated"', 'mode = "tiered"'),
        ('tiers = [{ unit_price = "3.50" }]', "tiers = [{ unit_price = 1 }, { unit_price = 2 }]"),
    )
    assert _problems(text) == [
        "pricing.tiers[0].up_to: is open (None) but this is not the last tier; only the last tier may be open",
        'pricing.mode: \'tiered\' is not allowed; one of "graduated", "volume", "package"',
    ]


def test_tier_field_problems_are_located() -> None:
    """A bad tier field is reported at its own path."""
    text = _edit(
        EXAMPLE_TEXT,
        ('{ up_to = 20000, unit_price = "2.75" }', '{ up_to = 20000, unit_price = "-2.75" }'),
        ('{ up_to = 5000, unit_price = "3.50" }', '{ up_to = 0, unit_price = "3.50" }'),
    )
    assert _problems(text) == [
        "pricing.tiers[0].up_to: 0 is not above 0; a tier's up_to must be above 0, or None for the open last tier",
        "pricing.tiers[1].unit_price: -2.75 is negative; must be 0 or more",
    ]


def test_floats_in_python_data_are_refused() -> None:
    """Data built in Python with a float (not from TOML) is refused at its path."""
    data = tomllib.loads(MINIMAL, parse_float=Decimal)
    data["pricing"]["tiers"][0]["unit_price"] = 3.5
    with pytest.raises(ContractError) as caught:
        contract_from_dict(data)
    (problem,) = caught.value.problems
    assert isinstance(problem, InvalidTypeError)
    assert str(problem) == (
        "pricing.tiers[0].unit_price: 3.5 is a float, which cannot hold money exactly; "
        'use a Decimal, an int or a decimal string such as "0.99"'
    )


@pytest.mark.parametrize(
    ("replacements", "expected"),
    [
        (
            [("[pricing]", "[pricng]\n[pricing]")],
            [
                "pricng: is not a known table; the tables are contract, resolution, pricing, caps, fees, audit, billing, pilot"
            ],
        ),
        (
            [('timezone = "Asia/Dubai"', 'timezone = "Asia/Dubai"\ntimezon = "UTC"')],
            [
                "contract.timezon: is not a known key; the keys are name, currency, timezone, starts_on, ends_on, billing_period, rounding, rounding_increment, tax_rate, id, account_id"
            ],
        ),
        (
            [("[pricing]", '[resolution]\nwindow = "48h"\n\n[pricing]')],
            [
                "resolution.window: is not a known key; the keys are recontact_window, recontact_scope, cross_channel, exclude_escalated, require_confirmation, min_csat, partial"
            ],
        ),
        (
            [('mode = "graduated"', 'mode = "graduated"\ncurrency = "AED"')],
            [
                (
                    "pricing.currency: is not a known key; the keys are mode, tiers, "
                    "automation_bands, accumulate, included, included_per, rollover, channels, "
                    "package_size, package_price, free_units"
                )
            ],
        ),
        (
            [('{ unit_price = "3.50" }', '{ unit_price = "3.50", up_too = 5 }')],
            [
                "pricing.tiers[0].up_too: is not a known key; the keys are up_to, unit_price, flat_fee"
            ],
        ),
    ],
)
def test_unknown_keys_are_errors(replacements: list[tuple[str, str]], expected: list[str]) -> None:
    """A misspelt key or table is an error naming the allowed ones, never silently ignored."""
    assert _problems(_edit(MINIMAL, *replacements)) == expected


def test_unknown_keys_in_caps_fees_and_milestones() -> None:
    """Unknown keys in array tables are located at their item."""
    text = _edit(
        EXAMPLE_TEXT,
        ('kind = "step_down"', 'kind = "step_down"\nbelow = 1'),
        ('kind = "minimum_commitment"', 'kind = "minimum_commitment"\nper = "month"'),
        ("accepted_on = 2026-07-15 }", 'accepted_on = 2026-07-15, note = "x" }'),
        ('cap = "200000.00"', 'cap = "200000.00"\nceiling = 1'),
    )
    assert _problems(text) == [
        "caps[0].below: is not a known key; the keys are above, unit_price, kind",
        "fees[0].milestones[0].note: is not a known key; the keys are deliverable, amount, accepted_on",
        "fees[0].ceiling: is not a known key; the keys are milestones, cap, kind",
        "fees[4].per: is not a known key; the keys are amount, kind",
    ]


def test_missing_tables_and_keys() -> None:
    """Missing required tables and keys say what is required."""
    assert _problems("") == [
        "contract: is missing; a [contract] table with name, currency, timezone and starts_on",
        "pricing: is missing; a [pricing] table with mode and tiers is required",
    ]
    assert _problems("[contract]\n[pricing]\n") == [
        "contract.name: is missing; a string naming the contract is required",
        'contract.currency: is missing; an ISO 4217 code such as "AED" is required',
        'contract.timezone: is missing; an IANA time zone such as "Asia/Dubai" is required',
        "contract.starts_on: is missing; the first day of the term, such as 2026-07-01, is required",
        'pricing.tiers: is missing; a list of tables such as [{ up_to = 5000, unit_price = "3.50" }, { unit_price = "2.75" }]',
        "pricing.mode: is missing; this key is required",
    ]


def test_wrong_shapes() -> None:
    """Tables, lists and arrays of tables of the wrong shape are located errors."""
    text = 'contract = 5\ncaps = 1\nfees = "x"\n[pricing]\nmode = "volume"\ntiers = [1]\n'
    assert _problems(text) == [
        "contract: 5 is not a table; a TOML table",
        "pricing.tiers[0]: 1 is not a table; a TOML table",
        "caps: 1 is not an array of tables; [[caps]] tables",
        "fees: 'x' is not an array of tables; [[fees]] tables",
    ]
    assert _problems(_edit(MINIMAL, ('tiers = [{ unit_price = "3.50" }]', 'tiers = "3.50"'))) == [
        'pricing.tiers: \'3.50\' is not a list; a list of tables such as [{ up_to = 5000, unit_price = "3.50" }, { unit_price = "2.75" }]'
    ]


def test_kinds_of_caps_and_fees() -> None:
    """Each cap and fee needs a known kind; the message lists the kinds."""
    text = MINIMAL + '\n[[caps]]\nkind = "cap"\n\n[[fees]]\namount = 1\n'
    assert _problems(text) == [
        'caps[0].kind: \'cap\' is not a kind of cap; one of "pause", "step_down", "spend"',
        'fees[0].kind: is missing; one of "implementation", "recurring", "per_escalation", "one_time", "minimum_commitment", "prepaid_commitment"',
    ]


def test_contract_wide_problems_carry_file_paths() -> None:
    """Problems of the contract as a whole are located like field problems."""
    text = _edit(
        EXAMPLE_TEXT,
        ("ends_on = 2028-06-30", "ends_on = 2026-06-30"),
        ('code = "kb_maintenance"', 'code = "resolutions"'),
        ('amount = "15000.00"', 'amount = "15000.005"'),
    )
    assert _problems(text) == [
        "contract.ends_on: 2026-06-30 is before starts_on (2026-07-01); a date on or after starts_on",
        "fees[4].amount: 15000.005 is not in whole minor units of AED (0.01); a multiple of 0.01",
        "fees[1].code: 'resolutions' is reserved for the calculator's own lines; a code other than automation_adjustment, commitment_drawdown, commitment_lapsed, escalations, implementation, minimum_commitment, pilot_resolutions, prepaid_commitment, resolutions, spend_cap, volume_true_up",
    ]


def test_fee_problems_inside_the_item_are_located() -> None:
    """A fee whose own check fails (end before start) is located at its index."""
    text = _edit(
        EXAMPLE_TEXT,
        ('amount = "4000.00"', 'amount = "4000.00"\nstarts_on = 2027-01-01\nends_on = 2026-12-31'),
    )
    assert _problems(text) == [
        "fees[1].ends_on: 2026-12-31 is before starts_on (2027-01-01); a date on or after starts_on"
    ]


def test_dates_must_be_toml_dates() -> None:
    """A date written as a string or a datetime is refused with an example."""
    assert _problems(_edit(MINIMAL, ("starts_on = 2026-07-01", 'starts_on = "2026-07-01"'))) == [
        "contract.starts_on: '2026-07-01' is not a date; a date such as 2026-07-01"
    ]
    assert _problems(
        _edit(MINIMAL, ("starts_on = 2026-07-01", "starts_on = 2026-07-01T00:00:00"))
    ) == [
        "contract.starts_on: datetime.datetime(2026, 7, 1, 0, 0) is not a date; a date such as 2026-07-01"
    ]


def test_invalid_toml() -> None:
    """Text that is not TOML is one problem naming the source and the parser's position."""
    with pytest.raises(ContractError) as caught:
        loads_contract("[contract\n", source="broken.toml")
    assert str(caught.value) == (
        "broken.toml is not valid TOML:\n"
        "  - broken.toml: Expected ']' at the end of a table declaration (at line 1, column 10); "
        "a TOML document"
    )


def test_missing_file(tmp_path: Path) -> None:
    """A file that cannot be read is a ContractError, not an OSError."""
    path = tmp_path / "absent.toml"
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    assert str(caught.value) == (
        f"{path} cannot be read:\n  - {path}: No such file or directory; a readable TOML file"
    )


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    """A file that is not UTF-8 is a ContractError, not a UnicodeDecodeError."""
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.replace("Pilot", "Caf\u00e9").encode("latin-1"))
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    (problem,) = caught.value.problems
    assert problem.path == str(path)
    assert problem.allowed == "a TOML file encoded in UTF-8"


def test_contract_error_is_a_group_of_located_problems() -> None:
    """The error is an ExceptionGroup of InvalidValueError/InvalidTypeError, under the root."""
    text = _edit(
        MINIMAL, ('currency = "AED"', "currency = 784"), ('mode = "graduated"', 'mode = "x"')
    )
    with pytest.raises(ContractError) as caught:
        loads_contract(text)
    error = caught.value
    assert isinstance(error, ExceptionGroup)
    assert isinstance(error, ResolutionPricingError)
    assert error.exceptions == error.problems
    assert [type(problem) for problem in error.problems] == [InvalidTypeError, InvalidValueError]
    assert [problem.path for problem in error.problems] == ["contract.currency", "pricing.mode"]


def test_contract_error_works_with_except_star() -> None:
    """``except*`` splits the problems by kind."""
    text = _edit(
        MINIMAL, ('currency = "AED"', "currency = 784"), ('mode = "graduated"', 'mode = "x"')
    )
    seen: list[str] = []
    try:
        loads_contract(text)
    except* InvalidTypeError as group:
        seen += [str(error) for error in group.exceptions]
    except* InvalidValueError as group:
        seen += [str(error) for error in group.exceptions]
    assert seen == [
        'contract.currency: 784 is not a string; an ISO 4217 code such as "AED"',
        'pricing.mode: \'x\' is not allowed; one of "graduated", "volume", "package"',
    ]


# writing back


def _rich_contract() -> Contract:
    """A contract using every optional field, to test writing back."""
    return Contract(
        name="Rich",
        currency="KWD",
        timezone="Asia/Kuwait",
        starts_on=date(2026, 7, 1),
        ends_on=date(2027, 6, 30),
        billing_period="quarterly",
        rounding="half_even",
        rounding_increment="0.010",
        tax_rate="0.025",
        resolution=ResolutionRule(
            recontact_window="90m",
            recontact_scope="any_topic",
            cross_channel=False,
            exclude_escalated=False,
            require_confirmation=True,
            min_csat=3,
            partial="per_topic",
        ),
        pricing=TierSchedule.volume(
            Tier(up_to="1000.5", unit_price="0.950", flat_fee="5.000"),
            Tier(up_to=None, unit_price="0.8"),
        ),
        caps=[
            SpendCap(limit="5000.000"),
            PauseCap(limit="20000.5"),
            StepDownCap(above=15000, unit_price="0.500"),
        ],
        fees=[
            ImplementationFee(
                cap="9000.000",
                milestones=[
                    Milestone(deliverable="API", amount="8000.000", accepted_on=date(2026, 7, 2)),
                    Milestone(deliverable="KB", amount="2000", accepted_on=date(2026, 9, 1)),
                ],
            ),
            RecurringFee(
                code="platform",
                description="Platform",
                amount="100.500",
                starts_on=date(2026, 8, 1),
                ends_on=date(2027, 3, 31),
            ),
            PerEscalationFee(unit_price="0.250", description="Human handling"),
            OneTimeFee(code="voice", description="Voice", amount=300, bill_on=date(2027, 1, 15)),
            MinimumCommitment(amount="1500.000"),
        ],
    )


@pytest.mark.parametrize("build", [lambda: load_contract(EXAMPLE), _rich_contract])
def test_dump_and_load_give_an_equal_contract(build: Any) -> None:
    """Writing a contract to TOML and reading it back gives an equal contract."""
    contract = build()
    assert loads_contract(dump_contract(contract)) == contract


@pytest.mark.parametrize("build", [lambda: load_contract(EXAMPLE), _rich_contract])
def test_to_dict_and_from_dict_give_an_equal_contract(build: Any) -> None:
    """``contract_to_dict`` and ``contract_from_dict`` are inverses."""
    contract = build()
    assert contract_from_dict(contract_to_dict(contract)) == contract


def test_dump_is_stable() -> None:
    """Dumping, loading and dumping again gives the same text."""
    text = dump_contract(_rich_contract())
    assert dump_contract(loads_contract(text)) == text


def test_dump_writes_money_as_strings() -> None:
    """Money is written as decimal strings, so no reader turns it into a float."""
    data = contract_to_dict(load_contract(EXAMPLE))
    assert data["pricing"]["tiers"] == [
        {"up_to": 5000, "unit_price": "3.50"},
        {"up_to": 20000, "unit_price": "2.75"},
        {"unit_price": "2.00"},
    ]
    assert data["contract"]["tax_rate"] == "0.05"
    assert data["caps"] == [
        {"kind": "step_down", "above": 30000, "unit_price": "1.50"},
        {"kind": "spend", "limit": "90000.00"},
    ]
    assert data["resolution"]["recontact_window"] == "48h"


def test_dump_keeps_a_zero_price() -> None:
    """A free escalation fee is written with its 0.00 price, not dropped as a default."""
    data = contract_to_dict(load_contract(EXAMPLE))
    assert {"kind": "per_escalation", "unit_price": "0.00"} in data["fees"]


def test_a_sub_second_window_is_refused() -> None:
    """A window with a fraction of a second cannot be written, so it is refused up front."""
    with pytest.raises(InvalidValueError) as caught:
        ResolutionRule(recontact_window=timedelta(seconds=1.5))
    assert str(caught.value) == (
        "recontact_window: 0:00:01.500000 is not a whole number of seconds; "
        "a window in whole seconds"
    )


@pytest.mark.parametrize(
    ("window", "written"),
    [(timedelta(seconds=1), "1s"), (timedelta(seconds=90), "90s"), (timedelta(days=3), "72h")],
)
def test_dump_round_trips_a_window_in_whole_seconds(window: timedelta, written: str) -> None:
    """A window in whole seconds is written in its largest whole unit and reads back."""
    contract = attrs.evolve(
        load_contract(EXAMPLE), resolution=ResolutionRule(recontact_window=window)
    )
    assert contract_to_dict(contract)["resolution"]["recontact_window"] == written
    assert loads_contract(dump_contract(contract)) == contract


# only the documented errors, whatever the data

EXAMPLE_DATA = tomllib.loads(EXAMPLE_TEXT, parse_float=Decimal)


def _paths(data: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every key path in nested tables and lists."""
    found: list[tuple[str | int, ...]] = []
    items: list[tuple[str | int, object]] = []
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**15),
    st.text(alphabet="abcxyz -_.0123456789:TZ", max_size=8),
    st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=True),
    st.decimals(places=3, allow_nan=False, min_value=-1000, max_value=1000),
    st.floats(),
    st.dates(),
    st.datetimes(),
    st.just([]),
    st.just({}),
    st.lists(st.integers(), max_size=2),
    st.sampled_from(
        [
            "pause",
            "spend",
            "recurring",
            "one_time",
            "volume",
            "quarterly",
            "KWD",
            "JPY",
            "half_even",
            "-1",
            "NaN",
            "Infinity",
            "0",
        ]
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(_paths(EXAMPLE_DATA)), ODD_VALUES), min_size=1, max_size=3
    )
)
def test_bad_data_raises_only_contract_errors(
    changes: list[tuple[tuple[str | int, ...], object]],
) -> None:
    """Whatever value replaces whatever key, reading raises ContractError or gives a contract."""
    data: Any = copy.deepcopy(EXAMPLE_DATA)
    for path, value in changes:
        target = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        contract = contract_from_dict(data)
    except ContractError:
        return
    assert loads_contract(dump_contract(contract)) == contract
    for label in ("2026-07", "2027-01"):
        with contextlib.suppress(ResolutionPricingError):
            quote(contract, label, resolutions=12345, escalations=3).to_json()


def test_huge_amounts_raise_the_librarys_errors() -> None:
    """An absurdly large price is refused by the library, not by the decimal module."""
    text = _edit(MINIMAL, ('unit_price = "3.50"', 'unit_price = "1E60"'))
    assert _problems(text) == [
        "pricing.tiers[0].unit_price: '1E60' is too large; a number below 10^18 in size"
    ]


# --- hardening: any contract text gives a documented error, in bounded time -----------

HEAD_TOML = """\
[contract]
name = "Pilot"
currency = "AED"
timezone = "Asia/Dubai"
starts_on = 2026-07-01
[pricing]
mode = "graduated"
tiers = [{ unit_price = "1" }]
"""


def test_a_float_with_a_huge_exponent_under_any_key_is_a_contract_error() -> None:
    """1e-99999999999999999999 anywhere is a ContractError, not decimal.InvalidOperation."""
    for text in (
        "x = 1e-99999999999999999999",
        HEAD_TOML + "[resolution]\nmin_csat = 1e99999999999999999999\n",
    ):
        with pytest.raises(ContractError, match="exponent beyond"):
            loads_contract(text)


def test_an_int_of_over_4300_digits_in_a_mapping_is_a_located_problem() -> None:
    """contract_from_dict with a 5,000-digit int names its path, never a bare ValueError."""
    data = tomllib.loads(HEAD_TOML)
    data["pricing"]["tiers"] = [{"unit_price": 10**5000}]
    with pytest.raises(ContractError) as caught:
        contract_from_dict(data)
    assert [str(problem) for problem in caught.value.problems] == [
        "pricing.tiers[0].unit_price: an integer of 5001 digits is too large; a number below 10^18 in size"
    ]


def test_deeply_dotted_keys_are_refused_before_parsing() -> None:
    """Keys nested 20,000 deep (quadratic in tomllib) are refused at once, with the limit."""
    with pytest.raises(ContractError, match="more than 32 dotted parts"):
        loads_contract("a" + ".a" * 20000 + " = 1")


def test_a_contract_over_256_kib_is_refused_before_parsing() -> None:
    """A million tiers is too large a file: refused by its size, with the documented limit."""
    text = HEAD_TOML.replace(
        'tiers = [{ unit_price = "1" }]', "tiers = [" + "{unit_price=1}," * 10**5 + "]"
    )
    with pytest.raises(ContractError, match="over 256 KiB"):
        loads_contract(text)


def test_more_than_1000_tiers_is_one_problem_not_a_thousand() -> None:
    """1,001 tiers: one problem at pricing.tiers naming the limit; no tier is built."""
    tiers = ",".join(["{ unit_price = 1 }"] * 1001)
    with pytest.raises(ContractError) as caught:
        loads_contract(HEAD_TOML.replace('tiers = [{ unit_price = "1" }]', f"tiers = [{tiers}]"))
    assert [str(problem) for problem in caught.value.problems] == [
        "pricing.tiers: has 1,001 items; at most 1,000 (a documented limit)"
    ]


def test_a_contract_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """A UTF-8 BOM is accepted in contract files, as in logs."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD_TOML.encode())
    assert load_contract(path).name == "Pilot"


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_only_regular_files_are_read_as_contracts(tmp_path: Path, target: str) -> None:
    """/dev/zero and a FIFO without writer are refused at once, not read forever."""
    path = Path(target)
    if target == "fifo":
        path = tmp_path / "contract.toml"
        os.mkfifo(path)
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    assert "a regular file holding a TOML contract" in str(caught.value.problems[0])


def test_a_fee_code_with_a_trailing_newline_is_not_a_code() -> None:
    """A code with a trailing newline is refused: codes are [a-z][a-z0-9_]* exactly (fullmatch)."""
    with pytest.raises(InvalidValueError, match="is not a line code"):
        RecurringFee(code="kb_maintenance\n", description="KB", amount="1")


def test_a_lone_surrogate_in_a_contract_string_is_refused() -> None:
    """A lone surrogate would break fingerprints and JSON later: refused where it enters."""
    with pytest.raises(InvalidValueError, match="lone surrogate"):
        RecurringFee(code="kb", description="\ud800", amount="1")
