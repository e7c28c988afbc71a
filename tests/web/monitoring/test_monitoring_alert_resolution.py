"""Overdue-assessment alerts close by themselves once the overdue assessment is recorded
(reason "assessment recorded", audited as a system event, kept in the alert history); every
other alert waits for a clinician's acknowledgement."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring import overdue
from benzodetox.web.monitoring.models import Alert

from .conftest import SEVERE, record


def test_recording_the_overdue_ciwa_b_closes_its_alert_as_a_system_event(
    nurse, tapering_a, everything
):
    """The reduction-day CIWA-B was missed; a CIWA-B recorded now closes that alert with the
    reason, the assessment that met it, and an audit event without a user."""
    overdue.scan()
    alert = Alert.objects.get(kind="overdue")
    row = record(nurse, tapering_a)
    alert.refresh_from_db()
    assert not alert.is_open
    assert alert.closed_reason == "assessment recorded" and alert.closed_by_assessment == row
    assert alert.acknowledged_by is None
    event = AuditEvent.objects.get(action="alert.resolved")
    assert event.user is None and event.username == ""
    assert event.detail["assessment"] == row.pk and event.detail["reason"] == "assessment recorded"
    assert "closed, assessment recorded" in event.summary


def test_a_resolved_alert_leaves_the_dashboard_and_stays_in_the_patients_history(
    client_for, nurse, tapering_a, everything
):
    """No longer among the open or overdue alerts; listed under closed alerts with its
    reason."""
    overdue.scan()
    record(nurse, tapering_a)
    client = client_for(nurse)
    dashboard = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "CIWA-B overdue since" not in dashboard
    page = client.get(reverse("monitoring:patient", args=[tapering_a.pk])).content.decode()
    assert "Closed alerts" in page and "CIWA-B overdue since" in page
    assert "Closed automatically: assessment recorded" in page


def test_another_kind_of_assessment_or_an_earlier_observation_leaves_it_open(
    nurse, tapering_a, plan_start, everything
):
    """Vital signs do not meet an overdue CIWA-B, nor does a CIWA-B observed before the
    window it was due in (entered late)."""
    overdue.scan()
    record(nurse, tapering_a, kind="vitals", vitals={"pulse": 80})
    before = timezone.make_aware(datetime.combine(plan_start - timedelta(days=1), time(10)))
    record(nurse, tapering_a, at=before)
    assert Alert.objects.get(kind="overdue").is_open
    assert not AuditEvent.objects.filter(action="alert.resolved").exists()


def test_other_alerts_still_wait_for_an_acknowledgement(nurse, tapering_a, everything):
    """A severe CIWA-B's alert stays open after a later mild CIWA-B."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    record(nurse, tapering_a)
    assert Alert.objects.get(kind="score").is_open


def test_an_acknowledged_overdue_alert_keeps_its_acknowledgement(
    client_for, nurse, tapering_a, everything
):
    """Acknowledged before the assessment came in: it is not closed a second time."""
    overdue.scan()
    alert = Alert.objects.get(kind="overdue")
    client_for(nurse).post(reverse("monitoring:acknowledge", args=[alert.pk]), {"note": "rang"})
    record(nurse, tapering_a)
    alert.refresh_from_db()
    assert alert.acknowledged_by == nurse and alert.closed_reason == ""
    assert not AuditEvent.objects.filter(action="alert.resolved").exists()


def test_the_scan_does_not_raise_a_resolved_alert_again(nurse, tapering_a, everything):
    """The next scan finds the assessment and the closed alert: nothing new."""
    overdue.scan()
    record(nurse, tapering_a)
    overdue.scan(now=timezone.now() + timedelta(hours=1))
    assert Alert.objects.filter(kind="overdue").count() == 1
