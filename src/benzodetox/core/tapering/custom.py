"""Clinician-entered steps: a daily total of the working drug and a number of days each.

Nothing is changed silently: each step is rounded down to what the products can give (the
difference recorded), and anything the other strategies would refuse — a rise, a step beyond the
ASAM 2025 ceiling, a plan that does not reach zero — is kept and flagged as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..plan import PlanRequest
from ..units import format_mg
from .base import Context, Parameter, Proposal

SOURCE = "clinician"


@dataclass(frozen=True)
class Custom:
    name: str = "custom"
    source: str = SOURCE
    ceiling: str = "none enforced: departures from the ASAM 2025 ceiling are flagged as warnings"

    def check(self, request: PlanRequest) -> None:
        if request.percent is not None or request.interval_days is not None:
            raise InputError(
                "percent", request.percent, "no percentage or interval with custom steps"
            )
        for number, step in enumerate(request.custom_steps, start=1):
            if step.daily_mg < 0:
                raise InputError(f"step {number} mg", step.daily_mg, "0 mg or more")
            if not 1 <= step.days <= 365:
                raise InputError(f"step {number} days", step.days, "1 to 365 days")
        drugs = {d.drug for d in request.regimen.doses}
        if request.switch_to is None and len(drugs) > 1:
            raise InputError(
                "custom_steps",
                "several drugs",
                "one working drug: switch to a long-acting drug first",
            )

    def parameters(self, request: PlanRequest) -> tuple[Parameter, ...]:
        steps = ", ".join(f"{format_mg(s.daily_mg)} × {s.days} d" for s in request.custom_steps)
        return (Parameter("steps", steps, SOURCE),)

    def propose(self, context: Context) -> Proposal:
        steps = context.request.custom_steps
        if context.reductions >= len(steps):
            return Proposal(context.current_total, 0, Decimal(0), kind="end")
        step = steps[context.reductions]
        if step.daily_mg == 0:
            return Proposal(Decimal(0), 1, Decimal(0), stop=True)
        drug = context.working_drug or "diazepam"
        target = context.equivalents.dz(drug, step.daily_mg)
        return Proposal(
            target_total=target,
            days=step.days,
            min_total=Decimal(0),
            kind="custom",
            note=f"clinician step: {format_mg(step.daily_mg)} {drug} a day",
        )


STRATEGY = Custom()
