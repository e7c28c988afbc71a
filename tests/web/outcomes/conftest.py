"""Episodes written straight into the database for the outcomes tests (INSERTs only, with the
dates of the past), built from core plans so every page can read them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from benzodetox.interop.plan_json import plan_to_dict
from benzodetox.web.careplans.models import AftercareItem, AftercarePlan
from benzodetox.web.monitoring.models import Assessment
from benzodetox.web.outcomes.demo_history import _at, _dated, _intake, _template, _version
from benzodetox.web.patients.models import Intake, Patient
from benzodetox.web.plans.models import PlanApproval, PlanVersion
from benzodetox.web.programmes.scoping import unscoped


def add_episode(
    programme: Any,
    user: Any,
    reference: str,
    start: date,
    *,
    scores: tuple[tuple[int, int], ...] = (),
    contacts: tuple[tuple[int, bool], ...] = (),
    level: str = "1-WM",
    strategy: str = "ashton",
    born: int = 1970,
) -> tuple[Patient, date | None]:
    """A patient on an approved Ashton plan (diazepam 10 mg) starting ``start``; scores and
    aftercare contacts by day since the start / since the last dose. Returns (patient, last
    dose)."""
    from benzodetox.web.outcomes.demo_history import TEMPLATE_START, _shift

    plan = _template("diazepam", "10", strategy)
    shift = (start - TEMPLATE_START).days
    data = _shift(plan_to_dict(plan), shift)
    last = date.fromisoformat(data["last_dose"]) if data["last_dose"] else None
    with (
        unscoped(),
        _dated(
            (Intake, "created_at"),
            (PlanVersion, "created_at"),
            (PlanApproval, "approved_at"),
            (AftercarePlan, "created_at"),
        ),
    ):
        patient = Patient.objects.create(
            programme=programme, reference=reference, display_name="Z. Y.", year_of_birth=born
        )
        _intake(Intake, patient, level, start - timedelta(days=2)).save()
        version = _version(PlanVersion, patient, 1, start - timedelta(days=1), data, "", {}, user)
        version.save()
        PlanApproval(plan_version=version, approved_by=user, approved_at=version.created_at).save()
        for n, total in scores:
            Assessment(
                programme=programme,
                patient=patient,
                kind="ciwa-b",
                at=_at(start + timedelta(days=n)),
                total=total,
                entered_by=user,
            ).save()
        if contacts and last is not None:
            aftercare = AftercarePlan(
                patient=patient,
                plan_version=version,
                last_dose=last,
                end=last + timedelta(days=365),
                created_at=_at(last),
            )
            aftercare.save()
            for n, done in contacts:
                AftercareItem(
                    aftercare=aftercare,
                    on=last + timedelta(days=n),
                    kind="contact",
                    title="contact",
                    done=done,
                ).save()
    return patient, last
