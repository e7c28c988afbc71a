"""The core's taper advice for a patient: the recorded assessments as the core's observations,
the advice for the plan in force, a record of the advice as it was given, and applying the
advice as the next plan version (with its reasons in the audit log and the plan history).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.core.assessment import Advice, Observation, VitalSigns, advise, propose, score
from benzodetox.core.assessment.advice import Adjustment
from benzodetox.core.assessment.instruments import Score
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans import services as plans
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.services import acting_user, require

from .alerts import facts_of
from .clock import local_naive
from .models import INSTRUMENT_KINDS, AdviceRecord, Assessment, Judgement, Rater
from .policy import Policy
from .programme_settings import policy_for
from .state import current_plan

__all__ = [
    "advice_key",
    "advice_now",
    "apply_advice",
    "keep_advice",
    "observation_of",
    "observations",
    "score_of",
]


# ----------------------------------------------------------------------------- observations


def _judgement(value: str) -> tuple[bool | None, bool | None]:
    """(significant, severe) from the clinician's judgement; (None, None): by the score."""
    judged: dict[str, tuple[bool | None, bool | None]] = {
        Judgement.NOT_SIGNIFICANT: (False, False),
        Judgement.SIGNIFICANT: (True, False),
        Judgement.SEVERE: (True, True),
    }
    return judged.get(value, (None, None))


def _vitals_of(row: Assessment) -> VitalSigns | None:
    values = {
        sign: getattr(row, sign)
        for sign in ("pulse", "sbp", "dbp", "temperature", "respiratory_rate", "spo2")
        if getattr(row, sign) is not None
    }
    return VitalSigns(**values) if values else None


def score_of(row: Assessment, policy: Policy) -> Score | None:
    if row.kind not in INSTRUMENT_KINDS:
        return None
    return score(row.kind, row.answers, bands=policy.bands if row.kind == "ciwa-b" else None)


def observation_of(row: Assessment, policy: Policy) -> Observation:
    significant, severe = _judgement(row.judgement)
    scored = score_of(row, policy)
    return Observation(
        at=local_naive(row.at),
        scores=(scored,) if scored is not None else (),
        events=(row.event,) if row.event else (),
        sleep_disturbance=row.sleep_disturbance,
        significant=significant,
        severe=severe,
        vitals=_vitals_of(row),
    )


def observations(patient: Patient, policy: Policy) -> list[Observation]:
    """The current clinician-rated assessments as the core's observations (self-reports
    never enter the advice: they raise their own alerts)."""
    rows = Assessment.objects.filter(
        patient=patient, superseded_by__isnull=True, rater=Rater.CLINICIAN
    )
    return [observation_of(r, policy) for r in rows]


# ----------------------------------------------------------------------------- advice


def advice_now(
    patient: Patient,
    policy: Policy,
    plan: Plan | None,
    on: date | None = None,
    rows: Iterable[Assessment] | None = None,
) -> Advice | None:
    """The core's advice for the plan in force today, from every current assessment."""
    if plan is None:
        return None
    found = (
        [observation_of(r, policy) for r in rows]
        if rows is not None
        else observations(patient, policy)
    )
    return advise(
        plan,
        found,
        on or timezone.localdate(),
        policy=policy.advice,
        thresholds=policy.vitals,
        facts=facts_of(patient),
        recheck=policy.schedule.escalation,
    )


def advice_key(advice: Advice) -> str:
    a = advice.adjustment
    return f"{advice.action}:{a.kind}:{a.on.isoformat()}:{a.days}:{a.percent}"


def keep_advice(
    request: HttpRequest,
    patient: Patient,
    advice: Advice,
    version: PlanVersion | None,
    assessment: Assessment | None = None,
    applied: PlanVersion | None = None,
) -> AdviceRecord:
    """Write the advice as it was given (after ``assessment``, or applied as ``applied``)."""
    row = AdviceRecord(
        programme_id=patient.programme_id,
        patient=patient,
        on=advice.on,
        action=advice.action,
        advice=advice.as_dict(),
        plan_version=version,
        assessment=assessment,
        applied_version=applied,
        by=acting_user(request),
    )
    row.save()
    return row


def plan_in_force_as_read(
    patient: Patient, expected_latest: int, what: str
) -> tuple[PlanVersion, Plan]:
    """The version in force and its plan, refused when none is approved or when a newer version
    was saved since the page was read (``what`` names what to review again)."""
    version, plan = current_plan(patient)
    latest = patient.plan_versions.order_by("-number").first()
    if version is None or plan is None or latest is None:
        raise InputError("plan", "none approved", "an approved plan to adjust")
    if latest.number != expected_latest:
        raise InputError(
            "plan",
            f"v{latest.number}",
            f"v{expected_latest} (a newer version was saved: review {what} again)",
        )
    return version, plan


def save_adjusted_version(
    request: HttpRequest,
    patient: Patient,
    version: PlanVersion,
    plan: Plan,
    adjustment: Adjustment,
    reason: str,
) -> PlanVersion:
    """The plan the core proposes for ``adjustment`` (hold, slow …), saved as the version after
    ``version`` with the adjustment in its parameters; it awaits approval the normal way."""
    proposed = propose(plan, adjustment)
    parameters = {
        **version.parameters,
        "adjusted_from": version.number,
        "adjustment": adjustment.as_dict(),
    }
    return plans.save_plan_version(request, patient, proposed, parameters, reason, version)


def apply_advice(
    request: HttpRequest,
    patient: Patient,
    expected_latest: int,
    expected_key: str,
    approve: bool = False,
) -> PlanVersion:
    """Make the plan the advice proposes the next plan version (based on the version in
    force), with the advice and its reasons in the audit log and the plan history. A
    prescriber may approve it in the same step; otherwise it awaits a prescriber."""
    require(request.user, "advice.apply", patient.programme_id)
    if approve:
        require(request.user, "plan.approve", patient.programme_id)
    policy = policy_for(patient.programme_id)
    with transaction.atomic():
        version, plan = plan_in_force_as_read(patient, expected_latest, "the advice")
        advice = advice_now(patient, policy, plan)
        if advice is None or advice_key(advice) != expected_key:
            raise InputError("advice", expected_key, "the advice as it stands now (it changed)")
        if advice.adjustment.kind == "none":
            raise InputError("advice", advice.action, "advice that proposes a change")
        reason = f"monitoring advice '{advice.action}': {advice.adjustment.reason}"
        new = save_adjusted_version(request, patient, version, plan, advice.adjustment, reason)
        keep_advice(request, patient, advice, version, applied=new)
        record(
            request,
            "advice.applied",
            obj=new,
            patient=patient,
            summary=f"v{version.number} → v{new.number}: {reason}"[:300],
            detail={"advice": advice.as_dict(), "from": version.number, "to": new.number},
        )
        if approve:
            plans.approve(request, new, "approved with the monitoring advice")
    return new
