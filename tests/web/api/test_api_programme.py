"""Programme resources through /api/v1/: a token reads only its programme (another's ids are
404), a ``read`` token cannot write, approval needs the ``approve`` scope and a prescriber, every
call is audited with the token's name, and the per-token rate answers 429 with Retry-After."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.test import Client

from benzodetox.web.api.auth import create_token
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring.models import Alert
from benzodetox.web.programmes.scoping import unscoped

START = (date.today() + timedelta(days=7)).isoformat()
PLAN = {"regimen": [{"drug": "diazepam", "mg": "10", "time": "08:00"}], "start": START}


def call(method: str, url: str, key: str | None, body: Any = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    client = Client()
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def key_for(user: Any, programme: Any, scopes: str, name: str = "ehr") -> str:
    return create_token(programme, user, name, scopes)[1]


def test_a_token_reads_its_programme_and_nothing_of_another(
    programme_a: Any, nurse: Any, patient_a: Any, patient_b: Any
) -> None:
    key = key_for(nurse, programme_a, "read")
    listed = call("get", "/api/v1/patients", key)
    assert listed.status_code == 200
    assert [p["reference"] for p in listed.json()] == ["A-001"]
    detail = call("get", f"/api/v1/patients/{patient_a.pk}", key).json()
    assert detail["regimen"] == [
        {"drug": "diazepam", "mg": "10", "time": "08:00"},
        {"drug": "diazepam", "mg": "10", "time": "22:00"},
    ]
    for url in ("", "/regimen", "/intake", "/plans", "/plans/1", "/assessments"):
        assert call("get", f"/api/v1/patients/{patient_b.pk}{url}", key).status_code == 404
    assert call("get", f"/api/v1/patients/{patient_a.pk}/intake", key).status_code == 200
    with unscoped():
        event = AuditEvent.objects.filter(action="api.patient.view").get()
    assert event.patient_id == patient_a.pk and event.detail["api_token"] == "ehr"


def test_a_read_token_cannot_write(programme_a: Any, nurse: Any, patient_a: Any) -> None:
    key = key_for(nurse, programme_a, "read")
    body = {"plan": PLAN, "reason": "start"}
    refused = call("post", f"/api/v1/patients/{patient_a.pk}/plans", key, body)
    assert refused.status_code == 403 and "'write'" in refused.json()["detail"]
    with unscoped():
        assert not patient_a.plan_versions.exists()


def test_a_draft_then_approval_by_a_prescribers_token_only(
    programme_a: Any, nurse: Any, prescriber: Any, patient_a: Any
) -> None:
    nurse_key = key_for(nurse, programme_a, "read,write,approve", "nurse")
    made = call("post", f"/api/v1/patients/{patient_a.pk}/plans", nurse_key,
                {"plan": PLAN, "reason": "first taper"})
    assert made.status_code == 201, made.content
    assert made.json()["number"] == 1 and made.json()["approved"] is False
    url = f"/api/v1/patients/{patient_a.pk}/plans/1/approve"
    assert call("post", url, nurse_key).status_code == 403  # a nurse may not approve
    writer = key_for(prescriber, programme_a, "read,write", "writer")
    assert call("post", url, writer).status_code == 403  # no approve scope
    approver = key_for(prescriber, programme_a, "read,approve", "approver")
    approved = call("post", url, approver, {"note": "ok"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["approved"] is True
    versions = call("get", f"/api/v1/patients/{patient_a.pk}/plans", approver).json()
    assert versions[0]["approved_by"] == "a-prescriber"
    assert call("post", url, approver).status_code == 422  # approved once


def test_assessments_recorded_and_alerts_acknowledged(
    programme_a: Any, nurse: Any, patient_a: Any, patient_b: Any
) -> None:
    key = key_for(nurse, programme_a, "read,write")
    body = {"kind": "ciwa-b", "answers": [4] * 20}
    recorded = call("post", f"/api/v1/patients/{patient_a.pk}/assessments", key, body)
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["total"] == 80
    listed = call("get", f"/api/v1/patients/{patient_a.pk}/assessments", key).json()
    assert [a["total"] for a in listed] == [80]
    bad = call("post", f"/api/v1/patients/{patient_a.pk}/assessments", key,
               {"kind": "ciwa-b", "answers": [9] * 20})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"]
    alerts = call("get", "/api/v1/alerts?open=true", key).json()
    assert alerts and all(a["patient"] == patient_a.pk for a in alerts)
    done = call("post", f"/api/v1/alerts/{alerts[0]['id']}/acknowledge", key, {"note": "seen"})
    assert done.status_code == 200 and done.json()["acknowledged_at"]
    with unscoped():
        other = Alert.objects.create(
            programme_id=patient_b.programme_id, patient=patient_b, kind="score",
            severity="high", key="x", title="B's alert",
        )
    assert call("post", f"/api/v1/alerts/{other.pk}/acknowledge", key).status_code == 404


def test_over_the_rate_answers_429_with_retry_after(
    programme_a: Any, nurse: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("BENZODETOX_API_RATE_PER_MINUTE", "2")
    key = key_for(nurse, programme_a, "read", "busy")
    assert call("get", "/api/v1/patients", key).status_code == 200
    assert call("get", "/api/v1/patients", key).status_code == 200
    limited = call("get", "/api/v1/patients", key)
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert limited.json()["detail"]


def test_an_unknown_token_is_401_json(patient_a: Any) -> None:
    refused = call("get", f"/api/v1/patients/{patient_a.pk}", "bzd_nope")
    assert refused.status_code == 401 and refused.json() == {"detail": "unknown API token"}
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_a_staff_session_reads_but_a_session_cannot_write(
    nurse: Any, patient_a: Any, client_for: Any
) -> None:
    session = client_for(nurse)
    assert session.get(f"/api/v1/patients/{patient_a.pk}").status_code == 200
    write = session.post(f"/api/v1/patients/{patient_a.pk}/plans",
                         json.dumps({"plan": PLAN, "reason": "x"}),
                         content_type="application/json")
    assert write.status_code == 401
