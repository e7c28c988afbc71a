"""The stateless core endpoints: the CLI's JSON documents through /api/v1/, a token with
``read`` (or a staff session) needed, every call audited, bad input a 422 naming the field."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from benzodetox.web.api.auth import create_token
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.scoping import unscoped

START = (date.today() + timedelta(days=7)).isoformat()
REGIMEN = [
    {"drug": "alprazolam", "mg": "0.5", "time": "08:00"},
    {"drug": "Xanax", "mg": "0.5", "time": "22:00"},
]


@pytest.fixture
def key(programme_a: Any, nurse: Any) -> str:
    return create_token(programme_a, nurse, "ehr", "read")[1]


def post(client: Client, url: str, body: Any, key: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_plan_answers_the_cli_document_and_is_audited(client: Client, key: str) -> None:
    body = {"regimen": REGIMEN, "source": "ashton-2002", "switch_to": "diazepam", "start": START}
    response = post(client, "/api/v1/plan", body, key)
    assert response.status_code == 200, response.content
    plan = response.json()
    assert plan["format"] == 1 and plan["source"] == "ashton-2002"
    assert plan["source_defaulted"] is False
    assert plan["steps"][-1]["kind"] == "stop"
    assert plan["request"]["regimen"][1]["drug"] == "alprazolam"  # the brand resolved
    with unscoped():
        event = AuditEvent.objects.get(action="api.plan")
    assert "ehr" in event.summary and event.detail["api_token"] == "ehr"
    assert event.username == "a-nurse"


def test_a_defaulted_table_says_so(client: Client, key: str) -> None:
    response = post(client, "/api/v1/plan", {"regimen": REGIMEN, "start": START}, key)
    assert response.json()["source_defaulted"] is True
    assert response.json()["source"] == "ashton-2002"


def test_convert_score_assess(client: Client, key: str) -> None:
    converted = post(client, "/api/v1/convert", {"regimen": REGIMEN}, key).json()
    assert converted["diazepam_eq_mg_per_day"] == "20"
    assert converted["drugs"][0]["drug"] == "alprazolam"
    scored = post(client, "/api/v1/score/gad-7", {"answers": [1, 1, 2, 1, 0, 1, 0]}, key)
    assert scored.status_code == 200 and scored.json()["total"] == 6
    intake = {
        "age": 67,
        "regimen": REGIMEN,
        "duration_months": 18,
        "days_per_week": 7,
        "source": "ashton-2002",
        "substances": {"opioids": True},
    }
    assessed = post(client, "/api/v1/assess", intake, key)
    assert assessed.status_code == 200, assessed.content
    assert assessed.json()["risk"] == "high"


def test_advise_and_simulate(client: Client, key: str) -> None:
    plan = post(client, "/api/v1/plan", {"regimen": REGIMEN, "start": START}, key).json()
    day = (date.today() + timedelta(days=20)).isoformat()
    assessments = {
        "assessments": [{"at": f"{day}T10:00", "scores": {"ciwa-b": [2] * 15 + [1] * 5}}]
    }
    advice = post(client, "/api/v1/advise", {"plan": plan, "assessments": assessments}, key)
    assert advice.status_code == 200, advice.content
    assert advice.json()["proposed_plan"]["format"] == 1
    body = {"plan": {"regimen": REGIMEN, "start": START}, "days": 30}
    simulated = post(client, "/api/v1/simulate", body, key)
    assert simulated.status_code == 200, simulated.content
    assert simulated.json()["days"] == 30 and simulated.json()["time_h"]


@pytest.mark.parametrize(
    ("url", "body", "loc"),
    [
        ("/api/v1/plan", {"regimen": [{"drug": "aspirin", "mg": "1", "time": "08:00"}]},
         ["body", "regimen", 0, "drug"]),
        ("/api/v1/plan", {"regimen": [{"drug": "diazepam", "mg": "ten", "time": "08:00"}]},
         ["body", "body", "regimen", 0, "mg"]),
        ("/api/v1/plan", {"regimen": REGIMEN, "source": "nowhere"}, ["body", "body", "source"]),
        ("/api/v1/score/ciwa-b", {"answers": [1, 2]}, None),
        ("/api/v1/score/nope", {"answers": [1]}, ["body", "instrument"]),
        ("/api/v1/assess", {"age": "old"}, None),
        ("/api/v1/advise", {"plan": {}, "assessments": {}}, None),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: Client, key: str, url: str, body: Any, loc: list[Any] | None
) -> None:
    response = post(client, url, body, key)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail[0]["msg"] and detail[0]["loc"]
    if loc is not None:
        assert detail[0]["loc"] == loc


def test_no_token_is_401_and_a_staff_session_may_call(
    client: Client, nurse: Any, client_for: Any
) -> None:
    refused = post(client, "/api/v1/convert", {"regimen": REGIMEN}, None)
    assert refused.status_code == 401 and "Bearer" in refused.json()["detail"]
    session = client_for(nurse)
    assert post(session, "/api/v1/convert", {"regimen": REGIMEN}, None).status_code == 200


def test_a_session_post_without_the_csrf_token_is_refused(nurse: Any) -> None:
    session = Client(enforce_csrf_checks=True)
    session.force_login(nurse)
    refused = post(session, "/api/v1/convert", {"regimen": REGIMEN}, None)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    token = "a" * 32  # a CSRF secret in the cookie and the header, as the web pages send it
    session.cookies["csrftoken"] = token
    allowed = session.post("/api/v1/convert", json.dumps({"regimen": REGIMEN}),
                           content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 200
