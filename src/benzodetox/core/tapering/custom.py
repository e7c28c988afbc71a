"""Clinician-entered steps: a daily total of the working drug and a number of days each.

Nothing is changed silently: each step is the nearest dose the products can give at or below
the clinician's figure (the difference recorded). Each step's daily dose gets the same
plausibility limit as a regimen entry. A rise, or a cut beyond the ASAM 2025 ceiling (25 % within
any 2 weeks), is kept only with a recorded override reason and is shown as a warning on the step;
without one it is refused, naming the step.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import catalogue
from ..errors import InputError, PlanError
from ..plan import PlanRequest
from ..units import format_mg
from .base import Context, Parameter, Proposal, Slot, mg, ug
from .choice import choose
from .figures import figure
from .state import PlanState

SOURCE = "clinician"
#: A stop from this dose or below is the expected ending of clinician steps (NICE CKS's last band
#: cuts at most 1 mg to zero).
FINAL = figure("asam", "final_dose_mg")


@dataclass(frozen=True)
class Custom:
    name: str = "custom"
    source: str = SOURCE
    ceiling: str = (
        "the clinician's steps; a rise or a cut beyond 25 % within 2 weeks [jcpg-2025 Rec 6] "
        "only with a recorded override reason"
    )

    def final_ug(self, request: PlanRequest) -> int:
        return 0

    def check(self, request: PlanRequest) -> None:
        if request.percent is not None or request.interval_days is not None:
            raise InputError(
                "percent", request.percent, "no percentage or interval with custom steps"
            )
        drugs = {catalogue().drug(d.drug).key for d in request.regimen.doses}
        if request.switch_to is None and len(drugs) > 1:
            raise InputError(
                "custom_steps",
                "several drugs",
                "one working drug: switch to a long-acting drug first",
            )
        working = request.switch_to or next(iter(drugs))
        for number, step in enumerate(request.custom_steps, start=1):
            if step.daily_mg < 0:
                raise InputError(f"step {number} mg", step.daily_mg, "0 mg or more")
            if not 1 <= step.days <= 365:
                raise InputError(f"step {number} days", step.days, "1 to 365 days")
            catalogue().check_daily_dose(working, step.daily_mg, f"step {number} mg")

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        steps = ", ".join(f"{format_mg(s.daily_mg)} × {s.days} d" for s in request.custom_steps)
        return (Parameter("steps", steps, SOURCE),)

    def start(self, request: PlanRequest) -> Custom:
        return self

    def propose(self, context: Context) -> Proposal:
        steps = context.request.custom_steps
        if context.reductions >= len(steps):
            return Proposal(context.current_total, 0, 0, 0, kind="end")
        step = steps[context.reductions]
        if step.daily_mg == 0:
            return Proposal(0, 0, 0, 1, stop=True)
        drug = context.working_drug or "diazepam"
        target = context.equivalents.dz_ug(drug, ug(step.daily_mg))
        return Proposal(
            target=target,
            lo=0,
            hi=target,
            days=step.days,
            kind="custom",
            exact=True,
            note=f"clinician step: {format_mg(step.daily_mg)} {drug} a day",
            span="the clinician's dose",
            max_days=step.days,
        )


STRATEGY = Custom()


def custom_step(
    state: PlanState, slots: tuple[Slot, ...], p: Proposal, current: int, order: list[int]
) -> tuple[Slot, ...]:
    """A clinician's step: the nearest dose at or below their figure. A rise, or a cut beyond
    the 2-week ceiling, only with a recorded override reason (then a warning on the step)."""
    request = state.request
    number = sum(1 for s in state.steps if s.kind == "custom") + 1
    field = f"step {number} mg"
    override = request.override_reason
    day = state.next_day()
    warnings: list[str] = []
    if p.target > current:
        if not override:
            raise PlanError(
                field,
                f"{mg(p.target)} mg diazepam-eq/day",
                f"at most the dose before it ({mg(current)} mg diazepam-eq/day)",
                hint="a rise needs a recorded override reason",
            )
        new = list(slots)
        i = order[-1]
        slot = new[i]
        grid = state.grid(slot.drug)
        want = state.eq.drug_ug(
            slot.drug, state.eq.dz_ug(slot.drug, slot.ug) + p.target - current
        )
        new[i] = slot.at(grid.at_most(want) if grid else slot.ug, want)
        warnings.append(f"the dose rises at this step; clinician override: {override}")
        return state.add_step(tuple(new), "custom", p.days, (p.note,), tuple(warnings))
    if p.target == current:  # the clinician keeps the dose
        return state.add_step(slots, "custom", p.days, (p.note,), total=current)
    found = choose(state, slots, order, 0, p.target, p.target, day, window=False, nearest=True)
    if found is None or found.total == 0:
        found_slots, total = tuple(s.at(0) for s in slots), 0
    else:
        found_slots, total = found.slots, found.total
    if total < state.window_floor(day):
        if not override:
            raise PlanError(
                field,
                f"{mg(p.target)} mg diazepam-eq/day",
                "a step that removes at most 25 % of the dose within 2 weeks (ASAM 2025 Rec 6)",
                hint="a faster step needs a recorded override reason",
            )
        warnings.append(
            "this step removes more than 25 % of the dose within 2 weeks; clinician override: "
            + override
        )
    if total == 0:
        state.add_stop((p.note,), tuple(warnings))
        return found_slots
    return state.add_step(found_slots, "custom", p.days, (p.note,), tuple(warnings))


def check_custom_stop(state: PlanState, current: int) -> tuple[str, ...]:
    """A clinician's stop (a 0 mg step): refused beyond the ceiling without an override."""
    day = state.next_day()
    if current <= ug(FINAL.value) or state.window_floor(day) <= 0:
        return ()
    override = state.request.override_reason
    if not override:
        number = sum(1 for s in state.steps if s.kind == "custom") + 1
        raise PlanError(
            f"step {number} mg",
            "0 mg",
            f"a stop from {mg(ug(FINAL.value))} mg diazepam-eq/day or less, or a "
            "gentler step first",
            hint=f"stopping from {mg(current)} mg removes more than 25 % within 2 weeks; "
            "a faster stop needs a recorded override reason",
        )
    return (
        f"an abrupt stop from {mg(current)} mg diazepam-eq/day; clinician override: {override}",
    )
