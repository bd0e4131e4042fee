"""``bill(..., engine="duckdb")``: decide in SQL, price each (account, period) in Python.

The log is loaded and checked once (`_duckdb._loaded`: every rule of the
readers, falling back to them to word the errors); each contract's account is
decided by ``contract.resolution.to_sql`` at the run's cutoff, and its usage
per period is added up in SQL (`usage_over`, with the contract's pause cap).
Only the usage comes back to Python, where `price_period` prices it with
`Decimal`: so the invoices are those of the reference engine, fingerprints
included.

The decisions stay in Arrow: `BillingRun.decisions_table` is one
``pyarrow.Table`` of every billed account's decisions (the columns of
`ResolutionRule.to_sql`), and `BillingRun.decisions` is `ArrowDecisions`, a
sequence over that table that builds a `Decision` only when one is indexed or
iterated (equal to the reference engine's decisions).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from resolutionpricing._caps import PauseCap
from resolutionpricing._contract_year import Balances, price_series, series
from resolutionpricing._decisions import Decision, DecisionStatus, Reason
from resolutionpricing._engine import LazyDecisions
from resolutionpricing._rules import PartialPolicy
from resolutionpricing._sql import REASON_COLUMNS, usage_over
from resolutionpricing._usage import Usage

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from resolutionpricing._contract import Contract
    from resolutionpricing._invoice import Invoice
    from resolutionpricing._periods import BillingPeriod

__all__ = ["ArrowDecisions", "bill_duckdb"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_WHOLE: Final = Decimal(1)
_PLACES: Final = Decimal("0.0001")


class ArrowDecisions(LazyDecisions):
    """The decisions of an Arrow table, a `Decision` built when one is asked for."""

    __slots__ = ("_columns", "table")

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._columns: dict[str, list[Any]] | None = None

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def __repr__(self) -> str:
        return f"ArrowDecisions({len(self)} decisions)"

    def _build(self, position: int) -> Decision:
        if self._columns is None:
            # Converted once, on first use: per-row slices of Arrow are slow.
            self._columns = self.table.to_pydict()
        columns = self._columns
        return Decision(
            interaction_id=columns["interaction_id"][position],
            status=DecisionStatus(columns["status"][position]),
            units=columns["units"][position],
            provisional_units=columns["provisional_units"][position],
            reasons=tuple(Reason(reason) for reason in columns["reasons"][position]),
            recontacted_by=tuple(columns["recontacted_by"][position]),
            voided_topics=frozenset(columns["voided_topics"][position]),
            account_id=columns["account_id"][position],
            period=columns["period"][position],
        )


def bill_duckdb(
    billed: list[tuple[Contract, list[BillingPeriod]]],
    source: object,
    as_of: datetime | None,
    openings: Mapping[str | None, Balances] | None = None,
) -> tuple[list[Invoice], pa.Table, dict[str | None, int]]:
    """The invoices, the decisions table and the unbilled row counts of one DuckDB run."""
    from resolutionpricing._billing import _account_order  # noqa: PLC0415 -- no import cycle
    from resolutionpricing._duckdb import (  # noqa: PLC0415
        _as_of_us,
        _connect,
        _known_rows,
        _latest_us,
        _loaded,
        _require,
        _selected,
    )

    _, pyarrow = _require()
    database = _connect()
    invoices: list[Invoice] = []
    tables: list[pa.Table] = []
    with _loaded(database, source) as table:
        known_at = _as_of_us(as_of)
        if known_at is None:
            known_at = _latest_us(database, table)
        known = _known_rows(table, known_at)  # rows logged after as_of are ignored
        counts = database.execute(
            f"SELECT account_id, COUNT(*) FROM {table} GROUP BY account_id"  # noqa: S608
        ).fetchall()
        accounts = {contract.account_id for contract, _ in billed}
        unbilled = {
            account: rows
            for account, rows in sorted(counts, key=lambda pair: _account_order(pair[0]))
            if account not in accounts
        }
        for contract, periods in sorted(
            billed, key=lambda pair: _account_order(pair[0].account_id)
        ):
            opening = (openings or {}).get(contract.account_id)
            priced_periods = series(contract, periods, opening=opening)
            decided, usage = _decide_account(
                database,
                _selected(known, [contract.account_id]),
                contract,
                priced_periods,
                known_at,
            )
            tables.append(decided)
            priced = price_series(
                contract,
                priced_periods,
                partial(_priced_from, contract, usage, known_at),
                opening=opening,
            )
            invoices.extend(priced[period.label] for period in periods)
    decisions = pyarrow.concat_tables(tables) if tables else pyarrow.table({})
    return invoices, decisions, unbilled


def _decide_account(
    database: duckdb.DuckDBPyConnection,
    selected: str,
    contract: Contract,
    periods: list[BillingPeriod],
    known_at: int | None,
) -> tuple[pa.Table, dict[str | None, dict[str, Any]]]:
    """One account's decisions (Arrow) and its usage rows by period label."""
    from resolutionpricing._calculator import cap_of  # noqa: PLC0415 -- no import cycle
    from resolutionpricing._duckdb import _TABLE_COUNTER  # noqa: PLC0415

    bounds = []
    for period in periods:
        start, end = period.bounds(contract.timezone)
        bounds.append((period.label, _micros(start), _micros(end)))
    _TABLE_COUNTER[0] += 1
    decided = f"resolutionpricing_decided_{_TABLE_COUNTER[0]}"
    database.execute(
        f"CREATE TEMP TABLE {decided} AS "
        + contract.resolution.to_sql(selected, as_of_us=known_at, periods=bounds)
    )
    try:
        table = database.sql(f"SELECT * FROM {decided}").to_arrow_table()  # noqa: S608
        pause = cap_of(contract, PauseCap)
        result = database.execute(
            usage_over(decided, pause_limit=None if pause is None else pause.limit)
        )
        names = [column[0] for column in result.description or ()]
        usage = {
            row["period"]: row
            for row in (dict(zip(names, values, strict=True)) for values in result.fetchall())
        }
        _add_split(database, decided, selected, contract, usage)
    finally:
        database.execute(f"DROP TABLE IF EXISTS {decided}")
    return table, usage


def _add_split(
    database: duckdb.DuckDBPyConnection,
    decided: str,
    selected: str,
    contract: Contract,
    usage: dict[str | None, dict[str, Any]],
) -> None:
    """Add each period's pilot units and per-channel units to its usage row (as `_billing._split`).

    A contact belongs to the pilot when it ends inside the pilot's days, as
    instants in the contract's time zone; the rest count toward their
    channel's own price when it has one. Only billable units count (the
    DuckDB engine refuses provisional billing).
    """
    pilot = contract.pilot
    channels = list(contract.channel_pricing)
    if pilot is None and not channels:
        return
    inside = "FALSE"
    if pilot is not None:
        start, end = pilot.bounds(contract.timezone)
        low, high = _micros(start), _micros(end)
        inside = f"(d.end_us >= {low} AND d.end_us < {high})"
    billable = "d.status = 'billable'"
    columns = [f"SUM(CASE WHEN {billable} AND {inside} THEN d.units ELSE 0 END) AS pilot_units"]
    for index, channel in enumerate(channels):
        name = channel.replace("'", "''")
        columns.append(
            f"SUM(CASE WHEN {billable} AND NOT {inside} AND c.channel = '{name}' "
            f"THEN d.units ELSE 0 END) AS channel_{index}"
        )
    query = (
        f"SELECT d.period, {', '.join(columns)} FROM {decided} AS d "  # noqa: S608 -- our own names
        f"JOIN {selected} AS c ON c.id = d.interaction_id "
        "AND c.account_id IS NOT DISTINCT FROM d.account_id "
        "WHERE d.period IS NOT NULL GROUP BY d.period"
    )
    for period, pilot_units, *by_channel in database.execute(query).fetchall():
        row = usage.get(period)
        if row is None:
            continue
        row["pilot_units"] = None if pilot is None else pilot_units
        row["channel_units"] = dict(zip(channels, by_channel, strict=True)) if channels else None


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _usage(contract: Contract, row: dict[str, Any] | None) -> Usage:
    """The usage of one SQL row: units with the exponent the reference sum has."""
    # What `_billing._split` gives a period without contacts: zero pilot and channel units.
    pilot_units = None if contract.pilot is None else Decimal(0)
    channel_units = dict.fromkeys(contract.channel_pricing, Decimal(0)) or None
    if row is None:
        return Usage(
            billable_units=Decimal(0),
            escalated=0,
            contacts=0,
            billable_interactions=0,
            pending=0,
            not_billable_interactions=0,
            not_billable={},
            pilot_units=pilot_units,
            channel_units=channel_units,
        )
    units: Decimal = row["billable_units"]
    # A sum of whole units (every policy but pro rata, or nothing billed) is
    # whole in the reference engine; pro rata units have 4 places.
    pro_rata = contract.resolution.partial is PartialPolicy.PRO_RATA
    exponent = _PLACES if pro_rata and row["billable_interactions"] else _WHOLE
    units = units.quantize(exponent, rounding=decimal.ROUND_HALF_UP)  # exact: never rounds
    return Usage(
        billable_units=units,
        escalated=row["escalated"],
        contacts=row["contacts"],
        billable_interactions=row["billable_interactions"],
        pending=row["pending"],
        not_billable_interactions=row["not_billable_interactions"],
        not_billable={
            column.removeprefix("not_billable_"): row[column]
            for column in REASON_COLUMNS
            if row[column]
        },
        pilot_units=row.get("pilot_units", pilot_units),
        channel_units=row.get("channel_units", channel_units),
    )


def _priced_from(
    contract: Contract,
    usage: Mapping[str | None, dict[str, Any]],
    known_at: int | None,
    period: BillingPeriod,
    balances: Balances | None,
) -> Invoice:
    return _priced(contract, period, usage.get(period.label), known_at, balances)


def _priced(
    contract: Contract,
    period: BillingPeriod,
    row: dict[str, Any] | None,
    known_at: int | None,
    balances: Balances | None = None,
) -> Invoice:
    from resolutionpricing._billing import _final, _shown_as_of  # noqa: PLC0415 -- no import cycle
    from resolutionpricing._calculator import price_period  # noqa: PLC0415

    moment = None if known_at is None else _EPOCH + known_at * _MICROSECOND
    usage = _usage(contract, row)
    return price_period(
        contract,
        period,
        usage=usage,
        final=_final(contract, period, usage, moment),
        as_of=_shown_as_of(contract, moment),
        overflow_from=None if row is None else row["overflow_from"],
        account_id=contract.account_id,
        balances_before=balances,
    )
