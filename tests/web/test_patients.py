"""Patient record, regimen, intake with the core's recommendation, decision and phase."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benzodetox.web.patients.models import Intake, Patient

INTAKE = {
    "duration_months": "24",
    "days_per_week": "7",
    "equivalence_table": "ashton-2002",
    "basis": "",
    "substances": ["opioids"],
    "conditions": ["sleep_apnoea"],
    "pregnancy": "not-applicable",
    "home_support": "supportive",
    "care_partners": "daughter, evenings",
}


def test_a_nurse_adds_a_patient_and_is_sent_to_the_regimen(client_for, nurse, everything):
    """A valid new patient is saved in the nurse's programme."""
    response = client_for(nurse).post(
        reverse("patients:create"),
        {
            "programme": nurse.memberships.get().programme_id,
            "reference": "A-009",
            "display_name": "Q. R.",
            "year_of_birth": "1966",
        },
    )
    patient = Patient.objects.get(reference="A-009")
    assert response["Location"] == reverse("patients:regimen", args=[patient.pk])
    assert patient.created_by == nurse


def test_a_patient_form_with_errors_keeps_what_was_typed(client_for, nurse, patient_a):
    """A duplicate record number is refused on its field; the other values stay filled in."""
    response = client_for(nurse).post(
        reverse("patients:create"),
        {
            "programme": patient_a.programme_id,
            "reference": "A-001",
            "display_name": "Kept Name",
            "year_of_birth": "18",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Kept Name"' in page
    assert "id_year_of_birth_error" in page or "greater than or equal to 1900" in page
    assert "already exists" in page


def test_the_regimen_is_saved_with_several_drugs_and_times(
    client_for, nurse, patient_a, everything
):
    """Two drugs at two times are stored exactly (µg converted to mg)."""
    data = {
        "dose-TOTAL_FORMS": "3",
        "dose-INITIAL_FORMS": "0",
        "dose-0-drug": "alprazolam",
        "dose-0-amount": "500",
        "dose-0-unit": "µg",
        "dose-0-time": "08:00",
        "dose-1-drug": "diazepam",
        "dose-1-amount": "5",
        "dose-1-unit": "mg",
        "dose-1-time": "22:00",
        "dose-2-unit": "mg",
    }
    response = client_for(nurse).post(reverse("patients:regimen", args=[patient_a.pk]), data)
    assert response.status_code == 302
    doses = [(d.drug, str(d.mg), d.time.strftime("%H:%M")) for d in patient_a.regimen_doses.all()]
    assert doses == [("alprazolam", "0.500", "08:00"), ("diazepam", "5.000", "22:00")]


def test_a_regimen_row_with_a_bad_dose_shows_the_error_on_that_field(client_for, nurse, patient_a):
    """'abc' mg is refused beside the amount; the drug chosen stays chosen."""
    data = {
        "dose-TOTAL_FORMS": "1",
        "dose-INITIAL_FORMS": "0",
        "dose-0-drug": "lorazepam",
        "dose-0-amount": "abc",
        "dose-0-unit": "mg",
        "dose-0-time": "08:00",
    }
    page = (
        client_for(nurse)
        .post(reverse("patients:regimen", args=[patient_a.pk]), data)
        .content.decode()
    )
    assert "a positive number" in page
    assert '<option value="lorazepam" selected>' in page
    assert 'value="abc"' in page


def test_saving_the_intake_shows_risk_level_of_care_and_every_reason(
    client_for, nurse, patient_a, everything
):
    """The core's assessment is stored and shown with each reason's source and status."""
    client = client_for(nurse)
    response = client.post(reverse("patients:intake", args=[patient_a.pk]), INTAKE)
    assert response.status_code == 302
    intake = Intake.objects.filter(patient=patient_a).latest()
    assert intake.level_of_care and intake.risk and intake.reasons
    page = client.get(reverse("patients:intake", args=[patient_a.pk])).content.decode()
    for reason in intake.reasons:
        assert reason["source"] in page
    assert intake.level_of_care in page
    assert "unconfirmed" in page or "confirmed" in page


def test_an_intake_error_keeps_every_value_entered(client_for, nurse, patient_a):
    """days_per_week 9 is refused on its field; the other answers stay as typed."""
    data = dict(INTAKE, days_per_week="9")
    page = (
        client_for(nurse)
        .post(reverse("patients:intake", args=[patient_a.pk]), data)
        .content.decode()
    )
    assert "less than or equal to 7" in page
    assert "daughter, evenings" in page
    assert 'value="opioids" id="id_substances_' in page and "checked" in page


def test_choosing_another_level_needs_a_reason(client_for, nurse, patient_a, everything):
    """'Choose another level' without level and reason is refused on those fields; with them
    it is recorded with who decided."""
    client = client_for(nurse)
    client.post(reverse("patients:intake", args=[patient_a.pk]), INTAKE)
    url = reverse("patients:decide", args=[patient_a.pk])
    page = client.post(url, {"decision": "other"}).content.decode()
    assert "Say why you chose another level of care." in page
    client.post(
        url, {"decision": "other", "chosen_level": "3.7-WM", "decision_reason": "lives alone"}
    )
    intake = Intake.objects.filter(patient=patient_a).latest()
    assert (intake.decision, intake.chosen_level, intake.decided_by) == ("other", "3.7-WM", nurse)


def test_a_phase_change_is_kept_in_the_history_with_its_reason(client_for, nurse, patient_a):
    """The history page lists the change with who made it and why."""
    client = client_for(nurse)
    client.post(
        reverse("patients:phase", args=[patient_a.pk]),
        {"phase": "tapering", "reason": "plan approved"},
    )
    page = client.get(reverse("patients:history", args=[patient_a.pk])).content.decode()
    assert "plan approved" in page and "a-nurse" in page


@pytest.mark.parametrize(
    "phase", ["intake", "crossover", "tapering", "hold", "completed", "aftercare", "discontinued"]
)
def test_every_phase_of_care_can_be_set(client_for, nurse, patient_a, everything, phase):
    """All seven phases are accepted."""
    client_for(nurse).post(
        reverse("patients:phase", args=[patient_a.pk]), {"phase": phase, "reason": "r"}
    )
    assert Patient.objects.get(pk=patient_a.pk).phase == phase


def test_a_phase_change_without_a_reason_is_refused_on_the_reason_field(
    client_for, nurse, patient_a, everything
):
    """The detail page comes back with the error beside 'Reason' and the phase unchanged."""
    response = client_for(nurse).post(
        reverse("patients:phase", args=[patient_a.pk]), {"phase": "hold", "reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reason_error"' in page or "This field is required." in page
    assert '<option value="hold" selected>' in page
    assert Patient.objects.get(pk=patient_a.pk).phase == "intake"
