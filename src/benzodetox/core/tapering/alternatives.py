"""Workable alternatives to a plan that had to depart from its strategy.

When the products cannot make a step in the strategy's range the planner takes the nearest
workable step and says so (see ``engine``). It does not silently choose for the clinician among
other ways out; ``alternatives`` builds the ones that would avoid some of those departures — the
oral liquid, a switch to diazepam from the start — and returns each with its plan, so an adapter
can offer it as one click (web) or as the options to add (CLI).

Alprazolam 0.25 mg at night in the UK, tablets only: the products cannot make every step, so
the alternatives are the liquid, a switch to diazepam from the start, or both:

>>> from datetime import date, time
>>> from decimal import Decimal
>>> from benzodetox.core.plan import PlanRequest
>>> from benzodetox.core.regimen import Dose, Regimen
>>> regimen = Regimen((Dose(time(22, 0), "alprazolam", Decimal("0.25")),))
>>> request = PlanRequest(regimen, "ashton-2002", date(2026, 1, 5), market="uk",
...                       allow_liquid=False)
>>> sorted(a.key for a in alternatives(build_plan(request)))
['allow_liquid', 'switch_and_liquid', 'switch_to_diazepam']
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..catalogue import catalogue
from ..errors import BenzodetoxError
from ..plan import Plan, PlanRequest, Step
from .engine import build_plan

__all__ = ["Alternative", "alternatives", "departs", "departures"]

#: Notes that mark a step the products forced away from its strategy's range.
_DEPARTURE_NOTES = ("nearest larger step", "nearest gentler step")


@dataclass(frozen=True)
class Alternative:
    """Another request that avoids some of a plan's departures, with the plan it gives.

    ``changes`` are the request fields it changes, as (field, value) pairs a form or the CLI can
    apply (``allow_liquid`` = ``true``; ``switch_to`` = ``diazepam``).
    """

    key: str
    label: str
    changes: tuple[tuple[str, str], ...]
    plan: Plan
    departures: int


def departs(step: Step) -> bool:
    """Whether ``step`` departs from its strategy's range or ceiling (a nearest workable step,
    the Ashton ending, an override, a forced crossover: each stated on the step)."""
    return bool(step.warnings) or any(d in n for n in step.notes for d in _DEPARTURE_NOTES)


def departures(plan: Plan) -> int:
    """Steps that depart from the strategy's range or ceiling (stated on each), plus a switch
    to diazepam the products forced."""
    count = sum(1 for step in plan.steps if departs(step))
    return count + sum(1 for w in plan.warnings if "the plan switches to diazepam" in w)


def alternatives(plan: Plan) -> tuple[Alternative, ...]:
    """Requests that would give ``plan`` fewer departures, each built; none when it has none
    (or was not built by benzodetox)."""
    request = plan.request
    if request is None or request.strategy == "custom":
        return ()
    before = departures(plan)
    if before == 0:
        return ()
    found = []
    for key, label, changed in _candidates(request):
        try:
            other = build_plan(changed)
        except BenzodetoxError:
            continue
        after = departures(other)
        if after < before:
            changes = tuple(
                (name, _text(getattr(changed, name)))
                for name in ("allow_liquid", "switch_to")
                if getattr(changed, name) != getattr(request, name)
            )
            found.append(Alternative(key, label, changes, other, after))
    return tuple(sorted(found, key=lambda a: (a.departures, len(a.plan.steps))))


def _candidates(request: PlanRequest) -> list[tuple[str, str, PlanRequest]]:
    cat = catalogue()
    drugs = {cat.drug(d.drug).key for d in request.regimen.doses}
    working = {request.switch_to} if request.switch_to else drugs
    candidates = []
    if not request.allow_liquid and any(
        p.is_liquid for d in working | {"diazepam"} for p in cat.products_for(d, request.market)
    ):
        candidates.append(
            ("allow_liquid", "allow the oral liquid", replace(request, allow_liquid=True))
        )
    if request.switch_to is None and drugs != {"diazepam"}:
        candidates.append(
            (
                "switch_to_diazepam",
                "switch to diazepam from the start",
                replace(request, switch_to="diazepam"),
            )
        )
    if len(candidates) == 2:
        candidates.append(
            (
                "switch_and_liquid",
                "switch to diazepam from the start and allow the oral liquid",
                replace(request, switch_to="diazepam", allow_liquid=True),
            )
        )
    return candidates


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
