"""The phase of care a plan puts a patient in on a given day, read from its steps' dates.

A plan's steps say what happens each day (``Step.kind``); the phase is the clinician's word for
that stretch of the taper:

==========================================  ====================================================
step kind                                   phase
==========================================  ====================================================
``crossover`` (and the ``redistribute``     ``crossover`` — the switch to the working drug
that divides the new drug across times)
``stabilise``                               ``stabilise`` — inpatient stabilisation before cuts
``reduction``, ``custom``, ``step back``    ``tapering``
``hold``, ``plateau``                       ``hold`` — no change for a while (or maintenance)
``stop`` and every day after the last dose  ``aftercare``
==========================================  ====================================================

Before the plan's first day the patient is not yet on it (``None``: the phase stays whatever
it was, usually intake). After the plan's last step, a plan that still doses (one that ends on
a plateau or does not reach zero) keeps the patient in ``hold``.

    >>> from datetime import date, time
    >>> from decimal import Decimal
    >>> from benzodetox.core.plan import ScheduledDose, Step
    >>> def step(i, start, end, kind, mg):
    ...     dose = ScheduledDose(time(8), "diazepam", Decimal(mg), Decimal(mg))
    ...     return Step(i, start, end, kind, (dose,) if mg else (), Decimal(mg), Decimal(0))
    >>> steps = (
    ...     step(1, date(2026, 1, 5), date(2026, 1, 11), "crossover", 20),
    ...     step(2, date(2026, 1, 12), date(2026, 1, 25), "reduction", 18),
    ...     step(3, date(2026, 1, 26), date(2026, 1, 26), "stop", 0),
    ... )
    >>> phase_on(steps, date(2026, 1, 12)).phase
    'tapering'
    >>> phase_on(steps, date(2026, 2, 1)).phase, phase_on(steps, date(2026, 2, 1)).since
    ('aftercare', datetime.date(2026, 1, 26))
    >>> str(next_change(steps, date(2026, 1, 5)).to_mg)
    '18'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .plan import Step

__all__ = ["PHASES", "PHASE_OF_KIND", "Change", "PhaseOn", "daily_eq_on", "next_change", "phase_on"]

#: the phases a plan can put a patient in (the web app's Phase choices hold each of them)
PHASES = ("crossover", "stabilise", "tapering", "hold", "aftercare")

PHASE_OF_KIND: dict[str, str] = {
    "crossover": "crossover",
    "redistribute": "crossover",
    "stabilise": "stabilise",
    "reduction": "tapering",
    "custom": "tapering",
    "step back": "tapering",
    "hold": "hold",
    "plateau": "hold",
    "stop": "aftercare",
}


@dataclass(frozen=True)
class PhaseOn:
    """The phase on a day, the day that stretch of the plan began, and the step (None after
    the plan's last step)."""

    phase: str
    since: date
    step: Step | None


@dataclass(frozen=True)
class Change:
    """The next day the daily diazepam-equivalent changes, and to what (mg per day)."""

    on: date
    from_mg: Decimal | None  # None: from whatever the patient took before the plan
    to_mg: Decimal
    kind: str


def _phase_of(step: Step) -> str:
    # An unknown kind is a dose the plan gives without a cut: call it tapering, never drop it.
    return PHASE_OF_KIND.get(step.kind, "tapering")


def _doses(step: Step) -> bool:
    return any(d.mg > 0 for d in step.doses)


def phase_on(steps: Sequence[Step], day: date) -> PhaseOn | None:
    """The phase the plan's ``steps`` give on ``day``; ``None`` before the first step (or for a
    plan with no steps)."""
    if not steps or day < steps[0].start:
        return None
    last = next((i for i in range(len(steps) - 1, -1, -1) if _doses(steps[i])), None)
    if last is None:
        return PhaseOn("aftercare", steps[0].start, None)
    if day > steps[last].end:
        if last < len(steps) - 1:  # the stop step and every day after the last dose
            return PhaseOn("aftercare", steps[last + 1].start, None)
        # a plan that ends still dosing (a plateau, or short of zero): maintenance, for review
        last_phase = phase_on(steps, steps[last].end)
        return PhaseOn(
            "hold",
            last_phase.since
            if last_phase and last_phase.phase == "hold"
            else steps[last].end + timedelta(days=1),
            None,
        )
    index = next(i for i, s in enumerate(steps) if s.start <= day <= s.end)
    phase = _phase_of(steps[index])
    first = index
    while first > 0 and _phase_of(steps[first - 1]) == phase:
        first -= 1
    return PhaseOn(phase, steps[first].start, steps[index])


def daily_eq_on(steps: Sequence[Step], day: date) -> Decimal | None:
    """The daily diazepam-equivalent the plan gives on ``day`` (0 after the last dose; None
    before the plan starts; the last step's dose after a plan that ends still dosing)."""
    if not steps or day < steps[0].start:
        return None
    for step in steps:
        if step.start <= day <= step.end:
            return step.diazepam_eq_mg
    return steps[-1].diazepam_eq_mg


def next_change(steps: Sequence[Step], day: date) -> Change | None:
    """The first day after ``day`` on which the daily diazepam-equivalent differs from the
    day before it (before the plan starts: its first day, from nothing)."""
    previous = daily_eq_on(steps, day)
    for step in steps:
        if step.start <= day:
            continue
        if previous is None or step.diazepam_eq_mg != previous:
            return Change(step.start, previous, step.diazepam_eq_mg, step.kind)
        previous = step.diazepam_eq_mg
    return None
