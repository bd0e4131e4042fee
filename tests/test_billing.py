"""Billing runs: many accounts and periods from one log, and calculate_invoice as their one-account case."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolutionpricing import (
    BillingPeriod,
    BillingRun,
    Contract,
    DecisionStatus,
    Interaction,
    InteractionLogError,
    InvalidValueError,
    ResolutionPricingError,
    ResolutionRule,
    Tier,
    TierSchedule,
    bill,
    calculate_invoice,
    load_contract,
    read_interactions,
)
from resolutionpricing.strategies import interactions

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = ROOT / "examples" / "accounts"
OCTOBER = BillingPeriod.parse("2026-10")


def make_contract(account_id: str | None = None, **changes: object) -> Contract:
    """A 2.00 AED-per-resolution contract on Dubai time, 48 h window, for ``account_id``."""
    values: dict[str, object] = {
        "name": f"Contract of {account_id}",
        "currency": "AED",
        "timezone": "Asia/Dubai",
        "starts_on": date(2026, 1, 1),
        "pricing": TierSchedule.graduated([Tier(up_to=None, unit_price="2.00")]),
        "resolution": ResolutionRule(recontact_window="48h", recontact_scope="any_topic"),
        "account_id": account_id,
    }
    values.update(changes)
    return Contract(**values)  # type: ignore[arg-type]


def contact(
    identifier: str,
    start: datetime,
    *,
    account: str | None = None,
    customer: str = "u1",
    resolved: bool = True,
) -> Interaction:
    """A ten-minute chat about billing, resolved unless told otherwise."""
    return Interaction(
        id=identifier,
        account_id=account,
        customer_id=customer,
        channel="chat",
        started_at=start,
        ended_at=start + timedelta(minutes=10),
        topics=["billing"],
        resolved_topics=["billing"] if resolved else [],
    )


def utc(month: int, day: int, hour: int = 0) -> datetime:
    """An instant of 2026, in UTC."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


LATE = utc(12, 31)


# calculate_invoice and accounts


def test_a_two_customer_log_through_calculate_invoice_is_refused() -> None:
    """The issue's case: one contract without an account, a log of two accounts, an error naming both."""
    log = [contact("a1", utc(10, 5), account="acme"), contact("g1", utc(10, 6), account="globex")]
    with pytest.raises(InteractionLogError) as caught:
        calculate_invoice(make_contract(), log, OCTOBER, as_of=LATE)
    message = str(caught.value.exceptions[0])
    assert "'acme'" in message
    assert "'globex'" in message
    assert "account_id" in message
    assert "bill()" in message


def test_a_contract_with_an_account_bills_only_its_rows() -> None:
    """Acme's contract bills acme's one resolution, not globex's two."""
    log = [
        contact("a1", utc(10, 5), account="acme"),
        contact("g1", utc(10, 6), account="globex"),
        contact("g2", utc(10, 7), account="globex"),
    ]
    invoice = calculate_invoice(make_contract("acme"), log, OCTOBER, as_of=LATE)
    assert (invoice.account_id, invoice.usage.contacts, invoice.total) == (
        "acme",
        1,
        Decimal("2.00"),
    )


def test_a_contract_without_an_account_bills_a_log_of_one_named_account() -> None:
    """A log whose rows all belong to acme is billed by a contract that names no account."""
    log = [contact("a1", utc(10, 5), account="acme"), contact("a2", utc(10, 20), account="acme")]
    invoice = calculate_invoice(make_contract(), log, OCTOBER, as_of=LATE)
    assert (invoice.account_id, invoice.usage.billable_units) == ("acme", Decimal(2))


def test_the_same_customer_id_in_two_accounts_is_never_a_recontact() -> None:
    """u1 of acme and u1 of globex are two people: neither voids the other's resolution."""
    log = [
        contact("c1", utc(10, 5), account="acme"),
        contact("c1", utc(10, 5, 1), account="globex"),
    ]
    run = bill([make_contract("acme"), make_contract("globex")], log, OCTOBER, as_of=LATE)
    assert [decision.status for decision in run.decisions] == [DecisionStatus.BILLABLE] * 2
    assert [(d.account_id, d.interaction_id) for d in run.decisions] == [
        ("acme", "c1"),
        ("globex", "c1"),
    ]


# Runs


def test_a_run_bills_every_account_and_period_and_reports_the_unbilled() -> None:
    """Two contracts over October and November; initech has no contract and is counted, not billed."""
    log = [
        contact("a1", utc(10, 5), account="acme"),
        contact("a2", utc(11, 5), account="acme"),
        contact("g1", utc(10, 6), account="globex"),
        contact("i1", utc(10, 7), account="initech"),
        contact("i2", utc(10, 8), account="initech"),
    ]
    run = bill(
        [make_contract("globex"), make_contract("acme")], log, "2026-10..2026-11", as_of=LATE
    )
    assert [(i.account_id, i.period.label, i.usage.contacts) for i in run.invoices] == [
        ("acme", "2026-10", 1),
        ("acme", "2026-11", 1),
        ("globex", "2026-10", 1),
        ("globex", "2026-11", 0),
    ]
    assert dict(run.unbilled) == {"initech": 2}
    assert run.invoice("acme", "2026-11") is run.invoices[1]
    assert run.invoice("initech", "2026-10") is None


def test_the_contract_without_an_account_sorts_first_and_bills_the_rows_without_one() -> None:
    """Invoices without an account come first; each contract bills only its own rows."""
    log = [contact("n1", utc(10, 5)), contact("a1", utc(10, 6), account="acme")]
    run = bill([make_contract("acme"), make_contract()], log, OCTOBER, as_of=LATE)
    assert [(i.account_id, i.usage.contacts) for i in run.invoices] == [(None, 1), ("acme", 1)]
    assert dict(run.unbilled) == {}


def test_decisions_outside_the_billed_periods_have_no_period() -> None:
    """A September contact is decided (it may re-contact) but belongs to no billed period."""
    log = [contact("s1", utc(9, 20)), contact("o1", utc(10, 5))]
    run = bill(make_contract(), log, OCTOBER, as_of=LATE)
    assert [(d.interaction_id, d.period) for d in run.decisions] == [
        ("s1", None),
        ("o1", "2026-10"),
    ]


def test_a_contact_belongs_to_the_period_of_its_end_in_the_contracts_zone() -> None:
    """20:00 UTC on 31 October is midnight in Dubai: November."""
    log = [contact("late", datetime(2026, 10, 31, 19, 50, tzinfo=UTC))]
    run = bill(make_contract(), log, "2026-10..2026-11", as_of=LATE)
    assert [d.period for d in run.decisions] == ["2026-11"]


def test_periods_outside_a_contracts_term_are_not_billed() -> None:
    """A contract starting in November bills November of an October-November run, not October."""
    run = bill(make_contract(starts_on=date(2026, 11, 1)), [], "2026-10..2026-11", as_of=LATE)
    assert [invoice.period.label for invoice in run.invoices] == ["2026-11"]


def test_as_of_defaults_to_the_latest_timestamp_of_the_whole_log() -> None:
    """Globex's late contact decides when acme's invoice was known."""
    log = [contact("a1", utc(10, 5), account="acme"), contact("g1", utc(12, 1), account="globex")]
    run = bill([make_contract("acme"), make_contract("globex")], log, OCTOBER)
    expected = utc(12, 1) + timedelta(minutes=10)
    assert {invoice.as_of for invoice in run.invoices} == {expected}
    assert run.invoices[0].final


def test_the_example_accounts_bill_in_three_currencies() -> None:
    """The three-account example: AED, SAR and KWD invoices, every row decided once."""
    contracts = [load_contract(ACCOUNTS / f"acct-{number}.toml") for number in (1, 2, 3)]
    log = read_interactions(ACCOUNTS / "interactions.csv")
    run = bill(contracts, log, "2026-10")
    assert [(i.account_id, i.currency) for i in run.invoices] == [
        ("acct-1", "AED"),
        ("acct-2", "SAR"),
        ("acct-3", "KWD"),
    ]
    assert run.invoices[2].total.as_tuple().exponent == -3
    assert len(run.decisions) == len(log)


# Finality


def test_final_exactly_at_the_periods_end_plus_the_window() -> None:
    """October ends at midnight on 1 November in Dubai (20:00 UTC on 31 October); + 48 h is final."""
    log = [contact("o1", utc(10, 5))]
    edge = datetime(2026, 10, 31, 20, tzinfo=UTC) + timedelta(hours=48)
    at_the_edge = calculate_invoice(make_contract(), log, OCTOBER, as_of=edge)
    just_before = calculate_invoice(
        make_contract(), log, OCTOBER, as_of=edge - timedelta(microseconds=1)
    )
    assert (at_the_edge.final, just_before.final) == (True, False)
    assert at_the_edge.usage.pending == just_before.usage.pending == 0


def test_an_early_invoice_with_one_contact_is_not_final() -> None:
    """Asked on 10 October with one closed contact, October can still gain contacts: not final."""
    log = [contact("o1", utc(10, 1))]
    invoice = calculate_invoice(make_contract(), log, OCTOBER, as_of=utc(10, 10))
    assert (invoice.usage.pending, invoice.final) == (0, False)


def test_a_pending_contact_keeps_the_invoice_open_even_after_the_window() -> None:
    """A contact pending at as_of (its window open) makes the period not final."""
    rule = ResolutionRule(recontact_window="0h", recontact_scope="any_topic")
    long_rule = ResolutionRule(recontact_window="30d", recontact_scope="any_topic")
    log = [contact("o1", utc(10, 30))]
    as_of = utc(11, 10)
    assert calculate_invoice(make_contract(resolution=rule), log, OCTOBER, as_of=as_of).final
    assert not calculate_invoice(
        make_contract(resolution=long_rule), log, OCTOBER, as_of=as_of
    ).final


# Bad input


@pytest.mark.parametrize(
    ("periods", "problem"),
    [
        ("2026-07..", "is not a range"),
        ("2026-07..2026-13", "is not a period label"),
        ("2026-12..2026-07", "ends before it starts"),
        ("2026-07..2026-Q4", "joins a monthly and a quarterly period"),
        ("2026-Q4", "is quarterly but"),
        ([], "is empty"),
    ],
)
def test_bad_periods_are_refused(periods: object, problem: str) -> None:
    """A malformed range, an end before the start, another cadence: an error naming the periods."""
    with pytest.raises(InvalidValueError) as caught:
        bill(make_contract(), [], periods, as_of=LATE)  # type: ignore[arg-type]
    assert caught.value.path == "periods"
    assert problem in caught.value.problem


def test_two_contracts_for_one_account_are_refused() -> None:
    """The second contract for acme is named, with the first."""
    with pytest.raises(InvalidValueError) as caught:
        bill([make_contract("acme"), make_contract("acme")], [], OCTOBER, as_of=LATE)
    assert caught.value.path == "contracts[1].account_id"
    assert "contracts[0]" in caught.value.problem


def test_two_contracts_without_an_account_are_refused() -> None:
    """At most one contract bills the rows without an account."""
    with pytest.raises(ResolutionPricingError, match=r"contracts\[1\]\.account_id"):
        bill([make_contract(), make_contract()], [], OCTOBER, as_of=LATE)


def test_an_id_twice_in_one_account_is_refused_but_not_across_accounts() -> None:
    """c1 in acme and in globex is fine; c1 twice in acme is not."""
    bill(
        [make_contract("acme"), make_contract("globex")],
        [contact("c1", utc(10, 5), account="acme"), contact("c1", utc(10, 6), account="globex")],
        OCTOBER,
        as_of=LATE,
    )
    with pytest.raises(InvalidValueError, match="'c1' \\(account 'acme'\\)"):
        bill(
            make_contract("acme"),
            [contact("c1", utc(10, 5), account="acme"), contact("c1", utc(10, 6), account="acme")],
            OCTOBER,
            as_of=LATE,
        )


# Properties

ACCOUNT_IDS = (None, "acme", "globex")
LOGS = st.lists(
    interactions(
        accounts=ACCOUNT_IDS, start=datetime(2026, 10, 29, tzinfo=UTC), span=timedelta(days=5)
    ),
    max_size=25,
    unique_by=lambda row: (row.account_id, row.id),
)


@settings(max_examples=100, deadline=None)
@given(log=LOGS, billed=st.sets(st.sampled_from(ACCOUNT_IDS), min_size=1))
def test_each_invoice_of_a_run_is_the_single_account_invoice(
    log: list[Interaction], billed: set[str | None]
) -> None:
    """Every invoice of a run equals calculate_invoice on that account's rows; each row decided once."""
    contracts = [make_contract(account) for account in sorted(billed, key=str)]
    run = bill(contracts, log, "2026-10..2026-11")
    for invoice in run.invoices:
        contract = next(c for c in contracts if c.account_id == invoice.account_id)
        own = [row for row in log if row.account_id == invoice.account_id]
        alone = calculate_invoice(contract, own, invoice.period, as_of=_latest(log))
        assert invoice == alone
    keys = Counter((d.account_id, d.interaction_id) for d in run.decisions)
    expected = {(row.account_id, row.id) for row in log if row.account_id in billed}
    assert set(keys) == expected
    assert set(keys.values()) <= {1}
    assert dict(run.unbilled) == dict(
        Counter(row.account_id for row in log if row.account_id not in billed)
    )


@settings(max_examples=100, deadline=None)
@given(log=LOGS)
def test_a_run_reads_back_from_its_json(log: list[Interaction]) -> None:
    """BillingRun.from_dict(run.to_dict()) is the run, and its JSON is the same bytes."""
    run = bill([make_contract(account) for account in ("acme", "globex")], log, "2026-10..2026-11")
    back = BillingRun.from_dict(run.to_dict())
    assert back == run
    assert back.to_json() == run.to_json()


def _latest(log: list[Interaction]) -> datetime | None:
    if not log:
        return None
    return max(max(row.started_at, row.ended_at) for row in log)


def test_attrs_evolve_keeps_a_run_frozen() -> None:
    """A run is a frozen value."""
    run = bill(make_contract(), [], OCTOBER, as_of=LATE)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        run.unbilled = {}  # type: ignore[misc]
