"""Adjustments: what changes on an issued invoice, line by line, as a credit or a debit.

An `Adjustment` is the difference between what was billed for a period and
what should have been: an audit credit (`resolutionpricing.audit_credit`),
or the corrections of late data (`resolutionpricing.reconcile`), with the
contacts whose decision changed (`ContactChange`). Its figures always add
up: each line's ``difference`` is ``recomputed - issued``, and the total
difference is the sum of the line differences plus the tax difference.
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs

from resolutionpricing._decisions import Decision
from resolutionpricing._errors import InvalidTypeError, InvalidValueError
from resolutionpricing._frames import to_pandas
from resolutionpricing._money import ARITHMETIC, format_decimal, minor_unit, to_decimal
from resolutionpricing._result_view import (
    ADJUSTMENT_COLUMNS,
    adjustment_html,
    adjustment_rows,
    adjustment_text,
)

__all__ = ["Adjustment", "AdjustmentLine", "ChangeReason", "ContactChange"]

AdjustmentKind = Literal["credit", "debit", "none"]
ChangeReason = Literal["new_row", "late_recontact", "corrected_row", "removed_row"]
"""Why a contact's decision changed between an issued invoice and its recomputation."""

_REASONS: tuple[ChangeReason, ...] = ("new_row", "late_recontact", "corrected_row", "removed_row")


def _amount(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return to_decimal(value, "amount")


def _optional_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InvalidTypeError("", f"{value!r} is not a string", "a string or None")


@attrs.frozen(kw_only=True)
class AdjustmentLine:
    """One invoice line whose amount changes: what was issued, what it becomes, the difference.

    Attributes:
        key: the line's key (``resolutions``, ``audit_credit:2026-10``...).
        issued: the amount billed.
        recomputed: the amount that should have been billed.
        difference: ``recomputed - issued`` (negative for a credit).

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import AdjustmentLine
        >>> AdjustmentLine(key="resolutions", issued=Decimal("100.00"), recomputed=Decimal("90.00")).difference
        Decimal('-10.00')
    """

    key: str
    issued: Decimal = attrs.field(converter=_amount)
    recomputed: Decimal = attrs.field(converter=_amount)
    difference: Decimal = attrs.field(converter=_amount)

    @difference.default
    def _difference(self) -> Decimal:
        with decimal.localcontext(ARITHMETIC):
            return self.recomputed - self.issued

    def __attrs_post_init__(self) -> None:
        if not self.key:
            raise InvalidValueError("key", f"{self.key!r} is not a line key", "a non-empty string")
        with decimal.localcontext(ARITHMETIC):
            expected = self.recomputed - self.issued
        if self.difference != expected:
            raise InvalidValueError(
                f"lines[{self.key}].difference",
                f"{self.difference} is not recomputed - issued ({expected})",
                "the difference of the two amounts",
            )

    def to_dict(self) -> dict[str, str]:
        """The line as JSON-safe data, amounts as strings."""
        return {
            "key": self.key,
            "issued": format_decimal(self.issued),
            "recomputed": format_decimal(self.recomputed),
            "difference": format_decimal(self.difference),
        }


def _optional_decision(value: object) -> Decision | None:
    if value is None or isinstance(value, Decision):
        return value
    if isinstance(value, Mapping):
        return Decision.from_dict(value)
    raise InvalidTypeError("", f"{value!r} is not a decision", "a Decision, its dict, or None")


def _reason(value: object) -> ChangeReason:
    for reason in _REASONS:
        if value == reason:
            return reason
    raise InvalidValueError("why", f"{value!r} is not a reason", ", ".join(_REASONS))


@attrs.frozen(kw_only=True)
class ContactChange:
    """One contact whose status or units differ between the issued and the recomputed decisions.

    ``why`` is read from the two decisions: ``new_row`` when only the
    recomputation has the contact, ``removed_row`` when only the issued
    decisions have it (also a contact whose corrected ``ended_at`` moved it
    to another period), ``late_recontact`` when the recomputed decision names
    a re-contact the issued one did not (a late row voided it), and
    ``corrected_row`` otherwise (the row itself changed, or its pending
    window closed differently).

    Attributes:
        account_id: the contact's account, or None.
        interaction_id: the contact's id.
        why: ``new_row``, ``late_recontact``, ``corrected_row`` or ``removed_row``.
        issued: the decision behind the issued invoice (None for a new row).
        recomputed: the decision now (None for a removed row).

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import ContactChange, Decision, DecisionStatus
        >>> new = Decision(interaction_id="c9", status=DecisionStatus.BILLABLE, units=Decimal(1), provisional_units=Decimal(1))
        >>> change = ContactChange(account_id=None, interaction_id="c9", why="new_row", issued=None, recomputed=new)
        >>> ContactChange.from_dict(change.to_dict()) == change
        True
    """

    interaction_id: str
    why: ChangeReason = attrs.field(converter=_reason)
    issued: Decision | None = attrs.field(converter=_optional_decision)
    recomputed: Decision | None = attrs.field(converter=_optional_decision)
    account_id: str | None = attrs.field(default=None, converter=_optional_text)

    def to_dict(self) -> dict[str, Any]:
        """The change as JSON-safe data, each decision as `Decision.to_dict` (or None)."""
        return {
            "account_id": self.account_id,
            "interaction_id": self.interaction_id,
            "why": self.why,
            "issued": None if self.issued is None else self.issued.to_dict(),
            "recomputed": None if self.recomputed is None else self.recomputed.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> ContactChange:
        """Read `ContactChange.to_dict` back."""
        keys = {"account_id", "interaction_id", "why", "issued", "recomputed"}
        if not isinstance(data, Mapping) or set(data) != keys:
            raise InvalidValueError(
                "changes", f"{data!r} is not a change", "an object with " + ", ".join(sorted(keys))
            )
        return cls(**data)


def _changes(values: Iterable[ContactChange]) -> tuple[ContactChange, ...]:
    changes = tuple(values)
    for index, change in enumerate(changes):
        if not isinstance(change, ContactChange):
            raise InvalidTypeError(
                f"changes[{index}]", f"{change!r} is not a ContactChange", "ContactChange items"
            )
    return changes


def _lines(values: Iterable[AdjustmentLine]) -> tuple[AdjustmentLine, ...]:
    lines = tuple(values)
    for index, line in enumerate(lines):
        if not isinstance(line, AdjustmentLine):
            raise InvalidTypeError(
                f"lines[{index}]", f"{line!r} is not an AdjustmentLine", "AdjustmentLine items"
            )
    return lines


@attrs.frozen(kw_only=True)
class Adjustment:
    """What changes on a period's issued invoice: the lines, the tax and the total.

    ``kind`` is ``"credit"`` when the total difference is negative, ``"debit"``
    when it is positive and ``"none"`` when it is zero; ``is_empty`` says no
    line amount changed. The figures are checked when it is made (and read
    back): every line's difference is ``recomputed - issued``, and the total
    difference is the lines' differences plus the tax difference.

    Attributes:
        account_id: the billed account, or None.
        contract_id: the contract's stable identifier, or None.
        currency: the ISO 4217 code of every amount.
        period: the label of the period adjusted (``"2026-10"``).
        lines: one per line key whose amount changed.
        tax_difference: the change in tax.
        total_difference: the change in the total.
        issued_fingerprint: the fingerprint of the invoice adjusted, if known.
        recomputed_fingerprint: the fingerprint of the invoice it should have
            been, if there is one (None for an audit credit).
        changes: with decisions given to `resolutionpricing.reconcile`, each
            contact whose status or units changed, by (account, id).

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing import Adjustment, AdjustmentLine
        >>> adjustment = Adjustment(
        ...     currency="AED", period="2026-10",
        ...     lines=[AdjustmentLine(key="audit_credit:2026-10", issued=Decimal("100.00"), recomputed=Decimal("90.00"))],
        ...     tax_difference=Decimal("-0.50"), total_difference=Decimal("-10.50"),
        ... )
        >>> adjustment.kind, adjustment.is_empty
        ('credit', False)
        >>> Adjustment.from_json(adjustment.to_json()) == adjustment
        True
    """

    currency: str
    period: str
    lines: tuple[AdjustmentLine, ...] = attrs.field(default=(), converter=_lines)
    tax_difference: Decimal = attrs.field(default=Decimal(0), converter=_amount)
    total_difference: Decimal = attrs.field(default=Decimal(0), converter=_amount)
    account_id: str | None = attrs.field(default=None, converter=_optional_text)
    contract_id: str | None = attrs.field(default=None, converter=_optional_text)
    issued_fingerprint: str | None = attrs.field(default=None, converter=_optional_text)
    recomputed_fingerprint: str | None = attrs.field(default=None, converter=_optional_text)
    changes: tuple[ContactChange, ...] = attrs.field(default=(), converter=_changes)

    def __attrs_post_init__(self) -> None:
        minor_unit(self.currency)
        keys = [line.key for line in self.lines]
        if len(set(keys)) != len(keys):
            raise InvalidValueError("lines", f"line keys repeat: {keys}", "one line per key")
        with decimal.localcontext(ARITHMETIC):
            expected = sum((line.difference for line in self.lines), start=Decimal(0))
            expected += self.tax_difference
        if self.total_difference != expected:
            raise InvalidValueError(
                "total_difference",
                f"{self.total_difference} is not the lines' differences plus the tax difference ({expected})",
                "figures that add up",
            )

    @property
    def kind(self) -> AdjustmentKind:
        """``"credit"``, ``"debit"`` or ``"none"``, from the sign of the total difference."""
        if self.total_difference < 0:
            return "credit"
        return "debit" if self.total_difference > 0 else "none"

    @property
    def is_empty(self) -> bool:
        """No line amount changed."""
        return not any(line.difference for line in self.lines)

    def to_rows(self) -> list[dict[str, object]]:
        """One flat row per changed line: key, issued, recomputed, difference (`Decimal`).

        Examples:
            >>> from resolutionpricing import load_contract, quote, reconcile
            >>> contract = load_contract("examples/contract.toml")
            >>> reconcile(*(quote(contract, "2026-10", resolutions=n) for n in (12000, 11000))).to_rows()  # doctest: +NORMALIZE_WHITESPACE
            [{'key': 'resolutions', 'issued': Decimal('36750.00'), 'recomputed': Decimal('34000.00'),
              'difference': Decimal('-2750.00')}]
        """
        return adjustment_rows(self)

    def to_text(self) -> str:
        """The adjustment as a table: each changed line, then the tax and total differences.

        Examples:
            >>> from resolutionpricing import load_contract, quote, reconcile
            >>> contract = load_contract("examples/contract.toml")
            >>> print(reconcile(*(quote(contract, "2026-10", resolutions=n) for n in (12000, 11000))).to_text(), end="")
            Adjustment of 2026-10 (AED): credit
            key            issued  recomputed  difference
            resolutions  36750.00    34000.00    -2750.00
            tax                 -           -     -137.50
            total               -           -    -2887.50
        """
        return adjustment_text(self)

    def _repr_html_(self) -> str:
        """The table of `Adjustment.to_text` as HTML, for notebooks."""
        return adjustment_html(self)

    def to_pandas(self, *, exact: bool = True) -> Any:  # noqa: ANN401 -- a pandas.DataFrame
        """`to_rows` as a `pandas.DataFrame` (extra ``resolutionpricing[pandas]``).

        Args:
            exact: keep money and rates as `Decimal` (default); False gives
                floats, for plotting only.
        """
        return to_pandas(self.to_rows(), ADJUSTMENT_COLUMNS, exact=exact)

    def to_dict(self) -> dict[str, Any]:
        """The adjustment as JSON-safe data; `Adjustment.from_dict` reads it back.

        ``kind`` and ``is_empty`` are written for readers, and checked when read.
        """
        return {
            "account_id": self.account_id,
            "contract_id": self.contract_id,
            "currency": self.currency,
            "period": self.period,
            "kind": self.kind,
            "is_empty": self.is_empty,
            "lines": [line.to_dict() for line in self.lines],
            "tax_difference": format_decimal(self.tax_difference),
            "total_difference": format_decimal(self.total_difference),
            "issued_fingerprint": self.issued_fingerprint,
            "recomputed_fingerprint": self.recomputed_fingerprint,
            "changes": [change.to_dict() for change in self.changes],
        }

    def to_json(self) -> str:
        """Canonical JSON (keys sorted, no spaces): the same adjustment gives the same bytes."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Adjustment:
        """Read `Adjustment.to_dict` back; figures that do not add up raise `InvalidValueError`.

        Examples:
            >>> from resolutionpricing import Adjustment
            >>> Adjustment.from_dict({"currency": "AED", "period": "2026-10", "lines": [], "tax_difference": "0", "total_difference": "1.00"})
            Traceback (most recent call last):
            ...
            resolutionpricing.InvalidValueError: total_difference: 1.00 is not the lines' differences plus the tax difference (0); figures that add up
        """
        if not isinstance(data, Mapping):
            raise InvalidTypeError("adjustment", f"{data!r} is not a mapping", "a JSON object")
        known = {field.name for field in attrs.fields(cls)}
        unknown = sorted(set(data) - known - {"kind", "is_empty"})
        if unknown:
            raise InvalidValueError(
                "adjustment", f"unknown keys {unknown}", "the keys of Adjustment.to_dict"
            )
        lines = data.get("lines", [])
        changes = data.get("changes", [])
        for key, value in (("lines", lines), ("changes", changes)):
            if not isinstance(value, list):
                raise InvalidTypeError(key, f"{value!r} is not a list", f"a list of {key}")
        adjustment = cls(
            **{key: data[key] for key in known - {"lines", "changes"} if key in data},
            lines=[AdjustmentLine(**_line(line, index)) for index, line in enumerate(lines)],
            changes=[ContactChange.from_dict(change) for change in changes],
        )
        for key in ("kind", "is_empty"):
            if key in data and data[key] != getattr(adjustment, key):
                raise InvalidValueError(
                    key,
                    f"{data[key]!r} does not match the figures",
                    f"{getattr(adjustment, key)!r}",
                )
        return adjustment

    @classmethod
    def from_json(cls, text: str) -> Adjustment:
        """Read `Adjustment.to_json` back."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise InvalidValueError(
                "adjustment", f"is not JSON ({error})", "a JSON object"
            ) from None
        return cls.from_dict(data)


def _line(value: object, index: int) -> dict[str, Any]:
    keys = {"key", "issued", "recomputed", "difference"}
    if not isinstance(value, Mapping) or set(value) != keys:
        raise InvalidValueError(
            f"lines[{index}]",
            f"{value!r} is not a line",
            "an object with " + ", ".join(sorted(keys)),
        )
    return dict(value)
