"""The Ashton Manual's starting regimens (its slow-withdrawal schedules, as transcribed in
``ashton_manual.py`` [V2]) planned with ``--switch-to diazepam --strategy ashton --market uk``:
every one builds, diazepam never goes above 60 mg/day (its UK label maximum), and none takes
longer than 1.5 × the Manual's own path for that regimen."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from benzodetox.core.catalogue import catalogue
from benzodetox.core.plan import PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan

from .ashton_manual import SCHEDULES, AshtonSchedule

START = date(2026, 12, 1)


def request_for(schedule: AshtonSchedule) -> PlanRequest:
    doses = tuple(
        Dose(time.fromisoformat(at), drug, Decimal(mg)) for drug, mg, at in schedule.regimen
    )
    return PlanRequest(
        Regimen(doses),
        "ashton-2002",
        START,
        strategy="ashton",
        market="uk",
        switch_to="diazepam",
    )


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: f"schedule-{s.number}")
def test_the_manuals_starting_regimens_build_within_the_maximum_and_its_pace(schedule):
    """Builds; diazepam ≤ 60 mg/day; last dose within 1.5 × the Manual's weeks."""
    plan = build_plan(request_for(schedule))
    assert plan.steps[-1].kind == "stop"
    assert catalogue().drugs["diazepam"].label_max("uk").mg == 60
    assert max(s.daily_mg("diazepam") for s in plan.steps) <= 60
    last = plan.last_dose_date
    assert last is not None
    weeks = Decimal((last - START).days + 1) / 7
    assert weeks <= Decimal(schedule.weeks) * Decimal("1.5"), (schedule.number, weeks)


def test_the_high_dose_alprazolam_schedule_starts_reducing_before_the_switch_is_complete():
    """Schedule 1 (alprazolam 6 mg = 120 mg-eq): as in the Manual, reductions of the
    alprazolam begin while diazepam is held at its maximum, before all of it is replaced."""
    plan = build_plan(request_for(SCHEDULES[0]))
    mixed = [s for s in plan.steps if set(s.drugs) == {"alprazolam", "diazepam"}]
    assert any(s.kind == "reduction" for s in mixed)
