"""Ashton-style crossover to a long-acting drug: substitution in portions.

Each stage replaces about ``crossover_portion_mg`` (10 mg diazepam-eq by default) of the old
drug at one dose time with the same diazepam equivalent of the new drug under the plan's
table — the dose time holding the most of the old drug first, night first among equals (or the
clinician's ``switch_first``). The Ashton Manual's schedules swap about 10 mg diazepam a stage,
one part of one dose time at a time, starting at night (guidelines.md §1.4 [C from V2]); the
2025 Joint Guideline notes a switch "may be more successful" over 1–2 weeks than 1–2 days [V].

The new drug is substituted up to ``crossover_hold_mg`` (40 mg diazepam-eq, where the NICE CKS
schedule starts) and never above its label maximum: from higher totals substitution pauses there
and the old drug is tapered first, as the Manual's schedules from high doses begin reducing
before the substitution is complete (alprazolam 6 mg: diazepam never above 50 mg; lorazepam
6 mg: never above 30 mg). Where the old drug's products cannot make a step, substitution goes on
up to the label maximum. The daily total never
rises; a stage whose rounding loses more than ``crossover_loss_percent`` of the day's dose is
shown as a reduction too, and is kept within the 2-week ceiling.

Alprazolam 0.5 mg at 08:00 and 22:00 (20 mg diazepam-eq under ashton-2002), switched to
diazepam: the night dose first, then the morning one.

>>> from datetime import date, time
>>> from decimal import Decimal
>>> from benzodetox.core.plan import PlanRequest
>>> from benzodetox.core.regimen import Dose, Regimen
>>> from benzodetox.core.tapering.engine import build_plan
>>> regimen = Regimen((Dose(time(8), "alprazolam", Decimal("0.5")),
...                    Dose(time(22), "alprazolam", Decimal("0.5"))))
>>> plan = build_plan(PlanRequest(regimen, "ashton-2002", date(2026, 1, 5),
...                               switch_to="diazepam", market="uk"))
>>> for step in plan.steps[:2]:
...     print(step.kind, [(f"{d.time:%H:%M}", d.drug, str(d.mg)) for d in step.doses])
crossover [('08:00', 'alprazolam', '0.5'), ('22:00', 'diazepam', '10')]
crossover [('08:00', 'diazepam', '10'), ('22:00', 'diazepam', '10')]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache

from ..dispensing import DoseGrid
from ..plan import PlanRequest
from .base import Slot, mg, ug
from .figures import figure
from .state import PlanState

__all__ = ["SWITCH_TARGETS", "Stage", "next_stage", "order_times"]

PORTION = figure("choice", "crossover_portion_mg")
LOSS = figure("choice", "crossover_loss_percent")
SOLID_SHARE = figure("choice", "crossover_solid_share")
HOLD_UG = ug(figure("choice", "crossover_hold_mg").value)

#: Long-acting drugs a regimen can be switched to (diazepam by default, clonazepam possible).
SWITCH_TARGETS: tuple[str, ...] = ("diazepam", "clonazepam")


@dataclass(frozen=True, slots=True)
class Stage:
    slots: tuple[Slot, ...]
    note: str
    loss: int  # µg diazepam-eq/day the stage loses to rounding or to the new drug's maximum
    departure: str = ""  # why this stage goes beyond the ceiling (a forced stage only)
    delay: int = 0  # days the step before must be held longer (the 2-week ceiling)


def order_times(slots: tuple[Slot, ...], request: PlanRequest, target: str) -> list[time]:
    """Dose times still holding another drug, in the order they are substituted among equals:
    the clinician's ``switch_first``, then the latest first."""
    times = sorted({s.time for s in slots if s.drug != target and s.ug > 0}, reverse=True)
    first = request.switch_first
    if first is not None and first in times and request.switch_to == target:
        times = [first] + [t for t in times if t != first]
    return times


def next_stage(
    state: PlanState,
    slots: tuple[Slot, ...],
    target: str,
    day: date,
    *,
    forced: bool = False,
    hold: bool = True,
) -> Stage | None:
    """The next substitution stage, or None when nothing more can be substituted (the old
    drug is gone, or the new drug is at its label maximum).

    ``forced``: a dose taken from the patient's supply that cannot be divided and that the
    new drug's label maximum cannot fully replace is swapped anyway, the loss stated as a
    departure from the ceiling (the engine asks for it only when nothing else can go on).
    ``hold``: substitute only up to ``crossover_hold_mg`` diazepam-eq of the new drug (the rest
    of the old drug is tapered first); without it, up to the label maximum."""
    eq = state.eq
    times = order_times(slots, state.request, target)
    if not times:
        return None
    grid_new = state.grid(target)
    if grid_new is None:
        return None
    new_daily = sum(s.ug for s in slots if s.drug == target)
    room = state.label_max_ug(target) - new_daily
    if hold:
        room = min(room, eq.drug_ug(target, HOLD_UG - eq.dz_ug(target, new_daily)))
    if room <= 0:
        return None  # the new drug is at its pause or its label maximum
    portion = ug(PORTION.value)
    total = state.total(slots)
    floor = state.window_floor(day)
    # the dose time with the most of the old drug left first, night first among equals
    held = {
        at: sum(eq.dz_ug(s.drug, s.ug) for s in slots if s.time == at and s.drug != target)
        for at in times
    }
    olds = sorted(
        (s for s in slots if s.drug != target and s.ug > 0),
        key=lambda s: (-held[s.time], times.index(s.time), -eq.dz_ug(s.drug, s.ug)),
    )
    for old in olds:
        at = old.time
        existing = next((s for s in slots if s.time == at and s.drug == target), None)
        before = existing.ug if existing else 0
        for attempt in _portions(portion):
            taken = _old_after(state, old, attempt)
            removed = eq.dz_ug(old.drug, old.ug) - eq.dz_ug(old.drug, taken)
            want = before + eq.drug_ug(target, removed)
            given = _practical(grid_new, min(want, before + room), eq.drug_ug(target, removed))
            if given <= before:
                continue  # the new drug has no room (its maximum) or cannot make the addition
            loss = removed - (eq.dz_ug(target, given) - eq.dz_ug(target, before))
            delay = 0
            if loss and total - loss < floor and not forced:
                waited = state.delay_for(total - loss, day)
                if waited is None:
                    continue  # a stage is never faster than the 2-week ceiling
                delay = waited
            new = [s for s in slots if s is not old and s is not existing]
            if taken:
                new.append(old.at(taken))
            new.append(Slot(at, target, given, want if loss else given))
            new.sort(key=lambda s: (s.time, s.drug != target, s.drug))
            note = (
                f"crossover: {at.strftime('%H:%M')} {_plain(old.ug)} → {_plain(taken)} mg "
                f"{old.drug}, + {_plain(given - before)} mg {target} (same diazepam "
                f"equivalent under {state.request.source})"
            )
            if loss * 100 > total * LOSS.value:
                note += (
                    f"; the products or {target}'s label maximum make this stage also reduce "
                    f"{_plain(loss)} mg diazepam-eq/day"
                )
            departure = ""
            if forced and loss and total - loss < floor:
                departure = (
                    f"{old.drug} {_plain(old.ug)} mg at {at.strftime('%H:%M')} comes from the "
                    f"patient's supply and cannot be divided, and {target}'s label maximum "
                    f"({_plain(state.label_max_ug(target))} mg/day) cannot replace all of it: "
                    "this stage cuts beyond the 25 %-in-2-weeks ceiling; consider a higher "
                    "level of care"
                )
            return Stage(tuple(new), note, loss, departure, delay)
    return None


def _practical(grid: DoseGrid, most: int, removed: int) -> int:
    """The new drug's dose at that time: a tablet dose when one lies within
    ``crossover_solid_share`` % of the swapped amount below the equivalent, else what the
    products (the liquid) make nearest below it."""
    solid = grid.solid_at_most(most)
    if solid and (most - solid) * 100 <= removed * SOLID_SHARE.value:
        return solid
    return grid.at_most(most)


def _portions(portion: int) -> tuple[int, ...]:
    """The portion, then smaller ones (a stage the ceiling or the maximum would not allow)."""
    return (portion, portion // 2, portion // 4)


def _old_after(state: PlanState, old: Slot, portion: int) -> int:
    """The old drug's dose at that time after giving up about ``portion`` µg diazepam-eq: a
    dose its products make (from the patient's supply, only all or nothing)."""
    eq = state.eq
    own = eq.dz_ug(old.drug, old.ug)
    if portion >= own:
        return 0
    grid = state.grid(old.drug)
    if grid is None:
        return 0  # the whole dose time is replaced at once
    after = grid.at_most(eq.drug_ug(old.drug, own - portion))
    if after >= old.ug:
        after = grid.below(old.ug)
    return after


@lru_cache(maxsize=4096)
def _plain(amount: int) -> str:
    return format(mg(amount).normalize(), "f") if amount else "0"
