"""Between visits: the dose diary, the team's view of adherence, the programme's check-in
settings and "this step is too hard" requests. Check-ins themselves are in ``checkin.py``.

Patient-side operations take the patient (already resolved by the portal from the signed-in
account, never from an id in the URL) and audit as the patient's user; team-side operations
check the role. Clinical decisions are the core's (``core.assessment.self_report``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from benzodetox.core.assessment.advice import Adjustment
from benzodetox.core.assessment.instruments import instrument
from benzodetox.core.assessment.self_report import (
    REQUEST_KINDS,
    CheckinSchedule,
    checkin_schedule,
    extra_dose_alert,
    requested_adjustment,
)
from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan
from benzodetox.core.units import format_mg
from benzodetox.web.audit.services import record
from benzodetox.web.monitoring import services as monitoring
from benzodetox.web.monitoring.advice import plan_in_force_as_read, save_adjusted_version
from benzodetox.web.monitoring.alerts import make_alert
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.services import acting_user, require

from .models import CheckinSettings, DiaryEntry, DoseStatus, RequestStatus, StepRequest

__all__ = [
    "DIARY_DAYS",
    "DiaryDay",
    "DoseSlot",
    "adherence_by_step",
    "answer_request",
    "apply_adjustment",
    "ask_for_change",
    "diary",
    "mark_dose",
    "open_requests",
    "requests_of",
    "save_settings",
    "schedule_for",
]

#: how many days back (today included) a patient may mark doses: a portal setting, not clinical
DIARY_DAYS = 7
NOTE_MAX = 500


# ----------------------------------------------------------------------------- diary


@dataclass(frozen=True)
class DoseSlot:
    """One planned dose time of a day, what to take, and the newest diary mark for it."""

    day: date
    at: time
    what: str
    entry: DiaryEntry | None

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}T{self.at.strftime('%H:%M')}"


@dataclass(frozen=True)
class DiaryDay:
    day: date
    slots: tuple[DoseSlot, ...]
    extras: tuple[DiaryEntry, ...] = field(default=())


def dose_times(plan: Plan | None, day: date) -> list[tuple[time, str]]:
    """The dose times of ``day`` under ``plan`` and what is taken at each ("diazepam 5 mg")."""
    step = plan.step_on(day) if plan is not None else None
    if step is None:
        return []
    by_time: dict[time, list[str]] = {}
    for dose in step.doses:
        if dose.mg > 0:
            by_time.setdefault(dose.time, []).append(f"{dose.drug} {format_mg(dose.mg)}")
    return [(t, " + ".join(parts)) for t, parts in sorted(by_time.items())]


def _newest(entries: list[DiaryEntry]) -> dict[tuple[date, time | None], DiaryEntry]:
    newest: dict[tuple[date, time | None], DiaryEntry] = {}
    for e in sorted(entries, key=lambda e: (e.entered_at, e.pk)):
        newest[(e.day, e.dose_time)] = e
    return newest


def diary(patient: Patient, today: date, days: int = DIARY_DAYS) -> list[DiaryDay]:
    """Today and the days before it, newest first: each planned dose time with its newest mark
    (a correction replaces what is shown, the earlier mark stays in the record) and the extra
    doses reported that day."""
    _, plan = monitoring.current_plan(patient)
    first = today - timedelta(days=days - 1)
    entries = list(DiaryEntry.objects.filter(patient=patient, day__gte=first, day__lte=today))
    newest = _newest([e for e in entries if e.status != DoseStatus.EXTRA])
    out = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        slots = tuple(
            DoseSlot(day, at, what, newest.get((day, at))) for at, what in dose_times(plan, day)
        )
        extras = tuple(
            sorted(
                (e for e in entries if e.day == day and e.status == DoseStatus.EXTRA),
                key=lambda e: e.entered_at,
            )
        )
        out.append(DiaryDay(day, slots, extras))
    return out


def parse_slot(value: str) -> tuple[date, time | None]:
    """A dose slot key "2026-03-02T08:00" (or a day alone, for an extra dose)."""
    day_text, _, time_text = value.partition("T")
    try:
        day = date.fromisoformat(day_text)
        at = time.fromisoformat(time_text) if time_text else None
    except ValueError:
        raise InputError("dose", value, "a dose from the list") from None
    return day, at


@transaction.atomic
def mark_dose(
    request: HttpRequest,
    patient: Patient,
    day: date,
    dose_time: time | None,
    status: str,
    note: str = "",
) -> DiaryEntry:
    """Mark one dose in the patient's diary. A dose already marked gets a new entry that
    supersedes the old one (nothing is changed). An extra dose raises an alert for the team
    through the core's rule."""
    today = timezone.localdate()
    if status not in DoseStatus.values:
        raise InputError("status", status, "taken, taken late, missed or extra")
    if not today - timedelta(days=DIARY_DAYS - 1) <= day <= today:
        raise InputError("dose", day.isoformat(), f"a day in the last {DIARY_DAYS} days")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InputError("note", f"{len(note)} characters", f"at most {NOTE_MAX} characters")
    version, plan = monitoring.current_plan(patient)
    planned = {at for at, _ in dose_times(plan, day)}
    if status != DoseStatus.EXTRA and dose_time not in planned:
        raise InputError("dose", str(dose_time), "one of the day's dose times")
    previous = None
    if status != DoseStatus.EXTRA:
        previous = (
            DiaryEntry.objects.filter(patient=patient, day=day, dose_time=dose_time)
            .exclude(status=DoseStatus.EXTRA)
            .order_by("-entered_at", "-id")
            .first()
        )
    entry = DiaryEntry(
        programme_id=patient.programme_id,
        patient=patient,
        day=day,
        dose_time=dose_time,
        status=status,
        note=note,
        plan_version=version,
        supersedes=previous,
        entered_by=acting_user(request),
    )
    entry.save()
    when = f"{day.isoformat()} {dose_time.strftime('%H:%M') if dose_time else ''}".strip()
    if status == DoseStatus.EXTRA:
        decision = extra_dose_alert(f"dose diary, {when}")
        make_alert(
            patient,
            decision.kind,
            decision.severity,
            f"diary:{entry.pk}:extra-dose",
            decision.title,
            detail={**decision.as_dict(), "diary_entry": entry.pk, "note": note},
        ).save()
    record(
        request,
        "diary.corrected" if previous is not None else "diary.marked",
        obj=entry,
        patient=patient,
        summary=f"{when}: {entry.get_status_display()}"
        + (f" (was {previous.get_status_display()})" if previous is not None else ""),
        detail={
            "day": day.isoformat(),
            "status": status,
            "supersedes": previous.pk if previous is not None else None,
        },
    )
    return entry


@dataclass(frozen=True)
class StepAdherence:
    """Diary marks over one plan step (up to today): planned doses, and how each was marked."""

    index: int
    start: date
    end: date
    planned: int
    taken: int
    late: int
    missed: int
    extra: int

    @property
    def unmarked(self) -> int:
        return max(self.planned - self.taken - self.late - self.missed, 0)


def adherence_by_step(patient: Patient, plan: Plan | None, today: date) -> list[StepAdherence]:
    """For each plan step that has started, the doses planned up to today and the diary's
    newest mark of each (extra doses counted apart): shown beside the dose steps."""
    if plan is None:
        return []
    steps = [s for s in plan.steps if s.start <= today and s.kind != "stop"]
    if not steps:
        return []
    entries = list(
        DiaryEntry.objects.filter(patient=patient, day__gte=steps[0].start, day__lte=today)
    )
    newest = _newest([e for e in entries if e.status != DoseStatus.EXTRA])
    out = []
    for step in steps:
        last = min(step.end, today)
        counts = {s: 0 for s in DoseStatus.values}
        planned = 0
        day = step.start
        while day <= last:
            for at, _ in dose_times(plan, day):
                planned += 1
                mark = newest.get((day, at))
                if mark is not None:
                    counts[mark.status] += 1
            day += timedelta(days=1)
        counts["extra"] = sum(
            1 for e in entries if e.status == DoseStatus.EXTRA and step.start <= e.day <= last
        )
        out.append(
            StepAdherence(
                step.index, step.start, step.end, planned,
                counts["taken"], counts["late"], counts["missed"], counts["extra"],
            )
        )
    return out


# ----------------------------------------------------------------------------- settings


def settings_of(programme_id: int) -> CheckinSettings | None:
    return CheckinSettings.objects.filter(programme_id=programme_id).first()


def schedule_for(programme_id: int) -> CheckinSchedule:
    """The programme's check-in schedule: its own figures where set, else the core's."""
    s = settings_of(programme_id)
    if s is None:
        return checkin_schedule()
    return checkin_schedule(s.after_reduction_from_day, s.every_days, s.mood_every_days)


SETTING_FIELDS = (
    "after_reduction_from_day",
    "every_days",
    "mood_every_days",
    "ciwa_b_alert_from",
    "bwsq_alert_from",
)


@transaction.atomic
def save_settings(
    request: HttpRequest, programme_id: int, values: dict[str, Any]
) -> CheckinSettings:
    """Store the programme's check-in settings (a "monitoring.settings" role), checked by
    the core first; audited with what changed."""
    from benzodetox.core.assessment.self_report import ciwa_b_alert_from

    require(request.user, "monitoring.settings", programme_id)
    current = settings_of(programme_id) or CheckinSettings(programme_id=programme_id)
    before = {k: getattr(current, k) for k in SETTING_FIELDS}
    checkin_schedule(values.get("after_reduction_from_day"), values.get("every_days"),
                     values.get("mood_every_days"))
    if values.get("ciwa_b_alert_from") is not None:
        ciwa_b_alert_from(alert_from=values["ciwa_b_alert_from"])
    bwsq = values.get("bwsq_alert_from")
    bwsq_max = instrument("bwsq").max_total  # the core's instrument: 20 items × 0–2
    if bwsq is not None and not 1 <= bwsq <= bwsq_max:
        raise InputError("bwsq_alert_from", bwsq, f"a whole number from 1 to {bwsq_max}")
    for name in SETTING_FIELDS:
        setattr(current, name, values.get(name))
    current.updated_by = acting_user(request)
    current.save()
    changed = {
        k: [str(before[k]), str(values.get(k))]
        for k in SETTING_FIELDS
        if before[k] != values.get(k)
    }
    record(
        request,
        "checkins.settings_changed",
        obj=current,
        programme=programme_id,
        summary=", ".join(f"{k}: {a} → {b}" for k, (a, b) in changed.items())[:300],
        detail={"changed": changed},
    )
    return current


# ----------------------------------------------------------------------------- requests


@transaction.atomic
def ask_for_change(request: HttpRequest, patient: Patient, kind: str, reason: str) -> StepRequest:
    """The patient asks for a hold or a slower taper: a request on the team's dashboard."""
    if kind not in REQUEST_KINDS:
        raise InputError("kind", kind, "hold or slow")
    reason = reason.strip()
    if not reason:
        raise InputError("reason", "", "a few words on why this step is too hard")
    if len(reason) > 1000:
        raise InputError("reason", f"{len(reason)} characters", "at most 1000 characters")
    version, _ = monitoring.current_plan(patient)
    if version is None:
        raise InputError("kind", kind, "a plan in force to change (ask your care team)")
    if StepRequest.objects.filter(patient=patient, status=RequestStatus.OPEN).exists():
        raise InputError("kind", kind, "one request at a time: your care team has not answered yet")
    asked = StepRequest(
        programme_id=patient.programme_id,
        patient=patient,
        kind=kind,
        reason=reason,
        created_by=acting_user(request),
        plan_version=version,
    )
    asked.save()
    record(
        request,
        "request.made",
        obj=asked,
        patient=patient,
        summary=f"{kind}: {reason}"[:300],
        detail={"kind": kind, "plan_version": version.number},
    )
    return asked


def requests_of(patient: Patient) -> QuerySet[StepRequest]:
    """The patient's requests, newest first."""
    return StepRequest.objects.filter(patient=patient).order_by("-created_at", "-id")


def open_requests(programme_ids: list[int]) -> QuerySet[StepRequest]:
    """The open requests of the programmes, oldest first (the dashboard's list)."""
    return (
        StepRequest.objects.filter(programme_id__in=programme_ids, status=RequestStatus.OPEN)
        .select_related("patient", "plan_version")
        .order_by("created_at", "id")
    )


def get_request(request: HttpRequest, pk: int, action: str = "monitoring.view") -> StepRequest:
    """A request through the programme scope (another programme's is 404), if the role
    allows ``action`` (403 otherwise)."""
    found: StepRequest | None = (
        StepRequest.objects.select_related("patient", "plan_version").filter(pk=pk).first()
    )
    if found is None:
        raise Http404("no such request")
    require(request.user, action, found.programme_id)
    return found


def apply_adjustment(
    request: HttpRequest,
    patient: Patient,
    adjustment: Adjustment,
    expected_latest: int,
    why: str,
) -> PlanVersion:
    """Make the plan ``adjustment`` proposes (e.g. a patient's request for a hold, answered by
    a prescriber) the next plan version, based on the version in force; it awaits approval the
    normal way. Refused when a newer version was saved since the page was read."""
    require(request.user, "request.answer", patient.programme_id)
    version, plan = plan_in_force_as_read(patient, expected_latest, "the request")
    reason = f"{why}: {adjustment.kind} — {adjustment.reason}"
    new = save_adjusted_version(request, patient, version, plan, adjustment, reason)
    record(
        request,
        "adjustment.applied",
        obj=new,
        patient=patient,
        summary=f"v{version.number} → v{new.number}: {reason}"[:300],
        detail={"adjustment": adjustment.as_dict(), "from": version.number, "to": new.number},
    )
    return new


@transaction.atomic
def answer_request(
    request: HttpRequest,
    asked: StepRequest,
    decision: str,
    message: str,
    expected_latest: int,
) -> PlanVersion | None:
    """A prescriber answers: "apply" makes the core's adjustment (hold / slow) the next plan
    version from the version in force — it still needs the normal approval — or "decline"
    with a message the patient reads. Audited; the message is required when declining."""
    require(request.user, "request.answer", asked.programme_id)
    locked = StepRequest.objects.select_for_update().get(pk=asked.pk)
    if locked.status != RequestStatus.OPEN:
        raise InputError("decision", decision, "an open request (it was answered already)")
    message = message.strip()
    if len(message) > 1000:
        raise InputError("message", f"{len(message)} characters", "at most 1000 characters")
    patient = locked.patient
    new: PlanVersion | None = None
    if decision == "apply":
        _, plan = monitoring.current_plan(patient)
        if plan is None:
            raise InputError("decision", decision, "a plan in force to adjust")
        policy = monitoring.policy_for(patient.programme_id)
        adjustment = requested_adjustment(
            plan, locked.kind, timezone.localdate(), locked.reason, policy.advice
        )
        new = apply_adjustment(
            request, patient, adjustment, expected_latest, f"patient request #{locked.pk}"
        )
        locked.status = RequestStatus.APPLIED
        locked.new_version = new
    elif decision == "decline":
        if not message:
            raise InputError("message", "", "a message to the patient saying why")
        locked.status = RequestStatus.DECLINED
    else:
        raise InputError("decision", decision, "apply or decline")
    locked.message = message
    locked.answered_by = acting_user(request)
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "new_version", "message", "answered_by", "answered_at"])
    record(
        request,
        f"request.{locked.status}",
        obj=locked,
        patient=patient,
        summary=(
            f"{locked.kind} request #{locked.pk}: {locked.get_status_display()}"
            + (f" → v{new.number}" if new is not None else "")
            + (f"; {message}" if message else "")
        )[:300],
        detail={"decision": decision, "new_version": new.number if new is not None else None},
    )
    return new
