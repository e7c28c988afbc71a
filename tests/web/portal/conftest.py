"""Portal personas: a patient with an approved plan and a portal account (made through the
invitation service, as a clinician and the patient would)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanApproval
from benzodetox.web.portal import services
from benzodetox.web.programmes.scoping import scope_programmes, unscoped

from ..conftest import make_version

PASSWORD = "a-long-patient-passphrase-42"


def staff_request(user: Any) -> Any:
    request = RequestFactory().post("/portal/staff/")
    request.user = user
    request.request_id = "test"
    return request


def invite(nurse: Any, patient: Patient) -> str:
    """The token of a fresh invitation made by ``nurse``."""
    with scope_programmes({patient.programme_id}):
        issued = services.invite(staff_request(nurse), patient)
    return issued.link.rsplit("/welcome/", 1)[1].strip("/")


def open_account(nurse: Any, patient: Patient, username: str) -> Any:
    token = invite(nurse, patient)
    return services.accept(None, token, username=username, password=PASSWORD)


def approve(version: Any, prescriber: Any) -> Any:
    with unscoped():
        PlanApproval(plan_version=version, approved_by=prescriber).save()
    return version


@pytest.fixture
def approved_a(patient_a: Patient, personas: dict[str, Any]) -> Any:
    return approve(make_version(patient_a, personas["nurse"]), personas["prescriber"])


@pytest.fixture
def account_a(patient_a: Patient, personas: dict[str, Any]) -> Any:
    return open_account(personas["nurse"], patient_a, "patient-a")


@pytest.fixture
def account_b(patient_b: Patient, personas: dict[str, Any]) -> Any:
    return open_account(personas["other"], patient_b, "patient-b")


@pytest.fixture
def patient_client(account_a: Any) -> Client:
    client = Client()
    client.force_login(account_a.user)
    return client
