"""Periodic work without cron: ``benzodetox serve`` runs each job every
``BENZODETOX_SCHEDULER_MINUTES`` (0 disables) from a thread in every gunicorn worker; the first
worker to win the job's row (a conditional ``UPDATE … WHERE``, the same pattern as the overdue
scan's claim) runs it, the others find it taken and wait for the next turn. This works the same
on SQLite and PostgreSQL, with one server or several on one database.

Jobs: ``phase-advance`` (the phase of care follows the approved plan's dates,
``patients/phase.py``) and ``overdue-scan`` (``monitoring/overdue.py``; it claims each patient
itself, so even a scan from ``benzodetox manage scan_overdue`` at the same time is safe) and
``tally-compact`` (folds the dashboard's trigger-kept count rows, ``monitoring/tally.py``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import (
    IntegrityError,
    OperationalError,
    close_old_connections,
    connections,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone

from .models import JobRun

__all__ = ["JOBS", "Outcome", "claim", "finish", "last_runs", "run_due", "start_in_background"]

log = logging.getLogger(__name__)

#: how long a run may take before another worker may take over (a crashed worker's lease)
LEASE = timedelta(minutes=30)


def _phase_advance() -> str:
    from benzodetox.web.patients.phase import advance_due

    return str(advance_due())


def _overdue_scan() -> str:
    from benzodetox.web.monitoring.overdue import scan, system_scan_summary

    result = scan()
    system_scan_summary(result)
    return (
        f"checked {result.claimed} patient{'s' if result.claimed != 1 else ''}, "
        f"raised {result.alerts} alert{'s' if result.alerts != 1 else ''}"
    )


def _tally_compact() -> str:
    from benzodetox.web.monitoring.tally import compact

    folded = compact()
    return f"folded {folded} count row{'s' if folded != 1 else ''}"


#: seconds one run of the outcomes job may spend computing; what is left waits for the next run
OUTCOMES_BUDGET_SECONDS = 60.0


def _outcomes_refresh() -> str:
    """Keep every programme's outcomes current, so no one opening the outcomes page waits for a
    first computation (a page view computes what is still missing within its own budget)."""
    from benzodetox.web.outcomes.services import refresh
    from benzodetox.web.programmes.models import Programme
    from benzodetox.web.programmes.scoping import unscoped

    recomputed = remaining = 0
    deadline = time.monotonic() + OUTCOMES_BUDGET_SECONDS
    with unscoped():
        for programme_id in Programme.objects.values_list("pk", flat=True).order_by("pk"):
            left = deadline - time.monotonic()
            if left <= 0:
                remaining += 1  # a whole programme left for the next run
                continue
            done = refresh(programme_id, timezone.localdate(), budget=left)
            recomputed += done.recomputed
            remaining += done.remaining
    return f"recomputed {recomputed} outcome{'s' if recomputed != 1 else ''}, {remaining} left"


#: the jobs in the order they run (the phase first: the scan looks at the phase)
JOBS: dict[str, Callable[[], str]] = {
    "phase-advance": _phase_advance,
    "overdue-scan": _overdue_scan,
    "tally-compact": _tally_compact,
    "outcomes-refresh": _outcomes_refresh,
}


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    summary: str


def claim(name: str, interval: timedelta, now: datetime | None = None) -> str | None:
    """Win the right to run ``name`` now: the token of the run, or None when another worker
    holds a live lease or the job ran less than ``interval`` ago. One ``UPDATE`` decides, so
    of several claimants at the same moment exactly one wins."""
    now = now or timezone.now()
    if not JobRun.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                JobRun.objects.create(name=name)
        except IntegrityError:
            pass  # another worker made the row first
        except OperationalError as error:
            if "locked" in str(error):
                return None  # SQLite busy with another writer: next turn
            raise
    token = uuid.uuid4().hex
    try:
        won = (
            JobRun.objects.filter(name=name)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .filter(Q(started_at__isnull=True) | Q(started_at__lte=now - interval))
            .update(lease_until=now + LEASE, lease_token=token, started_at=now, runs=F("runs") + 1)
        )
    except OperationalError as error:
        # SQLite: another writer holds the database past the busy timeout — someone else is
        # at work; this worker tries again on its next turn (PostgreSQL waits for the row).
        if "locked" in str(error):
            return None
        raise
    return token if won else None


def finish(name: str, token: str, ok: bool, summary: str) -> bool:
    """Record the run's end and release the lease (only the lease's holder may)."""
    return bool(
        JobRun.objects.filter(name=name, lease_token=token).update(
            lease_until=None,
            lease_token="",
            finished_at=timezone.now(),
            ok=ok,
            summary=summary[:300],
        )
    )


def run_due(interval: timedelta, now: datetime | None = None) -> list[Outcome]:
    """Run every job this worker wins; what each run did."""
    outcomes = []
    for name, job in JOBS.items():
        token = claim(name, interval, now)
        if token is None:
            continue
        try:
            summary, ok = job(), True
        except Exception as error:  # a failed run is recorded and shown, never kills the loop
            log.exception("scheduled job %s failed", name)
            summary, ok = f"failed: {type(error).__name__}: {error}", False
        finish(name, token, ok, summary)
        outcomes.append(Outcome(name, ok, summary))
    return outcomes


def last_runs() -> dict[str, JobRun]:
    return {row.name: row for row in JobRun.objects.all()}


_started = threading.Event()


def start_in_background(minutes: int) -> threading.Thread | None:
    """Start this process's scheduler thread (once; not when ``minutes`` is 0). It wakes about
    every minute (or every interval, if shorter) and runs what it wins."""
    if minutes <= 0 or _started.is_set():
        return None
    _started.set()
    interval = timedelta(minutes=minutes)
    pause = min(60.0, interval.total_seconds())

    def loop() -> None:
        # workers started together should not all try at the same instant
        stop = threading.Event()
        stop.wait(random.uniform(1, 5))
        while True:
            close_old_connections()
            try:
                run_due(interval)
            except Exception:  # the database away for a moment: try again next time
                log.exception("scheduler could not run")
            finally:
                connections.close_all()
            stop.wait(pause)

    thread = threading.Thread(target=loop, name="benzodetox-scheduler", daemon=True)
    thread.start()
    return thread
