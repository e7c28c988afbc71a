"""Strategy lookup by name."""

from __future__ import annotations

from decimal import Decimal

from ..plan import PlanRequest
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


def percent_in_use(request: PlanRequest) -> Decimal | None:
    """The percentage each step of ``request``'s strategy aims to cut (the clinician's or the
    strategy's default); None for strategies that do not reduce by a percentage."""
    percent = getattr(strategy_for(request.strategy), "percent", None)
    return percent(request) if callable(percent) else None
