"""Bad contracts raise only the documented errors, each with a path, whatever the input."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
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
    PackagePricing,
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
    loads_contract,
)
from resolutionpricing import strategies as rps

_KEYS = (
    # tables
    "contract",
    "resolution",
    "pricing",
    "caps",
    "fees",
    # the [contract] table
    "name",
    "currency",
    "timezone",
    "starts_on",
    "ends_on",
    "billing_period",
    "rounding",
    "rounding_increment",
    "tax_rate",
    # the [resolution] table
    "recontact_window",
    "recontact_scope",
    "cross_channel",
    "exclude_escalated",
    "require_confirmation",
    "min_csat",
    "partial",
    # the [pricing] table, caps and fees
    "mode",
    "tiers",
    "up_to",
    "unit_price",
    "flat_fee",
    "kind",
    "limit",
    "above",
    "milestones",
    "deliverable",
    "amount",
    "accepted_on",
    "cap",
    "automation_bands",
    "at_least",
    "factor",
    "code",
    "description",
    "bill_on",
)
"""Every key a contract file knows, so that random tables often reach deep checks."""

_WORDS = (
    "AED",
    "KWD",
    "JPY",
    "XAU",
    "Asia/Dubai",
    "America",
    "graduated",
    "volume",
    "pause",
    "step_down",
    "spend",
    "implementation",
    "recurring",
    "per_escalation",
    "one_time",
    "minimum_commitment",
    "resolutions",
    "monthly",
    "quarterly",
    "half_up",
    "48h",
    "PT48H",
    "99999999999999d",
    "P99999999999W",
    "3.50",
    "-1",
    "1e400",
    "NaN",
    "",
    " ",
)
"""Values that are right somewhere, wrong elsewhere, or nearly right."""

_NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**80), max_value=10**80),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("1E+400"), Decimal("-0"), Decimal("1E-400"), Decimal("sNaN")]),
)

_SCALARS = st.one_of(
    st.sampled_from(_WORDS),
    st.text(max_size=12),
    _NUMBERS,
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
"""What tomllib can give for a value (strings, ints, Decimals, booleans, dates and times)."""

_KEY = st.one_of(st.sampled_from(_KEYS), st.text(max_size=8))

_TOML_DATA = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_KEY, children, max_size=6)
    ),
    max_leaves=12,
)

_JUNK = st.one_of(
    _TOML_DATA,
    st.none(),
    st.floats(),
    st.integers(max_value=-1),
    st.decimals(max_value=-1, allow_nan=False),
    st.tuples(st.integers()),
    st.timedeltas(),
    st.builds(object),
)
"""Values a Python caller may pass that no TOML file holds: None, floats, tuples, objects."""


def _assert_only_documented_problems(error: ContractError) -> None:
    assert isinstance(error, ResolutionPricingError)
    assert error.exceptions
    for problem in error.exceptions:
        assert isinstance(problem, (InvalidValueError, InvalidTypeError)), repr(problem)
        assert isinstance(problem.path, str)
        assert problem.path, f"no path: {problem}"
    assert error.problems == error.exceptions


def _read(build: Callable[[], Contract]) -> Contract | None:
    """Run a loader: a Contract, or a ContractError whose problems are located; nothing else."""
    try:
        return build()
    except ContractError as error:
        _assert_only_documented_problems(error)
        return None


@given(_TOML_DATA)
def test_arbitrary_data_raises_only_contract_errors(data: object) -> None:
    """contract_from_dict on arbitrary data returns a Contract or raises a located ContractError."""
    _read(lambda: contract_from_dict(data))  # type: ignore[arg-type]


@given(st.dictionaries(st.sampled_from(_KEYS[:5]), _TOML_DATA, max_size=5))
def test_arbitrary_tables_raise_only_contract_errors(data: dict[str, Any]) -> None:
    """contract_from_dict on random contents of the known tables raises only a ContractError."""
    _read(lambda: contract_from_dict(data))


# Mutating valid contracts: every container of a contract's data, by its path.


def _containers(node: object) -> list[dict[str, Any] | list[Any]]:
    found: list[dict[str, Any] | list[Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_containers(value))
    elif isinstance(node, list):
        found.append(node)
        for value in node:
            found.extend(_containers(value))
    return found


def _mutate(data: dict[str, Any], draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
    """Change one thing: drop, replace or add a key or an item, somewhere in ``data``."""
    container = draw(st.sampled_from(_containers(data)))
    action = draw(st.sampled_from(["drop", "replace", "negate", "add"]))
    if isinstance(container, dict):
        if action == "add" or not container:
            container[draw(_KEY)] = draw(_JUNK)
            return
        key = draw(st.sampled_from(sorted(container)))
        if action == "drop":
            del container[key]
        elif action == "negate" and isinstance(container[key], (int, Decimal, str)):
            container[key] = (
                f"-{container[key]}" if isinstance(container[key], str) else -container[key]
            )
        else:
            container[key] = draw(_JUNK)
        return
    if action == "add" or not container:
        container.append(draw(_JUNK))
        return
    index = draw(st.integers(0, len(container) - 1))
    if action == "drop":
        del container[index]
    else:
        container[index] = draw(_JUNK)


@given(rps.contracts(), st.data())
def test_mutated_contracts_raise_only_contract_errors(
    contract: Contract, data: st.DataObject
) -> None:
    """A valid contract's data with keys dropped, values replaced or keys added: only ContractError."""
    mutated = copy.deepcopy(contract_to_dict(contract))
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        _mutate(mutated, data.draw)
    _read(lambda: contract_from_dict(mutated))


@given(st.text())
def test_arbitrary_text_raises_only_contract_errors(text: str) -> None:
    """loads_contract on any text returns a Contract or raises a located ContractError."""
    _read(lambda: loads_contract(text))


_TOML_LINES = (
    "[contract]",
    "[resolution]",
    "[pricing]",
    "[[caps]]",
    "[[fees]]",
    'name = "Pilot"',
    'currency = "AED"',
    'currency = "XAU"',
    'timezone = "Asia/Dubai"',
    'timezone = "America"',
    "starts_on = 2026-07-01",
    "starts_on = 2026-07-01T10:00:00",
    "ends_on = 2026-06-30",
    'mode = "volume"',
    'tiers = [{ up_to = 5, unit_price = "7.00" }, { unit_price = "6.00" }]',
    "tiers = [{ up_to = 5e3, unit_price = 1e400 }, { unit_price = nan }]",
    'kind = "spend"',
    'kind = "pause"',
    "limit = 1e70",
    "limit = -1",
    'recontact_window = "99999999999999h"',
    "rounding_increment = 1e80",
    "tax_rate = 0.05",
    "tax_rate = inf",
    "amount = 123456789012345678901234567890123456789012345678901234567890123.45",
)


_TOML_VALUES = (
    "-1",
    "0",
    "1e400",
    "-0.0",
    "nan",
    "inf",
    "0.1",
    "true",
    "[]",
    "{}",
    '""',
    '"x"',
    '"-5"',
    '"1e70"',
    '"99999999999999d"',
    "1970-01-01T00:00:00",
    "1979-05-27",
    "07:32:00",
    "1" * 80,
    "[1, 2]",
    '{ kind = "spend" }',
)


@given(
    rps.contracts(),
    st.data(),
    st.lists(st.one_of(st.sampled_from(_TOML_LINES), st.text(max_size=20)), max_size=4),
)
def test_mangled_contract_files_raise_only_contract_errors(
    contract: Contract, data: st.DataObject, extra_lines: list[str]
) -> None:
    """A valid contract file with values rewritten and lines added raises only a ContractError."""
    lines = dump_contract(contract).splitlines()
    assignments = [index for index, line in enumerate(lines) if " = " in line]
    chosen = data.draw(st.sets(st.sampled_from(assignments), max_size=3), label="rewritten")
    for index in chosen:
        key = lines[index].split(" = ", 1)[0]
        lines[index] = f"{key} = {data.draw(st.sampled_from(_TOML_VALUES), label=key)}"
    for offset, line in enumerate(extra_lines):
        lines.insert((offset * 7) % (len(lines) + 1), line)
    _read(lambda: loads_contract("\n".join(lines)))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a = " + "1" * 5000, id="int-over-4300-digits"),
        pytest.param("a = " + "[" * 5000 + "]" * 5000, id="deeply-nested-arrays"),
        pytest.param('"" = 1', id="empty-top-level-key"),
        pytest.param(
            '[contract]\nname = "x"\ncurrency = "AED"\ntimezone = "America"\nstarts_on = 2026-07-01',
            id="time-zone-directory",
        ),
        pytest.param(
            '[contract]\nname = "x"\ncurrency = "AED"\ntimezone = "UTC"\nstarts_on = 2026-07-01\n'
            '[resolution]\nrecontact_window = "99999999999999d"',
            id="window-too-long",
        ),
    ],
)
def test_known_hard_cases_raise_only_contract_errors(text: str) -> None:
    """Inputs that once escaped as ValueError, RecursionError, OSError or OverflowError."""
    with pytest.raises(ContractError) as caught:
        loads_contract(text)
    _assert_only_documented_problems(caught.value)


def test_a_mapping_that_is_not_a_table_is_located() -> None:
    """Data that is not a mapping at all is reported under the source's name."""
    with pytest.raises(ContractError) as caught:
        contract_from_dict([1, 2], source="contract.toml")  # type: ignore[arg-type]
    _assert_only_documented_problems(caught.value)


# Python constructors: a valid value for most fields, and something nasty for a few.

_NAMES = st.text(min_size=1, max_size=10).filter(str.strip)
_NASTY_AMOUNTS = st.one_of(st.sampled_from(_WORDS), _NUMBERS, st.floats())
_AMOUNTS_OR_JUNK = st.one_of(rps.money(), _NASTY_AMOUNTS)
_NASTY_DATES = st.one_of(
    st.datetimes(),
    st.times(),
    st.sampled_from(["2026-07-01", 20260701, date(1, 1, 1), date(9999, 12, 31)]),
)
SUPPORTED_DATES = st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31))
"""The dates a contract accepts (years 0002 to 9998); the nasty ones include the edges."""
_MILESTONES = st.builds(
    Milestone, deliverable=st.just("Integration"), amount=rps.money(), accepted_on=SUPPORTED_DATES
)

Field = tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]
"""A field's valid values, and its nasty ones."""

_CONSTRUCTORS: dict[str, tuple[Callable[..., object], dict[str, Field]]] = {
    "Tier": (
        Tier,
        {
            "up_to": (st.none() | rps.quantities().filter(bool), _NASTY_AMOUNTS),
            "unit_price": (rps.money(), _NASTY_AMOUNTS),
            "flat_fee": (rps.money(), _NASTY_AMOUNTS),
        },
    ),
    "PackagePricing": (
        PackagePricing,
        {
            "package_size": (st.integers(1, 1000), st.one_of(_NASTY_AMOUNTS, st.integers())),
            "package_price": (rps.money(), _NASTY_AMOUNTS),
            "free_units": (rps.quantities(), _NASTY_AMOUNTS),
        },
    ),
    "TierSchedule": (
        TierSchedule,
        {
            "mode": (st.sampled_from(["graduated", "volume"]), st.sampled_from(_WORDS)),
            "tiers": (
                rps.tier_schedules().map(lambda schedule: list(schedule.tiers)),
                st.lists(
                    st.one_of(rps.tiers(), st.dictionaries(_KEY, _AMOUNTS_OR_JUNK, max_size=3))
                ),
            ),
        },
    ),
    "PauseCap": (PauseCap, {"limit": (rps.quantities(), _NASTY_AMOUNTS)}),
    "StepDownCap": (
        StepDownCap,
        {"above": (rps.quantities(), _NASTY_AMOUNTS), "unit_price": (rps.money(), _NASTY_AMOUNTS)},
    ),
    "SpendCap": (SpendCap, {"limit": (rps.money(), _NASTY_AMOUNTS)}),
    "Milestone": (
        Milestone,
        {
            "deliverable": (_NAMES, st.sampled_from(["", " "])),
            "amount": (rps.money(), _NASTY_AMOUNTS),
            "accepted_on": (SUPPORTED_DATES, _NASTY_DATES),
        },
    ),
    "ImplementationFee": (
        ImplementationFee,
        {
            "milestones": (st.lists(_MILESTONES, max_size=3), st.lists(_JUNK, min_size=1)),
            "cap": (st.none() | rps.money(), _NASTY_AMOUNTS),
        },
    ),
    "RecurringFee": (
        RecurringFee,
        {
            "code": (st.just("kb_maintenance"), _NAMES),
            "description": (_NAMES, st.sampled_from(["", " "])),
            "amount": (rps.money(), _NASTY_AMOUNTS),
            "starts_on": (st.none() | SUPPORTED_DATES, _NASTY_DATES),
            "ends_on": (st.none() | SUPPORTED_DATES, _NASTY_DATES),
        },
    ),
    "PerEscalationFee": (
        PerEscalationFee,
        {
            "unit_price": (rps.money(places=4), _NASTY_AMOUNTS),
            "description": (_NAMES, st.sampled_from(["", " "])),
        },
    ),
    "OneTimeFee": (
        OneTimeFee,
        {
            "code": (st.just("retraining"), _NAMES),
            "description": (_NAMES, st.sampled_from(["", " "])),
            "amount": (rps.money(), _NASTY_AMOUNTS),
            "bill_on": (SUPPORTED_DATES, _NASTY_DATES),
        },
    ),
    "MinimumCommitment": (MinimumCommitment, {"amount": (rps.money(), _NASTY_AMOUNTS)}),
    "ResolutionRule": (
        ResolutionRule,
        {
            "recontact_window": (
                st.sampled_from(["48h", "2d", "PT72H"]),
                st.one_of(
                    st.timedeltas(), st.sampled_from(_WORDS), st.from_regex(r"\A\d{1,30}[smhdw]\Z")
                ),
            ),
            "recontact_scope": (st.just("same_topic"), st.sampled_from(_WORDS)),
            "cross_channel": (st.booleans(), st.sampled_from([0, 1, "true"])),
            "exclude_escalated": (st.booleans(), st.sampled_from([0, 1, "true"])),
            "require_confirmation": (st.booleans(), st.sampled_from([0, 1, "true"])),
            "min_csat": (st.none() | st.integers(1, 5), st.integers() | st.booleans()),
            "partial": (st.just("per_topic"), st.sampled_from(_WORDS)),
        },
    ),
    "Contract": (
        Contract,
        {
            "name": (_NAMES, st.sampled_from(["", " "])),
            "currency": (rps.currencies(), st.sampled_from(_WORDS) | st.text(max_size=4)),
            "timezone": (
                st.sampled_from(["UTC", "Asia/Dubai"]),
                st.sampled_from(["America", "posix", "../etc", "a" * 300, "\x00", "Asia/Dubai/"])
                | st.text(max_size=12),
            ),
            "starts_on": (SUPPORTED_DATES, _NASTY_DATES),
            "ends_on": (st.none() | SUPPORTED_DATES, _NASTY_DATES),
            "pricing": (rps.tier_schedules(), rps.tiers() | st.sampled_from(_WORDS)),
            "billing_period": (st.just("monthly"), st.sampled_from(_WORDS)),
            "rounding": (st.just("half_even"), st.sampled_from(_WORDS)),
            "rounding_increment": (st.none() | st.just("5"), _NASTY_AMOUNTS),
            "tax_rate": (st.just("0.05"), _NASTY_AMOUNTS),
            "resolution": (rps.resolution_rules(), st.dictionaries(_KEY, _SCALARS, max_size=2)),
            "caps": (rps.cap_lists(), st.lists(rps.caps() | _JUNK, max_size=4)),
            "fees": (st.lists(rps.fees(), max_size=3), st.lists(rps.fees() | _JUNK, max_size=4)),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(_CONSTRUCTORS))
@given(data=st.data())
def test_constructors_raise_only_our_errors(name: str, data: st.DataObject) -> None:
    """Each constructor, given one nasty value among valid ones, builds or raises our error."""
    build, fields = _CONSTRUCTORS[name]
    # One nasty field at a time: with two, a converter's error would hide a validator's.
    nasty = data.draw(st.sampled_from(sorted(fields)), label="nasty field")
    values = {field: data.draw(good, label=field) for field, (good, _) in fields.items()}
    _, bad = fields[nasty]
    values[nasty] = data.draw(_JUNK if data.draw(st.booleans()) else bad, label=nasty)
    with contextlib.suppress(ResolutionPricingError):
        build(**values)


def test_extreme_values_raise_only_our_errors() -> None:
    """Absurd amounts, zone directories and endless windows raise our errors, nothing else."""
    schedule = TierSchedule.graduated(Tier(up_to=None, unit_price=1))
    head: dict[str, Any] = {
        "name": "x",
        "currency": "AED",
        "timezone": "UTC",
        "starts_on": date(2026, 7, 1),
        "pricing": schedule,
    }
    nasty: dict[str, Any] = {"resolution": {"recontact_window": "48h"}, "accepted_on": time(1)}
    attempts: list[Callable[[], object]] = [
        lambda: Contract(
            **head, caps=[SpendCap(limit="1e70")], fees=[MinimumCommitment(amount="1e-70")]
        ),
        lambda: Contract(**head, rounding_increment="1.5e70", tax_rate="1e70"),
        lambda: Contract(**{**head, "timezone": "America"}),
        lambda: Contract(**{**head, "timezone": "a" * 300}),
        lambda: Contract(**{**head, "pricing": "graduated"}),
        lambda: Contract(**head, resolution=nasty["resolution"]),
        lambda: ResolutionRule(recontact_window="99999999999999h"),
        lambda: ResolutionRule(recontact_window="P99999999999W"),
        lambda: ResolutionRule(recontact_window="1" * 5000 + "h"),
        lambda: ResolutionRule(recontact_window=timedelta(days=-1)),
        lambda: Milestone(deliverable="x", amount=1, accepted_on=nasty["accepted_on"]),
        lambda: OneTimeFee(code="x", description="x", amount=1, bill_on=datetime(2026, 1, 1)),  # noqa: DTZ001  (naive on purpose)
    ]
    for attempt in attempts:
        with pytest.raises(ResolutionPricingError):
            attempt()


_HUGE_HEAD: dict[str, Any] = {
    "name": "x",
    "currency": "AED",
    "timezone": "UTC",
    "starts_on": date(2026, 7, 1),
    "pricing": TierSchedule.graduated(Tier(up_to=None, unit_price=1)),
}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: SpendCap(limit="1e70"),
            "limit: '1e70' is too large; a number below 10^18 in size",
        ),
        (
            lambda: Contract(**_HUGE_HEAD, rounding_increment="1e70"),
            "rounding_increment: '1e70' is too large; a number below 10^18 in size",
        ),
        (
            lambda: SpendCap(limit="1E18"),
            "limit: '1E18' is too large; a number below 10^18 in size",
        ),
    ],
)
def test_huge_amounts_are_refused(build: Callable[[], object], message: str) -> None:
    """A spend limit or an increment of 10^18 AED or more is refused, however it is written."""
    with pytest.raises(InvalidValueError) as caught:
        build()
    assert str(caught.value) == message


def test_the_largest_amounts_in_whole_increments_are_accepted() -> None:
    """Just under 10^18: a 9E+17 limit in increments of 1E+17 is valid, if absurd, and plain."""
    contract = Contract(**_HUGE_HEAD, caps=[SpendCap(limit="9E+17")], rounding_increment="1E+17")
    assert contract.caps == (SpendCap(limit=Decimal(900_000_000_000_000_000)),)
    assert str(SpendCap(limit="9E+17").limit) == "900000000000000000"
    assert SpendCap(limit="999999999999999999.99").limit == Decimal("999999999999999999.99")
