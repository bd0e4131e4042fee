"""Billing runs: many accounts and periods priced from one log in one pass.

`bill` is the one path from a log to invoices; `calculate_invoice` is its
one-account, one-period case. The steps:

1. the contracts are checked: distinct ``account_id``, at most one without;
2. the periods are read: labels, `BillingPeriod` objects or a range
   ``"2026-07..2026-12"``; each contract bills those that overlap its term;
3. the log is split by account once; accounts that no contract bills are
   counted in ``unbilled``, never dropped silently;
4. each billed account's rows are decided once, with its contract's rule, at
   the run's ``as_of`` (by default the latest timestamp of the whole log, the
   same for every account), by the columnar engine (`_engine`: the decisions
   of `decide`, held as columns, no `Decision` built per row);
5. each decision is assigned its period: the contract period containing the
   contact's ``ended_at``, as an instant, in the contract's time zone (None
   when that period is not billed);
6. each (account, period) is tallied into a `Usage` (a count per outcome),
   with a pause cap's first overflowing contact when the contract has one
   (`_period_usages`), and priced by `price_period` (`_price`);
7. with ``issued=``, each earlier issued period of an account is recomputed
   and its difference from what has been billed for it, with ``audits=``
   each audit credit, is carried onto the account's current invoice (the
   latest period the run bills for it; see `resolutionpricing._carry`).

Late data. With ``logged_at`` in the log, rows logged after ``as_of`` are
ignored, so re-running an old invoice with its ``as_of`` gives the same
invoice whatever was added since.

Provisional. With ``[billing] pending = "bill_provisionally"`` pending
contacts bill their provisional units and the invoice is ``provisional``;
it is still not final.

Final. An invoice is final when ``as_of`` is at or after the period's end
(an instant in the contract's time zone) plus the rule's re-contact window,
and no contact of the period is pending: then nothing about the period can
still change from contacts already known.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any, Final, cast

import attrs

from resolutionpricing._adjustment import Adjustment
from resolutionpricing._billing_clause import PendingBilling
from resolutionpricing._calculator import cap_of, price_period
from resolutionpricing._caps import PauseCap
from resolutionpricing._carry import Carried, checked_adjustments, checked_invoices
from resolutionpricing._contract import Contract
from resolutionpricing._contract_year import Balances, price_series, series
from resolutionpricing._decisions import (
    Decision,
    DecisionStatus,
    _check_as_of,
    _check_rows,
    _check_unique,
    check_log,
)
from resolutionpricing._engine import (
    DecisionColumns,
    Instants,
    decide_columns,
    first_overflows,
    paused_gc,
    usage_from_counts,
    usages_of,
)
from resolutionpricing._errors import InteractionLogError, InvalidTypeError, InvalidValueError
from resolutionpricing._frames import to_pandas
from resolutionpricing._interactions import Interaction, _ReadLog
from resolutionpricing._invoice import Invoice
from resolutionpricing._invoice_view import (
    DECISION_COLUMNS,
    INVOICE_COLUMNS,
    decisions_rows,
    invoices_rows,
    run_html,
    run_text,
)
from resolutionpricing._money import ARITHMETIC
from resolutionpricing._periods import BillingPeriod, zone
from resolutionpricing._statement import Statement, statement_of
from resolutionpricing._usage import Usage

__all__ = ["BillingRun", "bill", "calculate_invoice", "calculate_run"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_RANGE_HINT: Final = (
    'a label such as "2026-10", a range such as "2026-07..2026-12", or a list of them'
)


def _account_order(account: str | None) -> tuple[bool, str]:
    """Rows and invoices without an account come first, then accounts by id."""
    return (account is not None, account or "")


def _shown_account(account: str | None) -> str:
    return "(no account)" if account is None else repr(account)


def _invoices(values: Iterable[Invoice]) -> tuple[Invoice, ...]:
    return tuple(values)


def _decisions(values: Iterable[Decision]) -> Sequence[Decision]:
    # A lazy view (the DuckDB engine's Arrow decisions) is kept as it is.
    if isinstance(values, Sequence) and not isinstance(values, (list, tuple)):
        return values
    return tuple(values)


def _contacts(values: Iterable[Interaction]) -> tuple[Interaction, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class BillingRun:
    """What one `bill` call made: the invoices, every decision behind them, and what was not billed.

    Attributes:
        invoices: one per (contract, billed period), sorted by account id
            (the contract without an account first), then period start.
        decisions: one per contact of every billed account known at
            ``as_of``, each with its ``account_id`` and ``period`` (None
            outside every period the run priced, which includes the
            earlier periods of a contract year it priced for their
            balances); by account as the invoices, then
            by the contact's (``started_at``, ``id``).
        unbilled: account id (None: the rows without one) to the number of
            its rows, for the accounts no contract bills.
        contacts: the log's rows the run decided, for
            `BillingRun.decisions_rows` to join each decision with its
            contact; empty from the DuckDB and sorted engines (and not part
            of equality or of the JSON).

    Examples:
        >>> from resolutionpricing import bill, load_contract, read_interactions
        >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10..2026-11")
        >>> [(invoice.period.label, str(invoice.total), invoice.final) for invoice in run.invoices]
        [('2026-10', '26506.34', True), ('2026-11', '19950.00', False)]
        >>> len(run.decisions), dict(run.unbilled)
        (19500, {})
    """

    invoices: tuple[Invoice, ...] = attrs.field(converter=_invoices)
    decisions: Sequence[Decision] = attrs.field(converter=_decisions)
    decisions_table: Any = attrs.field(default=None, eq=False, repr=False)
    unbilled: Mapping[str | None, int] = attrs.field(factory=dict)
    contacts: Sequence[Interaction] = attrs.field(
        default=(), converter=_contacts, eq=False, repr=False
    )

    def invoice(self, account_id: str | None, period: BillingPeriod | str) -> Invoice | None:
        """The invoice of ``account_id`` for ``period``, or None if the run has none.

        Examples:
            >>> from resolutionpricing import bill, load_contract, read_interactions
            >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
            >>> run.invoice(None, "2026-10").total, run.invoice("acme", "2026-10")
            (Decimal('26506.34'), None)
        """
        label = period.label if isinstance(period, BillingPeriod) else period
        return next(
            (
                invoice
                for invoice in self.invoices
                if invoice.account_id == account_id and invoice.period.label == label
            ),
            None,
        )

    def statement(self, account_id: str | None) -> Statement:
        """The account's periods in order, with their totals and contract-year balances.

        Raises:
            InvalidValueError: the run has no invoice of ``account_id``.

        Examples:
            >>> from resolutionpricing import bill, load_contract
            >>> run = bill(load_contract("examples/annual-contract.toml"), [], "2026-07..2026-09")
            >>> [(row["period"], str(row["total"])) for row in run.statement(None).to_rows()]
            [('2026-07', '392000.00'), ('2026-08', '2000.00'), ('2026-09', '2000.00')]
        """
        return statement_of(self.invoices, account_id)

    def invoices_rows(self) -> list[dict[str, object]]:
        """One flat row per invoice: account_id, period, currency, counts, subtotal, tax, total, final.

        The counts are contacts, billable_interactions, billable_units,
        pending, not_billable_interactions and escalated; money and units
        are `Decimal`.

        Examples:
            >>> from resolutionpricing import bill, load_contract, read_interactions
            >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
            >>> row = run.invoices_rows()[0]
            >>> row["period"], row["contacts"], row["billable_units"], row["total"], row["final"]
            ('2026-10', 13333, Decimal('6361.5017'), Decimal('26506.34'), True)
        """
        return invoices_rows(self)

    def decisions_rows(self) -> list[dict[str, object]]:
        """One flat row per decision, joined with its contact: account, period, channel, customer, times.

        Columns: account_id, period, interaction_id, customer_id, channel,
        conversation_id, started_at, ended_at (timezone-aware `datetime`),
        status, units, provisional_units (`Decimal`), then the reasons split
        by status, each a list: ``billable_reasons`` (``partial``),
        ``not_billable_reasons`` (what the invoice's ``not_billable``
        counts) and ``pending_reasons``; then recontacted_by and
        voided_topics. The contact's columns are None for a run without its
        contacts (the DuckDB and sorted engines).

        Examples:
            >>> from collections import Counter
            >>> from resolutionpricing import bill, load_contract, read_interactions
            >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
            >>> rows = [row for row in run.decisions_rows() if row["period"] == "2026-10"]
            >>> rows[0]["channel"], rows[0]["started_at"].tzinfo is not None
            ('voice', True)
            >>> counted = Counter(reason for row in rows for reason in row["not_billable_reasons"])
            >>> counted["partial"] == run.invoices[0].counts["not_billable"].get("partial", 0)
            True
        """
        return decisions_rows(self)

    def to_rows(self) -> list[dict[str, object]]:
        """`BillingRun.invoices_rows`: one row per invoice.

        Examples:
            >>> from resolutionpricing import bill, load_contract
            >>> bill(load_contract("examples/contract.toml"), [], "2026-10").to_rows()[0]["total"]
            Decimal('14650.00')
        """
        return self.invoices_rows()

    def to_pandas(self, table: str = "decisions", *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`decisions_rows` (``table="decisions"``) or `invoices_rows` (``"invoices"``) as a DataFrame.

        Needs the extra ``resolutionpricing[pandas]``; pandas is imported
        only here.

        Args:
            table: ``"decisions"`` or ``"invoices"``.
            exact: keep money and units as `Decimal` (default); False gives
                floats, for plotting only.

        Raises:
            InvalidValueError: for another ``table``.

        Examples:
            >>> from resolutionpricing import bill, load_contract, read_interactions
            >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
            >>> frame = run.to_pandas()
            >>> frame[frame["period"] == "2026-10"]["units"].sum() == run.invoices[0].counts["billable_units"]
            True
            >>> run.to_pandas("invoices", exact=False)["total"].tolist()
            [26506.34]
        """
        if table == "decisions":
            return to_pandas(decisions_rows(self), DECISION_COLUMNS, exact=exact)
        if table == "invoices":
            return to_pandas(invoices_rows(self), INVOICE_COLUMNS, exact=exact)
        raise InvalidValueError(
            "table", f"{table!r} is not a table", 'one of "decisions", "invoices"'
        )

    def to_text(self) -> str:
        """The run as a table: account, period, contacts, billable units, total, final.

        What ``resolutionpricing bill`` prints.

        Examples:
            >>> from resolutionpricing import bill, load_contract, read_interactions
            >>> print(bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10").to_text(), end="")
            account       period   contacts  billable units            total  final
            (none)        2026-10     13333       6361.5017    AED 26506.34   yes
        """
        return run_text(self)

    def _repr_html_(self) -> str:
        """One HTML row per invoice (money to each currency's minor unit), then the unbilled."""
        return run_html(self)

    def to_dict(self) -> dict[str, Any]:
        """The run as JSON-safe data: invoices and decisions as their ``to_dict``.

        ``unbilled`` is a list of ``{"account_id": ..., "rows": n}``, since an
        account id may be null.

        Examples:
            >>> from resolutionpricing import bill, load_contract
            >>> sorted(bill(load_contract("examples/contract.toml"), [], "2026-10").to_dict())
            ['decisions', 'invoices', 'unbilled']
        """
        return {
            "invoices": [invoice.to_dict() for invoice in self.invoices],
            "decisions": [decision.to_dict() for decision in self.decisions],
            "unbilled": [
                {"account_id": account, "rows": rows}
                for account, rows in sorted(
                    self.unbilled.items(), key=lambda item: _account_order(item[0])
                )
            ],
        }

    def to_json(self) -> str:
        """Canonical JSON: keys sorted, no spaces, UTF-8 text, as `Invoice.to_json`.

        Examples:
            >>> from resolutionpricing import bill, load_contract
            >>> bill(load_contract("examples/contract.toml"), [], "2026-10").to_json()[:13]
            '{"decisions":'
        """
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BillingRun:
        """Read `BillingRun.to_dict`'s data back (each invoice is checked as `Invoice.from_dict` does).

        Examples:
            >>> from resolutionpricing import BillingRun, bill, load_contract
            >>> run = bill(load_contract("examples/contract.toml"), [], "2026-10")
            >>> BillingRun.from_dict(run.to_dict()) == run
            True
        """
        given: object = data
        if not isinstance(given, Mapping) or set(given) != {"invoices", "decisions", "unbilled"}:
            raise InvalidValueError(
                "run", "does not have the keys of a billing run", "invoices, decisions, unbilled"
            )
        unbilled: dict[str | None, int] = {}
        for entry in data["unbilled"]:
            if not isinstance(entry, Mapping) or set(entry) != {"account_id", "rows"}:
                raise InvalidValueError(
                    "run.unbilled", f"{entry!r} is not an entry", '{"account_id", "rows"}'
                )
            unbilled[entry["account_id"]] = entry["rows"]
        return cls(
            invoices=[Invoice.from_dict(invoice) for invoice in data["invoices"]],
            decisions=[Decision.from_dict(decision) for decision in data["decisions"]],
            unbilled=unbilled,
        )


def bill(
    contracts: Contract | Iterable[Contract],
    log: Iterable[Interaction] | str | os.PathLike[str] | object,
    periods: BillingPeriod | str | Sequence[BillingPeriod | str],
    *,
    as_of: datetime | None = None,
    issued: Iterable[Invoice] = (),
    audits: Iterable[Adjustment] = (),
    engine: str = "python",
    sorted_by_start: bool = False,
    opening: Balances | Mapping[str | None, Balances] | None = None,
) -> BillingRun:
    """Price every contract's periods from one log, deciding each account's contacts once.

    Args:
        contracts: one `Contract` or several, with distinct ``account_id``
            (at most one without, which bills the rows without an account).
        log: the interactions of every account, in any order.
        periods: a label (``"2026-10"``), a `BillingPeriod`, a range
            (``"2026-07..2026-12"``, both ends included), or a sequence of
            them; each contract bills those that overlap its term. Every
            period must be of the contracts' cadence.
        as_of: what was known (timezone-aware); contacts starting after it,
            and rows logged after it (``logged_at``), are ignored. Defaults
            to the latest timestamp of the whole log.
        issued: every invoice issued so far for the accounts (`Invoice`,
            such as read back with `Invoice.from_json`). Each earlier period
            is recomputed from this log at ``as_of``, and its difference
            from what has been billed for it (its invoice and the
            corrections carried since) goes on the account's current
            invoice, the latest period the run bills for it, as a
            ``prior_period_adjustment:<period>`` line with the `Adjustment`
            in its `CarriedAdjustmentDetails`; tax is the current invoice's.
            An issued invoice of a period the run bills is refused.
        audits: audit credits (`audit_credit`), each carried onto its
            account's current invoice as an ``audit_credit:<period>`` line
            (unless an issued invoice already carries it).
        engine: ``"python"`` (the default: the reference engine,
            ``log`` an iterable of `Interaction`), or ``"duckdb"``
            (``resolutionpricing[duckdb]``: ``log`` a ``.csv``, ``.jsonl`` or
            ``.parquet`` path, a pyarrow Table or a pandas or polars
            DataFrame, decided in SQL; the run's ``decisions_table``
            holds the decisions as Arrow). Both give the same invoices.
        sorted_by_start: the log is sorted by ``started_at`` (ties by id):
            decide it in one pass that holds only the contacts whose windows
            are open. A row out of order is an `InteractionLogError` naming its
            position; ids are checked unique among the open windows only;
            ``as_of`` defaults to the log's latest timestamp, known at the end;
            the run's ``decisions`` is empty (they are tallied, not kept).
            Both refuse ``issued``, ``audits`` and provisional billing.
        opening: for contracts with a contract-year clause (cumulative
            tiers, an included allowance, a prepaid commitment), the
            `Balances` before the first period the run prices: one
            `Balances` (a run of one contract) or a mapping of account id to
            `Balances`. Without it, the run first prices the earlier periods
            of the contract year from the same log, so that a period's
            invoice is the same whether it is billed alone or in a series.

    Returns:
        A `BillingRun`.

    Raises:
        InvalidValueError: two contracts for one account, a malformed period
            or range, a range that ends before it starts, or a period of
            another cadence than a contract's (path ``contracts[1].account_id``
            or ``periods``).
        InvalidTypeError: for a contract that is not a `Contract`.

    Examples:
        >>> from resolutionpricing import bill, load_contract, read_interactions
        >>> contracts = [load_contract(f"examples/accounts/acct-{n}.toml") for n in (1, 2, 3)]
        >>> run = bill(contracts, read_interactions("examples/accounts/interactions.csv"), "2026-10")
        >>> [(invoice.account_id, invoice.currency, str(invoice.total)) for invoice in run.invoices]
        [('acct-1', 'AED', '6474.83'), ('acct-2', 'SAR', '5750.00'), ('acct-3', 'KWD', '344.680')]
    """
    chosen = _checked_contracts(contracts)
    requested = _read_periods(periods)
    openings = _openings(chosen, opening)
    if engine not in {"python", "duckdb"}:
        raise InvalidValueError(
            "engine", f"{engine!r} is not an engine", 'one of "python", "duckdb"'
        )
    if engine == "duckdb" or sorted_by_start:
        # The other engines know nothing yet of corrections, audits or provisional billing.
        _refuse_late_data(
            chosen, issued, audits, engine if engine == "duckdb" else "sorted_by_start"
        )
        if engine == "duckdb":
            return _bill_in_duckdb(chosen, log, requested, as_of, openings)
        from resolutionpricing._stream import bill_sorted  # noqa: PLC0415 -- its own module

        rows = cast("Iterable[Interaction]", log)
        if as_of is not None:  # what was in the log at as_of: rows logged later are not known
            known = _check_as_of(as_of).astimezone(UTC)
            rows = (
                row
                for row in rows
                if row.logged_at is None or row.logged_at.astimezone(UTC) <= known
            )
        return bill_sorted(chosen, rows, requested, as_of=as_of, openings=openings)
    check_log(log)  # a path here is a natural mistake: say to read it
    rows = list(cast("Iterable[Interaction]", log))
    _check_rows(rows)
    known_at = None if as_of is None else _check_as_of(as_of)
    return _bill(
        [(contract, contract.account_id) for contract in chosen],
        rows,
        requested,
        known_at,
        checked_invoices(issued, "issued"),
        checked_adjustments(audits, "audits"),
        openings,
        read=_read_instants(log),
    )


def _read_instants(log: object) -> Instants | None:
    """The instants `read_interactions` computed as it read ``log``, if it did."""
    if isinstance(log, _ReadLog):
        # The reader refused every repeated id within an account.
        return Instants.of(log.starts, log.ends, log.logged, ids_checked=True)
    return None


def _openings(
    chosen: list[Contract], opening: Balances | Mapping[str | None, Balances] | None
) -> dict[str | None, Balances]:
    """The opening balance of each account, checked to be `Balances` of an account billed."""
    given: object = opening
    if given is None:
        return {}
    if isinstance(given, Balances):
        if len(chosen) != 1:
            raise InvalidValueError(
                "opening",
                f"is one Balances for a run of {len(chosen)} contracts",
                "a mapping of account id to Balances",
            )
        return {chosen[0].account_id: given}
    if not isinstance(given, Mapping):
        raise InvalidTypeError(
            "opening", f"{given!r} is not a Balances", "a Balances or a mapping of account id to it"
        )
    accounts = {contract.account_id for contract in chosen}
    found: dict[str | None, Balances] = {}
    for account, balances in given.items():
        if account not in accounts:
            raise InvalidValueError(
                f"opening[{account!r}]",
                "is not an account the run bills",
                "the account_id of one of the contracts",
            )
        if not isinstance(balances, Balances):
            raise InvalidTypeError(
                f"opening[{account!r}]", f"{balances!r} is not a Balances", "a Balances"
            )
        found[account] = balances
    return found


def _refuse_late_data(
    chosen: list[Contract], issued: Iterable[Invoice], audits: Iterable[Adjustment], engine: str
) -> None:
    """Refuse what only the Python engine carries: issued invoices, audits, provisional billing."""
    if next(iter(issued), None) is not None or next(iter(audits), None) is not None:
        raise InvalidValueError(
            engine, "cannot carry issued invoices or audit credits", 'engine="python"'
        )
    if any(contract.billing.pending is PendingBilling.BILL_PROVISIONALLY for contract in chosen):
        raise InvalidValueError(
            engine, "cannot bill pending contacts provisionally", 'engine="python"'
        )


def _bill_in_duckdb(
    chosen: list[Contract],
    source: object,
    requested: tuple[BillingPeriod, ...],
    as_of: datetime | None,
    openings: dict[str | None, Balances],
) -> BillingRun:
    from resolutionpricing._bill_duckdb import ArrowDecisions, bill_duckdb  # noqa: PLC0415

    known_at = None if as_of is None else _check_as_of(as_of)
    billed = [(contract, _contract_periods(contract, requested)) for contract in chosen]
    invoices, table, unbilled = bill_duckdb(billed, source, known_at, openings)
    return BillingRun(
        invoices=invoices, decisions=ArrowDecisions(table), unbilled=unbilled, decisions_table=table
    )


def calculate_invoice(
    contract: Contract,
    interactions: Iterable[Interaction],
    period: BillingPeriod | str,
    *,
    as_of: datetime | None = None,
) -> Invoice:
    """Price one billing period of one account from an interaction log.

    The one-account, one-period case of `bill`. When the contract names an
    account, only that account's rows are decided and billed. When it names
    none and the log holds one account (named or not), that account is
    billed; a log of several accounts is refused, so that one customer's
    contacts are never billed under another's contract.

    Every contact known at ``as_of`` is decided with the contract's
    resolution rule (`decide`). A contact belongs to the period in which it
    ended, in the contract's time zone (23:30 UTC on 31 October is November
    in Dubai); contacts of other periods only count as possible re-contacts,
    so the log should run past the period's end by the re-contact window.

    Pending contacts are not billed. The invoice is final when ``as_of`` is
    at or after the period's end plus the re-contact window and no contact
    of the period is pending. A pause cap overflows the chronologically last
    units (by ``ended_at``, then ``started_at``, then id); the
    ``resolutions`` line's details name the first contact that overflowed.

    Args:
        contract: the contract.
        interactions: the log, in any order; the result does not depend on it.
        period: a `BillingPeriod` or a label such as ``"2026-10"``.
        as_of: what was known (timezone-aware); contacts starting after it are
            ignored. Defaults to the latest timestamp in the log.

    Returns:
        The period's `Invoice`, whose `Invoice.usage` has every figure of
        the period (contacts, escalated, billable interactions and units,
        pending, not billable by reason, overflow units, and the rates).

    Raises:
        InteractionLogError: the contract names no account and the log holds
            several; the error names them.

    Examples:
        >>> from resolutionpricing import calculate_invoice, load_contract, read_interactions
        >>> contract = load_contract("examples/contract.toml")
        >>> invoice = calculate_invoice(contract, read_interactions("examples/interactions.csv"), "2026-10")
        >>> invoice.final, invoice.counts["contacts"], invoice.counts["billable_units"]
        (True, 13333, Decimal('6361.5017'))
    """
    return calculate_run(contract, interactions, period, as_of=as_of).invoices[0]


def calculate_run(
    contract: Contract,
    interactions: Iterable[Interaction],
    period: BillingPeriod | str,
    *,
    as_of: datetime | None = None,
) -> BillingRun:
    """`calculate_invoice`'s run: its one invoice, and the decisions of its account."""
    resolved = contract.period(period)
    check_log(interactions)  # a path here is a natural mistake: say to read it
    rows = list(interactions)
    _check_rows(rows)
    account = contract.account_id
    if account is None:
        accounts = sorted({row.account_id for row in rows}, key=_account_order)
        if len(accounts) > 1:
            listed = ", ".join(_shown_account(name) for name in accounts)
            problem = InvalidValueError(
                "account_id",
                f"the contract names no account and the log holds {len(accounts)}: {listed}",
                "set the contract's account_id, or bill every account with bill()",
            )
            msg = "the log holds more than one account"
            raise InteractionLogError(msg, [problem])
        account = accounts[0] if accounts else None
    known_at = None if as_of is None else _check_as_of(as_of)
    return _bill(
        [(contract, account)], rows, (resolved,), known_at, read=_read_instants(interactions)
    )


def _bill(  # noqa: PLR0917 -- the run's inputs, passed on unchanged from bill()
    billed: list[tuple[Contract, str | None]],
    rows: list[Interaction],
    requested: tuple[BillingPeriod, ...],
    as_of: datetime | None,
    issued: list[Invoice] | None = None,
    audits: list[Adjustment] | None = None,
    openings: Mapping[str | None, Balances] | None = None,
    *,
    read: Instants | None = None,
) -> BillingRun:
    """The run: ``as_of`` (None: the log's latest timestamp), then each account decided and priced.

    ``read`` is the rows' instants when the reader computed them (`_ReadLog`).
    """
    by_account = _by_account(rows)
    accounts = {account for _, account in billed}
    unbilled = {
        account: len(found)
        for account, found in sorted(by_account.items(), key=lambda item: _account_order(item[0]))
        if account not in accounts
    }
    for audit in audits or ():
        if audit.account_id not in accounts:
            raise InvalidValueError(
                "audits",
                f"the audit credit for {audit.period} is of {_shown_account(audit.account_id)}, which the run does not bill",
                "audit credits of the accounts billed",
            )
    invoices: list[Invoice] = []
    decisions = DecisionColumns()
    with paused_gc():
        # Each row's instants once: for as_of's default, the decisions and the periods.
        instants = _instants(
            rows,
            by_account,
            {account for account in by_account if account in accounts or as_of is None},
            read,
        )
        known_at = as_of if as_of is not None else _latest_of(instants.values())
        for contract, account in sorted(billed, key=lambda pair: _account_order(pair[1])):
            periods = _contract_periods(contract, requested)
            carried = Carried.of(contract, account, periods, issued or [], audits or [])
            invoices.extend(
                _bill_account(
                    contract,
                    account,
                    (by_account.get(account, []), instants.get(account)),
                    periods,
                    known_at,
                    carried,
                    decisions,
                    (openings or {}).get(account),
                )
            )
    return BillingRun(invoices=invoices, decisions=decisions, unbilled=unbilled, contacts=rows)


def _by_account(rows: list[Interaction]) -> dict[str | None, list[Interaction]]:
    """The rows of each account, in the log's order; a log of one account is not copied."""
    present = set(map(_ACCOUNT, rows))
    if len(present) == 1:
        return {present.pop(): rows}
    by_account: dict[str | None, list[Interaction]] = {}
    for row in rows:
        by_account.setdefault(row.account_id, []).append(row)
    return by_account


_ACCOUNT: Final = attrgetter("account_id")
_ID: Final = attrgetter("id")


def _instants(
    rows: list[Interaction],
    by_account: dict[str | None, list[Interaction]],
    wanted: set[str | None],
    read: Instants | None,
) -> dict[str | None, Instants]:
    """The instants of each wanted account's rows: the reader's when it gave them, else computed."""
    if read is None:
        return {
            account: Instants(by_account[account]) for account in by_account if account in wanted
        }
    if len(by_account) == 1:  # the rows of the one account are the log itself
        return {account: read for account in by_account if account in wanted}
    positions: dict[str | None, list[int]] = {account: [] for account in wanted}
    for position, account in enumerate(map(_ACCOUNT, rows)):
        if account in positions:
            positions[account].append(position)
    return {account: read.gather(found) for account, found in positions.items()}


def _latest_of(instants: Iterable[Instants]) -> datetime | None:
    """The latest timestamp of the whole log, as an instant in UTC (None for an empty log)."""
    latest = max((found for each in instants if (found := each.latest()) is not None), default=None)
    return None if latest is None else _EPOCH + latest * _MICROSECOND


def _bill_account(  # noqa: PLR0917 -- one account's share of the run
    contract: Contract,
    account: str | None,
    rows: tuple[list[Interaction], Instants | None],
    billed: list[BillingPeriod],
    known_at: datetime | None,
    carried: Carried,
    into: DecisionColumns,
    opening: Balances | None = None,
) -> list[Invoice]:
    """Decide one account's rows once (into ``into``), price each period, carry corrections.

    With a contract-year clause, the periods are priced in order from the
    first of the contract year (or from ``opening``), each from the balances
    the one before left.
    """
    earlier = carried.earlier()  # the issued periods recomputed for their corrections
    periods = series(contract, [*billed, *earlier], opening=opening)
    usages = _period_usages(contract, rows, periods, known_at, into)
    priced = price_series(
        contract,
        periods,
        lambda period, balances: _price(
            contract, account, period, *usages[period.label], known_at, balances=balances
        ),
        opening=opening,
    )
    invoices = [priced[period.label] for period in billed]
    if invoices:
        invoices[-1] = carried.onto(invoices[-1], priced)
    elif carried.audits:  # an audit credit must land on an invoice, never vanish
        raise InvalidValueError(
            "audits",
            f"the run bills no period of {_shown_account(account)} to carry its audit credit",
            "a period of the contract's term",
        )
    return invoices


def _period_usages(
    contract: Contract,
    rows: tuple[list[Interaction], Instants | None],
    periods: list[BillingPeriod],
    known_at: datetime | None,
    into: DecisionColumns,
) -> dict[str, tuple[Usage, str | None]]:
    """Decide one account's rows into ``into``; each period's `Usage` and first overflowing contact.

    The first overflow (a pause cap's) is looked for only when the contract
    has a pause cap. ``rows`` are the account's rows and their instants.
    """
    found, instants = rows
    provisional = contract.billing.pending is PendingBilling.BILL_PROVISIONALLY
    empty = usage_from_counts({}, 0, 0)
    if not found or known_at is None or instants is None:
        return _split(contract, {period.label: (empty, None) for period in periods})
    if not instants.ids_checked and len(set(map(_ID, found))) != len(found):
        _check_unique(found)  # names every repeated id
    positions, starts, ends = decide_columns(
        contract.resolution,
        found,
        instants,
        _micros(known_at),
        _PeriodFinder(contract, periods).labels,
        into,
    )
    usages = usages_of(into, positions, provisional=provisional)
    pause = cap_of(contract, PauseCap)
    overflows = (
        {}
        if pause is None
        else first_overflows(into, positions, starts, ends, pause.limit, provisional=provisional)
    )
    return _split(
        contract,
        {
            period.label: (usages.get(period.label, empty), overflows.get(period.label))
            for period in periods
        },
        into,
        positions,
        ends,
    )


class _PeriodFinder:
    """The rule, written once: a contact belongs to the billed period containing its ``ended_at``.

    Periods are compared as instants (their bounds in the contract's time
    zone): aware datetimes sharing a tzinfo compare by wall clock, which is
    wrong in a repeated daylight-saving hour.
    """

    def __init__(self, contract: Contract, periods: list[BillingPeriod]) -> None:
        self.labels_of = [period.label for period in periods]
        bounds = [period.bounds(contract.timezone) for period in periods]
        self.starts = [_micros(start) for start, _ in bounds]
        self.ends = [_micros(end) for _, end in bounds]

    def at(self, moment: int) -> str | None:
        """The label of the period containing ``moment`` (microseconds), or None."""
        index = bisect_right(self.starts, moment) - 1
        if index >= 0 and moment < self.ends[index]:
            return self.labels_of[index]
        return None

    def labels(self, moments: list[int]) -> list[str | None]:
        """`_PeriodFinder.at` of each moment, in one pass."""
        if len(self.labels_of) == 1:  # one period (the usual run): two comparisons a contact
            (label,), (low,), (high,) = self.labels_of, self.starts, self.ends
            return [label if low <= moment < high else None for moment in moments]
        starts, ends, labels = self.starts, self.ends, self.labels_of
        return [
            labels[index]
            if (index := bisect_right(starts, moment) - 1) >= 0 and moment < ends[index]
            else None
            for moment in moments
        ]


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _price(  # noqa: PLR0917 -- the seam the pricing loop calls, one period at a time
    contract: Contract,
    account: str | None,
    period: BillingPeriod,
    usage: Usage,
    overflow_from: str | None,
    known_at: datetime | None,
    *,
    balances: Balances | None = None,
) -> Invoice:
    """Price one period's usage: its invoice, final or not, provisional when pending contacts bill."""
    invoice = price_period(
        contract,
        period,
        usage=usage,
        final=_final(contract, period, usage, known_at),
        as_of=_shown_as_of(contract, known_at),
        overflow_from=overflow_from,
        account_id=account,
        balances_before=balances,
    )
    if contract.billing.pending is PendingBilling.BILL_PROVISIONALLY and usage.pending:
        return attrs.evolve(invoice, provisional=True)
    return invoice


def _split(
    contract: Contract,
    usages: dict[str, tuple[Usage, str | None]],
    columns: DecisionColumns | None = None,
    positions: range = range(0),
    ends: Sequence[int] = (),
) -> dict[str, tuple[Usage, str | None]]:
    """Each period's usage with its pilot units and per-channel units, when the contract has them.

    A contact belongs to the pilot when it ends on one of the pilot's days
    (in the contract's time zone); the rest count toward their channel's
    own price when it has one. ``ends`` are the positions' ``ended_at`` in
    microseconds, in their order.
    """
    pilot = contract.pilot
    channels = contract.channel_pricing
    if pilot is None and not channels:
        return usages
    low = high = 0
    if pilot is not None:
        start, end = pilot.bounds(contract.timezone)
        low, high = _micros(start), _micros(end)
    zero = ARITHMETIC.create_decimal(0)
    pilot_units = dict.fromkeys(usages, zero)
    by_channel = {label: dict.fromkeys(channels, zero) for label in usages}
    counted = {DecisionStatus.BILLABLE}
    if contract.billing.pending is PendingBilling.BILL_PROVISIONALLY:
        counted.add(DecisionStatus.PENDING)
    if columns is not None:
        base, stop = positions.start, positions.stop
        for rank, (row, label, outcome) in enumerate(
            zip(
                columns.rows[base:stop],
                columns.periods[base:stop],
                columns.outcomes[base:stop],
                strict=True,
            )
        ):
            if label is None or outcome.status not in counted:
                continue
            units = (
                outcome.units
                if outcome.status is DecisionStatus.BILLABLE
                else outcome.provisional_units
            )
            if pilot is not None and low <= ends[rank] < high:
                pilot_units[label] = ARITHMETIC.add(pilot_units[label], units)
            elif row.channel in channels:
                shares = by_channel[label]
                shares[row.channel] = ARITHMETIC.add(shares[row.channel], units)
    return {
        label: (
            attrs.evolve(
                usage,
                pilot_units=None if pilot is None else pilot_units[label],
                channel_units=by_channel[label] if channels else None,
            ),
            overflow,
        )
        for label, (usage, overflow) in usages.items()
    }


def _final(
    contract: Contract, period: BillingPeriod, usage: Usage, known_at: datetime | None
) -> bool:
    """Nothing can change: the window after the period's end has passed, and nothing is pending."""
    if known_at is None or usage.pending:
        return False
    _, end = period.bounds(contract.timezone)
    return _micros(known_at) >= _micros(end) + contract.resolution.recontact_window // _MICROSECOND


def _shown_as_of(contract: Contract, known_at: datetime | None) -> datetime | None:
    """``as_of`` in the contract's time zone, so it prints the same whatever zone it came in."""
    if known_at is None:
        return None
    try:
        return known_at.astimezone(zone(contract.timezone))
    except OverflowError:
        raise InvalidValueError(
            "as_of",
            f"{known_at} is out of range in {contract.timezone}",
            "a date before 9999-12-31",
        ) from None


def _checked_contracts(contracts: Contract | Iterable[Contract]) -> list[Contract]:
    """The contracts, each a `Contract`, one per account and at most one without."""
    given: object = contracts
    if isinstance(given, Contract):
        return [given]
    if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
        raise InvalidTypeError(
            "contracts", f"{given!r} is not a contract", "a Contract or a list of them"
        )
    chosen = list(given)
    seen: dict[str | None, int] = {}
    for index, contract in enumerate(chosen):
        if not isinstance(contract, Contract):
            raise InvalidTypeError(
                f"contracts[{index}]", f"{contract!r} is not a Contract", "Contract objects"
            )
        first = seen.setdefault(contract.account_id, index)
        if first != index:
            whose = (
                "bills no account"
                if contract.account_id is None
                else f"bills {contract.account_id!r}"
            )
            raise InvalidValueError(
                f"contracts[{index}].account_id",
                f"contracts[{first}] ({chosen[first].name!r}) already {whose}",
                "one contract per account, and at most one without an account_id",
            )
    return chosen


def _read_periods(
    periods: BillingPeriod | str | Sequence[BillingPeriod | str],
) -> tuple[BillingPeriod, ...]:
    """The requested periods, each once, in order."""
    given: object = periods
    items = [given] if isinstance(given, (str, BillingPeriod)) else given
    if not isinstance(items, Iterable):
        raise InvalidTypeError("periods", f"{given!r} is not a period", _RANGE_HINT)
    found: set[BillingPeriod] = set()
    for item in items:
        if isinstance(item, BillingPeriod):
            found.add(item)
        elif isinstance(item, str):
            found.update(_read_range(item) if ".." in item else [_label(item)])
        else:
            raise InvalidTypeError("periods", f"{item!r} is not a period", _RANGE_HINT)
    if not found:
        raise InvalidValueError("periods", "is empty", _RANGE_HINT)
    return tuple(sorted(found))


def _label(text: str) -> BillingPeriod:
    try:
        return BillingPeriod.parse(text)
    except InvalidValueError as error:
        raise InvalidValueError("periods", error.problem, _RANGE_HINT) from None


def _read_range(text: str) -> list[BillingPeriod]:
    first_text, _, last_text = text.partition("..")
    if ".." in last_text or not first_text or not last_text:
        raise InvalidValueError(
            "periods",
            f"{text!r} is not a range",
            'two labels joined by "..", such as "2026-07..2026-12"',
        )
    first, last = _label(first_text), _label(last_text)
    if first.cadence is not last.cadence:
        raise InvalidValueError(
            "periods",
            f"{text!r} joins a {first.cadence.value} and a {last.cadence.value} period",
            "two labels of one cadence",
        )
    if last.start < first.start:
        raise InvalidValueError(
            "periods",
            f"{text!r} ends before it starts",
            "a range whose end is on or after its start",
        )
    found = [first]
    while found[-1] != last:
        found.append(found[-1].next())
    return found


def _contract_periods(
    contract: Contract, requested: tuple[BillingPeriod, ...]
) -> list[BillingPeriod]:
    """The requested periods of the contract's cadence that overlap its term; another cadence is refused."""
    for period in requested:
        if period.cadence is not contract.billing_period:
            raise InvalidValueError(
                "periods",
                f"{period.label} is {period.cadence.value} but {contract.name!r} bills {contract.billing_period.value}",
                f"{contract.billing_period.value} periods",
            )
    # The test of Contract.period: a period that overlaps the term or the pilot.
    return [period for period in requested if contract.bills(period)]
