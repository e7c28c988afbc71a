"""The dose diary: the patient marks each dose of today and recent days (taken, taken late,
missed, extra) with an optional note; entries are written once (a correction is a new entry);
an extra dose raises an alert for the team through the core's rule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from benzodetox.web.checkins.models import DiaryEntry
from benzodetox.web.monitoring.models import Alert
from benzodetox.web.writeonce import ImmutableError
from tests.web.checkins.helpers import patient_client, tapering


@pytest.fixture
def client_a(patient_a: Any, personas: dict[str, Any]) -> Any:
    tapering(patient_a, personas["prescriber"])
    return patient_client(personas["nurse"], patient_a, "patient-a")


def today_key(at: str = "08:00") -> str:
    return f"{timezone.localdate().isoformat()}T{at}"


def test_the_diary_shows_todays_dose_times_from_the_approved_plan(client_a: Any) -> None:
    page = client_a.get("/portal/diary/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "08:00 — diazepam" in text and "22:00 — diazepam" in text
    assert 'name="status" value="late"' in text


def test_marking_a_dose_saves_an_entry_and_marking_again_adds_a_correction(
    client_a: Any, patient_a: Any, everything: None
) -> None:
    first = client_a.post("/portal/diary/", {"dose": today_key(), "status": "taken"})
    assert first.status_code == 302
    again = client_a.post(
        "/portal/diary/", {"dose": today_key(), "status": "late", "note": "woke late"}
    )
    assert again.status_code == 302
    rows = list(DiaryEntry.objects.filter(patient=patient_a).order_by("id"))
    assert [r.status for r in rows] == ["taken", "late"]
    assert rows[1].supersedes_id == rows[0].pk and rows[1].note == "woke late"
    page = client_a.get("/portal/diary/").content.decode()
    assert "You marked: <strong>Taken late</strong> (woke late)" in page


def test_a_diary_entry_is_never_changed(client_a: Any, patient_a: Any, everything: None) -> None:
    client_a.post("/portal/diary/", {"dose": today_key(), "status": "missed"})
    row = DiaryEntry.objects.get(patient=patient_a)
    row.status = "taken"
    with pytest.raises(ImmutableError):
        row.save()
    with pytest.raises(ImmutableError):
        DiaryEntry.objects.filter(pk=row.pk).update(status="taken")


def test_an_extra_dose_raises_an_alert_for_the_team(
    client_a: Any, patient_a: Any, everything: None
) -> None:
    day = timezone.localdate().isoformat()
    response = client_a.post("/portal/diary/", {"dose": day, "status": "extra", "note": "5 mg"})
    assert response.status_code == 302
    alert = Alert.objects.get(patient=patient_a)
    assert (alert.kind, alert.severity) == ("extra-dose", "high")
    assert alert.title.startswith("Self-reported: extra doses taken")
    assert alert.detail["sources"] == ["benzodetox-self-report-policy"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"dose": "yesterday", "status": "taken"}, "Which dose"),
        ({"status": "taken"}, "Which dose"),
        ({"dose": "T13:00", "status": "taken"}, "Which dose"),
        ({"dose": "__today__T13:00", "status": "taken"}, "Which dose"),
        ({"dose": "__today__T08:00", "status": "forgot"}, "What happened"),
        ({"dose": "__today__T08:00", "status": "taken", "note": "x" * 501}, "Note"),
        ({"dose": "__old__T08:00", "status": "taken"}, "Which dose"),
    ],
)
def test_bad_input_is_a_clear_message_naming_the_field(
    client_a: Any, patient_a: Any, data: dict[str, str], words: str, everything: None
) -> None:
    today = timezone.localdate()
    old = today - timedelta(days=30)
    sent = {
        k: v.replace("__today__", today.isoformat()).replace("__old__", old.isoformat())
        for k, v in data.items()
    }
    response = client_a.post("/portal/diary/", sent)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not DiaryEntry.objects.filter(patient=patient_a).exists()


def test_the_team_sees_adherence_beside_the_dose_steps(
    client_a: Any, patient_a: Any, personas: dict[str, Any], client_for: Any
) -> None:
    client_a.post("/portal/diary/", {"dose": today_key(), "status": "taken"})
    client_a.post("/portal/diary/", {"dose": today_key("22:00"), "status": "missed"})
    page = client_for(personas["nurse"]).get(f"/patients/{patient_a.pk}/monitoring/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="h-adherence"' in text
    assert "1 taken" in text and "1 missed" in text
