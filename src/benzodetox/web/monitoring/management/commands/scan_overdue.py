"""Find overdue assessments and reductions due without a recent assessment, and raise their
alerts. ``benzodetox serve`` runs it itself (BENZODETOX_SCHEDULER_MINUTES); run it from cron or
a loop (``--loop SECONDS``) when the scheduler is off. Several copies may run at once: each
patient is claimed with a conditional UPDATE, so no two scans work on the same patient. A run
is recorded as the scheduler's (the dashboard says when the scan last ran) unless the server's
own run holds the job at that moment."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from benzodetox.web.monitoring.overdue import scan, system_scan_summary
from benzodetox.web.scheduler.runner import claim, finish


class Command(BaseCommand):
    help = __doc__.splitlines()[0] if __doc__ else ""

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="patients claimed at a time")
        parser.add_argument(
            "--lease-minutes", type=int, default=10, help="how long a claim lasts if a scan dies"
        )
        parser.add_argument(
            "--loop", type=int, default=0, metavar="SECONDS", help="scan again every SECONDS"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            started = time.perf_counter()
            token = claim("overdue-scan", timedelta(0))
            result = scan(batch=options["batch"], lease=timedelta(minutes=options["lease_minutes"]))
            system_scan_summary(result)
            if token is not None:
                finish(
                    "overdue-scan",
                    token,
                    True,
                    f"checked {result.claimed} patients, raised {result.alerts} alerts (command)",
                )
            self.stdout.write(
                f"checked {result.claimed} patients ({result.created_states} new, "
                f"{result.refreshed} with a changed plan), raised {result.alerts} alerts "
                f"in {time.perf_counter() - started:.2f} s"
            )
            if not options["loop"]:
                return
            time.sleep(options["loop"])
