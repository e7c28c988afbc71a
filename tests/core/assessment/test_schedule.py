"""Monitoring schedule: inpatient intervals and outpatient windows after a reduction
(Rec 9, Rec 12a; programme-practice frequencies, guidelines.md §2.1 [R])."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from benzodetox.core.assessment.schedule import due, due_inpatient, due_outpatient
from benzodetox.core.errors import InputError
from benzodetox.core.plan import PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan

ADMIT = datetime(2025, 3, 1, 8, 0)


@pytest.mark.parametrize(
    ("hours", "status"),
    [(3, "not yet"), (4, "due"), (8, "due"), (8.5, "overdue")],
)
def test_stabilisation_assessments_are_due_after_4_hours_and_overdue_after_8(hours, status):
    """Every 4–8 h while stabilising (unconfirmed programme practice)."""
    last = ADMIT
    items = due_inpatient(
        "stabilisation", [("ciwa-b", last), ("vitals", last)], ADMIT,
        last + timedelta(hours=hours),
    )  # fmt: skip
    assert {i.status for i in items} == {status}
    assert all(i.confirmed is False for i in items)


def test_nothing_done_since_admission_is_due_at_once():
    """No assessment yet: due from admission."""
    items = due_inpatient("tapering", [], ADMIT, ADMIT + timedelta(hours=1))
    assert {i.status for i in items} == {"due"}


@pytest.mark.parametrize(
    ("day", "hour", "done_day", "status_at_reduction", "status_after"),
    [
        (0, 9, None, "due", "not yet"),
        (1, 9, None, "overdue", "not yet"),
        (1, 9, 0, "done", "not yet"),
        (2, 23, 0, "done", "not yet"),
        (3, 0, 0, "done", "due"),
        (7, 23, 0, "done", "due"),
        (8, 0, 0, "done", "overdue"),
        (8, 0, 5, "overdue", "done"),
    ],
)
def test_outpatient_windows_at_the_reduction_and_3_to_7_days_after(
    day, hour, done_day, status_at_reduction, status_after
):
    """Day 0 (Rec 9) and days 3–7 after a reduction; overdue once a window has closed."""
    start = date(2025, 3, 17)
    done = (
        []
        if done_day is None
        else [("ciwa-b", datetime.combine(start, time(10)) + timedelta(days=done_day))]
    )
    moment = datetime.combine(start + timedelta(days=day), time(hour))
    at_reduction, after = due_outpatient([start], done, moment)
    assert (at_reduction.status, after.status) == (status_at_reduction, status_after)
    assert at_reduction.confirmed is True and after.confirmed is False


def test_the_schedule_follows_a_plan_and_refuses_an_unknown_setting():
    """Outpatient windows follow the plan's latest reduction; 'home' is not a setting."""
    regimen = Regimen((Dose(time(22), "diazepam", Decimal(20)),))
    plan = build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=date(2025, 3, 3)))
    second = [s for s in plan.steps if s.kind == "reduction"][1].start
    items = due(plan, "outpatient", [], datetime.combine(second, time(12)))
    assert items[0].status == "due" and second.isoformat() in items[0].reason
    assert due(plan, "inpatient", [], datetime.combine(second, time(12)))
    with pytest.raises(InputError):
        due(plan, "home", [], datetime(2025, 3, 20))
