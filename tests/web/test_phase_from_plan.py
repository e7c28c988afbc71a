"""The patient's phase follows the approved plan's dates (issue 11, item 4)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from benzodetox.core.errors import InputError
from benzodetox.core.plan import PlanRequest
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.demo import system_request
from benzodetox.web.patients import services as patients
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.phase import advance_due
from benzodetox.web.plans import services as plans
from benzodetox.web.programmes.scoping import unscoped

from .conftest import make_patient


def _approve(patient: Any, prescriber: Any, start: date, **params: Any) -> Any:
    """Save and approve a plan through the plans services, as the web app does."""
    with unscoped():
        regimen = patients.regimen_of(patient)
        request = PlanRequest(regimen=regimen, source="ashton-2002", start=start, **params)  # type: ignore[arg-type]
        as_prescriber = system_request(prescriber)
        version = plans.save_version(
            as_prescriber, patient, request, {"source": "ashton-2002"}, "first plan"
        )
        plans.approve(as_prescriber, version, "")
    return version


def _fresh(patient: Any) -> Patient:
    with unscoped():
        return Patient.objects.get(pk=patient.pk)


@pytest.fixture
def lorazepam_a(programme_a: Any) -> Patient:
    return make_patient(
        programme_a, "A-010", [("lorazepam", "1", "08:00"), ("lorazepam", "1", "22:00")]
    )


@pytest.mark.django_db(transaction=True)
def test_approving_a_crossover_starting_today_puts_the_patient_in_crossover_and_this_weeks_changes(
    client_for, prescriber, lorazepam_a
):
    """The issue's case: after approval with the crossover starting today the patient shows
    "Crossover" (since today) and is among the dashboard's dose changes this week."""
    today = timezone.localdate()
    _approve(lorazepam_a, prescriber, today, switch_to="diazepam")
    patient = _fresh(lorazepam_a)
    assert (patient.phase, patient.phase_since, patient.phase_set_by) == (
        "crossover",
        today,
        "plan",
    )
    page = client_for(prescriber).get(reverse("monitoring:dashboard")).content.decode()
    week = page.split('id="h-week"', 1)[1].split("</section>", 1)[0]
    assert "A-010" in week and "Crossover" in week


def test_the_approval_is_audited_as_a_system_change_naming_the_plan_version(
    prescriber, lorazepam_a, everything
):
    """The phase change is an audit event with no user, its reason the plan version."""
    _approve(lorazepam_a, prescriber, timezone.localdate(), switch_to="diazepam")
    event = AuditEvent.objects.get(action="patient.phase_changed")
    assert event.user is None
    assert event.detail["plan_version"] == 1 and event.detail["by"] == "system"
    assert event.summary == "intake → crossover: plan v1: v1 approved"
    latest = _fresh(lorazepam_a).history.first()
    assert latest.history_change_reason == "plan v1: v1 approved"


def test_a_plan_starting_next_week_leaves_the_phase_until_its_first_day(
    prescriber, lorazepam_a, everything
):
    """Before the plan's first day the phase stays intake; on that day the job moves it."""
    start = timezone.localdate() + timedelta(days=7)
    _approve(lorazepam_a, prescriber, start, switch_to="diazepam")
    patient = _fresh(lorazepam_a)
    assert patient.phase == "intake" and patient.refresh_on == start
    assert patient.next_change_on == start
    result = advance_due(today=start)
    assert (result.looked_at, result.changed) == (1, 1)
    moved = _fresh(lorazepam_a)
    assert (moved.phase, moved.phase_since) == ("crossover", start)


def test_the_job_moves_a_patient_from_crossover_to_tapering_on_the_first_reduction(
    prescriber, lorazepam_a, everything
):
    """As the days pass the phase follows the plan's dates: tapering from the first cut."""
    version = _approve(lorazepam_a, prescriber, timezone.localdate(), switch_to="diazepam")
    first = next(s for s in version.plan["steps"] if s["kind"] == "reduction")
    on = date.fromisoformat(first["start"])
    advance_due(today=on - timedelta(days=1))
    assert _fresh(lorazepam_a).phase == "crossover"
    advance_due(today=on)
    patient = _fresh(lorazepam_a)
    assert (patient.phase, patient.phase_since) == ("tapering", on)
    assert patient.daily_eq_mg == Decimal(first["diazepam_eq_mg"])


def test_a_clinicians_discontinued_is_not_overwritten_by_the_job(
    prescriber, nurse, lorazepam_a, everything
):
    """A clinician's phase the plan does not give (discontinued) pins the phase: the job
    leaves it alone as the plan's dates pass."""
    version = _approve(lorazepam_a, prescriber, timezone.localdate(), switch_to="diazepam")
    patients.change_phase(system_request(nurse), _fresh(lorazepam_a), "discontinued", "moved")
    first = next(s for s in version.plan["steps"] if s["kind"] == "reduction")
    advance_due(today=date.fromisoformat(first["start"]))
    patient = _fresh(lorazepam_a)
    assert (patient.phase, patient.phase_set_by) == ("discontinued", "clinician")


def test_following_the_plan_again_takes_the_plans_phase_for_today(
    prescriber, nurse, lorazepam_a, everything
):
    """ "As the approved plan says" hands the phase back to the plan."""
    _approve(lorazepam_a, prescriber, timezone.localdate(), switch_to="diazepam")
    as_nurse = system_request(nurse)
    patients.change_phase(as_nurse, _fresh(lorazepam_a), "hold", "symptoms")
    patients.change_phase(as_nurse, _fresh(lorazepam_a), "plan", "symptoms settled")
    patient = _fresh(lorazepam_a)
    assert (patient.phase, patient.phase_set_by) == ("crossover", "plan")


def test_following_a_plan_that_does_not_exist_is_refused_on_the_phase_field(
    nurse, lorazepam_a, everything
):
    """Without an approved plan, "as the plan says" is refused, naming the field."""
    with pytest.raises(InputError) as error:
        patients.change_phase(system_request(nurse), _fresh(lorazepam_a), "plan", "why not")
    assert error.value.field == "phase"
    assert _fresh(lorazepam_a).phase == "intake"


def test_an_inpatient_plan_starts_in_stabilise_and_monitoring_counts_it_as_active(
    prescriber, programme_a, everything, django_capture_on_commit_callbacks
):
    """An inpatient plan's first days are the stabilise phase, one in which assessments fall
    due (ACTIVE_PHASES)."""
    from benzodetox.web.monitoring.models import MonitoringState
    from benzodetox.web.patients.choices import ACTIVE_PHASES

    patient = make_patient(
        programme_a, "A-011", [("diazepam", "20", "08:00"), ("diazepam", "20", "20:00")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        _approve(patient, prescriber, timezone.localdate(), strategy="inpatient")
    assert _fresh(patient).phase == "stabilise" and "stabilise" in ACTIVE_PHASES
    assert MonitoringState.objects.filter(patient=patient).exists()


def test_the_phase_form_offers_to_follow_the_plan(client_for, prescriber, patient_a):
    """The patient page's phase form has the "as the approved plan says" choice."""
    page = client_for(prescriber).get(reverse("patients:detail", args=[patient_a.pk]))
    assert 'value="plan"' in page.content.decode()
