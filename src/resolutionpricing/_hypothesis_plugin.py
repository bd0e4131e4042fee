"""Hypothesis entry point: registers resolutionpricing's strategies for its types.

Hypothesis calls `_hypothesis_setup_hook` when it is imported, so that
``st.from_type(Tier)`` draws valid tiers. The strategies are looked up lazily
(`st.deferred`), because this hook runs while hypothesis itself, and perhaps
`resolutionpricing.strategies`, are still being imported.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

_REGISTERED = {
    "Tier": "tiers",
    "TierSchedule": "tier_schedules",
    "PackagePricing": "package_pricings",
    "ResolutionRule": "resolution_rules",
    "Contract": "contracts",
    "Interaction": "interactions",
}


def _strategy(name: str) -> SearchStrategy[object]:
    strategy: SearchStrategy[object] = getattr(
        importlib.import_module("resolutionpricing.strategies"), name
    )()
    return strategy


def _lazy(name: str) -> Callable[[], SearchStrategy[object]]:
    def strategy() -> SearchStrategy[object]:
        return _strategy(name)

    return strategy


def _hypothesis_setup_hook() -> None:
    """Register the strategies of `resolutionpricing.strategies` for their types."""
    import hypothesis.strategies as st  # noqa: PLC0415  (only when hypothesis loads us)

    import resolutionpricing  # noqa: PLC0415

    for type_name, strategy_name in _REGISTERED.items():
        st.register_type_strategy(
            getattr(resolutionpricing, type_name),
            st.deferred(_lazy(strategy_name)),
        )
