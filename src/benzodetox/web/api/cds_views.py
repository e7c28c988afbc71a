"""CDS Hooks 2.0 services (https://cds-hooks.hl7.org/2.0/): discovery at ``GET /cds-services``
and one ``POST /cds-services/<id>`` per service. Thin: parse the hook call, find the patient by
record number within the token's programme, gather facts (prefetch first, else benzodetox's
own records), ask the core for cards, answer ``{"cards": [...]}`` and audit the call.

Authentication: the specification's clients send a JWT; benzodetox takes its own API token as
the bearer (``Authorization: Bearer bzd_…``, scope ``read``). Discovery needs no token (it
holds no patient data). Errors: 400 naming the field, 401/403/429 from the token, 404 for an
unknown service, 405 for another method.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from benzodetox.core.cds import Card, OrderFacts, OrderLine, order_cards, patient_cards
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record

from .auth import token_required
from .cds_facts import active_regimen_lines, find_patient, patient_facts, table_for, taper_of
from .cds_request import HookError, HookRequest, order_lines, parse_hook

__all__ = ["SERVICES", "Service", "discovery", "service"]

_PATIENT = "Patient/{{context.patientId}}"
_ACTIVE = "MedicationRequest?patient={{context.patientId}}&status=active"


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str
    prefetch: Mapping[str, str]

    @property
    def is_order_hook(self) -> bool:
        return self.hook in ("order-select", "order-sign")

    def as_dict(self) -> dict[str, Any]:
        return {
            "hook": self.hook,
            "title": self.title,
            "description": self.description,
            "id": self.id,
            "prefetch": dict(self.prefetch),
        }


_ORDER_TEXT = (
    "A benzodiazepine ordered with an opioid: the concurrent-use card with a naloxone "
    "suggestion; a new benzodiazepine order for a patient whose benzodetox taper is in force: "
    "the current step and plan; the ordered benzodiazepines' diazepam equivalent under a "
    "named equivalence table, with the taper calculator prefilled."
)
SERVICES: tuple[Service, ...] = (
    Service(
        "benzodetox-patient-view", "patient-view", "benzodetox: taper and monitoring",
        "For a patient in a benzodetox programme: a taper step due, a rising CIWA-B, an "
        "overdue assessment, a gap in aftercare contacts. No card when none applies.",
        {"patient": _PATIENT},
    ),
    Service(
        "benzodetox-order-select", "order-select", "benzodetox: benzodiazepine orders",
        _ORDER_TEXT + " Judges the selected orders.",
        {"patient": _PATIENT, "activeMedications": _ACTIVE},
    ),
    Service(
        "benzodetox-order-sign", "order-sign", "benzodetox: benzodiazepine orders at signing",
        _ORDER_TEXT + " Judges every draft order being signed.",
        {"patient": _PATIENT, "activeMedications": _ACTIVE},
    ),
)
_BY_ID = {s.id: s for s in SERVICES}


def _error(status: int, message: str, field: str = "") -> JsonResponse:
    body = {"detail": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status)


@csrf_exempt
def discovery(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return _error(405, "discovery answers GET only")
    return JsonResponse({"services": [s.as_dict() for s in SERVICES]})


def _cards_json(cards: tuple[Card, ...]) -> list[dict[str, Any]]:
    return [c.with_uuid(str(uuid.uuid4())).as_dict() for c in cards]


def _active_lines(hook: HookRequest, patient: Any) -> list[OrderLine]:
    prefetched = hook.prefetch.get("activeMedications")
    if prefetched is not None:
        return order_lines(prefetched, "prefetch.activeMedications")
    return list(active_regimen_lines(patient))


def _order_cards(
    request: HttpRequest, svc: Service, hook: HookRequest, patient: Any
) -> tuple[Card, ...]:
    bundle = hook.context["draftOrders"]
    where = "context.draftOrders"
    drafts = order_lines(bundle, where)
    if svc.hook == "order-select":
        chosen = set(hook.context["selections"])
        judged = [line for line in drafts if line.ref in chosen]
        others = [line for line in drafts if line.ref not in chosen]
    else:
        judged, others = drafts, []
    table, recorded = table_for(patient)
    facts = OrderFacts(
        judged=tuple(judged),
        today=timezone.localdate(),
        others=(*others, *_active_lines(hook, patient)),
        taper=taper_of(patient) if patient is not None else None,
        table=table,
        table_recorded=recorded,
        calculator_url=request.build_absolute_uri(reverse("calculator:page")),
        patient_ref=f"Patient/{hook.patient_id}",
    )
    return order_cards(facts)


@csrf_exempt
def service(request: HttpRequest, service_id: str) -> HttpResponse:
    svc = _BY_ID.get(service_id)
    if svc is None:
        known = ", ".join(_BY_ID)
        return _error(404, f"no CDS service {service_id!r}; the services are {known}", "id")
    if request.method != "POST":
        return _error(405, "a CDS service answers POST only (discovery is GET /cds-services)")
    answered: HttpResponse = _answer(request, svc)
    return answered


@token_required("read")
def _answer(request: HttpRequest, svc: Service) -> HttpResponse:
    try:
        hook = parse_hook(
            request.body, svc.hook, svc.is_order_hook, svc.hook == "order-select"
        )
        patient = find_patient(hook.patient_id, hook.prefetch)
        if svc.is_order_hook:
            cards = _order_cards(request, svc, hook, patient)
        elif patient is None:
            cards = ()
        else:
            cards = patient_cards(patient_facts(patient))
    except HookError as error:
        return _error(error.status, str(error), error.field)
    except InputError as error:
        return _error(400, error.message, error.field)
    token = request.api_token  # type: ignore[attr-defined]
    record(
        request,
        f"cds.{svc.hook}",
        patient=patient,
        programme=token.programme_id,
        summary=f"{svc.id}: {len(cards)} card(s) {', '.join(c.kind for c in cards)}"[:300],
        detail={"token": token.name, "hookInstance": hook.hook_instance,
                "patient_found": patient is not None, "cards": [c.kind for c in cards]},
    )
    return JsonResponse({"cards": _cards_json(cards)})
