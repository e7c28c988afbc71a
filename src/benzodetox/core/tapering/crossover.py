"""Staged crossover to a long-acting drug, one dose time at a time.

Each stage replaces everything taken at one time of day with the long-acting drug at the same
diazepam equivalent under the plan's table, rounded down to what can be given (the difference is
recorded on the dose). The time substituted first is the clinician's choice; by default the
latest (evening) dose, then the others from latest to earliest (BNF and Ashton describe a
stepwise transfer one dose at a time, starting at night [R]; the 2025 Joint Guideline notes a
switch "may be more successful" over 1–2 weeks than 1–2 days [V]).

>>> # alprazolam 0.5 mg at 08:00 and 22:00, ashton-2002, switch to diazepam:
>>> # stage 1: 22:00 → diazepam 10 mg (08:00 still alprazolam 0.5 mg); stage 2: 08:00 → 10 mg.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from decimal import Decimal

from ..catalogue import Product
from ..dispensing import achievable_at_most
from ..errors import InputError, PlanError
from ..plan import PlanRequest
from ..units import format_mg
from .base import Equivalents, Slot
from .figures import figure

__all__ = ["SWITCH_TARGETS", "order", "substitute"]

#: A substituted dose may lose at most the ASAM 2025 2-week ceiling to rounding (tapering.toml
#: [plan]); a larger loss would be a hidden reduction, so it is refused.
MOST_LOST_TO_ROUNDING = 1 - figure("plan", "crossover_rounding_percent").value / 100

#: Long-acting drugs a regimen can be switched to (issue: diazepam by default, clonazepam possible).
SWITCH_TARGETS: tuple[str, ...] = ("diazepam", "clonazepam")


def order(slots: tuple[Slot, ...], request: PlanRequest) -> list[time]:
    """The dose times to substitute, in order; empty when nothing needs switching."""
    target = request.switch_to or "diazepam"
    times = sorted({s.time for s in slots if s.drug != target}, reverse=True)
    if not times:
        return []
    first = request.switch_first or times[0]
    if first not in times:
        allowed = ", ".join(t.strftime("%H:%M") for t in sorted(times))
        raise InputError(
            "switch_first", first.strftime("%H:%M"), f"one of the dose times {allowed}"
        )
    return [first] + [t for t in times if t != first]


def substitute(
    slots: tuple[Slot, ...],
    at: time,
    request: PlanRequest,
    eq: Equivalents,
    products: Callable[[str], tuple[Product, ...]],
) -> tuple[tuple[Slot, ...], str]:
    """``slots`` with everything taken at ``at`` replaced by the target drug at the same
    diazepam equivalent (rounded down to what can be given), and a note saying so."""
    target = request.switch_to or "diazepam"
    replaced = [s for s in slots if s.time == at]
    diazepam_eq = sum((eq.dz(s.drug, s.mg) for s in replaced), Decimal(0))
    want = eq.mg_for(target, diazepam_eq)
    got = achievable_at_most(products(target), want)
    if got < want * MOST_LOST_TO_ROUNDING:
        raise PlanError(
            "switch_to",
            target,
            f"a drug whose {request.market} products can give the equivalent of the "
            f"{at.strftime('%H:%M')} dose ({format_mg(want)} {target})",
            hint=f"the nearest dose below is {format_mg(got)}; switch to diazepam, whose oral "
            "liquid allows small doses",
        )
    kept = tuple(s.at(s.mg) for s in slots if s.time != at)
    new = tuple(sorted((*kept, Slot(at, target, got, want)), key=_slot_key))
    was = " + ".join(f"{format_mg(s.mg)} {s.drug}" for s in replaced)
    note = (
        f"{at.strftime('%H:%M')} dose {was} → {format_mg(got)} {target} "
        f"(same diazepam equivalent under {request.source})"
    )
    return new, note


def _slot_key(slot: Slot) -> tuple[time, str]:
    return (slot.time, slot.drug)
