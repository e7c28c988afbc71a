"""Each outcome of one episode on hand-built histories with known answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from benzodetox.core.errors import InputError
from benzodetox.core.outcomes import default_definitions, episode_outcome

from .histories import day, history, plan

DEFS = default_definitions()
#: contacts every 14 days after a last dose on day 100, all attended, through day 200
KEPT_CONTACTS = tuple((100 + n, True) for n in range(14, 101, 14))


def test_an_episode_still_tapering_is_ongoing_and_censored_today():
    """Before the last dose the episode is ongoing; its curve time runs to today."""
    o = episode_outcome(history(scores=((50, 4),)), day(60))
    assert o.status == "ongoing"
    assert not o.reached_zero and o.last_dose_day is None
    assert o.tapering_days == 60 and o.planned_days == 100


def test_a_taper_completes_after_staying_off_through_the_stayed_off_days():
    """Reached zero on day 100, contacts kept, no return: 'aftercare' until day 190, then
    completed; time to last dose 100 days, as planned."""
    h = history(contacts=KEPT_CONTACTS)
    assert episode_outcome(h, day(150)).status == "aftercare"
    o = episode_outcome(h, day(100 + DEFS.stayed_off_days))
    assert o.status == "completed" and o.status_on == day(100)
    assert o.reached_zero and o.last_dose_day == 100 and o.delay_days == 0
    assert o.tapering_days == 100


def test_a_hold_at_the_last_step_moves_the_last_dose_and_is_counted():
    """v1 ends on day 100; a hold approved on day 95 (v2) moves the last dose to day 114. The
    episode reaches zero on day 114, 14 days after the plan: one hold, no stop on day 100."""
    v1 = plan(1, last=100, steps=((0, 89, "reduction"), (90, 100, "reduction")))
    v2 = plan(
        2,
        approved=95,
        last=114,
        adjustment="hold",
        steps=((0, 89, "reduction"), (90, 103, "hold"), (104, 114, "reduction")),
    )
    h = history(v1, v2, scores=((96, 12), (99, 8)))
    on_101 = episode_outcome(h, day(101))
    assert on_101.status == "ongoing" and not on_101.reached_zero
    o = episode_outcome(h, day(120))
    assert o.reached_zero and o.last_dose_day == 114 and o.planned_days == 100
    assert o.delay_days == 14
    assert (o.holds, o.slowdowns, o.step_backs) == (1, 0, 0)
    assert [b.phase for b in o.burden] == ["hold"]


def test_a_restart_after_stopping_is_a_return_to_use():
    """Stopped on day 100; a new plan approved on day 130 starting day 131 is a restarted
    prescription: returned to use on day 131, time to last dose still 100 days."""
    v2 = plan(2, approved=130, start=131, last=300)
    o = episode_outcome(history(plan(), v2), day(200))
    assert o.status == "returned" and o.status_on == day(131)
    assert o.returned_via == ("restart",)
    assert o.last_dose_day == 100 and o.plan_versions == 1


def test_a_self_reported_return_after_the_last_dose_counts_and_one_before_does_not():
    """A self-report on day 120 is a return; a report on day 50 (still tapering) is not."""
    assert episode_outcome(history(returns=((120, "self-report"),)), day(200)).status == "returned"
    assert (
        episode_outcome(
            history(returns=((50, "clinician"),), contacts=KEPT_CONTACTS), day(200)
        ).status
        == "completed"
    )


def test_a_patient_moved_from_inpatient_to_outpatient_stays_in_the_inpatient_cohort():
    """Inpatient at the start, outpatient from day 10: the cohort is the setting at the start,
    the move is flagged."""
    o = episode_outcome(history(settings=((0, "inpatient"), (10, "outpatient"))), day(50))
    assert o.setting == "inpatient" and o.moved_setting
    same = episode_outcome(history(settings=((0, "outpatient"),)), day(50))
    assert same.setting == "outpatient" and not same.moved_setting


def test_no_contact_for_the_set_days_is_lost_to_follow_up_censored_at_the_last_contact():
    """Last score on day 30, nothing after: lost on day 30 + 61, censored at day 30."""
    h = history(scores=((30, 5),))
    assert episode_outcome(h, day(30 + DEFS.lost_to_follow_up_days)).status == "ongoing"
    o = episode_outcome(h, day(30 + DEFS.lost_to_follow_up_days + 1))
    assert o.status == "lost" and o.status_on == day(30) and o.tapering_days == 30


def test_a_discontinued_taper_is_discontinued_on_the_clinicians_day():
    """A clinician set 'discontinued' on day 40: discontinued, censored at day 40."""
    o = episode_outcome(history(phases=((40, "discontinued"),)), day(300))
    assert o.status == "discontinued" and o.tapering_days == 40


def test_a_plan_ending_on_a_maintenance_dose_is_a_plateau_by_decision():
    """A plateau version (no last dose) approved on day 60 makes the episode a plateau."""
    v2 = plan(2, approved=60, last=None, adjustment="plateau")
    o = episode_outcome(history(plan(), v2, scores=((70, 3),)), day(80))
    assert o.status == "plateau" and o.plateaus == 1 and not o.reached_zero


def test_slowdowns_and_step_backs_are_counted_from_the_versions_that_made_them():
    """Two slow-downs and a step back before the stop; nothing after it counts."""
    versions = (
        plan(1),
        plan(2, approved=20, last=120, adjustment="slow"),
        plan(3, approved=40, last=130, adjustment="step_back"),
        plan(4, approved=60, last=150, adjustment="slow"),
    )
    o = episode_outcome(history(*versions), day(200))
    assert (o.slowdowns, o.step_backs, o.holds, o.plan_versions) == (2, 1, 0, 4)
    assert o.last_dose_day == 150 and o.delay_days == 50


def test_ciwa_b_peak_and_area_under_the_curve_are_per_phase():
    """Scores 10 (day 2) and 20 (day 6) while stabilising; 6 and 8 while tapering (days 20,
    30); 4 after the last dose. Peaks 20, 8, 4; AUC (10+20)/2×4 = 60, (6+8)/2×10 = 70, 0."""
    steps = ((0, 9, "stabilise"), (10, 100, "reduction"))
    h = history(plan(steps=steps), scores=((2, 10), (6, 20), (20, 6), (30, 8), (110, 4)))
    burden = {b.phase: b for b in episode_outcome(h, day(120)).burden}
    assert (burden["stabilise"].peak, burden["stabilise"].auc) == (20, Decimal(60))
    assert (burden["tapering"].peak, burden["tapering"].auc) == (8, Decimal(70))
    assert (burden["aftercare"].peak, burden["aftercare"].auc, burden["aftercare"].scores) == (
        4,
        0,
        1,
    )


def test_emergencies_are_counted_by_kind_up_to_the_day():
    """Two emergencies by day 50; one after it is not yet known."""
    h = history(emergencies=((10, "seizure"), (20, "delirium"), (60, "seizure")))
    o = episode_outcome(h, day(50))
    assert o.emergencies == 2 and o.emergency_kinds == ("delirium", "seizure")


def test_aftercare_retention_needs_a_contact_attended_in_each_window():
    """Last dose day 100; contacts attended on days 120 and 185 (day 20 and 85 after it):
    retained at 30 and 90, not at 60; day 90 not yet come on day 150 (None)."""
    h = history(contacts=((120, True), (150, False), (185, True)))
    assert dict(episode_outcome(h, day(200)).retention) == {30: True, 60: False, 90: True}
    assert dict(episode_outcome(h, day(150)).retention) == {30: True, 60: None, 90: None}


def test_bands_and_the_start_month_describe_the_cohort():
    """Age 70 and 25 mg at the start of a taper begun in January 2026."""
    o = episode_outcome(history(age=70, dose="25"), day(10))
    assert (o.age_band, o.dose_band, o.start_month) == ("65+", "20–<40 mg", "2026-01")
    young = episode_outcome(history(age=17, dose="5"), day(10))
    assert (young.age_band, young.dose_band) == ("under 18", "0–<10 mg")


def test_a_history_needs_an_approved_plan_and_records_name_their_field():
    """No plan, an unknown adjustment or return source: InputError naming the field."""
    with pytest.raises(InputError) as no_plan:
        history().__class__("E", 1, 40, "diazepam", Decimal(1), ())
    assert no_plan.value.field == "plans"
    with pytest.raises(InputError) as bad:
        plan(adjustment="faster")
    assert bad.value.field == "adjustment"
    with pytest.raises(InputError) as source:
        history(returns=((1, "rumour"),))
    assert source.value.field == "return.source"


def test_a_programme_can_set_its_own_definitions_within_bounds():
    """with_changes replaces a figure; a threshold of 0 or an unknown name is refused."""
    assert DEFS.with_changes(lost_to_follow_up_days=30).lost_to_follow_up_days == 30
    with pytest.raises(InputError) as zero:
        DEFS.with_changes(small_cell_threshold=0)
    assert zero.value.field == "small_cell_threshold"
    with pytest.raises(InputError):
        DEFS.with_changes(colour=1)
