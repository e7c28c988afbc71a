"""Monitoring schedule: inpatient intervals and outpatient windows after a reduction
(Rec 9, Rec 12a; programme-practice frequencies, guidelines.md §2.1 [R])."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.assessment.schedule import (
    default_schedule,
    due,
    due_inpatient,
    due_outpatient,
    programme_schedule,
)
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


# --------------------------------------------------------------------- a programme's schedule


def _plan_from(start: date):
    regimen = Regimen((Dose(time(22), "diazepam", Decimal(20)),))
    return build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=start))


def test_due_follows_a_programmes_own_inpatient_interval():
    """With tapering checks every 12 h (programme policy) a CIWA-B 13 h old is overdue; by the
    default (daily) it is not yet due. The changed rule names the programme, unconfirmed."""
    plan = _plan_from(date(2025, 3, 3))
    last = datetime(2025, 3, 20, 8, 0)
    at = last + timedelta(hours=13)
    done = [("ciwa-b", last), ("vitals", last)]
    own = programme_schedule(default_schedule(), "programme setting", {"tapering": (6, 12)})
    mine = due(plan, "inpatient", done, at, policy=own)
    assert {i.status for i in mine} == {"overdue"}
    assert all(i.source == "programme setting" and i.confirmed is False for i in mine)
    assert "every 6–12 h" in mine[0].reason
    assert {i.status for i in due(plan, "inpatient", done, at)} == {"not yet"}


def test_a_programmes_follow_up_window_replaces_3_to_7_days_and_keeps_rec_9():
    """Days 1–2 after the reduction instead of 3–7: a CIWA-B on day 2 meets it, and by day 3
    the window has closed; the day-0 window (Rec 9, confirmed) is unchanged."""
    start = date(2025, 3, 17)
    own = programme_schedule(
        default_schedule(), "programme setting", outpatient={"after-reduction": (1, 2)}
    )
    at_reduction, after = own.outpatient
    assert (at_reduction.source, at_reduction.confirmed) == ("jcpg-2025", True)
    assert after.name == "1–2 days after the reduction" and after.confirmed is False
    on_day_3 = datetime.combine(start + timedelta(days=3), time(9))
    assert due_outpatient([start], [], on_day_3, own.outpatient)[1].status == "overdue"
    done = [("ciwa-b", datetime.combine(start + timedelta(days=2), time(9)))]
    assert due_outpatient([start], done, on_day_3, own.outpatient)[1].status == "done"


def test_a_programme_setting_equal_to_the_default_keeps_the_cited_source():
    """Setting the default values again changes nothing: the rules keep their source."""
    base = default_schedule()
    same = programme_schedule(
        base, "programme setting", {"stabilisation": (4, 8)}, {"after-reduction": (3, 7)}
    )
    assert same == base


@pytest.mark.parametrize(
    ("inpatient", "outpatient", "field"),
    [
        ({"tapering": (12, 6)}, None, "tapering overdue_hours"),
        ({"tapering": (0, 6)}, None, "tapering due_hours"),
        ({"recovery": (4, 8)}, None, "phase"),
        (None, {"after-reduction": (5, 3)}, "after-reduction to_day"),
        (None, {"after-reduction": (-1, 3)}, "after-reduction from_day"),
        (None, {"weekly": (3, 7)}, "window"),
    ],
)
def test_impossible_frequencies_are_refused_on_their_field(inpatient, outpatient, field):
    """Overdue before due, a window ending before it starts, an unknown phase or window."""
    with pytest.raises(InputError) as caught:
        programme_schedule(default_schedule(), "programme setting", inpatient, outpatient)
    assert caught.value.field == field


@given(due_hours=st.integers(1, 72), extra=st.integers(0, 72), hours=st.integers(0, 200))
def test_an_inpatient_check_is_overdue_exactly_after_the_programmes_overdue_hours(
    due_hours, extra, hours
):
    """For any programme interval, 'overdue' starts after overdue_hours and 'due' at
    due_hours since the last assessment — never earlier."""
    own = programme_schedule(
        default_schedule(), "programme setting", {"tapering": (due_hours, due_hours + extra)}
    )
    (item,) = [
        i
        for i in due_inpatient(
            "tapering", [("ciwa-b", ADMIT)], ADMIT, ADMIT + timedelta(hours=hours), own.inpatient
        )
        if i.assessment == "ciwa-b"
    ]
    expected = (
        "overdue" if hours > due_hours + extra else "due" if hours >= due_hours else "not yet"
    )
    assert item.status == expected


def test_after_an_escalation_the_ciwa_b_and_vitals_are_due_in_a_real_window():
    """Escalated at 10:00 on a daily inpatient schedule: both due 14:00–18:00 the same day
    (the 4–8 h escalation interval), shown as a range, not 'every 24 h' with start = end."""
    from benzodetox.core.assessment.schedule import due_after_escalation, with_escalation

    escalated = datetime(2025, 3, 3, 10, 0)
    regular = due_inpatient("tapering", [("ciwa-b", escalated)], ADMIT, datetime(2025, 3, 3, 11, 0))
    assert regular[0].due_from == regular[0].overdue_after  # the daily rule leaves no slack
    assert regular[0].window == "by 2025-03-04 10:00"
    items = with_escalation(
        regular, escalated, [("ciwa-b", escalated)], datetime(2025, 3, 3, 11, 0)
    )
    by_kind = {i.assessment: i for i in items}
    assert set(by_kind) == {"ciwa-b", "vitals"}
    for item in by_kind.values():
        assert item.window == "2025-03-03 14:00 – 18:00" and item.status == "not yet"
        assert item.due_from < item.overdue_after and item.confirmed is False
    later = due_after_escalation(escalated, [("ciwa-b", escalated)], datetime(2025, 3, 3, 19))
    assert later[0].status == "overdue"


def test_a_programme_sets_its_own_interval_after_an_escalation():
    """(2, 6) h: the rule names the programme setting and is unconfirmed."""
    own = programme_schedule(default_schedule(), "programme setting", escalation=(2, 6))
    assert (own.escalation.due_hours, own.escalation.overdue_hours) == (2, 6)
    assert own.escalation.source == "programme setting" and not own.escalation.confirmed
    with pytest.raises(InputError):
        programme_schedule(default_schedule(), "programme setting", escalation=(6, 2))
