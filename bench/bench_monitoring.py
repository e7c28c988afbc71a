"""Monitoring response times with 10,000 patients and 1,000,000 assessments in PostgreSQL
(issue 5: programme dashboard and patient trend page p95 < 100 ms; overdue scan < 2 s).

Creates a scratch database (``benzodetox_bench_monitoring_<pid>``) on the server of ``DATABASE_URL``
(default postgres://postgres@127.0.0.1:5432/postgres), migrates it, seeds 10,000 patients in
every phase of care with approved plans, 1,000,000 assessments (COPY), alerts, advice records
and the monitoring state, times requests through the whole Django stack (middleware, scope,
audit write, templates) with the test client and the overdue scan over every active patient,
prints median/p95/p99 and the machine, and drops the database.

    uv run python bench/bench_monitoring.py [--patients 10000] [--assessments 1000000]
                                            [--requests 300] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import scratch_postgres, time_requests

BENCH_DB = f"benzodetox_bench_monitoring_{os.getpid()}"
PHASES = (
    ["tapering"] * 30
    + ["crossover"] * 5
    + ["hold"] * 5
    + ["intake"] * 15
    + ["completed"] * 10
    + ["aftercare"] * 25
    + ["discontinued"] * 10
)
KINDS = ["ciwa-b"] * 50 + ["vitals"] * 20 + ["bwsq"] * 10 + ["phq-9"] * 10 + ["gad-7"] * 10
ITEMS = {"ciwa-b": (20, 4), "bwsq": (20, 2), "phq-9": (9, 3), "gad-7": (7, 3)}
ACTIVE = ("tapering", "crossover", "hold")


def _band(kind: str, total: int) -> str:
    from benzodetox.core.assessment import instrument

    bands = instrument(kind).bands
    band = bands.band_for(total) if bands is not None else None
    return band.name if band is not None else ""


def _versions_in_order(model: Any, patients: list[Any]) -> list[Any]:
    """The plan versions of ``patients`` in the same order (one each), read in chunks."""
    by_patient: dict[int, Any] = {}
    for start in range(0, len(patients), 10000):
        chunk = [p.pk for p in patients[start : start + 10000]]
        for version in model.objects.filter(patient_id__in=chunk).defer("plan"):
            by_patient[version.patient_id] = version
    return [by_patient[p.pk] for p in patients]


def _seed(n_patients: int, n_assessments: int) -> tuple[Any, list[int], list[int]]:
    from datetime import time, timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.regimen import Dose, Regimen
    from benzodetox.core.tapering import build_plan
    from benzodetox.interop.plan_json import plan_to_dict
    from benzodetox.web.monitoring.models import Alert, MonitoringState
    from benzodetox.web.monitoring.services import _changes, _starts
    from benzodetox.web.patients.models import Intake, Patient
    from benzodetox.web.plans.models import PlanApproval, PlanVersion
    from benzodetox.web.programmes.models import Membership, Programme
    from benzodetox.web.programmes.scoping import unscoped

    rng = random.Random(5)
    user = get_user_model().objects.create(username="bench-prescriber")
    programmes = [Programme.objects.create(name=f"Bench programme {i}") for i in (1, 2)]
    Membership.objects.create(user=user, programme=programmes[0], role="prescriber")
    today = timezone.localdate()
    regimen = Regimen(
        (Dose(time(8), "diazepam", Decimal(10)), Dose(time(22), "diazepam", Decimal(10)))
    )
    # a few plan variants: started 1–40 weeks ago
    variants = []
    for weeks in (1, 3, 6, 10, 16, 24, 40):
        plan = build_plan(PlanRequest(regimen, "ashton-2002", today - timedelta(weeks=weeks)))
        variants.append((plan, plan_to_dict(plan)))
    now = timezone.now()
    with unscoped():
        patients = Patient.objects.bulk_create(
            [
                Patient(
                    programme=programmes[0] if i % 10 else programmes[1],
                    reference=f"P-{i:06d}",
                    display_name=f"{chr(65 + i % 26)}. {chr(65 + (i // 26) % 26)}.",
                    year_of_birth=1940 + i % 60,
                    phase=PHASES[i % len(PHASES)],
                    phase_since=today - timedelta(days=i % 60),
                )
                for i in range(n_patients)
            ],
            batch_size=5000,
        )
        Intake.objects.bulk_create(
            [
                Intake(
                    patient=p,
                    duration_months=Decimal(24),
                    days_per_week=7,
                    equivalence_table="ashton-2002",
                    home_support="supportive",
                    conditions=["bipolar"] if i % 50 == 0 else [],
                    level_of_care="1-WM",
                )
                for i, p in enumerate(patients)
            ],
            batch_size=5000,
        )
        planned = [(i, p) for i, p in enumerate(patients) if p.phase not in ("intake",)]
        # COPY with each variant's JSON written once (85,000 plans of ~30 kB through the ORM
        # took most of the seeding time)
        texts = [json.dumps(d, default=str) for _, d in variants]
        created = timezone.now()
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(
                "COPY plans_planversion (patient_id, number, reason, created_by_id, created_at, "
                'parameters, plan, source, strategy, start, "end", diazepam_eq_mg) FROM STDIN'
            ) as copy,
        ):
            for i, p in planned:
                plan = variants[i % len(variants)][0]
                copy.write_row(
                    (
                        p.pk,
                        1,
                        "bench",
                        user.pk,
                        created,
                        "{}",
                        texts[i % len(variants)],
                        "ashton-2002",
                        "asam",
                        plan.start,
                        plan.end,
                        20,
                    )
                )
        versions = _versions_in_order(PlanVersion, [p for _, p in planned])
        PlanApproval.objects.bulk_create(
            [PlanApproval(plan_version=v, approved_by=user) for v in versions], batch_size=5000
        )
        # the monitoring state and dose changes the app keeps from the plan in force
        states, changes = [], []
        for (i, p), version in zip(planned, versions, strict=True):
            plan = variants[i % len(variants)][0]
            starts, stabilise = _starts(plan)
            states.append(
                MonitoringState(
                    programme_id=p.programme_id,
                    patient=p,
                    plan_version=version,
                    plan_start=plan.start,
                    reduction_starts=[d.isoformat() for d in starts],
                    stabilise_until=stabilise,
                    last_dose=plan.last_dose_date,
                    next_check_at=now + timedelta(hours=rng.randint(1, 24)),
                )
            )
            changes.extend(_changes(p.pk, p.programme_id, version, plan))
        MonitoringState.objects.bulk_create(states, batch_size=5000)
        with (
            connection.cursor() as cursor,
            cursor.connection.cursor().copy(
                "COPY monitoring_scheduledchange "
                '(programme_id, patient_id, plan_version_id, "on", kind, from_mg, to_mg) '
                "FROM STDIN"
            ) as copy,
        ):
            for c in changes:
                copy.write_row(
                    (
                        c.programme_id,
                        c.patient_id,
                        c.plan_version_id,
                        c.on,
                        c.kind,
                        c.from_mg,
                        c.to_mg,
                    )
                )

        # 1,000,000 assessments over the last year, by COPY
        columns = (
            "programme_id, patient_id, kind, at, answers, total, band, band_confirmed, flags, "
            "pulse, sbp, dbp, temperature, respiratory_rate, spo2, event, sleep_disturbance, "
            "judgement, notes, findings, entered_by_id, entered_at, version, correction_reason"
        )
        per_patient = max(n_assessments // n_patients, 1)
        with connection.cursor() as cursor:
            raw = cursor.connection  # psycopg connection
            with raw.cursor().copy(f"COPY monitoring_assessment ({columns}) FROM STDIN") as copy:
                count = 0
                for p in patients:
                    for _ in range(per_patient):
                        if count >= n_assessments:
                            break
                        count += 1
                        kind = rng.choice(KINDS)
                        at = now - timedelta(minutes=rng.randint(10, 365 * 24 * 60))
                        answers: list[int] = []
                        total = band = None
                        pulse = sbp = dbp = temp = None
                        if kind in ITEMS:
                            n, top = ITEMS[kind]
                            answers = [rng.randint(0, min(top, 2)) for _ in range(n)]
                            total = sum(answers)
                            band = _band(kind, total)
                        else:
                            pulse, sbp, dbp = rng.randint(60, 115), rng.randint(100, 155), 80
                            temp = Decimal("36.8")
                        copy.write_row(
                            (
                                p.programme_id,
                                p.pk,
                                kind,
                                at,
                                json.dumps(answers),
                                total,
                                band or "",
                                None if total is None else kind == "ciwa-b",
                                "[]",
                                pulse,
                                sbp,
                                dbp,
                                temp,
                                None,
                                98 if pulse else None,
                                "",
                                False,
                                "",
                                "",
                                "[]",
                                user.pk,
                                at,
                                1,
                                "",
                            )
                        )
        alerts = []
        for i, p in enumerate(patients):
            if i % 3:
                continue
            severity = ("critical", "high", "medium")[i % 3 if i % 9 else 2]
            for k in range(3):
                alerts.append(
                    Alert(
                        programme_id=p.programme_id,
                        patient=p,
                        kind="score" if severity != "medium" else "overdue",
                        severity=severity,
                        key=f"bench:{k}",
                        title="CIWA-B 44 (severe)" if severity != "medium" else "CIWA-B overdue",
                        acknowledged_at=None if k == 0 else now,
                        acknowledged_by=None if k == 0 else user,
                    )
                )
        Alert.objects.bulk_create(alerts, batch_size=5000)
    try:  # the server's tally-compact job folds the seed's count rows (where it exists)
        from benzodetox.web.monitoring.tally import compact
    except ImportError:
        pass
    else:
        compact()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    own = [p.pk for p in patients if p.programme_id == programmes[0].pk and p.phase in ACTIVE]
    active = [p.pk for p in patients if p.phase in ACTIVE]
    return user, own, active


def _scan(active: int) -> list[tuple[str, float]]:
    """The overdue scan with 10 % of the active patients due (the steady state: the others'
    next check is later), then with every active patient due, then with nothing due."""
    from datetime import timedelta

    from django.utils import timezone

    from benzodetox.web.monitoring.models import MonitoringState
    from benzodetox.web.monitoring.overdue import scan
    from benzodetox.web.programmes.scoping import unscoped

    out = []
    for label, share in (
        ("overdue scan, 10 % of active patients due", 10),
        ("overdue scan, every active patient due", 100),
        ("overdue scan, again (nothing due)", 0),
    ):
        if share:
            with unscoped():
                states = MonitoringState.objects.filter(patient__phase__in=ACTIVE)
                states.update(
                    next_check_at=timezone.now() + timedelta(hours=6),
                    claimed_until=None,
                    claim_token="",
                )
                ids = list(states.order_by("pk").values_list("pk", flat=True))
                due = ids[:: 100 // share]
                for start in range(0, len(due), 5000):
                    MonitoringState.objects.filter(pk__in=due[start : start + 5000]).update(
                        next_check_at=timezone.now() - timedelta(minutes=1)
                    )
        started = clock.perf_counter()
        result = scan()
        seconds = clock.perf_counter() - started
        print(
            f"{label:<44} {seconds * 1000:8.0f} ms   {result.claimed:,} patients checked "
            f"({active:,} in an active phase), {result.alerts:,} alerts raised"
        )
        out.append((label, seconds * 1000))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    with scratch_postgres(BENCH_DB, keep=args.keep):
        from django.test import Client

        started = clock.perf_counter()
        user, own, active = _seed(args.patients, args.assessments)
        print(
            f"seeded {args.patients:,} patients and {args.assessments:,} assessments in "
            f"{clock.perf_counter() - started:.1f} s"
        )
        client = Client()
        client.force_login(user)
        rng = random.Random(2)
        picks = [rng.choice(own) for _ in range(args.requests + 20)]
        filters = [
            {},
            {"severity": "critical"},
            {"phase": "tapering"},
            {"kind": "overdue"},
            {"q": "P-0001"},
        ]
        lists = [
            {},
            {"sort": "alerts"},
            {"phase": "tapering", "sort": "dose"},
            {"alerts": "open"},
            {"next": "7", "sort": "next"},
            {"q": "P-0001"},
        ]

        print(f"benzodetox monitoring bench — {describe()}")
        print(
            f"PostgreSQL database {BENCH_DB}, {args.patients:,} patients, "
            f"{args.assessments:,} assessments, in-process client"
        )
        results = [
            time_requests(
                "dashboard GET /patients/dashboard/",
                args.requests,
                lambda i: client.get("/patients/dashboard/", filters[i % len(filters)]),
            ),
            time_requests(
                "dashboard filter (htmx fragment)",
                args.requests,
                lambda i: client.get(
                    "/patients/dashboard/", filters[i % len(filters)], HTTP_HX_REQUEST="true"
                ),
            ),
            time_requests(
                "patient trend page /<id>/monitoring/",
                args.requests,
                lambda i: client.get(f"/patients/{picks[i]}/monitoring/"),
                expect=b"<svg",
            ),
            time_requests(
                "patient page /<id>/",
                args.requests,
                lambda i: client.get(f"/patients/{picks[i]}/"),
                expect=b"</html>",
            ),
            time_requests(
                "patient list /patients/ (filters, sorts)",
                args.requests,
                lambda i: client.get("/patients/", lists[i % len(lists)]),
            ),
        ]
        scans = _scan(len(active))
        targets = {
            "dashboard GET /patients/dashboard/": 100.0,
            "dashboard filter (htmx fragment)": 100.0,
            "patient trend page /<id>/monitoring/": 100.0,
            "patient page /<id>/": 100.0,
            "patient list /patients/ (filters, sorts)": 100.0,
        }
        for label, p95 in results:
            if label in targets:
                verdict = "OK" if p95 < targets[label] else "ABOVE TARGET"
                print(f"  target {label}: p95 < {targets[label]:.0f} ms → {verdict}")
        verdict = "OK" if scans[0][1] < 2000 else "ABOVE TARGET"
        print(f"  target overdue scan with 10 % of active patients due < 2 s → {verdict}")


if __name__ == "__main__":
    main()
