"""Hand-built episode histories for the outcome tests: small builders with readable defaults.
Day numbers count from 1 January 2026 (day 0)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from benzodetox.core.outcomes import (
    ContactRecord,
    EmergencyRecord,
    EpisodeHistory,
    PhaseRecord,
    PlanRecord,
    ReturnRecord,
    ScoreRecord,
    SettingRecord,
    StepRecord,
)

DAY0 = date(2026, 1, 1)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def plan(
    number: int = 1,
    approved: int = 0,
    start: int = 0,
    last: int | None = 100,
    strategy: str = "asam",
    adjustment: str = "",
    steps: tuple[tuple[int, int, str], ...] = (),
) -> PlanRecord:
    end = last if last is not None else start + 200
    return PlanRecord(
        number=number,
        approved_on=day(approved),
        strategy=strategy,
        start=day(start),
        end=day(end),
        last_dose=day(last) if last is not None else None,
        steps=tuple(StepRecord(day(a), day(b), kind, Decimal(10)) for a, b, kind in steps),
        adjustment=adjustment,
    )


def history(
    *plans: PlanRecord,
    scores: tuple[tuple[int, int], ...] = (),
    emergencies: tuple[tuple[int, str], ...] = (),
    contacts: tuple[tuple[int, bool | None], ...] = (),
    settings: tuple[tuple[int, str], ...] = (),
    phases: tuple[tuple[int, str], ...] = (),
    returns: tuple[tuple[int, str], ...] = (),
    age: int = 45,
    dose: str = "20",
    episode: str = "E1",
) -> EpisodeHistory:
    return EpisodeHistory(
        episode=episode,
        patient_id=1,
        age_at_start=age,
        starting_drug="diazepam",
        starting_dose_mg=Decimal(dose),
        plans=plans or (plan(),),
        scores=tuple(ScoreRecord(day(n), "ciwa-b", total) for n, total in scores),
        emergencies=tuple(EmergencyRecord(day(n), kind) for n, kind in emergencies),
        contacts=tuple(ContactRecord(day(n), attended) for n, attended in contacts),
        settings=tuple(SettingRecord(day(n), s) for n, s in settings),
        phases=tuple(PhaseRecord(day(n), p) for n, p in phases),
        returns=tuple(ReturnRecord(day(n), s) for n, s in returns),
    )
