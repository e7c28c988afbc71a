"""Check-ins between visits: one question a screen with running progress, answers kept on the
server between screens (a reload loses nothing), results stored as self-reported assessments
(never clinician-rated), alerts through the core's rules, and what the patient should do."""

from __future__ import annotations

from typing import Any

import pytest

from benzodetox.web.checkins.models import Checkin
from benzodetox.web.monitoring.models import Alert, Assessment
from tests.web.checkins.helpers import (
    SEVERE_PART,
    answer_all,
    ciwa_values,
    patient_client,
    tapering,
)


@pytest.fixture
def client_a(patient_a: Any, personas: dict[str, Any]) -> Any:
    tapering(patient_a, personas["prescriber"])
    return patient_client(personas["nurse"], patient_a, "patient-a")


def start(client: Any) -> int:
    response = client.post("/portal/checkin/")
    assert response.status_code == 302
    return int(response["Location"].split("/")[3])


def test_a_check_in_is_due_and_asks_one_question_a_screen(client_a: Any) -> None:
    page = client_a.get("/portal/checkin/")
    assert "It is time for your check-in." in page.content.decode()
    checkin_id = start(client_a)
    screen = client_a.get(f"/portal/checkin/{checkin_id}/question/1/").content.decode()
    # BWSQ 20 + CIWA-B 17 + sleep + extra doses + PHQ-9 9 + GAD-7 7 (mood due at the first)
    assert "Question 1 of 55" in screen
    assert "<progress" in screen
    assert screen.count('name="answer"') == 3  # the BWSQ's no / moderate / severe
    assert "style=" not in screen and "<script" not in screen


def test_answers_are_kept_between_screens_and_after_a_reload(
    client_a: Any, everything: None
) -> None:
    checkin_id = start(client_a)
    answered = client_a.post(f"/portal/checkin/{checkin_id}/question/1/", {"answer": "2"})
    assert answered["Location"].endswith(f"/portal/checkin/{checkin_id}/question/2/")
    assert Checkin.objects.get(pk=checkin_id).answers == {"bwsq:1": 2}
    again = client_a.post("/portal/checkin/")  # "go on" after leaving: the same check-in
    assert again["Location"].endswith(f"/portal/checkin/{checkin_id}/question/2/")
    back = client_a.get(f"/portal/checkin/{checkin_id}/question/1/").content.decode()
    assert 'value="2" aria-describedby="your-answer"' in back


def test_an_answer_outside_the_choices_names_the_field(client_a: Any, everything: None) -> None:
    checkin_id = start(client_a)
    response = client_a.post(f"/portal/checkin/{checkin_id}/question/1/", {"answer": "7"})
    assert response.status_code == 400
    assert "Your answer: please choose" in response.content.decode()
    assert Checkin.objects.get(pk=checkin_id).answers == {}


def test_a_calm_check_in_is_stored_as_self_reported_and_thanks_the_patient(
    client_a: Any, patient_a: Any, everything: None
) -> None:
    checkin_id = start(client_a)
    last = answer_all(client_a, checkin_id, ciwa_values([1] * 17))
    assert last["Location"].endswith(f"/portal/checkin/{checkin_id}/finish/")
    sent = client_a.post(f"/portal/checkin/{checkin_id}/finish/")
    assert sent["Location"].endswith(f"/portal/checkin/{checkin_id}/")
    rows = {r.kind: r for r in Assessment.objects.filter(patient=patient_a)}
    assert set(rows) == {"bwsq", "ciwa-b", "phq-9", "gad-7"}
    assert {r.rater for r in rows.values()} == {"self"}
    assert (rows["ciwa-b"].total, rows["ciwa-b"].band, len(rows["ciwa-b"].answers)) == (17, "", 17)
    assert not Alert.objects.filter(patient=patient_a).exists()
    page = client_a.get(sent["Location"]).content.decode()
    assert 'data-level="ok"' in page and "Thank you" in page


def test_a_self_report_over_the_threshold_alerts_the_team_and_says_call_them(
    client_a: Any, patient_a: Any, everything: None
) -> None:
    checkin_id = start(client_a)
    answer_all(client_a, checkin_id, {**ciwa_values(SEVERE_PART), "extra": 1})
    client_a.post(f"/portal/checkin/{checkin_id}/finish/")
    alerts = {a.kind: a for a in Alert.objects.filter(patient=patient_a)}
    assert set(alerts) == {"self-report", "extra-dose"}
    ciwa = alerts["self-report"]
    assert ciwa.title == "Self-reported CIWA-B (items 1–17) 42 of 68"
    assert ciwa.assessment is not None and ciwa.assessment.rater == "self"
    assert ciwa.detail["self_reported"] is True
    page = client_a.get(f"/portal/checkin/{checkin_id}/").content.decode()
    assert 'data-level="call-team"' in page and "Please call your care team today" in page


def test_phq9_item_9_gives_crisis_contacts_and_a_critical_alert(
    client_a: Any, patient_a: Any, everything: None
) -> None:
    checkin_id = start(client_a)
    answer_all(client_a, checkin_id, {"phq-9:9": 1})
    client_a.post(f"/portal/checkin/{checkin_id}/finish/")
    alert = Alert.objects.get(patient=patient_a)
    assert (alert.kind, alert.severity) == ("event", "critical")
    assert alert.title.startswith("Self-reported: Emergency")
    page = client_a.get(f"/portal/checkin/{checkin_id}/").content.decode()
    assert 'data-level="crisis"' in page and "crisis line" in page


def test_self_reports_never_enter_the_clinician_advice_or_trends(
    client_a: Any, patient_a: Any, personas: dict[str, Any], client_for: Any, everything: None
) -> None:
    checkin_id = start(client_a)
    answer_all(client_a, checkin_id, ciwa_values([4] * 17))
    client_a.post(f"/portal/checkin/{checkin_id}/finish/")
    page = client_for(personas["nurse"]).get(f"/patients/{patient_a.pk}/monitoring/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "68</strong> of 68 (not a CIWA-B total" in text
    assert "No assessments recorded in this period." in text  # clinician-rated entries
    from benzodetox.web.monitoring import services

    policy = services.policy_for(patient_a.programme_id)
    assert services.observations(patient_a, policy) == []


def test_sending_before_every_answer_goes_back_to_the_first_unanswered(
    client_a: Any, everything: None
) -> None:
    checkin_id = start(client_a)
    client_a.post(f"/portal/checkin/{checkin_id}/question/1/", {"answer": "0"})
    screen = client_a.get(f"/portal/checkin/{checkin_id}/finish/")
    assert screen["Location"].endswith(f"/portal/checkin/{checkin_id}/question/2/")
    sent = client_a.post(f"/portal/checkin/{checkin_id}/finish/")
    assert sent["Location"].endswith("/portal/checkin/")
    assert Checkin.objects.get(pk=checkin_id).completed_at is None


def test_the_today_page_lists_a_due_check_in_and_then_an_unfinished_one(client_a: Any) -> None:
    assert "It is time for your check-in" in client_a.get("/portal/").content.decode()
    checkin_id = start(client_a)
    client_a.post(f"/portal/checkin/{checkin_id}/question/1/", {"answer": "0"})
    today = client_a.get("/portal/").content.decode()
    assert "You have a check-in you have not finished." in today
    assert 'href="/portal/checkin/"' in today
