"""Recording assessments: the CIWA-B on one screen with a live total, the other instruments,
vital signs and emergency events; nothing lost on an error; corrections as new versions;
the alerts each entry raises."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring.models import Alert, Assessment
from benzodetox.web.patients.models import Intake
from benzodetox.web.programmes.scoping import unscoped

from .conftest import MILD, SEVERE, ciwa_post, record


def test_the_ciwa_b_screen_has_twenty_labelled_radio_groups_with_observer_items_marked(
    client_for, nurse, tapering_a
):
    """Every item is a fieldset with a legend and five labelled radios 0–4; items 18–20 are
    marked as observer-rated; the running total is an aria-live region fed by htmx."""
    page = (
        client_for(nurse)
        .get(reverse("monitoring:record", args=[tapering_a.pk, "ciwa-b"]))
        .content.decode()
    )
    assert page.count('<fieldset class="item') == 20
    assert page.count('type="radio" name="item_') == 100
    assert page.count("observer-rated</span>") == 3
    assert 'aria-live="polite"' in page and 'hx-trigger="change"' in page
    assert 'type="datetime-local"' in page


def test_the_running_total_and_band_follow_the_answers_so_far(client_for, nurse, tapering_a):
    """The htmx fragment sums the answered items and names the band of the total."""
    url = reverse("monitoring:score", args=[tapering_a.pk, "ciwa-b"])
    partial = client_for(nurse).post(url, {"item_1": "4", "item_2": "3"}).content.decode()
    assert "CIWA-B 7</strong>" in partial and "2 of 20 items answered" in partial
    assert "mild" in partial and "bands unconfirmed" in partial
    full = client_for(nurse).post(url, {f"item_{n}": "3" for n in range(1, 21)}).content.decode()
    assert "CIWA-B 60</strong>" in full and "severe" in full and "raises an alert" in full


def test_a_ciwa_b_is_scored_by_the_core_and_stored_with_who_entered_it(
    client_for, nurse, tapering_a, everything
):
    """Saving stores the answers, total and band, who entered it and when it was observed."""
    at = (timezone.localtime() - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(nurse).post(
        reverse("monitoring:record", args=[tapering_a.pk, "ciwa-b"]), ciwa_post(MILD, at=at)
    )
    assert response.status_code == 302
    row = Assessment.objects.get(patient=tapering_a)
    assert (row.total, row.band, row.entered_by, row.version) == (6, "mild", nurse, 1)
    assert timezone.localtime(row.at).strftime("%Y-%m-%dT%H:%M") == at
    assert row.recorded_late
    assert AuditEvent.objects.filter(action="assessment.recorded", patient=tapering_a).exists()


def test_a_missing_item_is_shown_on_that_item_and_every_other_answer_is_kept(
    client_for, nurse, tapering_a, everything
):
    """Nothing typed is lost: the form comes back with each answer checked and the error on
    the item left out; nothing is stored."""
    data = ciwa_post(MILD, notes="restless night")
    del data["item_7"]
    page = (
        client_for(nurse)
        .post(reverse("monitoring:record", args=[tapering_a.pk, "ciwa-b"]), data)
        .content.decode()
    )
    assert "Choose an answer for item 7." in page
    assert 'id="item-7"' in page and "has-error" in page
    assert page.count("checked") >= 19
    assert "restless night" in page
    assert not Assessment.objects.exists()


def test_an_observation_time_in_the_future_is_refused_on_the_time_field(
    client_for, nurse, tapering_a, everything
):
    """A time after now is refused beside the time field; the answers stay."""
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = (
        client_for(nurse)
        .post(
            reverse("monitoring:record", args=[tapering_a.pk, "ciwa-b"]), ciwa_post(MILD, at=later)
        )
        .content.decode()
    )
    assert "a time that has already happened" in page
    assert not Assessment.objects.exists()


def test_a_severe_ciwa_b_raises_a_high_alert_and_a_very_severe_one_a_critical_alert(
    nurse, tapering_a, everything
):
    """CIWA-B ≥ 41 (the severe band) raises an alert; ≥ 61 raises a critical one."""
    record(nurse, tapering_a, answers=tuple(SEVERE))
    record(nurse, tapering_a, answers=(4,) * 20)
    severities = sorted(Alert.objects.filter(kind="score").values_list("severity", flat=True))
    assert severities == ["critical", "high"]


def test_a_mild_ciwa_b_raises_no_alert(nurse, tapering_a, everything):
    """Below the severe threshold nothing is raised."""
    record(nurse, tapering_a)
    assert not Alert.objects.exists()


def test_vital_signs_beyond_the_thresholds_raise_an_alert_naming_the_signs(
    client_for, nurse, tapering_a, everything
):
    """Pulse 118 and SpO₂ 94 % are beyond the default benzodiazepine set (pulse > 110,
    SpO₂ < 96 %): one alert naming both, with the finding's source."""
    response = client_for(nurse).post(
        reverse("monitoring:record", args=[tapering_a.pk, "vitals"]),
        {"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "pulse": "118", "spo2": "94"},
    )
    assert response.status_code == 302
    alert = Alert.objects.get(kind="vitals")
    assert "pulse" in alert.title and "spo2" in alert.title
    assert alert.detail["findings"][0]["source"] == "obstetric-bzd-withdrawal"


def test_vital_signs_need_at_least_one_reading_and_refuse_impossible_ones(
    client_for, nurse, tapering_a, everything
):
    """An empty set of readings and a pulse of 400 are refused beside their fields."""
    url = reverse("monitoring:record", args=[tapering_a.pk, "vitals"])
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    empty = client_for(nurse).post(url, {"at": at}).content.decode()
    assert "Enter at least one reading." in empty
    wild = client_for(nurse).post(url, {"at": at, "pulse": "400", "sbp": "120"}).content.decode()
    assert "less than or equal to 300" in wild and 'value="120"' in wild
    assert not Assessment.objects.exists()


def test_an_emergency_event_raises_a_critical_alert_with_the_escalation_and_its_sources(
    client_for, nurse, tapering_a, everything
):
    """A seizure is recorded with its time and notes and raises a critical alert listing the
    escalation actions, each with its source."""
    response = client_for(nurse).post(
        reverse("monitoring:record", args=[tapering_a.pk, "event"]),
        {
            "event": "seizure",
            "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "notes": "tonic-clonic, 2 min",
        },
    )
    assert response.status_code == 302
    alert = Alert.objects.get(kind="event")
    assert alert.severity == "critical" and "seizure" in alert.title
    assert all(a["source"] for a in alert.detail["actions"])


def test_an_event_needs_its_notes(client_for, nurse, tapering_a, everything):
    """What happened must be described; the chosen event stays selected."""
    page = (
        client_for(nurse)
        .post(
            reverse("monitoring:record", args=[tapering_a.pk, "event"]),
            {"event": "delirium", "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
        )
        .content.decode()
    )
    assert "Describe what happened." in page
    assert 'value="delirium"' in page and "checked" in page


def test_phq_9_item_9_raises_a_suicidality_alert(nurse, tapering_a, everything):
    """A PHQ-9 item 9 answer above 0 is an emergency (the core's suicidality flag)."""
    record(nurse, tapering_a, kind="phq-9", answers=(0, 0, 0, 0, 0, 0, 0, 0, 1))
    alert = Alert.objects.get(kind="event")
    assert "suicidality" in alert.title and alert.severity == "critical"


def test_a_counsellor_records_a_phq_9_but_not_a_ciwa_b(
    client_for, counsellor, tapering_a, everything
):
    """Mood questionnaires are open to counsellors; withdrawal scales are not."""
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {f"item_{n}": "1" for n in range(1, 10)} | {"at": at}
    client = client_for(counsellor)
    ok = client.post(reverse("monitoring:record", args=[tapering_a.pk, "phq-9"]), data)
    refused = client.post(
        reverse("monitoring:record", args=[tapering_a.pk, "ciwa-b"]), ciwa_post(MILD)
    )
    assert (ok.status_code, refused.status_code) == (302, 403)
    assert Assessment.objects.get().band == "mild"


def test_sleep_disturbance_raises_an_alert_only_with_bipolar_or_psychotic_disorder(
    nurse, tapering_a, everything
):
    """Rec 26a: sleep disturbance matters for a patient with bipolar disorder."""
    record(nurse, tapering_a, sleep_disturbance=True)
    assert not Alert.objects.filter(kind="sleep").exists()
    Intake.objects.filter(patient=tapering_a).update(conditions=["bipolar"])
    record(nurse, tapering_a, sleep_disturbance=True)
    assert Alert.objects.get(kind="sleep").severity == "high"


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(
    client_for, nurse, tapering_a, entry_a, everything
):
    """Correcting an entry stores version 2 pointing at version 1, which stays unchanged and
    is marked superseded; the correction needs a reason."""
    url = reverse("monitoring:correct", args=[tapering_a.pk, entry_a.pk])
    data = ciwa_post([2] * 20)
    no_reason = client_for(nurse).post(url, data).content.decode()
    assert "Say why the entry is corrected." in no_reason
    response = client_for(nurse).post(url, data | {"correction_reason": "item 1 misread"})
    assert response.status_code == 302
    old, new = Assessment.objects.order_by("version")
    assert (old.total, old.superseded_by_id, old.version) == (6, new.pk, 1)
    assert (new.total, new.version, new.supersedes_id) == (40, 2, old.pk)
    assert AuditEvent.objects.filter(action="assessment.corrected").exists()
    page = client_for(nurse).get(reverse("monitoring:entry", args=[tapering_a.pk, new.pk]))
    assert "item 1 misread" in page.content.decode() and "superseded" in page.content.decode()


def test_a_superseded_version_cannot_be_corrected_again(client_for, nurse, tapering_a, entry_a):
    """Correcting an old version sends you to the newest one instead of forking the history."""
    url = reverse("monitoring:correct", args=[tapering_a.pk, entry_a.pk])
    client_for(nurse).post(url, ciwa_post([2] * 20, correction_reason="typo"))
    again = client_for(nurse).post(url, ciwa_post([1] * 20, correction_reason="typo"))
    assert again.status_code == 302 and "/entries/" in again["Location"]
    with unscoped():
        assert Assessment.objects.count() == 2


def test_a_recorded_assessment_cannot_be_changed_or_removed(entry_a, everything):
    """The model refuses save() of an existing row and delete()."""
    import pytest

    from benzodetox.web.monitoring.models import ImmutableError

    with pytest.raises(ImmutableError):
        entry_a.save()
    with pytest.raises(ImmutableError):
        entry_a.delete()
