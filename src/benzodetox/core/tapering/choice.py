"""Choosing a step's doses: among the doses the products make exactly, the most practical one
whose daily total lies in the strategy's range.

For a range of daily totals the search changes one dose time (the first in the reduction order
that can reach the range; earlier ones may be stopped altogether) and ranks every dose the
products make for it:

1. solids before the liquid (the liquid only where no solid dose lies in the range);
2. no wait before the step (a dose the 2-week ceiling allows today);
3. the reduction order (earliest dose time first, bedtime last, unless the clinician says);
4. whole units, then halves, then thirds or quarters;
5. the fewest products not yet dispensed in the plan;
6. nearest the strategy's aim, then fewest pieces.

Example: diazepam 20 mg at night, ASAM 5–10 % (18 to 19 mg), US 2/5/10 mg scored tablets: 18 mg
(10 + 4 × 2) and 19 mg (10 + 5 + 2 + 2) are both whole tablets; 18 mg is the aim (−10 %).

A dose measured as a liquid the step before stays liquid while the liquid can make it.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from ..dispensing import LIQUID, SOLIDS_FIRST_PIECES, WHOLE
from .base import Slot
from .state import PlanState

__all__ = ["Choice", "choose"]


class Choice(NamedTuple):
    slots: tuple[Slot, ...]
    total: int
    delay: int  # days the previous step must be held longer (the 2-week ceiling)
    form: int  # WHOLE, HALF, SMALL_PART or LIQUID (the changed dose)


def choose(
    state: PlanState,
    slots: tuple[Slot, ...],
    order: list[int],
    lo: int,
    hi: int,
    aim: int,
    day: date,
    *,
    window: bool,
    final: int = 0,
    nearest: bool = False,
    total: int | None = None,
    liquid: bool = True,
) -> Choice | None:
    """The best doses whose daily total (µg diazepam-eq) is in [lo, hi], or None.

    ``order`` lists the indices of ``slots`` in reduction order. ``window`` keeps the 2-week
    ceiling (a step it does not yet allow waits, and says so). No total between 0 and
    ``final`` is made (a pseudo-step; the plan stops instead). ``nearest`` ranks nearness to
    ``aim`` (from below) before practicality: a clinician's own figure, or the gentlest step.
    ``liquid=False`` looks at solid doses only.
    """
    eq = state.eq
    if total is None:
        total = eq.total(slots)
    floor = state.window_floor(day) if window else 0
    # (rank key, earlier dose times stopped up to (-1: none), slot index, µg, total, wait, form)
    best: tuple[tuple[int, ...], int, int, int, int, int, int] | None = None
    for measured in (False, True) if liquid else (False,):
        if measured and best is not None and not best[0][0] and not best[0][1]:
            break  # a solid dose lies in the range: no liquid
        zeroed = 0
        for rank, i in enumerate(order):
            slot = slots[i]
            if not slot.ug:
                continue
            own = eq.dz_ug(slot.drug, slot.ug)
            # this dose time alone, then with every earlier one stopped (a larger cut)
            for stop_earlier in (0, zeroed) if zeroed else (0,):
                others = total - stop_earlier - own
                lo_dz = lo - others if lo > others else 0
                hi_dz = hi - others if hi - others < own else own - 1
                if lo_dz > hi_dz:
                    continue
                if measured or nearest:
                    options = _options(state, slot, lo_dz, hi_dz, aim - others, measured, nearest)
                else:
                    options = _solids(state, slot, lo_dz, hi_dz)
                for amount, form, new, count in options:
                    new_total = others + eq.dz_ug(slot.drug, amount)
                    if 0 < new_total < final:
                        continue
                    delay = 0
                    if new_total < floor:
                        found = state.delay_for(new_total, day)
                        if found is None:
                            continue
                        delay = found
                    gap = aim - new_total if aim > new_total else new_total - aim
                    if nearest:
                        key: tuple[int, ...] = (gap, rank, form, new, count)
                    else:
                        key = (form == LIQUID, delay > 0, rank, form, gap, new, count, delay)
                    if best is None or key < best[0]:
                        upto = rank if stop_earlier else -1
                        best = (key, upto, i, amount, new_total, delay, form)
            if not nearest and best is not None and not best[0][0] and not best[0][1]:
                break  # a later dose time can no longer win (the reduction order)
            zeroed += own
    if best is None:
        return None
    _, last, i, amount, new_total, delay, form = best
    stopped = order[:last] if last >= 0 else []
    return Choice(_with(slots, stopped, i, amount), new_total, delay, form)


def _solids(
    state: PlanState, slot: Slot, lo_dz: int, hi_dz: int
) -> list[tuple[int, int, int, int]]:
    """The solid doses of the slot's drug (and stopping it) whose diazepam-eq is in
    [lo_dz, hi_dz] — the common case, kept short."""
    options: list[tuple[int, int, int, int]] = [(0, WHOLE, 0, 0)] if lo_dz == 0 else []
    drug = slot.drug
    grid = state.grid(drug)
    if grid is None or (grid.liquids and state.liquid_held(slot)):
        return options
    if drug == "diazepam":
        lo_ug, hi_ug = lo_dz or 1, hi_dz
    else:
        eq = state.eq
        lo_ug = eq.drug_ug_at_least(drug, lo_dz) or 1
        hi_ug = eq.drug_ug_at_most(drug, hi_dz)
    values = grid.solid_between(lo_ug, hi_ug)
    if values:
        pieces, split, uses, used = grid.pieces, grid.split, grid.uses, state.used
        by_liquid = bool(grid.liquids)
        for amount in values:
            count = pieces[amount]
            if by_liquid and count > SOLIDS_FIRST_PIECES:
                continue  # dispensed as a liquid: the liquid pass covers it
            made = uses[amount]
            options.append((amount, split[amount], 0 if made <= used else len(made - used), count))
    return options


def _options(
    state: PlanState,
    slot: Slot,
    lo_dz: int,
    hi_dz: int,
    aim_dz: int,
    liquid: bool,
    nearest: bool,
) -> list[tuple[int, int, int, int]]:
    """(µg, form, products not yet used, pieces) of the dose of the slot's drug whose
    diazepam-eq is in [lo_dz, hi_dz]: the nearest the products make (``nearest``), or the
    liquid's nearest the aim (``liquid``). Solid doses: ``_solids``."""
    options: list[tuple[int, int, int, int]] = []
    if lo_dz == 0 and not liquid:
        options.append((0, WHOLE, 0, 0))
    drug = slot.drug
    grid = state.grid(drug)
    if grid is None:
        return options
    eq = state.eq
    lo_ug = eq.drug_ug_at_least(drug, lo_dz) or 1
    hi_ug = eq.drug_ug_at_most(drug, hi_dz)
    if hi_ug < lo_ug:
        return options
    if nearest:
        amount = grid.at_most(hi_ug)
        if amount >= lo_ug and not liquid:
            prefer = state.last_product(slot.time, drug)
            options.append((amount, grid.form(amount, prefer), 0, 0))
    elif grid.liquids:
        amount = grid.liquid_nearest(lo_ug, hi_ug, eq.drug_ug(drug, max(aim_dz, 0)))
        if amount:
            options.append((amount, LIQUID, 0 if grid.liquid_id() in state.used else 1, 1))
    return options


def _with(slots: tuple[Slot, ...], stopped: list[int], i: int, amount: int) -> tuple[Slot, ...]:
    new = list(slots)
    for j in stopped:
        if new[j].ug:
            new[j] = new[j].at(0)
    new[i] = new[i].at(amount)
    return tuple(new)
