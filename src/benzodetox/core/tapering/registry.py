"""Strategy lookup by name."""

from __future__ import annotations

from .base import Strategy

STRATEGY_NAMES: tuple[str, ...] = (
    "asam",
    "ashton",
    "hyperbolic",
    "deprescribing",
    "inpatient",
    "custom",
)


def strategy_for(name: str) -> Strategy:
    from . import asam, ashton, custom, deprescribing, hyperbolic, inpatient

    strategies: dict[str, Strategy] = {
        "asam": asam.STRATEGY,
        "ashton": ashton.STRATEGY,
        "hyperbolic": hyperbolic.STRATEGY,
        "deprescribing": deprescribing.STRATEGY,
        "inpatient": inpatient.STRATEGY,
        "custom": custom.STRATEGY,
    }
    return strategies[name]
