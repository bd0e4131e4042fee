"""Draw the documentation's charts from the example files, as SVG in docs/assets/.

Run it after changing an example file or a chart's code, and commit the SVGs::

    python docs/scripts/figures.py             # every chart
    python docs/scripts/figures.py clauses     # only docs/assets/clauses.svg

Each chart is drawn by the `resolutionpricing.plot` function the docs name,
from the example files, so the pictures show what the library computes:

- ``tier-chart.svg``: `plot_price_curve` of the example contract's tiers
  without its caps, graduated against volume (the tiers page);
- ``statement.svg``: `plot_statement` of the example contract billed on
  ``examples/interactions.csv`` for October and November 2026;
- ``clauses.svg``: `plot_clauses` of `compare_clauses` (the default sweep)
  on the same log for October;
- ``offers.svg``: `plot_offers` of the three ``examples/offers/`` on the log
  for October;
- ``business-case.svg``: `plot_business_case` of
  ``examples/business-case/scenario.toml``.

The SVG is made byte for byte deterministic: matplotlib's own defaults
(whatever ``matplotlibrc`` the machine has), a fixed ``svg.hashsalt`` for
the ids it generates, no date and no creator (matplotlib's version) in the
metadata, and text drawn as paths from DejaVu Sans, the font matplotlib
ships, so no system font is looked up. The same example files and the same
(pinned) matplotlib give the same bytes; ``tests/test_docs.py`` draws every
chart again and compares, so none can go stale.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs
import matplotlib as mpl

from resolutionpricing import (
    Contract,
    Interaction,
    PricingMode,
    TierSchedule,
    bill,
    compare_clauses,
    compare_offers,
    load_contract,
    read_interactions,
)
from resolutionpricing.business_case import load_scenario
from resolutionpricing.plot import (
    plot_business_case,
    plot_clauses,
    plot_offers,
    plot_price_curve,
    plot_statement,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

ROOT: Final = Path(__file__).resolve().parents[2]
EXAMPLES: Final = ROOT / "examples"
ASSETS: Final = ROOT / "docs" / "assets"
MAX_RESOLUTIONS: Final = 40_000
OFFERS: Final = ("outcome", "graduated", "volume")
# Everything that could differ between two machines' matplotlib set-ups.
STYLE: Final[dict[RcKeyType, object]] = {
    "svg.hashsalt": "resolutionpricing",
    "svg.fonttype": "path",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "axes.unicode_minus": True,
}


@functools.cache
def _contract() -> Contract:
    return load_contract(EXAMPLES / "contract.toml")


@functools.cache
def _log() -> tuple[Interaction, ...]:
    """The example log, read once for every chart that needs it."""
    return tuple(read_interactions(EXAMPLES / "interactions.csv"))


def tier_chart() -> Figure:
    """The example tiers, graduated against volume, without the contract's caps."""
    contract = _contract()
    if not isinstance(contract.pricing, TierSchedule):
        msg = "the example contract must price by tiers"
        raise TypeError(msg)
    tiers = contract.pricing.tiers
    graduated = attrs.evolve(
        contract,
        name="Example tiers",
        caps=(),
        pricing=TierSchedule(mode=PricingMode.GRADUATED, tiers=tiers),
    )
    volume = attrs.evolve(graduated, pricing=TierSchedule(mode=PricingMode.VOLUME, tiers=tiers))
    return plot_price_curve(graduated, MAX_RESOLUTIONS, against=volume)


def statement() -> Figure:
    """The example contract's spend in October and November 2026, by line."""
    return plot_statement(bill(_contract(), _log(), "2026-10..2026-11"))


def clauses() -> Figure:
    """What each clause of the example rule is worth in October 2026 (the default sweep)."""
    return plot_clauses(compare_clauses(_contract(), _log(), "2026-10"))


def offers() -> Figure:
    """The three example offers priced on the example log for October 2026."""
    contracts = [load_contract(EXAMPLES / "offers" / f"{name}.toml") for name in OFFERS]
    return plot_offers(compare_offers(contracts, _log(), "2026-10"))


def business_case() -> Figure:
    """The example business case: monthly cost against the baseline, and the break-even."""
    return plot_business_case(
        load_scenario(EXAMPLES / "business-case" / "scenario.toml").evaluate()
    )


FIGURES: Final[dict[str, Callable[[], Figure]]] = {
    "tier-chart": tier_chart,
    "statement": statement,
    "clauses": clauses,
    "offers": offers,
    "business-case": business_case,
}


def draw(name: str, out: Path) -> Path:
    """Draw the chart ``name`` into ``out``/``name``.svg, deterministically; returns its path."""
    path = out / f"{name}.svg"
    with mpl.rc_context():
        mpl.rcdefaults()  # restored when the context ends, like every change below
        mpl.rcParams.update(STYLE)
        figure = FIGURES[name]()
        out.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Write the charts named (default: all of them); returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"of: {', '.join(FIGURES)}")
    parser.add_argument("--out", type=Path, default=ASSETS, help="folder (default: %(default)s)")
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in FIGURES]
    if unknown:
        parser.error(f"no chart named {', '.join(unknown)}; the charts: {', '.join(FIGURES)}")
    for name in arguments.names or FIGURES:
        draw(name, arguments.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
