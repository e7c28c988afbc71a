"""Programme outcomes at scale: 10,000 patients and 1,000,000 assessments in PostgreSQL
(issue 16: the outcomes page and the de-identified CSV export p95 < 1 s).

Creates a scratch database (``benzodetox_bench_outcomes_<pid>``) on the server of
``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/postgres), migrates it and seeds
one programme: 10,000 patients with approved plans (a quarter adjusted by a hold, slow-down,
step back or plateau; some restarted), intakes (inpatient and outpatient, some moved),
1,000,000 current assessments (CIWA-B mostly, other instruments and emergencies) by COPY,
aftercare contacts for those who stopped, and discontinuations in the patients' history —
INSERTs only. It then times, through the whole Django stack with the test client:

* the first computation of every patient's outcome (once; kept per patient after — a page
  view spends at most 3 s of it and the next views continue);
* the page (rotating filters) and the CSV export, warm: median / p95 / p99 — with the page's
  freshness window (a view within 30 s of the programme's last refresh uses the outcomes the
  server holds) and without it (every view looks for new records first);
* a view after 200 new assessments (the patients they belong to are recomputed);
* the next day's refresh (outcomes whose day has come are recomputed);

prints the figures and the machine, and drops the database.

    uv run python bench/bench_outcomes.py [--patients 10000] [--assessments 1000000]
                                          [--requests 100] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import scratch_postgres, time_requests

BENCH_DB = f"benzodetox_bench_outcomes_{os.getpid()}"
STRATEGIES = ("ashton", "asam", "hyperbolic", "deprescribing", "inpatient")
DRUGS = (("diazepam", "20"), ("lorazepam", "2"), ("alprazolam", "1"), ("clonazepam", "1"))
KINDS = ["ciwa-b"] * 70 + ["bwsq"] * 10 + ["phq-9"] * 10 + ["gad-7"] * 10


def _copy(cursor: Any, model: Any, rows: Any, columns: tuple[str, ...]) -> int:
    """COPY rows (tuples in ``columns`` order, by attribute name) into ``model``'s table; every
    other non-key column gets its field's default (so columns added later still load)."""
    meta = model._meta
    given = [meta.get_field(c) for c in columns]
    rest = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and f.attname not in columns and f.name not in columns
    ]
    defaults = []
    for f in rest:
        value = f.get_default()
        if f.get_internal_type() == "JSONField":
            value = json.dumps(value)
        defaults.append(value)
    names = ", ".join(f'"{f.column}"' for f in given + rest)
    count = 0
    with cursor.copy(f'COPY "{meta.db_table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row((*row, *defaults))
            count += 1
    return count


def _plan(
    start: date, steps: int, every: int, eq: int, drug: str, mg: str, plateau: bool
) -> dict[str, Any]:
    rows = []
    for i in range(steps):
        s = start + timedelta(days=i * every)
        kind = "stabilise" if i == 0 else ("reduction" if i < steps - 1 else "stop")
        rows.append(
            {
                "index": i + 1,
                "start": s.isoformat(),
                "end": (s + timedelta(days=every - 1 if kind != "stop" else 0)).isoformat(),
                "kind": "plateau" if plateau and i == steps - 1 else kind,
                "diazepam_eq_mg": str(max(0, eq - i * eq // steps)),
            }
        )
    last = None if plateau else rows[-1]["start"]
    return {
        "format": 1,
        "strategy": "bench",
        "start": start.isoformat(),
        "end": rows[-1]["end"],
        "last_dose": last,
        "steps": rows,
        "request": {"regimen": [{"drug": drug, "mg": mg, "time": "22:00"}]},
    }


def _seed(n_patients: int, n_assessments: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from benzodetox.web.careplans.models import AftercareItem, AftercarePlan
    from benzodetox.web.monitoring.models import Assessment
    from benzodetox.web.outcomes.demo_history import _dated
    from benzodetox.web.patients.models import Intake, Patient
    from benzodetox.web.plans.models import PlanApproval, PlanVersion
    from benzodetox.web.programmes.models import Membership, Programme
    from benzodetox.web.programmes.scoping import unscoped

    rng = random.Random(16)
    today = timezone.localdate()
    zone = timezone.get_current_timezone()

    def at(day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour), zone)

    programme = Programme.objects.create(name="Bench")
    user = get_user_model().objects.create(username="bench-prescriber")
    Membership.objects.create(user=user, programme=programme, role="prescriber")
    with (
        unscoped(),
        transaction.atomic(),
        _dated((Intake, "created_at"), (PlanVersion, "created_at"), (PlanApproval, "approved_at")),
    ):
        patients = Patient.objects.bulk_create(
            [
                Patient(
                    programme=programme,
                    reference=f"B-{i:05d}",
                    display_name="Bench",
                    year_of_birth=rng.randint(1940, 2004),
                    phase="tapering",
                )
                for i in range(n_patients)
            ],
            batch_size=2000,
        )
        facts = []
        intakes, versions = [], []
        for p in patients:
            start = today - timedelta(days=rng.randint(14, 900))
            steps, every = rng.randint(6, 16), rng.choice((7, 14, 14, 28))
            drug, mg = rng.choice(DRUGS)
            eq = rng.choice((10, 20, 30, 40, 60))
            inpatient = rng.random() < 0.2
            plan = _plan(start, steps, every, eq, drug, mg, plateau=False)
            intakes.append(
                Intake(
                    patient=p,
                    duration_months=24,
                    days_per_week=7,
                    equivalence_table="ashton-2002",
                    home_support="supportive",
                    level_of_care="3.7-WM" if inpatient else "1-WM",
                    decision="agree",
                    created_at=at(start - timedelta(days=3)),
                )
            )
            if inpatient and rng.random() < 0.3:
                intakes.append(
                    Intake(
                        patient=p,
                        duration_months=24,
                        days_per_week=7,
                        equivalence_table="ashton-2002",
                        home_support="supportive",
                        level_of_care="1-WM",
                        decision="agree",
                        created_at=at(start + timedelta(days=10)),
                    )
                )
            strategy = rng.choice(STRATEGIES)
            rows = [(start - timedelta(days=1), plan, {})]
            roll = rng.random()
            if roll < 0.25:
                kind = rng.choice(("hold", "hold", "slow", "step_back", "plateau"))
                extra = {"hold": 1, "slow": 3, "step_back": 2, "plateau": 0}[kind]
                on = start + timedelta(days=every * rng.randint(1, steps - 1))
                changed = _plan(
                    start, steps + extra, every, eq, drug, mg, plateau=kind == "plateau"
                )
                rows.append((on - timedelta(days=1), changed, {"kind": kind}))
            last = rows[-1][1]["last_dose"]
            last_day = date.fromisoformat(last) if last else None
            if last_day and last_day + timedelta(days=60) < today and rng.random() < 0.1:
                again = last_day + timedelta(days=rng.randint(20, 50))
                rows.append(
                    (again, _plan(again + timedelta(days=1), 6, 14, eq, drug, mg, False), {})
                )
            for n, (approved, data, adjustment) in enumerate(rows, start=1):
                versions.append(
                    PlanVersion(
                        patient=p,
                        number=n,
                        reason="bench",
                        created_by=user,
                        created_at=at(approved, 9),
                        parameters={"adjustment": adjustment} if adjustment else {},
                        plan=data,
                        source="ashton-2002",
                        strategy=strategy,
                        start=date.fromisoformat(data["start"]),
                        end=date.fromisoformat(data["end"]),
                        diazepam_eq_mg=eq,
                    )
                )
            facts.append((p, start, last_day, inpatient))
        Intake.objects.bulk_create(intakes, batch_size=2000)
        PlanVersion.objects.bulk_create(versions, batch_size=1000)
        PlanApproval.objects.bulk_create(
            [
                PlanApproval(plan_version=v, approved_by=user, approved_at=v.created_at)
                for v in versions
            ],
            batch_size=2000,
        )
        history = Patient.history.model
        history.objects.bulk_create(
            [
                history(
                    id=p.pk,
                    programme_id=programme.pk,
                    reference=p.reference,
                    display_name=p.display_name,
                    year_of_birth=p.year_of_birth,
                    phase="discontinued",
                    phase_since=start + timedelta(days=30),
                    phase_set_by="clinician",
                    created_at=at(start),
                    history_date=at(start + timedelta(days=30)),
                    history_type="~",
                )
                for p, start, _last, _inp in facts
                if rng.random() < 0.06
            ]
        )
        first_version = {}
        for v in versions:
            first_version.setdefault(v.patient_id, v)
        plans = AftercarePlan.objects.bulk_create(
            [
                AftercarePlan(
                    patient=p,
                    plan_version=first_version[p.pk],
                    last_dose=last,
                    end=last + timedelta(days=365),
                    policy={},
                )
                for p, _s, last, _i in facts
                if last is not None and last <= today
            ],
            batch_size=2000,
        )
        with connection.cursor() as cursor:
            raw = cursor.connection.cursor()
            items = (
                (
                    plan.pk,
                    plan.last_dose + timedelta(days=d),
                    "contact",
                    "contact",
                    rng.random() < 0.75,
                )
                for plan in plans
                for d in range(14, 366, 14)
                if plan.last_dose + timedelta(days=d) <= today
            )
            n_items = _copy(
                raw, AftercareItem, items, ("aftercare_id", "on", "kind", "title", "done")
            )

            per_patient = max(1, n_assessments // n_patients)

            def assessments() -> Any:
                count = 0
                for p, start, last, _inp in facts:
                    end = min(today, (last or today) + timedelta(days=90))
                    span = max(1, (end - start).days)
                    for k in range(per_patient):
                        if count >= n_assessments:
                            return
                        count += 1
                        day = start + timedelta(days=k * span // per_patient)
                        when = at(day, 8 + k % 10)
                        if k == per_patient - 1 and rng.random() < 0.05:
                            yield (
                                programme.pk,
                                p.pk,
                                "event",
                                when,
                                None,
                                "seizure",
                                user.pk,
                                when,
                            )
                            continue
                        kind = rng.choice(KINDS)
                        yield (
                            programme.pk,
                            p.pk,
                            kind,
                            when,
                            rng.randint(0, 40),
                            "",
                            user.pk,
                            when,
                        )

            n_rows = _copy(
                raw,
                Assessment,
                assessments(),
                (
                    "programme_id",
                    "patient_id",
                    "kind",
                    "at",
                    "total",
                    "event",
                    "entered_by_id",
                    "entered_at",
                ),
            )
    print(
        f"seeded {len(patients):,} patients, {len(versions):,} approved plan versions, "
        f"{n_rows:,} assessments, {n_items:,} aftercare contacts"
    )
    return programme, user, patients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    with scratch_postgres(BENCH_DB, keep=args.keep):
        from django.test import Client
        from django.utils import timezone

        from benzodetox.web.monitoring.models import Assessment
        from benzodetox.web.outcomes import services, views
        from benzodetox.web.programmes.scoping import unscoped

        started = clock.perf_counter()
        programme, user, patients = _seed(args.patients, args.assessments)
        print(f"seed {clock.perf_counter() - started:.0f} s")
        client = Client()
        client.force_login(user)
        print(f"benzodetox outcomes bench — {describe()}")
        print(
            f"PostgreSQL database {BENCH_DB}, {args.patients:,} patients, "
            f"{args.assessments:,} assessments, in-process client"
        )
        started = clock.perf_counter()
        with unscoped():
            services.refresh(programme.pk, timezone.localdate())
        cold = clock.perf_counter() - started
        print(f"{'first computation of every outcome':<40} {cold * 1000:8.0f} ms")
        views.BUDGET_SECONDS = 3.0
        first = client.get("/programme/outcomes/")
        assert first.status_code == 200 and b"to go" not in first.content
        filters = [
            {},
            {"setting": "inpatient"},
            {"strategy": "ashton"},
            {"age_band": "65+"},
            {"start_from": (timezone.localdate() - timedelta(days=365)).isoformat()},
        ]
        results = [
            time_requests(
                "outcomes page GET /programme/outcomes/",
                args.requests,
                lambda i: client.get("/programme/outcomes/", filters[i % len(filters)]),
                expect=b"<svg",
            ),
            time_requests(
                "CSV export (every episode)",
                args.requests,
                lambda i: client.get("/programme/outcomes/export.csv"),
                expect=b"episode,start_month",
            ),
        ]
        # the same with no freshness window: every view looks for new records first
        views.FRESH_SECONDS = 0
        results += [
            time_requests(
                "page, no freshness window",
                args.requests,
                lambda i: client.get("/programme/outcomes/", filters[i % len(filters)]),
                expect=b"<svg",
            ),
            time_requests(
                "CSV, no freshness window",
                args.requests,
                lambda i: client.get("/programme/outcomes/export.csv"),
                expect=b"episode,start_month",
            ),
        ]
        with unscoped():
            rng = random.Random(3)
            for _ in range(200):
                p = rng.choice(patients)
                Assessment(
                    programme=programme,
                    patient=p,
                    kind="ciwa-b",
                    at=timezone.now(),
                    total=12,
                    entered_by=user,
                ).save()
        started = clock.perf_counter()
        assert client.get("/programme/outcomes/").status_code == 200
        took = (clock.perf_counter() - started) * 1000
        print(f"{'view after 200 new assessments':<40} {took:8.0f} ms")
        with unscoped():
            started = clock.perf_counter()
            n = services.refresh(programme.pk, timezone.localdate() + timedelta(days=1)).recomputed
        took = (clock.perf_counter() - started) * 1000
        print(f"{'next day refresh':<40} {took:8.0f} ms ({n:,} outcomes due)")
        for label, p95 in results:
            verdict = "OK" if p95 < 1000 else "ABOVE TARGET"
            print(f"  target {label}: p95 < 1000 ms → {verdict}")


if __name__ == "__main__":
    main()
