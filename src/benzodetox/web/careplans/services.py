"""Care-plan operations. Every change checks the role, validates through the core
(``core.careplan``), writes through the model (so history is kept) and appends an audit event.
Views stay thin and call these; the core's ``InputError`` reaches the form field it names.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from benzodetox.core.careplan import adjuncts as core_adjuncts
from benzodetox.core.careplan import aftercare as core_aftercare
from benzodetox.core.careplan import psychosocial as core_psychosocial
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan
from benzodetox.interop.plan_json import plan_from_dict
from benzodetox.web.audit.services import record
from benzodetox.web.patients.models import Patient
from benzodetox.web.patients.services import latest_intake
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.services import acting_user, require

from .models import (
    AdjunctNote,
    AftercareItem,
    AftercarePlan,
    Course,
    CourseSession,
)
from .policy import policy_for as programme_policy

__all__ = [
    "add_adjunct_note",
    "add_aftercare_item",
    "approved_version",
    "core_aftercare_of",
    "current_aftercare",
    "extend_aftercare",
    "generate_aftercare",
    "get_aftercare_item",
    "get_course",
    "next_aftercare_items",
    "patient_circumstances",
    "record_attendance",
    "remove_aftercare_item",
    "reschedule_session",
    "schedule_course",
    "update_aftercare_item",
]

#: intake substances that mean a substance use disorder for the safety prompts (Recs 20–22)
SUD_SUBSTANCES = frozenset({"alcohol_use_disorder", "other_substance_use_disorder"})


# --- circumstances ---------------------------------------------------------------------------


def patient_circumstances(patient: Patient) -> dict[str, bool]:
    """What the latest intake says about opioids, substance use disorder and buprenorphine or
    methadone for an opioid use disorder (for the naloxone prompt, Rec 17, the gabapentinoid
    caution, Recs 20–22 and Rec 21's "do not stop or disrupt it")."""
    intake = latest_intake(patient)
    substances = set(intake.substances) if intake is not None else set()
    return {
        "opioids": "opioids" in substances,
        "sud": bool(substances & SUD_SUBSTANCES),
        "sud_medication": bool(intake is not None and intake.sud_medication),
    }


# --- psychosocial courses --------------------------------------------------------------------


def get_course(patient: Patient, course_id: int) -> Course:
    try:
        return patient.courses.get(pk=course_id)
    except Course.DoesNotExist:
        raise Http404("no such course") from None


@transaction.atomic
def schedule_course(
    request: HttpRequest,
    patient: Patient,
    kind: str,
    start: date,
    *,
    sessions: int | None = None,
    every_days: int | None = None,
    note: str = "",
) -> Course:
    """Schedule a course from ``start`` by the core (its default count and interval where the
    reference gives them, else the programme's)."""
    require(request.user, "psychosocial.edit", patient.programme_id)
    planned = core_psychosocial.schedule_course(
        kind, start, sessions=sessions, every_days=every_days
    )
    course = Course(
        patient=patient,
        kind=planned.kind,
        title=planned.title,
        start=start,
        every_days=planned.every_days,
        sources=list(planned.sources),
        recommendation=planned.recommendation[:300],
        note=note.strip(),
        created_by=acting_user(request),
    )
    course.save()
    for session in planned.sessions:
        CourseSession(course=course, number=session.number, on=session.on).save()
    record(
        request,
        "careplan.course_scheduled",
        obj=course,
        patient=patient,
        summary=f"{planned.title}: {len(planned.sessions)} sessions every {planned.every_days} "
        f"days from {start.isoformat()}",
    )
    return course


def _core_course(course: Course) -> core_psychosocial.Course:
    return core_psychosocial.Course(
        kind=course.kind,
        title=course.title,
        every_days=course.every_days,
        sessions=tuple(
            core_psychosocial.Session(s.number, s.on, s.attended, s.note)
            for s in course.sessions.all()
        ),
        sources=tuple(course.sources),
        recommendation=course.recommendation,
    )


def core_course_of(course: Course) -> core_psychosocial.Course:
    """The course as the core's value (for the calendar export)."""
    return _core_course(course)


@transaction.atomic
def record_attendance(
    request: HttpRequest, course: Course, number: int, attended: bool, note: str = ""
) -> CourseSession:
    """Session ``number`` attended (or missed); a new record replaces the earlier one and the
    row's history keeps both."""
    patient = course.patient
    require(request.user, "attendance.record", patient.programme_id)
    updated = core_psychosocial.record_attendance(_core_course(course), number, attended, note)
    after = next(s for s in updated.sessions if s.number == number)
    session = course.sessions.get(number=number)
    session.attended = after.attended
    session.note = after.note[:300]
    session.recorded_by = acting_user(request)
    session.recorded_at = timezone.now()
    session._change_reason = "attendance recorded"  # type: ignore[attr-defined]
    session.save()
    record(
        request,
        "careplan.attendance_recorded",
        obj=session,
        patient=patient,
        summary=f"{course.title} session {number}: {'attended' if attended else 'missed'}",
    )
    return session


@transaction.atomic
def reschedule_session(
    request: HttpRequest, course: Course, number: int, on: date, reason: str = ""
) -> CourseSession:
    """Move session ``number`` to ``on`` (the core's ``reschedule_session``); whoever may
    schedule courses may move their sessions. The row's history keeps the earlier date."""
    patient = course.patient
    require(request.user, "psychosocial.edit", patient.programme_id)
    updated = core_psychosocial.reschedule_session(_core_course(course), number, on)
    after = next(s for s in updated.sessions if s.number == number)
    session = course.sessions.get(number=number)
    before = session.on
    session.on = after.on
    why = reason.strip()
    session._change_reason = (  # type: ignore[attr-defined]
        f"moved from {before.isoformat()}" + (f": {why}" if why else "")
    )[:100]
    session.save()
    record(
        request,
        "careplan.session_moved",
        obj=session,
        patient=patient,
        summary=(
            f"{course.title} session {number}: {before.isoformat()} → {on.isoformat()}"
            + (f" — {why}" if why else "")
        )[:300],
    )
    return session


# --- aftercare -------------------------------------------------------------------------------


def approved_version(patient: Patient) -> PlanVersion | None:
    """The current plan: the newest approved version."""
    return patient.plan_versions.filter(approval__isnull=False).order_by("-number").first()


def current_aftercare(patient: Patient) -> AftercarePlan | None:
    return (
        patient.aftercare_plans.select_related("plan_version")
        .order_by("-created_at", "-id")
        .first()
    )


def next_aftercare_items(
    patient_ids: list[int],
) -> dict[int, tuple[AftercarePlan, AftercareItem | None]]:
    """For each patient with generated aftercare: the newest aftercare and its earliest item
    not yet recorded (None when every item is recorded). Two queries (for the dashboard)."""
    current: dict[int, AftercarePlan] = {}
    for care in AftercarePlan.objects.filter(patient_id__in=patient_ids).order_by(
        "patient_id", "-created_at", "-id"
    ):
        current.setdefault(care.patient_id, care)
    first: dict[int, AftercareItem] = {}
    for item in AftercareItem.objects.filter(
        aftercare_id__in=[c.pk for c in current.values()], done__isnull=True
    ).order_by("aftercare_id", "on", "id"):
        first.setdefault(item.aftercare_id, item)
    return {pid: (care, first.get(care.pk)) for pid, care in current.items()}


def _policy_json(policy: core_aftercare.AftercarePolicy) -> dict[str, Any]:
    return asdict(policy)


def _policy_from_json(raw: dict[str, Any]) -> core_aftercare.AftercarePolicy:
    figure = core_aftercare.Figure
    if not raw:
        return core_aftercare.default_policy()
    return core_aftercare.AftercarePolicy(
        minimum_days=figure(**raw["minimum_days"]),
        days=figure(**raw["days"]),
        contact_phases=tuple(
            core_aftercare.ContactPhase(p["from_day"], p["until_day"], figure(**p["every"]))
            for p in raw["contact_phases"]
        ),
        review_every=figure(**raw["review_every"]),
        instruments=tuple(core_aftercare.Instrument(**i) for i in raw["instruments"]),
    )


def policy_of(care: AftercarePlan) -> core_aftercare.AftercarePolicy:
    return _policy_from_json(care.policy)


def _core_item(item: AftercareItem) -> core_aftercare.AftercareItem:
    return core_aftercare.AftercareItem(
        on=item.on,
        kind=item.kind,
        title=item.title,
        instruments=tuple(item.instruments),
        sources=tuple(item.sources),
        done=item.done,
        note=item.note,
    )


def core_aftercare_of(care: AftercarePlan) -> core_aftercare.AftercarePlan:
    """The stored aftercare as the core's value (items in date order)."""
    return core_aftercare.AftercarePlan(
        last_dose=care.last_dose,
        end=care.end,
        items=tuple(_core_item(i) for i in care.items.all()),
        policy=policy_of(care),
    )


def _plan(version: PlanVersion) -> Plan:
    return plan_from_dict(version.plan)


@transaction.atomic
def generate_aftercare(
    request: HttpRequest, patient: Patient, days: int | None = None
) -> AftercarePlan:
    """Aftercare from the day after the last dose of the approved plan, by the programme's
    policy (its own values, else the core's cited defaults; ``days`` sets the length for this
    patient, never below 90)."""
    require(request.user, "aftercare.edit", patient.programme_id)
    version = approved_version(patient)
    if version is None:
        raise InputError(
            "plan",
            "none approved",
            "an approved taper plan",
            hint="aftercare starts after the approved plan's last dose",
        )
    policy = programme_policy(patient.programme_id)
    if days is not None and days != policy.days.value:
        policy = policy.with_changes(days=days, reason="set for this patient")
    generated = core_aftercare.aftercare_plan(
        _plan(version), policy, sud=patient_circumstances(patient)["sud"]
    )
    care = AftercarePlan(
        patient=patient,
        plan_version=version,
        last_dose=generated.last_dose,
        end=generated.end,
        policy=_policy_json(policy),
        created_by=acting_user(request),
    )
    care.save()
    _store_items(care, generated.items)
    record(
        request,
        "careplan.aftercare_generated",
        obj=care,
        patient=patient,
        summary=f"from plan v{version.number}: {generated.days} days after the last dose "
        f"({generated.last_dose.isoformat()}), {len(generated.items)} items",
    )
    return care


def _store_items(care: AftercarePlan, items: tuple[core_aftercare.AftercareItem, ...]) -> None:
    for item in items:
        AftercareItem(
            aftercare=care,
            on=item.on,
            kind=item.kind,
            title=item.title[:200],
            instruments=list(item.instruments),
            sources=list(item.sources),
            done=item.done,
            note=item.note[:300],
        ).save()


def get_aftercare_item(care: AftercarePlan, item_id: int) -> AftercareItem:
    try:
        return care.items.get(pk=item_id)
    except AftercareItem.DoesNotExist:
        raise Http404("no such aftercare item") from None


def _index_of(care: AftercarePlan, item: AftercareItem) -> int:
    ids = list(care.items.values_list("pk", flat=True))
    return ids.index(item.pk)


@transaction.atomic
def update_aftercare_item(
    request: HttpRequest,
    item: AftercareItem,
    *,
    on: date,
    done: bool | None,
    note: str = "",
) -> AftercareItem:
    """Move an item and/or record it done (or not done), checked by the core (dates after
    the last dose)."""
    care = item.aftercare
    require(request.user, "aftercare.edit", care.patient.programme_id)
    value = core_aftercare_of(care)
    index = _index_of(care, item)
    if on != item.on:
        core_aftercare.move_item(value, index, on)  # refuses a date on or before the last dose
    moved = on != item.on
    item.on = on
    item.done = done
    item.note = note.strip()[:300]
    item.recorded_by = acting_user(request)
    item.recorded_at = timezone.now()
    item._change_reason = "moved" if moved else "recorded"  # type: ignore[attr-defined]
    item.save()
    if on > care.end:
        care.end = on
        care.save(update_fields=["end"])
    state = {None: "not yet recorded", True: "done", False: "not done"}[done]
    record(
        request,
        "careplan.aftercare_item_updated",
        obj=item,
        patient=care.patient,
        summary=f"{item.get_kind_display()} on {on.isoformat()}: {state}"
        + (f" — {item.note}" if item.note else ""),
    )
    return item


@transaction.atomic
def add_aftercare_item(
    request: HttpRequest, care: AftercarePlan, *, on: date, kind: str, title: str, note: str = ""
) -> AftercareItem:
    require(request.user, "aftercare.edit", care.patient.programme_id)
    if not title.strip():
        raise InputError("title", title, "a few words saying what the contact or review is")
    new = core_aftercare.AftercareItem(on=on, kind=kind, title=title.strip(), note=note.strip())
    value = core_aftercare.add_item(core_aftercare_of(care), new)
    item = AftercareItem(
        aftercare=care, on=on, kind=kind, title=title.strip()[:200], note=note.strip()[:300]
    )
    item.save()
    if value.end != care.end:
        care.end = value.end
        care.save(update_fields=["end"])
    record(
        request,
        "careplan.aftercare_item_added",
        obj=item,
        patient=care.patient,
        summary=f"{item.get_kind_display()} on {on.isoformat()}: {item.title}",
    )
    return item


@transaction.atomic
def remove_aftercare_item(request: HttpRequest, item: AftercareItem) -> None:
    """Remove an item (never the final review: aftercare ends with a review)."""
    care = item.aftercare
    require(request.user, "aftercare.edit", care.patient.programme_id)
    core_aftercare.remove_item(core_aftercare_of(care), _index_of(care, item))
    summary = f"{item.get_kind_display()} on {item.on.isoformat()}: {item.title}"
    record(
        request,
        "careplan.aftercare_item_removed",
        obj=item,
        patient=care.patient,
        summary=summary,
    )
    item._change_reason = "removed"  # type: ignore[attr-defined]
    item.delete()


@transaction.atomic
def extend_aftercare(request: HttpRequest, care: AftercarePlan, days: int) -> AftercarePlan:
    """Lengthen (or shorten, never below 90 days) the aftercare; recorded items are kept where
    they still fall inside it and the policy's items are added for new days (the core's
    ``extend``)."""
    require(request.user, "aftercare.edit", care.patient.programme_id)
    rows = list(care.items.all())
    before = core_aftercare_of(care)
    after = core_aftercare.extend(before, days)
    unused = {row.pk: _core_item(row) for row in rows}
    keep: set[int] = set()
    for item in after.items:
        match = next((pk for pk, value in unused.items() if value == item), None)
        if match is not None:
            keep.add(match)
            del unused[match]
        else:
            _store_items(care, (item,))
    for row in rows:
        if row.pk not in keep:
            row._change_reason = "outside the changed aftercare"  # type: ignore[attr-defined]
            row.delete()
    care.end = after.end
    care.policy = _policy_json(after.policy)
    care._change_reason = f"length set to {days} days"  # type: ignore[attr-defined]
    care.save()
    record(
        request,
        "careplan.aftercare_extended",
        obj=care,
        patient=care.patient,
        summary=f"aftercare now {days} days after the last dose (to {after.end.isoformat()})",
    )
    return care


# --- adjunct medications ---------------------------------------------------------------------


def add_adjunct_note(
    request: HttpRequest, patient: Patient, adjunct_id: str, status: str, note: str
) -> AdjunctNote:
    require(request.user, "adjunct.edit", patient.programme_id)
    item = core_adjuncts.adjunct(adjunct_id)
    if status not in dict(AdjunctNote.STATUSES):
        raise InputError("status", status, ", ".join(dict(AdjunctNote.STATUSES)))
    if not note.strip():
        raise InputError("note", note, "a few words (why, what was agreed)")
    row = AdjunctNote(
        patient=patient,
        adjunct=item.id,
        status=status,
        note=note.strip(),
        created_by=acting_user(request),
    )
    row.save()
    record(
        request,
        "careplan.adjunct_noted",
        obj=row,
        patient=patient,
        summary=f"{item.name}: {row.get_status_display()} — {row.note}"[:300],
    )
    return row
