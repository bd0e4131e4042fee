"""Statements: one account's periods in order, with their totals and contract-year balances."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from resolutionpricing._display import html_table, text_table
from resolutionpricing._errors import InvalidValueError
from resolutionpricing._invoice import Invoice, money_text
from resolutionpricing._money import minor_unit
from resolutionpricing._usage import normal_text

__all__ = ["Statement"]

_COLUMNS = (
    "period",
    "billable_units",
    "subtotal",
    "tax",
    "total",
    "cumulative_units",
    "allowance_left",
    "commitment_left",
    "final",
)
_HEADERS = {
    "billable_units": "billable units",
    "cumulative_units": "year's units",
    "allowance_left": "allowance left",
    "commitment_left": "commitment left",
}


def _in_order(invoices: Iterable[Invoice]) -> tuple[Invoice, ...]:
    return tuple(sorted(invoices, key=lambda invoice: invoice.period))


@attrs.frozen(kw_only=True)
class Statement:
    """One account's invoices of a run, period by period, with the balances after each.

    Made by `BillingRun.statement`. The balances columns are those after
    each period (`Invoice.balances_after`): the year's tier units, the
    included units left, the prepaid commitment left; ``-`` for a contract
    without contract-year clauses.

    Attributes:
        account_id: the account (None: the rows without one).
        currency: the invoices' currency.
        invoices: the account's invoices, in period order.

    Examples:
        >>> from resolutionpricing import bill, load_contract, read_interactions
        >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10..2026-11")
        >>> statement = run.statement(None)
        >>> [row["period"] for row in statement.to_rows()], statement.total
        (['2026-10', '2026-11'], Decimal('46456.34'))
    """

    account_id: str | None
    currency: str
    invoices: tuple[Invoice, ...] = attrs.field(converter=_in_order)

    @property
    def total(self) -> Decimal:
        """The sum of the invoices' totals."""
        return sum((invoice.total for invoice in self.invoices), start=Decimal(0))

    def to_rows(self) -> list[dict[str, object]]:
        """One flat row per period: period, billable units, subtotal, tax, total, balances after, final.

        Examples:
            >>> from resolutionpricing import bill, load_contract
            >>> row = bill(load_contract("examples/annual-contract.toml"), [], "2026-07").statement(None).to_rows()[0]
            >>> row["period"], row["total"], row["commitment_left"]
            ('2026-07', Decimal('191100.00'), Decimal('180000.00'))
        """
        rows = []
        for invoice in self.invoices:
            after = invoice.balances_after
            rows.append(
                {
                    "period": invoice.period.label,
                    "billable_units": invoice.usage.billable_units,
                    "subtotal": invoice.subtotal,
                    "tax": invoice.tax,
                    "total": invoice.total,
                    "cumulative_units": None if after is None else after.cumulative_units,
                    "allowance_left": None if after is None else after.allowance_left,
                    "commitment_left": None if after is None else after.commitment_left,
                    "final": invoice.final,
                }
            )
        return rows

    def to_text(self) -> str:
        """The statement as a fixed-width table, then the total.

        What ``resolutionpricing bill ... --statement`` prints.

        Examples:
            >>> from resolutionpricing import bill, load_contract
            >>> print(bill(load_contract("examples/contract.toml"), [], "2026-10").statement(None).to_text(), end="")
            Statement: (no account), AED
            period   billable units  subtotal     tax     total  year's units  allowance left  commitment left  final
            2026-10               0  19000.00  950.00  19950.00  -             -               -                no
            total: AED 19950.00
        """
        money = dict.fromkeys(("subtotal", "tax", "total", "commitment_left"), self.currency)
        table = text_table(
            self.to_rows(),
            _COLUMNS,
            caption=f"Statement: {self._account()}, {self.currency}",
            headers=_HEADERS,
            money=money,
        )
        total = money_text(self.total, minor_unit(self.currency))
        return f"{table}total: {self.currency} {total}\n"

    def _account(self) -> str:
        return "(no account)" if self.account_id is None else self.account_id

    def _repr_html_(self) -> str:
        """The statement as an HTML table (money to the currency's minor unit)."""
        money = dict.fromkeys(("subtotal", "tax", "total", "commitment_left"), self.currency)
        return html_table(
            self.to_rows(),
            _COLUMNS,
            caption=f"Statement: {self._account()}, {self.currency}",
            headers=_HEADERS,
            money=money,
        )

    def to_dict(self) -> dict[str, Any]:
        """The statement as JSON-safe data: each period's figures and balances, then the total.

        Examples:
            >>> from resolutionpricing import bill, load_contract
            >>> data = bill(load_contract("examples/annual-contract.toml"), [], "2026-07").statement(None).to_dict()
            >>> data["periods"][0]["balances_after"]["commitment_left"], data["total"]
            ('180000', '191100.00')
        """
        places = minor_unit(self.currency)
        return {
            "account_id": self.account_id,
            "currency": self.currency,
            "periods": [
                {
                    "period": invoice.period.label,
                    "billable_units": normal_text(invoice.usage.billable_units),
                    "subtotal": money_text(invoice.subtotal, places),
                    "tax": money_text(invoice.tax, places),
                    "total": money_text(invoice.total, places),
                    "final": invoice.final,
                    "balances_before": None
                    if invoice.balances_before is None
                    else invoice.balances_before.to_dict(),
                    "balances_after": None
                    if invoice.balances_after is None
                    else invoice.balances_after.to_dict(),
                }
                for invoice in self.invoices
            ],
            "total": money_text(self.total, places),
        }

    def to_json(self) -> str:
        """Canonical JSON: keys sorted, no spaces, UTF-8 text.

        Examples:
            >>> from resolutionpricing import bill, load_contract
            >>> bill(load_contract("examples/contract.toml"), [], "2026-10").statement(None).to_json()[:30]
            '{"account_id":null,"currency":'
        """
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def statement_of(invoices: Iterable[Invoice], account_id: str | None) -> Statement:
    """The `Statement` of ``account_id`` from a run's invoices; an account without any is refused."""
    found = [invoice for invoice in invoices if invoice.account_id == account_id]
    if not found:
        shown = "(no account)" if account_id is None else repr(account_id)
        raise InvalidValueError(
            "account_id", f"the run has no invoice of {shown}", "an account the run billed"
        )
    return Statement(account_id=account_id, currency=found[0].currency, invoices=found)
