"""The contract: fields checked one by one, then the whole checked at once."""

from __future__ import annotations

import decimal
from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from resolutionpricing import (
    Cadence,
    Contract,
    ContractError,
    ImplementationFee,
    InvalidTypeError,
    InvalidValueError,
    Milestone,
    MinimumCommitment,
    PauseCap,
    PerEscalationFee,
    RecurringFee,
    ResolutionPricingError,
    ResolutionRule,
    Rounding,
    SpendCap,
    StepDownCap,
    Tier,
    TierSchedule,
    format_window,
    parse_window,
)
from resolutionpricing._contract import RESERVED_CODES

PRICING = TierSchedule.graduated(Tier(up_to=None, unit_price="3.50"))


def _contract(**fields: object) -> Contract:
    """A minimal AED contract; ``fields`` override its defaults."""
    values: dict[str, object] = {
        "name": "Pilot",
        "currency": "AED",
        "timezone": "Asia/Dubai",
        "starts_on": date(2026, 7, 1),
        "pricing": PRICING,
        **fields,
    }
    return Contract(**values)  # type: ignore[arg-type]


def test_defaults() -> None:
    """Monthly, half-up, no increment, no tax, the default rule, no caps or fees."""
    contract = _contract()
    assert contract.ends_on is None
    assert contract.billing_period is Cadence.MONTHLY
    assert contract.rounding is Rounding.HALF_UP
    assert contract.rounding_increment is None
    assert contract.tax_rate == 0
    assert contract.resolution == ResolutionRule()
    assert contract.caps == ()
    assert contract.fees == ()


def test_choices_from_text() -> None:
    """Cadence and rounding may be given by their file values."""
    contract = _contract(billing_period="quarterly", rounding="half_even")
    assert contract.billing_period is Cadence.QUARTERLY
    assert contract.rounding is Rounding.HALF_EVEN


def test_lists_become_tuples() -> None:
    """Caps and fees given as lists are stored as tuples, so the contract is hashable."""
    contract = _contract(caps=[PauseCap(limit=10)], fees=[MinimumCommitment(amount=1)])
    assert contract.caps == (PauseCap(limit=10),)
    assert isinstance(contract.fees, tuple)
    assert hash(contract) == hash(
        _contract(caps=(PauseCap(limit=10),), fees=(MinimumCommitment(amount=1),))
    )


def test_contract_is_frozen() -> None:
    """A contract is an immutable value."""
    contract = _contract()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        contract.name = "Other"  # type: ignore[misc]


def test_contracts_compare_by_value() -> None:
    """Equal fields make equal contracts; 3.5 equals 3.50."""
    assert _contract(tax_rate="0.05") == _contract(tax_rate=Decimal("0.050"))


def test_round_uses_currency_mode_and_increment() -> None:
    """``round`` uses the contract's currency, mode and increment."""
    # 10.005 AED: half-up 10.01, half-even 10.00
    assert _contract().round(Decimal("10.005")) == Decimal("10.01")
    assert _contract(rounding="half_even").round(Decimal("10.005")) == Decimal("10.00")
    # 0.125 KWD to 0.010 steps: 12.5 steps, half-up 13: 0.130
    kwd = _contract(currency="KWD", timezone="Asia/Kuwait", rounding_increment="0.010")
    assert str(kwd.round(Decimal("0.125"))) == "0.130"
    assert kwd.minor_unit == 3


# field checks: a single error, with the field's name


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        (
            {"name": ""},
            InvalidValueError,
            "name: '' is empty or not a string; a string naming the contract",
        ),
        (
            {"name": 7},
            InvalidValueError,
            "name: 7 is empty or not a string; a string naming the contract",
        ),
        (
            {"timezone": "Asia/Atlantis"},
            InvalidValueError,
            'timezone: \'Asia/Atlantis\' is not an IANA time zone; a name such as "Asia/Dubai" or "UTC"',
        ),
        (
            {"timezone": 4},
            InvalidTypeError,
            'timezone: 4 is not a string; an IANA name such as "Asia/Dubai"',
        ),
        (
            {"starts_on": "2026-07-01"},
            InvalidTypeError,
            "starts_on: '2026-07-01' is not a date; a date such as 2026-07-01",
        ),
        (
            {"starts_on": datetime(2026, 7, 1)},  # noqa: DTZ001
            InvalidTypeError,
            "starts_on: datetime.datetime(2026, 7, 1, 0, 0) is not a date; a date such as 2026-07-01",
        ),
        (
            {"ends_on": "2028-06-30"},
            InvalidTypeError,
            "ends_on: '2028-06-30' is not a date; a date such as 2026-07-01",
        ),
        (
            {"billing_period": "weekly"},
            InvalidValueError,
            'billing_period: \'weekly\' is not allowed; one of "monthly", "quarterly"',
        ),
        (
            {"rounding": "half_down"},
            InvalidValueError,
            'rounding: \'half_down\' is not allowed; one of "half_up", "half_even"',
        ),
        (
            {"rounding_increment": "0"},
            InvalidValueError,
            'rounding_increment: 0 is not above 0; a positive step such as "0.010"',
        ),
        (
            {"rounding_increment": "-0.01"},
            InvalidValueError,
            'rounding_increment: -0.01 is not above 0; a positive step such as "0.010"',
        ),
        (
            {"tax_rate": "1"},
            InvalidValueError,
            'tax_rate: 1 is 100 % or more; a fraction from 0 up to 1, such as "0.05"',
        ),
        (
            {"tax_rate": "5"},
            InvalidValueError,
            'tax_rate: 5 is 100 % or more; a fraction from 0 up to 1, such as "0.05"',
        ),
        (
            {"tax_rate": "-0.05"},
            InvalidValueError,
            "tax_rate: -0.05 is negative; must be 0 or more",
        ),
        (
            {"caps": "pause"},
            InvalidTypeError,
            "caps: 'pause' is not a list; a list of caps",
        ),
        (
            {"caps": [MinimumCommitment(amount=1)]},
            InvalidTypeError,
            "caps[0]: MinimumCommitment(amount=Decimal('1')) is not one of PauseCap, StepDownCap, SpendCap; one of PauseCap, StepDownCap, SpendCap",
        ),
    ],
)
def test_field_errors(fields: dict[str, object], error: type[Exception], message: str) -> None:
    """Each bad field raises one error naming the field, what is wrong and what is allowed."""
    with pytest.raises(error) as caught:
        _contract(**fields)
    assert str(caught.value) == message
    assert isinstance(caught.value, ResolutionPricingError)


def test_pricing_must_be_a_schedule() -> None:
    """Pricing is a TierSchedule or a PackagePricing; anything else is the library's TypeError."""
    with pytest.raises(InvalidTypeError) as caught:
        _contract(pricing=[Tier(up_to=None, unit_price=1)])
    assert caught.value.path == "pricing"
    assert caught.value.allowed == (
        "TierSchedule.graduated(...), TierSchedule.volume(...) or PackagePricing(...)"
    )


def test_resolution_must_be_a_rule() -> None:
    """The resolution definition is a ResolutionRule; a mapping is refused."""
    with pytest.raises(InvalidTypeError) as caught:
        _contract(resolution={"recontact_window": "48h"})
    assert str(caught.value) == (
        "resolution: {'recontact_window': '48h'} is not a ResolutionRule; a ResolutionRule"
    )


# whole-contract checks: every problem at once


def test_whole_contract_problems_are_all_reported() -> None:
    """End before start, sub-fils amounts, a bad increment and duplicate caps: one ContractError."""
    with pytest.raises(ContractError) as caught:
        _contract(
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 6, 30),
            rounding_increment="0.005",
            caps=[SpendCap(limit="100.001"), StepDownCap(above=1, unit_price=1), SpendCap(limit=5)],
            fees=[RecurringFee(code="kb", description="KB", amount="0.5")],
        )
    error = caught.value
    assert [str(problem) for problem in error.problems] == [
        "contract.ends_on: 2026-06-30 is before starts_on (2026-07-01); a date on or after starts_on",
        "contract.rounding_increment: 0.005 is not a whole number of AED minor units (0.01); a multiple of 0.01",
        "caps[0].limit: 100.001 is not in whole minor units of AED (0.01); a multiple of 0.01",
        'caps[2].kind: a second "spend" cap (the first is caps[0]); at most one cap of each kind',
    ]
    assert str(error).startswith("contract has 4 problems:\n  - contract.ends_on: ")
    assert isinstance(error, ExceptionGroup)
    assert isinstance(error, ResolutionPricingError)


def test_one_problem_is_counted_in_the_singular() -> None:
    """A single whole-contract problem says "1 problem"."""
    with pytest.raises(ContractError) as caught:
        _contract(ends_on=date(2026, 1, 1))
    assert str(caught.value) == (
        "contract has 1 problem:\n"
        "  - contract.ends_on: 2026-01-01 is before starts_on (2026-07-01); a date on or after starts_on"
    )


def test_one_day_term_is_allowed() -> None:
    """A contract may end on the day it starts."""
    assert _contract(ends_on=date(2026, 7, 1)).ends_on == date(2026, 7, 1)


def test_amounts_in_kwd_may_have_three_decimals() -> None:
    """A fixed amount with fils is fine in KWD, where it would not be in AED."""
    fee = RecurringFee(code="kb", description="KB", amount="4000.125")
    assert _contract(currency="KWD", timezone="Asia/Kuwait", fees=[fee]).fees == (fee,)
    with pytest.raises(ContractError) as caught:
        _contract(fees=[fee])
    assert [str(problem) for problem in caught.value.problems] == [
        "fees[0].amount: 4000.125 is not in whole minor units of AED (0.01); a multiple of 0.01"
    ]


def test_amounts_in_jpy_must_be_whole() -> None:
    """JPY has no minor unit: a spend cap of 0.5 yen is refused."""
    with pytest.raises(ContractError) as caught:
        _contract(currency="JPY", timezone="Asia/Tokyo", caps=[SpendCap(limit="100.5")])
    assert [str(problem) for problem in caught.value.problems] == [
        "caps[0].limit: 100.5 is not in whole minor units of JPY (1); a multiple of 1"
    ]


def test_trailing_zeros_beyond_the_minor_unit_are_fine() -> None:
    """4000.000 AED is a whole number of fils even though it is written with 3 decimals."""
    fee = RecurringFee(code="kb", description="KB", amount="4000.000")
    assert _contract(fees=[fee]).fees[0].amount == Decimal(4000)  # type: ignore[union-attr]


def test_unit_prices_may_be_finer_than_the_minor_unit() -> None:
    """Per-unit prices are not amounts: 0.005 AED a resolution is allowed."""
    contract = _contract(
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price="0.005")),
        fees=[PerEscalationFee(unit_price="0.001")],
        caps=[StepDownCap(above=10, unit_price="0.0001")],
    )
    assert isinstance(contract.pricing, TierSchedule)
    assert contract.pricing.tiers[0].unit_price == Decimal("0.005")


@pytest.mark.parametrize("code", sorted(RESERVED_CODES))
def test_reserved_codes(code: str) -> None:
    """A fee may not take a code the calculator uses for its own lines."""
    with pytest.raises(ContractError) as caught:
        _contract(fees=[RecurringFee(code=code, description="X", amount=1)])
    assert caught.value.problems[0].path == "fees[0].code"


def test_reserved_codes_are_the_calculators() -> None:
    """The reserved codes are exactly the calculator's own line codes."""
    assert (
        frozenset(
            {
                "resolutions",
                "spend_cap",
                "minimum_commitment",
                "escalations",
                "implementation",
                "automation_adjustment",
                "volume_true_up",
                "prepaid_commitment",
                "commitment_drawdown",
                "commitment_lapsed",
                "pilot_resolutions",
            }
        )
        == RESERVED_CODES
    )


def test_implementation_milestone_amounts_are_checked() -> None:
    """Milestone amounts and the cap are amounts in the currency."""
    fee = ImplementationFee(
        cap="10.001",
        milestones=[Milestone(deliverable="A", amount="1.001", accepted_on=date(2026, 7, 1))],
    )
    with pytest.raises(ContractError) as caught:
        _contract(fees=[fee])
    assert [problem.path for problem in caught.value.problems] == [
        "fees[0].cap",
        "fees[0].milestones[0].amount",
    ]


def test_problems_method_is_empty_for_a_valid_contract() -> None:
    """``problems()`` lists nothing for a valid contract."""
    assert _contract().problems() == []


def test_checks_ignore_the_callers_decimal_context() -> None:
    """Large amounts are checked exactly even under a 3-digit context."""
    fees = [RecurringFee(code="kb", description="KB", amount="123456789.12")]
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        contract = _contract(fees=fees, caps=[SpendCap(limit="98765432.10")])
    assert contract.fees == tuple(fees)


def test_resolution_rule_defaults() -> None:
    """The default rule: 48 h window, same topic, any channel, escalations excluded."""
    rule = _contract().resolution
    assert rule.recontact_window == timedelta(hours=48)
    assert rule.recontact_scope.value == "same_topic"
    assert rule.cross_channel is True
    assert rule.exclude_escalated is True
    assert rule.require_confirmation is False
    assert rule.min_csat is None
    assert rule.partial.value == "all_or_nothing"


@pytest.mark.parametrize(
    ("window", "shown"),
    [
        (timedelta(seconds=1.5), "0:00:01.500000"),
        (timedelta(hours=48, microseconds=1), "2 days, 0:00:00.000001"),
    ],
)
def test_a_window_must_be_whole_seconds(window: timedelta, shown: str) -> None:
    """A window with a fraction of a second is refused on reading and on writing."""
    with pytest.raises(InvalidValueError) as read:
        parse_window(window)
    assert str(read.value) == (
        f"recontact_window: {shown} is not a whole number of seconds; a window in whole seconds"
    )
    with pytest.raises(InvalidValueError) as written:
        format_window(window)
    assert str(written.value) == (
        f"recontact_window: {shown} is not a whole number of seconds of 0 or more; "
        "a window in whole seconds"
    )


def test_a_negative_window_cannot_be_written() -> None:
    """format_window refuses a negative window, which parse_window never returns."""
    with pytest.raises(InvalidValueError) as caught:
        format_window(timedelta(seconds=-1))
    assert str(caught.value) == (
        "recontact_window: -1 day, 23:59:59 is not a whole number of seconds of 0 or more; "
        "a window in whole seconds"
    )


@pytest.mark.parametrize(
    ("window", "written"),
    [(timedelta(0), "0h"), (timedelta(seconds=1), "1s"), (timedelta(minutes=90), "90m")],
)
def test_a_window_in_whole_seconds_reads_back(window: timedelta, written: str) -> None:
    """Whole-second windows are written in their largest whole unit and read back equal."""
    assert parse_window(window) == window
    assert format_window(window) == written
    assert parse_window(written) == window
