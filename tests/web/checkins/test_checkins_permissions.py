"""Who reaches what: a patient reaches only their own diary, check-ins and requests (by id, by
htmx fragment); a patient reaches none of the team's request or settings pages; staff cannot
use the patient's pages; answering a request needs "request.answer" (prescribers); the
settings need "monitoring.settings"; another programme's request is a 404."""

from __future__ import annotations

from typing import Any

import pytest

from benzodetox.web.checkins.models import Checkin, StepRequest
from benzodetox.web.programmes.scoping import unscoped
from tests.web.checkins.helpers import patient_client, tapering


@pytest.fixture
def two_patients(
    patient_a: Any, patient_b: Any, personas: dict[str, Any]
) -> tuple[Any, Any]:
    tapering(patient_a, personas["prescriber"])
    tapering(patient_b, personas["other"])
    return (
        patient_client(personas["nurse"], patient_a, "patient-a"),
        patient_client(personas["other"], patient_b, "patient-b"),
    )


def started(client: Any) -> int:
    return int(client.post("/portal/checkin/")["Location"].split("/")[3])


@pytest.mark.parametrize(
    "path",
    [
        "/portal/checkin/{id}/",
        "/portal/checkin/{id}/question/1/",
        "/portal/checkin/{id}/finish/",
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_patient_never_reaches_another_patients_check_in(
    two_patients: tuple[Any, Any], path: str, htmx: bool
) -> None:
    client_a, client_b = two_patients
    theirs = started(client_b)
    headers = {"HX-Request": "true"} if htmx else {}
    assert client_a.get(path.format(id=theirs), headers=headers).status_code == 404
    posted = client_a.post(path.format(id=theirs), {"answer": "1"}, headers=headers)
    assert posted.status_code in (404, 405)  # the result page takes no POST at all
    with unscoped():
        assert Checkin.objects.get(pk=theirs).answers == {}


def test_the_htmx_fragment_of_ones_own_question_is_served(two_patients: tuple[Any, Any]) -> None:
    client_a, _ = two_patients
    mine = started(client_a)
    page = client_a.get(f"/portal/checkin/{mine}/question/1/", headers={"HX-Request": "true"})
    assert page.status_code == 200
    text = page.content.decode()
    assert text.lstrip().startswith('<div id="checkin-screen">') and "<html" not in text


def test_a_patient_sees_only_their_own_diary_and_requests(
    two_patients: tuple[Any, Any], patient_b: Any
) -> None:
    client_a, client_b = two_patients
    client_b.post("/portal/request/", {"kind": "hold", "reason": "B's own reason"})
    assert "B&#x27;s own reason" not in client_a.get("/portal/request/").content.decode()
    diary_a = client_a.get("/portal/diary/").content.decode()
    assert "diazepam 10 mg" in diary_a and "diazepam 5 mg" not in diary_a


@pytest.mark.parametrize(
    "path", ["/patients/requests/", "/patients/requests/{id}/", "/patients/checkin-settings/"]
)
def test_a_patient_reaches_none_of_the_team_pages(
    two_patients: tuple[Any, Any], patient_a: Any, path: str
) -> None:
    client_a, _ = two_patients
    client_a.post("/portal/request/", {"kind": "hold", "reason": "mine"})
    with unscoped():
        own = StepRequest.objects.get(patient=patient_a)
    response = client_a.get(path.format(id=own.pk))
    assert response.status_code in (302, 403, 404)
    assert b"mine" not in response.content


@pytest.mark.parametrize("path", ["/portal/diary/", "/portal/checkin/", "/portal/request/"])
def test_staff_cannot_use_the_patients_pages(
    personas: dict[str, Any], client_for: Any, path: str
) -> None:
    assert client_for(personas["nurse"]).get(path).status_code == 403


def test_only_a_prescriber_answers_and_another_programme_sees_nothing(
    two_patients: tuple[Any, Any], patient_a: Any, personas: dict[str, Any], client_for: Any
) -> None:
    client_a, _ = two_patients
    client_a.post("/portal/request/", {"kind": "hold", "reason": "dizzy at work"})
    with unscoped():
        asked = StepRequest.objects.get(patient=patient_a)
    url = f"/patients/requests/{asked.pk}/"
    post = {"decision": "decline", "message": "no", "expected_latest": "1"}
    nurse = client_for(personas["nurse"])
    assert nurse.get(url).status_code == 200
    assert nurse.post(url, post).status_code == 403
    assert client_for(personas["counsellor"]).post(url, post).status_code == 403
    other = client_for(personas["other"])
    assert other.get(url).status_code == 404
    assert other.post(url, post).status_code == 404
    assert "A-001" not in other.get("/patients/requests/").content.decode()
    with unscoped():
        asked.refresh_from_db()
    assert asked.status == "open"


def test_check_in_settings_need_the_settings_role(
    personas: dict[str, Any], client_for: Any, programme_a: Any, everything: None
) -> None:
    data = {"programme": str(programme_a.pk), "every_days": "3"}
    url = "/patients/checkin-settings/"
    assert client_for(personas["nurse"]).get(url).status_code == 200
    assert client_for(personas["nurse"]).post(url, data).status_code == 403
    saved = client_for(personas["prescriber"]).post(url, data)
    assert saved.status_code == 302
    from benzodetox.web.checkins.services import schedule_for

    assert schedule_for(programme_a.pk).every_days.value == 3
    bad = client_for(personas["prescriber"]).post(url, {**data, "every_days": "0"})
    assert bad.status_code == 400
    assert "a whole number of days from 1 to 60 (got 0)" in bad.content.decode()
    assert schedule_for(programme_a.pk).every_days.value == 3
