"""What the patient's "today" page shows, from the approved plan: each dose time with what to
take (the plan's own dispensing: the tablets and syringe volumes the handout prints), the next
change and its date, the calendar of weeks, and whether the plan changed since the last visit.

Only approved versions are read. No clinician notes or warnings reach these views (the
handout's rule, ``reports.patient_words``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from benzodetox.core.plan import Plan, Step
from benzodetox.core.units import format_mg
from benzodetox.reports.common import format_day
from benzodetox.reports.patient_words import (
    ChangeView,
    WeekRow,
    change_list,
    picture,
    take_words,
    week_rows,
)
from benzodetox.web.careplans.services import approved_version
from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.plans.services import plan_of

__all__ = ["DoseTime", "Today", "dose_times_on", "today_for", "total_words"]


@dataclass(frozen=True)
class DoseTime:
    """One time of day: what to take, as (words, picture html) pairs."""

    time: str
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Today:
    day: str  # 'Mon 5 Jan 2026'
    version: PlanVersion | None
    doses: tuple[DoseTime, ...]
    total: str  # '18 mg a day', 'No more doses', ''
    next_change: ChangeView | None
    weeks: tuple[WeekRow, ...]
    this_week: str  # the number of the calendar row holding today, '' outside the plan
    state: str  # 'no-plan', 'before', 'during', 'after'
    starts: str  # the plan's first day, formatted
    medicines: str = ""  # 'diazepam', 'alprazolam and diazepam': every drug the plan uses

    def _is_earlier(self, week: WeekRow) -> bool:
        return bool(self.this_week) and week.number.isdigit() and int(week.number) < int(
            self.this_week
        )

    @property
    def earlier_weeks(self) -> tuple[WeekRow, ...]:
        """The weeks before this one: the calendar folds them away, so it opens on today."""
        return tuple(w for w in self.weeks if self._is_earlier(w))

    @property
    def coming_weeks(self) -> tuple[WeekRow, ...]:
        """This week and the weeks after it (every week before the plan starts)."""
        return tuple(w for w in self.weeks if not self._is_earlier(w))


def total_words(step: Step | None) -> str:
    """'18 mg diazepam a day', '5 mg diazepam + 1 mg clonazepam a day', 'No more doses' (the
    medicine is always named: a patient may hold old boxes of another one)."""
    if step is None or not any(d.mg > 0 for d in step.doses):
        return "No more doses"
    drugs = [drug for drug in step.drugs if step.daily_mg(drug)]
    return " + ".join(f"{format_mg(step.daily_mg(d))} {d}" for d in drugs) + " a day"


def dose_times_on(plan: Plan, day: date) -> tuple[DoseTime, ...]:
    """The doses of ``day`` by time: every take of the plan's dispensing (tablet counts with
    their pictures, syringe volumes), a dose from the patient's own supply said as such."""
    step = plan.step_on(day)
    if step is None:
        return ()
    doses = [d for d in step.doses if d.mg > 0]
    out: list[DoseTime] = []
    for at in sorted({d.time for d in doses}):
        items: list[tuple[str, str]] = []
        for dose in sorted((d for d in doses if d.time == at), key=lambda d: d.drug):
            prefix = f"{dose.drug}: "
            if dose.from_supply:
                items.append((f"{prefix}{format_mg(dose.mg)} from your own supply", ""))
                continue
            items += [(prefix + take_words(t), picture(t)) for t in dose.takes if t.mg > 0]
        out.append(DoseTime(at.strftime("%H:%M"), tuple(items)))
    return tuple(out)


def _next_change(plan: Plan, day: date) -> ChangeView | None:
    changes = {c.day: c for c in change_list(plan)}
    for step in plan.steps:
        if step.start > day:
            found = changes.get(format_day(step.start))
            if found is not None:
                return found
    return None


def today_for(patient: Patient, day: date, *, calendar: bool = False) -> Today:
    """Today's page for ``patient`` on ``day`` from the newest approved plan version (with the
    calendar of weeks when ``calendar``)."""
    version = approved_version(patient)
    if version is None:
        return Today(format_day(day), None, (), "", None, (), "", "no-plan", "")
    plan = plan_of(version)
    last = plan.last_dose_date
    if day < plan.start:
        state = "before"
    elif last is None or day > last:
        state = "after"
    else:
        state = "during"
    week = ""
    if plan.start <= day <= plan.end:
        week = str((day - plan.start).days // 7 + 1)
    step = plan.step_on(day)
    return Today(
        day=format_day(day),
        version=version,
        doses=dose_times_on(plan, day),
        total=total_words(step) if step is not None else "",
        next_change=_next_change(plan, day),
        weeks=week_rows(plan) if calendar else (),
        this_week=week,
        state=state,
        starts=format_day(plan.start),
        medicines=" and ".join(sorted({d.drug for s in plan.steps for d in s.doses if d.mg > 0})),
    )
