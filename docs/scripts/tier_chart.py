"""Draw the example contract's tiers, graduated against volume, as an SVG.

Run it after changing the example tiers or the chart's code::

    python docs/scripts/tier_chart.py

It writes ``docs/assets/tier-chart.svg`` with `resolutionpricing.plot.plot_price_curve`
(the example contract's tiers, without its caps, graduated and then volume),
so the chart shows what the library bills. matplotlib's SVG is made
deterministic: a fixed ``svg.hashsalt`` for its ids and no date in its
metadata, so the same tiers and the same (pinned) matplotlib give the same
bytes; ``tests/test_docs.py`` redraws it and compares, so it cannot go stale.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import attrs
import matplotlib as mpl

from resolutionpricing import PricingMode, TierSchedule, load_contract
from resolutionpricing.plot import plot_price_curve

ROOT: Final = Path(__file__).resolve().parents[2]
CONTRACT: Final = ROOT / "examples" / "contract.toml"
OUTPUT: Final = ROOT / "docs" / "assets" / "tier-chart.svg"
MAX_RESOLUTIONS: Final = 40_000


def main(argv: Sequence[str] | None = None) -> int:
    """Write the chart of the example contract's tiers; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--contract", type=Path, default=CONTRACT, help="default: %(default)s")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="default: %(default)s")
    arguments = parser.parse_args(argv)
    contract = load_contract(arguments.contract)
    if not isinstance(contract.pricing, TierSchedule):
        parser.error(f"{arguments.contract} has no tiers to draw")
    tiers = contract.pricing.tiers
    graduated = attrs.evolve(
        contract,
        name="Example tiers",
        caps=(),
        pricing=TierSchedule(mode=PricingMode.GRADUATED, tiers=tiers),
    )
    volume = attrs.evolve(graduated, pricing=TierSchedule(mode=PricingMode.VOLUME, tiers=tiers))
    with mpl.rc_context({"svg.hashsalt": "resolutionpricing", "svg.fonttype": "path"}):
        figure = plot_price_curve(graduated, MAX_RESOLUTIONS, against=volume)
        arguments.out.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(arguments.out, format="svg", metadata={"Date": None})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
