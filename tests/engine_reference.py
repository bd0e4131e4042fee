"""The reference billing run: `decide` per account, then one `Usage` a period, one by one.

The engines of `bill` (the columnar reference engine, streaming, DuckDB) are
checked against this: it is the plain composition of the public reference
`decide`, `Usage.from_decisions` and `price_period`, with no columns, no
shared outcomes and no shortcuts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import attrs

from resolutionpricing import (
    BillingPeriod,
    Contract,
    Decision,
    DecisionStatus,
    Interaction,
    Invoice,
    PendingBilling,
    Usage,
    decide,
)
from resolutionpricing._calculator import cap_of, price_period
from resolutionpricing._caps import PauseCap
from resolutionpricing._money import ARITHMETIC
from resolutionpricing._periods import zone

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def reference_run(
    contract: Contract,
    rows: Sequence[Interaction],
    periods: Sequence[BillingPeriod],
    as_of: datetime | None,
) -> tuple[list[Invoice], list[Decision]]:
    """One contract's invoices and decisions, as `bill` must make them."""
    members = [row for row in rows if row.account_id == contract.account_id]
    if as_of is None and rows:
        as_of = max(
            max(row.started_at, row.ended_at, row.logged_at or row.ended_at) for row in rows
        )
    by_id = {row.id: row for row in members}
    decided = decide(contract.resolution, members, as_of=as_of) if members else ()
    bounds = [(period, *period.bounds(contract.timezone)) for period in periods]
    placed: list[Decision] = []
    pairs: dict[str, list[tuple[Interaction, Decision]]] = {period.label: [] for period in periods}
    for decision in decided:
        row = by_id[decision.interaction_id]
        label = next(
            (p.label for p, low, high in bounds if _us(low) <= _us(row.ended_at) < _us(high)), None
        )
        decision = attrs.evolve(decision, period=label)  # noqa: PLW2901
        placed.append(decision)
        if label is not None:
            pairs[label].append((row, decision))
    provisional = contract.billing.pending is PendingBilling.BILL_PROVISIONALLY
    invoices = []
    for period, _, high in bounds:
        members_of = sorted(
            pairs[period.label],
            key=lambda pair: (_us(pair[0].ended_at), _us(pair[0].started_at), pair[0].id),
        )
        usage = Usage.from_decisions(members_of, provisional=provisional)
        window = contract.resolution.recontact_window // timedelta(microseconds=1)
        final = as_of is not None and not usage.pending and _us(as_of) >= _us(high) + window
        invoice = price_period(
            contract,
            period,
            usage=usage,
            final=final,
            as_of=None if as_of is None else as_of.astimezone(zone(contract.timezone)),
            overflow_from=_overflow(contract, members_of, provisional=provisional),
            account_id=contract.account_id,
        )
        if provisional and usage.pending:
            invoice = attrs.evolve(invoice, provisional=True)
        invoices.append(invoice)
    return invoices, placed


def _overflow(
    contract: Contract, pairs: list[tuple[Interaction, Decision]], *, provisional: bool
) -> str | None:
    pause = cap_of(contract, PauseCap)
    if pause is None:
        return None
    billed = ARITHMETIC.create_decimal(0)
    for row, decision in pairs:
        if decision.status is DecisionStatus.BILLABLE:
            billed = ARITHMETIC.add(billed, decision.units)
        elif provisional and decision.status is DecisionStatus.PENDING:
            billed = ARITHMETIC.add(billed, decision.provisional_units)
        else:
            continue
        if billed > pause.limit:
            return row.id
    return None
