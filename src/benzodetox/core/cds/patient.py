"""The patient-view rules: a taper step due, a rising CIWA-B, an assessment overdue and a gap
in aftercare contacts. No rule applies → no card.

The rules reuse the core's own: the plan's dose changes (``phase.next_change``), the alert
severity of a CIWA-B total (``assessment.alerts``, with the programme's bands), the monitoring
schedule's overdue items (``assessment.schedule``) and the aftercare policy's contact interval
(``careplan.aftercare``). Only the "how many days ahead" and "how many rising totals" settings are
this module's, in cds.toml (unconfirmed programme settings).

>>> from datetime import time
>>> from benzodetox.core.plan import ScheduledDose, Step
>>> def step(i, start, end, mg):
...     dose = ScheduledDose(time(8), "diazepam", Decimal(mg), Decimal(mg))
...     return Step(i, start, end, "reduction", (dose,), Decimal(mg), Decimal(0))
>>> steps = (step(1, date(2026, 1, 1), date(2026, 1, 14), 20),
...          step(2, date(2026, 1, 15), date(2026, 1, 28), 18))
>>> [c.summary for c in patient_cards(PatientFacts(date(2026, 1, 15), TaperState(3, steps)))]
['Taper step today: 18 mg diazepam-eq/day (reduction)']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from ..assessment.alerts import alerts_for
from ..assessment.instruments import Score, instrument
from ..assessment.schedule import DueItem
from ..careplan.aftercare import AftercarePlan, AftercarePolicy, default_policy
from ..errors import InputError
from ..phase import next_change, phase_on
from ..units import format_mg
from ._data import card_source, data, shorten
from .cards import Card
from .orders import TaperState

__all__ = [
    "CiwaReading",
    "PatientFacts",
    "aftercare_gap_card",
    "ciwa_trend_card",
    "overdue_card",
    "patient_cards",
    "rising_count",
    "step_due_card",
    "step_due_days",
]


@dataclass(frozen=True)
class CiwaReading:
    """A scored CIWA-B and when it was taken."""

    at: datetime
    score: Score

    def __post_init__(self) -> None:
        if self.score.instrument != "ciwa-b":
            raise InputError("instrument", self.score.instrument, "ciwa-b")


@dataclass(frozen=True)
class PatientFacts:
    """What the patient-view rules look at on ``today``: the plan in force, the CIWA-B readings
    (any order), the monitoring schedule's items now and the aftercare generated (None: none
    yet; the programme's ``aftercare_policy`` then gives the interval)."""

    today: date
    taper: TaperState | None = None
    ciwa: tuple[CiwaReading, ...] = ()
    due: tuple[DueItem, ...] = ()
    aftercare: AftercarePlan | None = None
    aftercare_policy: AftercarePolicy | None = None


def _setting(name: str) -> int:
    return int(data()["settings"][name])


def step_due_days() -> int:
    """A planned dose change counts as due from this many days before it (unconfirmed)."""
    return _setting("step_due_days")


def rising_count() -> int:
    """How many successive CIWA-B totals must each rise for the trend card (unconfirmed)."""
    return _setting("rising_count")


def _mg(value: Decimal | None) -> str:
    return "nothing (before the plan)" if value is None else format_mg(value)


def step_due_card(taper: TaperState | None, today: date, within: int | None = None) -> Card | None:
    """The card for the plan's next dose change when it starts today or within ``within``
    days (default: ``step_due_days()``)."""
    if taper is None or not taper.steps:
        return None
    days = step_due_days() if within is None else within
    change = next_change(taper.steps, today - timedelta(days=1))
    if change is None or change.on > today + timedelta(days=days):
        return None
    row = data()["step_due"]
    values = {"on": change.on.isoformat(), "to": format_mg(change.to_mg), "kind": change.kind}
    key = "summary_today" if change.on == today else "summary_ahead"
    return Card(
        summary=shorten(row[key].format(**values)),
        indicator=row["indicator"],
        source=card_source(row),
        detail=row["detail"].format(version=taper.version, from_=_mg(change.from_mg), **values),
        kind="step-due",
    )


def _rising(totals: Sequence[int]) -> bool:
    return all(a < b for a, b in pairwise(totals))


def ciwa_trend_card(readings: Sequence[CiwaReading], count: int | None = None) -> Card | None:
    """The card when the last ``count`` CIWA-B totals (default ``rising_count()``) each rose;
    critical when the latest total's own alert is critical, else a warning."""
    needed = rising_count() if count is None else count
    if needed < 2:
        raise InputError("rising count", needed, "at least 2 readings")
    last = sorted(readings, key=lambda r: r.at)[-needed:]
    if len(last) < needed or not _rising([r.score.total for r in last]):
        return None
    latest = last[-1].score
    severities = {a.severity for a in alerts_for(latest)}
    indicator = "critical" if "critical" in severities else "warning"
    row = data()["ciwa_trend"]
    totals = " → ".join(str(r.score.total) for r in last)
    readings_text = ", ".join(f"{r.score.total} on {r.at:%Y-%m-%d %H:%M}" for r in last)
    band = f"in the {latest.band} band" if latest.band else "outside the bands"
    return Card(
        summary=shorten(row["summary"].format(totals=totals)),
        indicator=indicator,
        source=card_source(row, (latest.band_source,) if latest.band_source else ()),
        detail=row["detail"].format(count=needed, readings=readings_text, band=band),
        kind="ciwa-trend",
    )


def _name(key: str) -> str:
    try:
        return instrument(key).short
    except InputError:
        return key.replace("-", " ")


def overdue_card(items: Sequence[DueItem]) -> Card | None:
    """One card naming every overdue assessment of the monitoring schedule."""
    late = [i for i in items if i.status == "overdue"]
    if not late:
        return None
    row = data()["overdue"]
    names = ", ".join(dict.fromkeys(_name(i.assessment) for i in late))
    lines = " ".join(
        f"{_name(i.assessment)}: due {i.window} ({i.reason}"
        f"{'' if i.confirmed else ', an unconfirmed schedule'})." for i in late
    )
    return Card(
        summary=shorten(row["summary"].format(names=names)),
        indicator=row["indicator"],
        source=card_source(row, tuple(dict.fromkeys(i.source for i in late))),
        detail=row["detail"].format(lines=lines),
        kind="assessment-overdue",
    )


def _interval(policy: AftercarePolicy, day: int) -> tuple[int, str]:
    for phase in policy.contact_phases:
        if phase.from_day <= day <= phase.until_day:
            return phase.every.value, phase.every.source
    return _setting("aftercare_contact_days"), "benzodetox-cds-settings"


def aftercare_gap_card(
    taper: TaperState | None,
    today: date,
    aftercare: AftercarePlan | None,
    policy: AftercarePolicy | None = None,
) -> Card | None:
    """The card when the patient is in aftercare (after the plan's last dose, within the
    policy's length) and no contact or review is scheduled within the policy's contact
    interval from ``today``."""
    if taper is None:
        return None
    found = phase_on(taper.steps, today)
    if found is None or found.phase != "aftercare":
        return None
    last_dose = found.since - timedelta(days=1)
    used = aftercare.policy if aftercare is not None else (policy or default_policy())
    day = (today - last_dose).days
    if day > used.days.value:
        return None
    every, interval_source = _interval(used, day)
    by = today + timedelta(days=every)
    planned = sorted(
        item.on
        for item in (aftercare.items if aftercare is not None else ())
        if item.kind in ("contact", "review") and item.done is None and item.on >= today
    )
    if any(on <= by for on in planned):
        return None
    row = data()["aftercare_gap"]
    if aftercare is None:
        after = f" ({row['no_aftercare']})"
    elif planned:
        after = f" (the next is on {planned[0].isoformat()})"
    else:
        after = " (none is scheduled at all)"
    return Card(
        summary=shorten(row["summary"].format(by=by.isoformat())),
        indicator=row["indicator"],
        source=card_source(row, (interval_source,)),
        detail=row["detail"].format(
            last_dose=last_dose.isoformat(), day=day, every=every, today=today.isoformat(),
            by=by.isoformat(), next=after,
        ),
        kind="aftercare-gap",
    )


def patient_cards(facts: PatientFacts) -> tuple[Card, ...]:
    """Every patient-view card for ``facts``, most urgent first (none apply: empty)."""
    cards = [
        ciwa_trend_card(facts.ciwa),
        overdue_card(facts.due),
        aftercare_gap_card(facts.taper, facts.today, facts.aftercare, facts.aftercare_policy),
        step_due_card(facts.taper, facts.today),
    ]
    found = [c for c in cards if c is not None]
    order = {"critical": 0, "warning": 1, "info": 2}
    return tuple(sorted(found, key=lambda c: order[c.indicator]))
