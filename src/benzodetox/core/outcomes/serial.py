"""Episode outcomes as plain JSON-ready data and back (for an adapter's cache and exports),
and the de-identified row of the per-episode CSV: days since the start instead of dates, no
name, record number or date of birth (age band only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .episode import EpisodeOutcome, PhaseBurden

__all__ = ["CSV_COLUMNS", "OUTCOME_VERSION", "csv_row", "outcome_from_dict", "outcome_to_dict"]

#: raised whenever :class:`EpisodeOutcome` gains or changes a field, so adapters drop outcomes
#: kept in an older shape and compute them again (2: ``ciwa_by_phase``)
OUTCOME_VERSION = 2

_DATES = ("start", "status_on", "last_contact")


def outcome_to_dict(o: EpisodeOutcome) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in o.__dataclass_fields__:
        value = getattr(o, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif name == "burden":
            value = [[b.phase, b.scores, b.peak, str(b.auc)] for b in value]
        elif name == "ciwa_by_phase":
            value = [[phase, list(weeks)] for phase, weeks in value]
        elif isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[name] = value
    return out


def outcome_from_dict(data: dict[str, Any]) -> EpisodeOutcome:
    values = dict(data)
    for name in _DATES:
        values[name] = date.fromisoformat(values[name])
    values["starting_dose_mg"] = Decimal(values["starting_dose_mg"])
    values["burden"] = tuple(
        PhaseBurden(phase, scores, peak, Decimal(auc))
        for phase, scores, peak, auc in values["burden"]
    )
    values["retention"] = tuple((int(n), kept) for n, kept in values["retention"])
    values["ciwa_by_week"] = tuple(values["ciwa_by_week"])
    values["ciwa_by_phase"] = tuple(
        (str(phase), tuple(int(w) for w in weeks)) for phase, weeks in values["ciwa_by_phase"]
    )
    values["emergency_kinds"] = tuple(values["emergency_kinds"])
    values["returned_via"] = tuple(values["returned_via"])
    return EpisodeOutcome(**values)


CSV_COLUMNS = (
    "episode",
    "start_month",
    "status",
    "status_day",
    "strategy",
    "setting_at_start",
    "moved_setting",
    "starting_drug",
    "dose_band",
    "age_band",
    "reached_zero",
    "last_dose_day",
    "planned_last_dose_day",
    "days_beyond_plan",
    "holds",
    "slowdowns",
    "step_backs",
    "plateaus",
    "plan_versions",
    "emergencies",
    "returned_via",
    "retained_30",
    "retained_60",
    "retained_90",
    "ciwa_b_peak_by_phase",
    "ciwa_b_auc_by_phase",
)


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def csv_row(o: EpisodeOutcome) -> list[str]:
    """One de-identified row in :data:`CSV_COLUMNS` order. Days count from the episode's start
    (day 0); the start is given only as its month."""
    kept = dict(o.retention)

    def retained(n: int) -> str:
        return _flag(kept.get(n))

    def opt(value: int | None) -> str:
        return "" if value is None else str(value)

    return [
        o.episode,
        o.start_month,
        o.status,
        str((o.status_on - o.start).days),
        o.strategy,
        o.setting,
        _flag(o.moved_setting),
        o.starting_drug,
        o.dose_band,
        o.age_band,
        _flag(o.reached_zero),
        opt(o.last_dose_day),
        opt(o.planned_days),
        opt(o.delay_days),
        str(o.holds),
        str(o.slowdowns),
        str(o.step_backs),
        str(o.plateaus),
        str(o.plan_versions),
        str(o.emergencies),
        " ".join(o.returned_via),
        retained(30),
        retained(60),
        retained(90),
        " ".join(f"{b.phase}:{b.peak}" for b in o.burden),
        " ".join(f"{b.phase}:{b.auc}" for b in o.burden),
    ]
