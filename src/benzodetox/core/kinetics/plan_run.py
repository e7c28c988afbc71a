"""A plan simulated from a steady state: the one way every adapter draws a plan's curves.

A plan changes a regimen someone has taken for months, so its day 1 starts from a steady state,
not from an empty body. ``simulate_plan`` takes the plan's starting regimen for ``RUN_IN_DAYS``
before day 1 (a run-in), then the plan, then ``WASHOUT_DAYS`` without doses, and cuts the run-in
from the result: hour 0 is midnight at the start of the plan's first day, as in ``events``.
The web's Pharmacology page and ``benzodetox simulate --plan`` both call it, so the same plan
draws the same curves.

Both lengths are benzodetox modelling choices (no published figure says how long a run-in must
be), stated as labelled settings and listed in every result's assumptions.

>>> RUN_IN.describe().startswith("run-in = 42 days [R, unconfirmed; benzodetox-kinetics-assumption")
True
>>> model_age(16)[0] is None
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..errors import InputError
from ..plan import Plan
from . import MAX_DAYS, Simulation, simulate
from .events import DoseEvents, events_from_plan, events_from_regimen
from .flumazenil import FlumazenilProtocol, simulate_flumazenil
from .model import FloatArray
from .occupancy import Ed50
from .parameters import ADULT_AGES, Param
from .population import Band

__all__ = [
    "ADULT_AGES",
    "RUN_IN",
    "RUN_IN_DAYS",
    "WASHOUT",
    "WASHOUT_DAYS",
    "PlanRun",
    "StepRow",
    "model_age",
    "plan_days",
    "plan_events",
    "plan_steps",
    "simulate_plan",
]

#: (step index, first day, last day, diazepam-eq mg/day): the rows of per-step occupancy.
StepRow = tuple[int, int, int, float]

RUN_IN = Param(
    name="run-in",
    value=42,
    unit="days",
    sources=("benzodetox-kinetics-assumption", "greenblatt-2021"),
    label="R",
    note=(
        "days on the starting regimen simulated before the plan's day 1, so the plan starts from "
        "a steady state: more than 5 half-lives of desmethyldiazepam, whose t½ reaches ~80 h "
        "(~8 days with extended treatment) in older people (Greenblatt 2021); a modelling choice"
    ),
)
RUN_IN_DAYS = int(RUN_IN.value)

WASHOUT = Param(
    name="washout",
    value=14,
    unit="days",
    sources=("benzodetox-kinetics-assumption",),
    label="R",
    note="days simulated after the plan's last step, so the decline after the last dose shows",
)
WASHOUT_DAYS = int(WASHOUT.value)


def model_age(years: float) -> tuple[float | None, str]:
    """The age covariate for a person ``years`` old, with a note: ``None`` outside the model's
    adult range ``ADULT_AGES`` (no age adjustment is then made)."""
    low, high = ADULT_AGES
    if not low <= years <= high:
        return None, (
            f"Age {years:g} is outside the model's adult range ({low}–{high}); "
            "no age adjustment is made."
        )
    return float(years), f"Age {years:g}."


def plan_days(plan: Plan) -> int:
    """Days from the plan's first to its last day, both counted."""
    return (plan.end - plan.start).days + 1


def plan_steps(plan: Plan, offset_days: int = 0) -> list[StepRow]:
    """One row per step (days counted from 1 = the plan's first day); with an ``offset_days``
    run-in, every day moves by it and row 0 is the starting dose over the run-in."""
    rows = [
        (
            s.index,
            (s.start - plan.start).days + 1 + offset_days,
            (s.end - plan.start).days + 1 + offset_days,
            float(s.diazepam_eq_mg),
        )
        for s in plan.steps
    ]
    if offset_days:
        rows.insert(0, (0, 1, offset_days, float(plan.diazepam_eq_mg_per_day)))
    return rows


def plan_events(
    plan: Plan, run_in_days: int = 0, stop_after_days: int | None = None
) -> dict[str, DoseEvents]:
    """The plan's starting regimen taken for ``run_in_days``, then the plan (its doses shifted
    by the run-in; ``stop_after_days``: the plan's last dose is on its day N)."""
    shift = run_in_days * 24.0
    before: Mapping[str, DoseEvents] = (
        events_from_regimen(plan.request.regimen, run_in_days)
        if plan.request is not None and run_in_days
        else {}
    )
    after = events_from_plan(plan, stop_after_days)
    out: dict[str, DoseEvents] = {}
    for drug in dict.fromkeys([*before, *after]):
        parts = [(e.times_h, e.mg) for e in (before.get(drug),) if e is not None]
        if drug in after:
            parts.append((after[drug].times_h + shift, after[drug].mg))
        times = np.concatenate([t for t, _ in parts])
        mg = np.concatenate([m for _, m in parts])
        order = np.argsort(times, kind="stable")
        out[drug] = DoseEvents(drug, times[order], mg[order])
    return out


@dataclass(frozen=True)
class PlanRun:
    """A plan's simulation from day 1 (``sim``), the mean level of the run-in's last day per
    series (``before``: the level the plan starts from), and the lengths used."""

    sim: Simulation
    before: Mapping[str, FloatArray]
    run_in_days: int
    days: int


def _cut(values: FloatArray, hours: int) -> FloatArray:
    return values[hours:]


def _trim(sim: Simulation, hours: int) -> Simulation:
    """The simulation from ``hours`` on, with time restarting at 0 (the plan's first day)."""
    occ = sim.occupancy
    return replace(
        sim,
        time_h=sim.time_h[hours:] - float(hours),
        concentration={k: _cut(v, hours) for k, v in sim.concentration.items()},
        bands={
            k: Band(_cut(b.p5, hours), _cut(b.median, hours), _cut(b.p95, hours), b.patients)
            for k, b in sim.bands.items()
        },
        occupancy=None
        if occ is None
        else replace(occ, series={k: _cut(v, hours) for k, v in occ.series.items()}),
    )


def simulate_plan(
    plan: Plan,
    *,
    days: int | None = None,
    run_in: bool = True,
    stop_after_days: int | None = None,
    age: float | None = None,
    liver: str = "none",
    weight_kg: float | None = None,
    metabolite_fraction: float | None = None,
    population: int = 0,
    seed: int | None = None,
    cv_clearance: float | None = None,
    cv_volume: float | None = None,
    occupancy: bool = False,
    ed50s: Sequence[Ed50] = (),
    flumazenil: FlumazenilProtocol | None = None,
) -> PlanRun:
    """Simulate ``plan`` for ``days`` days from its day 1 (default: the plan and
    ``WASHOUT_DAYS``, at most ``MAX_DAYS``), from a steady state on its starting regimen (a
    ``RUN_IN_DAYS`` run-in, cut from the result) when the plan records that regimen and
    ``run_in`` is on. A flumazenil protocol starts on the plan's day 1. The other arguments are
    ``simulate``'s."""
    if days is None:
        days = min(plan_days(plan) + WASHOUT_DAYS, MAX_DAYS)
    elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InputError("days", days, f"a whole number of days, 1 to {MAX_DAYS}")
    lead = RUN_IN_DAYS if run_in and plan.request is not None else 0
    full = simulate(
        plan_events(plan, lead, stop_after_days),
        days=min(days + lead, MAX_DAYS) if lead else days,
        age=age,
        liver=liver,
        weight_kg=weight_kg,
        metabolite_fraction=metabolite_fraction,
        population=population,
        seed=seed,
        cv_clearance=cv_clearance,
        cv_volume=cv_volume,
        occupancy=occupancy,
        ed50s=ed50s,
        steps=plan_steps(plan, lead),
    )
    hours = lead * 24
    before = {k: v[max(hours - 24, 0) : hours + 1] for k, v in full.concentration.items()}
    sim = _trim(full, hours) if lead else full
    notes = (
        [RUN_IN.describe()]
        if lead
        else ["no run-in: the plan starts from an empty body (no starting regimen recorded)"]
        if run_in
        else ["no run-in (asked for): the plan starts from an empty body"]
    )
    sim = replace(sim, assumptions=(*sim.assumptions, *notes))
    if flumazenil is not None:
        flu = simulate_flumazenil(flumazenil, sim.time_h, weight_kg=weight_kg, liver=liver)
        sim = replace(
            sim,
            concentration={**sim.concentration, "flumazenil": flu.concentration},
            flumazenil=flu,
            assumptions=tuple(dict.fromkeys((*sim.assumptions, *flu.assumptions))),
            warnings=tuple(dict.fromkeys((*sim.warnings, *flu.warnings))),
        )
    return PlanRun(sim=sim, before=before, run_in_days=lead, days=days)
