"""FHIR R4 endpoints: Patient and $everything with a read token, programme-scoped (another
programme's patient is a 404 OperationOutcome), every answer application/fhir+json and valid,
every read audited with the token's name."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from benzodetox.web.api.auth import create_token
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring.models import Assessment
from benzodetox.web.plans.models import PlanApproval
from benzodetox.web.programmes.scoping import unscoped
from tests.interop.fhir.validate import valid, valid_bundle

FHIR = "application/fhir+json"


def _get(path: str, key: str | None, **params: str) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return Client().get(path, params, **headers)


@pytest.fixture
def key_a(programme_a: Any, nurse: Any) -> str:
    return create_token(programme_a, nurse, "ehr-a", "read", days=30)[1]


def _assessments(patient: Any, user: Any, n: int) -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    with unscoped():
        for i in range(n):
            Assessment(
                programme_id=patient.programme_id,
                patient=patient,
                kind="gad-7",
                rater="self" if i % 2 else "clinician",
                at=start + timedelta(days=i),
                answers=[1, 1, 2, 1, 0, 1, 0],
                total=6,
                band="mild",
                band_confirmed=True,
                entered_by=user,
            ).save()


def test_a_patient_is_read_as_fhir_and_the_read_audited(patient_a: Any, key_a: str) -> None:
    response = _get(f"/fhir/R4/Patient/{patient_a.pk}", key_a)
    assert response.status_code == 200 and response["Content-Type"] == FHIR
    model = valid(json.loads(response.content))
    assert model.identifier[0].value == "A-001"
    with unscoped():
        event = AuditEvent.objects.filter(action="fhir.patient_read").get()
    assert event.patient_id == patient_a.pk and event.detail["api_token"] == "ehr-a"


def test_everything_holds_the_record_and_validates(
    patient_a: Any, version_a: Any, prescriber: Any, key_a: str
) -> None:
    with unscoped():
        PlanApproval(plan_version=version_a, approved_by=prescriber).save()
    _assessments(patient_a, prescriber, 4)
    response = _get(f"/fhir/R4/Patient/{patient_a.pk}/$everything", key_a)
    assert response.status_code == 200 and response["Content-Type"] == FHIR
    data = json.loads(response.content)
    resources = valid_bundle(data)
    kinds = [r.get_resource_type() for r in resources]
    assert kinds.count("MedicationStatement") == 1  # diazepam at 08:00 and 22:00
    assert kinds.count("QuestionnaireResponse") == 4 and kinds.count("Observation") == 4
    request = next(r for r in resources if r.get_resource_type() == "MedicationRequest")
    assert (request.status, request.intent) == ("active", "order")
    assert request.groupIdentifier.value == f"patient-{patient_a.pk}-plan-v1"
    methods = [r.method.coding[0].code for r in resources if r.get_resource_type() == "Observation"]
    assert methods == ["clinician", "self", "clinician", "self"]
    assert data["entry"][0]["fullUrl"] == f"http://testserver/fhir/R4/Patient/{patient_a.pk}"
    with unscoped():
        assert AuditEvent.objects.filter(action="fhir.everything", patient=patient_a).exists()


def test_per_step_shape_gives_one_dosage_per_request(
    patient_a: Any, version_a: Any, key_a: str
) -> None:
    response = _get(f"/fhir/R4/Patient/{patient_a.pk}/$everything", key_a, shape="per-step")
    resources = valid_bundle(json.loads(response.content))
    requests = [r for r in resources if r.get_resource_type() == "MedicationRequest"]
    assert len(requests) > 1 and all(len(r.dosageInstruction) == 1 for r in requests)
    assert {r.status for r in requests} == {"draft"}  # the version is not approved


def test_a_bad_shape_is_an_operation_outcome_naming_it(patient_a: Any, key_a: str) -> None:
    response = _get(f"/fhir/R4/Patient/{patient_a.pk}/$everything", key_a, shape="one")
    assert response.status_code == 400 and response["Content-Type"] == FHIR
    outcome = valid(json.loads(response.content))
    assert outcome.issue[0].expression == ["shape"]


def test_a_token_of_programme_a_reads_nothing_of_programme_b(
    patient_b: Any, version_b: Any, key_a: str
) -> None:
    base = f"/fhir/R4/Patient/{patient_b.pk}"
    for path in (base, f"{base}/$everything"):
        response = _get(path, key_a)
        assert response.status_code == 404 and response["Content-Type"] == FHIR
        outcome = valid(json.loads(response.content))
        assert outcome.issue[0].code == "not-found"
        assert b"B-001" not in response.content


@pytest.mark.parametrize("pk", ["999999", "abc", "1e3"])
def test_an_unknown_patient_is_a_404_outcome(pk: str, key_a: str) -> None:
    response = _get(f"/fhir/R4/Patient/{pk}", key_a)
    assert response.status_code == 404
    valid(json.loads(response.content))


def test_no_token_or_a_token_without_read_is_refused_as_an_outcome(
    patient_a: Any, programme_a: Any, nurse: Any
) -> None:
    response = _get(f"/fhir/R4/Patient/{patient_a.pk}", None)
    assert response.status_code == 401 and response["WWW-Authenticate"]
    assert valid(json.loads(response.content)).issue[0].code == "login"
    _, write_only = create_token(programme_a, nurse, "writer", "write", days=30)
    response = _get(f"/fhir/R4/Patient/{patient_a.pk}", write_only)
    assert response.status_code == 403
    assert valid(json.loads(response.content)).issue[0].code == "forbidden"


def test_the_questionnaires_are_served(key_a: str) -> None:
    response = _get("/fhir/R4/Questionnaire/ciwa-b", key_a)
    assert response.status_code == 200
    assert valid(json.loads(response.content)).url.endswith("/Questionnaire/ciwa-b")
    assert _get("/fhir/R4/Questionnaire/ciwa-ar", key_a).status_code == 404
