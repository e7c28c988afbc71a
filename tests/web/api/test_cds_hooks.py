"""CDS Hooks 2.0 services (issue 14, items 3–4): discovery, patient-view, order-select and
order-sign answer the specification's example requests (adapted fixtures below), every card has
the required fields and a known indicator, errors name the field, and a token of programme A
sees nothing of programme B's patients.

The request fixtures follow https://cds-hooks.hl7.org/2.0/ (the patient-view example request)
and the order-select / order-sign hook definitions (their example contexts: a draftOrders
Bundle of MedicationRequests with RxNorm codings, selections as "Type/id")."""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.core.cds import INDICATORS
from benzodetox.web.api.auth import create_token
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring.models import Assessment
from benzodetox.web.programmes.scoping import unscoped
from tests.web.monitoring.conftest import approved_version

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"

# The specification's patient-view example request (context.patientId replaced per test).
PATIENT_VIEW = {
    "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
    "fhirServer": "http://hooks.smarthealthit.org:9080",
    "hook": "patient-view",
    "context": {"userId": "Practitioner/example", "patientId": "1288992", "encounterId": "89284"},
    "prefetch": {
        "patient": {
            "resourceType": "Patient",
            "gender": "male",
            "birthDate": "1925-12-23",
            "id": "1288992",
            "active": True,
        }
    },
}


def _medication_request(rid: str, code: str, display: str, dose: Any = None, unit: str = "",
                        frequency: int | None = None) -> dict[str, Any]:
    """A draft MedicationRequest shaped like the order-select example's."""
    dosage: dict[str, Any] = {"text": display}
    if frequency is not None:
        dosage["timing"] = {"repeat": {"frequency": frequency, "period": 1, "periodUnit": "d"}}
    if dose is not None:
        dosage["doseAndRate"] = [{"doseQuantity": {"value": dose, "unit": unit}}]
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": display}],
            "text": display,
        },
        "subject": {"reference": "Patient/1288992"},
        "dosageInstruction": [dosage],
    }


# The order-select example's shape: an amoxicillin draft (RxNorm 617993) already in the session.
AMOXICILLIN = _medication_request(
    "smart-MedicationRequest-103", "617993",
    "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension", 5, "mL", 2,
)
DIAZEPAM = _medication_request("bzd-1", "197591", "diazepam 5 MG Oral Tablet", 1, "TAB", 2)
OXYCODONE = _medication_request("opioid-1", "1049621", "oxycodone hydrochloride 5 MG Oral Tablet")


def order_select(patient_id: str, *resources: dict[str, Any], selections: list[str]) -> dict:
    return {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "http://hooks.smarthealthit.org:9080",
        "hook": "order-select",
        "context": {
            "userId": "PractitionerRole/123",
            "patientId": patient_id,
            "encounterId": "89284",
            "selections": selections,
            "draftOrders": {
                "resourceType": "Bundle",
                "entry": [{"resource": deepcopy(r)} for r in resources],
            },
        },
    }


def order_sign(patient_id: str, *resources: dict[str, Any]) -> dict:
    body = order_select(patient_id, *resources, selections=[])
    body["hook"] = "order-sign"
    del body["context"]["selections"]
    return body


@pytest.fixture
def key_a(programme_a: Any, nurse: Any) -> str:
    return create_token(programme_a, nurse, "ehr-a", "read", days=30)[1]


def post(key: str | None, service: str, body: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().post(f"/cds-services/{service}", raw, content_type="application/json",
                         **headers)


def check_cards(answer: Any) -> list[dict[str, Any]]:
    """The response is {"cards": [...]}, each card with the specification's required fields."""
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert set(body) == {"cards"} and isinstance(body["cards"], list)
    for card in body["cards"]:
        assert isinstance(card["summary"], str) and 0 < len(card["summary"]) < 140
        assert card["indicator"] in INDICATORS
        assert isinstance(card["source"]["label"], str) and card["source"]["label"]
        assert card["source"]["topic"]["code"]
        assert len(card["uuid"]) == 36
        for suggestion in card.get("suggestions", []):
            assert suggestion["label"]
            assert card["selectionBehavior"] in ("at-most-one", "any")
            for action in suggestion.get("actions", []):
                assert action["type"] in ("create", "update", "delete") and action["description"]
        for reason in card.get("overrideReasons", []):
            assert reason["code"] and reason["display"] and reason["system"]
        for link in card.get("links", []):
            assert link["label"] and link["url"] and link["type"] in ("absolute", "smart")
    return body["cards"]


def test_discovery_lists_each_service_with_its_hook_and_prefetch(db: Any) -> None:
    answer = Client().get("/cds-services")
    assert answer.status_code == 200
    services = answer.json()["services"]
    assert {s["hook"] for s in services} == {"patient-view", "order-select", "order-sign"}
    for s in services:
        assert s["id"] and s["title"] and s["description"]
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    select = next(s for s in services if s["hook"] == "order-select")
    assert "{{context.patientId}}" in select["prefetch"]["activeMedications"]


def test_the_spec_patient_view_example_for_an_unknown_patient_answers_no_cards(key_a: str):
    assert check_cards(post(key_a, "benzodetox-patient-view", PATIENT_VIEW)) == []


def test_patient_view_shows_the_step_due_today_for_the_patient_by_record_number(
    key_a: str, patient_a: Any, prescriber: Any
) -> None:
    approved_version(patient_a, prescriber, timezone.localdate())
    body = deepcopy(PATIENT_VIEW)
    body["context"]["patientId"] = "A-001"
    cards = check_cards(post(key_a, "benzodetox-patient-view", body))
    step = next(c for c in cards if c["summary"].startswith("Taper step today"))
    assert step["indicator"] == "info" and "Rec 9" in step["source"]["label"]
    with unscoped():
        event = AuditEvent.objects.filter(action="cds.patient-view").latest("id")
    assert event.patient_id == patient_a.pk and event.detail["token"] == "ehr-a"


def test_patient_view_finds_the_patient_through_the_prefetched_identifier(
    key_a: str, patient_a: Any, prescriber: Any
) -> None:
    approved_version(patient_a, prescriber, timezone.localdate())
    body = deepcopy(PATIENT_VIEW)
    body["prefetch"]["patient"]["identifier"] = [{"system": "urn:mrn", "value": "A-001"}]
    assert check_cards(post(key_a, "benzodetox-patient-view", body))


def test_patient_view_shows_a_rising_ciwa_b(key_a: str, patient_a: Any, prescriber: Any):
    approved_version(patient_a, prescriber, timezone.localdate() - timedelta(days=5))
    now = timezone.now()
    with unscoped():
        for hours, level in ((30, 0), (20, 1), (10, 2)):
            Assessment.objects.create(
                programme=patient_a.programme, patient=patient_a, kind="ciwa-b",
                at=now - timedelta(hours=hours), answers=[level] * 20, entered_by=prescriber,
            )
    body = deepcopy(PATIENT_VIEW)
    body["context"]["patientId"] = "A-001"
    cards = check_cards(post(key_a, "benzodetox-patient-view", body))
    trend = next(c for c in cards if c["summary"].startswith("CIWA-B rising"))
    assert "0 → 20 → 40" in trend["summary"] and trend["indicator"] in ("warning", "critical")


def test_order_select_spec_example_with_no_benzodiazepine_answers_no_cards(key_a: str):
    selected = ["MedicationRequest/smart-MedicationRequest-103"]
    body = order_select("1288992", AMOXICILLIN, selections=selected)
    assert check_cards(post(key_a, "benzodetox-order-select", body)) == []


def test_order_select_benzodiazepine_with_an_opioid_gives_naloxone_and_the_equivalent(
    key_a: str,
) -> None:
    body = order_select("1288992", AMOXICILLIN, OXYCODONE, DIAZEPAM,
                        selections=["MedicationRequest/bzd-1"])
    cards = check_cards(post(key_a, "benzodetox-order-select", body))
    concurrent = next(c for c in cards if "naloxone" in c["summary"].lower())
    assert concurrent["indicator"] == "warning"
    action = concurrent["suggestions"][0]["actions"][0]
    assert action["type"] == "create"
    assert action["resource"]["subject"] == {"reference": "Patient/1288992"}
    assert len(concurrent["overrideReasons"]) == 3
    equivalent = next(c for c in cards if "diazepam 10 mg/day" in c["summary"])
    assert equivalent["indicator"] == "info"
    assert equivalent["links"][0]["url"].startswith("http://testserver/calculator/?")
    assert "dose-0-drug=diazepam" in equivalent["links"][0]["url"]


def test_order_select_uses_the_prefetched_active_opioid(key_a: str) -> None:
    body = order_select("1288992", DIAZEPAM, selections=["MedicationRequest/bzd-1"])
    active = dict(OXYCODONE, status="active")
    body["prefetch"] = {"activeMedications": {"resourceType": "Bundle",
                                              "entry": [{"resource": active}]}}
    cards = check_cards(post(key_a, "benzodetox-order-select", body))
    assert any("naloxone" in c["summary"].lower() for c in cards)


def test_order_sign_for_a_patient_in_a_taper_shows_the_current_step(
    key_a: str, patient_a: Any, prescriber: Any
) -> None:
    approved_version(patient_a, prescriber, timezone.localdate() - timedelta(days=2))
    cards = check_cards(post(key_a, "benzodetox-order-sign", order_sign("A-001", DIAZEPAM)))
    taper = next(c for c in cards if c["summary"].startswith("In a benzodiazepine taper"))
    assert taper["indicator"] == "warning" and "plan version 1" in taper["detail"]
    # the patient's plan table is named, not the calculator's default
    assert any("Ashton" in c["summary"] and "default" not in c["summary"] for c in cards)


def test_a_token_of_programme_a_sees_nothing_of_programme_b(
    key_a: str, patient_b: Any, prescriber: Any, other_clinician: Any
) -> None:
    approved_version(patient_b, other_clinician, timezone.localdate())
    body = deepcopy(PATIENT_VIEW)
    body["context"]["patientId"] = "B-001"
    assert check_cards(post(key_a, "benzodetox-patient-view", body)) == []
    cards = check_cards(post(key_a, "benzodetox-order-sign", order_sign("B-001", DIAZEPAM)))
    assert not any("taper" in c["summary"].lower() for c in cards)
    assert not any("plan version" in c.get("detail", "") for c in cards)
    with unscoped():
        event = AuditEvent.objects.filter(action="cds.order-sign").latest("id")
    assert event.patient_id is None and event.detail["patient_found"] is False


def test_no_token_is_401_and_an_unknown_service_404(db: Any) -> None:
    assert post(None, "benzodetox-patient-view", PATIENT_VIEW).status_code == 401
    answer = post("nope", "no-such-service", PATIENT_VIEW)
    assert answer.status_code == 404 and "benzodetox-patient-view" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.pop("hookInstance"), "hookInstance"),
        (lambda b: b.pop("context"), "context"),
        (lambda b: b["context"].pop("patientId"), "context.patientId"),
        (lambda b: b["context"].update(userId=7), "context.userId"),
        (lambda b: b.update(hook="order-sign"), "hook"),
        (lambda b: b.update(prefetch=[1]), "prefetch"),
    ],
)
def test_a_malformed_patient_view_request_is_400_naming_the_field(key_a: str, change, field):
    body = deepcopy(PATIENT_VIEW)
    change(body)
    answer = post(key_a, "benzodetox-patient-view", body)
    assert answer.status_code == 400 and answer.json()["field"] == field


def test_malformed_orders_are_400_naming_the_field(key_a: str) -> None:
    assert post(key_a, "benzodetox-patient-view", "{not json").json()["field"] == "body"
    body = order_select("1", DIAZEPAM, selections=["MedicationRequest/bzd-1"])
    del body["context"]["selections"]
    answer = post(key_a, "benzodetox-order-select", body)
    assert answer.status_code == 400 and answer.json()["field"] == "context.selections"
    broken = {"resourceType": "MedicationRequest", "id": "x", "status": "draft",
              "intent": "order", "subject": {"reference": "Patient/1"}}
    answer = post(key_a, "benzodetox-order-sign", order_sign("1", broken))
    assert answer.status_code == 400
    assert answer.json()["field"].startswith("context.draftOrders.entry[0]")
    body = order_sign("1", DIAZEPAM)
    body["context"]["draftOrders"] = {"resourceType": "Patient"}
    assert post(key_a, "benzodetox-order-sign", body).json()["field"] == (
        "context.draftOrders.resourceType"
    )


@pytest.mark.parametrize("identifier", [5, "A-001", [5, {"value": 7}], {"value": "A-001"}])
def test_a_malformed_prefetched_patient_is_ignored_not_a_500(key_a: str, identifier: Any):
    body = deepcopy(PATIENT_VIEW)
    body["prefetch"]["patient"]["identifier"] = identifier
    assert check_cards(post(key_a, "benzodetox-patient-view", body)) == []


def test_discovery_and_services_refuse_other_methods(key_a: str) -> None:
    assert Client().post("/cds-services").status_code == 405
    assert Client().get("/cds-services/benzodetox-order-sign").status_code == 405



def test_an_opioid_order_for_a_patient_whose_regimen_has_a_benzodiazepine_gives_the_card(
    key_a: str, patient_a: Any
) -> None:
    """No activeMedications prefetch: the patient's recorded regimen (diazepam) is used."""
    body = order_select("A-001", OXYCODONE, selections=["MedicationRequest/opioid-1"])
    cards = check_cards(post(key_a, "benzodetox-order-select", body))
    assert [c["summary"] for c in cards] == [
        "Benzodiazepine with an opioid: offer naloxone and review both"
    ]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    where=st.sampled_from(["context", "draftOrders", "resource", "dosage"]),
    value=_JSON,
)
def test_a_mangled_order_request_is_answered_200_or_400_never_500(key_a: str, where, value):
    body = order_select("1", DIAZEPAM, OXYCODONE, selections=["MedicationRequest/bzd-1"])
    if where == "context":
        body["context"]["extra"] = value
        body["context"]["patientId"] = value
    elif where == "draftOrders":
        body["context"]["draftOrders"]["entry"].append(value)
    elif where == "resource":
        body["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"] = value
    else:
        body["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"][0][
            "timing"] = {"repeat": {"frequency": value, "period": value, "periodUnit": "d"}}
    answer = post(key_a, "benzodetox-order-select", body)
    assert answer.status_code in (200, 400), answer.content
    if answer.status_code == 400:
        assert answer.json()["field"]
    else:
        check_cards(answer)
