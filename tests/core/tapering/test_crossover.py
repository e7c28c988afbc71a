"""Staged crossover: one dose time at a time, equivalence kept under the chosen table."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest

from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError
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


def test_where_clonazepam_tablets_cannot_keep_the_ceiling_the_plan_switches_to_diazepam():
    """US clonazepam comes down to 0.125 mg ODTs (2.5 mg diazepam-eq under Ashton): below
    0.5 mg a step is over 25 %. Rather than refuse, the plan goes on with diazepam (PrescQIPP:
    switch products that do not allow small reductions) and says so."""
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "10", "22:00")), "ashton-2002", START, switch_to="clonazepam"
        )
    )
    assert plan.steps[0].kind == "crossover"
    assert [d.drug for d in plan.steps[0].doses] == ["clonazepam"]
    assert any("switches to diazepam" in w for w in plan.warnings)
    tail = [s for s in plan.steps if s.kind == "reduction"][-3:]
    assert all(s.drugs == ("diazepam",) for s in tail)
    assert plan.steps[-1].kind == "stop"


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


def test_a_switch_the_target_products_cannot_make_is_not_rounded_away():
    """Chlordiazepoxide 5 mg (2 mg diazepam-eq under Ashton) would be 0.1 mg clonazepam, below
    the smallest US clonazepam dose: no stage loses it silently — the plan goes to diazepam."""
    plan = build_plan(
        PlanRequest(
            regimen(("chlordiazepoxide", "5", "07:00")),
            "ashton-2002",
            START,
            switch_to="clonazepam",
        )
    )
    crossover = [s for s in plan.steps if s.kind == "crossover"]
    assert all(s.diazepam_eq_mg == 2 for s in crossover)
    assert "clonazepam" not in {d.drug for s in plan.steps for d in s.doses}
    assert any("switches to diazepam" in w for w in plan.warnings)


def test_crossover_substitutes_about_10_mg_a_stage_night_first_like_the_ashton_manual():
    """Ashton Manual schedule 1 pattern (guidelines.md §1.4): alprazolam 2 mg three times a day
    (120 mg-eq) is swapped about 10 mg diazepam-eq a stage; diazepam never goes above its
    label maximum, and the rest of the alprazolam is tapered before the diazepam."""
    plan = build_plan(
        PlanRequest(
            regimen(("alprazolam", "2", "08:00"), ("alprazolam", "2", "14:00"),
                    ("alprazolam", "2", "22:00")),
            "ashton-2002",
            START,
            strategy="ashton",
            switch_to="diazepam",
            market="uk",
        )
    )
    stages = [s for s in plan.steps if s.kind == "crossover"]
    first = stages[0]
    assert [(d.time, d.drug, d.mg) for d in first.doses if d.drug == "diazepam"] == [
        (time(22), "diazepam", Decimal(10))
    ]
    added = [
        b.daily_mg("diazepam") - a.daily_mg("diazepam")
        for a, b in zip([plan.steps[0], *plan.steps], plan.steps, strict=False)
        if b.kind == "crossover"
    ]
    assert all(0 < x <= 10 for x in added[1:])
    cap = catalogue().drugs["diazepam"].label_max("uk").mg
    assert max(s.daily_mg("diazepam") for s in plan.steps) <= cap
    assert all(s.diazepam_eq_mg <= Decimal(120) for s in plan.steps)


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
