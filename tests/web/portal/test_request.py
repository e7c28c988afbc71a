"""'This step is too hard': the patient asks for a hold or a slower taper with a reason; it is a
request on the team's dashboard; a prescriber applies the core's hold / slow as a new plan
version (which still needs the normal approval) or declines with a message the patient reads."""

from __future__ import annotations

from typing import Any

import pytest

from benzodetox.web.checkins.models import StepRequest
from tests.web.checkins.helpers import patient_client, tapering


@pytest.fixture
def client_a(patient_a: Any, personas: dict[str, Any]) -> Any:
    tapering(patient_a, personas["prescriber"])
    return patient_client(personas["nurse"], patient_a, "patient-a")


def ask(client: Any, kind: str = "hold", reason: str = "too dizzy to work") -> Any:
    return client.post("/portal/request/", {"kind": kind, "reason": reason})


def test_a_request_reaches_the_dashboard(
    client_a: Any, personas: dict[str, Any], client_for: Any
) -> None:
    assert ask(client_a).status_code == 302
    page = client_for(personas["nurse"]).get("/patients/dashboard/").content.decode()
    assert 'id="patient-requests"' in page and "A-001 — hold the current dose" in page


def test_the_prescriber_applies_a_hold_as_a_new_version_awaiting_approval(
    client_a: Any, patient_a: Any, personas: dict[str, Any], client_for: Any, everything: None
) -> None:
    ask(client_a)
    asked = StepRequest.objects.get(patient=patient_a)
    prescriber = client_for(personas["prescriber"])
    page = prescriber.get(f"/patients/requests/{asked.pk}/").content.decode()
    assert "hold the current dose for 14 days" in page
    answered = prescriber.post(
        f"/patients/requests/{asked.pk}/", {"decision": "apply", "expected_latest": "1"}
    )
    assert answered.status_code == 302
    assert answered["Location"] == f"/patients/{patient_a.pk}/plans/2/"
    asked.refresh_from_db()
    assert asked.status == "applied" and asked.new_version.number == 2
    assert not hasattr(asked.new_version, "approval")  # the normal approval still to come
    assert asked.new_version.parameters["adjustment"]["kind"] == "hold"
    mine = client_a.get("/portal/request/").content.decode()
    assert "your care team made a new plan" in mine


def test_a_decline_needs_a_message_and_the_patient_reads_it(
    client_a: Any, patient_a: Any, personas: dict[str, Any], client_for: Any, everything: None
) -> None:
    ask(client_a, "slow")
    asked = StepRequest.objects.get(patient=patient_a)
    prescriber = client_for(personas["prescriber"])
    url = f"/patients/requests/{asked.pk}/"
    empty = prescriber.post(url, {"decision": "decline", "expected_latest": "1"})
    assert empty.status_code == 400 and "message" in empty.content.decode()
    said = "Let us talk at Monday's visit."
    prescriber.post(url, {"decision": "decline", "message": said, "expected_latest": "1"})
    asked.refresh_from_db()
    assert asked.status == "declined"
    mine = client_a.get("/portal/request/").content.decode()
    assert "Let us talk at Monday&#x27;s visit." in mine


def test_a_stale_page_cannot_apply_over_a_newer_version(
    client_a: Any, patient_a: Any, personas: dict[str, Any], client_for: Any, everything: None
) -> None:
    ask(client_a)
    asked = StepRequest.objects.get(patient=patient_a)
    response = client_for(personas["prescriber"]).post(
        f"/patients/requests/{asked.pk}/", {"decision": "apply", "expected_latest": "0"}
    )
    assert response.status_code == 400
    asked.refresh_from_db()
    assert asked.status == "open"


@pytest.mark.parametrize(
    ("data", "words"),
    [({"kind": "stop", "reason": "x"}, "What you would like"), ({"kind": "hold"}, "Why this step")],
)
def test_a_bad_request_names_the_field(client_a: Any, data: dict[str, str], words: str) -> None:
    response = client_a.post("/portal/request/", data)
    assert response.status_code == 400
    assert words in response.content.decode()


def test_one_open_request_at_a_time(client_a: Any, patient_a: Any, everything: None) -> None:
    ask(client_a)
    assert "Your care team has your request" in client_a.get("/portal/request/").content.decode()
    assert ask(client_a, "slow").status_code == 400
    assert StepRequest.objects.filter(patient=patient_a).count() == 1
