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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import scratch_postgres, time_requests, with_db

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


_STARTED = [clock.perf_counter()]


def _lap(what: str) -> None:
    """Print how long the seed's last part took."""
    now = clock.perf_counter()
    print(f"  seeded {what} in {now - _STARTED[0]:.1f} s", flush=True)
    _STARTED[0] = now


def _copy_rows(cursor: Any, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` through the psycopg connection under Django's ``cursor``."""
    with cursor.connection.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


#: answer sets per instrument slot in the pool the assessments are drawn from
POOL = 50


def _pool(rng: random.Random) -> Iterable[tuple[Any, ...]]:
    """(slot, variant, kind, answers, total, band, band_confirmed, pulse, sbp, dbp,
    temperature, spo2): for each of the 100 slots of ``KINDS`` (so kinds come in its
    proportions), ``POOL`` answer sets scored by the core's bands."""
    from decimal import Decimal

    for slot, kind in enumerate(KINDS):
        for variant in range(POOL):
            if kind in ITEMS:
                n, top = ITEMS[kind]
                answers = [rng.randint(0, min(top, 2)) for _ in range(n)]
                total = sum(answers)
                yield (slot, variant, kind, json.dumps(answers), total, _band(kind, total),
                       kind == "ciwa-b", None, None, None, None, None)
            else:
                yield (slot, variant, kind, "[]", None, "", None, rng.randint(60, 115),
                       rng.randint(100, 155), 80, Decimal("36.8"), 98)


def _seed_assessments(patients: list[Any], n_assessments: int, user_id: int,
                      rng: random.Random) -> None:
    """``n_assessments`` over the last year, ``n_assessments // len(patients)`` per patient
    in patient order, written by the database itself: INSERT … SELECT over generate_series,
    each row drawing its instrument and answers from a scored pool and its time at random
    (seeded), a million rows a statement. No trigger is disabled (none fires on an
    assessment's INSERT; the immutability triggers refuse UPDATE and DELETE only)."""
    from django.db import connection
    from django.utils import timezone

    per_patient = max(n_assessments // len(patients), 1)
    columns = (
        "programme_id, patient_id, kind, at, answers, total, band, band_confirmed, flags, "
        "pulse, sbp, dbp, temperature, respiratory_rate, spo2, event, sleep_disturbance, "
        "judgement, notes, findings, entered_by_id, entered_at, version, correction_reason, rater"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_pool (s int, v int, kind text, answers jsonb, total int, "
            "band text, band_confirmed boolean, pulse numeric, sbp numeric, dbp numeric, "
            "temperature numeric, spo2 numeric, PRIMARY KEY (s, v))"
        )
        _copy_rows(cursor, "COPY bench_pool FROM STDIN", _pool(rng))
        cursor.execute("CREATE TEMP TABLE bench_patient (rn int PRIMARY KEY, pid int, prog int)")
        _copy_rows(
            cursor,
            "COPY bench_patient FROM STDIN",
            ((rn, p.pk, p.programme_id) for rn, p in enumerate(patients)),
        )
        cursor.execute("ANALYZE bench_pool; ANALYZE bench_patient")
        cursor.execute("SELECT setseed(0.5)")
        now = timezone.now()
        step = 1_000_000
        for first in range(0, n_assessments, step):
            cursor.execute(
                f"INSERT INTO monitoring_assessment ({columns}) "
                "SELECT p.prog, p.pid, k.kind, a.at, k.answers, k.total, k.band, "
                "k.band_confirmed, '[]', k.pulse, k.sbp, k.dbp, k.temperature, NULL, k.spo2, "
                "'', false, '', '', '[]', %s, a.at, 1, '', 'clinician' "
                "FROM (SELECT g, floor(random() * 100)::int AS s, "
                f"floor(random() * {POOL})::int AS v, "
                "%s::timestamptz - make_interval(mins => 10 + floor(random() * 525590)::int) "
                "AS at FROM generate_series(%s, %s) AS g) AS a "
                "JOIN bench_patient p ON p.rn = a.g / %s "
                "JOIN bench_pool k ON k.s = a.s AND k.v = a.v",
                [user_id, now, first, min(first + step, n_assessments) - 1, per_patient],
            )
            print(f"    {min(first + step, n_assessments):,} assessments", flush=True)


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
    _STARTED[0] = clock.perf_counter()
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
        _lap("patients and intakes")
        # Plan versions by INSERT … SELECT from the variants (each ~30 kB JSON sent once, not
        # once per patient); the ids come back in the order of ``planned``.
        created = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_variant (v int PRIMARY KEY, plan jsonb, "
                'start date, "end" date)'
            )
            for v, (plan, data) in enumerate(variants):
                cursor.execute(
                    "INSERT INTO bench_variant VALUES (%s, %s::jsonb, %s, %s)",
                    [v, json.dumps(data, default=str), plan.start, plan.end],
                )
            cursor.execute("CREATE TEMP TABLE bench_planned (rn int PRIMARY KEY, pid int, v int)")
            _copy_rows(
                cursor,
                "COPY bench_planned (rn, pid, v) FROM STDIN",
                ((rn, p.pk, i % len(variants)) for rn, (i, p) in enumerate(planned)),
            )
            cursor.execute(
                "INSERT INTO plans_planversion (patient_id, number, reason, created_by_id, "
                'created_at, parameters, plan, source, strategy, start, "end", diazepam_eq_mg) '
                "SELECT b.pid, 1, 'bench', %s, %s, '{}', v.plan, 'ashton-2002', 'asam', "
                'v.start, v."end", 20 FROM bench_planned b JOIN bench_variant v USING (v) '
                "ORDER BY b.rn",
                [user.pk, created],
            )
            cursor.execute(
                "SELECT v.id FROM bench_planned b JOIN plans_planversion v ON v.patient_id = b.pid "
                "ORDER BY b.rn"
            )
            version_ids = [row[0] for row in cursor.fetchall()]
        _lap("plan versions")
        PlanApproval.objects.bulk_create(
            [PlanApproval(plan_version_id=v, approved_by=user) for v in version_ids],
            batch_size=5000,
        )
        # the monitoring state and dose changes the app keeps from the plan in force
        states, changes = [], []
        for (i, p), version_id in zip(planned, version_ids, strict=True):
            plan = variants[i % len(variants)][0]
            starts, stabilise = _starts(plan)
            version = PlanVersion(pk=version_id, patient_id=p.pk)
            states.append(
                MonitoringState(
                    programme_id=p.programme_id,
                    patient=p,
                    plan_version_id=version_id,
                    plan_start=plan.start,
                    reduction_starts=[d.isoformat() for d in starts],
                    stabilise_until=stabilise,
                    last_dose=plan.last_dose_date,
                    next_check_at=now + timedelta(hours=rng.randint(1, 24)),
                )
            )
            changes.extend(_changes(p.pk, p.programme_id, version, plan))
        MonitoringState.objects.bulk_create(states, batch_size=5000)
        with connection.cursor() as cursor:
            _copy_rows(
                cursor,
                "COPY monitoring_scheduledchange "
                '(programme_id, patient_id, plan_version_id, "on", kind, from_mg, to_mg) '
                "FROM STDIN",
                (
                    (c.programme_id, c.patient_id, c.plan_version_id, c.on, c.kind, c.from_mg,
                     c.to_mg)
                    for c in changes
                ),
            )
        _lap("approvals, monitoring states, dose changes")
        _seed_assessments(patients, n_assessments, user.pk, rng)
        _lap("assessments")
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
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a table in steady state
    _lap("alerts, counts folded, VACUUM ANALYZE")
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
        before = _load()
        started = clock.perf_counter()
        result = scan()
        seconds = clock.perf_counter() - started
        print(
            f"{label:<44} {seconds * 1000:8.0f} ms   {result.claimed:,} patients checked "
            f"({active:,} in an active phase), {result.alerts:,} alerts raised   "
            f"load {before} → {_load()}"
        )
        _steady()  # the server's tally-compact job and autovacuum between scans
        out.append((label, seconds * 1000))
    return out


def _load() -> str:
    """The machine's 1-minute load average (other people's work shares the CPUs)."""
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        return loadavg.read().split()[0]


def _timed(label: str, n: int, call: Any, **kwargs: Any) -> tuple[str, float]:
    """``time_requests`` with the load average before and after."""
    before = _load()
    result = time_requests(label, n, call, **kwargs)
    print(f"{'':<40} load {before} → {_load()}")
    return result


def _steady() -> None:
    """What the running server and the database keep doing: the ``tally-compact`` job folds
    the count rows written since its last run, autovacuum tidies the tables the scan
    rewrites. Run before timing pages (a kept database carries an earlier run's deltas)."""
    from django.db import connection

    from benzodetox.web.monitoring.tally import compact

    compact()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE monitoring_tally")
        cursor.execute("VACUUM ANALYZE monitoring_monitoringstate")
        cursor.execute("VACUUM ANALYZE monitoring_alert")


@contextmanager
def _database(reuse: str | None, keep: bool) -> Iterator[None]:
    """A new scratch database, or the kept one named ``reuse`` (migrated, never dropped)."""
    if not reuse:
        with scratch_postgres(BENCH_DB, keep=keep):
            yield
        return
    base_url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    os.environ["DATABASE_URL"] = with_db(base_url, reuse)
    os.environ["BENZODETOX_ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benzodetox.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0, interactive=False)
    try:
        yield
    finally:
        connections.close_all()


def _seeded() -> tuple[Any, list[int], list[int]]:
    """The bench user, their programme's active patients and every active patient of a kept
    database."""
    from django.contrib.auth import get_user_model

    from benzodetox.web.patients.models import Patient
    from benzodetox.web.programmes.models import Membership
    from benzodetox.web.programmes.scoping import unscoped

    user = get_user_model().objects.get(username="bench-prescriber")
    with unscoped():
        mine = Membership.objects.get(user=user).programme_id
        rows = list(Patient.objects.filter(phase__in=ACTIVE).values_list("pk", "programme_id"))
    return user, [pk for pk, prog in rows if prog == mine], [pk for pk, _ in rows]


def _sizes() -> tuple[int, int]:
    """How many patients and assessments a kept database holds (the planner's estimates)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class "
            "WHERE relname IN ('patients_patient', 'monitoring_assessment')"
        )
        found = dict(cursor.fetchall())
    return int(found["patients_patient"]), int(found["monitoring_assessment"])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--reuse",
        metavar="DATABASE",
        help="time again on a database an earlier --keep run left (migrated first, not seeded)",
    )
    args = parser.parse_args()

    with _database(args.reuse, args.keep):
        from django.test import Client

        started = clock.perf_counter()
        if args.reuse:
            user, own, active = _seeded()
            args.patients, args.assessments = _sizes()
        else:
            user, own, active = _seed(args.patients, args.assessments)
            print(
                f"seeded {args.patients:,} patients and {args.assessments:,} assessments in "
                f"{clock.perf_counter() - started:.1f} s"
            )
        database = args.reuse or BENCH_DB
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
            f"PostgreSQL database {database}, {args.patients:,} patients, "
            f"{args.assessments:,} assessments, in-process client"
        )
        _steady()
        results = [
            _timed(
                "dashboard GET /patients/dashboard/",
                args.requests,
                lambda i: client.get("/patients/dashboard/", filters[i % len(filters)]),
            ),
            _timed(
                "dashboard filter (htmx fragment)",
                args.requests,
                lambda i: client.get(
                    "/patients/dashboard/", filters[i % len(filters)], HTTP_HX_REQUEST="true"
                ),
            ),
            _timed(
                "patient trend page /<id>/monitoring/",
                args.requests,
                lambda i: client.get(f"/patients/{picks[i]}/monitoring/"),
                expect=b"<svg",
            ),
            _timed(
                "patient page /<id>/",
                args.requests,
                lambda i: client.get(f"/patients/{picks[i]}/"),
                expect=b"</html>",
            ),
            _timed(
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
