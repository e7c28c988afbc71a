"""The FHIR regimen import page: paste or upload, preview with each refused entry's reason,
confirm saves through the regimen service in one transaction (all or nothing), permission
regimen.edit, another programme's patient is a 404, every step audited."""

from __future__ import annotations

import json
from datetime import time
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from benzodetox.core.regimen import Dose, Regimen
from benzodetox.interop.fhir import Subject, bundle, fhir_json, regimen_statements
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.patients.models import RegimenDose
from benzodetox.web.patients.services import regimen_of
from benzodetox.web.programmes.scoping import unscoped

SUBJECT = {"display": "A. B."}


def _url(patient: Any) -> str:
    return f"/patients/{patient.pk}/regimen/import-fhir/"


def _statement(name: str, mg: str, at: str, ident: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": ident,
        "status": "active",
        "subject": SUBJECT,
        "medicationCodeableConcept": {"text": name},
        "dosage": [
            {
                "timing": {"repeat": {"timeOfDay": [at]}},
                "doseAndRate": [{"doseQuantity": {"value": float(mg), "unit": "mg"}}],
            }
        ],
    }


NEW = Regimen((Dose(time(9), "lorazepam", Decimal("1")), Dose(time(21), "lorazepam", Decimal("2"))))


def _regimen(patient: Any) -> Regimen | None:
    with unscoped():
        return regimen_of(patient)


def test_preview_shows_the_rows_and_saves_nothing(
    client_for: Any, prescriber: Any, patient_a: Any
) -> None:
    before = _regimen(patient_a)
    text = fhir_json(bundle(regimen_statements(NEW, Subject("x"))))
    response = client_for(prescriber).post(_url(patient_a), {"fhir": text, "action": "preview"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "lorazepam" in page and "2 mg" in page and "21:00" in page
    assert _regimen(patient_a) == before


def test_confirm_saves_the_imported_regimen_and_audits_it(
    client_for: Any, prescriber: Any, patient_a: Any
) -> None:
    """Round trip through the page: our own export of a regimen imports as that regimen."""
    text = fhir_json(bundle(regimen_statements(NEW, Subject("x"))))
    response = client_for(prescriber).post(_url(patient_a), {"fhir": text, "action": "confirm"})
    assert response.status_code == 302
    assert _regimen(patient_a) == NEW
    with unscoped():
        event = AuditEvent.objects.get(action="regimen.imported_fhir")
        assert AuditEvent.objects.filter(action="regimen.set", patient=patient_a).exists()
    assert event.detail["doses"] == 2 and event.patient_id == patient_a.pk


def test_an_upload_is_read_like_pasted_text(
    client_for: Any, prescriber: Any, patient_a: Any
) -> None:
    body = fhir_json(_statement("diazepam 5 mg tablet", "5", "22:00:00", "s")).encode()
    upload = SimpleUploadedFile("ehr.json", body, content_type="application/fhir+json")
    response = client_for(prescriber).post(
        _url(patient_a), {"upload": upload, "action": "confirm"}
    )
    assert response.status_code == 302
    assert _regimen(patient_a) == Regimen((Dose(time(22), "diazepam", Decimal(5)),))


def test_a_refused_entry_is_shown_and_blocks_saving_until_left_out(
    client_for: Any, prescriber: Any, patient_a: Any
) -> None:
    before = _regimen(patient_a)
    text = json.dumps(
        bundle(
            [
                _statement("sertraline", "50", "08:00:00", "ssri"),
                _statement("diazepam", "5", "22:00:00", "dz"),
            ]
        )
    )
    client = client_for(prescriber)
    preview = client.post(_url(patient_a), {"fhir": text, "action": "preview"})
    page = preview.content.decode()
    assert "entry[0] MedicationStatement/ssri" in page and "unknown medication" in page
    refused = client.post(_url(patient_a), {"fhir": text, "action": "confirm"})
    assert refused.status_code == 400 and "Nothing was saved" in refused.content.decode()
    assert _regimen(patient_a) == before
    saved = client.post(
        _url(patient_a), {"fhir": text, "action": "confirm", "leave_out_refused": "on"}
    )
    assert saved.status_code == 302
    assert _regimen(patient_a) == Regimen((Dose(time(22), "diazepam", Decimal(5)),))


def test_a_dose_the_regimen_form_refuses_is_refused_on_its_entry(
    client_for: Any, prescriber: Any, patient_a: Any
) -> None:
    """The form refuses one dose above the label's daily maximum (alprazolam 10 mg/day)."""
    text = json.dumps(_statement("alprazolam", "12", "08:00:00", "big"))
    response = client_for(prescriber).post(_url(patient_a), {"fhir": text, "action": "confirm"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "MedicationStatement/big" in page and "the regimen form refuses it" in page


def test_bad_json_and_non_fhir_are_refused_naming_the_field(
    client_for: Any, prescriber: Any, patient_a: Any
) -> None:
    client = client_for(prescriber)
    for text, words in (
        ("{not json", "Not valid JSON: line 1"),
        ('{"resourceType": "Patient"}', "FHIR R4 Bundle, MedicationStatement or MedicationRequest"),
        ("", "Paste the FHIR JSON"),
    ):
        response = client.post(_url(patient_a), {"fhir": text, "action": "preview"})
        assert response.status_code == 400, text
        assert words in response.content.decode()


def test_nothing_is_saved_half_way(
    client_for: Any, prescriber: Any, patient_a: Any, monkeypatch: Any
) -> None:
    """A failure inside the save (after the old rows went) rolls everything back."""
    before = _regimen(patient_a)
    original = RegimenDose.save
    calls = {"n": 0}

    def failing_save(self: Any, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(self, *args, **kwargs)

    monkeypatch.setattr(RegimenDose, "save", failing_save)
    text = fhir_json(bundle(regimen_statements(NEW, Subject("x"))))
    client = client_for(prescriber)
    client.raise_request_exception = False
    response = client.post(_url(patient_a), {"fhir": text, "action": "confirm"})
    assert response.status_code == 500
    assert _regimen(patient_a) == before
    with unscoped():
        assert not AuditEvent.objects.filter(action="regimen.imported_fhir").exists()


def test_only_regimen_editors_of_the_programme_reach_the_page(
    client_for: Any, read_only: Any, other_clinician: Any, prescriber: Any, patient_a: Any
) -> None:
    assert client_for(read_only).get(_url(patient_a)).status_code == 403
    assert client_for(other_clinician).get(_url(patient_a)).status_code == 404
    page = client_for(prescriber).get(_url(patient_a))
    assert page.status_code == 200 and b"Import the regimen from FHIR" in page.content
    assert b"<script>" not in page.content and b"style=" not in page.content


def test_the_regimen_page_links_the_fhir_import(
    client_for: Any, nurse: Any, patient_a: Any
) -> None:
    page = client_for(nurse).get(f"/patients/{patient_a.pk}/regimen/")
    assert page.status_code == 200
    assert f'href="/patients/{patient_a.pk}/regimen/import-fhir/"' in page.content.decode()
