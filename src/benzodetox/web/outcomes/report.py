"""Everything the outcomes page, its PDF and the CLI show for a cohort, in one object: the
core's cohort figures with small cells suppressed, and the charts drawn from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from benzodetox.core.outcomes import (
    STATUSES,
    Definitions,
    EpisodeOutcome,
    FunnelStage,
    KMPoint,
    Quartiles,
    Retention,
    definition_rows,
    funnel,
    kaplan_meier,
    phase_burden,
    phase_trajectories,
    quartiles,
    retention,
    status_counts,
    suppress,
    trajectory,
)

from . import charts

__all__ = ["Figures", "figures", "figures_as_dict"]

PHASE_WORDS = {
    "intake": "Before the plan (intake)",
    "crossover": "Crossover",
    "stabilise": "Stabilising",
    "tapering": "Tapering",
    "hold": "Hold or plateau",
    "aftercare": "After the last dose",
}


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int | None


@dataclass(frozen=True)
class PhaseTrajectory:
    phase: str
    words: str
    #: (week since the phase began, quartiles); a hidden week has n None and no quartiles
    weeks: list[tuple[int, Quartiles]]


@dataclass(frozen=True)
class Figures:
    patients: int | None
    threshold: int
    statuses: list[tuple[str, str, int | None]]
    km: list[KMPoint]
    km_table: list[KMPoint]
    #: the weekly trajectory from the start (JSON only: the page shows it by phase)
    weeks: list[tuple[int, Quartiles]]
    phases: list[PhaseTrajectory]
    burden: list[tuple[str, Quartiles, Quartiles]]
    funnel: list[FunnelStage]
    retention: list[Retention]
    time_to_last_dose: Quartiles
    planned_days: Quartiles
    delay_days: Quartiles
    counts: list[CountRow]
    timing: list[tuple[str, Quartiles]]
    definitions: list[tuple[str, str, str]]
    svg: dict[str, str] = field(default_factory=dict)


def _km_table(points: Sequence[KMPoint], every: int = 28) -> list[KMPoint]:
    """The curve read every four weeks (the table beside the chart)."""
    if not points:
        return []
    rows = []
    day = 0
    last = points[-1].day
    while day <= last:
        current = max((p for p in points if p.day <= day), key=lambda p: p.day)
        rows.append(KMPoint(day, current.still_tapering, current.at_risk))
        day += every
    if rows[-1].day != last:
        rows.append(points[-1])
    return rows


def figures(cohort: Sequence[EpisodeOutcome], defs: Definitions, draw: bool = True) -> Figures:
    k = defs.small_cell_threshold
    km = kaplan_meier(cohort, k)
    weeks = trajectory(cohort, k, defs.trajectory_weeks)
    phases = [
        PhaseTrajectory(p, PHASE_WORDS.get(p, p), rows)
        for p, rows in phase_trajectories(cohort, k, defs.trajectory_weeks)
    ]
    stages = funnel(cohort, k, defs.retention_days)
    reached = [o for o in cohort if o.last_dose_day is not None]
    counts = [
        CountRow("Had at least one hold", suppress(sum(1 for o in cohort if o.holds), k)),
        CountRow("Had at least one slow-down", suppress(sum(1 for o in cohort if o.slowdowns), k)),
        CountRow("Had at least one step back", suppress(sum(1 for o in cohort if o.step_backs), k)),
        CountRow(
            "Had at least one emergency", suppress(sum(1 for o in cohort if o.emergencies), k)
        ),
        CountRow(
            "Moved between inpatient and outpatient care",
            suppress(sum(1 for o in cohort if o.moved_setting), k),
        ),
    ]
    out = Figures(
        patients=suppress(len(cohort), k),
        threshold=k,
        statuses=status_counts(cohort, k),
        km=km,
        km_table=_km_table(km),
        weeks=weeks,
        phases=phases,
        burden=[(PHASE_WORDS.get(p, p), peak, auc) for p, peak, auc in phase_burden(cohort, k)],
        funnel=stages,
        retention=retention(cohort, k, defs.retention_days),
        time_to_last_dose=quartiles(
            [o.last_dose_day for o in reached if o.last_dose_day is not None], k
        ),
        planned_days=quartiles([o.planned_days for o in reached if o.planned_days is not None], k),
        delay_days=quartiles([o.delay_days for o in reached if o.delay_days is not None], k),
        counts=counts,
        timing=[],
        definitions=definition_rows(defs),
    )
    out.timing.extend(
        [
            ("Days from the start to the last dose", out.time_to_last_dose),
            ("Days the first plan planned", out.planned_days),
            ("Days beyond the first plan", out.delay_days),
        ]
    )
    if draw:
        last_day = max((o.tapering_days for o in cohort), default=0)
        out.svg.update(
            km=charts.km_svg(km, last_day),
            trajectory=charts.phase_trajectory_svg(
                [(t.words, t.weeks) for t in phases], defs.trajectory_weeks
            ),
            funnel=charts.funnel_svg(stages),
        )
    return out


def _q(q: Quartiles) -> dict[str, Any]:
    def s(v: Decimal | None) -> str | None:
        return None if v is None else str(v)

    return {"n": q.n, "q1": s(q.q1), "median": s(q.median), "q3": s(q.q3)}


def figures_as_dict(f: Figures) -> dict[str, Any]:
    """The figures as JSON-ready data (the CLI's --format json); hidden cells are null."""
    return {
        "patients": f.patients,
        "small_cell_threshold": f.threshold,
        "statuses": {s: c for s, _w, c in f.statuses},
        "still_tapering": [
            {"day": p.day, "share": str(p.still_tapering), "at_risk": p.at_risk} for p in f.km_table
        ],
        "ciwa_b_by_phase": {
            phase: {"peak": _q(peak), "auc": _q(auc)} for phase, peak, auc in f.burden
        },
        "ciwa_b_by_week": {str(w): _q(q) for w, q in f.weeks},
        "ciwa_b_by_phase_week": {t.phase: {str(w): _q(q) for w, q in t.weeks} for t in f.phases},
        "funnel": [
            {"stage": s.label, "count": s.count, "went_no_further": s.stopped_here}
            for s in f.funnel
        ],
        "retention": [
            {
                "day": r.day,
                "eligible": r.eligible,
                "retained": r.retained,
                "percent": None if r.percent is None else str(r.percent),
            }
            for r in f.retention
        ],
        "days_to_last_dose": _q(f.time_to_last_dose),
        "planned_days": _q(f.planned_days),
        "days_beyond_plan": _q(f.delay_days),
        "counts": {c.label: c.count for c in f.counts},
        "definitions": [{"what": a, "value": b, "source": c} for a, b, c in f.definitions],
        "status_words": dict(STATUSES),
    }
