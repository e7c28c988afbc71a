"""A programme's own monitoring frequencies: stored beside the core's cited schedule on the
settings page, audited, and used by the patient page, the alerts and the overdue scan."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring import overdue, services
from benzodetox.web.monitoring.models import Alert, MonitoringSettings, MonitoringState

from .conftest import record


def _follow_up(client, first: str, last: str):
    return client.post(
        reverse("monitoring:settings"), {"follow_up_from_day": first, "follow_up_to_day": last}
    )


def test_the_settings_page_shows_the_schedule_defaults_with_their_source(client_for, nurse):
    """Inpatient 4/8 h and 24/24 h, outpatient days 3–7: programme practice, unconfirmed."""
    page = client_for(nurse).get(reverse("monitoring:settings")).content.decode()
    assert "inpatient, stabilising: overdue after (hours)" in page
    assert "outpatient follow-up after a reduction: to day" in page
    assert "benzodetox-monitoring-practice" in page and "3–7 days in practice" in page


def test_a_programmes_follow_up_days_are_stored_audited_and_shown_as_its_own(
    client_for, prescriber, everything
):
    """Days 1–2 instead of 3–7: saved, in the audit log, marked as a programme setting."""
    client = client_for(prescriber)
    assert _follow_up(client, "1", "2").status_code == 302
    settings = MonitoringSettings.objects.get()
    assert (settings.follow_up_from_day, settings.follow_up_to_day) == (1, 2)
    event = AuditEvent.objects.get(action="monitoring.settings_changed")
    assert "follow_up_to_day: None → 2" in event.summary
    policy = services.policy_for(settings.programme_id)
    row = next(r for r in policy.rows if r.name == "follow_up_to_day")
    assert (row.value, row.default, row.changed, row.confirmed) == (2, 7, True, False)


def test_an_overdue_time_before_the_due_time_is_refused_on_its_field(client_for, prescriber):
    """Overdue after 3 h while due after 4 h (the default) cannot be; nothing is stored."""
    response = client_for(prescriber).post(
        reverse("monitoring:settings"), {"stabilisation_overdue_hours": "3"}
    )
    assert response.status_code == 200
    assert "comes before the due time (4)" in response.content.decode()
    assert response.context["form"].errors["stabilisation_overdue_hours"]


def test_the_patient_page_follows_the_programmes_schedule(
    client_for, prescriber, nurse, tapering_a, plan_start, everything
):
    """The reduction started 3 days ago: by default the follow-up CIWA-B is due (days 3–7);
    with the programme's days 1–2 it is overdue, named by the programme's window."""
    client = client_for(nurse)
    url = reverse("monitoring:patient", args=[tapering_a.pk])
    assert "3–7 days after the reduction" in client.get(url).content.decode()
    _follow_up(client_for(prescriber), "1", "2")
    page = client.get(url).content.decode()
    assert "1–2 days after the reduction" in page and "programme setting" in page
    due = client.get(url).context["due"]
    assert [i.status for i in due] == ["overdue", "overdue"]


def test_the_scan_raises_overdue_alerts_by_the_programmes_schedule(
    client_for, prescriber, nurse, tapering_a, plan_start, everything
):
    """With a CIWA-B on the reduction day nothing is overdue by the default windows; with the
    programme's days 1–2 the follow-up is, and the alert names the programme setting."""
    at = timezone.make_aware(datetime.combine(plan_start, time(10)))
    record(nurse, tapering_a, at=at)
    overdue.scan()
    assert not Alert.objects.filter(kind="overdue").exists()
    _follow_up(client_for(prescriber), "1", "2")
    overdue.scan()
    alert = Alert.objects.get(kind="overdue")
    assert alert.detail["source"] == "programme setting" and alert.detail["confirmed"] is False
    assert "1–2 days after the reduction" in alert.detail["reason"]


def test_changing_the_schedule_makes_the_next_scan_look_at_once(
    client_for, prescriber, tapering_a, everything
):
    """A state scanned for tomorrow is due again as soon as the schedule changes."""
    overdue.scan()
    state = MonitoringState.objects.get(patient=tapering_a)
    assert state.next_check_at > timezone.now()
    client_for(prescriber).post(reverse("monitoring:settings"), {"tapering_due_hours": "12"})
    state.refresh_from_db()
    assert state.next_check_at <= timezone.now() + timedelta(seconds=1)
