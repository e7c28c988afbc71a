"""A taper plan as iCalendar (RFC 5545, icalendar 7): one all-day event per dose change (each
step's first day) and one event per appointment.

UIDs are stable: a hash of the plan's identity, the event's date and its content, so exporting the
same plan again gives the same UIDs and a calendar updates the events instead of adding copies.
DTSTAMP is always present; ``now`` is a parameter so exports are reproducible (the adapter that
calls this reads the clock, not the core).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from benzodetox.core.careplan.aftercare import AftercarePlan
from benzodetox.core.careplan.psychosocial import Course
from benzodetox.core.dispensing import describe_take
from benzodetox.core.plan import Plan, Step
from benzodetox.core.units import format_mg

__all__ = [
    "Appointment",
    "aftercare_appointments",
    "course_appointments",
    "plan_identity",
    "plan_to_ics",
]

PRODID = "-//benzodetox//taper plan//EN"
#: A dose of a drug the market sells no product of, taken from the patient's own supply while a
#: crossover replaces it: nothing is dispensed for it (the patient reads the calendar).
SUPPLY_WORDS = "from your current supply (the pharmacy does not give you this)"


@dataclass(frozen=True)
class Appointment:
    """A visit, session or call. ``start`` as a date is an all-day event; as a datetime it lasts
    ``minutes`` when given (no length is assumed otherwise)."""

    start: date | datetime
    title: str
    minutes: int | None = None
    description: str = ""
    location: str = ""
    key: str = ""  # the caller's own id (e.g. a database row), kept in the UID if given


def course_appointments(course: Course) -> tuple[Appointment, ...]:
    """A psychosocial course's sessions as all-day appointments."""
    total = len(course.sessions)
    return tuple(
        Appointment(
            start=s.on,
            title=f"{course.title}: session {s.number} of {total}",
            key=f"{course.kind}-{s.number}",
        )
        for s in course.sessions
    )


def aftercare_appointments(care: AftercarePlan) -> tuple[Appointment, ...]:
    """Aftercare contacts and reviews as all-day appointments."""
    return tuple(
        Appointment(
            start=item.on,
            title=item.title,
            description=", ".join(item.instruments),
            key=f"aftercare-{item.kind}-{item.on.isoformat()}",
        )
        for item in care.items
    )


def plan_identity(plan: Plan) -> str:
    """What identifies a plan across re-exports when the caller gives no id: the patient's
    starting regimen, table, strategy and start date (not the steps, which may be adjusted)."""
    parts = [plan.source, plan.market, plan.strategy, plan.start.isoformat()]
    if plan.request is not None:
        parts.append(repr(plan.request.regimen))
    elif plan.steps:
        first = plan.steps[0]
        parts += [f"{d.time.isoformat()} {d.drug} {d.mg}" for d in first.doses]
    return "|".join(parts)


def _uid(identity: str, kind: str, when: str, content: str, domain: str) -> str:
    digest = hashlib.sha256("\x1f".join((identity, kind, when, content)).encode()).hexdigest()
    return f"{kind}-{digest[:32]}@{domain}"


def _step_text(step: Step, first: bool, for_patient: bool = False) -> tuple[str, str]:
    """Summary and description of a step, from the plan's exact values; ``for_patient`` leaves
    out the planner's notes and warnings (written for the clinician)."""
    warnings = [] if for_patient else [f"Warning: {w}" for w in step.warnings]
    if not any(d.mg > 0 for d in step.doses):
        return "No more doses from today", "\n".join(
            ["The taper is complete: no more doses.", *warnings]
        )
    totals = ", ".join(f"{format_mg(step.daily_mg(drug))} {drug}" for drug in step.drugs)
    lead = "Starting dose: " if first else "New dose from today: "
    summary = f"{lead}{totals} a day"
    lines = []
    for dose in sorted(step.doses, key=lambda d: d.time):
        if dose.mg <= 0:
            continue
        if dose.from_supply:
            takes = SUPPLY_WORDS
        else:
            takes = " + ".join(describe_take(t) for t in dose.takes if t.mg > 0)
        lines.append(f"{dose.time.strftime('%H:%M')} {dose.drug} {format_mg(dose.mg)}: {takes}")
    lines.append(f"Every day from {step.start.isoformat()} to {step.end.isoformat()}.")
    if not for_patient:
        lines += list(step.notes)
    lines += warnings
    return summary, "\n".join(lines)


def _alarm(event: Event, before: timedelta, text: str) -> None:
    """A reminder (VALARM, DISPLAY) ``before`` the event's start."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", -before)
    event.add_component(alarm)


def plan_to_ics(
    plan: Plan,
    *,
    appointments: Sequence[Appointment] = (),
    uid_domain: str = "benzodetox",
    plan_id: str = "",
    now: datetime | None = None,
    alarm_before: timedelta | None = None,
    for_patient: bool = False,
) -> bytes:
    """The plan's dose changes and ``appointments`` as an .ics file.

    ``plan_id`` (e.g. the web app's plan id) identifies the plan; without it
    ``plan_identity(plan)`` is used. ``now`` is the DTSTAMP (UTC); the current time if omitted.
    ``alarm_before``: each dose change and appointment gets a reminder (VALARM) that long
    before it starts (an all-day event starts at midnight: 12 hours is noon the day before).
    ``for_patient``: the patient's own feed — what to take and when, without the planner's notes,
    warnings or equivalence table (those are for the prescriber, on the printed plan).
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    identity = plan_id or plan_identity(plan)
    table = f"Equivalence table: {plan.source}"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Taper plan")
    for n, step in enumerate(plan.steps):
        summary, description = _step_text(step, first=n == 0, for_patient=for_patient)
        if not for_patient:
            description = f"{description}\n{table}"
        event = Event()
        event.add("uid", _uid(identity, "dose", step.start.isoformat(), description, uid_domain))
        event.add("dtstamp", stamp)
        event.add("dtstart", step.start)
        event.add("dtend", step.start + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        event.add("categories", ["Dose change"])
        if alarm_before is not None:
            _alarm(event, alarm_before, f"Reminder: {summary}")
        cal.add_component(event)
    for appt in appointments:
        event = Event()
        when = appt.start.isoformat()
        content = appt.key or "\x1f".join((appt.title, appt.description, appt.location))
        event.add("uid", _uid(identity, "appt", when, content, uid_domain))
        event.add("dtstamp", stamp)
        event.add("dtstart", appt.start)
        if isinstance(appt.start, datetime):
            if appt.minutes is not None:
                event.add("dtend", appt.start + timedelta(minutes=appt.minutes))
        else:
            event.add("dtend", appt.start + timedelta(days=1))
        event.add("summary", appt.title)
        if appt.description:
            event.add("description", appt.description)
        if appt.location:
            event.add("location", appt.location)
        event.add("categories", ["Appointment"])
        if alarm_before is not None:
            _alarm(event, alarm_before, f"Reminder: {appt.title}")
        cal.add_component(event)
    out: bytes = cal.to_ical()
    return out
