"""Staged crossover: one dose time at a time, equivalence kept under the chosen table."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from benzodetox.core.errors import InputError, PlanError
from benzodetox.core.plan import PlanRequest
from benzodetox.core.tapering import build_plan

from .conftest import START, regimen

THREE_A_DAY = regimen(
    ("lorazepam", "1", "08:00"), ("lorazepam", "1", "14:00"), ("lorazepam", "1", "22:00")
)


def test_the_evening_dose_is_switched_first_by_default_then_later_times_first():
    plan = build_plan(PlanRequest(THREE_A_DAY, "ashton-2002", START, switch_to="diazepam"))
    stages = [s for s in plan.steps if s.kind == "crossover"]
    switched = [sorted(d.time for d in s.doses if d.drug == "diazepam") for s in stages]
    assert switched == [[time(22)], [time(14), time(22)], [time(8), time(14), time(22)]]
    assert all(s.days == 7 for s in stages)
    assert {s.diazepam_eq_mg for s in stages} == {Decimal(30)}


def test_the_clinician_chooses_the_first_time_and_the_stage_length():
    plan = build_plan(
        PlanRequest(
            THREE_A_DAY,
            "ashton-2002",
            START,
            switch_to="diazepam",
            switch_first=time(8),
            crossover_days=14,
        )
    )
    first = plan.steps[0]
    assert [d.drug for d in first.doses if d.time == time(8)] == ["diazepam"]
    assert first.days == 14


def test_a_switch_to_clonazepam_keeps_the_equivalence_under_the_table():
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "10", "22:00")),
            "ashton-2002",
            START,
            switch_to="clonazepam",
            plateau_mg=Decimal(8),
        )
    )
    stage = plan.steps[0]
    assert stage.kind == "crossover"
    assert [(d.drug, d.mg) for d in stage.doses] == [("clonazepam", Decimal("0.5"))]
    assert stage.diazepam_eq_mg == 10


def test_clonazepam_tablets_cannot_keep_a_taper_within_the_asam_ceiling_so_it_is_refused():
    """US clonazepam comes down to 0.125 mg ODTs (2.5 mg diazepam-eq under Ashton): below
    0.5 mg a step is over 25 %, so the planner refuses and says what would help."""
    with pytest.raises(PlanError) as error:
        build_plan(
            PlanRequest(
                regimen(("diazepam", "10", "22:00")), "ashton-2002", START, switch_to="clonazepam"
            )
        )
    assert error.value.field == "products"
    assert "switch to diazepam" in str(error.value)
    assert "override the ceiling" in str(error.value)


def test_an_override_reason_allows_the_larger_steps_and_is_recorded():
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "10", "22:00")),
            "ashton-2002",
            START,
            switch_to="clonazepam",
            override_reason="patient preference",
        )
    )
    assert plan.steps[-1].kind == "stop"
    assert any("patient preference" in w for w in plan.warnings)


def test_a_switch_first_time_that_is_not_a_dose_time_is_refused():
    with pytest.raises(InputError) as error:
        build_plan(
            PlanRequest(
                THREE_A_DAY, "ashton-2002", START, switch_to="diazepam", switch_first=time(9)
            )
        )
    assert error.value.field == "switch_first"


def test_a_regimen_already_on_the_target_drug_has_no_crossover():
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "10", "22:00")), "ashton-2002", START, switch_to="diazepam"
        )
    )
    assert all(s.kind != "crossover" for s in plan.steps)


def test_a_current_dose_the_market_cannot_give_is_refused_with_the_nearest_doses():
    with pytest.raises(InputError) as error:
        build_plan(
            PlanRequest(
                regimen(("chlordiazepoxide", "7", "08:00")), "ashton-2002", START, market="us"
            )
        )
    assert error.value.field == "take"
    assert "nearest below: 5 mg" in str(error.value)


def test_a_table_that_does_not_list_a_drug_is_refused_naming_the_source():
    with pytest.raises(InputError) as error:
        build_plan(PlanRequest(regimen(("clonazepam", "0.5", "08:00")), "who-2009", START))
    assert error.value.field == "source"


def test_a_switch_the_target_products_cannot_make_is_refused_not_rounded_away():
    """Chlordiazepoxide 5 mg (2 mg diazepam-eq under Ashton) would be 0.1 mg clonazepam, below
    the smallest US clonazepam dose: a hidden reduction, so the switch is refused."""
    with pytest.raises(PlanError) as error:
        build_plan(
            PlanRequest(
                regimen(("chlordiazepoxide", "5", "07:00")),
                "ashton-2002",
                START,
                switch_to="clonazepam",
            )
        )
    assert error.value.field == "switch_to"
    assert "switch to diazepam" in str(error.value)


def test_after_a_crossover_the_daily_dose_can_be_divided_across_new_times():
    """Diazepam's long half-life allows fewer doses a day: three alprazolam doses become
    diazepam twice a day at the same daily total, before the first reduction."""
    plan = build_plan(
        PlanRequest(
            THREE_A_DAY, "ashton-2002", START, switch_to="diazepam", dose_times=(time(8), time(22))
        )
    )
    step = next(s for s in plan.steps if s.kind == "redistribute")
    assert [(d.time, d.mg) for d in step.doses] == [(time(8), Decimal(15)), (time(22), Decimal(15))]
    assert step.diazepam_eq_mg == 30
    later = plan.steps[step.index :]
    assert all({d.time for d in s.doses} <= {time(8), time(22)} for s in later)


def test_dividing_several_drugs_without_a_switch_is_refused():
    with pytest.raises(InputError) as error:
        build_plan(
            PlanRequest(
                regimen(("diazepam", "5", "08:00"), ("lorazepam", "1", "22:00")),
                "ashton-2002",
                START,
                dose_times=(time(22),),
            )
        )
    assert error.value.field == "dose_times"
