"""The phase of care a plan gives on a day, from its steps' dates (core/phase.py)."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.phase import PHASE_OF_KIND, PHASES, daily_eq_on, next_change, phase_on
from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan
from benzodetox.core.tapering.adjust import hold
from tests.strategies import taper_cases

START = date(2026, 1, 5)


def _regimen(*doses: tuple[str, str, str]) -> Regimen:
    return Regimen(tuple(Dose(time.fromisoformat(t), d, Decimal(mg)) for d, mg, t in doses))


def _crossover() -> Plan:
    return build_plan(
        PlanRequest(
            _regimen(("lorazepam", "1", "08:00"), ("lorazepam", "1", "22:00")),
            "ashton-2002",
            START,
            switch_to="diazepam",
        )
    )


def test_a_crossover_plan_is_in_crossover_on_its_first_day():
    """The issue's case: a plan whose crossover starts today puts the patient in crossover."""
    found = phase_on(_crossover().steps, START)
    assert found is not None
    assert (found.phase, found.since) == ("crossover", START)


def test_the_day_before_the_plan_starts_has_no_phase_from_the_plan():
    """Before its first day a plan does not move the patient (the phase stays intake)."""
    assert phase_on(_crossover().steps, START - timedelta(days=1)) is None


def test_after_the_crossover_the_reductions_are_tapering_since_the_first_reduction():
    """The tapering phase begins on the first reduction, and keeps that date across steps."""
    plan = _crossover()
    first = next(s for s in plan.steps if s.kind == "reduction")
    later = plan.steps[plan.steps.index(first) + 2]
    found = phase_on(plan.steps, later.start)
    assert found is not None
    assert (found.phase, found.since) == ("tapering", first.start)


def test_the_stop_day_and_every_day_after_are_aftercare():
    """From the first day without a dose the patient is in aftercare."""
    plan = _crossover()
    stop = plan.steps[-1]
    assert stop.kind == "stop"
    for day in (stop.start, stop.start + timedelta(days=400)):
        found = phase_on(plan.steps, day)
        assert found is not None
        assert (found.phase, found.since, found.step) == ("aftercare", stop.start, None)


def test_an_inpatient_plan_begins_with_stabilise():
    """eTG inpatient plans stabilise first (guidelines.md §3.3): phase "stabilise"."""
    plan = build_plan(
        PlanRequest(
            _regimen(("diazepam", "20", "08:00"), ("diazepam", "20", "20:00")),
            "ashton-2002",
            START,
            strategy="inpatient",
        )
    )
    assert phase_on(plan.steps, START).phase == "stabilise"  # type: ignore[union-attr]
    assert phase_on(plan.steps, plan.steps[1].start).phase == "tapering"  # type: ignore[union-attr]


def test_a_hold_in_the_plan_is_the_hold_phase_and_tapering_resumes_after_it():
    """A clinician's hold (adjust.hold) within a step is phase "hold" for its days only."""
    plan = build_plan(
        PlanRequest(
            _regimen(("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")), "ashton-2002", START
        )
    )
    on = plan.steps[2].start + timedelta(days=3)
    held = hold(plan, on=on, days=14, reason="withdrawal symptoms")
    found = phase_on(held.steps, on + timedelta(days=3))
    assert found is not None and (found.phase, found.since) == ("hold", on)
    after = phase_on(held.steps, found.step.end + timedelta(days=1))  # type: ignore[union-attr]
    assert after is not None and after.phase == "tapering"


def test_a_plan_that_ends_on_a_plateau_stays_in_hold_after_its_last_step():
    """A maintenance plan (plateau) still doses after its end: hold, never aftercare."""
    plan = build_plan(
        PlanRequest(
            _regimen(("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")),
            "ashton-2002",
            START,
            plateau_mg=Decimal(10),
        )
    )
    found = phase_on(plan.steps, plan.end + timedelta(days=30))
    assert found is not None and found.phase == "hold"
    assert daily_eq_on(plan.steps, plan.end + timedelta(days=30)) == plan.steps[-1].diazepam_eq_mg


def test_the_next_change_names_the_day_and_the_new_daily_dose():
    """next_change gives the first later step whose daily diazepam-eq differs."""
    plan = _crossover()
    first = next(s for s in plan.steps if s.kind == "reduction")
    change = next_change(plan.steps, START)
    assert change is not None
    assert (change.on, change.to_mg, change.kind) == (
        first.start,
        first.diazepam_eq_mg,
        "reduction",
    )
    assert change.from_mg == plan.steps[0].diazepam_eq_mg


def test_before_the_plan_the_next_change_is_its_first_day():
    """Before the start, the first change is the plan's first step, from what was taken."""
    plan = _crossover()
    change = next_change(plan.steps, START - timedelta(days=2))
    assert change is not None and change.on == START and change.from_mg is None


def test_there_is_no_next_change_after_the_last_dose():
    """After the stop day nothing changes any more."""
    plan = _crossover()
    assert next_change(plan.steps, plan.steps[-1].start) is None
    assert daily_eq_on(plan.steps, plan.end + timedelta(days=1)) == 0


def test_every_step_kind_the_planner_makes_has_a_phase():
    """Each phase a kind maps to is one the web app's choices can hold."""
    assert set(PHASE_OF_KIND.values()) <= set(PHASES)


@settings(max_examples=25, deadline=None)
@given(case=taper_cases(), offset=st.integers(0, 800))
def test_the_phase_follows_the_plan_day_by_day(case: dict[str, object], offset: int):
    """Safety invariants on any plan: a day in the plan has a known phase that began on or
    before it; a day with no dose after the last dose is aftercare, and aftercare never
    returns to a dosing phase; the next change is always later than the day."""
    plan = build_plan(PlanRequest(**case))  # type: ignore[arg-type]
    day = plan.start + timedelta(days=offset)
    found = phase_on(plan.steps, day)
    assert found is not None and found.phase in PHASES
    assert plan.start <= found.since <= day
    if found.step is not None:
        assert found.phase == PHASE_OF_KIND[found.step.kind]
    last = plan.last_dose_date
    if last is not None and day > last:
        assert found.phase == "aftercare"
        later = phase_on(plan.steps, day + timedelta(days=30))
        assert later is not None and later.phase == "aftercare"
    change = next_change(plan.steps, day)
    if change is not None:
        assert change.on > day and change.to_mg != daily_eq_on(plan.steps, day)
