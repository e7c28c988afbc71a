"""Keeps each patient's monitoring state in step with the plan in force: when a plan version
is approved, an intake saved (the level of care sets the schedule) or the phase of care
changes, the state and scheduled dose changes are recomputed and the next scan looks at the
patient at once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save


def _after_approval(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        patient = instance.plan_version.patient
        transaction.on_commit(lambda: _refresh(patient))


def _after_intake(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    patient = instance.patient
    transaction.on_commit(lambda: _refresh(patient, only_existing=True))


def _after_patient(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created or kwargs.get("raw"):
        return
    transaction.on_commit(lambda: _refresh(instance, only_existing=False))


def _refresh(patient: Any, only_existing: bool = False) -> None:
    from benzodetox.web.patients.choices import ACTIVE_PHASES
    from benzodetox.web.programmes.scoping import unscoped

    from .models import MonitoringState
    from .state import refresh_state

    with unscoped():
        exists = MonitoringState.objects.filter(patient_id=patient.pk).exists()
        if exists or (not only_existing and patient.phase in ACTIVE_PHASES):
            refresh_state(patient)


def connect() -> None:
    from benzodetox.web.patients.models import Intake, Patient
    from benzodetox.web.plans.models import PlanApproval

    post_save.connect(_after_approval, sender=PlanApproval, dispatch_uid="monitoring-approval")
    post_save.connect(_after_intake, sender=Intake, dispatch_uid="monitoring-intake")
    post_save.connect(_after_patient, sender=Patient, dispatch_uid="monitoring-patient")
