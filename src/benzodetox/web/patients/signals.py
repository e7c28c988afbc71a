"""The patient follows the plan: when a plan version is approved (``plans.signals.plan_approved``)
the phase is what the plan's dates say today, set as a system change naming the plan version
(see ``patients/phase.py`` for how this and a clinician's change of phase share the field)."""

from __future__ import annotations

from typing import Any


def _after_plan_approved(sender: Any, version: Any, user: Any = None, **kwargs: Any) -> None:
    from benzodetox.web.programmes.scoping import unscoped

    from .phase import apply_plan_phase

    with unscoped():
        apply_plan_phase(version.patient, f"v{version.number} approved", take_over=True, user=user)


def connect() -> None:
    from benzodetox.web.plans.signals import plan_approved

    plan_approved.connect(_after_plan_approved, dispatch_uid="patients-phase-from-plan")
