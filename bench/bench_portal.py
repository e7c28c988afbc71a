"""The patient portal's "today" page with 10,000 patients in PostgreSQL (issue 13: p95 < 100 ms).

Creates a scratch database (``benzodetox_bench_portal_<pid>``) on the server of ``DATABASE_URL``
(default postgres://postgres@127.0.0.1:5432/postgres), migrates it, seeds 10,000 patients in two
programmes with approved plans (seven plan variants started 1–40 weeks ago) and a portal account
each, then times GET /portal/ (today's doses, the next change; the patient's access check, scope
and the audit write of every read) and GET /portal/calendar/ through the whole Django stack with
the test client, signed in as patients drawn at random; prints median/p95/p99, the machine, and
drops the database.

    uv run python bench/bench_portal.py [--patients 10000] [--requests 300] [--keep]
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

BENCH_DB = f"benzodetox_bench_portal_{os.getpid()}"
SIGNED_IN = 60  # distinct patients' sessions the requests rotate through


def _seed(n_patients: int) -> list[Any]:
    """Patients, approved plan versions and portal accounts; returns the patients' users."""
    from datetime import time, timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.regimen import Dose, Regimen
    from benzodetox.core.tapering import build_plan
    from benzodetox.interop.plan_json import plan_to_dict
    from benzodetox.web.patients.models import Patient
    from benzodetox.web.plans.models import PlanApproval
    from benzodetox.web.portal.models import PortalAccount
    from benzodetox.web.programmes.models import Membership, Programme
    from benzodetox.web.programmes.scoping import unscoped

    users = get_user_model()
    prescriber = users.objects.create(username="bench-prescriber")
    programmes = [Programme.objects.create(name=f"Bench programme {i}") for i in (1, 2)]
    Membership.objects.create(user=prescriber, programme=programmes[0], role="prescriber")
    today = timezone.localdate()
    regimen = Regimen(
        (Dose(time(8), "diazepam", Decimal(10)), Dose(time(22), "diazepam", Decimal(10)))
    )
    variants = []
    for weeks in (1, 3, 6, 10, 16, 24, 40):
        plan = build_plan(PlanRequest(regimen, "ashton-2002", today - timedelta(weeks=weeks)))
        variants.append((plan, plan_to_dict(plan)))
    with unscoped():
        patients = Patient.objects.bulk_create(
            [
                Patient(
                    programme=programmes[i % 2],
                    reference=f"P-{i:06d}",
                    display_name="A. B.",
                    year_of_birth=1940 + i % 60,
                    phase="tapering",
                )
                for i in range(n_patients)
            ],
            batch_size=5000,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_variant "
                '(v int PRIMARY KEY, plan jsonb, start date, "end" date)'
            )
            for v, (plan, data) in enumerate(variants):
                cursor.execute(
                    "INSERT INTO bench_variant VALUES (%s, %s::jsonb, %s, %s)",
                    [v, json.dumps(data, default=str), plan.start, plan.end],
                )
            cursor.execute("CREATE TEMP TABLE bench_planned (pid int PRIMARY KEY, v int)")
            with cursor.connection.cursor().copy("COPY bench_planned FROM STDIN") as copy:
                for i, p in enumerate(patients):
                    copy.write_row((p.pk, i % len(variants)))
            cursor.execute(
                "INSERT INTO plans_planversion (patient_id, number, reason, created_by_id, "
                'created_at, parameters, plan, source, strategy, start, "end", diazepam_eq_mg) '
                "SELECT b.pid, 1, 'bench', %s, now(), '{}', v.plan, 'ashton-2002', 'asam', "
                'v.start, v."end", 20 FROM bench_planned b JOIN bench_variant v USING (v) '
                "RETURNING id",
                [prescriber.pk],
            )
            version_ids = [row[0] for row in cursor.fetchall()]
        PlanApproval.objects.bulk_create(
            [PlanApproval(plan_version_id=v, approved_by=prescriber) for v in version_ids],
            batch_size=5000,
        )
        patient_users = users.objects.bulk_create(
            [users(username=f"patient-{p.reference}", password="!") for p in patients],
            batch_size=5000,
        )
        PortalAccount.objects.bulk_create(
            [
                PortalAccount(programme_id=p.programme_id, patient=p, user=u, seen_plan_number=1)
                for p, u in zip(patients, patient_users, strict=True)
            ],
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return patient_users


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()

    with scratch_postgres(BENCH_DB, keep=args.keep):
        from django.test import Client

        started = clock.perf_counter()
        users = _seed(args.patients)
        print(f"seeded {args.patients:,} patients with portal accounts in "
              f"{clock.perf_counter() - started:.1f} s")
        rng = random.Random(13)
        clients = []
        for user in rng.sample(users, min(SIGNED_IN, len(users))):
            client = Client()
            client.force_login(user)
            clients.append(client)
        print(f"benzodetox portal bench — {describe()}")
        print(f"PostgreSQL database {BENCH_DB}, {args.patients:,} patients, in-process client")
        results = [
            time_requests(
                "portal today GET /portal/",
                args.requests,
                lambda i: clients[i % len(clients)].get("/portal/"),
                expect=b"Your doses today",
            ),
            time_requests(
                "portal calendar GET /portal/calendar/",
                args.requests,
                lambda i: clients[i % len(clients)].get("/portal/calendar/"),
                expect=b"Week 1",
            ),
        ]
        for label, p95 in results:
            if label.startswith("portal today"):
                verdict = "OK" if p95 < 100 else "ABOVE TARGET"
                print(f"  target {label}: p95 < 100 ms → {verdict}")
        print(f"machine: {describe()}")


if __name__ == "__main__":
    main()
