"""Escalation in the web app: the alert stores the core's decision with its actions, the advice
says 'escalate', the next CIWA-B is due in a real window at the programme's escalation interval,
and the quick-entry warning names exactly the alerts the save raises."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from benzodetox.web.monitoring import services
from benzodetox.web.monitoring.models import AdviceRecord, Alert, MonitoringState
from benzodetox.web.patients.models import Intake
from benzodetox.web.programmes.scoping import unscoped

from .conftest import MILD, SEVERE, ciwa_post, record

CIWA_61 = [4] * 15 + [1, 0, 0, 0, 0]
ACTIONS = [
    "urgent-medical-review",
    "seizure-precautions",
    "check-other-withdrawal",
    "reassess-level-of-care",
    "reassess-sooner",
]

pytestmark = pytest.mark.usefixtures("everything")


def crossover_patient(programme: Any, prescriber: Any) -> Any:
    """The issue's patient: alprazolam crossed over to diazepam from today (day 1), a past
    withdrawal seizure and alcohol use disorder recorded at intake."""
    from tests.web.conftest import make_patient

    from .conftest import approved_version

    patient = make_patient(
        programme, "ESC-001", [("alprazolam", "0.5", "08:00"), ("alprazolam", "1", "21:00")]
    )
    with unscoped():
        Intake.objects.filter(patient=patient).update(
            withdrawal_seizure_history=True, substances=["alcohol_use_disorder"]
        )
        patient.phase = "crossover"
        patient.save()
    approved_version(patient, prescriber, timezone.localdate(), switch_to="diazepam")
    return patient


@pytest.fixture
def crossover(programme_a: Any, prescriber: Any) -> Any:
    return crossover_patient(programme_a, prescriber)


def test_the_issue_case_raises_a_critical_alert_listing_every_action(crossover, nurse):
    """CIWA-B 61/80 on day 1 of the crossover: one critical alert that escalates, with the five
    actions and their sources; the advice recorded is 'escalate'."""
    row = record(nurse, crossover, answers=tuple(CIWA_61))
    with unscoped():
        alert = Alert.objects.get(assessment=row)
        advice = AdviceRecord.objects.get(assessment=row)
    assert alert.severity == "critical" and alert.title == "CIWA-B 61 (very severe): escalate"
    assert alert.detail["escalated"] is True
    assert [a["code"] for a in alert.detail["actions"]] == ACTIONS
    assert all(a["source"] for a in alert.detail["actions"])
    assert any("alcohol use disorder" in r["text"] for r in alert.detail["reasons"])
    assert advice.action == "escalate"
    assert advice.advice["reasons"][0]["code"] == "escalate"


def test_after_the_escalation_the_next_ciwa_b_is_due_in_a_window_from_the_policy(
    crossover, nurse, client_for
):
    """The escalation is kept on the patient's monitoring state; the CIWA-B and vitals are then
    due 4–8 h after it, a range whose start is before its end, shown on the patient page."""
    row = record(nurse, crossover, answers=tuple(CIWA_61))
    with unscoped():
        state = MonitoringState.objects.get(patient=crossover)
        _, plan = services.current_plan(crossover)
        policy = services.policy_for(crossover.programme_id)
    assert state.escalated_at == row.at
    items = services.due_now(
        plan, "outpatient", [("ciwa-b", row.at)], row.at + timedelta(hours=1),
        policy.schedule, state.escalated_at,
    )  # fmt: skip
    ciwa = next(i for i in items if i.assessment == "ciwa-b")
    assert ciwa.overdue_after - ciwa.due_from == timedelta(hours=4)
    assert ciwa.status == "not yet" and "after the escalation" in ciwa.reason
    page = client_for(nurse).get(reverse("monitoring:patient", args=[crossover.pk]))
    assert "after the escalation of" in page.content.decode()
    shown = services.due_now(
        plan, services.setting_of(crossover), [("ciwa-b", row.at)], timezone.now(),
        policy.schedule, state.escalated_at,
    )  # fmt: skip
    window = next(i for i in shown if i.assessment == "ciwa-b").window
    assert " – " in window and window in page.content.decode()


def test_a_later_ciwa_b_that_does_not_escalate_ends_the_shorter_interval(crossover, nurse):
    """CIWA-B 61 then a mild one: the escalation in force is cleared."""
    record(nurse, crossover, answers=tuple(CIWA_61), at=timezone.now() - timedelta(hours=2))
    record(nurse, crossover, answers=tuple(MILD))
    with unscoped():
        assert MonitoringState.objects.get(patient=crossover).escalated_at is None


def test_the_programme_sets_its_own_interval_after_an_escalation(
    crossover, nurse, programme_admin, client_for
):
    """Settings: 2 and 6 hours; the alert's last action then says 'every 2–6 h'."""
    response = client_for(programme_admin).post(
        reverse("monitoring:settings"),
        {"escalation_due_hours": "2", "escalation_overdue_hours": "6"},
    )
    assert response.status_code == 302
    row = record(nurse, crossover, answers=tuple(CIWA_61))
    with unscoped():
        alert = Alert.objects.get(assessment=row)
    last = alert.detail["actions"][-1]
    assert "every 2–6 h" in last["text"] and last["source"] == "programme setting"


def test_an_overdue_before_due_escalation_interval_is_refused_on_its_field(
    programme_admin, client_for
):
    """Due after 8 h, overdue after 4 h: refused, naming the overdue field."""
    response = client_for(programme_admin).post(
        reverse("monitoring:settings"),
        {"escalation_due_hours": "8", "escalation_overdue_hours": "4"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "escalation_overdue_hours" in errors


def _warned(html: str) -> list[str]:
    """The alert titles the quick-entry fragment warns about."""
    return [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r'<span class="badge sev-\w+">\w+</span>(.*?)\n', html)
    ]


CASES = [
    ("ciwa-b", {**{f"item_{n}": str(v) for n, v in enumerate(SEVERE, 1)}}),
    ("ciwa-b", {**{f"item_{n}": str(v) for n, v in enumerate(CIWA_61, 1)}}),
    ("ciwa-b", {**{f"item_{n}": str(v) for n, v in enumerate(MILD, 1)}}),
    ("phq-9", {f"item_{n}": "3" for n in range(1, 10)}),
    ("phq-9", {**{f"item_{n}": "0" for n in range(1, 9)}, "item_9": "1"}),
    ("gad-7", {f"item_{n}": "3" for n in range(1, 8)}),
    ("bwsq", {**{f"item_{n}": "1" for n in range(1, 21)}, "sleep_disturbance": "on"}),
    ("vitals", {"pulse": "124", "sbp": "130"}),
    ("vitals", {"pulse": "80", "sleep_disturbance": "on"}),
]


@pytest.mark.parametrize(("kind", "values"), CASES)
def test_the_warning_before_saving_names_exactly_the_alerts_the_save_raises(
    kind, values, tapering_a, nurse, client_for
):
    """Quick entry asks the core the question the save asks: the titles warned about are the
    titles of the alerts raised (bipolar disorder recorded, so sleep disturbance counts)."""
    with unscoped():
        Intake.objects.filter(patient=tapering_a).update(
            conditions=["bipolar"], withdrawal_seizure_history=True
        )
    client = client_for(nurse)
    data = ciwa_post([], **values)
    if kind == "vitals" or kind == "bwsq":
        # a severe CIWA-B an hour ago: abnormal vital signs now escalate it
        record(nurse, tapering_a, answers=tuple(SEVERE), at=timezone.now() - timedelta(hours=1))
    preview = client.post(reverse("monitoring:score", args=[tapering_a.pk, kind]), data)
    assert preview.status_code == 200
    warned = _warned(preview.content.decode())
    before = set(Alert.objects.values_list("pk", flat=True))
    saved = client.post(reverse("monitoring:record", args=[tapering_a.pk, kind]), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    with unscoped():
        raised = [a.title for a in Alert.objects.exclude(pk__in=before).order_by("id")]
    assert warned == raised


def test_the_warning_appears_as_soon_as_the_answers_so_far_reach_an_alert(
    tapering_a, nurse, client_for
):
    """PHQ-9 with only item 9 answered (1): the suicidality emergency is warned already."""
    response = client_for(nurse).post(
        reverse("monitoring:score", args=[tapering_a.pk, "phq-9"]), {"item_9": "1"}
    )
    html = response.content.decode()
    assert "Saving will raise at least" in html and "suicidality" in html


def test_the_overdue_scan_uses_the_escalation_interval_until_it_ends(crossover, nurse):
    """Nine hours after a CIWA-B of 61 nothing newer was recorded: the scan raises the
    CIWA-B as overdue (the escalation's 4–8 h interval), where the daily schedule would still
    wait."""
    from benzodetox.web.monitoring import overdue

    record(nurse, crossover, answers=tuple(CIWA_61), at=timezone.now() - timedelta(hours=9))
    overdue.scan(now=timezone.now())
    with unscoped():
        titles = list(
            Alert.objects.filter(patient=crossover, kind="overdue").values_list("title", flat=True)
        )
    assert any(title.startswith("CIWA-B overdue") for title in titles), titles


def test_the_page_lists_each_escalation_action_once_with_its_confirmation(
    crossover, nurse, client_for
):
    """The escalation's actions are in their own box, each once, with its source and whether
    it is confirmed; the advice's reasons do not repeat them."""
    record(nurse, crossover, answers=tuple(CIWA_61))
    page = client_for(nurse).get(reverse("monitoring:patient", args=[crossover.pk]))
    text = page.content.decode()
    advice = text[text.index('id="h-advice"'):text.index("Thresholds: CIWA-B")]
    assert 'id="escalation-actions"' in advice
    for action in ("urgent medical review today", "seizure precautions"):
        assert advice.count(action) == 1, action
    box = advice[advice.index('id="escalation-actions"'):]
    assert "unconfirmed" in box and "jcpg-2025" in box
