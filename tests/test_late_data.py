"""Late data: logged_at, reconcile and Invoice.apply, corrections carried forward, provisional billing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resolutionpricing import (
    Adjustment,
    AuditClause,
    AuditEstimate,
    BillingClause,
    CarriedAdjustmentDetails,
    Contract,
    Interaction,
    InteractionLogError,
    InvalidValueError,
    Invoice,
    ResolutionRule,
    Tier,
    TierSchedule,
    audit_credit,
    bill,
    calculate_invoice,
    decide,
    interactions_from_records,
    read_interactions,
    reconcile,
)

OCT_31 = datetime(2026, 10, 31, 18, tzinfo=UTC)
NOV_3 = datetime(2026, 11, 3, tzinfo=UTC)  # October's 48 h window has closed
DEC_5 = datetime(2026, 12, 5, tzinfo=UTC)
JAN_5 = datetime(2027, 1, 5, tzinfo=UTC)


def make_contract(**changes: object) -> Contract:
    """10.00 AED a resolution, 5 % tax, UTC, 48 h any-topic window, minimum 15.00."""
    values: dict[str, object] = {
        "name": "Late data",
        "id": "late-1",
        "currency": "AED",
        "timezone": "UTC",
        "starts_on": date(2026, 1, 1),
        "tax_rate": "0.05",
        "pricing": TierSchedule.graduated([Tier(up_to=None, unit_price="10.00")]),
        "resolution": ResolutionRule(recontact_window="48h", recontact_scope="any_topic"),
    }
    values.update(changes)
    return Contract(**values)  # type: ignore[arg-type]


def contact(
    identifier: str,
    start: datetime,
    *,
    customer: str = "u1",
    resolved: bool = True,
    logged_at: datetime | None = None,
) -> Interaction:
    """A five-minute chat about billing, resolved unless told."""
    return Interaction(
        id=identifier,
        customer_id=customer,
        channel="chat",
        started_at=start,
        ended_at=start + timedelta(minutes=5),
        topics=["billing"],
        resolved_topics=["billing"] if resolved else [],
        logged_at=logged_at,
    )


def amount(invoice: Invoice, key: str) -> Decimal | None:
    """The amount of the invoice's line ``key``, None without one."""
    line = invoice.line(key)
    return None if line is None else line.amount


# logged_at


def test_logged_at_is_read_from_every_reader_and_may_be_empty() -> None:
    """The column is optional: a timestamp, an empty cell or no column at all."""
    base = {
        "id": "c1",
        "customer_id": "u1",
        "channel": "chat",
        "started_at": "2026-10-01T09:00:00Z",
        "ended_at": "2026-10-01T09:05:00Z",
        "topics": "billing",
        "resolved_topics": "billing",
        "escalated": "false",
    }
    rows = interactions_from_records(
        [
            {**base, "logged_at": "2026-10-02T00:00:00Z"},
            {**base, "id": "c2", "logged_at": ""},
            {**base, "id": "c3"},
        ]
    )
    assert [row.logged_at for row in rows] == [datetime(2026, 10, 2, tzinfo=UTC), None, None]


def test_logged_at_before_started_at_is_refused() -> None:
    """A row cannot reach the log before its contact began; the error names the column."""
    with pytest.raises(InvalidValueError, match="logged_at"):
        contact("c1", OCT_31, logged_at=OCT_31 - timedelta(seconds=1))
    report = interactions_from_records(
        [
            {
                "id": "c1",
                "customer_id": "u1",
                "channel": "chat",
                "started_at": "2026-10-01T09:00:00Z",
                "ended_at": "2026-10-01T09:05:00Z",
                "topics": "billing",
                "resolved_topics": "billing",
                "escalated": False,
                "logged_at": "2026-10-01T08:00:00Z",
            }
        ],
        errors="collect",
    )
    assert str(report.rejected[0].problems[0]).startswith("record 1, logged_at:")


def test_rows_logged_after_as_of_are_ignored_by_decide_and_bill() -> None:
    """A late row does not exist at an earlier as_of: the old invoice comes back byte for byte."""
    contract = make_contract()
    log = [contact("c1", OCT_31, logged_at=OCT_31 + timedelta(minutes=5))]
    issued = calculate_invoice(contract, log, "2026-10", as_of=NOV_3)
    late = contact("c2", OCT_31 + timedelta(hours=20), logged_at=NOV_3 + timedelta(days=1))
    grown = [*log, late]
    assert [d.interaction_id for d in decide(contract.resolution, grown, as_of=NOV_3)] == ["c1"]
    assert calculate_invoice(contract, grown, "2026-10", as_of=NOV_3).to_json() == issued.to_json()
    assert bill(contract, grown, "2026-10", as_of=NOV_3).invoices[0] == issued
    # At a later as_of the late re-contact is known, and voids c1.
    assert amount(calculate_invoice(contract, grown, "2026-10", as_of=DEC_5), "resolutions") == 0


def test_the_streaming_engine_ignores_rows_logged_after_as_of_as_the_reference_does() -> None:
    """bill(sorted_by_start=True) at an old as_of gives the reference engine's invoice."""
    contract = make_contract()
    late = contact("c2", OCT_31 + timedelta(hours=20), logged_at=NOV_3 + timedelta(days=1))
    grown = [contact("c1", OCT_31, logged_at=OCT_31 + timedelta(minutes=5)), late]
    streamed = bill(contract, grown, "2026-10", as_of=NOV_3, sorted_by_start=True)
    assert streamed.invoices == bill(contract, grown, "2026-10", as_of=NOV_3).invoices


def test_the_duckdb_engine_refuses_what_it_cannot_carry(tmp_path: Path) -> None:
    """engine="duckdb" refuses issued invoices."""
    contract = make_contract()
    issued = calculate_invoice(contract, [contact("c1", OCT_31)], "2026-10", as_of=NOV_3)
    with pytest.raises(InvalidValueError, match="cannot carry issued invoices"):
        bill(contract, tmp_path / "log.csv", "2026-11", issued=[issued], engine="duckdb")


_LOGGED_HEADER = (
    "id,customer_id,channel,started_at,ended_at,topics,resolved_topics,escalated,logged_at\n"
)


def test_the_duckdb_engine_ignores_rows_logged_after_as_of_as_the_reference_does(
    tmp_path: Path,
) -> None:
    """engine="duckdb" reads logged_at: a row logged after as_of is not known, later it is."""
    pytest.importorskip("duckdb")
    contract = make_contract()
    log = tmp_path / "log.csv"
    # c2 re-contacts c1 within the window, but reaches the log only on 4 November.
    log.write_text(
        _LOGGED_HEADER
        + "c1,u1,chat,2026-10-31T10:00:00Z,2026-10-31T10:05:00Z,billing,billing,false,"
        "2026-10-31T10:10:00Z\n"
        "c2,u1,chat,2026-11-01T06:00:00Z,2026-11-01T06:05:00Z,billing,billing,false,"
        "2026-11-04T00:00:00Z\n",
        encoding="utf-8",
    )
    rows = read_interactions(log)
    for as_of in (NOV_3, DEC_5):
        in_duckdb = bill(contract, log, "2026-10", as_of=as_of, engine="duckdb")
        reference = bill(contract, rows, "2026-10", as_of=as_of)
        assert in_duckdb.invoices == reference.invoices
        assert list(in_duckdb.decisions) == list(reference.decisions)
    at_nov_3 = bill(contract, log, "2026-10", as_of=NOV_3, engine="duckdb")
    assert [d.interaction_id for d in at_nov_3.decisions] == ["c1"]
    assert amount(at_nov_3.invoices[0], "resolutions") != 0
    at_dec_5 = bill(contract, log, "2026-10", as_of=DEC_5, engine="duckdb")
    assert amount(at_dec_5.invoices[0], "resolutions") == 0  # c2 is known, and voids c1
    # An Arrow table with zoned timestamps is read the same way as the CSV.
    pyarrow_csv = pytest.importorskip("pyarrow.csv")
    table = pyarrow_csv.read_csv(log)
    assert str(table.schema.field("logged_at").type).startswith("timestamp")
    in_arrow = bill(contract, table, "2026-10", as_of=NOV_3, engine="duckdb")
    assert in_arrow.invoices == at_nov_3.invoices
    # Without as_of, what was known is the latest instant, logged_at included.
    assert (
        bill(contract, log, "2026-10", engine="duckdb").invoices
        == bill(contract, rows, "2026-10").invoices
    )


def test_the_duckdb_engine_refuses_a_row_logged_before_it_started(tmp_path: Path) -> None:
    """engine="duckdb" checks logged_at as the reader does, naming the line and column."""
    pytest.importorskip("duckdb")
    log = tmp_path / "log.csv"
    log.write_text(
        _LOGGED_HEADER
        + "c1,u1,chat,2026-10-31T10:00:00Z,2026-10-31T10:05:00Z,billing,billing,false,"
        "2026-10-31T09:00:00Z\n",
        encoding="utf-8",
    )
    with pytest.raises(InteractionLogError, match="line 2, logged_at"):
        bill(make_contract(), log, "2026-10", engine="duckdb")


# reconcile and apply


def test_a_late_recontact_in_november_credits_october_on_novembers_invoice() -> None:
    """31 Oct resolution billed 10.00 + 0.50 tax; a re-contact on 1 Nov voids it: -10.00 on November."""
    contract = make_contract()
    october_log = [contact("c1", OCT_31)]
    october = bill(contract, october_log, "2026-10", as_of=NOV_3).invoices[0]
    assert (amount(october, "resolutions"), october.total) == (
        Decimal("10.00"),
        Decimal("10.50"),
    )
    late = contact("c2", OCT_31 + timedelta(hours=20), logged_at=NOV_3 + timedelta(hours=1))
    log = [*october_log, late]
    run = bill(contract, log, "2026-11", as_of=DEC_5, issued=[october])
    november = run.invoices[0]
    carried = november.line("prior_period_adjustment:2026-10")
    assert carried is not None
    assert carried.amount == Decimal("-10.00")
    assert isinstance(carried.details, CarriedAdjustmentDetails)
    adjustment = carried.details.adjustment
    assert (adjustment.kind, adjustment.total_difference) == ("credit", Decimal("-10.50"))
    # November bills c2 (10.00) less the October credit: subtotal 0.00, tax 0.00.
    assert (amount(november, "resolutions"), november.subtotal, november.total) == (
        Decimal("10.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    # The line's typed details survive the JSON round trip.
    assert Invoice.from_json(november.to_json()) == november


def test_reconcile_names_each_changed_contact_and_why() -> None:
    """With both runs' decisions: the voided contact is a late re-contact, a new October row is new."""
    contract = make_contract()
    before = [contact("c1", OCT_31), contact("c3", OCT_31 - timedelta(days=3), customer="u3")]
    first = bill(contract, before, "2026-10", as_of=NOV_3)
    after = [
        contact("c1", OCT_31),
        contact("c2", OCT_31 + timedelta(hours=20)),  # re-contacts c1, in November
        contact("c4", OCT_31 - timedelta(days=2), customer="u4"),  # a new October row
    ]  # c3 was removed
    second = bill(contract, after, "2026-10", as_of=DEC_5)
    adjustment = reconcile(
        first.invoices[0],
        second.invoices[0],
        issued_decisions=first.decisions,
        recomputed_decisions=second.decisions,
    )
    assert [(change.interaction_id, change.why) for change in adjustment.changes] == [
        ("c1", "late_recontact"),
        ("c3", "removed_row"),
        ("c4", "new_row"),
    ]
    assert [(line.key, line.issued, line.recomputed) for line in adjustment.lines] == [
        ("resolutions", Decimal("20.00"), Decimal("10.00"))
    ]
    assert Adjustment.from_json(adjustment.to_json()) == adjustment


def test_a_corrected_row_is_named_as_corrected() -> None:
    """The same id, now unresolved: corrected_row, and the charge goes."""
    contract = make_contract()
    first = bill(contract, [contact("c1", OCT_31)], "2026-10", as_of=NOV_3)
    second = bill(contract, [contact("c1", OCT_31, resolved=False)], "2026-10", as_of=NOV_3)
    adjustment = reconcile(
        first.invoices[0],
        second.invoices[0],
        issued_decisions=first.decisions,
        recomputed_decisions=second.decisions,
    )
    assert [change.why for change in adjustment.changes] == ["corrected_row"]
    assert adjustment.total_difference == Decimal("-10.50")


def test_reconcile_refuses_invoices_of_different_periods() -> None:
    """Two periods are not one invoice recomputed: the error names the period."""
    contract = make_contract()
    october = calculate_invoice(contract, [], "2026-10", as_of=NOV_3)
    november = calculate_invoice(contract, [], "2026-11", as_of=DEC_5)
    with pytest.raises(InvalidValueError, match=r"recomputed\.period"):
        reconcile(october, november)


def test_apply_refuses_an_adjustment_of_another_invoice() -> None:
    """The fingerprint ties an adjustment to the invoice it was made from."""
    contract = make_contract()
    one = calculate_invoice(contract, [contact("c1", OCT_31)], "2026-10", as_of=NOV_3)
    none = calculate_invoice(contract, [], "2026-10", as_of=NOV_3)
    with pytest.raises(InvalidValueError, match="issued_fingerprint"):
        none.apply(reconcile(one, none))


# Random late data: new rows, late re-contacts, corrections, removals.

_HOURS = st.integers(0, 24 * 12)  # 12 days from 25 October: across the boundary


@st.composite
def late_logs(draw: st.DrawFn) -> tuple[list[Interaction], list[Interaction]]:
    """A log as first issued, and the same log after late data arrived."""
    start = datetime(2026, 10, 25, tzinfo=UTC)
    first = [
        contact(
            f"c{n}",
            start + timedelta(hours=draw(_HOURS)),
            customer=draw(st.sampled_from(["u1", "u2", "u3"])),
            resolved=draw(st.booleans()),
        )
        for n in range(draw(st.integers(0, 8)))
    ]
    later = []
    for row in first:
        change = draw(st.sampled_from(["keep", "keep", "remove", "correct"]))
        if change == "correct":
            row = attrs.evolve(row, resolved_topics=[] if row.resolved_topics else ["billing"])  # noqa: PLW2901
        if change != "remove":
            later.append(row)
    later.extend(  # new rows, some of them re-contacts
        contact(
            f"late{n}",
            start + timedelta(hours=draw(_HOURS)),
            customer=draw(st.sampled_from(["u1", "u2", "u3"])),
            resolved=draw(st.booleans()),
        )
        for n in range(draw(st.integers(0, 5)))
    )
    return first, later


@settings(max_examples=100)
@given(logs=late_logs(), provisional=st.booleans())
def test_apply_of_reconcile_is_exact_on_random_late_data(
    logs: tuple[list[Interaction], list[Interaction]], provisional: bool
) -> None:
    """issued.apply(reconcile(issued, recomputed)) has recomputed's line amounts, tax and total."""
    pending = "bill_provisionally" if provisional else "wait"
    contract = make_contract(billing=BillingClause(pending=pending))
    first, later = logs
    issued = calculate_invoice(contract, first, "2026-10", as_of=datetime(2026, 11, 1, tzinfo=UTC))
    recomputed = calculate_invoice(contract, later, "2026-10", as_of=DEC_5)
    adjustment = reconcile(issued, recomputed)
    applied = issued.apply(adjustment)
    amounts = {line.key: line.amount for line in recomputed.lines}
    assert {line.key: line.amount for line in applied.lines} == amounts
    assert (applied.subtotal, applied.tax, applied.total) == (
        recomputed.subtotal,
        recomputed.tax,
        recomputed.total,
    )
    assert adjustment.total_difference == recomputed.total - issued.total
    assert reconcile(issued, issued).kind == "none"
    assert reconcile(issued, issued).is_empty


@settings(max_examples=100)
@given(logs=late_logs(), provisional=st.booleans())
def test_carrying_forward_twice_adds_nothing_the_second_time(
    logs: tuple[list[Interaction], list[Interaction]], provisional: bool
) -> None:
    """November carries October's change once; December, with November issued, carries none of it."""
    pending = "bill_provisionally" if provisional else "wait"
    contract = make_contract(billing=BillingClause(pending=pending))
    first, later = logs
    october = bill(contract, first, "2026-10", as_of=datetime(2026, 11, 1, tzinfo=UTC)).invoices[0]
    november = bill(contract, later, "2026-11", as_of=DEC_5, issued=[october]).invoices[0]
    recomputed = calculate_invoice(contract, later, "2026-10", as_of=DEC_5)
    carried = november.line("prior_period_adjustment:2026-10")
    expected = recomputed.subtotal - october.subtotal
    assert (Decimal(0) if carried is None else carried.amount) == expected
    again = bill(contract, later, "2026-11", as_of=DEC_5, issued=[october]).invoices[0]
    assert again == november  # billing twice gives the same invoice
    december = bill(contract, later, "2026-12", as_of=JAN_5, issued=[october, november])
    assert [line.key for line in december.invoices[0].lines] == ["resolutions"]


def test_an_issued_period_cannot_be_billed_again() -> None:
    """Re-billing an issued period would bill it twice: the error says to bill a later one."""
    contract = make_contract()
    october = calculate_invoice(contract, [], "2026-10", as_of=NOV_3)
    with pytest.raises(InvalidValueError, match="already issued"):
        bill(contract, [], "2026-10", as_of=NOV_3, issued=[october])


def test_a_run_of_several_periods_carries_onto_its_latest() -> None:
    """Billing November and December with October issued: December carries October's correction."""
    contract = make_contract()
    october = bill(contract, [contact("c1", OCT_31)], "2026-10", as_of=NOV_3).invoices[0]
    log = [contact("c1", OCT_31), contact("c2", OCT_31 + timedelta(hours=20))]
    run = bill(contract, log, "2026-11..2026-12", as_of=JAN_5, issued=[october])
    november, december = run.invoices
    assert november.line("prior_period_adjustment:2026-10") is None
    assert amount(december, "prior_period_adjustment:2026-10") == Decimal("-10.00")


# Provisional billing


def test_provisional_billing_bills_pending_contacts_and_the_next_cycle_settles_them() -> None:
    """Pending at the run: billed 10.00 provisionally; voided later: November credits 10.00."""
    contract = make_contract(billing=BillingClause(pending="bill_provisionally"))
    early = datetime(2026, 11, 1, tzinfo=UTC)  # c1's window is open until 2 November 18:05
    october = bill(contract, [contact("c1", OCT_31)], "2026-10", as_of=early).invoices[0]
    assert (october.provisional, october.final, amount(october, "resolutions")) == (
        True,
        False,
        Decimal("10.00"),
    )
    assert october.to_dict()["provisional"] is True
    waited = bill(make_contract(), [contact("c1", OCT_31)], "2026-10", as_of=early).invoices[0]
    assert (waited.provisional, amount(waited, "resolutions")) == (False, Decimal("0.00"))
    voided = [contact("c1", OCT_31), contact("c2", OCT_31 + timedelta(hours=20))]
    november = bill(contract, voided, "2026-11", as_of=DEC_5, issued=[october]).invoices[0]
    assert amount(november, "prior_period_adjustment:2026-10") == Decimal("-10.00")
    kept = bill(contract, [contact("c1", OCT_31)], "2026-11", as_of=DEC_5, issued=[october])
    assert kept.invoices[0].line("prior_period_adjustment:2026-10") is None


# Audit credits on the next invoice


def _credit(contract: Contract, invoice: Invoice) -> Adjustment:
    estimate = AuditEstimate(
        method="wilson",
        confidence=Decimal("0.95"),
        size=400,
        failures=40,
        rate=Decimal("0.1"),
        lower=Decimal("0.07"),
        upper=Decimal("0.13"),
        effective_size=Decimal(400),
        strata=(),
    )
    return audit_credit(contract, estimate, invoice)


def test_an_audit_credit_goes_on_the_next_invoice_once() -> None:
    """10 % of October's 20.00 charge: -2.00 on November; December, with November issued, not again."""
    contract = make_contract(audit=AuditClause(basis="point", tolerance="0.02"))
    log = [contact("c1", OCT_31), contact("c3", OCT_31, customer="u3")]
    october = bill(contract, log, "2026-10", as_of=NOV_3).invoices[0]
    credit = _credit(contract, october)
    november = bill(contract, log, "2026-11", as_of=DEC_5, issued=[october], audits=[credit])
    assert amount(november.invoices[0], "audit_credit:2026-10") == Decimal("-2.00")
    assert november.invoices[0].total == Decimal("-2.10")
    december = bill(
        contract,
        log,
        "2026-12",
        as_of=JAN_5,
        issued=[october, november.invoices[0]],
        audits=[credit],
    )
    assert december.invoices[0].line("audit_credit:2026-10") is None


def test_an_audit_credit_of_an_account_not_billed_is_refused() -> None:
    """A credit for an account the run does not bill would be lost: an error, not silence."""
    contract = make_contract(audit=AuditClause(basis="point", tolerance="0.02"))
    october = bill(contract, [contact("c1", OCT_31)], "2026-10", as_of=NOV_3).invoices[0]
    credit = attrs.evolve(_credit(contract, october), account_id="other")
    with pytest.raises(InvalidValueError, match="audits"):
        bill(contract, [], "2026-11", as_of=DEC_5, audits=[credit])


@settings(max_examples=50)
@given(logs=late_logs(), more=late_logs())
def test_each_change_is_carried_once_across_several_cycles(
    logs: tuple[list[Interaction], list[Interaction]],
    more: tuple[list[Interaction], list[Interaction]],
) -> None:
    """Late data in two waves: November and December together carry October's whole change, once."""
    contract = make_contract()
    first, later = logs
    wave = [attrs.evolve(row, id=f"x{row.id}") for row in more[1]]
    latest = [*later, *wave]
    october = bill(contract, first, "2026-10", as_of=datetime(2026, 11, 1, tzinfo=UTC)).invoices[0]
    november = bill(contract, later, "2026-11", as_of=DEC_5, issued=[october]).invoices[0]
    december = bill(contract, latest, "2026-12", as_of=JAN_5, issued=[october, november])
    carried = [
        amount(invoice, "prior_period_adjustment:2026-10") or Decimal(0)
        for invoice in (november, december.invoices[0])
    ]
    recomputed = calculate_invoice(contract, latest, "2026-10", as_of=JAN_5)
    assert sum(carried) == recomputed.subtotal - october.subtotal
