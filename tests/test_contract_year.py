"""Contract years: cumulative tiers, included allowances, prepaid commitments, balances, statements."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolutionpricing import (
    Accumulate,
    AllowancePer,
    Balances,
    BillingPeriod,
    Contract,
    ContractError,
    IncludedAllowance,
    Interaction,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    MinimumCommitment,
    PackagePricing,
    PauseCap,
    Pilot,
    PrepaidCommitment,
    PricingMode,
    ResolutionDetails,
    SpendCap,
    Tier,
    TierSchedule,
    bill,
    dump_contract,
    load_contract,
    loads_contract,
    quote,
    read_interactions,
)
from resolutionpricing._cli import main
from resolutionpricing.strategies import interactions, tier_schedules

ANNUAL = "examples/annual-contract.toml"
LOG = "examples/interactions.csv"
_YEAR = [BillingPeriod.month(2026, month) for month in range(7, 13)] + [
    BillingPeriod.month(2027, month) for month in range(1, 7)
]


def _contract(**changes: Any) -> Contract:
    base = Contract(
        name="Annual",
        currency="AED",
        timezone="UTC",
        starts_on=date(2026, 7, 1),
        pricing=TierSchedule.graduated(
            Tier(up_to=100, unit_price="3.00"), Tier(up_to=None, unit_price="2.00")
        ),
        accumulate=Accumulate.CONTRACT_YEAR,
    )
    return attrs.evolve(base, **changes)


def _series(contract: Contract, units: list[int]) -> list[Invoice]:
    """Quote a run of periods from July, each from the balances the one before left."""
    from resolutionpricing._contract_year import next_balances  # noqa: PLC0415

    invoices: list[Invoice] = []
    opening = None
    for period, count in zip(_YEAR, units, strict=False):
        after = invoices[-1].balances_after if invoices else None
        if after is not None:
            opening = next_balances(contract, after, period)
        invoices.append(quote(contract, period, resolutions=count, opening=opening))
    return invoices


def _amount(invoice: Invoice, key: str) -> Decimal | None:
    line = invoice.line(key)
    return None if line is None else line.amount


# Cumulative tiers -----------------------------------------------------------


def test_cumulative_graduated_tiers_price_each_period_at_the_years_positions() -> None:
    """100 at 3.00 then 2.00: 60, 60, 60 units bill 180, 40x3+20x2 = 160, then 120."""
    invoices = _series(_contract(), [60, 60, 60])
    assert [_amount(invoice, "resolutions") for invoice in invoices] == [
        Decimal("180.00"),
        Decimal("160.00"),
        Decimal("120.00"),
    ]
    after = invoices[-1].balances_after
    assert after is not None
    assert after.cumulative_units == 180
    details = invoices[1].line("resolutions").details  # type: ignore[union-attr]
    assert [(part.index, part.quantity) for part in details.tiers] == [(0, 40), (1, 20)]  # type: ignore[union-attr]


def test_per_period_tiers_start_from_zero_each_period() -> None:
    """Without accumulate, every period's first 100 units are at 3.00."""
    contract = _contract(accumulate=Accumulate.PERIOD)
    invoice = quote(contract, "2026-08", resolutions=60)
    assert _amount(invoice, "resolutions") == Decimal("180.00")
    assert invoice.balances_before is None
    assert invoice.balances_after is None


def test_a_volume_year_that_reaches_a_cheaper_tier_is_trued_up() -> None:
    """Volume, 100 at 3.00 then 1.00: 90 units bill 270; 20 more make 110 at 1.00 = 110, so -160."""
    contract = _contract(
        pricing=TierSchedule.volume(
            Tier(up_to=100, unit_price="3.00"), Tier(up_to=None, unit_price="1.00")
        )
    )
    first, second = _series(contract, [90, 20])
    assert _amount(first, "resolutions") == Decimal("270.00")
    assert _amount(second, "resolutions") == Decimal("0.00")
    assert _amount(second, "volume_true_up") == Decimal("-160.00")
    assert second.subtotal == Decimal("-160.00")
    # The year's exact charges add up to the price of its 110 units.
    assert first.subtotal + second.subtotal == contract.pricing.price(110)


@settings(max_examples=60, deadline=None)
@given(
    schedule=tier_schedules(),
    units=st.lists(st.integers(0, 3000), min_size=1, max_size=12),
)
def test_a_years_exact_charges_sum_to_the_price_of_its_units(
    schedule: TierSchedule, units: list[int]
) -> None:
    """Over a year, the periods' exact resolution charges (with true-ups) sum to price(year's units)."""
    contract = _contract(pricing=schedule)
    total = Decimal(0)
    for invoice in _series(contract, units):
        for line in invoice.lines:
            if line.code in {"resolutions", "volume_true_up"}:
                total += line.details.exact_amount  # type: ignore[union-attr]
    assert total == schedule.price(sum(units))


# Included allowance ---------------------------------------------------------


def test_an_included_allowance_covers_the_first_units_of_each_period() -> None:
    """50 included a month, no rollover: 30 units bill 0; 80 units bill 30 at 3.00; 50 are lost."""
    contract = _contract(accumulate=Accumulate.PERIOD, allowance=IncludedAllowance(units=50))
    first, second = _series(contract, [30, 80])
    assert _amount(first, "resolutions") == Decimal("0.00")
    assert _amount(second, "resolutions") == Decimal("90.00")
    details = second.line("resolutions").details  # type: ignore[union-attr]
    assert details.included_units == 50  # type: ignore[union-attr]
    assert second.balances_before.allowance_left == 50  # type: ignore[union-attr]
    assert second.balances_after.allowance_left == 0  # type: ignore[union-attr]


def test_a_rolled_over_allowance_carries_unused_units_to_the_next_period() -> None:
    """Rollover: 30 of 50 used in July leaves 20, so August may use 70 and bills 10 units."""
    contract = _contract(allowance=IncludedAllowance(units=50, rollover=True))
    first, second = _series(contract, [30, 80])
    assert first.balances_after.allowance_left == 20  # type: ignore[union-attr]
    assert second.balances_before.allowance_left == 70  # type: ignore[union-attr]
    assert _amount(second, "resolutions") == Decimal("30.00")
    # Only the units beyond the allowance count toward the tiers.
    assert second.balances_after.cumulative_units == 10  # type: ignore[union-attr]


def test_a_rolled_over_allowance_expires_at_the_years_end() -> None:
    """Unused units of June 2027 do not reach July 2027, which opens a new contract year."""
    contract = _contract(allowance=IncludedAllowance(units=50, rollover=True))
    invoices = _series(contract, [0] * 12)
    assert invoices[-1].balances_after.allowance_left == 600  # type: ignore[union-attr]
    from resolutionpricing._contract_year import next_balances  # noqa: PLC0415

    july = next_balances(contract, invoices[-1].balances_after, BillingPeriod.month(2027, 7))  # type: ignore[arg-type]
    assert july.allowance_left == 50
    assert july.year_starts_on == date(2027, 7, 1)


def test_a_yearly_allowance_is_used_up_across_periods() -> None:
    """100 included per contract year: 60 then 60 units bill 0 then 20 units."""
    contract = _contract(allowance=IncludedAllowance(units=100, per=AllowancePer.CONTRACT_YEAR))
    first, second = _series(contract, [60, 60])
    assert _amount(first, "resolutions") == Decimal("0.00")
    assert _amount(second, "resolutions") == Decimal("60.00")
    assert second.balances_after.allowance_left == 0  # type: ignore[union-attr]


def test_rollover_with_a_yearly_allowance_is_refused() -> None:
    """Rollover has nothing to carry within a yearly allowance: refused with its path."""
    with pytest.raises(InvalidValueError, match="rollover: is true"):
        IncludedAllowance(units=100, per="contract_year", rollover=True)


@settings(max_examples=60, deadline=None)
@given(
    # Graduated: a volume schedule's price is not monotone (the volume cliff), so
    # fewer units after the allowance may fall in a dearer tier, as any smaller
    # quantity may; docs/explanation.md says so.
    schedule=tier_schedules(mode=PricingMode.GRADUATED),
    included=st.integers(0, 500),
    rollover=st.booleans(),
    units=st.lists(st.integers(0, 800), min_size=1, max_size=12),
)
def test_an_allowance_never_raises_a_charge_and_rollover_never_loses_units(
    schedule: TierSchedule, included: int, rollover: bool, units: list[int]
) -> None:
    """Each period costs no more with the allowance; used plus left always equals what was granted."""
    with_allowance = _series(
        _contract(
            pricing=schedule,
            accumulate=Accumulate.PERIOD,
            allowance=IncludedAllowance(units=included, rollover=rollover),
        ),
        units,
    )
    without = _series(_contract(pricing=schedule, accumulate=Accumulate.PERIOD), units)
    for allowed, plain in zip(with_allowance, without, strict=True):
        assert allowed.subtotal <= plain.subtotal
    if rollover:
        used = Decimal(0)
        for invoice in with_allowance:
            details = invoice.line("resolutions").details  # type: ignore[union-attr]
            assert isinstance(details, ResolutionDetails)
            assert details.included_units is not None
            used += details.included_units
        after = with_allowance[-1].balances_after
        assert after is not None
        assert after.allowance_left is not None
        assert used + after.allowance_left == included * len(units)


# Prepaid commitment ---------------------------------------------------------


def test_a_prepaid_commitment_is_billed_up_front_and_drawn_down() -> None:
    """1000.00 prepaid: July bills it; 180.00 and 160.00 of charges are drawn from it."""
    contract = _contract(fees=[PrepaidCommitment(amount="1000.00")])
    first, second, third = _series(contract, [60, 60, 0])
    assert _amount(first, "prepaid_commitment") == Decimal("1000.00")
    assert _amount(first, "commitment_drawdown") == Decimal("-180.00")
    assert first.subtotal == Decimal("1000.00")
    assert second.line("prepaid_commitment") is None
    assert _amount(second, "commitment_drawdown") == Decimal("-160.00")
    assert second.subtotal == Decimal("0.00")
    assert third.line("commitment_drawdown") is None
    assert third.balances_after.commitment_left == Decimal("660.00")  # type: ignore[union-attr]


def test_what_exceeds_the_commitment_is_billed_as_usual() -> None:
    """300.00 prepaid against 60 x 3.00 + 60 (40x3 + 20x2): 180 drawn, then 120 drawn and 40 billed."""
    contract = _contract(fees=[PrepaidCommitment(amount="300.00")])
    _, second = _series(contract, [60, 60])
    assert _amount(second, "commitment_drawdown") == Decimal("-120.00")
    assert second.subtotal == Decimal("40.00")
    assert second.balances_after.commitment_left == 0  # type: ignore[union-attr]


def test_an_unused_commitment_lapses_on_the_years_last_period() -> None:
    """June 2027 closes the year: a zero line says what lapses (1000 - 10 x 30 - 2 x 20 = 660)."""
    contract = _contract(fees=[PrepaidCommitment(amount="1000.00")])
    invoices = _series(contract, [10] * 12)
    assert all(invoice.line("commitment_lapsed") is None for invoice in invoices[:-1])
    lapsed = invoices[-1].line("commitment_lapsed")
    assert lapsed is not None
    assert lapsed.amount == Decimal("0.00")
    assert lapsed.details.lapsed == Decimal("660.00")  # type: ignore[union-attr]


def test_a_rolled_over_commitment_carries_into_the_next_year() -> None:
    """With rollover, the 660.00 unused in year one is added to year two's 1000.00."""
    from resolutionpricing._contract_year import next_balances  # noqa: PLC0415

    contract = _contract(fees=[PrepaidCommitment(amount="1000.00", rollover=True)])
    invoices = _series(contract, [10] * 12)
    assert invoices[-1].line("commitment_lapsed") is None
    july = next_balances(contract, invoices[-1].balances_after, BillingPeriod.month(2027, 7))  # type: ignore[arg-type]
    assert july.commitment_left == Decimal("1660.00")


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(0, 5000),
    units=st.lists(st.integers(0, 300), min_size=12, max_size=12),
)
def test_drawdowns_plus_the_lapsed_balance_equal_the_commitment(
    amount: int, units: list[int]
) -> None:
    """Commitment conservation, to the minor unit, over a whole contract year."""
    contract = _contract(fees=[PrepaidCommitment(amount=f"{amount}.00")])
    invoices = _series(contract, units)
    drawn = -sum(_amount(invoice, "commitment_drawdown") or Decimal(0) for invoice in invoices)
    lapsed = invoices[-1].line("commitment_lapsed").details.lapsed  # type: ignore[union-attr]
    assert drawn + lapsed == amount
    for invoice in invoices:
        charge = _amount(invoice, "resolutions") or Decimal(0)
        assert -(_amount(invoice, "commitment_drawdown") or Decimal(0)) <= charge


def test_the_minimum_is_measured_before_the_drawdown() -> None:
    """A minimum of 500.00 with 180.00 of charges: 320.00 true-up; the prepaid draws the 180.00."""
    contract = _contract(
        fees=[PrepaidCommitment(amount="1000.00"), MinimumCommitment(amount="500.00")]
    )
    (invoice,) = _series(contract, [60])
    assert _amount(invoice, "minimum_commitment") == Decimal("320.00")
    assert _amount(invoice, "commitment_drawdown") == Decimal("-180.00")


# Alone = in series ----------------------------------------------------------


def test_a_period_billed_alone_equals_the_same_period_in_a_series() -> None:
    """October of the annual example: alone (the run prices July to September first) = within July..December."""
    contract = load_contract(ANNUAL)
    log = read_interactions(LOG)
    series = bill(contract, log, "2026-07..2026-12")
    for label in ("2026-07", "2026-10", "2026-11"):
        alone = bill(contract, log, label).invoices
        assert alone == (series.invoice(None, label),)
    # And from an explicit opening balance, the same again.
    october = series.invoice(None, "2026-10")
    assert october is not None
    assert october.balances_before is not None
    opened = bill(contract, log, "2026-10", opening=october.balances_before).invoices
    assert opened == (october,)


@st.composite
def _year_contracts(draw: st.DrawFn) -> Contract:
    fees = []
    if draw(st.booleans()):
        fees.append(
            PrepaidCommitment(
                amount=f"{draw(st.integers(0, 400))}.00", rollover=draw(st.booleans())
            )
        )
    allowance = None
    channels: dict[str, TierSchedule] = {}
    if draw(st.booleans()):
        channels["email"] = draw(tier_schedules(max_tiers=2))
    elif draw(st.booleans()):
        per = draw(st.sampled_from(AllowancePer))
        allowance = IncludedAllowance(
            units=draw(st.integers(0, 20)),
            per=per,
            rollover=per is AllowancePer.PERIOD and draw(st.booleans()),
        )
    pilot = None
    if draw(st.booleans()):
        pilot = Pilot(
            starts_on=date(2026, 6, 1),
            ends_on=draw(st.sampled_from([date(2026, 6, 30), date(2026, 7, 2), date(2026, 8, 15)])),
            pricing=TierSchedule.graduated(Tier(unit_price="1.50")),
        )
    pricing: TierSchedule | PackagePricing = draw(tier_schedules(max_tiers=3))
    if draw(st.booleans()):
        pricing = PackagePricing(
            package_size=draw(st.integers(1, 5)),
            package_price="10.00",
            free_units=draw(st.integers(0, 3)),
        )
    return _contract(
        pricing=pricing,
        accumulate=draw(st.sampled_from(Accumulate)),
        allowance=allowance,
        fees=fees,
        channel_pricing=channels,
        pilot=pilot,
    )


@settings(max_examples=50, deadline=None)
@given(
    contract=_year_contracts(),
    log=st.lists(
        interactions(start=datetime(2026, 7, 1, tzinfo=UTC), span=timedelta(days=95)),
        max_size=40,
        unique_by=lambda contact: contact.id,
    ),
)
def test_alone_equals_in_series_for_every_clause(contract: Contract, log: list[object]) -> None:
    """Every month of July..October billed alone, or from its opening balance, equals the series.

    Drawn: tiers or packages, per period or by the year, an allowance or a
    channel priced apart, a prepaid commitment, a pilot ending in June, July
    or August.
    """
    series = bill(contract, log, "2026-07..2026-10")
    for invoice in series.invoices:
        alone = bill(contract, log, invoice.period).invoices
        assert alone == (invoice,)
        opened = bill(contract, log, invoice.period, opening=invoice.balances_before).invoices
        assert opened == (invoice,)
        assert Invoice.from_json(invoice.to_json()) == invoice


# Checks and files -----------------------------------------------------------


def test_a_contract_year_contract_must_start_on_a_periods_first_day() -> None:
    """starts_on 2026-07-15 with accumulate: refused, naming the clause and the next period start."""
    with pytest.raises(ContractError) as caught:
        _contract(starts_on=date(2026, 7, 15))
    (problem,) = caught.value.problems
    assert problem.path == "contract.starts_on"
    assert 'accumulate = "contract_year"' in str(problem)
    assert "2026-08-01" in str(problem)


def test_an_opening_of_another_contract_year_is_refused() -> None:
    """An opening balance must be of the contract year that holds the period."""
    contract = _contract()
    with pytest.raises(InvalidValueError, match=r"opening.year_starts_on: 2025-07-01"):
        quote(contract, "2026-10", resolutions=1, opening=Balances(year_starts_on=date(2025, 7, 1)))
    with pytest.raises(InvalidTypeError, match="opening"):
        quote(contract, "2026-10", resolutions=1, opening={"year_starts_on": "2026-07-01"})  # type: ignore[arg-type]


def test_an_opening_for_a_contract_without_balances_is_refused() -> None:
    """A contract priced period by period has no balance to open from."""
    contract = load_contract("examples/contract.toml")
    with pytest.raises(InvalidValueError, match="opening: is given"):
        quote(contract, "2026-10", resolutions=1, opening=Balances(year_starts_on=date(2026, 7, 1)))


def test_the_annual_example_loads_dumps_and_reads_back() -> None:
    """examples/annual-contract.toml uses the clauses and round-trips through TOML."""
    contract = load_contract(ANNUAL)
    assert contract.accumulate is Accumulate.CONTRACT_YEAR
    assert contract.allowance == IncludedAllowance(units=50, rollover=True)
    assert any(isinstance(fee, PrepaidCommitment) for fee in contract.fees)
    assert loads_contract(dump_contract(contract)) == contract


def test_contracts_without_the_new_clauses_keep_their_fingerprint_and_json() -> None:
    """The example contract's fingerprint and its invoice's JSON keys are those of before."""
    contract = load_contract("examples/contract.toml")
    # The value main had before contract years existed.
    assert (
        contract.fingerprint == "fc2bbb8f17bebf16d0d18cc93096424a4e1e852e560a2d08ea17d83e4c94e7b7"
    )
    data = json.loads(quote(contract, "2026-10", resolutions=10).to_json())
    assert "balances_before" not in data
    assert "balances_after" not in data


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('accumulate = "year"', "pricing.accumulate: 'year' is not allowed"),
        ('included_per = "period"', "pricing.included_per: is set without included"),
        ("included = -1", "pricing.included: -1 is negative"),
        (
            'included = 10\nincluded_per = "contract_year"\nrollover = true',
            "pricing.rollover: is true",
        ),
    ],
)
def test_the_year_keys_of_a_file_are_checked(text: str, message: str) -> None:
    """Each contract-year key of [pricing] is checked, with its path."""
    source = Path(ANNUAL).read_text(encoding="utf-8")
    source = source.replace(
        'accumulate = "contract_year"      # tier positions count the contract year\'s units\n'
        "included = 50                     # included resolutions per period...\n"
        'included_per = "period"\n'
        "rollover = true                   # ...unused ones carry to the next period, until the year ends\n",
        text + "\n",
    )
    with pytest.raises(ContractError) as caught:
        loads_contract(source)
    assert any(message in str(problem) for problem in caught.value.problems), caught.value.problems


def test_a_prepaid_commitment_in_a_file() -> None:
    """[[fees]] kind = "prepaid_commitment" with rollover reads into a PrepaidCommitment."""
    text = (
        Path(ANNUAL)
        .read_text(encoding="utf-8")
        .replace('amount = "180000.00"', 'amount = "180000.00"\nrollover = true')
    )
    (prepaid,) = (fee for fee in loads_contract(text).fees if isinstance(fee, PrepaidCommitment))
    assert prepaid.rollover is True


# Statement and CLI ----------------------------------------------------------


def test_a_statement_lists_the_periods_with_their_balances() -> None:
    """The annual example from July to December: totals, the year's units and the balances left."""
    run = bill(load_contract(ANNUAL), read_interactions(LOG), "2026-07..2026-12")
    statement = run.statement(None)
    rows = statement.to_rows()
    assert [row["period"] for row in rows] == [p.label for p in _YEAR[:6]]
    assert rows[0]["total"] == Decimal("191100.00")  # 180,000 prepaid + 2,000 platform, 5% VAT
    assert rows[3]["allowance_left"] == 0
    assert rows[3]["cumulative_units"] == Decimal("6001.8352")  # 6201.8352 less 4 x 50 included
    assert statement.total == sum((invoice.total for invoice in run.invoices), start=Decimal(0))
    data = json.loads(statement.to_json())
    assert data["periods"][3]["balances_before"]["allowance_left"] == "200"
    text = statement.to_text()
    assert "2026-10" in text
    assert text.rstrip().endswith(f"total: AED {statement.total}")
    with pytest.raises(InvalidValueError, match="account_id: the run has no invoice of 'acme'"):
        run.statement("acme")


def test_the_cli_prints_a_statement_over_a_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Resolutionpricing bill CONTRACT --log LOG --period 2026-07..2026-12 --statement."""
    code = main(
        [
            "bill",
            ANNUAL,
            "--log",
            LOG,
            "--period",
            "2026-07..2026-12",
            "--out",
            str(tmp_path),
            "--statement",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Statement: (no account), AED")
    assert out.count("\n2026-") == 6
    october = Invoice.from_json((tmp_path / "default" / "2026-10.json").read_text(encoding="utf-8"))
    assert october.balances_before is not None


# Pilot ----------------------------------------------------------------------


def _pilot_contract(**changes: Any) -> Contract:
    pilot = Pilot(
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 7, 15),
        pricing=TierSchedule.graduated(Tier(unit_price="1.50")),
    )
    return _contract(pilot=pilot, **changes)


def _contact(number: int, ended: datetime, channel: str = "chat") -> Interaction:
    return Interaction(
        id=f"c{number}",
        customer_id=f"u{number}",
        channel=channel,
        started_at=ended - timedelta(minutes=5),
        ended_at=ended,
        topics=["billing"],
        resolved_topics=["billing"],
    )


def test_a_pilot_before_the_term_bills_its_periods_at_the_pilot_price() -> None:
    """May (before the term) bills 2 pilot resolutions at 1.50; July splits at the pilot's end."""
    contract = _pilot_contract()
    log = [
        _contact(1, datetime(2026, 5, 10, 9, tzinfo=UTC)),
        _contact(2, datetime(2026, 5, 11, 9, tzinfo=UTC)),
        _contact(3, datetime(2026, 7, 15, 23, tzinfo=UTC)),  # the pilot's last day
        _contact(4, datetime(2026, 7, 16, 9, tzinfo=UTC)),  # the term's price
        _contact(5, datetime(2026, 9, 30, 9, tzinfo=UTC)),  # after the windows close
    ]
    run = bill(contract, log, "2026-05..2026-07")
    may, june, july = run.invoices
    assert [line.key for line in may.lines] == ["pilot_resolutions"]
    assert may.subtotal == Decimal("3.00")
    assert may.balances_before is None
    assert june.subtotal == Decimal("0.00")
    assert _amount(july, "pilot_resolutions") == Decimal("1.50")
    assert _amount(july, "resolutions") == Decimal("3.00")
    # Pilot units never count toward the contract year's tiers.
    assert july.balances_after.cumulative_units == 1  # type: ignore[union-attr]
    assert july.counts["pilot_units"] == 1
    assert Invoice.from_json(july.to_json()) == july
    assert bill(contract, log, "2026-07").invoices == (july,)


def test_a_period_outside_both_the_term_and_the_pilot_is_not_billed() -> None:
    """April 2026 is before the pilot: refused, naming the term and the pilot."""
    with pytest.raises(InvalidValueError, match=r"outside the contract's term .* or its pilot"):
        quote(_pilot_contract(), "2026-04", resolutions=1)


def test_a_quote_of_a_pilot_period() -> None:
    """A period wholly inside the pilot bills all its resolutions at the pilot price by default."""
    contract = _pilot_contract()
    assert quote(contract, "2026-06", resolutions=10).subtotal == Decimal("15.00")
    july = quote(contract, "2026-07", resolutions=10, pilot_resolutions=4)
    assert _amount(july, "pilot_resolutions") == Decimal("6.00")
    assert _amount(july, "resolutions") == Decimal("18.00")
    with pytest.raises(InvalidValueError, match="pilot_resolutions: is given"):
        quote(_contract(), "2026-07", resolutions=10, pilot_resolutions=4)


def test_the_pilot_bounds_are_its_days_as_instants_in_the_contract_zone() -> None:
    """A March pilot in Paris runs from 23:00 UTC on 28 February to 22:00 UTC on 31 March (summer time)."""
    pilot = Pilot(
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        pricing=TierSchedule.graduated(Tier(unit_price="1.50")),
    )
    start, end = pilot.bounds("Europe/Paris")
    assert start.astimezone(UTC) == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert pilot.bounds("UTC") == (
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 4, 1, tzinfo=UTC),
    )


def test_the_pilot_is_read_from_the_file_and_its_criteria_are_judged() -> None:
    """The annual example's [pilot]: dates, price and criteria; evaluate_pilot uses them."""
    from resolutionpricing.business_case import evaluate_pilot  # noqa: PLC0415

    contract = load_contract(ANNUAL)
    assert contract.pilot is not None
    assert contract.pilot.starts_on == date(2026, 5, 1)
    assert contract.pilot.criteria.min_automation_rate == Decimal("0.60")
    assert contract.bills(BillingPeriod.parse("2026-05"))
    shifted = attrs.evolve(
        contract,
        pilot=attrs.evolve(contract.pilot, starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 31)),
    )
    report = evaluate_pilot(shifted, read_interactions(LOG))
    assert report.starts_on == date(2026, 10, 1)
    assert report.passed is True
    assert [result.criterion for result in report.criteria] == [
        "min_automation_rate",
        "max_recontact_rate",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'unit_price = "1.50"\nmode = "graduated"',
            "pilot.unit_price: is given with mode or tiers",
        ),
        ('unit_price = "1.50"\nprice = 2', "pilot.price: is not a known key"),
        ('unit_price = "-1"', "pilot.unit_price: -1 is negative"),
        ('unit_price = "1.50"\nmin_csat = 7', "pilot.min_csat: 7 is above 5"),
    ],
)
def test_the_pilot_table_is_checked(text: str, message: str) -> None:
    """Each key of [pilot] is checked, with its path."""
    source = Path(ANNUAL).read_text(encoding="utf-8")
    source = source.replace(
        'unit_price = "1.50"\nmin_automation_rate = "0.60"      # success criteria, judged by evaluate_pilot\n'
        'max_recontact_rate = "0.10"\n',
        text + "\n",
    )
    with pytest.raises(ContractError) as caught:
        loads_contract(source)
    assert any(message in str(problem) for problem in caught.value.problems), caught.value.problems


# Per-channel prices ---------------------------------------------------------


def _channel_contract(**changes: Any) -> Contract:
    voice = TierSchedule.graduated(
        Tier(up_to=10, unit_price="5.00"), Tier(up_to=None, unit_price="4.00")
    )
    return _contract(channel_pricing={"voice": voice}, **changes)


def test_a_channel_with_its_own_price_bills_on_its_own_line_and_tier_count() -> None:
    """8 voice units a month at 5.00 then 4.00 above 10; chat shares the contract's schedule."""
    contract = _channel_contract()
    first = quote(contract, "2026-07", resolutions=20, channel_resolutions={"voice": 8})
    assert _amount(first, "resolutions") == Decimal("36.00")  # 12 chat at 3.00
    assert _amount(first, "resolutions:voice") == Decimal("40.00")
    assert first.balances_after.channel_units == {"voice": 8}  # type: ignore[union-attr]
    second = quote(
        contract,
        "2026-08",
        resolutions=8,
        channel_resolutions={"voice": 8},
        opening=first.balances_after,
    )
    assert _amount(second, "resolutions:voice") == Decimal("34.00")  # 2 x 5.00 + 6 x 4.00
    assert _amount(second, "resolutions") == Decimal("0.00")


def test_per_channel_units_from_a_log() -> None:
    """A billing run tallies the voice contacts apart; the spend cap applies to the sum of the lines."""
    contract = _channel_contract(accumulate=Accumulate.PERIOD, caps=[SpendCap(limit="8.00")])
    log = [
        _contact(1, datetime(2026, 7, 10, 9, tzinfo=UTC), "voice"),
        _contact(2, datetime(2026, 7, 11, 9, tzinfo=UTC), "chat"),
        _contact(3, datetime(2026, 9, 30, 9, tzinfo=UTC), "chat"),
    ]
    (july,) = bill(contract, log, "2026-07").invoices
    assert july.counts["channel_units"] == {"voice": Decimal(1)}
    assert _amount(july, "resolutions:voice") == Decimal("5.00")
    assert _amount(july, "resolutions") == Decimal("3.00")
    assert july.line("spend_cap") is None
    capped = attrs.evolve(contract, caps=[SpendCap(limit="6.00")])
    (july,) = bill(capped, log, "2026-07").invoices
    assert _amount(july, "spend_cap") == Decimal("-2.00")
    assert Invoice.from_json(july.to_json()) == july
    assert loads_contract(dump_contract(capped)) == capped


def test_per_channel_prices_with_unit_caps_or_an_allowance_are_refused() -> None:
    """A pause or step-down cap, or an allowance, cannot say which channel's units it takes."""
    with pytest.raises(ContractError) as caught:
        _channel_contract(caps=[PauseCap(limit=100)], allowance=IncludedAllowance(units=5))
    paths = [problem.path for problem in caught.value.problems]
    assert paths == ["caps[0].kind", "pricing.included"]


def test_the_sorted_engine_splits_a_pilot_and_a_channel_as_the_reference() -> None:
    """Streamed, July bills the pilot's last day at 1.50, chat at 3.00 and email at 9.00, as the reference."""
    email = TierSchedule.graduated(Tier(unit_price="9.00"))
    contract = _pilot_contract(channel_pricing={"email": email})
    log = [
        _contact(1, datetime(2026, 7, 15, 23, 59, 59, 999999, tzinfo=UTC), "email"),  # the pilot's
        _contact(2, datetime(2026, 7, 16, tzinfo=UTC)),  # the first instant after it: chat at 3.00
        _contact(3, datetime(2026, 7, 17, 9, tzinfo=UTC), "email"),
        _contact(4, datetime(2026, 9, 30, 9, tzinfo=UTC)),  # after the windows close
    ]
    streamed = bill(contract, iter(log), "2026-07", sorted_by_start=True)
    (july,) = streamed.invoices
    assert _amount(july, "pilot_resolutions") == Decimal("1.50")
    assert _amount(july, "resolutions") == Decimal("3.00")
    assert _amount(july, "resolutions:email") == Decimal("9.00")
    assert july.counts["pilot_units"] == 1
    assert streamed.invoices == bill(contract, log, "2026-07").invoices


def test_packages_already_bought_in_the_year_are_used_first() -> None:
    """Packs of 10 at 100, 10 free a year: 15 units buy 1 pack; 4 more use it; 6 more buy another."""
    contract = _contract(pricing=PackagePricing(package_size=10, package_price=100, free_units=10))
    july, august, september = _series(contract, [15, 4, 2])
    assert july.subtotal == Decimal("100.00")
    assert august.subtotal == Decimal("0.00")
    assert september.subtotal == Decimal("100.00")  # 21 units need a second pack
    details = september.line("resolutions").details  # type: ignore[union-attr]
    assert isinstance(details, ResolutionDetails)
    assert details.tiers[0].quantity == 1
    # Lago's anchor, per period and per year alike: 121 units, 10 free, bill 1,200.
    assert quote(contract, "2026-07", resolutions=121).subtotal == Decimal("1200.00")


def test_every_clause_of_contract_years_needs_a_term_that_starts_a_period() -> None:
    """A pilot, per-channel prices or package prices on a term from the 16th: refused, naming it."""
    pilot = Pilot(
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 7, 15),
        pricing=TierSchedule.graduated(Tier(unit_price="1.50")),
    )
    package = PackagePricing(package_size=10, package_price=100)
    email = TierSchedule.graduated(Tier(unit_price="9.00"))
    for changes, named in (
        ({"pilot": pilot}, "a [pilot]"),
        ({"channel_pricing": {"email": email}}, "[pricing.channels]"),
        ({"pricing": package}, 'mode = "package"'),
    ):
        with pytest.raises(ContractError) as caught:
            _contract(accumulate=Accumulate.PERIOD, starts_on=date(2026, 7, 16), **changes)
        (problem,) = caught.value.problems
        assert problem.path == "contract.starts_on"
        assert named in str(problem)


def test_a_quote_before_the_term_bills_every_unit_at_the_pilot_price() -> None:
    """June, before the July term: all 10 units are the pilot's, and a split that leaves some out is refused."""
    contract = attrs.evolve(
        _pilot_contract(),
        pilot=Pilot(
            starts_on=date(2026, 6, 15),
            ends_on=date(2026, 7, 15),
            pricing=TierSchedule.graduated(Tier(unit_price="1.50")),
        ),
    )
    assert quote(contract, "2026-06", resolutions=10).subtotal == Decimal("15.00")
    with pytest.raises(
        InvalidValueError, match="pilot_resolutions: 4 of 10 resolutions in 2026-06"
    ):
        quote(contract, "2026-06", resolutions=10, pilot_resolutions=4)
