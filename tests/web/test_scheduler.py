"""Periodic work without cron (issue 11, item 5): jobs claimed by a conditional UPDATE so that
several workers or servers run each once per interval; the dashboard says when the scan ran."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from benzodetox.web.scheduler.models import JobRun
from benzodetox.web.scheduler.runner import JOBS, claim, finish, run_due

HOUR = timedelta(hours=1)


@pytest.mark.django_db
def test_of_two_claims_at_the_same_moment_only_the_first_wins():
    """The second claim finds the lease taken (and the last start within the interval)."""
    now = timezone.now()
    first = claim("overdue-scan", HOUR, now)
    second = claim("overdue-scan", HOUR, now)
    assert first is not None and second is None
    assert JobRun.objects.get(name="overdue-scan").runs == 1


@pytest.mark.django_db(transaction=True)
def test_of_eight_workers_claiming_at_once_exactly_one_wins():
    """Eight threads, each with its own database connection, claim the same job at the same
    instant: one token, seven refusals."""
    JobRun.objects.create(name="phase-advance")
    barrier = threading.Barrier(8)
    tokens: list[str | None] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            tokens.append(claim("phase-advance", HOUR))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len([t for t in tokens if t]) == 1 and len(tokens) == 8
    assert JobRun.objects.get(name="phase-advance").runs == 1


@pytest.mark.django_db
def test_a_run_records_its_time_and_result_and_frees_the_lease():
    """run_due runs every job once, records when and what, and releases the lease."""
    before = timezone.now()
    outcomes = run_due(HOUR)
    assert [o.name for o in outcomes] == list(JOBS)
    assert all(o.ok for o in outcomes)
    row = JobRun.objects.get(name="overdue-scan")
    assert row.finished_at is not None and row.finished_at >= before
    assert (row.ok, row.lease_until, row.lease_token) == (True, None, "")
    assert row.summary == "checked 0 patients, raised 0 alerts"


@pytest.mark.django_db
def test_a_job_does_not_run_again_within_its_interval_but_does_after_it():
    """A second pass a minute later does nothing; one an interval later runs again."""
    now = timezone.now()
    assert len(run_due(HOUR, now)) == len(JOBS)
    assert run_due(HOUR, now + timedelta(minutes=1)) == []
    assert len(run_due(HOUR, now + HOUR)) == len(JOBS)
    assert JobRun.objects.get(name="phase-advance").runs == 2


@pytest.mark.django_db
def test_a_crashed_workers_lease_expires_and_another_takes_the_job_over():
    """A lease never released (the worker died) is taken over once it expires, and the dead
    worker's late finish is ignored."""
    now = timezone.now()
    dead = claim("overdue-scan", timedelta(0), now)
    assert claim("overdue-scan", timedelta(0), now + timedelta(minutes=5)) is None
    taken = claim("overdue-scan", timedelta(0), now + timedelta(hours=2))
    assert dead is not None and taken is not None
    assert finish("overdue-scan", dead, True, "late") is False
    assert finish("overdue-scan", taken, True, "done") is True


@pytest.mark.django_db
def test_the_scan_overdue_command_still_works_and_records_its_run(capsys):
    """`benzodetox manage scan_overdue` scans as before, and the dashboard's status counts it."""
    call_command("scan_overdue")
    assert "raised 0 alerts" in capsys.readouterr().out
    row = JobRun.objects.get(name="overdue-scan")
    assert row.summary == "checked 0 patients, raised 0 alerts (command)"


def test_the_dashboard_says_the_scan_has_never_run(client_for, nurse):
    """Before any run the status line says so."""
    page = client_for(nurse).get(reverse("monitoring:dashboard")).content.decode()
    assert "The overdue scan has never run." in page
    assert "It runs every 5 min." in page


def test_the_dashboard_says_when_the_scan_last_ran_and_what_it_found(client_for, nurse):
    """After a run, the status line gives its time and result."""
    run_due(HOUR)
    finished = JobRun.objects.get(name="overdue-scan").finished_at
    page = client_for(nurse).get(reverse("monitoring:dashboard")).content.decode()
    stamp = timezone.localtime(finished).strftime("%Y-%m-%d %H:%M")
    assert f"Overdue scan last ran {stamp}: checked 0 patients, raised 0 alerts." in page


def test_the_dashboard_says_when_the_scheduler_is_off(client_for, nurse, settings):
    """With BENZODETOX_SCHEDULER_MINUTES=0 the status line says how to run the scan instead."""
    settings.SCHEDULER_MINUTES = 0
    page = client_for(nurse).get(reverse("monitoring:dashboard")).content.decode()
    assert "the server's scheduler is off" in page
