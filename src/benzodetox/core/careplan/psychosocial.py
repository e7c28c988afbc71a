"""Psychosocial care: CBT / CBT-I courses, counselling, support groups and family or
care-partner sessions, scheduled as dated sessions whose attendance the web layer records.

CBT and CBT-I default to the session counts of the taper trials (guidelines.md §5: 10 weeks of CBT
in Otto 1993; 8 weekly CBT sessions in Baillargeon 2003 and Soeffing 2008; 10 weeks in Morin 2004);
every trial's count is kept on the course type. Courses with no count in the reference need the
count and interval from the programme.

>>> from datetime import date
>>> course = schedule_course("cbt_i", date(2025, 3, 3))
>>> len(course.sessions), course.sessions[1].on
(8, datetime.date(2025, 3, 10))
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

from ..errors import DataError, InputError
from ._data import load, need_str

__all__ = [
    "Course",
    "CourseType",
    "Session",
    "SessionCount",
    "course_type",
    "course_types",
    "record_attendance",
    "reschedule_session",
    "schedule_course",
]


@dataclass(frozen=True)
class SessionCount:
    """A session count reported by one source."""

    sessions: int
    source: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class CourseType:
    id: str
    title: str
    recommendation: str
    recommendation_source: str
    every_days: int | None = None
    every_days_source: str = ""
    every_days_label: str = ""
    default_sessions: int | None = None
    default_source: str = ""
    session_counts: tuple[SessionCount, ...] = ()

    @property
    def session_range(self) -> tuple[int, int] | None:
        """Lowest and highest count across the sources (None if the reference gives none)."""
        if not self.session_counts:
            return None
        counts = [c.sessions for c in self.session_counts]
        return min(counts), max(counts)


@dataclass(frozen=True)
class Session:
    """One dated session; ``attended`` is None until recorded."""

    number: int
    on: date
    attended: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class Course:
    kind: str
    title: str
    every_days: int
    sessions: tuple[Session, ...]
    sources: tuple[str, ...]
    recommendation: str

    @property
    def attended(self) -> int:
        return sum(1 for s in self.sessions if s.attended)

    @property
    def missed(self) -> int:
        return sum(1 for s in self.sessions if s.attended is False)

    @property
    def end(self) -> date:
        return self.sessions[-1].on


@cache
def course_types() -> tuple[CourseType, ...]:
    """The course types of ``core/data/aftercare.toml``, in file order."""
    out = []
    for i, raw in enumerate(load("aftercare.toml").get("course", ())):
        where = f"aftercare.toml course[{i}]"
        counts = tuple(
            SessionCount(
                sessions=int(c["sessions"]),
                source=need_str(c, "source", f"{where}.session_counts[{j}]"),
                label=need_str(c, "label", f"{where}.session_counts[{j}]"),
                note=str(c.get("note", "")),
            )
            for j, c in enumerate(raw.get("session_counts", ()))
        )
        default = raw.get("default_sessions")
        if default is not None and default not in {c.sessions for c in counts}:
            raise DataError(f"{where}: default_sessions {default} is not a sourced session count")
        every = raw.get("every_days")
        out.append(
            CourseType(
                id=need_str(raw, "id", where),
                title=need_str(raw, "title", where),
                recommendation=need_str(raw, "recommendation", where),
                recommendation_source=need_str(raw, "recommendation_source", where),
                every_days=int(every) if every is not None else None,
                every_days_source=str(raw.get("every_days_source", "")),
                every_days_label=str(raw.get("every_days_label", "")),
                default_sessions=int(default) if default is not None else None,
                default_source=str(raw.get("default_source", "")),
                session_counts=counts,
            )
        )
    return tuple(out)


def course_type(kind: str) -> CourseType:
    for item in course_types():
        if item.id == kind:
            return item
    raise InputError("course", kind, ", ".join(c.id for c in course_types()))


def schedule_course(
    kind: str,
    start: date,
    *,
    sessions: int | None = None,
    every_days: int | None = None,
) -> Course:
    """Dated sessions from ``start``: one every ``every_days`` (the course default where the
    reference gives one), ``sessions`` of them (likewise)."""
    spec = course_type(kind)
    count = sessions if sessions is not None else spec.default_sessions
    step = every_days if every_days is not None else spec.every_days
    if count is None:
        raise InputError("sessions", None, "a number of sessions for this course",
                         hint="the reference gives no session count for it")
    if step is None:
        raise InputError("every_days", None, "days between sessions for this course",
                         hint="the reference gives no interval for it")
    if isinstance(count, bool) or not 1 <= count <= 104:
        raise InputError("sessions", count, "a whole number from 1 to 104")
    if isinstance(step, bool) or not 1 <= step <= 365:
        raise InputError("every_days", step, "a whole number of days from 1 to 365")
    span = timedelta(days=(count - 1) * step)
    if start > date.max - span:
        raise InputError(
            "start",
            start.isoformat(),
            f"a first session on or before {(date.max - span).isoformat()}",
            hint=f"{count} sessions every {step} days must end by {date.max.isoformat()}",
        )
    sources: list[str] = [spec.recommendation_source]
    if sessions is None and spec.default_source:
        sources.append(spec.default_source)
    if every_days is None and spec.every_days_source:
        sources.append(spec.every_days_source)
    return Course(
        kind=spec.id,
        title=spec.title,
        every_days=step,
        sessions=tuple(
            Session(number=n + 1, on=start + timedelta(days=n * step)) for n in range(count)
        ),
        sources=tuple(dict.fromkeys(sources)),
        recommendation=spec.recommendation,
    )


def _session_index(course: Course, number: int) -> int:
    for i, session in enumerate(course.sessions):
        if session.number == number:
            return i
    raise InputError("session", number, f"a session number from 1 to {len(course.sessions)}")


def record_attendance(course: Course, number: int, attended: bool, note: str = "") -> Course:
    """A new course with session ``number`` marked attended (or missed)."""
    i = _session_index(course, number)
    sessions = list(course.sessions)
    sessions[i] = replace(sessions[i], attended=attended, note=note or sessions[i].note)
    return replace(course, sessions=tuple(sessions))


def reschedule_session(course: Course, number: int, on: date) -> Course:
    """A new course with session ``number`` moved to ``on`` (sessions stay in date order)."""
    i = _session_index(course, number)
    sessions = list(course.sessions)
    sessions[i] = replace(sessions[i], on=on)
    sessions.sort(key=lambda s: (s.on, s.number))
    return replace(course, sessions=tuple(sessions))
