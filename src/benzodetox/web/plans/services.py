"""Plan operations: preview (build without saving), save as a new version, approve.

Versions are never overwritten: a change is a new version with who made it and why, and a
prescriber's approval is its own row. The plan is stored as ``benzodetox.interop.plan_json``
JSON with the builder's parameters, so it is shown exactly as it was built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpRequest
from django_otp import match_token, user_has_device

from benzodetox.core.catalogue import catalogue
from benzodetox.core.equivalence import convert
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan, PlanRequest, Step
from benzodetox.core.regimen import Regimen
from benzodetox.core.tapering import alternatives, build_plan, departs, departures
from benzodetox.core.tapering.proposal import StrategyProposal, strategy_for_level
from benzodetox.core.units import format_count, format_mg
from benzodetox.interop.plan_json import plan_from_dict, plan_to_dict
from benzodetox.web.accounts.forms import TokenForm
from benzodetox.web.audit.services import record
from benzodetox.web.patients.choices import drug_name
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.services import acting_user, require

from .chart import dose_chart
from .models import PlanApproval, PlanPolicy, PlanSignature, PlanVersion
from .signals import plan_approved

__all__ = [
    "SUPPLY_TEXT",
    "AlternativeRow",
    "BuilderFacts",
    "Preview",
    "alternative_rows",
    "approve",
    "build_preview",
    "builder_facts",
    "confirm_identity",
    "departures",
    "get_version",
    "plan_of",
    "save_plan_version",
    "save_version",
    "step_rows",
    "two_person_approval",
]

#: What a dose of a drug the market sells no product of says instead of its takes (clinician
#: words; the patient handout and calendar say "from your current supply").
SUPPLY_TEXT = "from the patient's current supply (not dispensed)"


@dataclass(frozen=True)
class Preview:
    plan: Plan
    request: PlanRequest
    range_mg_per_day: tuple[Decimal, Decimal]
    conversion_warnings: tuple[str, ...]
    drug_ranges: tuple[tuple[str, Decimal, Decimal, bool], ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        """The plan's warnings and the conversion's, each once."""
        seen: dict[str, None] = {}
        for warning in (*self.conversion_warnings, *self.plan.warnings):
            seen.setdefault(warning, None)
        return tuple(seen)


def build_preview(request: PlanRequest) -> Preview:
    """Build the plan and the range of the starting dose across every table.

    Raises the core's InputError/PlanError (for the form to show on the field)."""
    conversion = convert(request.regimen, request.source, request.basis)
    plan = build_plan(request)
    return Preview(
        plan=plan,
        request=request,
        range_mg_per_day=conversion.range_mg_per_day,
        conversion_warnings=conversion.warnings,
        drug_ranges=tuple(
            (drug_name(c.drug), c.range_mg[0], c.range_mg[1], c.disagreement)
            for c in conversion.drugs
        ),
    )


def _take_text(take: Any) -> str:
    if take.ml is not None:
        return f"{take.ml.normalize():f} mL of {take.product}"
    if take.count is not None:
        count = take.count if isinstance(take.count, Fraction) else Fraction(take.count)
        return f"{format_count(count)} × {take.product}"
    return f"{format_mg(take.mg)} {take.product}"


def step_rows(plan: Plan) -> list[dict[str, Any]]:
    """The step table: doses with what makes them up (or "from the patient's current supply"),
    daily diazepam-eq, the range the strategy allowed the step to cut and the cut it really
    makes (in % and mg), the effective % of the starting dose, and whether the step departs."""
    baseline = plan.diazepam_eq_mg_per_day or Decimal(0)
    before = baseline
    rows = []
    for step in plan.steps:
        percent_of_start = (
            (Decimal(step.diazepam_eq_mg) * 100 / baseline).quantize(Decimal("0.1"))
            if baseline
            else None
        )
        cut_mg = before - step.diazepam_eq_mg
        before = step.diazepam_eq_mg
        rows.append(
            {
                "step": step,
                "doses": [
                    {
                        "time": d.time,
                        "drug": drug_name(d.drug),
                        "mg": d.mg,
                        "target": d.target_mg,
                        "rounded": d.target_mg != d.mg,
                        "takes": [_take_text(t) for t in d.takes],
                        "from_supply": d.from_supply,
                        "unconfirmed": any(not t.confirmed for t in d.takes),
                    }
                    for d in step.doses
                    if d.mg > 0 or d.target_mg > 0
                ],
                "percent_of_start": percent_of_start,
                "range": step.span,
                "cut_percent": step.reduction_percent if step.reduction_percent > 0 else None,
                "cut_mg": cut_mg if cut_mg > 0 else None,
                "departs": departs(step),
            }
        )
    return rows


@dataclass(frozen=True)
class AlternativeRow:
    """One of the core's alternatives as the builder offers it: what it changes (form labels
    and values, and ``apply``, the changes as the button posts them), its departures against
    the plan's, its steps and last dose."""

    key: str
    label: str
    changes: tuple[tuple[str, str], ...]  # (form field label, value shown)
    apply: str
    before: int
    after: int
    steps: int
    last_dose: date | None
    plan: Plan


def alternative_rows(plan: Plan, before: int | None = None) -> list[AlternativeRow]:
    """The core's alternatives to a plan that departs from its strategy (none, and no extra
    plan built, when it does not); ``before`` is the plan's departures when already counted."""
    if before is None:
        before = departures(plan)
    if before == 0:
        return []
    from .forms import describe_change, encode_changes

    return [
        AlternativeRow(
            key=alt.key,
            label=alt.label,
            changes=tuple(describe_change(name, value) for name, value in alt.changes),
            apply=encode_changes(alt.changes),
            before=before,
            after=alt.departures,
            steps=len(alt.plan.steps),
            last_dose=alt.plan.last_dose_date,
            plan=alt.plan,
        )
        for alt in alternatives(plan)
    ]


def chart_svg(plan: Plan) -> str:
    return dose_chart(plan)


def source_citation(key: str) -> str:
    source = catalogue().sources.get(key)
    return source.citation if source is not None else key


def plan_of(version: PlanVersion) -> Plan:
    return plan_from_dict(version.plan)


def get_version(patient: Patient, number: int) -> PlanVersion:
    try:
        return patient.plan_versions.select_related("created_by").get(number=number)
    except PlanVersion.DoesNotExist:
        raise Http404("no such plan version") from None


def save_version(
    request: HttpRequest,
    patient: Patient,
    plan_request: PlanRequest,
    parameters: dict[str, Any],
    reason: str,
    based_on: PlanVersion | None = None,
) -> PlanVersion:
    """Build the plan again from the parameters and store it as the next version."""
    require(request.user, "plan.draft", patient.programme_id)
    return save_plan_version(
        request, patient, build_plan(plan_request), parameters, reason, based_on
    )


def save_plan_version(
    request: HttpRequest,
    patient: Patient,
    plan: Plan,
    parameters: dict[str, Any],
    reason: str,
    based_on: PlanVersion | None = None,
) -> PlanVersion:
    """Store an already built plan (e.g. one the core's ``tapering.adjust`` made from the
    current version) as the patient's next version, with who and why."""
    require(request.user, "plan.draft", patient.programme_id)
    if not reason.strip():
        raise InputError("reason", reason, "a few words on why this version is made")
    for _attempt in range(3):
        try:
            with transaction.atomic():
                number = (patient.plan_versions.aggregate(n=Max("number"))["n"] or 0) + 1
                version = PlanVersion(
                    patient=patient,
                    number=number,
                    reason=reason.strip(),
                    created_by=acting_user(request),
                    parameters=parameters,
                    plan=plan_to_dict(plan),
                    source=plan.source,
                    strategy=plan.strategy,
                    start=plan.start,
                    end=plan.end,
                    diazepam_eq_mg=plan.diazepam_eq_mg_per_day,
                    based_on=based_on,
                )
                version.save()
                record(
                    request,
                    "plan.version_saved",
                    obj=version,
                    patient=patient,
                    summary=f"v{number} ({plan.strategy}, {plan.source}): {reason}"[:300],
                    detail={"number": number, "reason": reason, "parameters": parameters},
                )
                return version
        except IntegrityError:  # another clinician saved a version at the same moment
            continue
    raise InputError("reason", reason, "saving again: another version was saved at the same time")


def two_person_approval(programme_id: int) -> bool:
    """Whether the programme's plan policy asks for a second prescriber's approval."""
    return PlanPolicy.objects.filter(programme_id=programme_id, two_person_approval=True).exists()


def signatures_of(version: PlanVersion) -> list[PlanSignature]:
    return list(version.signatures.select_related("signed_by"))


@transaction.atomic
def approve(
    request: HttpRequest, version: PlanVersion, note: str = ""
) -> PlanApproval | PlanSignature:
    """A prescriber approves this version (once; a changed plan is a new version).

    Where the programme asks for two prescribers, the first approval is a first signature
    (returned as a PlanSignature) and the version is approved — its PlanApproval written and
    ``plan_approved`` sent, once — when a different prescriber approves it."""
    patient = version.patient
    user = acting_user(request)
    require(user, "plan.approve", patient.programme_id)
    # Concurrent approvals of the same version queue here (PostgreSQL; SQLite's write
    # transactions are already serialised).
    PlanVersion.objects.select_for_update().filter(pk=version.pk).exists()
    if PlanApproval.objects.filter(plan_version=version).exists():
        raise InputError("approval", f"v{version.number}", "a version not yet approved")
    if two_person_approval(patient.programme_id):
        signed = signatures_of(version)
        if any(s.signed_by_id == user.pk for s in signed):
            raise InputError(
                "approval",
                f"v{version.number}",
                "a second prescriber's approval: you signed this version first, and the "
                "programme asks for two different prescribers",
            )
        if not signed:
            signature = PlanSignature(plan_version=version, signed_by=user, note=note.strip())
            signature.save()
            record(
                request,
                "plan.signed_first",
                obj=version,
                patient=patient,
                summary=f"v{version.number} first signature; a second prescriber must approve"
                + (f": {note}" if note else ""),
            )
            return signature
    approval = PlanApproval(plan_version=version, approved_by=user, note=note.strip())
    approval.save()
    record(
        request,
        "plan.approved",
        obj=version,
        patient=patient,
        summary=f"v{version.number} approved" + (f": {note}" if note else ""),
    )
    plan_approved.send(sender=PlanVersion, version=version, user=user)
    return approval


def has_authenticator(user: Any) -> bool:
    """Whether the user enrolled an authenticator (then approvals ask for its code)."""
    return bool(user_has_device(user, confirmed=True))


def confirm_identity(request: HttpRequest, password: str, token: str) -> None:
    """Re-authentication before an approval: the one-time code of a user who enrolled an
    authenticator (django-otp's own check), else the user's password (through
    ``authenticate``, so the sign-in throttle counts a failure). A failure is audited and raised
    as an InputError on the field the user filled."""
    user = acting_user(request)
    if has_authenticator(user):
        form = TokenForm({"token": token})
        if form.is_valid() and match_token(user, form.cleaned_data["token"]) is not None:
            return
        record(request, "plan.reauth_failed", summary="approval: one-time code not valid")
        raise InputError(
            "token", "that code", "the current 6-digit code from your authenticator app"
        )
    if password and (
        authenticate(request, username=user.get_username(), password=password) is not None
    ):
        return
    record(request, "plan.reauth_failed", summary="approval: password not accepted")
    raise InputError("password", "the password typed", "your own sign-in password")


def plan_policy(programme_id: int) -> PlanPolicy | None:
    return PlanPolicy.objects.filter(programme_id=programme_id).first()


@transaction.atomic
def save_plan_policy(
    request: HttpRequest, programme_id: int, two_person: bool, action: str
) -> PlanPolicy:
    """Set the programme's plan policy (programme admins; audited, with history)."""
    require(request.user, action, programme_id)
    policy = plan_policy(programme_id) or PlanPolicy(programme_id=programme_id)
    before = policy.two_person_approval if policy.pk else False
    policy.two_person_approval = two_person
    policy.updated_by = acting_user(request)
    policy.save()
    record(
        request,
        "plan.policy_saved",
        obj=policy,
        programme=programme_id,
        summary=f"two-person approval {'on' if two_person else 'off'}"
        + (" (unchanged)" if before == two_person else ""),
    )
    return policy


@dataclass(frozen=True)
class BuilderFacts:
    """What the builder opens with: the regimen, the latest intake's risk and level of care,
    and the strategy the core proposes for that level, with why."""

    regimen: Regimen | None
    doses: tuple[tuple[str, str, str], ...]  # (drug name, "10 mg", "08:00")
    daily_eq: Decimal | None
    table: str
    risk: str
    risk_text: str
    level: str  # the level the plan is proposed for: the clinician's decision, else recommended
    recommended: str
    level_text: str
    decided: bool
    proposal: StrategyProposal


def builder_facts(patient: Patient) -> BuilderFacts:
    from benzodetox.web.patients.services import latest_intake

    regimen = current_regimen(patient)
    intake = latest_intake(patient)
    level = ""
    if intake is not None:
        level = intake.decided_level or intake.level_of_care
    proposal = strategy_for_level(level or None)
    return BuilderFacts(
        regimen=regimen,
        doses=tuple(
            (drug_name(d.drug), format_mg(d.mg), d.time.strftime("%H:%M"))
            for d in (regimen.doses if regimen is not None else ())
        ),
        daily_eq=intake.diazepam_eq_mg if intake is not None else None,
        table=intake.equivalence_table if intake is not None else "",
        risk=intake.risk if intake is not None else "",
        risk_text=intake.risk_text if intake is not None else "",
        level=level,
        recommended=intake.level_of_care if intake is not None else "",
        level_text=intake.level_of_care_text if intake is not None else "",
        decided=bool(intake is not None and intake.decision),
        proposal=proposal,
    )


def current_regimen(patient: Patient) -> Regimen | None:
    from benzodetox.web.patients.services import regimen_of

    return regimen_of(patient)


def previous_parameters(patient: Patient) -> tuple[PlanVersion | None, dict[str, Any] | None]:
    latest = patient.plan_versions.order_by("-number").first()
    return latest, (latest.parameters if latest is not None else None)


def is_reduction(step: Step) -> bool:
    return step.kind == "reduction"
