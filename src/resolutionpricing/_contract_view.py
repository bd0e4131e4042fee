"""A contract as tables for people: head, rule, tiers, caps and fees.

`Contract.to_text` and `Contract._repr_html_` render these sections; the
values are those of the contract file (``48h``, ``same_topic``, ``3.50``),
so what a reader sees is what they would write.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from resolutionpricing._display import Table, cell_text, html_block
from resolutionpricing._rules import format_window
from resolutionpricing._tiers import PackagePricing

if TYPE_CHECKING:
    from resolutionpricing._contract import Contract

__all__ = ["contract_html", "contract_text"]


class Section(NamedTuple):
    """One table of the contract's display."""

    title: str
    rows: list[dict[str, object]]
    columns: tuple[str, ...]
    money: dict[str, str]


def _value(value: object) -> object:
    """A field's value in its contract-file form, for display."""
    if hasattr(value, "value") and not isinstance(value, Decimal):  # an enum
        return value.value
    if attrs.has(type(value)):  # a milestone
        kind: Any = type(value)
        parts = [str(_value(getattr(value, field.name))) for field in attrs.fields(kind)]
        return " ".join(parts)
    if isinstance(value, tuple):
        return "; ".join(str(_value(item)) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"  # as the contract file writes it
    if isinstance(value, (Decimal, date)):
        return cell_text(value)
    return value


def _terms(item: object) -> str:
    """An item's fields but its kind, ``name value`` each, as one cell."""
    fields = attrs.fields(type(item))  # type: ignore[arg-type]
    return ", ".join(
        f"{field.name} {_value(getattr(item, field.name))}"
        for field in fields
        if getattr(item, field.name) is not None
    )


def sections(contract: Contract) -> list[Section]:
    """The contract's tables, in the order of its file."""
    term = f"{contract.starts_on} to {contract.ends_on or 'open end'}"
    head: list[dict[str, object]] = [
        {"key": "currency", "value": contract.currency},
        {"key": "timezone", "value": contract.timezone},
        {"key": "term", "value": term},
        {"key": "billing_period", "value": contract.billing_period.value},
        {"key": "rounding", "value": contract.rounding.value},
        {"key": "tax_rate", "value": cell_text(contract.tax_rate)},
    ]
    if contract.rounding_increment is not None:
        head.insert(
            5, {"key": "rounding_increment", "value": cell_text(contract.rounding_increment)}
        )
    rule = contract.resolution
    rule_rows: list[dict[str, object]] = [
        {"key": field.name, "value": _rule_value(getattr(rule, field.name))}
        for field in attrs.fields(type(rule))
    ]
    caps: list[dict[str, object]] = [
        {"kind": cap.kind, "terms": _terms(cap)} for cap in contract.caps
    ]
    fees: list[dict[str, object]] = [
        {"kind": fee.kind, "terms": _terms(fee)} for fee in contract.fees
    ]
    found = [
        Section("Contract", head, ("key", "value"), {}),
        Section("Resolution", rule_rows, ("key", "value"), {}),
        _pricing_section(contract),
    ]
    if caps:
        found.append(Section("Caps", caps, ("kind", "terms"), {}))
    if fees:
        found.append(Section("Fees", fees, ("kind", "terms"), {}))
    return found


def _pricing_section(contract: Contract) -> Section:
    """The tiers of a tier schedule, or the terms of package prices."""
    pricing = contract.pricing
    title = f"Pricing ({pricing.mode.value})"
    if isinstance(pricing, PackagePricing):
        terms: list[dict[str, object]] = [
            {"key": "package_size", "value": pricing.package_size},
            {"key": "package_price", "value": cell_text(pricing.package_price)},
            {"key": "free_units", "value": cell_text(pricing.free_units)},
        ]
        return Section(title, terms, ("key", "value"), {})
    tiers: list[dict[str, object]] = []
    lower = Decimal(0)
    for index, tier in enumerate(pricing.tiers):
        tiers.append(
            {
                "tier": index + 1,
                "above": lower,
                "up_to": tier.up_to,
                "unit_price": tier.unit_price,
                "flat_fee": tier.flat_fee,
            }
        )
        lower = tier.up_to if tier.up_to is not None else lower
    money = {"unit_price": contract.currency, "flat_fee": contract.currency}
    return Section(title, tiers, ("tier", "above", "up_to", "unit_price", "flat_fee"), money)


def _rule_value(value: object) -> object:
    if value is None:
        return "off"
    if hasattr(value, "total_seconds"):
        return format_window(value)  # type: ignore[arg-type]
    return _value(value)


def _table(section: Section) -> Table:
    return Table(
        section.rows,
        section.columns,
        caption=section.title,
        money=section.money,
        align={"up_to": "right"},
    )


def contract_text(contract: Contract) -> str:
    """The contract as fixed-width text: its name, then one table per section."""
    parts = [contract.name]
    for section in sections(contract):
        parts.extend(["", _table(section).text().rstrip("\n")])
    return "\n".join(parts) + "\n"


def contract_html(contract: Contract) -> str:
    """The contract as HTML: its name as a heading, then one table per section."""
    return html_block(
        *(_table(section).html() for section in sections(contract)), title=contract.name
    )
