"""Invoices, usage and billing runs for people and for DataFrames.

Three forms of the same figures: fixed-width text (`Invoice.to_text`, what
the CLI prints), HTML tables (``_repr_html_``, what a notebook shows) and
flat rows (``to_rows`` and friends, what ``pandas.DataFrame`` takes). Rows
keep money and units as `Decimal` and times as `datetime`; the text and the
HTML print money to the currency's minor unit and never go through a float.
"""

from __future__ import annotations

import decimal
import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from resolutionpricing._decisions import DecisionStatus
from resolutionpricing._display import Table, cell_text, html_block, html_table
from resolutionpricing._invoice import ResolutionDetails
from resolutionpricing._money import ARITHMETIC, format_decimal
from resolutionpricing._tiers import PricingMode, TierPart

if TYPE_CHECKING:
    from resolutionpricing._billing import BillingRun
    from resolutionpricing._interactions import Interaction
    from resolutionpricing._invoice import Invoice
    from resolutionpricing._usage import Usage

__all__ = [
    "DECISION_COLUMNS",
    "INVOICE_COLUMNS",
    "LINE_COLUMNS",
    "TIER_COLUMNS",
    "decisions_rows",
    "invoice_html",
    "invoice_rows",
    "invoice_text",
    "invoices_rows",
    "run_html",
    "run_text",
    "tier_rows",
    "usage_html",
    "usage_rows",
    "usage_text",
]

LINE_COLUMNS: Final = ("key", "code", "description", "quantity", "unit_price", "amount")
TIER_COLUMNS: Final = (
    "key",
    "tier",
    "from",
    "up_to",
    "quantity",
    "unit_price",
    "flat_fee",
    "amount",
)
INVOICE_COLUMNS: Final = (
    "account_id",
    "period",
    "currency",
    "contacts",
    "billable_interactions",
    "billable_units",
    "pending",
    "not_billable_interactions",
    "escalated",
    "subtotal",
    "tax",
    "total",
    "final",
)
DECISION_COLUMNS: Final = (
    "account_id",
    "period",
    "interaction_id",
    "customer_id",
    "channel",
    "conversation_id",
    "started_at",
    "ended_at",
    "status",
    "units",
    "provisional_units",
    "billable_reasons",
    "not_billable_reasons",
    "pending_reasons",
    "recontacted_by",
    "voided_topics",
)


# Invoice ---------------------------------------------------------------------


def invoice_rows(invoice: Invoice) -> list[dict[str, object]]:
    """One row per line: key, code, description, quantity, unit_price, amount."""
    return [
        {
            "key": line.key,
            "code": line.code,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "amount": line.amount,
        }
        for line in invoice.lines
    ]


def tier_rows(invoice: Invoice) -> list[dict[str, object]]:
    """One row per tier part of every line with tiers, with its line's key."""
    return [
        {
            "key": line.key,
            "tier": part.index + 1,
            "from": part.lower,
            "up_to": part.up_to,
            "quantity": part.quantity,
            "unit_price": part.unit_price,
            "flat_fee": part.flat_fee,
            "amount": part.amount,
        }
        for line in invoice.lines
        if isinstance(line.details, ResolutionDetails)
        for part in line.details.tiers
    ]


def _status(invoice: Invoice) -> str:
    return "final" if invoice.final else "NOT FINAL: re-contacts may still change it"


def _tax_label(invoice: Invoice) -> str:
    # In the library's context: the caller's precision must not change the label.
    with decimal.localcontext(ARITHMETIC):
        rate = format_decimal((invoice.tax_rate * 100).normalize())
    return f"tax ({rate}%)"


def invoice_text(invoice: Invoice) -> str:
    """The invoice as a readable table, one row per line, then subtotal, tax, total and counts."""
    code_width = max([15, *(len(line.code) + 1 for line in invoice.lines)])
    rows = [
        invoice.contract,
        f"Period {invoice.period.label} ({invoice.currency}, {_status(invoice)})",
        "",
    ]
    rows.append(
        f"{'code':<{code_width}} {'description':<44} {'quantity':>10} {'unit price':>14} {'amount':>15}"
    )
    for line in invoice.lines:
        unit_price = "" if line.unit_price is None else format_decimal(line.unit_price)
        rows.append(
            f"{line.code:<{code_width}} {line.description[:44]:<44} "
            f"{format_decimal(line.quantity):>10} {unit_price:>14} {format_decimal(line.amount):>15}"
        )
        if isinstance(line.details, ResolutionDetails):
            rows.extend(
                f"{'':<{code_width}}   {text:<68} {'' if amount is None else cell_text(amount):>15}"
                for text, amount in _breakdown(line.details)
            )
    width = code_width + 1 + 44 + 1 + 10 + 1 + 14
    rows.append("")
    rows.append(f"{'subtotal':>{width}} {format_decimal(invoice.subtotal):>15}")
    rows.append(f"{_tax_label(invoice):>{width}} {format_decimal(invoice.tax):>15}")
    rows.append(f"{'total':>{width}} {format_decimal(invoice.total):>15}")
    rows.extend(_balance_rows(invoice))
    rows.extend(_count_rows(invoice.counts))
    return "\n".join(rows) + "\n"


_BALANCE_FIGURES = ("cumulative_units", "allowance_left", "commitment_left")


def balance_rows(invoice: Invoice) -> list[dict[str, object]]:
    """One row per contract-year balance: its figure before and after the period."""
    before, after = invoice.balances_before, invoice.balances_after
    if before is None or after is None:
        return []
    rows: list[dict[str, object]] = [
        {
            "balance": "year_starts_on",
            "before": before.year_starts_on,
            "after": after.year_starts_on,
        }
    ]
    rows.extend(
        {"balance": name, "before": getattr(before, name), "after": getattr(after, name)}
        for name in _BALANCE_FIGURES
        if getattr(before, name) is not None
    )
    rows.extend(
        {
            "balance": f"channel_units:{channel}",
            "before": before.channel_units.get(channel, Decimal(0)),
            "after": units,
        }
        for channel, units in after.channel_units.items()
    )
    return rows


def _balance_rows(invoice: Invoice) -> list[str]:
    rows = balance_rows(invoice)
    if not rows:
        return []
    lines = ["", f"{'Contract year':<30} {'before':>12} {'after':>12}"]
    lines.extend(
        f"  {str(row['balance']).replace('_', ' '):<28} {cell_text(row['before']):>12} {cell_text(row['after']):>12}"
        for row in rows
    )
    return lines


def _breakdown(details: ResolutionDetails) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    if details.included_units is not None:
        rows.append((f"included: {format_decimal(details.included_units)}", None))
    if details.cumulative is not None:
        position = details.cumulative
        text = (
            f"contract year: units {format_decimal(position.units_before)} to "
            f"{format_decimal(position.units_after)}"
        )
        rows.append((text, None))
    for part in details.tiers:
        if details.mode is PricingMode.PACKAGE:
            rows.append((_package_text(part), part.amount))
            continue
        text = f"tier {part.index + 1}: {format_decimal(part.quantity)} x {format_decimal(part.unit_price)}"
        if part.flat_fee:
            text += f" + {format_decimal(part.flat_fee)} flat"
        rows.append((text, part.amount))
    step = details.step_down
    if step is not None and step.quantity:
        text = (
            f"step-down above {format_decimal(step.above)}: "
            f"{format_decimal(step.quantity)} x {format_decimal(step.unit_price)}"
        )
        rows.append((text, step.amount))
    return rows


def _package_text(part: TierPart) -> str:
    """A package part: its quantity counts packages, above the free units."""
    text = f"packages: {format_decimal(part.quantity)} x {format_decimal(part.unit_price)}"
    if part.lower:
        text += f" (above {format_decimal(part.lower)} free units)"
    return text


def _count_rows(counts: Mapping[str, object]) -> list[str]:
    if "contacts" not in counts or "pending" not in counts:
        return []

    def row(label: str, value: object, indent: int = 2) -> str:
        return f"{'':<{indent}}{label.replace('_', ' '):<{30 - indent}} {cell_text(value):>12}"

    keys = ("contacts", "escalated", "billable_interactions", "billable_units", "pending")
    rows = ["", "Contacts of the period", *(row(key, counts[key]) for key in keys)]
    rows.append(row("not billable", counts.get("not_billable_interactions")))
    not_billable = counts.get("not_billable")
    if isinstance(not_billable, Mapping):
        rows.extend(row(reason, number, indent=4) for reason, number in not_billable.items())
    rates = ("overflow_units", "containment_rate", "resolution_rate")
    rows.extend(row(key, counts.get(key)) for key in rates)
    return rows


def _breakdown_caption(invoice: Invoice) -> str:
    """Under package prices a part's quantity counts packages, and the caption says so."""
    modes = {
        line.details.mode for line in invoice.lines if isinstance(line.details, ResolutionDetails)
    }
    if modes == {PricingMode.PACKAGE}:
        return "Package breakdown (quantity in packages, from the free units)"
    return "Tier breakdown"


def _heading(invoice: Invoice) -> str:
    account = "" if invoice.account_id is None else f", account {invoice.account_id}"
    return f"Period {invoice.period.label} ({invoice.currency}{account}, {_status(invoice)})"


def invoice_html(invoice: Invoice) -> str:
    """The invoice as HTML: lines, tier breakdown, totals and counts, money to the minor unit."""
    money = dict.fromkeys(("unit_price", "flat_fee", "amount"), invoice.currency)
    tables = [Table(invoice_rows(invoice), LINE_COLUMNS, caption="Lines", money=money)]
    tiers = tier_rows(invoice)
    if tiers:
        tables.append(
            Table(
                tiers,
                TIER_COLUMNS,
                caption=_breakdown_caption(invoice),
                money=money,
                align={"up_to": "right"},
            )
        )
    totals: list[dict[str, object]] = [
        {"": "subtotal", "amount": invoice.subtotal},
        {"": _tax_label(invoice), "amount": invoice.tax},
        {"": "total", "amount": invoice.total},
    ]
    tables.append(Table(totals, ("", "amount"), caption="Totals", money=money))
    balances = balance_rows(invoice)
    if balances:
        tables.append(Table(balances, ("balance", "before", "after"), caption="Contract year"))
    tables.append(_counts_table(invoice.usage, caption="Counts"))
    return html_block(
        f"<p>{html.escape(_heading(invoice))}</p>",
        *(table.html() for table in tables),
        title=invoice.contract,
    )


# Usage -----------------------------------------------------------------------


def usage_rows(usage: Usage) -> list[dict[str, object]]:
    """One flat row of the counts, each not-billable reason as ``not_billable_<reason>``."""
    row: dict[str, object] = {}
    for key, value in usage.counts().items():
        if isinstance(value, Mapping):
            row.update({f"not_billable_{reason}": number for reason, number in value.items()})
        else:
            row[key] = value
    return [row]


def _counts_table(usage: Usage, caption: str | None = None) -> Table:
    """The counts as two columns, figure and value, each not-billable reason on its own row."""
    rows: list[dict[str, object]] = []
    for key, value in usage.counts().items():
        if isinstance(value, Mapping):
            rows.extend(
                {"figure": f"not_billable: {reason}", "value": n} for reason, n in value.items()
            )
        else:
            rows.append({"figure": key, "value": value})
    return Table(rows, ("figure", "value"), caption=caption, align={"value": "right"})


def usage_text(usage: Usage) -> str:
    """The counts as a two-column table: figure and value."""
    return _counts_table(usage).text()


def usage_html(usage: Usage) -> str:
    """The counts as an HTML table: figure and value."""
    return _counts_table(usage, caption="Counts").html()


# Billing run -----------------------------------------------------------------


def invoices_rows(run: BillingRun) -> list[dict[str, object]]:
    """One row per invoice: account, period, currency, counts, subtotal, tax, total, final."""
    return [
        {
            "account_id": invoice.account_id,
            "period": invoice.period.label,
            "currency": invoice.currency,
            "contacts": invoice.usage.contacts,
            "billable_interactions": invoice.usage.billable_interactions,
            "billable_units": invoice.usage.billable_units,
            "pending": invoice.usage.pending,
            "not_billable_interactions": invoice.usage.not_billable_interactions,
            "escalated": invoice.usage.escalated,
            "subtotal": invoice.subtotal,
            "tax": invoice.tax,
            "total": invoice.total,
            "final": invoice.final,
        }
        for invoice in run.invoices
    ]


def decisions_rows(run: BillingRun) -> list[dict[str, object]]:
    """One row per decision, joined with its contact (channel, customer, times).

    The reasons are split by status: ``billable_reasons`` (``partial``),
    ``not_billable_reasons`` (those the invoice counts) and
    ``pending_reasons``; each a list. The contact's columns are None when
    the run does not hold the contacts (the DuckDB and sorted engines).
    """
    contacts: dict[tuple[str | None, str], Interaction] = {
        (row.account_id, row.id): row for row in run.contacts
    }
    rows: list[dict[str, object]] = []
    for decision in run.decisions:
        contact = contacts.get((decision.account_id, decision.interaction_id))
        reasons = [reason.value for reason in decision.reasons]
        status = decision.status
        rows.append(
            {
                "account_id": decision.account_id,
                "period": decision.period,
                "interaction_id": decision.interaction_id,
                "customer_id": None if contact is None else contact.customer_id,
                "channel": None if contact is None else contact.channel,
                "conversation_id": None if contact is None else contact.conversation_id,
                "started_at": None if contact is None else contact.started_at,
                "ended_at": None if contact is None else contact.ended_at,
                "status": status.value,
                "units": decision.units,
                "provisional_units": decision.provisional_units,
                "billable_reasons": reasons if status is DecisionStatus.BILLABLE else [],
                "not_billable_reasons": reasons if status is DecisionStatus.NOT_BILLABLE else [],
                "pending_reasons": reasons if status is DecisionStatus.PENDING else [],
                "recontacted_by": list(decision.recontacted_by),
                "voided_topics": sorted(decision.voided_topics),
            }
        )
    return rows


def run_text(run: BillingRun) -> str:
    """The run as a table: account, period, contacts, billable units, total, final."""
    rows = [
        f"{'account':<13} {'period':<8} {'contacts':>8} {'billable units':>15} {'total':>16}  final"
    ]
    for invoice in run.invoices:
        usage = invoice.usage
        total = f"{invoice.currency} {format_decimal(invoice.total)}"
        rows.append(
            f"{invoice.account_id or '(none)':<13} {invoice.period.label:<8} "
            f"{cell_text(usage.contacts):>8} {cell_text(usage.billable_units.normalize()):>15} "
            f"{total:>16}  {'yes' if invoice.final else 'no'}"
        )
    return "\n".join(rows) + "\n"


def _unbilled_rows(run: BillingRun) -> list[dict[str, object]]:
    return [
        {"account_id": account if account is not None else "(none)", "rows": count}
        for account, count in run.unbilled.items()
    ]


def run_html(run: BillingRun) -> str:
    """The run as HTML: one row per invoice (totals to each currency's minor unit), then the unbilled."""
    rows = invoices_rows(run)
    columns: Sequence[str] = (
        "account_id",
        "period",
        "contacts",
        "billable_units",
        "subtotal",
        "tax",
        "total",
        "currency",
        "final",
    )
    # Each invoice has its own currency: print each row's money to it.
    shown = [
        {
            **row,
            **{
                key: cell_text(row[key], str(row["currency"]))
                for key in ("subtotal", "tax", "total")
            },
        }
        for row in rows
    ]
    parts = [
        html_table(
            shown,
            columns,
            caption=f"Billing run: {len(rows)} invoices, {len(run.decisions)} decisions",
            align=dict.fromkeys(("subtotal", "tax", "total"), "right"),
        )
    ]
    if run.unbilled:
        parts.append(html_table(_unbilled_rows(run), ("account_id", "rows"), caption="Unbilled"))
    return html_block(*parts)
