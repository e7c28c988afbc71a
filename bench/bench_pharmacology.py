"""Response times of a saved plan's Pharmacology page (docs/kinetics-web.md, issue 7: a one-year
plan's page well under 100 ms).

A saved ``asam`` plan from diazepam 20 mg/day (10 mg at 08:00 and 22:00, ashton-2002) is timed
through the whole Django stack (middleware, scope, audit write, templates; the in-process test
client): with the illustration ED50s, with an ED50 you state, with hyperbolic 10 % side by side
(page and htmx fragment) and with flumazenil; the plan builder's live preview (its
Pharmacology section closed) and that section when opened. Then the parts: simulating one plan
from its steady state, and drawing both charts for two plans. Prints median/p95/p99, the
response size and the machine.

SQLite in a temporary data folder by default (no server needed); ``--postgres [URL]`` runs on a
scratch PostgreSQL database (``benzodetox_bench_pharmacology``, dropped at the end).

    uv run python bench/bench_pharmacology.py [--requests 100] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time as clock
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import admin_connection, with_db

BENCH_DB = "benzodetox_bench_pharmacology"
WARM_UP = 5
CASES = (
    ("page, illustration ED50s", {}, False),
    ("page, ED50 40 mg/day", {"ed50": "40 mg/day"}, False),
    (
        "page, + hyperbolic 10 % side by side",
        {"ed50": "40 mg/day", "compare_strategy": "hyperbolic", "compare_percent": "10"},
        False,
    ),
    (
        "htmx fragment, same",
        {"ed50": "40 mg/day", "compare_strategy": "hyperbolic", "compare_percent": "10"},
        True,
    ),
    (
        "page, same + flumazenil 1 mg/24 h, 7 days",
        {
            "ed50": "40 mg/day",
            "compare_strategy": "hyperbolic",
            "compare_percent": "10",
            "flumazenil_rate": "1 mg/24h",
            "flumazenil_days": "7",
        },
        False,
    ),
)

#: The plan builder's form for the same plan (the preview and its Pharmacology section).
PLAN_FORM = {
    "source": "ashton-2002",
    "strategy": "asam",
    "market": "us",
    "start": "2026-01-05",
    "crossover_days": "7",
    "allow_liquid": "on",
}


def _seed() -> tuple[Any, Any]:
    """A nurse, a patient on diazepam 20 mg/day and a saved asam plan (version 1)."""
    from datetime import date, time
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from benzodetox.core.plan import PlanRequest
    from benzodetox.core.tapering import build_plan
    from benzodetox.interop.plan_json import plan_to_dict
    from benzodetox.web.patients.models import Intake, Patient, RegimenDose
    from benzodetox.web.patients.services import regimen_of
    from benzodetox.web.plans.models import PlanVersion
    from benzodetox.web.programmes.models import Membership, Programme
    from benzodetox.web.programmes.scoping import unscoped

    user = get_user_model().objects.create(username="bench-nurse")
    programme = Programme.objects.create(name="Bench programme")
    Membership.objects.create(user=user, programme=programme, role="nurse")
    with unscoped():
        patient = Patient.objects.create(
            programme=programme, reference="PK-BENCH", display_name="B. P.", year_of_birth=1970
        )
        for at in ("08:00", "22:00"):
            RegimenDose.objects.create(
                patient=patient, drug="diazepam", mg=Decimal(10), time=time.fromisoformat(at)
            )
        Intake.objects.create(
            patient=patient,
            duration_months=Decimal(24),
            days_per_week=7,
            equivalence_table="ashton-2002",
            home_support="supportive",
        )
        regimen = regimen_of(patient)
        assert regimen is not None
        plan = build_plan(PlanRequest(regimen, "ashton-2002", date(2026, 1, 5)))
        version = PlanVersion.objects.create(
            patient=patient,
            number=1,
            reason="bench",
            created_by=user,
            parameters={},
            plan=plan_to_dict(plan),
            source=plan.source,
            strategy=plan.strategy,
            start=plan.start,
            end=plan.end,
            diazepam_eq_mg=plan.diazepam_eq_mg_per_day,
        )
    return user, version


def _summary(timings: list[float]) -> tuple[float, float, float]:
    timings = sorted(timings)
    n = len(timings)
    return (
        statistics.median(timings),
        timings[max(int(0.95 * n) - 1, 0)],
        timings[max(int(0.99 * n) - 1, 0)],
    )


def _time(label: str, n: int, call: Callable[[], Any]) -> float:
    size = 0
    for _ in range(WARM_UP):  # warm-up, and a check that the page is the real one
        response = call()
        body = response.content
        if response.status_code != 200 or b"<svg" not in body or b"errorlist" in body:
            raise SystemExit(f"{label}: HTTP {response.status_code} or no chart / a form error")
        size = len(body)
    timings = []
    for _ in range(n):
        start = clock.perf_counter()
        response = call()
        timings.append((clock.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
    median, p95, p99 = _summary(timings)
    print(
        f"{label:<46} n={n:<4} median {median:6.1f} ms   p95 {p95:6.1f} ms   "
        f"p99 {p99:6.1f} ms   {size / 1024:4.0f} KiB"
    )
    return p95


def _parts(version: Any, patient: Any, n: int) -> None:
    """The page's two largest costs on their own: one simulation, and the charts."""
    from benzodetox.core.kinetics.occupancy import parse_ed50
    from benzodetox.web.plans import pharmacology as pk
    from benzodetox.web.plans import services
    from benzodetox.web.programmes.scoping import unscoped

    with unscoped():
        plan = services.plan_of(version)
        cov = pk.covariates(patient, plan)
    ed50s = (parse_ed50("40 mg/day"),)
    days = 365
    form = pk.PharmacologyForm(
        {
            "ed50": "40 mg/day",
            "compare_strategy": "hyperbolic",
            "compare_percent": "10",
            "flumazenil_days": "7",
            "flumazenil_route": "sc",
        }
    )
    assert form.is_valid(), form.errors
    other = pk._comparison_plan(plan, form)
    assert other is not None
    sims = []
    timings = []
    for i in range(n + WARM_UP):
        start = clock.perf_counter()
        sim, before = pk.simulate_plan(plan, days, cov, ed50s)
        if i >= WARM_UP:
            timings.append((clock.perf_counter() - start) * 1000)
    median, p95, _ = _summary(timings)
    print(
        f"{'  part: simulate one plan (run-in + 365 d)':<46} n={n:<4} median {median:6.1f} ms   "
        f"p95 {p95:6.1f} ms"
    )
    for key, p in (("v1", plan), ("alternative", other)):
        sim, before = pk.simulate_plan(p, pk.plan_days(other) + pk.WASHOUT_DAYS, cov, ed50s)
        result = pk.PlanResult(key, key, p, sim, before)
        pk._step_rows(result)
        sims.append(result)
    timings = []
    for i in range(n + WARM_UP):
        start = clock.perf_counter()
        pk.charts(sims)
        if i >= WARM_UP:
            timings.append((clock.perf_counter() - start) * 1000)
    median, p95, _ = _summary(timings)
    print(
        f"{'  part: both charts for two plans':<46} n={n:<4} median {median:6.1f} ms   "
        f"p95 {p95:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres",
        default=None,
        metavar="URL",
        help="run on a scratch PostgreSQL database on this server instead of SQLite",
    )
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="benzodetox-bench-pk-")
    os.environ["BENZODETOX_DATA_DIR"] = data_dir
    os.environ["BENZODETOX_ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "benzodetox.web.settings"
    if args.postgres:
        with admin_connection(args.postgres) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            admin.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = with_db(args.postgres, BENCH_DB)
        where = f"PostgreSQL database {BENCH_DB}"
    else:
        os.environ.pop("DATABASE_URL", None)
        where = f"SQLite in {data_dir}"
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client

        from benzodetox.web.plans import services
        from benzodetox.web.programmes.scoping import unscoped

        call_command("migrate", verbosity=0, interactive=False)
        user, version = _seed()
        with unscoped():
            plan = services.plan_of(version)
            patient = version.patient
        client = Client()
        client.force_login(user)
        url = f"/patients/{patient.pk}/plans/{version.number}/pharmacology/"

        print(f"benzodetox pharmacology page bench — {describe()}")
        print(
            f"{where}; saved {plan.strategy} plan from diazepam "
            f"{plan.diazepam_eq_mg_per_day} mg/day: {len(plan.steps)} steps, "
            f"{(plan.end - plan.start).days + 1} days; in-process client, "
            f"{args.requests} requests after {WARM_UP} warm-up"
        )
        worst = 0.0
        for label, query, htmx in CASES:
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            p95 = _time(
                label,
                args.requests,
                lambda query=query, headers=headers: client.get(url, query, **headers),
            )
            worst = max(worst, p95)
        preview = f"/patients/{patient.pk}/plans/preview/"
        form = dict(PLAN_FORM)
        preview_p95 = _time(
            "builder preview (htmx), section closed",
            args.requests,
            lambda: client.post(preview, form, HTTP_HX_REQUEST="true"),
        )
        _time(
            "builder Pharmacology section, opened",
            args.requests,
            lambda: client.post(f"{preview}pharmacology/", form, HTTP_HX_REQUEST="true"),
        )
        _parts(version, patient, args.requests)
        verdict = "OK" if preview_p95 < 50 else "ABOVE TARGET"
        print(f"  target: plan preview p95 < 50 ms → {verdict} ({preview_p95:.1f} ms)")
        verdict = "OK" if worst < 100 else "ABOVE TARGET"
        print(f"  target: a one-year plan's page p95 < 100 ms → {verdict} (worst {worst:.1f} ms)")
        connections.close_all()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if args.postgres:
            with admin_connection(args.postgres) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
