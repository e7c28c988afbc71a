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
from ..errors import InputError
from ..plan import PlanRequest
from ..units import format_mg
from .base import Context, Parameter, Proposal, ug

SOURCE = "clinician"


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
