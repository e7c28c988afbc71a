"""Patient self-reports: the patient-rated CIWA-B items (guidelines.md §2.1: items 1–17 patient,
18–20 observer), check-in schedule defaults with their sources, the alert rules and the
message the patient reads, and the adjustment a "this step is too hard" request proposes."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.assessment.advice import default_policy
from benzodetox.core.assessment.alerts import Facts
from benzodetox.core.assessment.instruments import instrument
from benzodetox.core.assessment.propose import propose
from benzodetox.core.assessment.self_report import (
    SelfReport,
    checkin_due,
    checkin_schedule,
    ciwa_b_alert_from,
    default_checkin_schedule,
    patient_items,
    patient_message,
    requested_adjustment,
    score_patient_part,
    self_report_alerts,
)
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan

START = date(2025, 3, 3)
SOURCES_OK = {"busto-1989", "benzodetox-monitoring-practice", "benzodetox-self-report-policy"}


@cache
def plan() -> Plan:
    regimen = Regimen((Dose(time(22), "diazepam", Decimal(20)),))
    return build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=START))


def test_the_patient_rates_the_first_17_ciwa_b_items_and_never_the_observed_ones() -> None:
    """guidelines.md §2.1: 17 patient-rated + 3 observer-rated items."""
    items = patient_items("ciwa-b")
    assert [i.number for i in items] == list(range(1, 18))
    assert all(i.rater == "patient" for i in items)
    observed = [i.number for i in instrument("ciwa-b").items if i.rater == "observer"]
    assert observed == [18, 19, 20]
    assert len(patient_items("bwsq")) == 20


def test_a_self_reported_ciwa_b_is_a_part_never_a_banded_total() -> None:
    part = score_patient_part("ciwa-b", [4] * 17)
    assert (part.total, part.max_total, part.band) == (68, 68, None)
    assert any(n.code == "self-reported-part" for n in part.notes)


@pytest.mark.parametrize(
    ("answers", "field"),
    [([1] * 16, "item 17"), ([1] * 18, "item 18"), ([1] * 16 + [5], "item 17")],
)
def test_a_wrong_self_report_names_the_item(answers: list[int], field: str) -> None:
    with pytest.raises(InputError) as caught:
        score_patient_part("ciwa-b", answers)
    assert caught.value.field == field


@settings(max_examples=60)
@given(st.lists(st.integers(min_value=0, max_value=4), min_size=17, max_size=17))
def test_the_ciwa_b_alert_fires_exactly_from_the_severe_band_lower_end(answers: list[int]) -> None:
    found = self_report_alerts(SelfReport(ciwa_b=tuple(answers)))
    assert any(d.kind == "self-report" for d in found) == (sum(answers) >= 41)
    assert all(d.title.startswith("Self-reported") for d in found)


def test_a_programme_threshold_replaces_the_band_and_is_checked() -> None:
    assert ciwa_b_alert_from() == 41
    assert ciwa_b_alert_from(alert_from=20) == 20
    found = self_report_alerts(SelfReport(ciwa_b=(2,) * 10 + (0,) * 7), ciwa_b_from=20)
    assert [d.kind for d in found] == ["self-report"]
    with pytest.raises(InputError) as caught:
        ciwa_b_alert_from(alert_from=69)
    assert caught.value.field == "ciwa_b_alert_from"


def test_phq9_item_9_above_0_means_crisis_contacts_for_the_patient() -> None:
    found = self_report_alerts(SelfReport(phq_9=(0,) * 8 + (1,)))
    assert [(d.kind, d.severity) for d in found] == [("event", "critical")]
    message = patient_message(found)
    assert message.level == "crisis"
    assert "crisis line" in message.text


def test_extra_doses_and_severe_mood_ask_the_patient_to_call_the_team() -> None:
    found = self_report_alerts(SelfReport(gad_7=(3,) * 7, extra_doses=True))
    assert [d.kind for d in found] == ["score", "extra-dose"]
    assert patient_message(found).level == "call-team"
    assert "call them today" in patient_message(found).text


def test_the_bwsq_raises_nothing_unless_the_programme_sets_a_threshold() -> None:
    """The BWSQ has no established cut-off (guidelines.md §2.2 [R])."""
    report = SelfReport(bwsq=(2,) * 20)
    assert self_report_alerts(report) == ()
    assert [d.kind for d in self_report_alerts(report, bwsq_from=30)] == ["self-report"]


def test_sleep_disturbance_alerts_only_in_bipolar_or_psychosis() -> None:
    """Rec 26a, through the core's own sleep rule."""
    report = SelfReport(sleep_disturbance=True)
    assert self_report_alerts(report) == ()
    found = self_report_alerts(report, facts=Facts(conditions=frozenset({"bipolar"})))
    assert [d.kind for d in found] == ["sleep"]


def test_a_calm_check_in_thanks_the_patient() -> None:
    assert self_report_alerts(SelfReport(ciwa_b=(1,) * 17, bwsq=(0,) * 20)) == ()
    assert patient_message(()).level == "ok"


def test_every_schedule_default_has_a_known_source() -> None:
    schedule = default_checkin_schedule()
    assert [r.value for r in schedule.rows] == [3, 7, 14]
    assert {r.source for r in schedule.rows} <= SOURCES_OK
    assert not any(r.changed for r in schedule.rows)


def test_a_programme_schedule_is_checked_on_its_field() -> None:
    assert checkin_schedule(every_days=3).every_days.changed
    with pytest.raises(InputError) as caught:
        checkin_schedule(every_days=0)
    assert caught.value.field == "every_days"


def test_a_check_in_is_due_after_each_reduction_and_weekly() -> None:
    s = default_checkin_schedule()
    red = date(2026, 3, 2)
    assert not checkin_due(s, [red], date(2026, 3, 1), None, date(2026, 3, 4)).due
    assert checkin_due(s, [red], date(2026, 3, 1), None, date(2026, 3, 5)).due
    assert not checkin_due(s, [red], date(2026, 3, 5), date(2026, 3, 5), date(2026, 3, 8)).due
    weekly = checkin_due(s, [red], date(2026, 3, 5), date(2026, 3, 5), date(2026, 3, 12))
    assert (weekly.due, weekly.reason, weekly.mood) == (True, "no check-in for 7 days", False)
    assert checkin_due(s, [], None, None, date(2026, 3, 1)).mood


def test_a_hold_request_proposes_the_policy_hold_and_propose_applies_it() -> None:
    on = [s for s in plan().steps if s.kind == "reduction"][1].start
    adjustment = requested_adjustment(plan(), "hold", on, "too dizzy")
    assert (adjustment.kind, adjustment.days) == ("hold", default_policy().hold_days)
    held = propose(plan(), adjustment)
    assert held.steps[-1].end > plan().steps[-1].end


def test_a_slow_request_halves_the_reduction_like_the_advice() -> None:
    on = [s for s in plan().steps if s.kind == "reduction"][1].start
    adjustment = requested_adjustment(plan(), "slow", on, "too hard")
    assert adjustment.kind == "slow"
    assert adjustment.percent is not None and Decimal(0) < adjustment.percent < Decimal(10)
    slower = propose(plan(), adjustment)
    assert slower.steps[-1].end > plan().steps[-1].end


@pytest.mark.parametrize(
    ("kind", "reason", "field"), [("stop", "x", "kind"), ("hold", " ", "reason")]
)
def test_a_request_needs_a_known_kind_and_a_reason(kind: str, reason: str, field: str) -> None:
    with pytest.raises(InputError) as caught:
        requested_adjustment(plan(), kind, START, reason)
    assert caught.value.field == field
