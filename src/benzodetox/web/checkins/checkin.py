"""A check-in between visits: one question a screen, the answers kept on the server between
screens, and at the end self-reported assessments (``rater="self"``), the core's self-report
alerts for the team, and what the patient should do, in plain language.

Questions are keys such as ``"ciwa-b:3"`` (the CIWA-B's third patient-rated item), ``"sleep"``
and ``"extra"``; the item labels come from the core's instruments, the order and the due rules
from ``core.assessment.self_report``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from benzodetox.core.assessment.self_report import (
    CheckinDue,
    PatientMessage,
    SelfReport,
    checkin_due,
    message_for,
    patient_items,
    patient_message,
    score_patient_part,
    self_report_alerts,
)
from benzodetox.core.errors import InputError
from benzodetox.web.audit.services import record
from benzodetox.web.monitoring import services as monitoring
from benzodetox.web.monitoring.alerts import facts_of, raise_self_reported
from benzodetox.web.monitoring.models import Assessment, Rater
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.services import acting_user

from .models import Checkin
from .services import schedule_for, settings_of

__all__ = [
    "Question",
    "answer",
    "due_for",
    "finish",
    "message_of",
    "open_checkin",
    "question",
    "record_self_reported",
    "start",
]

#: how the answers read, per instrument (patient wording; values are the instrument's)
_OPTIONS: dict[str, tuple[str, ...]] = {
    "ciwa-b": ("Not at all", "A little", "Quite a bit", "A lot", "Very much"),
    "bwsq": ("No", "Yes, some (moderate)", "Yes, a lot (severe)"),
    "phq-9": ("Not at all", "Several days", "More than half the days", "Nearly every day"),
    "gad-7": ("Not at all", "Several days", "More than half the days", "Nearly every day"),
    "yes-no": ("No", "Yes"),
}
_ASK: dict[str, str] = {
    "ciwa-b": "Today, how much have you had this?",
    "bwsq": "Since your dose last went down, have you had this?",
    "phq-9": "Over the last 2 weeks, how often has this bothered you?",
    "gad-7": "Over the last 2 weeks, how often has this bothered you?",
    "sleep": "Has your sleep been very bad on most nights this week?",
    "extra": "Since your last check-in, have you taken any extra doses (more than your plan)?",
}
_HEADINGS = {"sleep": "Sleep", "extra": "Extra doses"}
#: an unfinished check-in older than this starts again (its answers are kept, not used)
STALE_AFTER = timedelta(days=2)


@dataclass(frozen=True)
class Question:
    number: int
    total: int
    key: str
    heading: str
    text: str
    options: tuple[tuple[int, str], ...]
    answer: int | None


def _questions(mood: bool) -> list[str]:
    keys = [f"bwsq:{i.number}" for i in patient_items("bwsq")]
    keys += [f"ciwa-b:{i.number}" for i in patient_items("ciwa-b")]
    keys += ["sleep", "extra"]
    if mood:
        keys += [f"phq-9:{i.number}" for i in patient_items("phq-9")]
        keys += [f"gad-7:{i.number}" for i in patient_items("gad-7")]
    return keys


def _last_day(patient: Patient, kinds: Sequence[str]) -> date | None:
    row = (
        Assessment.objects.filter(patient=patient, rater=Rater.SELF, kind__in=kinds)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localdate(row) if row is not None else None


def due_for(patient: Patient, today: date) -> CheckinDue:
    """Whether a check-in is due today under the programme's schedule (core defaults)."""
    _, plan = monitoring.current_plan(patient)
    reductions = [s.start for s in plan.steps if s.kind == "reduction"] if plan else []
    return checkin_due(
        schedule_for(patient.programme_id),
        reductions,
        _last_day(patient, ("bwsq", "ciwa-b")),
        _last_day(patient, ("phq-9", "gad-7")),
        today,
    )


def open_checkin(patient: Patient) -> Checkin | None:
    """The patient's unfinished check-in, if it is recent enough to go on with."""
    found = (
        Checkin.objects.filter(patient=patient, completed_at__isnull=True)
        .order_by("-started_at", "-id")
        .first()
    )
    if found is not None and timezone.now() - found.started_at > STALE_AFTER:
        return None
    return found


@transaction.atomic
def start(request: HttpRequest, patient: Patient) -> Checkin:
    """Go on with the open check-in, or start one (the PHQ-9 and GAD-7 when they are due)."""
    found = open_checkin(patient)
    if found is not None:
        return found
    due = due_for(patient, timezone.localdate())
    made = Checkin(
        programme_id=patient.programme_id,
        patient=patient,
        due_reason=(due.reason or "asked by the patient")[:120],
        questions=_questions(due.mood),
    )
    made.save()
    record(
        request,
        "checkin.started",
        obj=made,
        patient=patient,
        summary=f"check-in started ({made.due_reason}); {len(made.questions)} questions",
    )
    return made


def question(checkin: Checkin, number: int) -> Question:
    """Question ``number`` (1-based) of the check-in, with the answer given so far."""
    keys: list[str] = checkin.questions
    if not 1 <= number <= len(keys):
        raise InputError("question", number, f"a question from 1 to {len(keys)}")
    key = keys[number - 1]
    kind, _, item = key.partition(":")
    if item:
        label = patient_items(kind)[int(item) - 1].label
        heading, options = label[:1].upper() + label[1:], _OPTIONS[kind]
    else:
        heading, options = _HEADINGS[kind], _OPTIONS["yes-no"]
    given = checkin.answers.get(key)
    return Question(
        number=number,
        total=len(keys),
        key=key,
        heading=heading,
        text=_ASK[kind],
        options=tuple(enumerate(options)),
        answer=int(given) if given is not None else None,
    )


@transaction.atomic
def answer(request: HttpRequest, checkin: Checkin, number: int, value: str) -> int:
    """Keep the answer to question ``number``; the number of the next question to show (the
    first unanswered one; ``total + 1`` when every question is answered)."""
    locked = Checkin.objects.select_for_update().get(pk=checkin.pk)
    if not locked.is_open:
        raise InputError("question", number, "a check-in not yet finished")
    shown = question(locked, number)
    allowed = {str(v) for v, _ in shown.options}
    if value not in allowed:
        raise InputError("answer", value, "one of the answers shown")
    locked.answers = {**locked.answers, shown.key: int(value)}
    locked.save(update_fields=["answers"])
    checkin.answers = locked.answers
    record(
        request,
        "checkin.answered",
        obj=locked,
        patient=locked.patient,
        summary=f"question {number} of {shown.total} answered",
    )
    for n, key in enumerate(locked.questions, start=1):
        if key not in locked.answers:
            return n
    return len(locked.questions) + 1


def record_self_reported(
    request: HttpRequest,
    patient: Patient,
    kind: str,
    answers: Sequence[int],
    at: datetime,
    sleep_disturbance: bool = False,
) -> Assessment:
    """Store one self-reported instrument (``rater="self"``), scored by the core: the CIWA-B
    as its 17 patient-rated items (a part, never banded, never a CIWA-B total)."""
    scored = score_patient_part(kind, list(answers))
    row = Assessment(
        programme_id=patient.programme_id,
        patient=patient,
        kind=kind,
        rater=Rater.SELF,
        at=at,
        answers=list(scored.answers),
        total=scored.total,
        band=scored.band or "",
        band_confirmed=scored.band_confirmed,
        flags=list(scored.flags),
        sleep_disturbance=sleep_disturbance,
        entered_by=acting_user(request),
    )
    row.save()
    record(
        request,
        "assessment.self_reported",
        obj=row,
        patient=patient,
        summary=f"self-reported {row.get_kind_display()}: {monitoring.describe(row)}"[:300],
        detail={"kind": kind, "total": row.total, "band": row.band, "flags": row.flags},
    )
    return row


def _report(checkin: Checkin) -> SelfReport:
    given: dict[str, int] = checkin.answers
    by_kind: dict[str, list[int]] = {}
    for key in checkin.questions:
        if key not in given:
            number = checkin.questions.index(key) + 1
            raise InputError(f"question {number}", "nothing", "an answer to every question")
        kind, _, item = key.partition(":")
        if item:
            by_kind.setdefault(kind, []).append(int(given[key]))

    def of(kind: str) -> tuple[int, ...] | None:
        return tuple(by_kind[kind]) if kind in by_kind else None

    return SelfReport(
        bwsq=of("bwsq"),
        ciwa_b=of("ciwa-b"),
        phq_9=of("phq-9"),
        gad_7=of("gad-7"),
        sleep_disturbance=bool(given.get("sleep")),
        extra_doses=bool(given.get("extra")),
    )


@transaction.atomic
def finish(request: HttpRequest, checkin: Checkin) -> PatientMessage:
    """Store the answers as self-reported assessments, raise the core's self-report alerts for
    the team, and say what the patient should do. Every question must be answered."""
    locked = Checkin.objects.select_for_update().get(pk=checkin.pk)
    if not locked.is_open:
        return message_of(locked)
    patient = locked.patient
    report = _report(locked)
    now = timezone.now()
    rows = {
        kind: record_self_reported(
            request,
            patient,
            kind,
            answers,
            now,
            sleep_disturbance=report.sleep_disturbance and kind == "ciwa-b",
        )
        for kind, answers in report.answers().items()
    }
    own = settings_of(patient.programme_id)
    policy = monitoring.policy_for(patient.programme_id)
    decisions = self_report_alerts(
        report,
        bands=policy.bands,
        ciwa_b_from=own.ciwa_b_alert_from if own is not None else None,
        bwsq_from=own.bwsq_alert_from if own is not None else None,
        facts=facts_of(patient),
    )
    raised = raise_self_reported(patient, f"checkin:{locked.pk}", decisions, rows)
    message = patient_message(decisions)
    locked.completed_at = now
    locked.level = message.level
    locked.result = {
        "alerts": [a.title for a in raised],
        "assessments": {k: r.pk for k, r in rows.items()},
        "totals": {k: r.total for k, r in rows.items()},
    }
    locked.save(update_fields=["completed_at", "level", "result"])
    checkin.completed_at, checkin.level, checkin.result = now, locked.level, locked.result
    record(
        request,
        "checkin.finished",
        obj=locked,
        patient=patient,
        summary=(
            f"check-in finished: {message.level}"
            + (f"; alerts: {', '.join(a.title for a in raised)}" if raised else "")
        )[:300],
        detail=locked.result,
    )
    return message


def message_of(checkin: Checkin) -> PatientMessage:
    """What the patient was told at the end of a finished check-in."""
    return message_for(checkin.level or "ok")
