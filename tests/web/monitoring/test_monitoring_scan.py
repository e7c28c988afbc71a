"""The overdue scan: overdue assessments by the core's schedule, reductions due without a
recent assessment, raised once each; claims that two scans running at once never both win."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from benzodetox.web.monitoring import overdue
from benzodetox.web.monitoring.models import Alert, MonitoringState, ScheduledChange
from benzodetox.web.programmes.scoping import unscoped

from .conftest import approved_version, record


def _at(day, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_a_missed_assessment_at_the_reduction_raises_one_overdue_alert(
    tapering_a, plan_start, everything
):
    """Outpatient, the first reduction began 3 days ago and no CIWA-B was recorded that day
    (Rec 9): the scan raises an overdue alert; a second scan raises nothing new."""
    first = overdue.scan()
    assert first.claimed == 1 and first.created_states == 1
    alert = Alert.objects.get(kind="overdue")
    assert alert.severity == "medium" and "CIWA-B overdue" in alert.title
    assert alert.detail["source"] == "jcpg-2025"
    overdue.scan(now=timezone.now() + timedelta(days=1))
    assert Alert.objects.filter(kind="overdue").count() == 1


def test_an_assessment_on_the_day_of_the_reduction_means_nothing_is_overdue(
    nurse, tapering_a, plan_start, everything
):
    """A CIWA-B on the reduction day meets the schedule."""
    record(nurse, tapering_a, at=_at(plan_start, 10))
    overdue.scan()
    assert not Alert.objects.filter(kind="overdue").exists()


def test_the_scan_looks_again_when_the_next_window_closes(tapering_a, plan_start, everything):
    """After a scan the patient's next check is no later than a day away and in the future."""
    now = timezone.now()
    overdue.scan(now=now)
    state = MonitoringState.objects.get(patient=tapering_a)
    assert now < state.next_check_at <= now + timedelta(days=1, minutes=15)
    assert state.claim_token == "" and state.claimed_until is None
    assert overdue.scan(now=now).claimed == 0


def test_a_reduction_due_within_a_week_without_a_recent_assessment_raises_an_alert(
    patient_a, prescriber, everything
):
    """The plan's next reduction is 5 days away and nothing was recorded in the last 7 days."""
    patient_a.phase = "hold"
    patient_a.save()
    approved_version(patient_a, prescriber, timezone.localdate() - timedelta(days=9))
    overdue.scan()
    alert = Alert.objects.get(kind="reduction")
    assert "without an assessment in the last 7 days" in alert.title


def test_the_scan_keeps_the_dose_changes_of_the_plan_in_force(tapering_a, everything):
    """The scan records each step change of the approved plan for the dashboard."""
    overdue.scan()
    changes = list(ScheduledChange.objects.filter(patient=tapering_a))
    assert changes and changes[0].kind == "reduction" and changes[0].from_mg is None
    assert all(c.to_mg >= 0 for c in changes)


def test_patients_not_tapering_are_not_scanned_for_overdue_assessments(
    patient_a, prescriber, everything
):
    """A patient at intake has no schedule: no state, no alert."""
    approved_version(patient_a, prescriber, timezone.localdate() - timedelta(days=3))
    result = overdue.scan()
    assert result.claimed == 0 and not Alert.objects.exists()


def test_a_scan_that_lost_the_race_claims_nothing(tapering_a, everything):
    """Two scans see the same due rows; the first conditional UPDATE wins them, the second
    (repeating the due test in its WHERE) matches no row."""
    overdue.ensure_states(timezone.now())
    now = timezone.now()
    seen_by_a = overdue.candidates(now, 100)
    seen_by_b = overdue.candidates(now, 100)
    assert seen_by_a == seen_by_b != []
    won_a = overdue.claim(seen_by_a, now, timedelta(minutes=5), "a" * 32)
    won_b = overdue.claim(seen_by_b, now, timedelta(minutes=5), "b" * 32)
    assert (won_a, won_b) == (1, 0)
    assert MonitoringState.objects.get().claim_token == "a" * 32


def test_an_expired_claim_of_a_dead_scan_is_taken_over(tapering_a, everything):
    """A claim whose lease has passed no longer blocks the patient."""
    overdue.ensure_states(timezone.now())
    now = timezone.now()
    assert overdue.claim(overdue.candidates(now, 10), now, timedelta(minutes=5), "dead") == 1
    later = now + timedelta(minutes=6)
    assert overdue.claim(overdue.candidates(later, 10), later, timedelta(minutes=5), "new") == 1


def _race(now: datetime, name: str, barrier: threading.Barrier, won: dict, errors: list) -> None:
    """One scan's claim, started at the same moment as the other's."""
    try:
        with unscoped():
            ids = overdue.candidates(now, 1000)
            barrier.wait(timeout=10)
            won[name] = overdue.claim(ids, now, timedelta(minutes=5), name * 8)
    except BaseException as error:  # reported by the test
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_never_both_win_a_patient(programme_a, make_user):
    """Two threads claim the same 60 due patients at the same moment, over several rounds:
    every row is won by exactly one of them."""
    from ..conftest import make_patient

    patients = [
        make_patient(programme_a, f"R-{i:03d}", [("diazepam", "5", "22:00")]) for i in range(60)
    ]
    with unscoped():
        for p in patients:
            MonitoringState.objects.create(patient=p, programme=programme_a)
    for round_ in range(5):
        now = timezone.now()
        with unscoped():
            MonitoringState.objects.update(
                next_check_at=now - timedelta(minutes=1), claimed_until=None, claim_token=""
            )
        barrier = threading.Barrier(2)
        won: dict[str, int] = {}
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_race, args=(now, name, barrier, won, errors))
            for name in ("left", "rite")
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        with unscoped():
            tokens = list(MonitoringState.objects.values_list("claim_token", flat=True))
        assert won["left"] + won["rite"] == 60, (round_, won)
        assert tokens.count("left" * 8) == won["left"] and tokens.count("rite" * 8) == won["rite"]
    assert connection.vendor in ("sqlite", "postgresql")


def test_the_command_reports_what_it_did_and_audits_new_alerts(tapering_a, capsys, everything):
    """``scan_overdue`` prints a summary and appends one audit event per programme alerted."""
    from benzodetox.web.audit.models import AuditEvent

    call_command("scan_overdue")
    out = capsys.readouterr().out
    assert "checked 1 patients" in out and "raised 1 alerts" in out
    assert AuditEvent.objects.filter(action="monitoring.scan").count() == 1
