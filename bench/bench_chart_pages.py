"""Page times of the pages that draw charts (issue 15 item 2: one chart package): a saved
plan, its Pharmacology view, a patient's monitoring trends and the programme's outcomes.

Seeds the demo (``web.demo.seed_demo``: patients with plans, monitoring readings and the
synthetic outcome history) into a scratch PostgreSQL database, times each page through the
whole Django stack with the test client and drops the database.

    uv run python bench/bench_chart_pages.py [--requests 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from _web import scratch_postgres, time_requests

BENCH_DB = f"benzodetox_bench_charts_{os.getpid()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    os.environ["BENZODETOX_DATA_DIR"] = tempfile.mkdtemp(prefix="benzodetox-bench-")
    print(describe())
    with scratch_postgres(BENCH_DB):
        from django.contrib.auth import get_user_model
        from django.test import Client

        from benzodetox.web.demo import seed_demo
        from benzodetox.web.monitoring.models import Assessment
        from benzodetox.web.plans.models import PlanVersion
        from benzodetox.web.programmes.scoping import unscoped

        seed_demo()
        with unscoped():
            version = PlanVersion.objects.order_by("-patient__pk", "number").first()
            assert version is not None
            watched = (
                Assessment.objects.values_list("patient_id", flat=True).order_by("patient_id")
            ).first()
        users = get_user_model()
        prescriber = Client()
        prescriber.force_login(users.objects.get(username="demo-prescriber"))
        admin = Client()
        admin.force_login(users.objects.get(username="demo-admin"))
        pk, number = version.patient_id, version.number
        n = args.requests
        time_requests(
            "plan page", n, lambda i: prescriber.get(f"/patients/{pk}/plans/{number}/"), b"<svg"
        )
        try:
            time_requests(
                "pharmacology page",
                max(n // 4, 5),
                lambda i: prescriber.get(f"/patients/{pk}/plans/{number}/pharmacology/"),
                b"<svg",
            )
        except Exception as error:  # another part of the page failing must not hide the rest
            print(f"pharmacology page: not timed ({type(error).__name__}: {error})")
        time_requests(
            "monitoring trends page",
            n,
            lambda i: prescriber.get(f"/patients/{watched}/monitoring/"),
            b"<svg",
        )
        time_requests("outcomes page", n, lambda i: admin.get("/programme/outcomes/"), b"<svg")


if __name__ == "__main__":
    main()
