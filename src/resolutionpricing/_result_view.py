"""Adjustments and audit results for people and for DataFrames.

The same three forms as `resolutionpricing._invoice_view`: fixed-width text
(``to_text``), HTML (``_repr_html_``) and flat rows (``to_rows``) with money
as `Decimal`. This module imports none of the types it renders, so their
modules import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from resolutionpricing._display import Table, cell_text, html_block

if TYPE_CHECKING:
    from resolutionpricing._adjustment import Adjustment
    from resolutionpricing._audit import AuditEstimate, AuditSample

__all__ = [
    "ADJUSTMENT_COLUMNS",
    "ESTIMATE_COLUMNS",
    "SAMPLE_COLUMNS",
    "adjustment_html",
    "adjustment_rows",
    "adjustment_text",
    "estimate_html",
    "estimate_rows",
    "estimate_text",
    "sample_html",
    "sample_rows",
    "sample_text",
]

ADJUSTMENT_COLUMNS: Final = ("key", "issued", "recomputed", "difference")
ESTIMATE_COLUMNS: Final = (
    "stratum",
    "population",
    "weight",
    "size",
    "failures",
    "rate",
    "lower",
    "upper",
)
_STRATA_COLUMNS: Final = ("stratum", "population", "weight", "size")
SAMPLE_COLUMNS: Final = ("stratum", "account_id", "interaction_id", "status", "units", "reasons")


# Adjustment ------------------------------------------------------------------


def adjustment_rows(adjustment: Adjustment) -> list[dict[str, object]]:
    """One row per changed line: key, issued, recomputed, difference."""
    return [
        {
            "key": line.key,
            "issued": line.issued,
            "recomputed": line.recomputed,
            "difference": line.difference,
        }
        for line in adjustment.lines
    ]


def _adjustment_caption(adjustment: Adjustment) -> str:
    account = "" if adjustment.account_id is None else f", account {adjustment.account_id}"
    return f"Adjustment of {adjustment.period} ({adjustment.currency}{account}): {adjustment.kind}"


def _adjustment_table(adjustment: Adjustment) -> Table:
    """Each changed line, then the tax and total differences, money to the minor unit."""
    rows = adjustment_rows(adjustment)
    rows.append({"key": "tax", "difference": adjustment.tax_difference})
    rows.append({"key": "total", "difference": adjustment.total_difference})
    return Table(
        rows,
        ADJUSTMENT_COLUMNS,
        caption=_adjustment_caption(adjustment),
        money=dict.fromkeys(ADJUSTMENT_COLUMNS[1:], adjustment.currency),
        align=dict.fromkeys(ADJUSTMENT_COLUMNS[1:], "right"),
    )


def _changed(adjustment: Adjustment) -> list[str]:
    """The count of contacts whose decision changed, as a sentence (none when none did)."""
    return [f"{len(adjustment.changes)} contacts changed"] if adjustment.changes else []


def adjustment_text(adjustment: Adjustment) -> str:
    """The adjustment as a table: each line, then the tax and total differences."""
    return _adjustment_table(adjustment).text() + "".join(
        f"{line}\n" for line in _changed(adjustment)
    )


def adjustment_html(adjustment: Adjustment) -> str:
    """The adjustment as an HTML table, money to the currency's minor unit."""
    changed = [f"<p>{line}</p>" for line in _changed(adjustment)]
    return html_block(_adjustment_table(adjustment).html(), *changed)


# Audit -----------------------------------------------------------------------


def estimate_rows(estimate: AuditEstimate) -> list[dict[str, object]]:
    """One row per stratum: its population, weight, size, failures, rate and interval."""
    return [
        {
            "stratum": stratum.name,
            "population": stratum.population,
            "weight": stratum.weight,
            "size": stratum.size,
            "failures": stratum.failures,
            "rate": stratum.rate,
            "lower": stratum.lower,
            "upper": stratum.upper,
        }
        for stratum in estimate.strata
    ]


def _estimate_tables(estimate: AuditEstimate) -> tuple[Table, Table]:
    """The estimate's figures (the money ones to the minor unit), then its strata."""
    rows: list[dict[str, object]] = [
        {"figure": "method", "value": estimate.method},
        {"figure": "confidence", "value": estimate.confidence},
        {"figure": "size", "value": estimate.size},
        {"figure": "failures", "value": estimate.failures},
        {"figure": "rate", "value": estimate.rate},
        {"figure": "lower", "value": estimate.lower},
        {"figure": "upper", "value": estimate.upper},
    ]
    if estimate.charge is not None and estimate.currency is not None:
        currency = estimate.currency
        for name in ("charge", "over_billing", "over_billing_lower", "over_billing_upper"):
            value = getattr(estimate, name)
            rows.append({"figure": f"{name} ({currency})", "value": cell_text(value, currency)})
    period = "" if estimate.period is None else f" of {estimate.period}"
    summary = Table(
        rows, ("figure", "value"), caption=f"Audit estimate{period}", align={"value": "right"}
    )
    return summary, Table(estimate_rows(estimate), ESTIMATE_COLUMNS, caption="Strata")


def estimate_text(estimate: AuditEstimate) -> str:
    """The estimate's figures, then one line per stratum."""
    summary, strata = _estimate_tables(estimate)
    return f"{summary.text()}\n{strata.text()}"


def estimate_html(estimate: AuditEstimate) -> str:
    """The estimate's figures and strata as HTML tables."""
    summary, strata = _estimate_tables(estimate)
    return html_block(summary.html(), strata.html())


def sample_rows(sample: AuditSample) -> list[dict[str, object]]:
    """One row per sampled decision: its stratum, key, status, units and reasons (a list)."""
    return [
        {
            "stratum": sample.assignment[(decision.account_id, decision.interaction_id)],
            "account_id": decision.account_id,
            "interaction_id": decision.interaction_id,
            "status": decision.status.value,
            "units": decision.units,
            "reasons": [reason.value for reason in decision.reasons],
        }
        for decision in sample.decisions
    ]


def _strata_table(sample: AuditSample) -> Table:
    """The sample's strata: population, weight and size drawn, under the sample's figures."""
    rows: list[dict[str, object]] = [
        {
            "stratum": stratum.name,
            "population": stratum.population,
            "weight": stratum.weight,
            "size": stratum.size,
        }
        for stratum in sample.strata
    ]
    caption = (
        f"Audit sample: {sample.size} of {sample.population} billed contacts, seed {sample.seed}"
    )
    return Table(rows, _STRATA_COLUMNS, caption=caption)


def sample_text(sample: AuditSample) -> str:
    """The sample's strata: population, weight and size drawn."""
    return _strata_table(sample).text()


def sample_html(sample: AuditSample) -> str:
    """The sample's strata, then the sampled decisions, as HTML tables."""
    decisions = Table(sample_rows(sample), SAMPLE_COLUMNS, caption="Sampled decisions")
    return html_block(_strata_table(sample).html(), decisions.html())
