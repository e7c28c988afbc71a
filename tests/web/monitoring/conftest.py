"""Monitoring fixtures: an approved plan for programme A's patient that started a few days ago
(its first reduction is within the week after a reduction), and helpers to post assessments."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from benzodetox.web.programmes.scoping import unscoped


def approved_version(
    patient: Any, prescriber: Any, start: date, number: int = 1, **request: Any
) -> Any:
    """An approved plan version for ``patient`` from ``start`` built by the core (``request``:
    more PlanRequest parameters, e.g. ``switch_to``)."""
    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.tapering import build_plan
    from benzodetox.interop.plan_json import plan_to_dict
    from benzodetox.web.patients.services import regimen_of
    from benzodetox.web.plans.models import PlanApproval, PlanVersion

    with unscoped():
        plan = build_plan(
            PlanRequest(
                regimen=regimen_of(patient),  # type: ignore[arg-type]
                source="ashton-2002",
                start=start,
                **request,
            )
        )
        version = PlanVersion(
            patient=patient,
            number=number,
            reason="first plan",
            created_by=prescriber,
            parameters={"source": "ashton-2002", "start": start.isoformat()},
            plan=plan_to_dict(plan),
            source=plan.source,
            strategy=plan.strategy,
            start=plan.start,
            end=plan.end,
            diazepam_eq_mg=plan.diazepam_eq_mg_per_day,
        )
        version.save()
        PlanApproval(plan_version=version, approved_by=prescriber).save()
    return version


@pytest.fixture
def plan_start() -> date:
    """Three days ago: the first reduction started then (ASAM plans start with a reduction)."""
    return timezone.localdate() - timedelta(days=3)


@pytest.fixture
def tapering_a(patient_a: Any, prescriber: Any, plan_start: date) -> Any:
    """Programme A's patient, tapering on an approved plan."""
    with unscoped():
        patient_a.phase = "tapering"
        patient_a.save()
    approved_version(patient_a, prescriber, plan_start)
    return patient_a


@pytest.fixture
def tapering_b(patient_b: Any, other_clinician: Any, plan_start: date) -> Any:
    with unscoped():
        patient_b.phase = "tapering"
        patient_b.save()
    approved_version(patient_b, other_clinician, plan_start)
    return patient_b


def ciwa_post(answers: list[int], at: str | None = None, **extra: str) -> dict[str, str]:
    data = {f"item_{n}": str(v) for n, v in enumerate(answers, start=1)}
    data["at"] = at or timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data.update(extra)
    return data


SEVERE = [3, 3, 3, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]  # 44: severe
MILD = [1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]  # 6: mild


def record(user: Any, patient: Any, kind: str = "ciwa-b", **values: Any) -> Any:
    """Record an assessment through the service, as ``user``, outside a request."""
    from benzodetox.web.demo import system_request
    from benzodetox.web.monitoring.services import Entry, record_assessment

    values.setdefault("at", timezone.now() - timedelta(minutes=5))
    if kind in ("ciwa-b",):
        values.setdefault("answers", tuple(MILD))
    with unscoped():
        return record_assessment(system_request(user), patient, Entry(kind=kind, **values))


@pytest.fixture
def entry_a(tapering_a: Any, nurse: Any) -> Any:
    return record(nurse, tapering_a)


@pytest.fixture
def entry_b(tapering_b: Any, other_clinician: Any) -> Any:
    return record(other_clinician, tapering_b)


@pytest.fixture
def alert_a(tapering_a: Any, nurse: Any) -> Any:
    row = record(nurse, tapering_a, answers=tuple(SEVERE))
    with unscoped():
        return row.alerts.get()


@pytest.fixture
def alert_b(tapering_b: Any, other_clinician: Any) -> Any:
    row = record(other_clinician, tapering_b, answers=tuple(SEVERE))
    with unscoped():
        return row.alerts.get()
