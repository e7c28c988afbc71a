"""Relapse-prevention plan: versioned (never overwritten, each with its reason), reviewed at
visits, with field-level errors and nothing lost."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans.models import ImmutableError, RelapsePlanVersion

FIRST = {
    "goals": "Stay off benzodiazepines\nSleep through the night",
    "warning_signs": "Skipping meals",
    "after_lapse": "Call Sam\nBook a visit",
    "sleep": "Bed by 23:00",
    "exercise": "",
    "nutrition": "",
    "routine": "",
    "reviewed_on": "2026-01-05",
    "reason": "first plan",
    "trigger-TOTAL_FORMS": "2",
    "trigger-INITIAL_FORMS": "2",
    "trigger-0-description": "Lying awake at night",
    "trigger-0-kind": "internal",
    "trigger-0-coping": "Get up and read\nBreathing exercise",
    "trigger-1-description": "",
    "trigger-1-kind": "",
    "trigger-1-coping": "",
    "contact-TOTAL_FORMS": "1",
    "contact-INITIAL_FORMS": "1",
    "contact-0-role": "support_person",
    "contact-0-name": "Sam Carer",
    "contact-0-phone": "0100 200 300",
    "contact-0-note": "",
}


def test_a_counsellor_writes_the_plan_and_a_review_makes_version_two(
    client_for, counsellor, patient_a, everything
):
    """The first save is version 1; a review with a new warning sign is version 2 with its
    reason, and version 1 is unchanged."""
    client = client_for(counsellor)
    url = reverse("careplans:relapse_edit", args=[patient_a.pk])
    assert client.post(url, FIRST).status_code == 302
    second = dict(
        FIRST,
        warning_signs="Skipping meals\nAvoiding friends",
        reason="reviewed at visit",
        reviewed_on="2026-02-02",
    )
    assert client.post(url, second).status_code == 302
    v1, v2 = RelapsePlanVersion.objects.filter(patient=patient_a).order_by("number")
    assert v1.content["warning_signs"] == ["Skipping meals"]
    assert v2.content["warning_signs"] == ["Skipping meals", "Avoiding friends"]
    assert (v2.number, v2.reason, v2.reviewed_on) == (2, "reviewed at visit", date(2026, 2, 2))
    assert v1.content["triggers"][0]["coping"] == ["Get up and read", "Breathing exercise"]
    assert v1.content["contacts"][0]["name"] == "Sam Carer"
    assert AuditEvent.objects.filter(action="careplan.relapse_plan_saved").count() == 2
    page = client.get(reverse("careplans:relapse", args=[patient_a.pk])).content.decode()
    assert "Avoiding friends" in page and "Version 2" in page


def test_a_saved_version_is_never_changed(careplan_a, everything):
    """The row refuses save() after creation and delete()."""
    row = careplan_a["relapse"]
    row.reason = "rewritten"
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        row.delete()


def test_errors_sit_beside_their_fields_and_everything_typed_stays(
    client_for, prescriber, patient_a, everything
):
    """A trigger with coping strategies but no description, a contact with no name and no
    reason: three field errors, nothing saved, everything typed still in the form."""
    data = dict(FIRST, reason="", **{"trigger-1-coping": "Walk it off", "contact-0-name": ""})
    response = client_for(prescriber).post(
        reverse("careplans:relapse_edit", args=[patient_a.pk]), data
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert "description" in response.context["triggers"].forms[1].errors
    assert "name" in response.context["contacts"].forms[0].errors
    page = response.content.decode()
    for typed in ("Walk it off", "Lying awake at night", "0100 200 300", "Bed by 23:00"):
        assert typed in page
    assert not RelapsePlanVersion.objects.filter(patient=patient_a).exists()


def test_a_review_dated_before_the_last_version_is_refused_on_the_date(
    client_for, prescriber, careplan_a, patient_a, everything
):
    """The core's revise() refuses going back in time; the error lands on 'Reviewed on'."""
    data = dict(FIRST, reviewed_on="2025-12-01", reason="late entry")
    response = client_for(prescriber).post(
        reverse("careplans:relapse_edit", args=[patient_a.pk]), data
    )
    assert response.status_code == 200
    assert "reviewed_on" in response.context["form"].errors
    assert RelapsePlanVersion.objects.filter(patient=patient_a).count() == 1


def test_the_edit_form_starts_from_the_current_version(
    client_for, counsellor, careplan_a, patient_a
):
    """Reviewing starts with what the current version holds."""
    page = client_for(counsellor).get(reverse("careplans:relapse_edit", args=[patient_a.pk]))
    text = page.content.decode()
    assert "Friday drinks with colleagues" in text and "Night line" in text
    assert "now version 1" in text
