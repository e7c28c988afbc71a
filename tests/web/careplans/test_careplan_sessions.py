"""Moving a course session: the core's ``reschedule_session`` through a form, audited, with
the earlier date kept in the row's history; refused input stays on the page."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent


def test_a_counsellor_moves_a_session_and_the_course_page_shows_the_new_date(
    client_for, counsellor, careplan_a, patient_a, everything
):
    """The session gets the new date, the audit log says from → to and why, and the row's
    history keeps the earlier date."""
    course = careplan_a["course"]
    url = reverse("careplans:move_session", args=[patient_a.pk, course.pk, 2])
    client = client_for(counsellor)
    response = client.post(url, {"m2-on": "2026-01-14", "m2-reason": "public holiday"})
    assert response.status_code == 302
    session = course.sessions.get(number=2)
    assert session.on == date(2026, 1, 14)
    event = AuditEvent.objects.get(action="careplan.session_moved", patient=patient_a)
    assert "session 2: 2026-01-12 → 2026-01-14 — public holiday" in event.summary
    assert event.user == counsellor
    earlier = [h.on for h in session.history.all()]
    assert date(2026, 1, 12) in earlier
    page = client.get(reverse("careplans:course", args=[patient_a.pk, course.pk])).content
    assert b"2026-01-14" in page and b"Move session 2" in page


def test_a_session_moved_before_another_keeps_the_sessions_in_date_order(
    client_for, prescriber, careplan_a, patient_a, everything
):
    """Moving session 2 before session 1 lists it first (sessions are shown by date)."""
    course = careplan_a["course"]
    url = reverse("careplans:move_session", args=[patient_a.pk, course.pk, 2])
    assert client_for(prescriber).post(url, {"m2-on": "2026-01-01"}).status_code == 302
    assert [s.number for s in course.sessions.all()] == [2, 1]


def test_a_move_without_a_date_is_refused_beside_its_field_keeping_the_reason(
    client_for, counsellor, careplan_a, patient_a, everything
):
    """An empty date is an error on the session's date field; the reason typed stays."""
    course = careplan_a["course"]
    url = reverse("careplans:move_session", args=[patient_a.pk, course.pk, 1])
    response = client_for(counsellor).post(url, {"m1-on": "", "m1-reason": "clinic closed"})
    assert response.status_code == 200
    assert 'id="id_m1-on_errors"' in response.content.decode()
    assert "clinic closed" in response.content.decode()
    assert course.sessions.get(number=1).on == date(2026, 1, 5)
    assert not AuditEvent.objects.filter(action="careplan.session_moved").exists()


def test_moving_a_session_that_does_not_exist_is_not_found(
    client_for, counsellor, careplan_a, patient_a
):
    """Session 9 of a two-session course answers 404."""
    course = careplan_a["course"]
    url = reverse("careplans:move_session", args=[patient_a.pk, course.pk, 9])
    assert client_for(counsellor).post(url, {"m9-on": "2026-02-01"}).status_code == 404


def test_a_nurse_sees_no_move_control_and_may_not_move(
    client_for, nurse, careplan_a, patient_a
):
    """Moving is scheduling: nurses record attendance but do not move sessions (403)."""
    course = careplan_a["course"]
    client = client_for(nurse)
    page = client.get(reverse("careplans:course", args=[patient_a.pk, course.pk])).content
    assert b"Move session" not in page
    url = reverse("careplans:move_session", args=[patient_a.pk, course.pk, 1])
    assert client.post(url, {"m1-on": "2026-01-07"}).status_code == 403
