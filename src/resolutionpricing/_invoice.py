"""Invoices and their lines, and their canonical JSON form."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from resolutionpricing._money import Rounding, format_decimal
from resolutionpricing._periods import BillingPeriod

__all__ = ["Invoice", "LineItem", "to_json_safe"]


def to_json_safe(value: object) -> object:
    """Turn decimals into plain strings, and mappings and sequences into dicts and lists.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._invoice import to_json_safe
        >>> to_json_safe({"amount": Decimal("5E+3"), "ids": ("a", "b")})
        {'amount': '5000', 'ids': ['a', 'b']}
    """
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, Mapping):
        return {str(key): to_json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_safe(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _frozen_mapping(value: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen(kw_only=True)
class LineItem:
    """One line of an invoice, rounded to the currency.

    Attributes:
        code: what the line is (``resolutions``, ``spend_cap``,
            ``minimum_commitment``, ``escalations``, ``implementation``, or a
            fee's own code).
        description: a readable description.
        quantity: how many units the line is for (1 for a fixed fee).
        unit_price: the price of one unit where one applies, else None.
        amount: the line's amount, rounded to the currency's minor unit.
        details: how the amount was reached (the per-tier breakdown of the
            resolution charge, a milestone's waived part...), exact and unrounded.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import LineItem
        >>> line = LineItem(code="kb_maintenance", description="KB", quantity=Decimal(1), unit_price=Decimal("4000.00"), amount=Decimal("4000.00"))
        >>> line.to_dict()["amount"]
        '4000.00'
    """

    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal
    details: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_mapping)

    def to_dict(self) -> dict[str, Any]:
        """The line as JSON-safe data, with decimals as strings."""
        return {
            "code": self.code,
            "description": self.description,
            "quantity": format_decimal(self.quantity),
            "unit_price": None if self.unit_price is None else format_decimal(self.unit_price),
            "amount": format_decimal(self.amount),
            "details": to_json_safe(self.details),
        }


def _lines(lines: Iterable[LineItem]) -> tuple[LineItem, ...]:
    return tuple(lines)


@attrs.frozen(kw_only=True)
class Invoice:
    """The priced billing period: lines, subtotal, tax and total.

    The figures always satisfy ``subtotal == sum(line.amount)``,
    ``tax == round(subtotal * tax_rate)`` and ``total == subtotal + tax``,
    exactly: every line is rounded to the currency first, then summed.

    Attributes:
        contract: the contract's name.
        currency: the ISO 4217 code.
        period: the billing period.
        final: False while some contact of the period is still pending (its
            re-contact window is open at ``as_of``); a quote is always final.
        lines: the lines, in a fixed order (see the invoice JSON reference).
        subtotal: the sum of the lines.
        tax_rate: the contract's tax rate.
        tax: the tax on the subtotal, rounded.
        total: ``subtotal + tax``.
        rounding: the rounding mode used.
        rounding_increment: the rounding step, if the contract has one.
        counts: the counts behind the invoice (contacts, billable units...).
        as_of: what was known when the invoice was made, in the contract's
            time zone (None for a quote).

    Examples:
        >>> from resolutionpricing import load_contract, quote
        >>> invoice = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000)
        >>> invoice.subtotal, invoice.tax, invoice.total
        (Decimal('40750.00'), Decimal('2037.50'), Decimal('42787.50'))
    """

    contract: str
    currency: str
    period: BillingPeriod
    final: bool
    lines: tuple[LineItem, ...] = attrs.field(converter=_lines)
    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    rounding: Rounding
    rounding_increment: Decimal | None = None
    counts: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_mapping)
    as_of: datetime | None = None

    def line(self, code: str) -> LineItem | None:
        """The first line with ``code``, or None.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> quote(load_contract("examples/contract.toml"), "2026-10", resolutions=100).line("minimum_commitment").amount
            Decimal('14650.00')
        """
        return next((line for line in self.lines if line.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        """The invoice as JSON-safe data: amounts and quantities are strings.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> data = quote(load_contract("examples/contract.toml"), "2026-10", resolutions=12000).to_dict()
            >>> sorted(data)
            ['as_of', 'contract', 'counts', 'currency', 'final', 'lines', 'period', 'rounding', 'rounding_increment', 'subtotal', 'tax', 'tax_rate', 'total']
        """
        return {
            "contract": self.contract,
            "currency": self.currency,
            "period": self.period.label,
            "final": self.final,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "lines": [line.to_dict() for line in self.lines],
            "subtotal": format_decimal(self.subtotal),
            "tax_rate": format_decimal(self.tax_rate),
            "tax": format_decimal(self.tax),
            "total": format_decimal(self.total),
            "rounding": self.rounding.value,
            "rounding_increment": None
            if self.rounding_increment is None
            else format_decimal(self.rounding_increment),
            "counts": to_json_safe(self.counts),
        }

    def to_json(self) -> str:
        """Canonical JSON: keys sorted, no spaces, UTF-8 text; the same invoice gives the same bytes.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> quote(load_contract("examples/contract.toml"), "2026-10", resolutions=0).to_json()[:30]
            '{"as_of":null,"contract":"Gulf'
        """
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def fingerprint(self) -> str:
        """The sha256 of `Invoice.to_json` (UTF-8), in hex: two equal invoices share it.

        Examples:
            >>> from resolutionpricing import load_contract, quote
            >>> len(quote(load_contract("examples/contract.toml"), "2026-10", resolutions=0).fingerprint)
            64
        """
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()
