"""Fee items: implementation milestones, recurring, per-escalation, one-time, minimum."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

import pytest

from resolutionpricing import (
    Contract,
    ContractError,
    Fee,
    ImplementationDetails,
    ImplementationFee,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    Milestone,
    MinimumCommitment,
    MinimumCommitmentDetails,
    OneTimeFee,
    OneTimeFeeDetails,
    PerEscalationFee,
    RecurringFee,
    Tier,
    TierSchedule,
    quote,
)


def _contract(fees: Sequence[Fee], *, tax_rate: str = "0", ends_on: date | None = None) -> Contract:
    """An AED contract from 2026-07-01 at 3.50 a resolution, with ``fees``."""
    return Contract(
        name="Fees",
        currency="AED",
        timezone="Asia/Dubai",
        starts_on=date(2026, 7, 1),
        ends_on=ends_on,
        pricing=TierSchedule.graduated(Tier(up_to=None, unit_price="3.50")),
        tax_rate=tax_rate,
        fees=fees,
    )


def _codes(invoice: Invoice) -> list[str]:
    """The invoice's line codes, in order."""
    return [line.code for line in invoice.lines]


def _milestone(deliverable: str, amount: str, accepted_on: date) -> Milestone:
    """A milestone, briefly."""
    return Milestone(deliverable=deliverable, amount=amount, accepted_on=accepted_on)


# implementation

CAPPED = ImplementationFee(
    cap="100000.00",
    milestones=[
        _milestone("Integration", "80000.00", date(2026, 7, 15)),
        _milestone("Training", "40000.00", date(2026, 9, 1)),
        _milestone("Voice", "10000.00", date(2026, 10, 1)),
    ],
)


def test_implementation_schedule_waives_what_exceeds_the_cap() -> None:
    """Cumulative billing stops at the cap; the rest is waived."""
    rows = [
        (milestone.deliverable, billed, waived) for milestone, billed, waived in CAPPED.schedule()
    ]
    # 80,000 billed; then 20,000 of 40,000 (cap 100,000 reached); then all of 10,000 waived
    assert rows == [
        ("Integration", Decimal("80000.00"), Decimal("0.00")),
        ("Training", Decimal("20000.00"), Decimal("20000.00")),
        ("Voice", Decimal("0.00"), Decimal("10000.00")),
    ]


def test_implementation_schedule_is_in_date_order() -> None:
    """Milestones are billed in date order, whatever the order written."""
    fee = ImplementationFee(
        cap="50",
        milestones=[
            _milestone("Late", "40", date(2026, 9, 1)),
            _milestone("Early", "40", date(2026, 7, 1)),
        ],
    )
    # Early bills 40; Late bills the 10 left under the cap of 50
    assert [(m.deliverable, billed) for m, billed, _ in fee.schedule()] == [
        ("Early", Decimal(40)),
        ("Late", Decimal(10)),
    ]


def test_implementation_schedule_ties_keep_the_written_order() -> None:
    """Milestones accepted on the same day are billed in the order written."""
    fee = ImplementationFee(
        cap="50",
        milestones=[
            _milestone("First", "40", date(2026, 7, 1)),
            _milestone("Second", "40", date(2026, 7, 1)),
        ],
    )
    assert [(m.deliverable, billed) for m, billed, _ in fee.schedule()] == [
        ("First", Decimal(40)),
        ("Second", Decimal(10)),
    ]


def test_implementation_without_cap_bills_everything() -> None:
    """Without a cap nothing is waived."""
    fee = ImplementationFee(milestones=[_milestone("A", "80000", date(2026, 7, 1))])
    assert fee.schedule()[0][1:] == (Decimal(80000), Decimal(0))


def test_implementation_schedule_ignores_the_callers_context() -> None:
    """A caller's 3-digit ROUND_DOWN context does not change what is billed or waived."""
    fee = ImplementationFee(
        cap="100001",
        milestones=[
            _milestone("A", "80000", date(2026, 7, 1)),
            _milestone("B", "40000", date(2026, 8, 1)),
        ],
    )
    expected = fee.schedule()
    # 80,000 then 20,001 of 40,000 (19,999 waived)
    assert [row[1:] for row in expected] == [
        (Decimal(80000), Decimal(0)),
        (Decimal(20001), Decimal(19999)),
    ]
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        assert fee.schedule() == expected


def test_milestones_are_billed_in_the_period_of_acceptance() -> None:
    """Each milestone is one implementation line in the month containing accepted_on."""
    contract = _contract([CAPPED])
    july = quote(contract, "2026-07", resolutions=0)
    august = quote(contract, "2026-08", resolutions=0)
    assert [line.amount for line in july.lines if line.code == "implementation"] == [
        Decimal("80000.00")
    ]
    assert "implementation" not in _codes(august)


def test_milestone_line_shows_the_waived_part() -> None:
    """The line bills what is left under the cap; its details show the waived rest."""
    line = quote(_contract([CAPPED]), "2026-09", resolutions=0).line("implementation:Training")
    assert line is not None
    assert line.description == "Implementation: Training"
    assert line.amount == Decimal("20000.00")
    assert line.quantity == 1
    assert line.details == ImplementationDetails(
        deliverable="Training",
        accepted_on=date(2026, 9, 1),
        milestone_amount=Decimal("40000.00"),
        waived=Decimal("20000.00"),
        cap=Decimal("100000.00"),
        billed_to_date=Decimal("100000.00"),
    )


def test_fully_waived_milestone_still_has_a_line() -> None:
    """A milestone accepted after the cap is reached shows a 0.00 line, all waived."""
    line = quote(_contract([CAPPED]), "2026-10", resolutions=0).line("implementation:Voice")
    assert line is not None
    assert line.amount == Decimal("0.00")
    assert isinstance(line.details, ImplementationDetails)
    assert line.details.waived == Decimal("10000.00")


def test_two_milestones_in_one_period_are_two_lines() -> None:
    """Each milestone of the period has its own line, in date order."""
    fee = ImplementationFee(
        milestones=[
            _milestone("B", "2000.00", date(2026, 7, 20)),
            _milestone("A", "1000.00", date(2026, 7, 5)),
        ]
    )
    invoice = quote(_contract([fee]), "2026-07", resolutions=0)
    assert [(line.description, line.amount) for line in invoice.lines] == [
        ("Resolutions (graduated tiers)", Decimal("0.00")),
        ("Implementation: A", Decimal("1000.00")),
        ("Implementation: B", Decimal("2000.00")),
    ]


def test_milestones_must_be_milestones() -> None:
    """Milestones are a list of Milestone."""
    with pytest.raises(InvalidTypeError) as caught:
        ImplementationFee(milestones=[{"deliverable": "A"}])
    assert (
        str(caught.value) == "milestones[0]: {'deliverable': 'A'} is not a Milestone; a Milestone"
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Milestone(deliverable=" ", amount=1, accepted_on=date(2026, 7, 1)),
            "deliverable: ' ' is not a non-empty string; some text",
        ),
        (
            lambda: Milestone(deliverable="A", amount=1, accepted_on="2026-07-01"),  # type: ignore[arg-type]
            "accepted_on: '2026-07-01' is not a date; a date such as 2026-07-15",
        ),
        (
            lambda: Milestone(deliverable="A", amount=1, accepted_on=datetime(2026, 7, 1)),  # noqa: DTZ001
            "accepted_on: datetime.datetime(2026, 7, 1, 0, 0) is not a date; a date such as 2026-07-15",
        ),
        (
            lambda: Milestone(deliverable="A", amount=-1, accepted_on=date(2026, 7, 1)),
            "amount: -1 is negative; must be 0 or more",
        ),
    ],
)
def test_milestone_validation(build: Callable[[], object], message: str) -> None:
    """A milestone needs a deliverable, an amount of 0 or more and a date (not a datetime)."""
    with pytest.raises((InvalidValueError, InvalidTypeError)) as caught:
        build()
    assert str(caught.value) == message


# recurring

KB = RecurringFee(code="kb_maintenance", description="Knowledge base maintenance", amount="4000.00")


def test_recurring_fee_is_billed_every_period() -> None:
    """A recurring fee without dates is billed in every period of the term."""
    contract = _contract([KB])
    for label in ("2026-07", "2026-12", "2027-06"):
        line = quote(contract, label, resolutions=0).line("kb_maintenance")
        assert line is not None
        assert (line.quantity, line.unit_price, line.amount) == (
            Decimal(1),
            Decimal("4000.00"),
            Decimal("4000.00"),
        )


@pytest.mark.parametrize(
    ("label", "billed"),
    [
        ("2026-07", False),
        ("2026-08", True),  # starts on the 15th: the whole amount, no proration
        ("2026-09", True),
        ("2026-10", True),  # ends on the 10th: the whole amount
        ("2026-11", False),
    ],
)
def test_recurring_fee_between_its_dates(label: str, billed: bool) -> None:
    """A recurring fee is billed in full in every period overlapping its dates."""
    fee = RecurringFee(
        code="platform",
        description="Platform fee",
        amount="500.00",
        starts_on=date(2026, 8, 15),
        ends_on=date(2026, 10, 10),
    )
    line = quote(_contract([fee]), label, resolutions=0).line("platform")
    assert (line is not None) is billed
    if line is not None:
        assert line.amount == Decimal("500.00")


def test_recurring_fee_stops_at_the_contract_end() -> None:
    """Without an end date, a recurring fee ends with the contract."""
    contract = _contract([KB], ends_on=date(2026, 9, 30))
    assert quote(contract, "2026-09", resolutions=0).line("kb_maintenance") is not None


def test_recurring_fee_ending_before_it_starts() -> None:
    """An end before the start is refused."""
    with pytest.raises(InvalidValueError) as caught:
        RecurringFee(
            code="kb",
            description="KB",
            amount=1,
            starts_on=date(2026, 9, 1),
            ends_on=date(2026, 8, 31),
        )
    assert str(caught.value) == (
        "ends_on: 2026-08-31 is before starts_on (2026-09-01); a date on or after starts_on"
    )


@pytest.mark.parametrize("code", ["KB", "1kb", "kb-maintenance", "", "kb maintenance"])
def test_fee_codes_are_snake_case(code: str) -> None:
    """A fee's line code is lower-case letters, digits and _, starting with a letter."""
    with pytest.raises(InvalidValueError) as caught:
        RecurringFee(code=code, description="KB", amount=1)
    assert str(caught.value) == (
        f"code: {code!r} is not a line code; lower-case letters, digits and _, starting with a letter"
    )


def test_fee_description_must_not_be_empty() -> None:
    """Every fee line has a description."""
    with pytest.raises(InvalidValueError) as caught:
        RecurringFee(code="kb", description="", amount=1)
    assert str(caught.value) == "description: '' is not a non-empty string; some text"


# per escalation


def test_escalation_line_appears_even_at_zero() -> None:
    """The escalation line is shown at 0 escalations, with its quantity."""
    line = quote(_contract([PerEscalationFee(unit_price="0.00")]), "2026-10", resolutions=0).line(
        "escalations"
    )
    assert line is not None
    assert (line.quantity, line.unit_price, line.amount) == (
        Decimal(0),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert line.description == "Escalations to human agents"


def test_free_escalations_still_show_their_count() -> None:
    """The clean model: escalations cost 0 but the line shows how many there were."""
    invoice = quote(
        _contract([PerEscalationFee(unit_price="0.00")]), "2026-10", resolutions=0, escalations=3100
    )
    line = invoice.line("escalations")
    assert line is not None
    assert (line.quantity, line.amount) == (Decimal(3100), Decimal("0.00"))


def test_priced_escalations() -> None:
    """Escalations at a price: count times price, rounded."""
    fee = PerEscalationFee(unit_price="1.25", description="Human handling")
    line = quote(_contract([fee]), "2026-10", resolutions=0, escalations=40).line("escalations")
    assert line is not None
    # 40 x 1.25 = 50.00
    assert line.amount == Decimal("50.00")
    assert line.description == "Human handling"


def test_no_escalation_fee_no_line() -> None:
    """Without a per-escalation fee there is no escalation line."""
    invoice = quote(_contract([]), "2026-10", resolutions=0, escalations=5)
    assert "escalations" not in _codes(invoice)


# one time


def test_one_time_fee_is_billed_in_its_period_only() -> None:
    """A one-time fee is billed in the period containing bill_on, and only there."""
    fee = OneTimeFee(
        code="voice_integration",
        description="Voice channel integration",
        amount="25000.00",
        bill_on=date(2027, 1, 15),
    )
    contract = _contract([fee])
    line = quote(contract, "2027-01", resolutions=0).line("voice_integration")
    assert line is not None
    assert line.amount == Decimal("25000.00")
    assert line.details == OneTimeFeeDetails(bill_on=date(2027, 1, 15))
    assert quote(contract, "2026-12", resolutions=0).line("voice_integration") is None
    assert quote(contract, "2027-02", resolutions=0).line("voice_integration") is None


# minimum commitment


@pytest.mark.parametrize(
    ("resolutions", "true_up"),
    [
        (0, "15000.00"),  # 0 x 3.50 = 0; 15,000 short
        (100, "14650.00"),  # 350.00; 14,650 short
        (4000, "1000.00"),  # 14,000.00; 1,000 short
        (4285, "2.50"),  # 14,997.50; 2.50 short
        (4286, None),  # 15,001.00: above the commitment
    ],
)
def test_minimum_commitment_tops_up_the_difference(resolutions: int, true_up: str | None) -> None:
    """Below the commitment a minimum_commitment line adds the difference; above, no line."""
    invoice = quote(
        _contract([MinimumCommitment(amount="15000.00")]), "2026-10", resolutions=resolutions
    )
    line = invoice.line("minimum_commitment")
    if true_up is None:
        assert line is None
    else:
        assert line is not None
        assert line.amount == Decimal(true_up)
        assert line.details == MinimumCommitmentDetails(
            commitment=Decimal("15000.00"),
            resolution_charges=Decimal("15000.00") - Decimal(true_up),
        )
        assert invoice.subtotal == Decimal("15000.00")


def test_minimum_commitment_exactly_met_adds_no_line() -> None:
    """A charge equal to the commitment needs no true-up."""
    # 4,000 x 3.50 = 14,000
    invoice = quote(_contract([MinimumCommitment(amount="14000.00")]), "2026-10", resolutions=4000)
    assert invoice.line("minimum_commitment") is None


def test_minimum_commitment_ignores_other_fees() -> None:
    """Only resolution charges count towards the commitment, not fees."""
    invoice = quote(_contract([MinimumCommitment(amount="15000.00"), KB]), "2026-10", resolutions=0)
    line = invoice.line("minimum_commitment")
    assert line is not None
    assert line.amount == Decimal("15000.00")


# tax on fees


def test_tax_applies_to_fees_too() -> None:
    """Tax is the contract's rate on the whole subtotal, fees included."""
    invoice = quote(_contract([KB], tax_rate="0.05"), "2026-10", resolutions=100)
    # 350.00 + 4,000.00 = 4,350.00; 5 % = 217.50; total 4,567.50
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("4350.00"),
        Decimal("217.50"),
        Decimal("4567.50"),
    )


# contract rules on fees


def test_contract_rules_on_fees_all_reported() -> None:
    """Reserved and duplicate codes, second singletons and sub-fils amounts: all at once."""
    fees: list[Fee] = [
        RecurringFee(code="escalations", description="X", amount=1),
        RecurringFee(code="kb", description="KB", amount="4000.001"),
        OneTimeFee(code="kb", description="KB again", amount=1, bill_on=date(2026, 8, 1)),
        PerEscalationFee(unit_price=0),
        PerEscalationFee(unit_price=1),
        MinimumCommitment(amount=1),
        MinimumCommitment(amount=2),
        ImplementationFee(cap="0.001", milestones=[_milestone("A", "1.005", date(2026, 7, 1))]),
    ]
    with pytest.raises(ContractError) as caught:
        _contract(fees)
    assert [str(problem) for problem in caught.value.problems] == [
        "fees[1].amount: 4000.001 is not in whole minor units of AED (0.01); a multiple of 0.01",
        "fees[7].cap: 0.001 is not in whole minor units of AED (0.01); a multiple of 0.01",
        "fees[7].milestones[0].amount: 1.005 is not in whole minor units of AED (0.01); a multiple of 0.01",
        "fees[0].code: 'escalations' is reserved for the calculator's own lines; a code other than automation_adjustment, commitment_drawdown, commitment_lapsed, escalations, implementation, minimum_commitment, pilot_resolutions, prepaid_commitment, resolutions, spend_cap, volume_true_up",
        "fees[2].code: 'kb' is already the code of fees[1]; a code used by one fee only",
        'fees[4].kind: a second "per_escalation" fee (the first is fees[3]); at most one "per_escalation" fee',
        'fees[6].kind: a second "minimum_commitment" fee (the first is fees[5]); at most one "minimum_commitment" fee',
    ]


def test_fees_must_be_fee_items() -> None:
    """A contract's fees are fee items, not caps or mappings."""
    with pytest.raises(InvalidTypeError) as caught:
        _contract([{"kind": "recurring"}])  # type: ignore[list-item]
    assert caught.value.path == "fees[0]"
    assert caught.value.allowed == (
        "one of ImplementationFee, RecurringFee, PerEscalationFee, OneTimeFee, MinimumCommitment, "
        "PrepaidCommitment"
    )
