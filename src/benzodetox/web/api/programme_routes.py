"""Programme resources: patients, regimen, intake and its assessment, plan versions,
assessments and alerts — of the token's programme only (another programme's ids are 404).

Reads need ``read`` (or a staff session); creating a plan draft, recording an assessment and
acknowledging an alert need ``write``; approving a plan needs ``approve``. The token's user's
role still decides (the web's permission table): a nurse's token with ``approve`` cannot approve.
Handlers are thin: the web app's services do the work, the audit and the permission checks.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from benzodetox.core.errors import InputError
from benzodetox.interop.plan_json import request_from_dict
from benzodetox.web.monitoring import alerts as alert_services
from benzodetox.web.monitoring import services as monitoring
from benzodetox.web.monitoring.models import Alert, Assessment
from benzodetox.web.patients import services as patients
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans import services as plans
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.services import require

from .access import audit, auth_for, programme_scope
from .core_routes import plan_request_data
from .schemas import DECIMAL, ErrorOut, PlanIn

__all__ = ["router"]

router = Router(tags=["programme"])
READ = auth_for("read")
WRITE = auth_for("write", session=False)
APPROVE = auth_for("approve", session=False)
ERRORS: dict[int, Any] = {
    401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut
}


# --- schemas --------------------------------------------------------------------------------


class Page(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class RegimenDoseOut(Schema):
    drug: str
    mg: str = Field(pattern=DECIMAL)
    time: str


class PatientOut(Schema):
    id: int
    programme: str
    reference: str
    display_name: str
    year_of_birth: int
    phase: str
    phase_since: str
    daily_eq_mg: str | None
    next_change_on: str | None
    open_alerts: int


class PatientDetailOut(PatientOut):
    regimen: list[RegimenDoseOut]


class IntakeOut(Schema):
    id: int
    created_at: datetime
    duration_months: str
    days_per_week: int
    equivalence_table: str
    basis: str
    substances: list[str]
    conditions: list[str]
    risk: str
    risk_text: str
    level_of_care: str
    level_of_care_text: str
    diazepam_eq_mg: str | None
    decision: str
    chosen_level: str
    assessed_at: datetime | None
    assessment: dict[str, Any]


class VersionOut(Schema):
    number: int
    reason: str
    created_at: datetime
    created_by: str
    strategy: str
    source: str
    start: str
    end: str
    diazepam_eq_mg: str
    based_on: int | None
    approved: bool
    approved_by: str | None
    approved_at: datetime | None


class VersionDetailOut(VersionOut):
    plan: dict[str, Any]


class DraftIn(Schema):
    plan: PlanIn
    reason: str = Field(min_length=1, max_length=500)


class ApproveIn(Schema):
    note: str = Field("", max_length=300)


class ApprovalOut(Schema):
    number: int
    approved: bool
    signatures: int


class AssessmentIn(Schema):
    kind: str = Field(description="ciwa-b, bwsq, phq-9, gad-7, vitals or event")
    at: datetime | None = Field(None, description="when observed; now if omitted")
    answers: list[int] = Field(default_factory=list, max_length=40)
    vitals: dict[str, str] = Field(default_factory=dict, description="sign → reading")
    event: str = ""
    sleep_disturbance: bool = False
    judgement: str = ""
    notes: str = Field("", max_length=2000)


class AssessmentOut(Schema):
    id: int
    kind: str
    rater: str
    at: datetime
    answers: list[Any]
    total: int | None
    band: str
    band_confirmed: bool | None
    flags: list[Any]
    vitals: dict[str, str]
    event: str
    findings: list[Any]
    version: int
    superseded: bool


class AlertRecordOut(Schema):
    id: int
    patient: int
    kind: str
    severity: str
    title: str
    detail: dict[str, Any]
    created_at: datetime
    acknowledged_at: datetime | None
    closed: bool


class AcknowledgeIn(Schema):
    note: str = Field("", max_length=300)


class AlertFilter(Schema):
    open: bool | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


# --- converters -----------------------------------------------------------------------------


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _patient_out(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.pk,
        "programme": patient.programme.name,
        "reference": patient.reference,
        "display_name": patient.display_name,
        "year_of_birth": patient.year_of_birth,
        "phase": patient.phase,
        "phase_since": patient.phase_since.isoformat(),
        "daily_eq_mg": _dec(patient.daily_eq_mg),
        "next_change_on": patient.next_change_on and patient.next_change_on.isoformat(),
        "open_alerts": patient.open_alerts,
    }


def _version_out(version: PlanVersion, detail: bool = False) -> dict[str, Any]:
    approval = getattr(version, "approval", None)
    data = {
        "number": version.number,
        "reason": version.reason,
        "created_at": version.created_at,
        "created_by": version.created_by.get_username() if version.created_by else "",
        "strategy": version.strategy,
        "source": version.source,
        "start": version.start.isoformat(),
        "end": version.end.isoformat(),
        "diazepam_eq_mg": _dec(version.diazepam_eq_mg),
        "based_on": version.based_on.number if version.based_on is not None else None,
        "approved": approval is not None,
        "approved_by": approval.approved_by.get_username() if approval else None,
        "approved_at": approval.approved_at if approval else None,
    }
    if detail:
        data["plan"] = version.plan
    return data


_VITALS = ("pulse", "sbp", "dbp", "temperature", "respiratory_rate", "spo2")


def _assessment_out(row: Assessment) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "rater": row.rater,
        "at": row.at,
        "answers": list(row.answers or []),
        "total": row.total,
        "band": row.band,
        "band_confirmed": row.band_confirmed,
        "flags": list(row.flags or []),
        "vitals": {k: _dec(getattr(row, k)) for k in _VITALS if getattr(row, k) is not None},
        "event": row.event,
        "findings": list(row.findings or []),
        "version": row.version,
        "superseded": getattr(row, "superseded_by", None) is not None,
    }


def _alert_out(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "patient": alert.patient_id,
        "kind": alert.kind,
        "severity": alert.severity,
        "title": alert.title,
        "detail": alert.detail or {},
        "created_at": alert.created_at,
        "acknowledged_at": alert.acknowledged_at,
        "closed": bool(getattr(alert, "closed_reason", "")),
    }


def _version(patient: Patient, number: int) -> PlanVersion:
    version = (
        patient.plan_versions.select_related("created_by", "based_on", "approval__approved_by")
        .filter(number=number)
        .first()
    )
    if version is None:
        raise Http404("no such plan version")
    return version


# --- patients -------------------------------------------------------------------------------


@router.get("/patients", auth=READ, response={200: list[PatientOut], **ERRORS})
def list_patients(request: HttpRequest, page: Query[Page]) -> Any:
    """The patients of the token's programme (a session: of the user's programmes)."""
    with programme_scope(request):
        rows: QuerySet[Patient] = Patient.objects.select_related("programme").order_by("pk")
        found = [p for p in rows[page.offset : page.offset + page.limit]]
        found = [p for p in found if _may(request, "patient.view", p.programme_id)]
        audit(request, "api.patients.list", f"list {len(found)} patients")
        return [_patient_out(p) for p in found]


def _may(request: HttpRequest, action: str, programme_id: int) -> bool:
    try:
        require(request.user, action, programme_id)
    except Exception:
        return False
    return True


@router.get("/patients/{patient_id}", auth=READ, response={200: PatientDetailOut, **ERRORS})
def read_patient(request: HttpRequest, patient_id: int) -> Any:
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id)
        regimen = patients.regimen_of(patient)
        audit(request, "api.patient.view", "view patient", obj=patient, patient=patient)
        doses = regimen.doses if regimen is not None else ()
        return {
            **_patient_out(patient),
            "regimen": [
                {"drug": d.drug, "mg": _dec(d.mg), "time": d.time.strftime("%H:%M")}
                for d in doses
            ],
        }


@router.get(
    "/patients/{patient_id}/regimen", auth=READ, response={200: list[RegimenDoseOut], **ERRORS}
)
def read_regimen(request: HttpRequest, patient_id: int) -> Any:
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id)
        regimen = patients.regimen_of(patient)
        audit(request, "api.regimen.view", "view regimen", patient=patient)
        doses = regimen.doses if regimen is not None else ()
        return [
            {"drug": d.drug, "mg": _dec(d.mg), "time": d.time.strftime("%H:%M")} for d in doses
        ]


@router.get("/patients/{patient_id}/intake", auth=READ, response={200: IntakeOut, **ERRORS})
def read_intake(request: HttpRequest, patient_id: int) -> Any:
    """The latest intake and the assessment stored with it (risk, level of care, reasons)."""
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id)
        intake = patients.latest_intake(patient)
        if intake is None:
            raise Http404("no intake recorded")
        audit(request, "api.intake.view", "view intake", obj=intake, patient=patient)
        return {
            "id": intake.pk,
            "created_at": intake.created_at,
            "duration_months": _dec(intake.duration_months),
            "days_per_week": intake.days_per_week,
            "equivalence_table": intake.equivalence_table,
            "basis": intake.basis or "",
            "substances": list(intake.substances or []),
            "conditions": list(intake.conditions or []),
            "risk": intake.risk,
            "risk_text": intake.risk_text,
            "level_of_care": intake.level_of_care,
            "level_of_care_text": intake.level_of_care_text,
            "diazepam_eq_mg": _dec(intake.diazepam_eq_mg),
            "decision": intake.decision,
            "chosen_level": intake.chosen_level,
            "assessed_at": intake.assessed_at,
            "assessment": intake.assessment or {},
        }


# --- plan versions --------------------------------------------------------------------------


@router.get("/patients/{patient_id}/plans", auth=READ, response={200: list[VersionOut], **ERRORS})
def list_versions(request: HttpRequest, patient_id: int) -> Any:
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id, "plan.view")
        versions = patient.plan_versions.select_related(
            "created_by", "based_on", "approval__approved_by"
        ).order_by("number")
        audit(request, "api.plans.list", "list plan versions", patient=patient)
        return [_version_out(v) for v in versions]


@router.get(
    "/patients/{patient_id}/plans/{number}",
    auth=READ,
    response={200: VersionDetailOut, **ERRORS},
)
def read_version(request: HttpRequest, patient_id: int, number: int) -> Any:
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id, "plan.view")
        version = _version(patient, number)
        audit(request, "api.plan.view", f"view plan v{number}", obj=version, patient=patient)
        return _version_out(version, detail=True)


@router.post(
    "/patients/{patient_id}/plans", auth=WRITE, response={201: VersionDetailOut, **ERRORS}
)
def create_draft(request: HttpRequest, patient_id: int, body: DraftIn) -> Any:
    """Save a new plan version (a draft until a prescriber approves it)."""
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id, "plan.draft")
        data, _ = plan_request_data(body.plan)
        current = patient.plan_versions.order_by("-number").first()
        version = plans.save_version(
            request, patient, request_from_dict(data), data, body.reason, based_on=current
        )
        audit(request, "api.plan.draft", f"draft plan v{version.number}", obj=version,
              patient=patient)
        return Status(201, _version_out(_version(patient, version.number), detail=True))


@router.post(
    "/patients/{patient_id}/plans/{number}/approve",
    auth=APPROVE,
    response={200: ApprovalOut, **ERRORS},
)
def approve_version(request: HttpRequest, patient_id: int, number: int, body: ApproveIn) -> Any:
    """A prescriber's token approves the version (the programme may ask for two)."""
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id, "plan.view")
        require(request.user, "plan.approve", patient.programme_id)
        version = _version(patient, number)
        plans.approve(request, version, body.note)
        audit(request, "api.plan.approve", f"approve plan v{number}", obj=version,
              patient=patient)
        version = _version(patient, number)
        return {
            "number": number,
            "approved": getattr(version, "approval", None) is not None,
            "signatures": len(plans.signatures_of(version)),
        }


# --- assessments and alerts -----------------------------------------------------------------


@router.get(
    "/patients/{patient_id}/assessments",
    auth=READ,
    response={200: list[AssessmentOut], **ERRORS},
)
def list_assessments(request: HttpRequest, patient_id: int, page: Query[Page]) -> Any:
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id, "monitoring.view")
        rows = Assessment.objects.filter(patient=patient).select_related("superseded_by")
        rows = rows.order_by("-at", "-pk")[page.offset : page.offset + page.limit]
        audit(request, "api.assessments.list", "list assessments", patient=patient)
        return [_assessment_out(r) for r in rows]


@router.post(
    "/patients/{patient_id}/assessments",
    auth=WRITE,
    response={201: AssessmentOut, **ERRORS},
)
def record_assessment(request: HttpRequest, patient_id: int, body: AssessmentIn) -> Any:
    """Score and store an assessment as the quick-entry screen does (alerts raised)."""
    with programme_scope(request):
        patient = patients.get_patient(request, patient_id, "monitoring.view")
        entry = monitoring.Entry(
            kind=_kind(body.kind),
            at=body.at or timezone.now(),
            answers=tuple(body.answers),
            vitals={k: _reading(k, v) for k, v in body.vitals.items()},
            event=body.event,
            sleep_disturbance=body.sleep_disturbance,
            judgement=body.judgement,
            notes=body.notes,
        )
        row = monitoring.record_assessment(request, patient, entry)
        audit(request, "api.assessment.record", f"record {row.kind}", obj=row, patient=patient)
        return Status(201, _assessment_out(row))


def _kind(kind: str) -> str:
    from benzodetox.web.monitoring.models import Kind

    if kind not in Kind.values:
        raise InputError("kind", kind, ", ".join(Kind.values))
    return kind


def _reading(sign: str, value: str) -> Decimal:
    if sign not in _VITALS:
        raise InputError(f"vitals.{sign}", sign, ", ".join(_VITALS))
    try:
        reading = Decimal(value)
    except ArithmeticError:
        raise InputError(f"vitals.{sign}", value, "a number") from None
    if not reading.is_finite() or not Decimal(0) <= reading < Decimal(1000):
        raise InputError(f"vitals.{sign}", value, "a reading from 0 to 999")
    return reading


@router.get("/alerts", auth=READ, response={200: list[AlertRecordOut], **ERRORS})
def list_alerts(request: HttpRequest, filters: Query[AlertFilter]) -> Any:
    """The programme's alerts, newest first; ``open=true`` for those not acknowledged."""
    with programme_scope(request):
        rows = Alert.objects.order_by("-created_at", "-pk")
        if filters.open is not None:
            rows = rows.filter(acknowledged_at__isnull=filters.open)
        found = [
            a
            for a in rows[filters.offset : filters.offset + filters.limit]
            if _may(request, "monitoring.view", a.programme_id)
        ]
        audit(request, "api.alerts.list", f"list {len(found)} alerts")
        return [_alert_out(a) for a in found]


@router.post("/alerts/{alert_id}/acknowledge", auth=WRITE, response={200: AlertRecordOut, **ERRORS})
def acknowledge_alert(request: HttpRequest, alert_id: int, body: AcknowledgeIn) -> Any:
    with programme_scope(request):
        alert = Alert.objects.select_related("patient").filter(pk=alert_id).first()
        if alert is None:
            raise Http404("no such alert")
        alert_services.acknowledge(request, alert, body.note)
        alert.refresh_from_db()
        audit(request, "api.alert.acknowledge", alert.title, obj=alert, patient=alert.patient)
        return _alert_out(alert)
