"""Recording a return to use after the taper (``ReturnToUseReport``): what may be recorded,
the current reports of a patient, corrections and withdrawals. Every record is audited; the
programme outcomes read the current reports (``outcomes.query``) as the core's self-report or
clinician record of a return to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Min, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.services import acting_user, require

from .return_model import REPORTERS, ReturnToUseReport

__all__ = [
    "OTHER",
    "DateRange",
    "current_reports",
    "date_range",
    "record_return",
    "substance_choices",
    "substance_name",
    "withdraw_return",
]

OTHER = "other"


def substance_choices() -> list[tuple[str, str]]:
    """The catalogue's drugs by name, then "other" (named in the note)."""
    drugs = catalogue().drugs
    named = sorted(((key, d.name) for key, d in drugs.items()), key=lambda kv: kv[1].lower())
    return [*named, (OTHER, "Other (name it in the note)")]


def substance_name(key: str) -> str:
    drug = catalogue().drugs.get(key)
    return drug.name if drug is not None else ("other" if key == OTHER else key)


@dataclass(frozen=True)
class DateRange:
    """The days a return to use may be recorded on: from the first plan's start to today."""

    first: date
    last: date

    @property
    def allowed(self) -> str:
        if self.first > self.last:
            return f"no date yet: the first plan starts on {self.first.isoformat()}"
        return f"a date from {self.first.isoformat()} (the first plan's start) to today"


def date_range(patient: Patient, today: date | None = None) -> DateRange | None:
    """None while the patient has no plan (there is no taper to return from)."""
    first = PlanVersion.objects.filter(patient=patient).aggregate(m=Min("start"))["m"]
    if first is None:
        return None
    return DateRange(first, today or timezone.localdate())


def current_reports(patient: Patient) -> QuerySet[ReturnToUseReport]:
    """Reports nobody corrected or withdrew (withdrawals themselves are not reports)."""
    reports: QuerySet[ReturnToUseReport] = ReturnToUseReport.objects.filter(
        patient=patient, superseded_by__isnull=True, withdrawn=False
    ).select_related("recorded_by", "supersedes")
    return reports


def _check_date(patient: Patient, on: date) -> None:
    span = date_range(patient)
    if span is None:
        raise InputError(
            "on", on.isoformat(), "a date after a taper plan starts", hint="the patient has none"
        )
    if not span.first <= on <= span.last:
        raise InputError("on", on.isoformat(), span.allowed)


def _current_one(patient: Patient, report_id: int, field: str) -> ReturnToUseReport:
    found = current_reports(patient).filter(pk=report_id).first()
    if found is None:
        raise InputError(field, report_id, "one of this patient's current reports")
    return found


def _save(row: ReturnToUseReport, field: str) -> None:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # two people corrected the same report at once
        raise InputError(
            field, row.supersedes_id, "a report not already corrected or withdrawn"
        ) from None


def record_return(
    request: HttpRequest,
    patient: Patient,
    *,
    on: date,
    reported_by: str,
    substance: str,
    note: str = "",
    corrects: int | None = None,
) -> ReturnToUseReport:
    """Record a return to use (``corrects``: the id of a current report this one replaces)."""
    require(request.user, "aftercare.edit", patient.programme_id)
    if reported_by not in dict(REPORTERS):
        raise InputError("reported_by", reported_by, ", ".join(dict(REPORTERS)))
    if substance not in dict(substance_choices()):
        raise InputError("substance", substance, "a drug of the catalogue or other")
    note = note.strip()
    if substance == OTHER and not note:
        raise InputError("note", "", "the substance named in the note when it is other")
    _check_date(patient, on)
    replaced = _current_one(patient, corrects, "corrects") if corrects is not None else None
    row = ReturnToUseReport(
        patient=patient,
        on=on,
        reported_by=reported_by,
        substance=substance,
        note=note,
        supersedes=replaced,
        recorded_by=acting_user(request),
    )
    _save(row, "corrects")
    summary = f"{substance_name(substance)} on {on.isoformat()}, {row.get_reported_by_display()}"
    if replaced is not None:
        summary += f" (corrects the report of {replaced.on.isoformat()})"
    record(
        request,
        "careplan.return_to_use_recorded",
        obj=row,
        patient=patient,
        summary=summary[:300],
        detail={
            "on": on.isoformat(),
            "reported_by": reported_by,
            "substance": substance,
            "corrects": replaced.pk if replaced is not None else None,
        },
    )
    return row


def withdraw_return(
    request: HttpRequest, patient: Patient, report_id: int, reason: str
) -> ReturnToUseReport:
    """Withdraw a report made in error: a new record, with its reason, that supersedes it."""
    require(request.user, "aftercare.edit", patient.programme_id)
    reason = reason.strip()
    if not reason:
        raise InputError("reason", "", "a few words on why the report was wrong")
    report = _current_one(patient, report_id, "report")
    row = ReturnToUseReport(
        patient=patient,
        on=report.on,
        reported_by=report.reported_by,
        substance=report.substance,
        note=reason,
        supersedes=report,
        withdrawn=True,
        recorded_by=acting_user(request),
    )
    _save(row, "report")
    record(
        request,
        "careplan.return_to_use_withdrawn",
        obj=row,
        patient=patient,
        summary=f"report of {report.on.isoformat()} withdrawn: {reason}"[:300],
        detail={"withdraws": report.pk, "reason": reason},
    )
    return row
