"""The documents a patient takes away, for one plan version: the handout (PDF, A4 or Letter)
and the calendar (.ics), made by ``benzodetox.reports`` / ``benzodetox.interop`` from the plan
exactly as saved (the pharmacy order is in ``orders``; the plans app serves them all and
audits every download: ``plans.documents``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from benzodetox.core.careplan.patient_advice import patient_advice
from benzodetox.core.errors import InputError
from benzodetox.interop.ical import (
    Appointment,
    aftercare_appointments,
    course_appointments,
    plan_to_ics,
)
from benzodetox.reports.pdf import handout_pdf
from benzodetox.web.patients.services import latest_intake
from benzodetox.web.plans.models import PlanApproval, PlanVersion
from benzodetox.web.plans.services import plan_of

from . import relapse_plans, services

__all__ = [
    "PAGE_SIZES",
    "Document",
    "calendar_ics",
    "handout",
    "ics_plan_id",
    "parse_page_size",
    "stem",
]

PAGE_SIZES = ("A4", "Letter")


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str
    filename: str
    kind: str  # what the audit event says: "PDF", "CSV", "iCalendar"
    what: str  # "patient handout (A4)", ...


def stem(version: PlanVersion) -> str:
    reference = re.sub(r"[^A-Za-z0-9._-]+", "-", version.patient.reference).strip("-")
    return f"{reference or 'patient'}-plan-v{version.number}"


def parse_page_size(value: str | None) -> str:
    size = value or "A4"
    if size not in PAGE_SIZES:
        raise InputError("size", size, " or ".join(PAGE_SIZES))
    return size


def _prescriber(version: PlanVersion) -> str:
    """The approving prescriber's name as the patient knows it (full name, else username)."""
    approval = PlanApproval.objects.filter(plan_version=version).select_related("approved_by")
    found = approval.first()
    if found is None:
        return ""
    user = found.approved_by
    return str(user.get_full_name() or user.get_username())


def handout(version: PlanVersion, page_size: str) -> Document:
    """The patient handout with the patient's current relapse-prevention plan and contacts,
    the programme and the approving prescriber as contacts, and the advice the core gives for
    the latest intake's recorded substances (driving advice with or without an intake)."""
    patient = version.patient
    latest = relapse_plans.latest_relapse(patient)
    relapse = relapse_plans.relapse_plan_of(latest) if latest is not None else None
    intake = latest_intake(patient)
    advice = (
        patient_advice(intake.substances or (), sud_medication=intake.sud_medication)
        if intake is not None
        else patient_advice()
    )
    content = handout_pdf(
        plan_of(version),
        patient_name=patient.display_name,
        relapse_plan=relapse,
        page_size=page_size,
        programme=patient.programme.name,
        prescriber=_prescriber(version),
        advice=advice,
    )
    return Document(
        content=content,
        content_type="application/pdf",
        filename=f"{stem(version)}-handout-{page_size}.pdf",
        kind="PDF",
        what=f"patient handout ({page_size})",
    )


def ics_plan_id(version: PlanVersion) -> str:
    """The plan's identity in the calendar: the same patient and version give the same UIDs,
    so downloading it again updates the events instead of adding copies."""
    return f"patient-{version.patient_id}-plan-v{version.number}"


def appointments_of(version: PlanVersion) -> tuple[Appointment, ...]:
    """The patient's psychosocial sessions and the aftercare generated from this version (the
    downloaded calendar's and the portal feed's: the same keys give the same UIDs)."""
    patient = version.patient
    out: list[Appointment] = []
    for course in patient.courses.all().order_by("start", "id"):
        out += [
            Appointment(start=a.start, title=a.title, key=f"course-{course.pk}-{a.key}")
            for a in course_appointments(services.core_course_of(course))
        ]
    care = services.current_aftercare(patient)
    if care is not None and care.plan_version_id == version.pk:
        out += list(aftercare_appointments(services.core_aftercare_of(care)))
    return tuple(out)


def calendar_ics(version: PlanVersion, now: datetime | None = None) -> Document:
    content = plan_to_ics(
        plan_of(version),
        appointments=appointments_of(version),
        plan_id=ics_plan_id(version),
        now=now or datetime.now(UTC),
    )
    return Document(
        content=content,
        content_type="text/calendar; charset=utf-8",
        filename=f"{stem(version)}.ics",
        kind="iCalendar",
        what="calendar",
    )
