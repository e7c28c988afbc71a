"""Which assessments are due, and which are overdue, at a given moment.

Inpatient care repeats each assessment at an interval (every 4–8 hours while stabilising, then
daily); outpatient care assesses at each reduction and again 3–7 days after it. These defaults
are programme policy (monitoring.toml, unconfirmed except Rec 9) and can be replaced. The moment
is passed in: the core never reads the clock. A programme's own frequencies are a
``SchedulePolicy`` (``programme_schedule``) passed to ``due`` and its helpers.

After an escalation (``assessment.alerts``) the CIWA-B and vital signs repeat at the policy's
shorter ``escalation`` interval (4–8 h by default) until a reassessment no longer escalates:

>>> items = due_after_escalation(datetime(2025, 3, 3, 10, 0), done=[],
...                              at=datetime(2025, 3, 3, 11, 0))
>>> [(i.assessment, i.window) for i in items]
[('ciwa-b', '2025-03-03 14:00 – 18:00'), ('vitals', '2025-03-03 14:00 – 18:00')]

>>> from datetime import datetime
>>> items = due_inpatient("stabilisation", done=[("ciwa-b", datetime(2025, 3, 1, 8, 0))],
...                       since=datetime(2025, 3, 1, 7, 0), at=datetime(2025, 3, 1, 15, 30))
>>> [(i.assessment, i.status) for i in items]
[('ciwa-b', 'due'), ('vitals', 'overdue')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta
from typing import Any

from ..errors import InputError
from ..plan import Plan
from ._common import read_data

__all__ = [
    "DueItem",
    "InpatientRule",
    "OutpatientRule",
    "SchedulePolicy",
    "default_schedule",
    "due",
    "due_after_escalation",
    "due_inpatient",
    "due_outpatient",
    "escalation_rule",
    "inpatient_rules",
    "outpatient_rules",
    "programme_schedule",
    "with_escalation",
]

_DATA = read_data("monitoring.toml")


@dataclass(frozen=True)
class InpatientRule:
    phase: str
    assessments: tuple[str, ...]
    due_hours: int
    overdue_hours: int
    source: str
    rec: str
    confirmed: bool

    def __post_init__(self) -> None:
        if self.due_hours < 1:
            raise InputError(f"{self.phase} due_hours", self.due_hours, "at least 1 hour")
        if self.overdue_hours < self.due_hours:
            raise InputError(
                f"{self.phase} overdue_hours",
                self.overdue_hours,
                f"at least the hours until due ({self.due_hours})",
            )


@dataclass(frozen=True)
class OutpatientRule:
    """A window of days counted from the start of a reduction (day 0); ``key`` names it."""

    key: str
    name: str
    assessments: tuple[str, ...]
    from_day: int
    to_day: int
    source: str
    rec: str
    confirmed: bool

    def __post_init__(self) -> None:
        if self.from_day < 0:
            raise InputError(f"{self.key} from_day", self.from_day, "day 0 or later")
        if self.to_day < self.from_day:
            raise InputError(
                f"{self.key} to_day", self.to_day, f"the first day ({self.from_day}) or later"
            )


def escalation_rule() -> InpatientRule:
    """The interval after an escalation, from monitoring.toml [escalation]."""
    r = _DATA["escalation"]
    return InpatientRule(
        phase="after an escalation",
        due_hours=int(r["due_hours"]),
        overdue_hours=int(r["overdue_hours"]),
        **_rule_fields(r),
    )


@dataclass(frozen=True)
class SchedulePolicy:
    """The monitoring schedule in force: inpatient intervals, outpatient windows and the
    interval after an escalation (any setting)."""

    inpatient: tuple[InpatientRule, ...]
    outpatient: tuple[OutpatientRule, ...]
    escalation: InpatientRule = dataclass_field(default_factory=lambda: escalation_rule())


@dataclass(frozen=True)
class DueItem:
    """``status`` is "done", "not yet", "due" or "overdue" at the moment asked about."""

    assessment: str
    status: str
    due_from: datetime
    overdue_after: datetime
    reason: str
    source: str
    confirmed: bool

    @property
    def window(self) -> str:
        """When it is due, in words: "2025-03-03 14:00 – 18:00" (a range), or "by 2025-03-04
        10:00" where the rule leaves no slack (due and overdue at the same moment)."""
        start, end = self.due_from, self.overdue_after
        if start == end:
            return f"by {end:%Y-%m-%d %H:%M}"
        if start.date() == end.date():
            return f"{start:%Y-%m-%d %H:%M} – {end:%H:%M}"
        return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"

    def as_dict(self) -> dict[str, object]:
        return {
            "assessment": self.assessment,
            "status": self.status,
            "window": self.window,
            "due_from": self.due_from.isoformat(),
            "overdue_after": self.overdue_after.isoformat(),
            "reason": self.reason,
            "source": self.source,
            "confirmed": self.confirmed,
        }


def _rule_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "assessments": tuple(row["assessments"]),
        "source": row["source"],
        "rec": row.get("rec", ""),
        "confirmed": bool(row["confirmed"]),
    }


def inpatient_rules() -> tuple[InpatientRule, ...]:
    return tuple(
        InpatientRule(
            phase=r["phase"],
            due_hours=int(r["due_hours"]),
            overdue_hours=int(r["overdue_hours"]),
            **_rule_fields(r),
        )
        for r in _DATA["inpatient"]
    )


def outpatient_rules() -> tuple[OutpatientRule, ...]:
    return tuple(
        OutpatientRule(
            key=r["key"],
            name=r["name"],
            from_day=int(r["from_day"]),
            to_day=int(r["to_day"]),
            **_rule_fields(r),
        )
        for r in _DATA["outpatient"]
    )


def default_schedule() -> SchedulePolicy:
    """The schedule in monitoring.toml (each rule with its source and confirmed flag)."""
    return SchedulePolicy(inpatient=inpatient_rules(), outpatient=outpatient_rules())


def programme_schedule(
    base: SchedulePolicy,
    source: str,
    inpatient: Mapping[str, tuple[int, int]] | None = None,
    outpatient: Mapping[str, tuple[int, int]] | None = None,
    escalation: tuple[int, int] | None = None,
) -> SchedulePolicy:
    """``base`` with a programme's own frequencies: ``inpatient`` maps a phase to (due_hours,
    overdue_hours), ``outpatient`` a window's key to (from_day, to_day), ``escalation`` is
    (due_hours, overdue_hours) after an escalation. A changed rule names ``source`` (the
    programme's policy) and is never confirmed; the others keep theirs.

    >>> s = programme_schedule(
    ...     default_schedule(), "programme", outpatient={"after-reduction": (2, 5)}
    ... )
    >>> [(r.name, r.confirmed) for r in s.outpatient]
    [('at the reduction', True), ('2–5 days after the reduction', False)]
    """
    inpatient = dict(inpatient or {})
    outpatient = dict(outpatient or {})
    for field, wanted, known in (
        ("phase", inpatient, [r.phase for r in base.inpatient]),
        ("window", outpatient, [r.key for r in base.outpatient]),
    ):
        unknown = sorted(set(wanted) - set(known))
        if unknown:
            raise InputError(field, unknown[0], ", ".join(known))
    rec = f"{source}, not a cited figure"
    ins = tuple(
        replace(
            r,
            due_hours=inpatient[r.phase][0],
            overdue_hours=inpatient[r.phase][1],
            source=source,
            rec=rec,
            confirmed=False,
        )
        if r.phase in inpatient and inpatient[r.phase] != (r.due_hours, r.overdue_hours)
        else r
        for r in base.inpatient
    )
    outs = tuple(
        replace(
            r,
            name=_window_name(*outpatient[r.key]),
            from_day=outpatient[r.key][0],
            to_day=outpatient[r.key][1],
            source=source,
            rec=rec,
            confirmed=False,
        )
        if r.key in outpatient and outpatient[r.key] != (r.from_day, r.to_day)
        else r
        for r in base.outpatient
    )
    esc = base.escalation
    if escalation is not None and escalation != (esc.due_hours, esc.overdue_hours):
        esc = replace(
            esc,
            due_hours=escalation[0],
            overdue_hours=escalation[1],
            source=source,
            rec=rec,
            confirmed=False,
        )
    return SchedulePolicy(inpatient=ins, outpatient=outs, escalation=esc)


def _window_name(from_day: int, to_day: int) -> str:
    if from_day == to_day == 0:
        return "at the reduction"
    if from_day == to_day:
        return f"{from_day} day{'s' if from_day != 1 else ''} after the reduction"
    return f"{from_day}–{to_day} days after the reduction"


def _last(done: Iterable[tuple[str, datetime]], kind: str, at: datetime) -> datetime | None:
    times = [t for k, t in done if k == kind and t <= at]
    return max(times) if times else None


def due_inpatient(
    phase: str,
    done: Iterable[tuple[str, datetime]],
    since: datetime,
    at: datetime,
    rules: Sequence[InpatientRule] | None = None,
) -> tuple[DueItem, ...]:
    """Inpatient assessments at ``at``: each repeats ``due_hours`` after the last one of its
    kind (or after ``since``, the admission, if none yet) and is overdue after
    ``overdue_hours``. ``done`` lists (assessment, when) pairs."""
    used = rules if rules is not None else inpatient_rules()
    matching = [r for r in used if r.phase == phase]
    if not matching:
        raise InputError("phase", phase, ", ".join(sorted({r.phase for r in used})))
    if at < since:
        raise InputError("at", at.isoformat(), f"a moment after the admission ({since})")
    done = list(done)
    items: list[DueItem] = []
    for rule in matching:
        items.extend(_interval_items(rule, f"inpatient {phase}", done, since, at))
    return tuple(items)


def _every(rule: InpatientRule) -> str:
    if rule.due_hours != rule.overdue_hours:
        return f"every {rule.due_hours}–{rule.overdue_hours} h"
    return f"every {rule.due_hours} h"


def _interval_items(
    rule: InpatientRule,
    label: str,
    done: list[tuple[str, datetime]],
    since: datetime,
    at: datetime,
    first_after_since: bool = False,
) -> list[DueItem]:
    """Each assessment of ``rule`` repeats ``due_hours`` after the last one of its kind (not
    before ``since``); with none yet it is due from ``since`` (or, with
    ``first_after_since``, ``due_hours`` after it)."""
    items = []
    for kind in rule.assessments:
        last = _last(done, kind, at)
        if last is not None and last < since:
            last = None
        if last is None and first_after_since:
            last = since
        if last is None:
            due_from, overdue_after = since, since + timedelta(hours=rule.overdue_hours)
        else:
            due_from = last + timedelta(hours=rule.due_hours)
            overdue_after = last + timedelta(hours=rule.overdue_hours)
        status = "overdue" if at > overdue_after else "due" if at >= due_from else "not yet"
        items.append(
            DueItem(
                assessment=kind,
                status=status,
                due_from=due_from,
                overdue_after=overdue_after,
                reason=f"{label}: {_every(rule)}",
                source=rule.source,
                confirmed=rule.confirmed,
            )
        )
    return items


def due_after_escalation(
    escalated_at: datetime,
    done: Iterable[tuple[str, datetime]],
    at: datetime,
    rule: InpatientRule | None = None,
) -> tuple[DueItem, ...]:
    """The assessments due after an escalation at ``escalated_at`` (in any setting): each
    repeats at the escalation interval after the last one of its kind, the first counted from
    the escalation itself."""
    used = rule if rule is not None else escalation_rule()
    label = f"after the escalation of {escalated_at:%Y-%m-%d %H:%M}"
    return tuple(_interval_items(used, label, list(done), escalated_at, at, True))


def due_outpatient(
    reduction_starts: Iterable[date],
    done: Iterable[tuple[str, datetime]],
    at: datetime,
    rules: Sequence[OutpatientRule] | None = None,
) -> tuple[DueItem, ...]:
    """Outpatient assessments at ``at`` for the latest reduction that has started: each
    window (days from the reduction) is "not yet", "due", "done" or "overdue"."""
    used = rules if rules is not None else outpatient_rules()
    started = [d for d in reduction_starts if d <= at.date()]
    if not started:
        return ()
    start = max(started)
    done = list(done)
    items: list[DueItem] = []
    for rule in used:
        opens = datetime.combine(start + timedelta(days=rule.from_day), time(0))
        closes = datetime.combine(start + timedelta(days=rule.to_day + 1), time(0))
        for kind in rule.assessments:
            met = any(k == kind and opens <= t < closes and t <= at for k, t in done)
            if met:
                status = "done"
            elif at >= closes:
                status = "overdue"
            elif at >= opens:
                status = "due"
            else:
                status = "not yet"
            items.append(
                DueItem(
                    assessment=kind,
                    status=status,
                    due_from=opens,
                    overdue_after=closes,
                    reason=f"outpatient, {rule.name} of {start.isoformat()}",
                    source=rule.source,
                    confirmed=rule.confirmed,
                )
            )
    return tuple(items)


def due(
    plan: Plan,
    setting: str,
    done: Iterable[tuple[str, datetime]],
    at: datetime,
    since: datetime | None = None,
    policy: SchedulePolicy | None = None,
    escalated_at: datetime | None = None,
) -> tuple[DueItem, ...]:
    """What is due under ``plan`` at ``at`` in ``setting`` ("inpatient" or "outpatient"),
    by ``policy`` (default: ``default_schedule()``); while an escalation of ``escalated_at`` is
    in force, the CIWA-B and vital signs follow the policy's escalation interval instead.

    Inpatient: the phase is "stabilisation" while the plan's step at ``at`` is a stabilising
    step, else "tapering"; ``since`` defaults to the plan's start. Outpatient: windows follow
    the latest reduction step that has started.
    """
    used = policy if policy is not None else default_schedule()
    done = list(done)
    if setting == "inpatient":
        step = plan.step_on(at.date())
        phase = "stabilisation" if step is not None and step.kind == "stabilise" else "tapering"
        start = since if since is not None else datetime.combine(plan.start, time(0))
        items = due_inpatient(phase, done, start, at, used.inpatient)
    elif setting == "outpatient":
        starts = [s.start for s in plan.steps if s.kind == "reduction"]
        items = due_outpatient(starts, done, at, used.outpatient)
    else:
        raise InputError("setting", setting, "inpatient or outpatient")
    return with_escalation(items, escalated_at, done, at, used.escalation)


def with_escalation(
    items: Sequence[DueItem],
    escalated_at: datetime | None,
    done: Iterable[tuple[str, datetime]],
    at: datetime,
    rule: InpatientRule | None = None,
) -> tuple[DueItem, ...]:
    """``items`` with the assessments the escalation interval covers replaced by it (while an
    escalation is in force, ``escalated_at`` set; else ``items`` unchanged)."""
    if escalated_at is None:
        return tuple(items)
    after = due_after_escalation(escalated_at, done, at, rule)
    covered = {i.assessment for i in after}
    return (*after, *(i for i in items if i.assessment not in covered))
