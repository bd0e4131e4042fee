"""Every engine of `bill` agrees with the reference run (`decide`, then usage one by one)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine_reference import reference_run
from resolutionpricing import (
    Accumulate,
    BillingPeriod,
    Contract,
    Interaction,
    InteractionLogError,
    PauseCap,
    PendingBilling,
    Pilot,
    PrepaidCommitment,
    ResolutionRule,
    Tier,
    TierSchedule,
    bill,
    calculate_invoice,
    decide,
    load_contract,
    read_interactions,
)
from resolutionpricing._duckdb import interactions_to_arrow
from resolutionpricing._engine import DecisionColumns
from resolutionpricing._stream import stream_decisions

START = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)  # October's last evening in Dubai
CONTRACT = load_contract("examples/contract.toml")
PERIODS = (BillingPeriod.parse("2026-10"), BillingPeriod.parse("2026-11"))
_MINUTES = st.sampled_from([0, 0, 1, 5, 30, 60, 61, 120, 600, 1440, 2880, 2890])

_RULES = st.builds(
    ResolutionRule,
    recontact_window=st.sampled_from(["0s", "1m", "30m", "1h", "48h"]),
    recontact_scope=st.sampled_from(["same_conversation", "same_topic", "any_topic"]),
    cross_channel=st.booleans(),
    exclude_escalated=st.booleans(),
    require_confirmation=st.booleans(),
    min_csat=st.sampled_from([None, 2, 4]),
    partial=st.sampled_from(["all_or_nothing", "per_topic", "pro_rata", "any"]),
)


@st.composite
def logs(draw: st.DrawFn) -> list[Interaction]:
    """Small logs of two customers and two accounts (and rows without one), with ties."""
    rows = []
    used: set[tuple[str | None, str]] = set()
    for _ in range(draw(st.integers(0, 14))):
        account = draw(st.sampled_from([None, None, "acme", "globex"]))
        identifier = draw(st.sampled_from([f"c{n}" for n in range(1, 10)]))
        if (account, identifier) in used:
            continue
        used.add((account, identifier))
        topics = draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True))
        minutes, length = draw(_MINUTES), draw(st.sampled_from([0, 1, 10, 60]))
        rows.append(
            Interaction(
                id=identifier,
                customer_id=draw(st.sampled_from(["u1", "u1", "u2"])),
                channel=draw(st.sampled_from(["chat", "email"])),
                conversation_id=draw(st.sampled_from(["k1", "k2", identifier])),
                started_at=START + timedelta(minutes=minutes),
                ended_at=START + timedelta(minutes=minutes + length),
                topics=topics,
                resolved_topics=draw(st.lists(st.sampled_from(topics), unique=True)),
                escalated=draw(st.booleans()),
                confirmed=draw(st.sampled_from([None, True, False])),
                csat=draw(st.sampled_from([None, 1, 3, 5])),
                account_id=account,
            )
        )
    return rows


def _contracts(rule: ResolutionRule, split: str, pause: Decimal | None) -> list[Contract]:
    base = attrs.evolve(CONTRACT, resolution=rule)
    if pause is not None:
        base = attrs.evolve(base, caps=(*base.caps, PauseCap(limit=pause)))
    if split == "one":
        return [base]
    return [base, attrs.evolve(base, account_id="acme")]


@settings(max_examples=min(settings().max_examples, 200))
@given(
    rule=_RULES,
    rows=logs(),
    as_of_minutes=st.one_of(st.none(), _MINUTES, st.integers(0, 5000)),
    split=st.sampled_from(["one", "two"]),
    reverse=st.booleans(),
    pause=st.sampled_from([None, Decimal(0), Decimal("1.5"), Decimal(3)]),
)
def test_the_reference_engine_agrees_with_decide(  # noqa: PLR0917 -- hypothesis' arguments
    rule: ResolutionRule,
    rows: list[Interaction],
    as_of_minutes: int | None,
    split: str,
    reverse: bool,
    pause: Decimal | None,
) -> None:
    """Same decisions, same invoices (JSON and fingerprints) as decide and usage one by one."""
    as_of = None if as_of_minutes is None else START + timedelta(minutes=as_of_minutes)
    contracts = _contracts(rule, split, pause)
    run = bill(contracts, rows[::-1] if reverse else rows, PERIODS, as_of=as_of)
    invoices, decisions = [], []
    for contract in sorted(contracts, key=lambda c: (c.account_id is not None, c.account_id or "")):
        made, decided = reference_run(contract, rows, PERIODS, as_of)
        invoices.extend(made)
        decisions.extend(decided)
    assert run.decisions == tuple(decisions)
    assert tuple(decisions) == run.decisions
    assert [invoice.to_json() for invoice in run.invoices] == [i.to_json() for i in invoices]


@st.composite
def late_logs(draw: st.DrawFn) -> list[Interaction]:
    """`logs`, some rows logged (``logged_at``) after they started, some long after."""
    return [
        row
        if (late := draw(st.sampled_from([None, None, 0, 30, 600, 3000]))) is None
        else attrs.evolve(row, logged_at=row.started_at + timedelta(minutes=late))
        for row in draw(logs())
    ]


@settings(max_examples=min(settings().max_examples, 200))
@given(
    rule=_RULES,
    rows=late_logs(),
    as_of_minutes=st.one_of(st.none(), _MINUTES, st.integers(0, 5000)),
    split=st.sampled_from(["one", "two"]),
    reverse=st.booleans(),
    pause=st.sampled_from([None, Decimal(0), Decimal("1.5"), Decimal(3)]),
    pending=st.sampled_from(list(PendingBilling)),
)
def test_the_columnar_bill_agrees_with_the_reference_run(  # noqa: PLR0917 -- hypothesis' arguments
    rule: ResolutionRule,
    rows: list[Interaction],
    as_of_minutes: int | None,
    split: str,
    reverse: bool,
    pause: Decimal | None,
    pending: PendingBilling,
) -> None:
    """Bill and calculate_invoice match decide-then-tally for every scope, policy, pending rule, split, cap and late row."""
    as_of = None if as_of_minutes is None else START + timedelta(minutes=as_of_minutes)
    contracts = [
        attrs.evolve(contract, billing=attrs.evolve(contract.billing, pending=pending))
        for contract in _contracts(rule, split, pause)
    ]
    run = bill(contracts, rows[::-1] if reverse else rows, PERIODS, as_of=as_of)
    invoices, decisions = [], []
    for contract in sorted(contracts, key=lambda c: (c.account_id is not None, c.account_id or "")):
        made, decided = reference_run(contract, rows, PERIODS, as_of)
        invoices.extend(made)
        decisions.extend(decided)
    assert isinstance(run.decisions, DecisionColumns)  # columns: no Decision built per row
    assert list(run.decisions) == decisions
    assert [invoice.to_json() for invoice in run.invoices] == [i.to_json() for i in invoices]
    assert [invoice.provisional for invoice in run.invoices] == [i.provisional for i in invoices]
    alone = [row for row in rows if row.account_id is None]
    if split == "one" and alone and len({row.account_id for row in rows}) == 1:
        invoice = calculate_invoice(contracts[0], alone, PERIODS[0], as_of=as_of)
        assert invoice.to_json() == invoices[0].to_json()


def test_one_customer_one_topic_in_one_window() -> None:
    """30,000 contacts of one customer about one topic, all in one window: each names one re-contact."""
    log = [
        Interaction(
            id=f"c{n:05}",
            customer_id="u1",
            channel="chat",
            started_at=START + timedelta(seconds=n),
            ended_at=START + timedelta(seconds=n + 1),
            topics=["billing"],
            resolved_topics=["billing"],
        )
        for n in range(30_000)
    ]
    run = bill(
        attrs.evolve(CONTRACT, resolution=ResolutionRule(recontact_window="30d")), log, PERIODS
    )
    assert [len(decision.recontacted_by) for decision in run.decisions] == [1] * 29_999 + [0]
    assert run.decisions[0].recontacted_by == ("c00001",)


def test_contacts_starting_at_one_instant_are_walked_past_once() -> None:
    """40,000 contacts of one customer at one instant, then one later: each is re-contacted by it alone."""
    at = START + timedelta(hours=1)
    log = [
        Interaction(
            id=f"c{n:05}",
            customer_id="u1",
            channel="chat",
            started_at=at if n < 40_000 else at + timedelta(minutes=5),
            ended_at=at + timedelta(minutes=1 if n < 40_000 else 6),
            topics=["billing"],
            resolved_topics=["billing"],
        )
        for n in range(40_001)
    ]
    rule = ResolutionRule(recontact_window="48h", recontact_scope="any_topic")
    run = bill(attrs.evolve(CONTRACT, resolution=rule), log, PERIODS)
    assert [decision.recontacted_by for decision in run.decisions] == [("c40000",)] * 40_000 + [()]
    small = log[:300] + log[-1:]
    billed = bill(attrs.evolve(CONTRACT, resolution=rule), small, PERIODS).decisions
    assert [attrs.evolve(decision, period=None) for decision in billed] == list(decide(rule, small))


def _far_recontacts(count: int, gap: int) -> list[Interaction]:
    """One customer, all in one window: contact n resolves topic tn, and contact n + gap carries tn too."""
    return [
        Interaction(
            id=f"c{n:05}",
            customer_id="u1",
            channel="chat",
            started_at=START + timedelta(seconds=n),
            ended_at=START + timedelta(seconds=n + 1),
            topics=[f"t{n}", *([f"t{n - gap}"] if n >= gap else [])],
            resolved_topics=[f"t{n}"],
        )
        for n in range(count)
    ]


def test_a_re_contact_far_down_the_group_is_found_by_bisection() -> None:
    """20,000 contacts of one customer in one window, each re-contacted 1,000 contacts later: found, n log n."""
    rule = ResolutionRule(recontact_window="30d", recontact_scope="same_topic")
    run = bill(attrs.evolve(CONTRACT, resolution=rule), _far_recontacts(20_000, 1_000), PERIODS)
    named = [decision.recontacted_by for decision in run.decisions]
    assert named == [(f"c{n + 1_000:05}",) for n in range(19_000)] + [()] * 1_000
    small = _far_recontacts(600, 40)
    billed = bill(attrs.evolve(CONTRACT, resolution=rule), small, PERIODS).decisions
    assert [attrs.evolve(decision, period=None) for decision in billed] == list(decide(rule, small))


@settings(max_examples=min(settings().max_examples, 60))
@given(
    rule=_RULES,
    rows=logs(),
    as_of_minutes=st.one_of(st.none(), _MINUTES, st.integers(0, 5000)),
    split=st.sampled_from(["one", "two"]),
    pause=st.sampled_from([None, Decimal(0), Decimal("1.5"), Decimal(3)]),
)
def test_the_duckdb_engine_agrees_with_decide(
    rule: ResolutionRule,
    rows: list[Interaction],
    as_of_minutes: int | None,
    split: str,
    pause: Decimal | None,
) -> None:
    """bill(engine="duckdb") on an Arrow table: the reference's decisions, invoices and fingerprints."""
    as_of = None if as_of_minutes is None else START + timedelta(minutes=as_of_minutes)
    contracts = _contracts(rule, split, pause)
    run = bill(contracts, interactions_to_arrow(rows), PERIODS, as_of=as_of, engine="duckdb")
    expected = bill(contracts, rows, PERIODS, as_of=as_of)
    assert run.decisions == expected.decisions
    assert [invoice.to_json() for invoice in run.invoices] == [
        invoice.to_json() for invoice in expected.invoices
    ]
    assert run.unbilled == expected.unbilled
    assert run.decisions_table is not None
    assert run.decisions_table.num_rows == len(expected.decisions)


def test_the_duckdb_engine_bills_the_example_csv_as_the_reference() -> None:
    """The example log from CSV, in DuckDB: the same October and November invoices."""
    log = read_interactions("examples/interactions.csv")
    python = bill(CONTRACT, log, "2026-10..2026-11")
    duckdb = bill(CONTRACT, "examples/interactions.csv", "2026-10..2026-11", engine="duckdb")
    assert [i.fingerprint for i in duckdb.invoices] == [i.fingerprint for i in python.invoices]
    assert [i.to_json() for i in duckdb.invoices] == [i.to_json() for i in python.invoices]
    assert duckdb.decisions[100] == python.decisions[100]


def _sorted(rows: list[Interaction]) -> list[Interaction]:
    return sorted(rows, key=lambda row: (row.started_at, row.account_id or "", row.id))


@settings(max_examples=min(settings().max_examples, 200))
@given(
    rule=_RULES,
    rows=logs(),
    as_of_minutes=st.one_of(st.none(), _MINUTES, st.integers(0, 5000)),
    split=st.sampled_from(["one", "two"]),
    pause=st.sampled_from([None, Decimal(0), Decimal("1.5"), Decimal(3)]),
)
def test_streaming_agrees_with_decide(
    rule: ResolutionRule,
    rows: list[Interaction],
    as_of_minutes: int | None,
    split: str,
    pause: Decimal | None,
) -> None:
    """bill(sorted_by_start=True) on the sorted log: the reference's invoices and decisions."""
    as_of = None if as_of_minutes is None else START + timedelta(minutes=as_of_minutes)
    contracts = _contracts(rule, split, pause)
    log = _sorted(rows)
    run = bill(contracts, iter(log), PERIODS, as_of=as_of, sorted_by_start=True)
    expected = bill(contracts, rows, PERIODS, as_of=as_of)
    assert [invoice.to_json() for invoice in run.invoices] == [
        invoice.to_json() for invoice in expected.invoices
    ]
    assert run.unbilled == expected.unbilled
    alone = [row for row in log if row.account_id is None]
    streamed = list(stream_decisions(rule, alone, as_of=as_of or _latest(log)))
    decided = decide(rule, alone, as_of=as_of or _latest(log)) if alone else ()
    key = {decision.interaction_id: index for index, decision in enumerate(decided)}
    assert sorted(streamed, key=lambda decision: key[decision.interaction_id]) == list(decided)


def _latest(rows: list[Interaction]) -> datetime | None:
    return max((max(row.started_at, row.ended_at) for row in rows), default=None)


def test_streaming_refuses_an_unsorted_row_with_its_position() -> None:
    """A row that starts before the previous one is an InteractionLogError at its position."""
    first, second = (
        Interaction(
            id=f"c{n}",
            customer_id="u1",
            channel="chat",
            started_at=START + timedelta(minutes=minutes),
            ended_at=START + timedelta(minutes=minutes + 1),
            topics=["a"],
        )
        for n, minutes in ((1, 10), (2, 5))
    )
    with pytest.raises(InteractionLogError) as caught:
        bill(CONTRACT, [first, second], PERIODS, sorted_by_start=True)
    assert "interactions[1]" in str(caught.value.problems[0])


def test_streaming_refuses_an_id_repeated_inside_its_window() -> None:
    """The same id twice while the first one's window is open: refused, with the position."""
    rows = [
        Interaction(
            id="c1",
            customer_id="u1",
            channel="chat",
            started_at=START + timedelta(minutes=minutes),
            ended_at=START + timedelta(minutes=minutes + 1),
            topics=["a"],
        )
        for minutes in (0, 30)
    ]
    with pytest.raises(InteractionLogError, match="not sorted") as caught:
        bill(CONTRACT, rows, PERIODS, sorted_by_start=True)
    assert "interactions[1]" in str(caught.value.problems[0])


_YEAR_CONTRACT = load_contract("examples/annual-contract.toml")


_LOG_PILOT = st.builds(
    Pilot,
    starts_on=st.just(date(2026, 10, 1)),
    ends_on=st.sampled_from([date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]),
    pricing=st.just(TierSchedule.graduated(Tier(unit_price="1.50"))),
)
"""A pilot over the term's October and some of the log's November days (Dubai time)."""


@st.composite
def _year_contracts(draw: st.DrawFn) -> list[Contract]:
    """The annual example with each contract-year clause drawn on or off.

    The pilot is the example's (before the term), none, or one that ends
    during the log; email may have its own price when there is no allowance
    (an allowance cannot say which channel's units it covers).
    """
    pilot = draw(st.sampled_from([_YEAR_CONTRACT.pilot, None]) | _LOG_PILOT)
    base = attrs.evolve(_YEAR_CONTRACT, pilot=pilot, resolution=draw(_RULES))
    if not draw(st.booleans()):
        base = attrs.evolve(base, accumulate=Accumulate.PERIOD)
    if not draw(st.booleans()):
        base = attrs.evolve(base, allowance=None)
        if draw(st.booleans()):
            email = TierSchedule.graduated(
                Tier(up_to=2, unit_price="9.00"), Tier(unit_price="7.00")
            )
            base = attrs.evolve(base, channel_pricing={"email": email})
    if draw(st.booleans()):
        base = attrs.evolve(
            base, fees=[PrepaidCommitment(amount="40.00", rollover=draw(st.booleans()))]
        )
    if draw(st.booleans()):
        return [base]
    return [base, attrs.evolve(base, account_id="acme")]


@settings(max_examples=min(settings().max_examples, 60), deadline=None)
@given(
    contracts=_year_contracts(),
    rows=logs(),
    as_of_minutes=st.one_of(st.none(), st.integers(0, 5000)),
)
def test_every_engine_carries_the_contract_years_balances(
    contracts: list[Contract], rows: list[Interaction], as_of_minutes: int | None
) -> None:
    """November billed by the sorted and DuckDB engines: the reference's invoices, balances included.

    Each engine prices the contract year's earlier periods (July to October) first.
    """
    as_of = None if as_of_minutes is None else START + timedelta(minutes=as_of_minutes)
    november = BillingPeriod.parse("2026-11")
    expected = bill(contracts, rows, november, as_of=as_of)
    streamed = bill(contracts, iter(_sorted(rows)), november, as_of=as_of, sorted_by_start=True)
    decided = bill(contracts, interactions_to_arrow(rows), november, as_of=as_of, engine="duckdb")
    wanted = [invoice.to_json() for invoice in expected.invoices]
    assert [invoice.to_json() for invoice in streamed.invoices] == wanted
    assert [invoice.to_json() for invoice in decided.invoices] == wanted
    assert all(invoice.balances_before is not None for invoice in expected.invoices)


@st.composite
def _split_contracts(draw: st.DrawFn) -> list[Contract]:
    """The example contract with a pilot over its last October evening, email priced apart, or a pause cap."""
    base = attrs.evolve(CONTRACT, resolution=draw(_RULES), caps=())
    if draw(st.booleans()):
        pilot_end = draw(
            st.sampled_from([date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)])
        )
        base = attrs.evolve(
            base,
            pilot=Pilot(
                starts_on=date(2026, 10, 1),
                ends_on=pilot_end,
                pricing=TierSchedule.graduated(Tier(unit_price="1.50")),
            ),
        )
    if draw(st.booleans()):
        email = TierSchedule.volume(Tier(up_to=2, unit_price="9.00"), Tier(unit_price="7.00"))
        base = attrs.evolve(base, channel_pricing={"email": email})
    elif draw(st.booleans()):  # a pause cap with a pilot (per-channel prices refuse one)
        pause = draw(st.sampled_from([Decimal(0), Decimal("1.5"), Decimal(3)]))
        base = attrs.evolve(base, caps=(PauseCap(limit=pause),))
    if draw(st.booleans()):
        return [base]
    return [base, attrs.evolve(base, account_id="acme")]


@settings(max_examples=min(settings().max_examples, 60), deadline=None)
@given(
    contracts=_split_contracts(),
    rows=logs(),
    as_of_minutes=st.one_of(st.none(), st.integers(0, 5000)),
)
def test_the_duckdb_and_sorted_engines_split_the_pilot_and_the_channels_as_the_reference(
    contracts: list[Contract], rows: list[Interaction], as_of_minutes: int | None
) -> None:
    """Pilot units (by the contact's local end day) and per-channel units: the reference's invoices."""
    as_of = None if as_of_minutes is None else START + timedelta(minutes=as_of_minutes)
    expected = bill(contracts, rows, PERIODS, as_of=as_of)
    decided = bill(contracts, interactions_to_arrow(rows), PERIODS, as_of=as_of, engine="duckdb")
    streamed = bill(contracts, iter(_sorted(rows)), PERIODS, as_of=as_of, sorted_by_start=True)
    wanted = [invoice.to_json() for invoice in expected.invoices]
    assert [invoice.to_json() for invoice in decided.invoices] == wanted
    assert [invoice.to_json() for invoice in streamed.invoices] == wanted
    assert streamed.unbilled == expected.unbilled


@pytest.mark.parametrize("reader", ["stdlib", "arrow"])
def test_the_instants_a_reader_computed_give_the_same_run(reader: str) -> None:
    """A run on read_interactions' tuple (instants computed at read time) equals one on a plain list."""
    contracts = [load_contract(f"examples/accounts/acct-{n}.toml") for n in (1, 2, 3)]
    log = read_interactions("examples/accounts/interactions.csv", reader=reader)
    several = bill(contracts, log, "2026-10")
    plain = bill(contracts, list(log), "2026-10")
    assert [invoice.to_json() for invoice in several.invoices] == [
        invoice.to_json() for invoice in plain.invoices
    ]
    assert list(several.decisions) == list(plain.decisions)
    one = load_contract("examples/contract.toml")
    single = read_interactions("examples/interactions.csv", reader=reader)
    assert (
        calculate_invoice(one, single, "2026-10").to_json()
        == calculate_invoice(one, list(single), "2026-10").to_json()
    )
