"""Each outcome of one patient episode, computed from its history on a given day.

Definitions (programme definitions, ``core/data/outcomes.toml``; docs/outcomes.md):

*Last dose (reaching zero)*
    the episode reaches zero under an approved plan whose last dose falls before the next
    approved version (if any) and on or before ``as_of``. Plans are read in approval order, so
    a hold approved before the last day moves the last dose; one approved later is a restart.
*Restart*
    an approved plan version after the last dose: a restarted prescription, recorded as a
    return to use on its start day (besides self-reports and clinicians' records).
*Status* (the first that applies, in this order)
    ``returned`` — a return to use on or after the last dose; ``discontinued`` — a clinician set
    the phase "discontinued" before reaching zero (and no plan version was approved after it:
    the plan's later dates then say nothing); ``completed`` — reached zero and stayed off
    ``stayed_off_days`` with no return; ``lost`` — no contact for ``lost_to_follow_up_days``;
    ``plateau`` — the plan in force ends on a maintenance dose (a plateau decided by the team);
    ``aftercare`` — reached zero, not yet through ``stayed_off_days``; ``ongoing`` — tapering.
*Phase of a score*
    the plan in force on its day puts the patient in a phase (``core.phase.PHASE_OF_KIND``);
    before the first plan "intake", after the last dose "aftercare".
*CIWA-B trajectory by phase*
    per phase but intake, the highest CIWA-B of each week since the patient first entered that
    phase (a tapering interrupted by a hold keeps counting from its first day).
*Withdrawal burden*
    per phase, the peak CIWA-B total and its area under the curve (trapezoids between
    consecutive scores of that phase, score × days).
*Aftercare retention at day N*
    at least one attended aftercare contact in the ``retention_window_days`` up to day N after
    the last dose; None while day N has not come (censored) or without a last dose.

    >>> from datetime import date, timedelta
    >>> from decimal import Decimal
    >>> plan = PlanRecord(1, date(2026, 1, 1), "asam", date(2026, 1, 1), date(2026, 3, 1),
    ...                   date(2026, 3, 1))
    >>> h = EpisodeHistory("E1", 1, 40, "diazepam", Decimal(20), (plan,))
    >>> o = episode_outcome(h, date(2026, 2, 1))
    >>> o.status, o.reached_zero, o.tapering_days
    ('ongoing', False, 31)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from ..phase import PHASE_OF_KIND
from .definitions import Definitions, band_label, band_of, default_definitions
from .history import EpisodeHistory, PlanRecord, ReturnRecord

__all__ = [
    "STATUSES",
    "EpisodeOutcome",
    "PhaseBurden",
    "changes_after",
    "episode_outcome",
    "phase_on",
    "phase_starts",
]

#: statuses in the order they are decided, with their words
STATUSES: dict[str, str] = {
    "returned": "Returned to use after the last dose",
    "discontinued": "Discontinued",
    "completed": "Completed (off and stayed off)",
    "lost": "Lost to follow-up",
    "plateau": "Plateau by decision",
    "aftercare": "Reached zero, in aftercare",
    "ongoing": "Ongoing taper",
}
PHASE_ORDER = ("intake", "crossover", "stabilise", "tapering", "hold", "aftercare")


@dataclass(frozen=True)
class PhaseBurden:
    phase: str
    scores: int
    peak: int
    auc: Decimal


@dataclass(frozen=True)
class EpisodeOutcome:
    episode: str
    patient_id: int
    start: date
    start_month: str
    status: str
    status_on: date
    strategy: str
    setting: str
    moved_setting: bool
    starting_drug: str
    starting_dose_mg: Decimal
    dose_band: str
    age_band: str
    reached_zero: bool
    last_dose_day: int | None
    planned_days: int | None
    #: days from the start to the last dose (event) or to censoring, for the "still tapering" curve
    tapering_days: int
    holds: int
    slowdowns: int
    step_backs: int
    plateaus: int
    plan_versions: int
    emergencies: int
    emergency_kinds: tuple[str, ...]
    burden: tuple[PhaseBurden, ...]
    #: (day N, retained?) with None where day N has not come
    retention: tuple[tuple[int, bool | None], ...]
    returned_via: tuple[str, ...]
    last_contact: date
    #: the highest CIWA-B of each week from the start (week 0 first; -1: none that week), up to
    #: the last week with a score
    ciwa_by_week: tuple[int, ...]
    #: per phase with scores (in :data:`PHASE_ORDER`, intake left out): the highest CIWA-B of
    #: each week since the patient first entered that phase (-1: none that week)
    ciwa_by_phase: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def on(self, day: date) -> EpisodeOutcome:
        """The same outcome read on a later ``day`` with no new record (valid until
        :func:`changes_after`): only an open episode's censoring day moves."""
        if self.status not in ("ongoing", "plateau") or day <= self.status_on:
            return self
        return replace(self, status_on=day, tapering_days=max(0, (day - self.start).days))

    @property
    def delay_days(self) -> int | None:
        """Days the last dose came after the first plan's planned last dose."""
        if self.last_dose_day is None or self.planned_days is None:
            return None
        return self.last_dose_day - self.planned_days


def _in_force(plans: tuple[PlanRecord, ...], day: date) -> PlanRecord | None:
    current = None
    for plan in plans:
        if plan.approved_on <= day:
            current = plan
    return current


def _stop(plans: tuple[PlanRecord, ...], as_of: date) -> tuple[int, date] | None:
    """(index of the plan, day) of the first last dose reached."""
    for i, plan in enumerate(plans):
        if plan.last_dose is None or plan.last_dose > as_of:
            continue
        following = plans[i + 1] if i + 1 < len(plans) else None
        if following is None or plan.last_dose < following.approved_on:
            return i, plan.last_dose
    return None


def phase_on(plans: tuple[PlanRecord, ...], day: date) -> str:
    """The phase the plan in force put the patient in on ``day`` (plans in approval order)."""
    plan = _in_force(plans, day)
    if plan is None:
        plan = plans[0] if plans and day >= plans[0].start else None
    if plan is None or day < plan.start:
        return "intake"
    if plan.last_dose is not None and day > plan.last_dose:
        return "aftercare"
    for step in plan.steps:
        if step.start <= day <= step.end:
            return PHASE_OF_KIND.get(step.kind, "tapering")
    return "tapering" if plan.last_dose is not None else "hold"


def phase_starts(
    plans: tuple[PlanRecord, ...], until: date, wanted: frozenset[str] | None = None
) -> dict[str, date]:
    """The first day on or before ``until`` that :func:`phase_on` gives each phase (reading
    stops once every phase in ``wanted`` has one). The phase only changes on a plan's start or
    approval, a step's first day or the day after its last, or the day after a last dose, so
    only those days are read."""
    one = timedelta(days=1)
    days: set[date] = set()
    for plan in plans:
        days.update((plan.start, plan.approved_on))
        if plan.last_dose is not None:
            days.add(plan.last_dose + one)
        for step in plan.steps:
            days.update((step.start, step.end + one))
    first: dict[str, date] = {}
    for candidate in sorted(d for d in days if d <= until):
        first.setdefault(phase_on(plans, candidate), candidate)
        if wanted is not None and wanted <= first.keys():
            break
    return first


def _by_phase(
    scores: list[tuple[date, int, str]], plans: tuple[PlanRecord, ...], weeks: int
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    scored = [s for s in scores if s[2] != "intake"]
    if not scored:
        return ()
    wanted = frozenset(phase for _on, _t, phase in scored)
    starts = phase_starts(plans, max(on for on, _t, _p in scored), wanted)
    grid: dict[str, dict[int, int]] = defaultdict(dict)
    for on, total, phase in scored:
        week = (on - starts.get(phase, on)).days // 7
        if 0 <= week < weeks:
            grid[phase][week] = max(grid[phase].get(week, 0), total)
    return tuple(
        (phase, tuple(grid[phase].get(w, -1) for w in range(max(grid[phase]) + 1)))
        for phase in PHASE_ORDER
        if grid.get(phase)
    )


def _burden(scores: list[tuple[date, int, str]]) -> tuple[PhaseBurden, ...]:
    by_phase: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for on, total, phase in scores:
        by_phase[phase].append((on, total))
    out = []
    for phase in PHASE_ORDER:
        rows = sorted(by_phase.get(phase, []))
        if not rows:
            continue
        auc = Decimal(0)
        for (d0, s0), (d1, s1) in pairwise(rows):
            auc += Decimal(s0 + s1) * (d1 - d0).days / 2
        out.append(PhaseBurden(phase, len(rows), max(s for _, s in rows), auc))
    return tuple(out)


def episode_outcome(
    history: EpisodeHistory, as_of: date, definitions: Definitions | None = None
) -> EpisodeOutcome:
    """The outcomes of ``history`` as known on ``as_of`` (records after it are ignored)."""
    d = definitions or default_definitions()
    plans = tuple(p for p in history.ordered_plans if p.approved_on <= as_of) or (
        history.ordered_plans[0],
    )
    start = plans[0].start
    stop = _stop(plans, as_of)
    # a discontinuation stands unless a plan version was approved after it (re-engaged)
    discontinued = sorted(
        p.on
        for p in history.phases
        if p.phase == "discontinued"
        and p.on <= as_of
        and not any(plan.approved_on > p.on for plan in plans)
    )
    if discontinued and stop is not None and discontinued[0] < stop[1]:
        stop = None
    if stop is not None:
        discontinued = []
    stop_day = stop[1] if stop else None
    before_stop = plans[: stop[0] + 1] if stop else plans

    returns = [r for r in history.returns if r.on <= as_of]
    if stop is not None:
        returns += [ReturnRecord(p.start, "restart") for p in plans[stop[0] + 1 :]]
    returns_after = sorted(
        (r for r in returns if stop_day is not None and r.on >= stop_day), key=lambda r: r.on
    )
    scores = [s for s in history.scores if s.on <= as_of]
    attended = [c.on for c in history.contacts if c.attended and c.on <= as_of]
    contacts = (
        [s.on for s in scores]
        + [e.on for e in history.emergencies if e.on <= as_of]
        + attended
        + [p.approved_on for p in plans]
        + [p.on for p in history.phases if p.on <= as_of]
        + [start]
    )
    last_contact = (
        max(c for c in contacts if c <= as_of) if any(c <= as_of for c in contacts) else start
    )
    in_force = _in_force(plans, as_of) or plans[0]

    status_on = as_of
    if returns_after:
        status, status_on = "returned", returns_after[0].on
    elif discontinued:
        status, status_on = "discontinued", discontinued[0]
    elif stop_day is not None and (as_of - stop_day).days >= d.stayed_off_days:
        status, status_on = "completed", stop_day
    elif (as_of - last_contact).days > d.lost_to_follow_up_days:
        status, status_on = "lost", last_contact
    elif stop_day is None and (in_force.last_dose is None or in_force.adjustment == "plateau"):
        status = "plateau"
    elif stop_day is not None:
        status, status_on = "aftercare", stop_day
    else:
        status = "ongoing"

    if stop_day is not None:
        tapering_days = (stop_day - start).days
    elif status in ("discontinued", "lost"):
        tapering_days = max(0, (status_on - start).days)
    else:
        tapering_days = max(0, (as_of - start).days)

    settings = sorted(history.settings, key=lambda s: s.on)
    setting = next((s.setting for s in reversed(settings) if s.on <= start), None)
    if setting is None:
        setting = settings[0].setting if settings else "outpatient"
    end = stop_day or as_of
    moved = any(s.setting != setting for s in settings if start < s.on <= end)

    first = plans[0]
    planned = (first.last_dose - first.start).days if first.last_dose is not None else None

    ciwa = [(s.on, s.total, phase_on(plans, s.on)) for s in scores if s.instrument == "ciwa-b"]
    weeks: dict[int, int] = {}
    for on, total, _phase in ciwa:
        week = (on - start).days // 7
        if 0 <= week < d.trajectory_weeks:
            weeks[week] = max(weeks.get(week, 0), total)

    emergencies = sorted(e.kind for e in history.emergencies if e.on <= as_of)
    retention: list[tuple[int, bool | None]] = []
    for n in d.retention_days:
        if stop_day is None or (as_of - stop_day).days < n:
            retention.append((n, None))
        else:
            lo, hi = n - d.retention_window_days, n
            retention.append((n, any(lo < (c - stop_day).days <= hi for c in attended)))

    adjustments = [p.adjustment for p in before_stop]
    dose_band = band_of(history.starting_dose_mg, d.dose_bands_mg)
    age_band = band_of(history.age_at_start, d.age_bands_years)
    return EpisodeOutcome(
        episode=history.episode,
        patient_id=history.patient_id,
        start=start,
        start_month=f"{start:%Y-%m}",
        status=status,
        status_on=status_on,
        strategy=first.strategy,
        setting=setting,
        moved_setting=moved,
        starting_drug=history.starting_drug,
        starting_dose_mg=history.starting_dose_mg,
        dose_band=band_label(d.dose_bands_mg, dose_band, "mg"),
        age_band=band_label(d.age_bands_years, age_band, ""),
        reached_zero=stop_day is not None,
        last_dose_day=(stop_day - start).days if stop_day is not None else None,
        planned_days=planned,
        tapering_days=tapering_days,
        holds=adjustments.count("hold"),
        slowdowns=adjustments.count("slow"),
        step_backs=adjustments.count("step_back"),
        plateaus=adjustments.count("plateau"),
        plan_versions=len(before_stop),
        emergencies=len(emergencies),
        emergency_kinds=tuple(emergencies),
        burden=_burden(ciwa),
        retention=tuple(retention),
        returned_via=tuple(dict.fromkeys(r.source for r in returns_after)),
        last_contact=last_contact,
        ciwa_by_week=tuple(weeks.get(w, -1) for w in range(max(weeks) + 1)) if weeks else (),
        ciwa_by_phase=_by_phase(ciwa, plans, d.trajectory_weeks),
    )


def changes_after(
    history: EpisodeHistory,
    as_of: date,
    definitions: Definitions | None = None,
    outcome: EpisodeOutcome | None = None,
) -> date | None:
    """The first day after ``as_of`` on which :func:`episode_outcome` may say something other
    than ``episode_outcome(history, as_of).on(day)`` with no new record: a dated record coming
    into view, a last dose, the stayed-off horizon, a retention day, the lost-to-follow-up
    day. None: nothing changes by itself. Adapters keep outcomes until then. ``outcome`` is
    ``episode_outcome(history, as_of, definitions)`` when the caller has it already."""
    d = definitions or default_definitions()
    if outcome is None:
        outcome = episode_outcome(history, as_of, d)
    days: list[date] = []
    for plan in history.plans:
        days += [plan.approved_on, plan.start]
        if plan.last_dose is not None:
            days.append(plan.last_dose)
    days += [s.on for s in history.scores] + [e.on for e in history.emergencies]
    days += [c.on for c in history.contacts if c.attended]
    days += [s.on for s in history.settings] + [p.on for p in history.phases]
    days += [r.on for r in history.returns]
    if outcome.last_dose_day is not None:
        stop = outcome.start + timedelta(days=outcome.last_dose_day)
        days.append(stop + timedelta(days=d.stayed_off_days))
        days += [stop + timedelta(days=n) for n in d.retention_days]
    days.append(outcome.last_contact + timedelta(days=d.lost_to_follow_up_days + 1))
    later = [day for day in days if day > as_of]
    return min(later) if later else None
