"""FHIR R4 read endpoints (``/fhir/R4/``): a patient, everything about a patient, and the
canonical Questionnaires. Thin: authenticate the token, scope to its programme, check the role,
audit the read, and hand plain data to interop/fhir. Every answer is ``application/fhir+json``;
every error an OperationOutcome (401/403/429 from the token, 404 for a patient that is not in
the token's programme — indistinguishable from one that does not exist, 400 for a bad
parameter)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from benzodetox.core.assessment import INSTRUMENTS
from benzodetox.interop.fhir import (
    SHAPES,
    everything_bundle,
    fhir_json,
    operation_outcome,
    patient,
    questionnaire,
)
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.services import require

from .access import audit
from .auth import ApiAuthError, auth_headers, token_required
from .fhir_queries import patient_export, patient_facts

__all__ = ["CONTENT_TYPE", "everything", "patient_read", "questionnaire_read"]

CONTENT_TYPE = "application/fhir+json"
_ISSUE = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 429: "throttled"}


def fhir_response(data: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(fhir_json(data), content_type=CONTENT_TYPE, status=status)


def fhir_error(status: int, diagnostics: str, expression: str = "") -> HttpResponse:
    return fhir_response(operation_outcome(_ISSUE[status], diagnostics, expression), status)


def fhir_token(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A FHIR view with the token's checks, its programme scope and OperationOutcome errors."""

    def refuse(error: ApiAuthError) -> HttpResponse:
        return auth_headers(fhir_error(error.status, error.message), error)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                return fhir_error(403, "the token's user may not read this patient")

        wrapped: Callable[..., HttpResponse] = token_required(scope, refuse)(answer)
        return wrapped

    return decorate


def _patient(pk: str) -> Patient | None:
    if not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        return None
    try:
        found: Patient = Patient.objects.select_related("programme").get(pk=pk)
    except Patient.DoesNotExist:
        return None
    return found


@require_GET
@fhir_token("read")
def patient_read(request: HttpRequest, pk: str) -> HttpResponse:
    found = _patient(pk)
    if found is None:
        return fhir_error(404, f"Patient/{pk} is not known")
    require(request.user, "patient.view", found.programme_id)
    audit(request, "fhir.patient_read", "read the FHIR Patient", obj=found, patient=found)
    return fhir_response(patient(patient_facts(found)))


@require_GET
@fhir_token("read")
def everything(request: HttpRequest, pk: str) -> HttpResponse:
    """``Patient/{id}/$everything``; ``?shape=per-step`` gives one MedicationRequest per step
    (one Dosage each) instead of one per drug with sequenced Dosages."""
    shape = request.GET.get("shape", "sequenced")
    if shape not in SHAPES:
        return fhir_error(400, f"shape {shape!r}: expected {' or '.join(SHAPES)}", "shape")
    found = _patient(pk)
    if found is None:
        return fhir_error(404, f"Patient/{pk} is not known")
    require(request.user, "patient.view", found.programme_id)
    base = request.build_absolute_uri(reverse("fhir:base"))
    data = everything_bundle(
        patient_export(found), base=base, shape=shape, timestamp=timezone.now()
    )
    audit(
        request,
        "fhir.everything",
        f"exported the FHIR record ({len(data['entry'])} resources)",
        obj=found,
        patient=found,
        detail={"shape": shape},
    )
    return fhir_response(data)


@require_GET
@fhir_token("read")
def questionnaire_read(request: HttpRequest, key: str) -> HttpResponse:
    if key not in INSTRUMENTS:
        return fhir_error(404, f"Questionnaire/{key} is not known; one of {', '.join(INSTRUMENTS)}")
    return fhir_response(questionnaire(key))


def base(request: HttpRequest) -> HttpResponse:
    """The FHIR base itself: only its named resources are served."""
    return fhir_error(404, "see Patient/{id}, Patient/{id}/$everything or Questionnaire/{key}")
