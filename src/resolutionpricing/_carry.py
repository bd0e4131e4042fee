"""Carried corrections: bill the difference between what a period should be and what was billed.

Kill Bill's idea (what should be billed against what has been billed): for
each earlier period of an account, what has been billed is its issued
invoice, without the lines it carried for other periods, with every
``prior_period_adjustment:<period>`` for it that a later issued invoice
carried applied in period order (each is recovered from the carrying line's
`CarriedAdjustmentDetails`). The period recomputed from the current log is
reconciled against that, and only a non-empty difference goes on the
current invoice. An adjustment already carried is part of what has been
billed, so carrying again adds nothing for the same change.

Audit credits (`resolutionpricing.audit_credit`) go on the current invoice
as ``audit_credit:<period>`` lines; one already carried by an issued
invoice (an equal adjustment) is not carried again.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from resolutionpricing._adjustment import Adjustment
from resolutionpricing._contract import Contract
from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._invoice import CarriedAdjustmentDetails, Invoice, LineItem
from resolutionpricing._money import ARITHMETIC, round_money
from resolutionpricing._periods import BillingPeriod
from resolutionpricing._reconcile import reconcile

__all__ = ["Carried", "carried_codes"]

PRIOR: str = "prior_period_adjustment"
AUDIT: str = "audit_credit"
carried_codes = frozenset({PRIOR, AUDIT})


def checked_invoices(values: Iterable[Invoice], path: str) -> list[Invoice]:
    """The issued invoices, each an `Invoice`, one per (account, period)."""
    given: object = values
    if isinstance(given, (str, bytes, Invoice)) or not isinstance(given, Iterable):
        raise InvalidTypeError(path, f"{given!r} is not a list of invoices", "a list of Invoice")
    invoices = list(given)
    seen: dict[tuple[str | None, str], int] = {}
    for index, invoice in enumerate(invoices):
        if not isinstance(invoice, Invoice):
            raise InvalidTypeError(
                f"{path}[{index}]", f"{invoice!r} is not an Invoice", "Invoice objects"
            )
        first = seen.setdefault((invoice.account_id, invoice.period.label), index)
        if first != index:
            raise InvalidValueError(
                f"{path}[{index}]",
                f"{path}[{first}] is already the invoice of {invoice.account_id!r} for {invoice.period.label}",
                "one issued invoice per account and period",
            )
    return invoices


def checked_adjustments(values: Iterable[Adjustment], path: str) -> list[Adjustment]:
    given: object = values
    if isinstance(given, (str, bytes, Adjustment)) or not isinstance(given, Iterable):
        raise InvalidTypeError(
            path, f"{given!r} is not a list of adjustments", "a list of Adjustment"
        )
    adjustments = list(given)
    for index, adjustment in enumerate(adjustments):
        if not isinstance(adjustment, Adjustment):
            raise InvalidTypeError(
                f"{path}[{index}]", f"{adjustment!r} is not an Adjustment", "Adjustment objects"
            )
    return adjustments


@attrs.frozen(kw_only=True)
class Carried:
    """One account's issued invoices and audit credits, and the periods they make the run price."""

    contract: Contract
    current: BillingPeriod | None
    issued: tuple[Invoice, ...]
    audits: tuple[Adjustment, ...]

    @classmethod
    def of(
        cls,
        contract: Contract,
        account: str | None,
        periods: Sequence[BillingPeriod],
        issued: Sequence[Invoice],
        audits: Sequence[Adjustment],
    ) -> Carried:
        """The account's share; an issued invoice of a period the run bills is refused."""
        mine = tuple(invoice for invoice in issued if invoice.account_id == account)
        labels = {period.label for period in periods}
        for invoice in mine:
            if invoice.contract_id != contract.id:
                raise InvalidValueError(
                    "issued",
                    f"the invoice of {account!r} for {invoice.period.label} is of contract id "
                    f"{invoice.contract_id!r}, not {contract.id!r}",
                    "the invoices issued under the contract that bills the account",
                )
            if invoice.period.label in labels:
                raise InvalidValueError(
                    "issued",
                    f"{invoice.period.label} of {account!r} was already issued",
                    "bill a later period: its invoice carries the corrections (or use reconcile)",
                )
        return cls(
            contract=contract,
            current=max(periods) if periods else None,
            issued=mine,
            audits=tuple(audit for audit in audits if audit.account_id == account),
        )

    def earlier(self) -> list[BillingPeriod]:
        """The issued periods before the run's current one: the run recomputes them."""
        if self.current is None:
            return []
        current = self.current
        return sorted(invoice.period for invoice in self.issued if invoice.period < current)

    def onto(self, invoice: Invoice, recomputed: dict[str, Invoice]) -> Invoice:
        """The current invoice with the prior-period differences and the audit credits on it."""
        lines = [self._prior_line(period, recomputed[period.label]) for period in self.earlier()]
        lines += [self._audit_line(audit) for audit in self.audits if not self._carried(audit)]
        found = [line for line in lines if line is not None]
        return with_lines(self.contract, invoice, found) if found else invoice

    def billed(self, period: BillingPeriod) -> Invoice:
        """What has been billed for ``period``: its own lines, and every correction carried since."""
        issued = next(invoice for invoice in self.issued if invoice.period == period)
        billed = own(self.contract, issued)
        for carrier in sorted(self.issued, key=lambda invoice: invoice.period):
            for line in carrier.lines:
                details = line.details
                if (
                    line.code == PRIOR
                    and isinstance(details, CarriedAdjustmentDetails)
                    and details.adjustment.period == period.label
                ):
                    billed = billed.apply(details.adjustment)
        return billed

    def _prior_line(self, period: BillingPeriod, recomputed: Invoice) -> LineItem | None:
        adjustment = reconcile(self.billed(period), own(self.contract, recomputed))
        if adjustment.is_empty:
            return None
        return _carried_line(PRIOR, f"Correction of {period.label} (late data)", adjustment)

    def _audit_line(self, audit: Adjustment) -> LineItem | None:
        if audit.is_empty:
            return None
        if audit.currency != self.contract.currency:
            raise InvalidValueError(
                "audits",
                f"the audit credit for {audit.period} is in {audit.currency}, not {self.contract.currency}",
                "audit credits of the account's contract",
            )
        return _carried_line(AUDIT, f"Audit credit for {audit.period}", audit)

    def _carried(self, audit: Adjustment) -> bool:
        return any(
            isinstance(line.details, CarriedAdjustmentDetails) and line.details.adjustment == audit
            for invoice in self.issued
            for line in invoice.lines
            if line.code == AUDIT
        )


def _carried_line(code: str, description: str, adjustment: Adjustment) -> LineItem:
    with decimal.localcontext(ARITHMETIC):
        amount = sum((line.difference for line in adjustment.lines), start=Decimal(0))
    return LineItem(
        code=code,
        description=description,
        quantity=Decimal(1),
        unit_price=None,
        amount=amount,
        details=CarriedAdjustmentDetails(adjustment=adjustment),
    )


def own(contract: Contract, invoice: Invoice) -> Invoice:
    """The invoice without the lines it carries for other periods, its tax recomputed."""
    lines = [line for line in invoice.lines if line.code not in carried_codes]
    if len(lines) == len(invoice.lines):
        return invoice
    return with_lines(contract, attrs.evolve(invoice, lines=lines), [])


def with_lines(contract: Contract, invoice: Invoice, extra: list[LineItem]) -> Invoice:
    """The invoice with ``extra`` lines after its own, subtotal, tax and total recomputed."""
    lines = [*invoice.lines, *extra]
    keys = [line.key for line in lines]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise InvalidValueError(
            "audits", f"the invoice would carry {', '.join(repeated)} twice", "one line per key"
        )
    with decimal.localcontext(ARITHMETIC):
        subtotal = sum((line.amount for line in lines), start=contract.round(Decimal(0)))
        tax = round_money(
            subtotal * invoice.tax_rate,
            invoice.currency,
            invoice.rounding,
            invoice.rounding_increment,
        )
        return attrs.evolve(invoice, lines=lines, subtotal=subtotal, tax=tax, total=subtotal + tax)
