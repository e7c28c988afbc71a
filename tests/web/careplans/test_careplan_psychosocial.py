"""Psychosocial courses: scheduled by the core's counts, attendance recorded and audited,
errors shown beside their fields with nothing lost."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans.models import Course


def test_a_counsellor_schedules_cbt_i_as_eight_weekly_sessions(
    client_for, counsellor, patient_a, everything
):
    """CBT-I defaults to the trials' 8 weekly sessions (Baillargeon 2003, Soeffing 2008)."""
    url = reverse("careplans:course_new", args=[patient_a.pk])
    response = client_for(counsellor).post(url, {"kind": "cbt_i", "start": "2026-03-02"})
    course = Course.objects.get(patient=patient_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("careplans:course", args=[patient_a.pk, course.pk])
    days = [s.on for s in course.sessions.all()]
    assert len(days) == 8 and days[0] == date(2026, 3, 2) and days[1] == date(2026, 3, 9)
    assert AuditEvent.objects.filter(action="careplan.course_scheduled", patient=patient_a).exists()


def test_a_family_session_course_without_a_count_is_refused_on_its_field_keeping_the_input(
    client_for, prescriber, patient_a, everything
):
    """Family / care-partner sessions (Rec 4) have no sourced count: the form asks for one
    beside the field and keeps the date and note typed."""
    url = reverse("careplans:course_new", args=[patient_a.pk])
    response = client_for(prescriber).post(
        url, {"kind": "family", "start": "2026-03-02", "note": "with partner"}
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert "sessions" in form.errors
    assert 'value="2026-03-02"' in response.content.decode()
    assert "with partner" in response.content.decode()
    assert not Course.objects.filter(patient=patient_a).exists()


def test_a_nurse_records_attendance_and_the_course_page_shows_it(
    client_for, nurse, careplan_a, patient_a, everything
):
    """Attendance is saved with who recorded it, audited, and shown on the course page."""
    course = careplan_a["course"]
    url = reverse("careplans:attendance", args=[patient_a.pk, course.pk, 2])
    client = client_for(nurse)
    response = client.post(url, {"s2-attended": "no", "s2-note": "unwell"})
    assert response.status_code == 302
    session = course.sessions.get(number=2)
    assert session.attended is False and session.note == "unwell"
    assert session.recorded_by == nurse
    page = client.get(reverse("careplans:course", args=[patient_a.pk, course.pk])).content
    assert b"missed" in page and b"unwell" in page
    event = AuditEvent.objects.get(action="careplan.attendance_recorded")
    assert "session 2: missed" in event.summary


def test_attendance_without_a_choice_is_an_error_beside_the_field(
    client_for, counsellor, careplan_a, patient_a, everything
):
    """Posting no attended/missed choice re-renders with the error and saves nothing."""
    course = careplan_a["course"]
    url = reverse("careplans:attendance", args=[patient_a.pk, course.pk, 1])
    response = client_for(counsellor).post(url, {"s1-note": "kept"})
    assert response.status_code == 200
    assert "s1-attended" in response.content.decode() and b"errorlist" in response.content
    assert b"kept" in response.content
    assert course.sessions.get(number=1).attended is None
