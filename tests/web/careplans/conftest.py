"""Care-plan fixtures: approved plan versions and a care plan's rows for programme A's and B's
patients (personas and patients come from tests/web/conftest.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from benzodetox.web.careplans.models import (
    AftercareItem,
    AftercarePlan,
    Course,
    CourseSession,
    RelapsePlanVersion,
)
from benzodetox.web.plans.models import PlanApproval
from benzodetox.web.programmes.scoping import unscoped

RELAPSE_CONTENT: dict[str, Any] = {
    "goals": ["Stay off benzodiazepines", "Sleep through the night"],
    "triggers": [
        {
            "description": "Lying awake at night",
            "kind": "internal",
            "coping": ["Get up and read", "Breathing exercise"],
        },
        {
            "description": "Friday drinks with colleagues",
            "kind": "external",
            "coping": ["Leave the situation"],
        },
    ],
    "warning_signs": ["Skipping meals"],
    "contacts": [
        {"role": "support_person", "name": "Sam Carer", "phone": "0100 200 300", "note": ""},
        {"role": "crisis_line", "name": "Night line", "phone": "0800 111", "note": "24 h"},
    ],
    "after_lapse": ["Call Sam", "Book a visit"],
    "lifestyle": {
        "sleep": "Bed by 23:00",
        "exercise": "Walk daily",
        "nutrition": "",
        "routine": "",
    },
}


def approve(version: Any, user: Any) -> Any:
    with unscoped():
        PlanApproval(plan_version=version, approved_by=user, note="test").save()
    return version


@pytest.fixture
def approved_a(version_a: Any, personas: dict[str, Any]) -> Any:
    return approve(version_a, personas["prescriber"])


@pytest.fixture
def approved_b(version_b: Any, personas: dict[str, Any]) -> Any:
    return approve(version_b, personas["other"])


def make_careplan(patient: Any, version: Any, user: Any) -> dict[str, Any]:
    """A course with two sessions, an aftercare plan with two items and a relapse plan."""
    with unscoped():
        course = Course.objects.create(
            patient=patient,
            kind="cbt_i",
            title="CBT for insomnia (CBT-I)",
            start=date(2026, 1, 5),
            every_days=7,
            sources=["baillargeon-2003"],
            created_by=user,
        )
        CourseSession.objects.create(course=course, number=1, on=date(2026, 1, 5))
        CourseSession.objects.create(course=course, number=2, on=date(2026, 1, 12))
        last = version.end
        care = AftercarePlan.objects.create(
            patient=patient,
            plan_version=version,
            last_dose=last,
            end=date.fromordinal(last.toordinal() + 90),
            policy={},
            created_by=user,
        )
        first = AftercareItem.objects.create(
            aftercare=care,
            on=date.fromordinal(last.toordinal() + 14),
            kind="contact",
            title="Contact with the care team",
        )
        AftercareItem.objects.create(
            aftercare=care,
            on=care.end,
            kind="review",
            title="End-of-aftercare review",
            instruments=["BWSQ"],
        )
        relapse = RelapsePlanVersion(
            patient=patient,
            number=1,
            reason="first plan",
            reviewed_on=date(2026, 1, 5),
            content=RELAPSE_CONTENT,
            created_by=user,
        )
        relapse.save()
    return {"course": course, "care": care, "item": first, "relapse": relapse}


@pytest.fixture
def careplan_a(patient_a: Any, approved_a: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return make_careplan(patient_a, approved_a, personas["counsellor"])


@pytest.fixture
def careplan_b(patient_b: Any, approved_b: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return make_careplan(patient_b, approved_b, personas["other"])
