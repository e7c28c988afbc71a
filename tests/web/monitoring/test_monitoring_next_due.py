"""The overdue scan's cost follows what is due: each patient's indexed next check (the earliest
moment one of their scheduled assessments could fall overdue) is kept when an assessment is
recorded, and the scan reads only the rows whose next check has come."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benzodetox.web.monitoring import overdue
from benzodetox.web.monitoring.models import Alert, MonitoringState

from ..conftest import make_patient
from .conftest import record


def test_a_met_window_moves_the_next_check_to_when_the_next_one_closes(
    nurse, tapering_a, everything
):
    """The scan raised the missed CIWA-B and the patient is due for another look (as after a
    change of the schedule); a CIWA-B recorded now meets the window: the next check moves past
    now (to the next window's close, at most a day away), so a scan now claims nobody."""
    now = timezone.now()
    overdue.scan(now=now)
    assert Alert.objects.filter(kind="overdue", acknowledged_at__isnull=True).count() == 1
    MonitoringState.objects.filter(patient=tapering_a).update(next_check_at=now)
    record(nurse, tapering_a, at=now - timedelta(minutes=1))
    assert not Alert.objects.filter(kind="overdue", acknowledged_at__isnull=True).exists()
    state = MonitoringState.objects.get(patient=tapering_a)
    assert now < state.next_check_at <= now + timedelta(days=1, minutes=15)
    assert overdue.scan(now=timezone.now()).claimed == 0


def test_recording_leaves_a_state_a_scan_holds_alone(nurse, tapering_a, everything):
    """While a scan holds the patient's claim, recording does not move the next check: the
    scan's own UPDATE (by its claim token) sets it."""
    now = timezone.now()
    overdue.ensure_states(now)
    ids = overdue.candidates(now, 10)
    assert overdue.claim(ids, now, timedelta(minutes=5), "s" * 32) == 1
    held = MonitoringState.objects.get(patient=tapering_a).next_check_at
    record(nurse, tapering_a, at=now - timedelta(minutes=1))
    state = MonitoringState.objects.get(patient=tapering_a)
    assert (state.claim_token, state.next_check_at) == ("s" * 32, held)


def _resting(programme, count: int, start: int) -> None:
    """``count`` patients whose next check is a day away (nothing due)."""
    later = timezone.now() + timedelta(days=1)
    for i in range(count):
        patient = make_patient(programme, f"N-{start + i:04d}", [("diazepam", "5", "22:00")])
        MonitoringState.objects.create(
            patient=patient, programme=programme, next_check_at=later, plan_start=None
        )


def test_a_scan_reads_only_what_is_due_however_many_patients_rest(
    tapering_a, programme_a, everything
):
    """With 1 patient due, a scan among 5 and among 45 resting patients claims the same one
    patient with the same queries: the patients not due are never read."""

    def scan_once() -> tuple[int, list[str]]:
        MonitoringState.objects.filter(patient=tapering_a).update(
            next_check_at=timezone.now() - timedelta(minutes=1), claim_token="", claimed_until=None
        )
        with CaptureQueriesContext(connection) as queries:
            claimed = overdue.scan().claimed
        return claimed, [q["sql"] for q in queries if "monitoring_monitoringstate" in q["sql"]]

    overdue.ensure_states(timezone.now())
    _resting(programme_a, 5, 0)
    few = scan_once()
    _resting(programme_a, 40, 100)
    many = scan_once()
    assert few[0] == many[0] == 1
    assert len(few[1]) == len(many[1])


@pytest.mark.django_db
def test_the_due_rows_are_found_through_the_next_check_index():
    """The candidates query filters and orders on ``next_check_at`` (the indexed column)."""
    from benzodetox.web.programmes.scoping import unscoped

    with unscoped(), CaptureQueriesContext(connection) as queries:
        overdue.candidates(timezone.now(), 10)
    sql = queries[0]["sql"]
    assert (
        '"next_check_at" <=' in sql
        and 'ORDER BY "monitoring_monitoringstate"."next_check_at"' in sql
    )
    indexed = {tuple(index.fields) for index in MonitoringState._meta.indexes}
    assert ("next_check_at",) in indexed
