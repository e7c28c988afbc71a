"""Taper planning: one module per strategy, the staged crossover, and plan adjustments.

>>> from benzodetox.core.tapering import build_plan, STRATEGY_NAMES
"""

from .alternatives import Alternative, alternatives, departs, departures
from .engine import build_plan, continue_plan
from .registry import STRATEGY_NAMES, percent_in_use

__all__ = [
    "STRATEGY_NAMES",
    "Alternative",
    "alternatives",
    "build_plan",
    "continue_plan",
    "departs",
    "departures",
    "percent_in_use",
]
