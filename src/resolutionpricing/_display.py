"""Tables for people: rows of dicts as an HTML table or as fixed-width text.

Generic on purpose: the reports, the contract, invoices, runs and audit
results all render through these two functions, and a `Table` describes a
table once for both (its text form for ``to_text()``, its HTML for
``_repr_html_``); `html_block` wraps a type's HTML tables in one block. Cells are written exactly: a
`Decimal` is printed in plain notation with its own digits, or with the
currency's minor unit for the columns named in ``money``, never through a
float. Numbers are right-aligned, text left-aligned.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import attrs

from resolutionpricing._money import format_decimal, minor_unit

__all__ = ["Table", "cell_text", "html_block", "html_table", "text_table", "to_json_safe"]


def cell_text(value: object, currency: str | None = None) -> str:
    """One cell as text: decimals exact (or to ``currency``'s minor unit), None as ``-``.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._display import cell_text
        >>> cell_text(Decimal("5E+3")), cell_text(Decimal("12.5"), "AED"), cell_text(None)
        ('5000', '12.50', '-')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        if currency is not None:
            exponent = Decimal(1).scaleb(-minor_unit(currency))
            # Only a display: amounts are rounded before they reach a table,
            # so this adds trailing zeros and never changes a digit.
            value = value.quantize(exponent, rounding=ROUND_HALF_UP)
        return format_decimal(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(cell_text(item) for item in value)
    return str(value)


def _columns_of(rows: list[Mapping[str, object]], columns: Sequence[str] | None) -> Sequence[str]:
    """The columns to show: those given, else the keys of the first row, in order."""
    if columns is not None:
        return columns
    return list(rows[0]) if rows else []


def _is_number(value: object) -> bool:
    return isinstance(value, (int, Decimal, float)) and not isinstance(value, bool)


def _cells(
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[str],
    money: Mapping[str, str],
) -> list[list[str]]:
    return [[cell_text(row.get(column), money.get(column)) for column in columns] for row in rows]


def _numeric(
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[str],
    align: Mapping[str, str] | None,
) -> list[bool]:
    """Whether each column is right-aligned: as told in ``align``, else if it holds numbers only."""
    told = align or {}
    return [
        told[column] == "right"
        if column in told
        else any(_is_number(row.get(column)) for row in rows)
        and all(row.get(column) is None or _is_number(row.get(column)) for row in rows)
        for column in columns
    ]


def html_table(
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[str] | None = None,
    *,
    caption: str | None = None,
    headers: Mapping[str, str] | None = None,
    money: Mapping[str, str] | None = None,
    align: Mapping[str, str] | None = None,
) -> str:
    """The rows as an HTML ``<table>``, every text escaped, numbers right-aligned.

    Args:
        rows: one mapping per row; a missing key is an empty cell (``-``).
        columns: the keys to show, in order (default: the first row's keys).
        caption: a caption above the table.
        headers: a column's heading, when it is not the key itself.
        money: column -> ISO currency, for columns printed to that currency's minor unit.
        align: column -> ``"left"`` or ``"right"``, where the default (numbers
            right, everything else left) does not suit.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._display import html_table
        >>> print(html_table([{"name": "<b>", "amount": Decimal("3.5")}], ["name", "amount"], money={"amount": "AED"}))
        <table>
        <thead><tr><th style="text-align:left">name</th><th style="text-align:right">amount</th></tr></thead>
        <tbody>
        <tr><td style="text-align:left">&lt;b&gt;</td><td style="text-align:right">3.50</td></tr>
        </tbody>
        </table>
    """
    listed = list(rows)
    columns = _columns_of(listed, columns)
    names = headers or {}
    aligns = ["right" if numeric else "left" for numeric in _numeric(listed, columns, align)]
    parts = ["<table>"]
    if caption is not None:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    heads = "".join(
        f'<th style="text-align:{align}">{html.escape(names.get(column, column))}</th>'
        for column, align in zip(columns, aligns, strict=True)
    )
    parts.append(f"<thead><tr>{heads}</tr></thead>")
    parts.append("<tbody>")
    for cells in _cells(listed, columns, money or {}):
        body = "".join(
            f'<td style="text-align:{align}">{html.escape(cell)}</td>'
            for cell, align in zip(cells, aligns, strict=True)
        )
        parts.append(f"<tr>{body}</tr>")
    parts.append("</tbody>")
    parts.append("</table>")
    return "\n".join(parts)


def text_table(
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[str] | None = None,
    *,
    caption: str | None = None,
    headers: Mapping[str, str] | None = None,
    money: Mapping[str, str] | None = None,
    align: Mapping[str, str] | None = None,
) -> str:
    """The rows as fixed-width text: a heading line, then one line per row.

    Columns are as wide as their widest cell, two spaces apart; trailing
    spaces are trimmed. The arguments are those of `html_table`.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._display import text_table
        >>> print(text_table([{"tier": 1, "price": Decimal("3.50")}, {"tier": 2, "price": Decimal("2.75")}], ["tier", "price"]), end="")
        tier  price
           1   3.50
           2   2.75
    """
    listed = list(rows)
    columns = _columns_of(listed, columns)
    names = headers or {}
    head = [names.get(column, column) for column in columns]
    body = _cells(listed, columns, money or {})
    widths = [max(len(cell) for cell in column) for column in zip(head, *body, strict=True)]
    numeric = _numeric(listed, columns, align)
    lines = [caption] if caption is not None else []
    for cells in [head, *body]:
        line = "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric, strict=True)
        )
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


@attrs.frozen
class Table:
    """One table, described once and rendered as text or as HTML alike.

    The fields are the arguments of `html_table` and `text_table`.

    Examples:
        >>> from resolutionpricing._display import Table
        >>> table = Table([{"figure": "contacts", "value": 3}], ("figure", "value"), caption="Counts")
        >>> print(table.text(), end="")
        Counts
        figure    value
        contacts      3
        >>> table.html().splitlines()[1]
        '<caption>Counts</caption>'
    """

    rows: Sequence[Mapping[str, object]]
    columns: Sequence[str] | None = None
    caption: str | None = attrs.field(default=None, kw_only=True)
    headers: Mapping[str, str] | None = attrs.field(default=None, kw_only=True)
    money: Mapping[str, str] | None = attrs.field(default=None, kw_only=True)
    align: Mapping[str, str] | None = attrs.field(default=None, kw_only=True)

    def text(self) -> str:
        """The table as fixed-width text (`text_table`)."""
        return self._draw(text_table)

    def html(self) -> str:
        """The table as an HTML ``<table>`` (`html_table`)."""
        return self._draw(html_table)

    def _draw(self, renderer: Callable[..., str]) -> str:
        return renderer(
            self.rows,
            self.columns,
            caption=self.caption,
            headers=self.headers,
            money=self.money,
            align=self.align,
        )


def html_block(*parts: str, title: str | None = None) -> str:
    """HTML parts (tables, paragraphs) as one ``<div>``, under a bold ``title`` if given.

    Examples:
        >>> from resolutionpricing._display import html_block
        >>> print(html_block("<table>...</table>", title="A & B"))
        <div><strong>A &amp; B</strong>
        <table>...</table>
        </div>
    """
    head = "<div>" if title is None else f"<div><strong>{html.escape(title)}</strong>"
    return "\n".join([head, *parts, "</div>"])


def to_json_safe(value: object) -> object:
    """Turn decimals into plain strings, and mappings and sequences into dicts and lists.

    For reports' ``to_dict()``: dates and datetimes become ISO text.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._display import to_json_safe
        >>> to_json_safe({"amount": Decimal("5E+3"), "ids": ("a", "b")})
        {'amount': '5000', 'ids': ['a', 'b']}
    """
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, Mapping):
        return {str(key): to_json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_safe(item) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
