"""Tables for people: rows of flat dicts as an HTML table (Jupyter) or fixed-width text.

Both take the rows a result's ``to_rows()`` gives; the columns are the keys of
the first row, in order. Decimals print in plain notation, None as ``-``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal

from resolutionpricing._money import format_decimal

__all__ = ["cell", "html_table", "text_table"]


def cell(value: object) -> str:
    """One value as table text: plain decimals, ``-`` for None, ``yes``/``no`` for booleans.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._display import cell
        >>> cell(Decimal("5E+3")), cell(None), cell(True)
        ('5000', '-', 'yes')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)


def _columns(rows: Sequence[Mapping[str, object]]) -> list[str]:
    return list(rows[0]) if rows else []


def html_table(rows: Sequence[Mapping[str, object]], caption: str = "") -> str:
    """The rows as an HTML ``<table>``, every cell escaped.

    Examples:
        >>> from resolutionpricing._display import html_table
        >>> html_table([{"name": "<b>", "amount": 1}])
        '<table><thead><tr><th>name</th><th>amount</th></tr></thead><tbody><tr><td>&lt;b&gt;</td><td style="text-align: right">1</td></tr></tbody></table>'
    """
    columns = _columns(rows)
    parts = ["<table>"]
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>")
    parts.extend(f"<th>{html.escape(column)}</th>" for column in columns)
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>")
        for column in columns:
            value = row.get(column)
            numeric = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
            style = ' style="text-align: right"' if numeric else ""
            parts.append(f"<td{style}>{html.escape(cell(value))}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def text_table(rows: Sequence[Mapping[str, object]]) -> str:
    """The rows as fixed-width text: a header line, then one line per row; numbers right-aligned.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._display import text_table
        >>> print(text_table([{"month": 1, "cost": Decimal("10.50")}, {"month": 12, "cost": Decimal("7")}]), end="")
        month   cost
            1  10.50
           12      7
    """
    columns = _columns(rows)
    texts = [[cell(row.get(column)) for column in columns] for row in rows]
    widths = [
        max([len(column), *(len(line[index]) for line in texts)])
        for index, column in enumerate(columns)
    ]
    numeric = [
        any(
            isinstance(row.get(column), (int, Decimal)) and not isinstance(row.get(column), bool)
            for row in rows
        )
        for column in columns
    ]

    def line(values: Sequence[str]) -> str:
        padded = (
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        )
        return "  ".join(padded).rstrip()

    return "\n".join([line(columns), *(line(values) for values in texts)]) + "\n"
