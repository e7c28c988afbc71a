"""The core's one plan simulation: a run-in on the starting regimen puts day 1 at a steady
state, the run-in is cut from the result, and the model's adult age range is stated once."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics import MAX_DAYS, simulate
from benzodetox.core.kinetics.events import events_from_regimen
from benzodetox.core.kinetics.plan_run import (
    ADULT_AGES,
    RUN_IN,
    RUN_IN_DAYS,
    WASHOUT_DAYS,
    model_age,
    plan_days,
    plan_events,
    plan_steps,
    simulate_plan,
)
from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan

REGIMEN = Regimen((Dose(time(8), "diazepam", Decimal(10)), Dose(time(22), "diazepam", Decimal(10))))


def _plan() -> Plan:
    return build_plan(PlanRequest(REGIMEN, "ashton-2002", date(2026, 1, 5)))


def test_day_one_starts_at_the_steady_state_of_the_starting_regimen():
    """The plan's first hour equals hour RUN_IN_DAYS·24 of the regimen taken alone: the run-in
    is the regimen, and it is cut so hour 0 is the plan's day 1."""
    plan = _plan()
    run = simulate_plan(plan, days=3)
    alone = simulate(events_from_regimen(REGIMEN, RUN_IN_DAYS), days=RUN_IN_DAYS)
    assert run.run_in_days == RUN_IN_DAYS
    assert run.sim.time_h[0] == 0 and run.sim.time_h.size == 3 * 24 + 1
    for name in ("diazepam", "desmethyldiazepam"):
        assert run.sim.concentration[name][0] == pytest.approx(alone.concentration[name][-1])
        assert run.before[name].mean() > 0


def test_without_the_run_in_the_plan_starts_from_an_empty_body_and_says_so():
    """run_in=False: zero at hour 0, and the assumptions name the choice."""
    run = simulate_plan(_plan(), days=3, run_in=False)
    assert run.run_in_days == 0
    assert run.sim.concentration["diazepam"][0] == 0
    assert any("no run-in" in a for a in run.sim.assumptions)


def test_the_run_in_is_a_labelled_unconfirmed_setting_listed_with_every_result():
    """The run-in length is a modelling choice: label R, sources, in the assumptions."""
    assert RUN_IN.label == "R" and not RUN_IN.confirmed
    assert RUN_IN.describe() in simulate_plan(_plan(), days=2).sim.assumptions


def test_the_default_length_is_the_plan_and_the_washout():
    """No days given: the plan's days plus WASHOUT_DAYS (capped at MAX_DAYS)."""
    plan = _plan()
    assert simulate_plan(plan).days == min(plan_days(plan) + WASHOUT_DAYS, MAX_DAYS)


@pytest.mark.parametrize("days", [0, -1, MAX_DAYS + 1, True])
def test_a_bad_length_is_refused_naming_days(days):
    """Days outside 1..MAX_DAYS are an InputError on 'days', not a shorter simulation."""
    with pytest.raises(InputError) as error:
        simulate_plan(_plan(), days=days)
    assert error.value.field == "days"


def test_step_rows_move_by_the_run_in_with_the_starting_dose_first():
    """With an offset, row 0 is the starting dose over the run-in and every step moves."""
    plan = _plan()
    plain, shifted = plan_steps(plan), plan_steps(plan, 10)
    assert shifted[0] == (0, 1, 10, float(plan.diazepam_eq_mg_per_day))
    assert [(i, a + 10, b + 10, d) for i, a, b, d in plain] == shifted[1:]


@settings(max_examples=25, deadline=None)
@given(run_in=st.integers(min_value=0, max_value=60))
def test_the_events_hold_every_run_in_dose_and_every_plan_dose(run_in):
    """Total mg = the regimen's daily mg × run-in days + the plan's doses; times are sorted."""
    plan = _plan()
    events = plan_events(plan, run_in)["diazepam"]
    plan_mg = sum(float(d.mg) * ((s.end - s.start).days + 1) for s in plan.steps for d in s.doses)
    assert float(events.mg.sum()) == pytest.approx(20.0 * run_in + plan_mg)
    assert bool(np.all(np.diff(events.times_h) >= 0))


@given(years=st.floats(min_value=0, max_value=130, allow_nan=False))
def test_an_age_outside_the_adult_range_gets_no_covariate(years):
    """model_age keeps an adult age and drops any other, with a note naming the range."""
    age, note = model_age(years)
    if ADULT_AGES[0] <= years <= ADULT_AGES[1]:
        assert age == years
    else:
        assert age is None and f"{ADULT_AGES[0]}–{ADULT_AGES[1]}" in note
