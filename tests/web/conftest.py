"""Personas and patients for the web tests.

Programme A has one member per role (admin, prescriber, nurse, counsellor, read-only);
programme B has a prescriber. Each programme has one patient with a regimen and an intake.
Test set-up creates rows inside ``unscoped()``: outside a request there is no programme scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from benzodetox.web.patients.models import Intake, Patient, RegimenDose
from benzodetox.web.programmes.models import Membership, Programme
from benzodetox.web.programmes.scoping import unscoped

ROLES = ("admin", "prescriber", "nurse", "counsellor", "read-only")


@pytest.fixture
def everything() -> Iterator[None]:
    """Query across programmes inside the test body (for assertions)."""
    with unscoped():
        yield


@pytest.fixture
def programme_a(db: Any) -> Programme:
    return Programme.objects.create(name="Programme A")


@pytest.fixture
def programme_b(db: Any) -> Programme:
    return Programme.objects.create(name="Programme B")


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    def make(username: str, role: str, programme: Programme, password: str | None = None) -> Any:
        user = get_user_model().objects.create(username=username)
        if password is None:
            user.set_unusable_password()  # personas sign in with force_login: no hashing cost
        else:
            user.set_password(password)
        user.save()
        Membership.objects.create(user=user, programme=programme, role=role)
        return user

    return make


@pytest.fixture
def personas(
    make_user: Callable[..., Any], programme_a: Programme, programme_b: Programme
) -> dict[str, Any]:
    """One user per role in programme A, and 'other' — a prescriber of programme B."""
    users = {role: make_user(f"a-{role}", role, programme_a) for role in ROLES}
    users["other"] = make_user("b-prescriber", "prescriber", programme_b)
    return users


@pytest.fixture
def prescriber(personas: dict[str, Any]) -> Any:
    return personas["prescriber"]


@pytest.fixture
def nurse(personas: dict[str, Any]) -> Any:
    return personas["nurse"]


@pytest.fixture
def counsellor(personas: dict[str, Any]) -> Any:
    return personas["counsellor"]


@pytest.fixture
def read_only(personas: dict[str, Any]) -> Any:
    return personas["read-only"]


@pytest.fixture
def programme_admin(personas: dict[str, Any]) -> Any:
    return personas["admin"]


@pytest.fixture
def other_clinician(personas: dict[str, Any]) -> Any:
    return personas["other"]


def make_patient(
    programme: Programme, reference: str, doses: list[tuple[str, str, str]]
) -> Patient:
    with unscoped():
        patient = Patient.objects.create(
            programme=programme, reference=reference, display_name="A. B.", year_of_birth=1970
        )
        for drug, mg, at in doses:
            RegimenDose.objects.create(
                patient=patient, drug=drug, mg=Decimal(mg), time=time.fromisoformat(at)
            )
        Intake.objects.create(
            patient=patient,
            duration_months=Decimal(12),
            days_per_week=7,
            equivalence_table="ashton-2002",
            home_support="supportive",
        )
    return patient


@pytest.fixture
def patient_a(programme_a: Programme) -> Patient:
    return make_patient(
        programme_a, "A-001", [("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")]
    )


@pytest.fixture
def patient_b(programme_b: Programme) -> Patient:
    return make_patient(programme_b, "B-001", [("diazepam", "5", "22:00")])


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def _next_monday() -> str:
    """A start the builder takes without confirmation: the builder refuses a start date in the
    past unless confirmed, so a fixed date would expire."""
    from datetime import date, timedelta

    today = date.today()
    return (today + timedelta(days=7 - today.weekday())).isoformat()


PLAN_POST = {
    "source": "ashton-2002",
    "strategy": "asam",
    "market": "us",
    "start": _next_monday(),
    "percent": "10",
    "interval_days": "14",
    "crossover_days": "7",
    "allow_liquid": "on",
}


@pytest.fixture
def plan_post() -> dict[str, str]:
    return dict(PLAN_POST)


def make_version(patient: Patient, user: Any, number: int = 1) -> Any:
    """A saved plan version for ``patient`` built by the core (no approval)."""
    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.tapering import build_plan
    from benzodetox.interop.plan_json import plan_to_dict
    from benzodetox.web.patients.services import regimen_of
    from benzodetox.web.plans.models import PlanVersion

    with unscoped():
        from datetime import date

        plan = build_plan(
            PlanRequest(regimen=regimen_of(patient), source="ashton-2002", start=date(2026, 1, 5))  # type: ignore[arg-type]
        )
        version = PlanVersion(
            patient=patient,
            number=number,
            reason="first plan",
            created_by=user,
            parameters=dict(PLAN_POST),
            plan=plan_to_dict(plan),
            source=plan.source,
            strategy=plan.strategy,
            start=plan.start,
            end=plan.end,
            diazepam_eq_mg=plan.diazepam_eq_mg_per_day,
        )
        version.save()
    return version


@pytest.fixture
def version_a(patient_a: Patient, personas: dict[str, Any]) -> Any:
    return make_version(patient_a, personas["nurse"])


@pytest.fixture
def version_b(patient_b: Patient, personas: dict[str, Any]) -> Any:
    return make_version(patient_b, personas["other"])
