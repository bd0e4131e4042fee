"""Adjustments and audit results for people and for DataFrames.

The same three forms as `resolutionpricing._invoice_view`: fixed-width text
(``to_text``), HTML (``_repr_html_``) and flat rows (``to_rows``) with money
as `Decimal`. This module imports none of the types it renders, so their
modules import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from resolutionpricing._display import cell_text, html_table, text_table

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


def _adjustment_table(adjustment: Adjustment) -> list[dict[str, object]]:
    rows = adjustment_rows(adjustment)
    rows.append({"key": "tax", "difference": adjustment.tax_difference})
    rows.append({"key": "total", "difference": adjustment.total_difference})
    return rows


def adjustment_text(adjustment: Adjustment) -> str:
    """The adjustment as a table: each line, then the tax and total differences."""
    money = dict.fromkeys(ADJUSTMENT_COLUMNS[1:], adjustment.currency)
    text = text_table(
        _adjustment_table(adjustment),
        ADJUSTMENT_COLUMNS,
        caption=_adjustment_caption(adjustment),
        money=money,
        align=dict.fromkeys(ADJUSTMENT_COLUMNS[1:], "right"),
    )
    if adjustment.changes:
        text += f"{len(adjustment.changes)} contacts changed\n"
    return text


def adjustment_html(adjustment: Adjustment) -> str:
    """The adjustment as an HTML table, money to the currency's minor unit."""
    money = dict.fromkeys(ADJUSTMENT_COLUMNS[1:], adjustment.currency)
    table = html_table(
        _adjustment_table(adjustment),
        ADJUSTMENT_COLUMNS,
        caption=_adjustment_caption(adjustment),
        money=money,
        align=dict.fromkeys(ADJUSTMENT_COLUMNS[1:], "right"),
    )
    changed = f"\n<p>{len(adjustment.changes)} contacts changed</p>" if adjustment.changes else ""
    return f"<div>\n{table}{changed}\n</div>"


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


def _estimate_summary(estimate: AuditEstimate) -> list[dict[str, object]]:
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
    return rows


def _estimate_caption(estimate: AuditEstimate) -> str:
    period = "" if estimate.period is None else f" of {estimate.period}"
    return f"Audit estimate{period}"


def estimate_text(estimate: AuditEstimate) -> str:
    """The estimate's figures, then one line per stratum."""
    summary = text_table(
        _estimate_summary(estimate),
        ("figure", "value"),
        caption=_estimate_caption(estimate),
        align={"value": "right"},
    )
    strata = text_table(estimate_rows(estimate), ESTIMATE_COLUMNS, caption="Strata")
    return f"{summary}\n{strata}"


def estimate_html(estimate: AuditEstimate) -> str:
    """The estimate's figures and strata as HTML tables."""
    summary = html_table(
        _estimate_summary(estimate),
        ("figure", "value"),
        caption=_estimate_caption(estimate),
        align={"value": "right"},
    )
    strata = html_table(estimate_rows(estimate), ESTIMATE_COLUMNS, caption="Strata")
    return f"<div>\n{summary}\n{strata}\n</div>"


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


def _strata_rows(sample: AuditSample) -> list[dict[str, object]]:
    return [
        {
            "stratum": stratum.name,
            "population": stratum.population,
            "weight": stratum.weight,
            "size": stratum.size,
        }
        for stratum in sample.strata
    ]


def _sample_caption(sample: AuditSample) -> str:
    return f"Audit sample: {sample.size} of {sample.population} billed contacts, seed {sample.seed}"


def sample_text(sample: AuditSample) -> str:
    """The sample's strata: population, weight and size drawn."""
    return text_table(_strata_rows(sample), _STRATA_COLUMNS, caption=_sample_caption(sample))


def sample_html(sample: AuditSample) -> str:
    """The sample's strata, then the sampled decisions, as HTML tables."""
    strata = html_table(_strata_rows(sample), _STRATA_COLUMNS, caption=_sample_caption(sample))
    decisions = html_table(sample_rows(sample), SAMPLE_COLUMNS, caption="Sampled decisions")
    return f"<div>\n{strata}\n{decisions}\n</div>"
