"""Causes of server errors found by probing, each now a refusal on its field (issue 12, item 5)."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import HttpRequest
from django.urls import reverse

from benzodetox.core.careplan.psychosocial import schedule_course
from benzodetox.core.errors import InputError
from benzodetox.web.patients import services
from benzodetox.web.patients.models import Patient

from .conftest import make_patient

pytestmark = pytest.mark.django_db


def test_editing_a_patient_to_a_reference_already_used_is_refused_on_the_reference_field(
    client_for, nurse, patient_a, programme_a, everything
):
    """Was an IntegrityError (500); now the form shows the refusal and nothing is saved."""
    make_patient(programme_a, "A-002", [("diazepam", "5", "22:00")])
    response = client_for(nurse).post(
        reverse("patients:edit", args=[patient_a.pk]),
        {"reference": "A-002", "display_name": "Changed", "year_of_birth": "1970"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "already used" in " ".join(errors["reference"])
    patient_a.refresh_from_db()
    assert (patient_a.reference, patient_a.display_name) == ("A-001", "A. B.")


def test_keeping_the_same_reference_while_editing_other_details_is_allowed(
    client_for, nurse, patient_a, everything
):
    """The uniqueness check excludes the patient being edited."""
    response = client_for(nurse).post(
        reverse("patients:edit", args=[patient_a.pk]),
        {"reference": "A-001", "display_name": "New name", "year_of_birth": "1971"},
    )
    assert response.status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.display_name == "New name"


def test_another_programmes_reference_may_be_reused(
    client_for, nurse, patient_a, patient_b, everything
):
    """A reference is unique within a programme, not across programmes."""
    response = client_for(nurse).post(
        reverse("patients:edit", args=[patient_a.pk]),
        {"reference": "B-001", "display_name": "A. B.", "year_of_birth": "1970"},
    )
    assert response.status_code == 302


def test_the_service_turns_a_lost_race_for_a_reference_into_an_input_error(
    nurse, patient_a, programme_a, everything
):
    """If another request took the reference after the form checked it, the database constraint
    becomes an InputError on 'reference' and the outer transaction stays usable."""
    make_patient(programme_a, "A-003", [("diazepam", "5", "22:00")])
    request = HttpRequest()
    request.user = nurse
    patient_a.reference = "A-003"
    with pytest.raises(InputError) as caught:
        services.update_patient(request, patient_a, ["reference"])
    assert caught.value.field == "reference"
    assert Patient.objects.filter(reference="A-003").count() == 1


def test_a_regimen_dose_of_1e30_is_refused_on_the_amount_field(client_for, nurse, patient_a):
    """Was decimal.InvalidOperation in core/units.py (a 500)."""
    data = {
        "dose-TOTAL_FORMS": "1",
        "dose-INITIAL_FORMS": "0",
        "dose-0-drug": "diazepam",
        "dose-0-amount": "1e30",
        "dose-0-unit": "mg",
        "dose-0-time": "08:00",
    }
    response = client_for(nurse).post(reverse("patients:regimen", args=[patient_a.pk]), data)
    assert response.status_code == 200
    assert "below" in " ".join(response.context["formset"].forms[0].errors["amount"])


def test_a_course_whose_sessions_would_run_past_the_calendar_is_refused_on_its_start():
    """Starting 9999-12-31 was an OverflowError; the core names the latest first session."""
    with pytest.raises(InputError) as caught:
        schedule_course("cbt", date(9999, 12, 31), sessions=3, every_days=7)
    assert caught.value.field == "start"
    assert "9999-12-17" in caught.value.allowed


def test_a_course_ending_on_the_last_day_of_the_calendar_is_scheduled():
    """The bound is exact: the last session may fall on 9999-12-31."""
    course = schedule_course("cbt", date(9999, 12, 17), sessions=3, every_days=7)
    assert course.sessions[-1].on == date(9999, 12, 31)


def test_the_course_form_refuses_a_start_of_9999_12_31_on_the_start_field(
    client_for, personas, patient_a
):
    """Was a 500 (OverflowError); now the form answers with the refusal beside 'First session'."""
    for role in ("counsellor", "prescriber", "nurse", "admin"):
        response = client_for(personas[role]).post(
            reverse("careplans:course_new", args=[patient_a.pk]),
            {"kind": "cbt", "start": "9999-12-31", "sessions": "10", "every_days": "7"},
        )
        if response.status_code == 403:
            continue
        assert response.status_code == 200
        assert response.context["form"].errors["start"]
        return
    pytest.fail("no role may schedule a course")


def test_the_audit_filter_refuses_a_last_day_of_9999_12_31_instead_of_overflowing(
    client_for, programme_admin
):
    """Found by the fuzz: 'To' 9999-12-31 overflowed (the filter ends the next day); now the
    form refuses it beside the field and the page still answers."""
    response = client_for(programme_admin).get(reverse("audit:list"), {"until": "9999-12-31"})
    assert response.status_code == 200
    assert "9999-12-30" in " ".join(response.context["form"].errors["until"])
