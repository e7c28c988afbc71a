"""The programme dashboard (census, open alerts by severity, this week's dose changes, overdue
assessments, aftercare with the next contact; filterable), acknowledging alerts, and the
programme's thresholds."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring import overdue
from benzodetox.web.monitoring.models import Alert, MonitoringSettings, ScheduledChange

from .conftest import SEVERE, record


def test_the_dashboard_counts_patients_by_phase_and_open_alerts_by_severity(
    client_for, nurse, alert_a
):
    """One tapering patient and one high alert, each row linking to the patient."""
    page = client_for(nurse).get(reverse("monitoring:dashboard")).content.decode()
    assert 'href="?phase=tapering">Tapering</a></th><td class="num">1</td>' in page
    assert '<span class="badge sev-high">high</span></a></th><td class="num">1</td>' in page
    assert reverse("monitoring:patient", args=[alert_a.patient_id]) in page
    assert "CIWA-B 44 (severe)" in page


def test_dashboard_filters_narrow_the_alerts(client_for, nurse, alert_a):
    """Filtering on another severity or a record number that does not match hides the alert;
    the htmx request answers with the fragment only."""
    client = client_for(nurse)
    url = reverse("monitoring:dashboard")
    assert "CIWA-B 44" not in client.get(url, {"severity": "critical"}).content.decode()
    assert "CIWA-B 44" not in client.get(url, {"q": "Z-999"}).content.decode()
    fragment = client.get(url, {"q": "A-001"}, HTTP_HX_REQUEST="true").content.decode()
    assert "CIWA-B 44" in fragment and "<html" not in fragment


def test_the_dashboard_shows_this_weeks_dose_changes_and_overdue_assessments(
    client_for, nurse, tapering_a, everything
):
    """After a scan: the first reduction (this week or last) and the missed reduction-day
    CIWA-B."""
    overdue.scan()
    page = client_for(nurse).get(reverse("monitoring:dashboard")).content.decode()
    assert "CIWA-B overdue since" in page
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    changes = ScheduledChange.objects.filter(
        on__gte=monday, on__lte=monday + timedelta(days=6)
    )
    if changes.exists():
        assert "reduction</td>" in page


def test_aftercare_patients_show_their_next_contact_from_the_aftercare_schedule(
    client_for, nurse, patient_a, everything
):
    """No care plan yet: the next contact is derived from the day before aftercare began
    (days 1, 15, 29 … at first)."""
    patient_a.phase = "aftercare"
    patient_a.phase_since = timezone.localdate() - timedelta(days=3)
    patient_a.save()
    page = client_for(nurse).get(reverse("monitoring:dashboard")).content.decode()
    # contacts on days 1, 15, 29 … after the last dose: day 1 has passed, day 15 is next
    expected = timezone.localdate() - timedelta(days=4) + timedelta(days=15)
    assert f"{expected:%Y-%m-%d} — Contact with the care team" in page
    assert "day before aftercare began" in page


def test_acknowledging_an_alert_closes_it_once_and_is_audited(
    client_for, nurse, alert_a, everything
):
    """The acknowledgement records who and when; a second one changes nothing."""
    client = client_for(nurse)
    url = reverse("monitoring:acknowledge", args=[alert_a.pk])
    fragment = client.post(url, {"note": "seen, called patient"}, HTTP_HX_REQUEST="true")
    assert "Acknowledged by a-nurse" in fragment.content.decode()
    client.post(url, {"note": "again"})
    alert = Alert.objects.get(pk=alert_a.pk)
    assert alert.acknowledged_by == nurse and alert.acknowledged_note == "seen, called patient"
    assert AuditEvent.objects.filter(action="alert.acknowledged").count() == 1
    page = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "No open alerts" in page


def test_acknowledging_never_redirects_off_site(client_for, nurse, alert_a):
    """A 'next' pointing elsewhere is ignored."""
    response = client_for(nurse).post(
        reverse("monitoring:acknowledge", args=[alert_a.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("monitoring:patient", args=[alert_a.patient_id])


def test_the_settings_page_shows_each_default_with_its_source(client_for, nurse):
    """Defaults: CIWA-B bands (busto-1989, unconfirmed), hold 14 days (advice policy), the
    benzodiazepine vital-sign set (obstetric-bzd-withdrawal)."""
    page = client_for(nurse).get(reverse("monitoring:settings")).content.decode()
    assert "busto-1989" in page and "benzodetox-advice-policy" in page
    assert "obstetric-bzd-withdrawal" in page and "pulse &gt; 110 /min" in page
    assert "Save thresholds" not in page  # a nurse reads them only


def test_a_programmes_own_threshold_changes_what_counts_as_severe(
    client_for, prescriber, nurse, tapering_a, everything
):
    """With 'severe from 50' a CIWA-B of 44 is moderate and raises no alert; the change is
    audited and shown as a programme setting."""
    response = client_for(prescriber).post(
        reverse("monitoring:settings"), {"ciwa_b_severe_from": "50", "pulse_above": "100"}
    )
    assert response.status_code == 302
    assert MonitoringSettings.objects.get().ciwa_b_severe_from == 50
    row = record(nurse, tapering_a, answers=tuple(SEVERE))
    assert row.band == "moderate" and not Alert.objects.filter(kind="score").exists()
    record(nurse, tapering_a, kind="vitals", vitals={"pulse": 105})
    assert Alert.objects.filter(kind="vitals").exists()
    assert AuditEvent.objects.filter(action="monitoring.settings_changed").exists()
    page = client_for(nurse).get(reverse("monitoring:settings")).content.decode()
    assert "programme setting" in page


def test_thresholds_that_do_not_rise_are_refused_and_the_entries_kept(client_for, prescriber):
    """Severe from 15 below moderate 21 is refused beside the field; the values stay."""
    page = (
        client_for(prescriber)
        .post(reverse("monitoring:settings"), {"ciwa_b_severe_from": "15", "hold_days": "21"})
        .content.decode()
    )
    assert "Thresholds must rise" in page and 'value="21"' in page


def test_aftercare_patients_show_the_next_unrecorded_item_of_their_generated_aftercare(
    client_for, nurse, prescriber, patient_a, version_a, everything
):
    """With aftercare generated in the care plan, the dashboard shows its earliest item not
    yet recorded (not the core's default schedule), with the aftercare's last dose and end;
    an unrecorded item in the past is marked overdue."""
    from benzodetox.web.careplans.models import AftercareItem, AftercarePlan
    from benzodetox.web.plans.models import PlanApproval

    PlanApproval(plan_version=version_a, approved_by=prescriber, note="test").save()
    today = timezone.localdate()
    patient_a.phase = "aftercare"
    patient_a.phase_since = today - timedelta(days=20)
    patient_a.save()
    care = AftercarePlan.objects.create(
        patient=patient_a,
        plan_version=version_a,
        last_dose=today - timedelta(days=21),
        end=today + timedelta(days=69),
        policy={},
    )
    AftercareItem.objects.create(
        aftercare=care, on=today - timedelta(days=20), kind="contact", title="First call",
        done=True,
    )
    AftercareItem.objects.create(
        aftercare=care, on=today - timedelta(days=2), kind="contact", title="Missed phone call"
    )
    AftercareItem.objects.create(
        aftercare=care, on=care.end, kind="review", title="End-of-aftercare review"
    )
    page = client_for(nurse).get(reverse("monitoring:dashboard")).content.decode()
    assert f"{today - timedelta(days=2):%Y-%m-%d} — Missed phone call" in page
    assert "overdue" in page and "care plan&#x27;s aftercare" in page
    assert f"{care.end:%Y-%m-%d}" in page
    assert "Contact with the care team" not in page  # not the core's default schedule


def test_the_dashboard_links_every_programme_setting_and_each_page_opens(
    client_for, programme_admin
):
    """Monitoring thresholds, plan approval, staged supply and aftercare policy are one click
    from the dashboard, and each link opens for a programme admin."""
    client = client_for(programme_admin)
    page = client.get(reverse("monitoring:dashboard")).content.decode()
    names = ("monitoring:settings", "plans:policy", "careplans:pharmacy_policy",
             "careplans:aftercare_policy")
    for name in names:
        assert f'href="{reverse(name)}"' in page
        assert client.get(reverse(name)).status_code == 200
