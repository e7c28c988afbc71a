"""The patient's History page lists the care plan's changes beside the record's: courses and
session moves and attendance, aftercare generated and its items edited, relapse-plan
versions and adjunct notes, each with who and why."""

from __future__ import annotations

from django.urls import reverse

from tests.web.careplans.test_careplan_relapse import FIRST


def test_the_history_page_lists_care_plan_changes_with_who_and_why(
    client_for, prescriber, nurse, approved_a, patient_a, everything
):
    """Each change made through the care-plan pages appears once, newest first."""
    client = client_for(prescriber)
    client.post(
        reverse("careplans:course_new", args=[patient_a.pk]),
        {"kind": "cbt_i", "start": "2026-03-02"},
    )
    course = patient_a.courses.get()
    client.post(
        reverse("careplans:move_session", args=[patient_a.pk, course.pk, 2]),
        {"m2-on": "2026-03-10", "m2-reason": "holiday"},
    )
    client_for(nurse).post(
        reverse("careplans:attendance", args=[patient_a.pk, course.pk, 1]),
        {"s1-attended": "yes"},
    )
    client.post(
        reverse("careplans:aftercare_generate", args=[patient_a.pk]), {"generate-days": "90"}
    )
    care = patient_a.aftercare_plans.get()
    item = care.items.first()
    client_for(nurse).post(
        reverse("careplans:aftercare_item", args=[patient_a.pk, item.pk]),
        {f"i{item.pk}-on": item.on.isoformat(), f"i{item.pk}-done": "yes"},
    )
    client.post(reverse("careplans:relapse_edit", args=[patient_a.pk]), FIRST)
    client.post(
        reverse("careplans:medications", args=[patient_a.pk]),
        {"adjunct": "melatonin", "status": "considered", "note": "poor sleep"},
    )
    response = client_for(nurse).get(reverse("patients:history", args=[patient_a.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Course: CBT for insomnia (CBT-I) from 2026-03-02" in page
    assert "session 2: 2026-03-10" in page and "moved from 2026-03-09: holiday" in page
    assert "session 1: 2026-03-02, attended" in page and "attendance recorded" in page
    assert f"Aftercare {care.last_dose:%Y-%m-%d} – {care.end:%Y-%m-%d}" in page
    assert f"on {item.on:%Y-%m-%d}: Contact with the care team, done" in page
    assert "Relapse-prevention plan v1" in page
    assert "Adjunct medication note: melatonin Considered" in page and "poor sleep" in page
    # items generated with the aftercare are summarised by the aftercare's own row
    assert page.count("Contact with the care team") == 1
    assert "a-nurse" in page and "a-prescriber" in page


def test_another_programmes_patient_history_is_not_found(
    client_for, prescriber, careplan_b, patient_b
):
    """The care-plan rows come only through one's own patient: another programme's is 404."""
    response = client_for(prescriber).get(reverse("patients:history", args=[patient_b.pk]))
    assert response.status_code == 404
