"""Web response times with 10,000 patients in PostgreSQL (issue 4: plan-preview request
p95 < 50 ms, patient page p95 < 100 ms; issue 11: the patient list with its filters and sorts
p95 < 100 ms).

Creates a scratch database (``benzodetox_bench_<pid>``) on the server of ``DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432/postgres), migrates it, seeds 10,000 patients with
``bulk_create`` (regimen, intake, a plan version for one in ten, audit events), times requests
through the whole Django stack (middleware, scope, audit write, templates) with the test
client, prints median/p95/p99 and the machine, and drops the database. The patients carry the
list's figures (daily diazepam-eq, next change, drugs) and one in twenty has open alerts.

    uv run python bench/bench_web.py [--patients 10000] [--requests 300] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import scratch_postgres, time_requests

BENCH_DB = f"benzodetox_bench_{os.getpid()}"


def _seed(n_patients: int) -> tuple[Any, list[int]]:
    from datetime import date, time
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.regimen import Dose, Regimen
    from benzodetox.core.tapering import build_plan
    from benzodetox.interop.plan_json import plan_to_dict
    from benzodetox.web.audit.models import AuditEvent
    from benzodetox.web.patients.models import Intake, Patient, RegimenDose
    from benzodetox.web.plans.models import PlanVersion
    from benzodetox.web.programmes.models import Membership, Programme
    from benzodetox.web.programmes.scoping import unscoped

    user = get_user_model().objects.create(username="bench-prescriber")
    programmes = [Programme.objects.create(name=f"Bench programme {i}") for i in (1, 2)]
    Membership.objects.create(user=user, programme=programmes[0], role="prescriber")
    phases = ["intake", "crossover", "tapering", "hold", "completed", "aftercare", "discontinued"]
    regimens = [
        (("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")),
        (("alprazolam", "0.5", "08:00"), ("alprazolam", "1", "21:00")),
        (("lorazepam", "1", "08:00"), ("lorazepam", "1", "22:00")),
        (("clonazepam", "1", "22:00"),),
    ]
    plan = build_plan(
        PlanRequest(
            Regimen(
                (Dose(time(8), "diazepam", Decimal(10)), Dose(time(22), "diazepam", Decimal(10)))
            ),
            "ashton-2002",
            date(2026, 1, 5),
        )
    )
    plan_json = plan_to_dict(plan)
    from datetime import timedelta

    from benzodetox.web.monitoring.models import Alert

    today = date.today()
    with unscoped():
        patients = Patient.objects.bulk_create(
            [
                Patient(
                    programme=programmes[0] if i % 10 else programmes[1],
                    reference=f"P-{i:06d}",
                    display_name=f"{chr(65 + i % 26)}. {chr(65 + (i // 26) % 26)}.",
                    year_of_birth=1940 + i % 60,
                    phase=phases[i % len(phases)],
                    drugs=f" {regimens[i % len(regimens)][0][0]} ",
                    daily_eq_mg=Decimal(5 + i % 40),
                    next_change_on=today + timedelta(days=i % 60) if i % 3 else None,
                    next_change_mg=Decimal(4 + i % 40) if i % 3 else None,
                )
                for i in range(n_patients)
            ],
            batch_size=2000,
        )
        Alert.objects.bulk_create(
            [
                Alert(
                    programme_id=p.programme_id,
                    patient=p,
                    kind="score",
                    severity="high",
                    key=f"bench:{n}",
                    title="Severe CIWA-B",
                )
                for i, p in enumerate(patients)
                if i % 20 == 0
                for n in range(1 + i % 3)
            ],
            batch_size=5000,
        )
        doses, intakes, versions, events = [], [], [], []
        for i, p in enumerate(patients):
            for drug, mg, at in regimens[i % len(regimens)]:
                doses.append(
                    RegimenDose(patient=p, drug=drug, mg=Decimal(mg), time=time.fromisoformat(at))
                )
            intakes.append(
                Intake(
                    patient=p,
                    duration_months=Decimal(12 + i % 48),
                    days_per_week=7,
                    equivalence_table="ashton-2002",
                    home_support="supportive",
                    risk="significant",
                    level_of_care="1-WM",
                )
            )
            if i % 10 == 1:
                versions.append(
                    PlanVersion(
                        patient=p,
                        number=1,
                        reason="bench",
                        created_by=user,
                        parameters={},
                        plan=plan_json,
                        source=plan.source,
                        strategy=plan.strategy,
                        start=plan.start,
                        end=plan.end,
                        diazepam_eq_mg=plan.diazepam_eq_mg_per_day,
                    )
                )
            for _ in range(5):
                events.append(
                    AuditEvent(
                        user=user,
                        username=user.username,
                        action="patient.viewed",
                        programme_id=p.programme_id,
                        patient=p,
                    )
                )
        RegimenDose.objects.bulk_create(doses, batch_size=5000)
        Intake.objects.bulk_create(intakes, batch_size=5000)
        PlanVersion.objects.bulk_create(versions, batch_size=1000)
        AuditEvent.objects.bulk_create(events, batch_size=5000)
    own = [p.pk for p in patients if p.programme_id == programmes[0].pk]
    with_regimen_diazepam = [
        pk for i, pk in enumerate(p.pk for p in patients) if i % len(regimens) == 0 and i % 10
    ]
    return user, [own, with_regimen_diazepam]  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    with scratch_postgres(BENCH_DB, keep=args.keep):
        from django.test import Client

        started = clock.perf_counter()
        user, (own, diazepam_patients) = _seed(args.patients)
        print(f"seeded {args.patients:,} patients in {clock.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(user)
        rng = random.Random(2)
        picks = [rng.choice(own) for _ in range(args.requests + 20)]
        preview_picks = [rng.choice(diazepam_patients) for _ in range(args.requests + 20)]
        percents = ["5", "7.5", "10"]

        print(f"benzodetox web bench — {describe()}")
        print(f"PostgreSQL database {BENCH_DB}, {args.patients:,} patients, in-process client")
        results = [
            time_requests(
                "patient page GET /patients/<id>/",
                args.requests,
                lambda i: client.get(f"/patients/{picks[i]}/"),
            ),
            time_requests(
                "plan preview POST (htmx)",
                args.requests,
                lambda i: client.post(
                    f"/patients/{preview_picks[i]}/plans/preview/",
                    {
                        "source": "ashton-2002",
                        "strategy": "asam",
                        "market": "us",
                        "start": "2026-01-05",
                        "crossover_days": "7",
                        "allow_liquid": "on",
                        "percent": percents[i % 3],
                        "interval_days": "14",  # the builder refuses an empty one (issue 11)
                    },
                    HTTP_HX_REQUEST="true",
                ),
                expect=b"<svg",
            ),
            time_requests(
                "patient list search (htmx)",
                args.requests,
                lambda i: client.get(
                    "/patients/", {"q": f"P-00{i % 100:02d}"}, HTTP_HX_REQUEST="true"
                ),
            ),
            time_requests(
                "patient list, first page",
                args.requests,
                lambda i: client.get("/patients/"),
            ),
            *[
                time_requests(
                    f"patient list {label}",
                    args.requests,
                    lambda i, query=query: client.get(
                        "/patients/", {**query, "page": str(1 + i % 5)}, HTTP_HX_REQUEST="true"
                    ),
                )
                for label, query in LIST_QUERIES
            ],
            time_requests(
                "saved plan page",
                args.requests // 3,
                lambda i: client.get(f"/patients/{_with_plan(own)}/plans/1/"),
            ),
        ]
        targets = {"patient page GET /patients/<id>/": 100.0, "plan preview POST (htmx)": 50.0}
        targets.update({f"patient list {label}": 100.0 for label, _ in LIST_QUERIES})
        targets["patient list, first page"] = 100.0
        for label, p95 in results:
            if label in targets:
                verdict = "OK" if p95 < targets[label] else "ABOVE TARGET"
                print(f"  target {label}: p95 < {targets[label]:.0f} ms → {verdict}")


#: the list's filters and sorts timed (htmx fragment, pages 1–5)
LIST_QUERIES: list[tuple[str, dict[str, str]]] = [
    ("search by drug", {"q": "alpraz"}),
    ("phase + sort by dose", {"phase": "tapering", "sort": "dose"}),
    ("drug + next change 7 d", {"drug": "lorazepam", "next": "7"}),
    ("open alerts, most first", {"alerts": "open", "sort": "alerts"}),
    ("sort by alerts (all)", {"sort": "alerts"}),
    ("sort by next change", {"sort": "next"}),
]


def _with_plan(own: list[int]) -> int:
    from benzodetox.web.plans.models import PlanVersion
    from benzodetox.web.programmes.scoping import unscoped

    global _PLAN_PATIENT
    if _PLAN_PATIENT is None:
        with unscoped():
            _PLAN_PATIENT = PlanVersion.objects.filter(patient_id__in=own[:200]).values_list(
                "patient_id", flat=True
            )[0]
    return _PLAN_PATIENT


_PLAN_PATIENT: int | None = None


if __name__ == "__main__":
    main()
