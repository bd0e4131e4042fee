"""Draw the example contract's tier schedule, graduated against volume, as an SVG.

Run it after changing the example tiers::

    python docs/scripts/tier_chart.py

It writes ``docs/assets/tier-chart.svg``: two panels, the total price of a
month's resolutions from 0 to 40,000, and the effective price per resolution.
Prices come from `TierSchedule.price`, so the chart shows what the library
bills. The SVG is written by hand (no plotting library is a dependency of the
docs), with fixed number formats, so the same tiers always give the same
bytes; ``tests/test_docs.py`` redraws it and compares, so it cannot go stale.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Final, NamedTuple

from resolutionpricing import Tier, TierSchedule, load_contract

ROOT: Final = Path(__file__).resolve().parents[2]
CONTRACT: Final = ROOT / "examples" / "contract.toml"
OUTPUT: Final = ROOT / "docs" / "assets" / "tier-chart.svg"

WIDTH: Final = 760
PANEL_HEIGHT: Final = 330
LEFT: Final = 86
RIGHT: Final = 40
TOP: Final = 56
BOTTOM: Final = 58
MAX_RESOLUTIONS: Final = 40_000
STEP: Final = 250
COLOURS: Final = {"graduated": "#1f5fa8", "volume": "#c2410c"}
DASHES: Final = {"graduated": "", "volume": ' stroke-dasharray="7 4"'}
DESCRIPTION: Final = (
    "Total price and effective price per resolution from 0 to 40,000 resolutions a month. "
    "Graduated pricing rises smoothly; volume pricing drops just after each tier boundary."
)
# The page may be in dark mode: the chart draws its own white background and
# dark text, and uses the reader's system font (no web font is fetched).
STYLE: Final = (
    "text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;fill:#1f2933}"
    ".title{font-size:15px;font-weight:600}"
    ".tick{font-size:11px;fill:#52606d}"
    ".label{font-size:12px;fill:#52606d}"
    ".note{font-size:10px;fill:#7b8794}"
    ".legend{font-size:12px}"
    ".grid{stroke:#e4e7eb;stroke-width:1}"
    ".axis{stroke:#52606d;stroke-width:1}"
    ".boundary{stroke:#9aa5b1;stroke-width:1;stroke-dasharray:2 3}"
)


class Axis(NamedTuple):
    """A value axis: its range, its ticks, and how a tick is labelled."""

    top: Decimal
    ticks: tuple[Decimal, ...]
    label: str


class Panel(NamedTuple):
    """One chart: a title, a y axis, and one series of (resolutions, value) per mode."""

    title: str
    axis: Axis
    series: dict[str, list[tuple[Decimal, Decimal]]]


def quantities(boundaries: Sequence[Decimal]) -> list[Decimal]:
    """Every STEP resolutions, plus each tier boundary and the unit after it.

    The unit after a boundary is where a volume schedule drops its price for
    every unit, so the drop is drawn as a near-vertical line at the right place.
    """
    points = {Decimal(quantity) for quantity in range(0, MAX_RESOLUTIONS + 1, STEP)}
    for boundary in boundaries:
        points.update({boundary, boundary + 1})
    return sorted(point for point in points if point <= MAX_RESOLUTIONS)


def panels(tiers: Sequence[Tier], currency: str) -> tuple[Panel, Panel]:
    """The two panels for ``tiers``: total price and effective price per resolution."""
    schedules = {
        "graduated": TierSchedule.graduated(tiers),
        "volume": TierSchedule.volume(tiers),
    }
    boundaries = [tier.up_to for tier in tiers if tier.up_to is not None]
    points = quantities(boundaries)
    totals = {
        mode: [(quantity, schedule.price(quantity)) for quantity in points]
        for mode, schedule in schedules.items()
    }
    effective = {
        mode: [(quantity, price / quantity) for quantity, price in series if quantity > 0]
        for mode, series in totals.items()
    }
    highest_total = max(price for series in totals.values() for _, price in series)
    total_top = _round_up(highest_total, Decimal(20_000))
    highest_unit = max(tier.unit_price for tier in tiers)
    unit_top = _round_up(highest_unit, Decimal(1))
    return (
        Panel(
            title=f"Total price of a month's resolutions ({currency})",
            axis=Axis(total_top, _ticks(total_top, Decimal(20_000)), "thousands"),
            series=totals,
        ),
        Panel(
            title=f"Effective price per resolution ({currency})",
            axis=Axis(unit_top, _ticks(unit_top, Decimal("0.5")), "price"),
            series=effective,
        ),
    )


def _round_up(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def _ticks(top: Decimal, step: Decimal) -> tuple[Decimal, ...]:
    count = int(top / step)
    return tuple(step * index for index in range(count + 1))


def _number(value: float) -> str:
    return f"{value:.1f}"


def _tick_label(value: Decimal, kind: str) -> str:
    if kind == "thousands":
        return f"{int(value) // 1000}k" if value else "0"
    return f"{value:.2f}"


def _grouped(value: Decimal) -> str:
    return f"{int(value):,}"


def draw_panel(panel: Panel, top: int, boundaries: Sequence[Decimal]) -> list[str]:
    """The SVG elements of one panel whose plot area starts ``top`` pixels down."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = PANEL_HEIGHT - TOP - BOTTOM
    bottom = top + plot_height

    def x(quantity: Decimal) -> float:
        return LEFT + float(quantity) / MAX_RESOLUTIONS * plot_width

    def y(value: Decimal) -> float:
        return bottom - float(value / panel.axis.top) * plot_height

    parts = [
        f'<text x="{LEFT}" y="{top - 22}" class="title">{panel.title}</text>',
    ]
    for tick in panel.axis.ticks:
        parts.append(
            f'<line x1="{LEFT}" y1="{_number(y(tick))}" x2="{WIDTH - RIGHT}" '
            f'y2="{_number(y(tick))}" class="grid"/>'
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{_number(y(tick) + 4)}" class="tick" '
            f'text-anchor="end">{_tick_label(tick, panel.axis.label)}</text>'
        )
    for quantity in range(0, MAX_RESOLUTIONS + 1, 10_000):
        position = _number(x(Decimal(quantity)))
        parts.append(
            f'<text x="{position}" y="{bottom + 18}" class="tick" '
            f'text-anchor="middle">{_grouped(Decimal(quantity))}</text>'
        )
    for boundary in boundaries:
        position = _number(x(boundary))
        parts.append(
            f'<line x1="{position}" y1="{top}" x2="{position}" y2="{bottom}" class="boundary"/>'
        )
        parts.append(
            f'<text x="{_number(x(boundary) + 4)}" y="{top + 12}" class="note">'
            f"up_to {_grouped(boundary)}</text>"
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" class="axis"/>'
    )
    parts.append(f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{bottom}" class="axis"/>')
    parts.append(
        f'<text x="{LEFT + plot_width // 2}" y="{bottom + 40}" class="label" '
        'text-anchor="middle">resolutions in the month</text>'
    )
    for mode, series in panel.series.items():
        points = " ".join(f"{_number(x(q))},{_number(y(value))}" for q, value in series)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{COLOURS[mode]}" '
            f'stroke-width="2.2"{DASHES[mode]}/>'
        )
    # The legend sits in the title row, clear of every line.
    for index, mode in enumerate(panel.series):
        legend_x = WIDTH - RIGHT - 230 + index * 120
        legend_y = top - 27
        parts.append(
            f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 30}" y2="{legend_y}" '
            f'stroke="{COLOURS[mode]}" stroke-width="2.2"{DASHES[mode]}/>'
        )
        parts.append(f'<text x="{legend_x + 38}" y="{legend_y + 4}" class="legend">{mode}</text>')
    return parts


def chart_svg(tiers: Sequence[Tier], currency: str) -> str:
    """The whole chart for ``tiers`` as SVG text."""
    boundaries = [tier.up_to for tier in tiers if tier.up_to is not None]
    height = 2 * PANEL_HEIGHT
    rows = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="title desc">'
        ),
        '<title id="title">The example tier schedule, graduated against volume</title>',
        f'<desc id="desc">{DESCRIPTION}</desc>',
        f"<style>{STYLE}</style>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    for index, panel in enumerate(panels(tiers, currency)):
        rows.extend(draw_panel(panel, index * PANEL_HEIGHT + TOP, boundaries))
    rows.append("</svg>")
    return "\n".join(rows) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the chart of the example contract's tiers; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--contract", type=Path, default=CONTRACT, help="default: %(default)s")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="default: %(default)s")
    arguments = parser.parse_args(argv)
    contract = load_contract(arguments.contract)
    svg = chart_svg(contract.pricing.tiers, contract.currency)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(svg, encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
