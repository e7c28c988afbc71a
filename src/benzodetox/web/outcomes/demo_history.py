"""Synthetic historical patients for the demo programme's outcomes page.

Generated deterministically (a fixed seed) and clearly labelled: record numbers ``SYN-0001`` …,
names "Synthetic history 1" …, every plan reason and note says "synthetic". Plans are built by
the core (so a synthetic patient's pages work like any other), shifted in time from a handful of
templates; everything is written with bulk INSERTs only (clinical tables refuse UPDATE and
DELETE). Dates of the past are kept by switching off ``auto_now_add`` on the few timestamp
fields the outcome rules read, for the duration of the insert.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from benzodetox.core.errors import InputError
from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan
from benzodetox.core.tapering.adjust import hold, plateau, slow, step_back
from benzodetox.interop.plan_json import plan_to_dict

__all__ = ["SYNTHETIC_PREFIX", "seed_outcome_history"]

SYNTHETIC_PREFIX = "SYN-"
PATIENTS = 300
SEED = 16
#: share of the patients who finished their taper that report a return to use (drawn from a
#: generator of their own, so the rest of the history stays as it was)
RETURN_SHARE = 0.08
RETURN_REPORTERS = ("patient", "patient", "clinician", "third_party")

DRUGS = (
    ("diazepam", "10"),
    ("diazepam", "20"),
    ("lorazepam", "2"),
    ("alprazolam", "1"),
    ("clonazepam", "1"),
    ("diazepam", "40"),
)
STRATEGIES = ("ashton", "ashton", "deprescribing", "asam", "hyperbolic")
TEMPLATE_START = date(2020, 1, 6)


@cache
def _template_dict(drug: str, mg: str, strategy: str) -> dict[str, Any]:
    return plan_to_dict(_template(drug, mg, strategy))


@cache
def _template(drug: str, mg: str, strategy: str) -> Plan:
    regimen = Regimen((Dose(time(22), drug, Decimal(mg)),))
    return build_plan(
        PlanRequest(regimen=regimen, source="ashton-2002", start=TEMPLATE_START, strategy=strategy)
    )


_ISO_DAY = re.compile(r'"(\d{4}-\d{2}-\d{2})"')


def _shift(data: dict[str, Any], days: int) -> dict[str, Any]:
    """The plan's JSON with every ISO date moved by ``days``."""

    def moved(match: re.Match[str]) -> str:
        try:
            return f'"{(date.fromisoformat(match.group(1)) + timedelta(days=days)).isoformat()}"'
        except ValueError:
            return match.group(0)

    shifted: dict[str, Any] = json.loads(_ISO_DAY.sub(moved, json.dumps(data)))
    return shifted


@contextmanager
def _dated(*fields: tuple[type[models.Model], str]) -> Iterator[None]:
    """Let bulk INSERTs carry past timestamps in auto_now_add fields."""
    changed = []
    for model, name in fields:
        field = model._meta.get_field(name)
        changed.append((field, field.auto_now_add))  # type: ignore[union-attr]
        field.auto_now_add = False  # type: ignore[union-attr]
    try:
        yield
    finally:
        for field, value in changed:
            field.auto_now_add = value  # type: ignore[union-attr]


def _insert(
    model: type[models.Model],
    constants: dict[str, Any],
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
) -> None:
    """Plain INSERTs of many rows: the constant columns are prepared once by their fields; the
    varying ones are ids, text, numbers, booleans, dates and aware datetimes, adapted as the
    database stores them."""
    meta = model._meta

    def concrete(name: str) -> models.Field[Any, Any]:
        return cast("models.Field[Any, Any]", meta.get_field(name))

    fixed = [
        (concrete(name).column, concrete(name).get_db_prep_save(value, connection))
        for name, value in constants.items()
    ]
    names = [concrete(name).column for name in columns] + [c for c, _ in fixed]
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "
        f"({', '.join(connection.ops.quote_name(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    tail = [v for _, v in fixed]
    ops = connection.ops

    def prep(value: Any) -> Any:
        if isinstance(value, datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return ops.adapt_datefield_value(value)
        return value

    prepared = [[prep(v) for v in row] + tail for row in rows]
    with connection.cursor() as cursor:
        for i in range(0, len(prepared), 2000):
            cursor.executemany(sql, prepared[i : i + 2000])


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_outcome_history(programme: Any, prescriber: Any, nurse: Any, today: date) -> int:
    """Add the synthetic historical patients to ``programme`` (once; call inside
    ``unscoped()``). Returns how many were added."""
    from benzodetox.web.careplans.models import AftercareItem, AftercarePlan, ReturnToUseReport
    from benzodetox.web.monitoring.models import Assessment
    from benzodetox.web.patients.models import Intake, Patient
    from benzodetox.web.plans.models import PlanApproval, PlanVersion

    if Patient.objects.filter(programme=programme, reference__startswith=SYNTHETIC_PREFIX).exists():
        return 0
    rng = random.Random(SEED)
    plans_by_patient: list[list[tuple[date, dict[str, Any], str, dict[str, Any]]]] = []
    fates: list[dict[str, Any]] = []
    patients = []
    for i in range(PATIENTS):
        drug, mg = rng.choice(DRUGS)
        inpatient = rng.random() < 0.2
        strategy = "inpatient" if inpatient and rng.random() < 0.5 else rng.choice(STRATEGIES)
        start = today - timedelta(days=rng.randint(21, 800))
        start -= timedelta(days=start.weekday())
        shift = (start - TEMPLATE_START).days
        base = _template(drug, mg, strategy)
        versions: list[tuple[date, dict[str, Any], str, dict[str, Any]]] = [
            (start - timedelta(days=1), _template_dict(drug, mg, strategy), "", {})
        ]
        reductions = [s for s in base.steps[1:] if s.kind == "reduction"]
        roll = rng.random()
        changed: Plan | None = None
        if reductions and roll < 0.45:
            step = reductions[-1] if roll < 0.12 else rng.choice(reductions)
            on = step.start
            kind = ("hold", "slow", "step_back", "plateau")[0 if roll < 0.3 else rng.randint(1, 3)]
            try:
                changed = _adjusted(base, kind, on)
            except InputError:  # the adjustment does not apply on that step: leave the plan
                changed = None
        if changed is not None:
            approved = on + timedelta(days=shift - 1)
            adjustment = {"kind": kind, "on": on.isoformat()}
            versions.append((approved, plan_to_dict(changed), kind, adjustment))
        final = versions[-1][1]
        last = (
            date.fromisoformat(final["last_dose"]) + timedelta(days=shift)
            if final["last_dose"]
            else None
        )
        fate: dict[str, Any] = {
            "inpatient": inpatient,
            "moved": inpatient and rng.random() < 0.3,
            "start": start,
            "last": last,
            "discontinued": None,
            "lost": None,
            "restart": None,
            "emergency": None,
            "attend": rng.choice((0.95, 0.85, 0.6, 0.3)),
            "level": 2 + rng.random() * 4,
        }
        span = ((last or start + timedelta(days=200)) - start).days
        fate_roll = rng.random()
        if fate_roll < 0.08:
            fate["discontinued"] = start + timedelta(days=rng.randint(7, max(8, span - 1)))
        elif fate_roll < 0.16:
            fate["lost"] = start + timedelta(days=rng.randint(7, max(8, span - 1)))
        elif last is not None and fate_roll < 0.26 and last + timedelta(days=40) < today:
            fate["restart"] = last + timedelta(days=rng.randint(20, 120))
        if rng.random() < 0.06:
            fate["emergency"] = start + timedelta(days=rng.randint(1, max(2, span)))
        plans_by_patient.append([(a, _shift(p, shift), k, adj) for a, p, k, adj in versions])
        fates.append(fate)
        if fate["discontinued"] and fate["discontinued"] <= today:
            phase = "discontinued"
        elif last is not None and last <= today:
            phase = "aftercare"
        else:
            phase = "tapering"
        patients.append(
            Patient(
                programme=programme,
                reference=f"{SYNTHETIC_PREFIX}{i + 1:04d}",
                display_name=f"Synthetic history {i + 1}",
                year_of_birth=today.year - rng.randint(20, 82),
                phase=phase,
                phase_since=start,
                created_by=nurse,
            )
        )

    with (
        transaction.atomic(),
        _dated(
            (Intake, "created_at"),
            (PlanVersion, "created_at"),
            (PlanApproval, "approved_at"),
            (Assessment, "entered_at"),
            (AftercarePlan, "created_at"),
            (ReturnToUseReport, "recorded_at"),
        ),
    ):
        Patient.objects.bulk_create(patients)
        history = Patient.history.model
        history.objects.bulk_create(
            [
                history(
                    id=p.pk,
                    programme_id=programme.pk,
                    reference=p.reference,
                    display_name=p.display_name,
                    year_of_birth=p.year_of_birth,
                    phase=p.phase,
                    phase_since=(f["discontinued"] if p.phase == "discontinued" else p.phase_since),
                    phase_set_by="clinician",
                    created_at=timezone.now(),
                    created_by_id=nurse.pk,
                    history_date=_at(
                        f["discontinued"] if p.phase == "discontinued" else f["start"]
                    ),
                    history_type="+",
                    history_change_reason="synthetic history",
                )
                for p, f in zip(patients, fates, strict=True)
            ]
        )
        intakes = []
        for p, f in zip(patients, fates, strict=True):
            level = "3.7-WM" if f["inpatient"] else "1-WM"
            intakes.append(_intake(Intake, p, level, f["start"] - timedelta(days=3)))
            if f["moved"]:
                intakes.append(_intake(Intake, p, "1-WM", f["start"] + timedelta(days=10)))
        Intake.objects.bulk_create(intakes)

        versions_rows = []
        for p, f, versions in zip(patients, fates, plans_by_patient, strict=True):
            for n, (approved, data, kind, adjustment) in enumerate(versions, start=1):
                versions_rows.append(
                    _version(PlanVersion, p, n, approved, data, kind, adjustment, prescriber)
                )
            if f["restart"] is not None:
                again = _shift(versions[0][1], (f["restart"] - f["start"]).days + 1)
                versions_rows.append(
                    _version(
                        PlanVersion,
                        p,
                        len(versions) + 1,
                        f["restart"],
                        again,
                        "restart",
                        {},
                        prescriber,
                    )
                )
        PlanVersion.objects.bulk_create(versions_rows)
        PlanApproval.objects.bulk_create(
            [
                PlanApproval(
                    plan_version=v,
                    approved_by=prescriber,
                    approved_at=v.created_at,
                    note="synthetic history",
                )
                for v in versions_rows
            ]
        )

        assessments: list[tuple[Any, ...]] = []
        aftercare_plans = []
        aftercare_days: list[list[tuple[date, bool | None]]] = []
        first_version = {v.patient_id: v for v in versions_rows if v.number == 1}
        for p, f in zip(patients, fates, strict=True):
            assessments += _scores(rng, p, f, today)
            last = f["last"]
            if (
                last is None
                or last > today
                or f["discontinued"]
                or (f["lost"] and f["lost"] < last)
            ):
                continue
            aftercare_plans.append(
                AftercarePlan(
                    patient=p,
                    plan_version=first_version[p.pk],
                    last_dose=last,
                    end=last + timedelta(days=365),
                    policy={"synthetic": True},
                    created_by=prescriber,
                    created_at=_at(last),
                )
            )
            stop_contacts = f["restart"] or today
            days = []
            for n in list(range(14, 91, 14)) + list(range(112, 366, 28)):
                on = last + timedelta(days=n)
                if on > today:
                    break
                done = None if on > stop_contacts else rng.random() < f["attend"]
                days.append((on, done))
            aftercare_days.append(days)
        _insert(
            Assessment,
            {
                "answers": [],
                "band": "",
                "flags": [],
                "sleep_disturbance": False,
                "judgement": "",
                "notes": "synthetic history",
                "findings": [],
                "entered_by": nurse.pk,
                "version": 1,
                "correction_reason": "",
                "programme": programme.pk,
            },
            ("patient", "kind", "at", "total", "event", "entered_at"),
            assessments,
        )
        AftercarePlan.objects.bulk_create(aftercare_plans)
        _insert(
            AftercareItem,
            {
                "kind": "contact",
                "title": "Aftercare contact (synthetic history)",
                "instruments": [],
                "sources": [],
                "note": "",
            },
            ("aftercare", "on", "done", "recorded_by", "recorded_at"),
            [
                (
                    plan.pk,
                    on,
                    done,
                    nurse.pk if done is not None else None,
                    _at(on) if done is not None else None,
                )
                for plan, days in zip(aftercare_plans, aftercare_days, strict=True)
                for on, done in days
            ],
        )
        ReturnToUseReport.objects.bulk_create(
            _returns(ReturnToUseReport, patients, fates, today, nurse)
        )
    return len(patients)


def _returns(
    model: Any, patients: list[Any], fates: list[dict[str, Any]], today: date, nurse: Any
) -> list[Any]:
    """Return-to-use reports for a few patients who stopped at least two months ago and did
    not restart a prescription, were discontinued or lost: 30 to 200 days after the last dose,
    mostly as the patient's own report."""
    rng = random.Random(SEED + 1)
    out = []
    for p, f in zip(patients, fates, strict=True):
        last = f["last"]
        if last is None or last + timedelta(days=60) > today:
            continue
        if f["restart"] or f["discontinued"] or f["lost"] or rng.random() >= RETURN_SHARE:
            continue
        on = min(today, last + timedelta(days=rng.randint(30, 200)))
        substance = rng.choice(("diazepam", "lorazepam", "alprazolam", "other"))
        out.append(
            model(
                patient=p,
                on=on,
                reported_by=rng.choice(RETURN_REPORTERS),
                substance=substance,
                note="synthetic history" + (": zopiclone" if substance == "other" else ""),
                recorded_by=nurse,
                recorded_at=_at(min(today, on + timedelta(days=rng.randint(0, 14))), 14),
            )
        )
    return out


def _adjusted(base: Plan, kind: str, on: date) -> Plan:
    if kind == "hold":
        return hold(base, on, 14, "synthetic: withdrawal symptoms")
    if kind == "slow":
        return slow(base, on, "synthetic: repeated holds", interval_days=28)
    if kind == "step_back":
        return step_back(base, on, "synthetic: severe symptoms")
    return plateau(base, on, "synthetic: plateau agreed")


def _intake(model: Any, patient: Any, level: str, day: date) -> Any:
    return model(
        patient=patient,
        duration_months=Decimal(24),
        days_per_week=7,
        equivalence_table="ashton-2002",
        home_support="supportive",
        level_of_care=level,
        level_of_care_text="synthetic history",
        decision="agree",
        notes="synthetic history",
        created_at=_at(day),
    )


def _version(
    model: Any,
    patient: Any,
    number: int,
    approved: date,
    data: dict[str, Any],
    kind: str,
    adjustment: dict[str, Any],
    prescriber: Any,
) -> Any:
    parameters: dict[str, Any] = {"synthetic": True, "strategy": data["strategy"]}
    if adjustment:
        parameters["adjustment"] = adjustment
    return model(
        patient=patient,
        number=number,
        reason=f"synthetic history ({kind or 'first plan'})",
        created_by=prescriber,
        created_at=_at(approved, 9),
        parameters=parameters,
        plan=data,
        source=data["source"],
        strategy=data["strategy"],
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        diazepam_eq_mg=Decimal(data["diazepam_eq_mg_per_day"]),
    )


def _scores(
    rng: random.Random, patient: Any, f: dict[str, Any], today: date
) -> list[tuple[Any, ...]]:
    """CIWA-B rows (patient, kind, at, total, event, entered_at): weekly (daily for the first
    fortnight in inpatient care) from the start to 90 days after the last dose, a low level
    that rises after reductions and fades after the stop, higher for some patients; and the
    patient's emergency, if any."""
    out: list[tuple[Any, ...]] = []
    end = min(today, (f["last"] or today) + timedelta(days=90))
    for stop in (f["discontinued"], f["lost"], f["restart"]):
        if stop is not None:
            end = min(end, stop)
    day = f["start"]
    while day <= end:
        after = f["last"] is not None and day > f["last"]
        weeks = (day - f["start"]).days / 7
        level = f["level"] * (0.5 if after else 1.0) + 3 * abs(((weeks % 4) - 2) / 2)
        total = max(0, min(80, int(level + rng.random() * 4)))
        out.append((patient.pk, "ciwa-b", _at(day), total, "", _at(day, 11)))
        step = 1 if f["inpatient"] and (day - f["start"]).days < 14 else 7
        day += timedelta(days=step)
    if f["emergency"] is not None and f["emergency"] <= end:
        event = rng.choice(("seizure", "delirium", "suicidality"))
        out.append(
            (patient.pk, "event", _at(f["emergency"], 15), None, event, _at(f["emergency"], 16))
        )
    return out
