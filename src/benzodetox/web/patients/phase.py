"""The patient's phase of care from the plan in force, and the figures the patient list shows.

Who wins, the plan or a clinician:

- Approving a plan hands the phase to the plan (``phase_set_by = plan``): the phase is what
  the plan's dates say today (``core.phase``), and the periodic job moves it on as the days
  pass (the day a plan starts, crossover → tapering, the stop day → aftercare).
- A clinician's change of phase (``services.change_phase``) to something the plan does not say
  today — discontinued, a hold the plan has no step for, completed — pins it: the job leaves it
  alone until the next approval, or until a clinician chooses "As the approved plan says".
  A clinician's change that agrees with the plan leaves the plan in charge.
- Before the plan's first day the plan says nothing: the phase stays as it is.

Every change the plan makes is a save of the patient (history, reason "plan vN …") and an audit
event ``patient.phase_changed`` with no user (a system change) naming the plan version.

The list's figures (daily diazepam-eq today, the next dose change, the drugs taken now) and the
day something next changes (``refresh_on``) are written with ``update()``: they are derived,
not history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from benzodetox.core.phase import next_change, phase_on
from benzodetox.core.plan import Plan
from benzodetox.web.audit.services import record
from benzodetox.web.programmes.scoping import unscoped

from .choices import PhaseSetBy
from .models import Patient

__all__ = [
    "AdvanceResult",
    "PlanPhase",
    "advance_due",
    "apply_plan_phase",
    "plan_in_force",
    "plan_phase_today",
    "refresh_figures",
]


@dataclass(frozen=True)
class PlanPhase:
    """What the plan in force says about the patient on a day."""

    number: int
    phase: str | None  # None before the plan's first day
    since: date | None


def plan_in_force(patient: Patient) -> tuple[Any, Plan | None]:
    """The newest approved plan version and its plan (None, None without one)."""
    from benzodetox.interop.plan_json import plan_from_dict

    version = (
        patient.plan_versions.filter(approval__isnull=False)
        .order_by("-number")
        .first()
    )
    if version is None:
        return None, None
    return version, plan_from_dict(version.plan)


def plan_phase_today(patient: Patient, today: date | None = None) -> PlanPhase | None:
    version, plan = plan_in_force(patient)
    if plan is None:
        return None
    found = phase_on(plan.steps, today or timezone.localdate())
    return PlanPhase(version.number, found.phase if found else None, found.since if found else None)


def _drugs_now(patient: Patient, plan: Plan | None, today: date) -> str:
    if plan is not None and plan.steps and today >= plan.steps[0].start:
        step = plan.step_on(today)
        drugs = step.drugs if step is not None else ()
        if step is None and today > plan.end and plan.last_dose_date == plan.end:
            drugs = plan.steps[-1].drugs  # a plan that ends still dosing
    else:
        drugs = tuple(sorted({d.drug for d in patient.regimen_doses.all()}))
    return f" {' '.join(drugs)} " if drugs else ""


def _regimen_eq(patient: Patient) -> Decimal | None:
    intake = patient.intakes.order_by("-created_at", "-id").first()
    return intake.diazepam_eq_mg if intake is not None else None


def refresh_figures(patient: Patient, plan: Plan | None = None, today: date | None = None) -> None:
    """Write the list's figures for ``patient`` from the plan in force (or, before a plan, from
    the intake's daily diazepam-eq of the regimen) and the day they next change."""
    today = today or timezone.localdate()
    if plan is None:
        _, plan = plan_in_force(patient)
    eq: Decimal | None
    refresh_on: date | None = None
    if plan is not None and plan.steps:
        started = today >= plan.steps[0].start
        step = plan.step_on(today)
        eq = step.diazepam_eq_mg if step is not None else None
        if started and step is None:
            eq = plan.steps[-1].diazepam_eq_mg
        if not started:
            eq = _regimen_eq(patient)
        change = next_change(plan.steps, today)
        following = [s.start for s in plan.steps if s.start > today]
        refresh_on = following[0] if following else None  # after that, nothing changes
    else:
        eq, change = _regimen_eq(patient), None
    Patient.objects.filter(pk=patient.pk).update(
        daily_eq_mg=eq,
        next_change_on=change.on if change else None,
        next_change_mg=change.to_mg if change else None,
        drugs=_drugs_now(patient, plan, today),
        refresh_on=refresh_on,
    )


def apply_plan_phase(
    patient: Patient,
    reason: str,
    *,
    take_over: bool = False,
    user: Any = None,
    today: date | None = None,
) -> bool:
    """Set the phase the plan in force gives today (if the plan is in charge, or ``take_over``
    hands it to the plan, as an approval does), refresh the list's figures; True when the
    phase changed."""
    today = today or timezone.localdate()
    version, plan = plan_in_force(patient)
    changed = False
    with transaction.atomic():
        if take_over and patient.phase_set_by != PhaseSetBy.PLAN:
            patient.phase_set_by = PhaseSetBy.PLAN
            patient._change_reason = f"plan v{version.number}: {reason}"  # type: ignore[attr-defined]
            patient.save(update_fields=["phase_set_by"])
        found = phase_on(plan.steps, today) if plan is not None else None
        if (
            found is not None
            and patient.phase_set_by == PhaseSetBy.PLAN
            and (found.phase != patient.phase)
        ):
            before = patient.phase
            patient.phase = found.phase
            patient.phase_since = found.since
            why = f"plan v{version.number}: {reason}"
            patient._change_reason = why  # type: ignore[attr-defined]
            patient.save(update_fields=["phase", "phase_since"])
            record(
                None,
                "patient.phase_changed",
                obj=patient,
                patient=patient,
                summary=f"{before} → {found.phase}: {why}"[:300],
                detail={
                    "from": before,
                    "to": found.phase,
                    "reason": why,
                    "by": "system",
                    "plan_version": version.number,
                    "approved_by": user.get_username() if user is not None else "",
                },
            )
            changed = True
        refresh_figures(patient, plan, today)
    return changed


@dataclass
class AdvanceResult:
    looked_at: int = 0
    changed: int = 0

    def __str__(self) -> str:
        return f"looked at {self.looked_at} patients, moved the phase of {self.changed}"


def advance_due(today: date | None = None, batch: int = 500) -> AdvanceResult:
    """The periodic job: every patient whose plan changes something on or before ``today``
    (``refresh_on``) gets the plan's phase (unless a clinician pinned it) and fresh figures.
    Idempotent, so two servers running it at once do no harm beyond repeating the work (the
    scheduler's lease prevents even that)."""
    today = today or timezone.localdate()
    result = AdvanceResult()
    with unscoped():
        after = 0
        while True:
            due = list(
                Patient.objects.filter(refresh_on__lte=today, pk__gt=after).order_by("pk")[:batch]
            )
            if not due:
                return result
            for patient in due:
                after = patient.pk
                result.looked_at += 1
                if apply_plan_phase(patient, "the plan's dates", today=today):
                    result.changed += 1
