"""One row in every guarded table (``benzodetox.web.immutable.GUARDED``) for programme A's
patient: a draft and an approved, signed plan version, an assessment, an advice record, a
relapse-plan version, an adjunct note, a return-to-use report, an audit event and a row in
every history table."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans.models import (
    AdjunctNote,
    AftercareItem,
    AftercarePlan,
    AftercarePolicySettings,
    Course,
    CourseSession,
    PharmacyPolicySettings,
    RelapsePlanVersion,
    ReturnToUseReport,
)
from benzodetox.web.checkins.models import DiaryEntry
from benzodetox.web.immutable import GUARDED
from benzodetox.web.monitoring.models import AdviceRecord, Assessment
from benzodetox.web.plans.models import PlanApproval, PlanPolicy, PlanSignature
from benzodetox.web.programmes.scoping import unscoped
from tests.web.careplans.conftest import RELAPSE_CONTENT
from tests.web.conftest import make_version


def model_of(table: str) -> type[models.Model]:
    """The model stored in ``table``."""
    found = [m for m in apps.get_models() if m._meta.db_table == table]
    assert len(found) == 1, f"no single model for {table}"
    return found[0]


def text_field(model: type[models.Model]) -> str:
    """The first plain text column of the model (what the tests try to rewrite)."""
    for field in model._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and not field.primary_key:
            return field.attname
    raise AssertionError(f"{model.__name__} has no text column")


def snapshot(model: type[models.Model], pk: Any) -> dict[str, Any]:
    """Every column of one row as stored (read through the unscoped base manager)."""
    return model._base_manager.filter(pk=pk).values().get()


@pytest.fixture
def records(
    patient_a: Any, programme_a: Any, personas: dict[str, Any]
) -> dict[str, tuple[type[models.Model], Any]]:
    """table → (model, primary key of a row nothing else refers to)."""
    prescriber, nurse = personas["prescriber"], personas["nurse"]
    with unscoped():
        approved = make_version(patient_a, prescriber, number=1)
        PlanSignature(plan_version=approved, signed_by=personas["admin"], note="first").save()
        PlanApproval(plan_version=approved, approved_by=prescriber, note="approved").save()
        draft = make_version(patient_a, prescriber, number=2)
        Assessment(
            programme=programme_a,
            patient=patient_a,
            kind="ciwa-b",
            at=timezone.now(),
            answers=[0] * 20,
            total=0,
            band="mild",
            entered_by=nurse,
        ).save()
        AdviceRecord(
            programme=programme_a,
            patient=patient_a,
            on=date(2026, 1, 5),
            action="continue",
            advice={"action": "continue"},
            by=prescriber,
        ).save()
        RelapsePlanVersion(
            patient=patient_a,
            number=1,
            reason="first plan",
            reviewed_on=date(2026, 1, 5),
            content=RELAPSE_CONTENT,
            created_by=nurse,
        ).save()
        AdjunctNote(
            patient=patient_a,
            adjunct="melatonin",
            status="considered",
            note="asked",
            created_by=nurse,
        ).save()
        ReturnToUseReport(
            patient=patient_a,
            on=date(2026, 1, 5),
            reported_by="patient",
            substance="diazepam",
            recorded_by=nurse,
        ).save()
        DiaryEntry(
            programme=programme_a,
            patient=patient_a,
            day=date(2026, 1, 5),
            status="taken",
            plan_version=approved,
            entered_by=nurse,
        ).save()
        AuditEvent(action="test.event", programme=programme_a, summary="seen").save()
        # rows in every history table
        PlanPolicy.objects.create(programme=programme_a)
        AftercarePolicySettings.objects.create(programme=programme_a)
        PharmacyPolicySettings.objects.create(programme=programme_a)
        course = Course.objects.create(
            patient=patient_a, kind="cbt_i", title="CBT-I", start=date(2026, 1, 5), every_days=7
        )
        CourseSession.objects.create(course=course, number=1, on=date(2026, 1, 5))
        care = AftercarePlan.objects.create(
            patient=patient_a,
            plan_version=approved,
            last_dose=approved.end,
            end=date.fromordinal(approved.end.toordinal() + 90),
        )
        AftercareItem.objects.create(aftercare=care, on=care.end, kind="review", title="Review")
    rows: dict[str, tuple[type[models.Model], Any]] = {}
    for item in GUARDED:
        model = model_of(item.table)
        pk = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
        assert pk is not None, f"the fixture made no row in {item.table}"
        rows[item.table] = (model, pk)
    rows["plans_planversion"] = (rows["plans_planversion"][0], draft.pk)
    return rows
