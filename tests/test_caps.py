"""Volume caps: pause, step-down and spend, always applied in that order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import permutations

import pytest

from resolutionpricing import (
    Cap,
    Contract,
    ContractError,
    Fee,
    InvalidValueError,
    Invoice,
    MinimumCommitment,
    PauseCap,
    PauseDetails,
    ResolutionDetails,
    SpendCap,
    SpendCapDetails,
    StepDownCap,
    StepDownDetails,
    Tier,
    TierSchedule,
    quote,
)

# the seed's schedule: up to 5,000 at 3.50, up to 20,000 at 2.75, then 2.00
SCHEDULE = TierSchedule.graduated(
    Tier(up_to=5000, unit_price="3.50"),
    Tier(up_to=20000, unit_price="2.75"),
    Tier(up_to=None, unit_price="2.00"),
)


def _contract(caps: Sequence[Cap] = (), fees: Sequence[Fee] = ()) -> Contract:
    """An AED contract, no tax, with the seed's schedule and ``caps``."""
    return Contract(
        name="Caps",
        currency="AED",
        timezone="Asia/Dubai",
        starts_on=date(2026, 7, 1),
        pricing=SCHEDULE,
        caps=caps,
        fees=fees,
    )


def _quote(contract: Contract, resolutions: int) -> Invoice:
    """Quote October 2026 with ``resolutions`` billable units."""
    return quote(contract, "2026-10", resolutions=resolutions)


def _amounts(invoice: Invoice) -> dict[str, Decimal]:
    """Each line's amount by its code."""
    return {line.code: line.amount for line in invoice.lines}


# the cap types


def test_caps_convert_their_fields() -> None:
    """Cap fields accept ints and decimal strings."""
    assert PauseCap(limit=25000).limit == Decimal(25000)
    assert StepDownCap(above=30000, unit_price="1.50").unit_price == Decimal("1.50")
    assert SpendCap(limit="90000.00").limit == Decimal("90000.00")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: PauseCap(limit=-1), "limit: -1 is negative; must be 0 or more"),
        (lambda: SpendCap(limit="-0.01"), "limit: -0.01 is negative; must be 0 or more"),
        (lambda: StepDownCap(above=-5, unit_price=1), "above: -5 is negative; must be 0 or more"),
        (
            lambda: StepDownCap(above=5, unit_price="-1.50"),
            "unit_price: -1.50 is negative; must be 0 or more",
        ),
    ],
)
def test_caps_refuse_negative_values(build: Callable[[], object], message: str) -> None:
    """Limits, thresholds and prices of caps are 0 or more."""
    with pytest.raises(InvalidValueError) as caught:
        build()
    assert str(caught.value) == message


def test_caps_have_their_file_kind() -> None:
    """Each cap names its kind as written in a contract file."""
    assert (PauseCap.kind, StepDownCap.kind, SpendCap.kind) == ("pause", "step_down", "spend")


def test_two_caps_of_one_kind_are_refused() -> None:
    """A contract has at most one cap of each kind."""
    with pytest.raises(ContractError) as caught:
        _contract(caps=[SpendCap(limit=100), PauseCap(limit=5), SpendCap(limit=200)])
    assert [str(problem) for problem in caught.value.problems] == [
        'caps[2].kind: a second "spend" cap (the first is caps[0]); at most one cap of each kind'
    ]


# no cap


def test_no_cap() -> None:
    """Without caps, the resolution line is the schedule's price and nothing overflows."""
    invoice = _quote(_contract(), 40000)
    # 17,500 + 41,250 + 20,000 x 2.00 = 98,750
    assert _amounts(invoice) == {"resolutions": Decimal("98750.00")}
    assert invoice.counts["overflow_units"] == 0


# pause


def test_pause_cap_bills_up_to_the_limit() -> None:
    """Units beyond the limit are not billed; they are reported as overflow."""
    invoice = _quote(_contract(caps=[PauseCap(limit=25000)]), 30000)
    line = invoice.lines[0]
    # 25,000 billed: 17,500 + 41,250 + 5,000 x 2.00 = 68,750
    assert line.amount == Decimal("68750.00")
    assert line.quantity == 25000
    assert invoice.counts["overflow_units"] == 5000
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.pause == PauseDetails(
        limit=Decimal(25000), billable_units=Decimal(30000), overflow_units=Decimal(5000)
    )


def test_pause_cap_below_the_limit_changes_nothing() -> None:
    """Below the limit, a pause cap bills every unit and nothing overflows."""
    invoice = _quote(_contract(caps=[PauseCap(limit=25000)]), 12000)
    # 17,500 + 7,000 x 2.75 = 36,750
    assert invoice.lines[0].amount == Decimal("36750.00")
    assert invoice.counts["overflow_units"] == 0


def test_pause_cap_at_exactly_the_limit() -> None:
    """At exactly the limit every unit is billed."""
    invoice = _quote(_contract(caps=[PauseCap(limit=20000)]), 20000)
    assert invoice.lines[0].amount == Decimal("58750.00")
    assert invoice.counts["overflow_units"] == 0


def test_pause_cap_of_zero_bills_nothing() -> None:
    """A zero limit pauses the AI: every unit overflows."""
    invoice = _quote(_contract(caps=[PauseCap(limit=0)]), 300)
    assert invoice.lines[0].amount == Decimal("0.00")
    assert invoice.counts["overflow_units"] == 300


# step-down


def test_step_down_prices_units_above_the_threshold_at_its_price() -> None:
    """The first N units by the schedule, every unit above N at the cap's price."""
    invoice = _quote(_contract(caps=[StepDownCap(above=30000, unit_price="1.50")]), 40000)
    line = invoice.lines[0]
    # 30,000 by the tiers: 17,500 + 41,250 + 10,000 x 2.00 = 78,750
    # 10,000 above at 1.50 = 15,000; total 93,750
    assert line.amount == Decimal("93750.00")
    assert line.quantity == 40000
    assert isinstance(line.details, ResolutionDetails)
    assert line.details.step_down == StepDownDetails(
        above=Decimal(30000),
        quantity=Decimal(10000),
        unit_price=Decimal("1.50"),
        amount=Decimal("15000.00"),
    )
    assert sum(tier.quantity for tier in line.details.tiers) == 30000


def test_step_down_below_the_threshold_changes_nothing() -> None:
    """Below the threshold the schedule prices every unit."""
    invoice = _quote(_contract(caps=[StepDownCap(above=30000, unit_price="1.50")]), 12000)
    assert invoice.lines[0].amount == Decimal("36750.00")
    details = invoice.lines[0].details
    assert isinstance(details, ResolutionDetails)
    assert details.step_down is not None
    assert details.step_down.quantity == 0


def test_step_down_works_with_volume_pricing() -> None:
    """Under volume pricing, the first N units are priced as a volume of N."""
    contract = Contract(
        name="Volume",
        currency="AED",
        timezone="Asia/Dubai",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.volume(SCHEDULE.tiers),
        caps=[StepDownCap(above=30000, unit_price="1.50")],
    )
    # 30,000 x 2.00 = 60,000; 10,000 x 1.50 = 15,000; 75,000
    assert _quote(contract, 40000).lines[0].amount == Decimal("75000.00")


# spend


def test_spend_cap_adds_a_negative_line() -> None:
    """The gross charge stays visible; a spend_cap line brings it down to the limit."""
    invoice = _quote(_contract(caps=[SpendCap(limit="90000.00")]), 40000)
    # gross 98,750; limit 90,000; reduction -8,750
    assert _amounts(invoice) == {
        "resolutions": Decimal("98750.00"),
        "spend_cap": Decimal("-8750.00"),
    }
    cap_line = invoice.lines[1]
    assert cap_line.quantity == 1
    assert cap_line.unit_price is None
    assert cap_line.details == SpendCapDetails(limit=Decimal("90000.00"), gross=Decimal("98750.00"))
    assert invoice.subtotal == Decimal("90000.00")


def test_spend_cap_not_reached_adds_no_line() -> None:
    """Below the limit there is no spend_cap line."""
    invoice = _quote(_contract(caps=[SpendCap(limit="90000.00")]), 12000)
    assert [line.code for line in invoice.lines] == ["resolutions"]


def test_spend_cap_at_exactly_the_limit_adds_no_line() -> None:
    """A charge equal to the limit is not reduced."""
    # 20,000 units cost exactly 58,750.00
    invoice = _quote(_contract(caps=[SpendCap(limit="58750.00")]), 20000)
    assert [line.code for line in invoice.lines] == ["resolutions"]


def test_spend_cap_one_unit_over() -> None:
    """One unit over the limit is reduced by exactly its price."""
    # 20,001 units cost 58,752.00: 2.00 over a 58,750.00 limit
    invoice = _quote(_contract(caps=[SpendCap(limit="58750.00")]), 20001)
    assert invoice.lines[1].amount == Decimal("-2.00")


# order: pause, step-down, spend, whatever the order written

ALL_CAPS: list[Cap] = [
    PauseCap(limit=35000),
    StepDownCap(above=30000, unit_price="1.50"),
    SpendCap(limit="80000.00"),
]


@pytest.mark.parametrize("caps", list(permutations(ALL_CAPS)))
def test_caps_apply_in_a_fixed_order(caps: tuple[Cap, ...]) -> None:
    """Pause, then step-down, then spend, in whatever order they are written."""
    invoice = _quote(_contract(caps=caps), 40000)
    # pause: 35,000 billed, 5,000 overflow
    # step-down: 30,000 by the tiers = 78,750; 5,000 x 1.50 = 7,500; gross 86,250
    # spend: 80,000 limit, so -6,250
    assert _amounts(invoice) == {
        "resolutions": Decimal("86250.00"),
        "spend_cap": Decimal("-6250.00"),
    }
    assert invoice.counts["overflow_units"] == 5000
    assert invoice.lines[0].quantity == 35000


def test_pause_below_step_down_threshold_never_steps_down() -> None:
    """Pausing at 25,000 leaves nothing above a 30,000 step-down threshold."""
    caps: list[Cap] = [StepDownCap(above=30000, unit_price="1.50"), PauseCap(limit=25000)]
    invoice = _quote(_contract(caps=caps), 40000)
    # 25,000 by the tiers: 68,750; 15,000 overflow
    assert invoice.lines[0].amount == Decimal("68750.00")
    assert invoice.counts["overflow_units"] == 15000


def test_minimum_commitment_compares_the_charge_after_caps() -> None:
    """The minimum commitment tops up the charge after the pause cap, not before."""
    contract = _contract(caps=[PauseCap(limit=1000)], fees=[MinimumCommitment(amount="5000.00")])
    invoice = _quote(contract, 2000)
    # 1,000 billed x 3.50 = 3,500; commitment 5,000: true-up 1,500
    assert _amounts(invoice) == {
        "resolutions": Decimal("3500.00"),
        "minimum_commitment": Decimal("1500.00"),
    }


def test_minimum_commitment_after_spend_cap() -> None:
    """A spend cap below the commitment is topped up again (both lines show)."""
    contract = _contract(
        caps=[SpendCap(limit="10000.00")], fees=[MinimumCommitment(amount="15000.00")]
    )
    invoice = _quote(contract, 12000)
    # gross 36,750; capped to 10,000 (-26,750); true-up 5,000 to 15,000
    assert _amounts(invoice) == {
        "resolutions": Decimal("36750.00"),
        "spend_cap": Decimal("-26750.00"),
        "minimum_commitment": Decimal("5000.00"),
    }
    assert invoice.subtotal == Decimal("15000.00")
