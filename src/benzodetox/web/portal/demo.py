"""The demo's patient login: DEMO-003 (tapering on an approved plan) gets a portal account, made
through the same invitation a nurse gives (``benzodetox serve --demo`` prints it beside the
staff logins)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model

from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.system_request import system_request

from . import services
from .models import PortalAccount

__all__ = ["DEMO_PATIENT", "DEMO_PATIENT_USERNAME", "seed_demo_portal"]

DEMO_PATIENT = "DEMO-003"
DEMO_PATIENT_USERNAME = "demo-patient"


def seed_demo_portal(nurse: Any, programme_name: str) -> tuple[str, str] | None:
    """(username, password) of the demo patient's new account; None when it exists already or
    the demo patient is missing. Idempotent."""

    with unscoped():
        patient = Patient.objects.filter(
            programme__name=programme_name, reference=DEMO_PATIENT
        ).first()
        if patient is None or PortalAccount.objects.filter(patient=patient).exists():
            return None
        if get_user_model().objects.filter(username=DEMO_PATIENT_USERNAME).exists():
            return None
        issued = services.invite(system_request(nurse), patient)
    token = issued.link.rstrip("/").rsplit("/", 1)[1]
    password = "-".join(secrets.token_hex(2) for _ in range(4))
    services.accept(None, token, username=DEMO_PATIENT_USERNAME, password=password)
    return DEMO_PATIENT_USERNAME, password
