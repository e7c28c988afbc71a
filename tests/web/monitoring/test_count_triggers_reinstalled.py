"""The kept counts' triggers come back after every migrate: on SQLite a migration that rebuilds
a table drops its triggers, and the counts would drift silently (issue 12's kept counts)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from benzodetox.web.monitoring.models import Alert
from benzodetox.web.monitoring.tally import ensure_count_triggers
from benzodetox.web.patients.models import Patient

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps triggers"),
]


def _count_triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%tally%'"
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_dropped_count_trigger_is_put_back_and_counts_again(patient_a: Any, everything: Any):
    before = _count_triggers()
    assert "monitoring_alert_tally_insert" in before
    with connection.cursor() as cursor:  # what a table rebuild does to its triggers
        cursor.execute("DROP TRIGGER monitoring_alert_tally_insert")
    assert "monitoring_alert_tally_insert" not in _count_triggers()

    assert ensure_count_triggers(sender=None) > 0
    assert _count_triggers() == before  # every one back, none twice or extra

    Alert.objects.create(
        programme_id=patient_a.programme_id,
        patient=patient_a,
        kind="score",
        severity="high",
        key="k",
        title="t",
    )
    assert Patient.objects.get(pk=patient_a.pk).open_alerts == 1


def test_putting_back_is_idempotent(db: Any) -> None:
    before = _count_triggers()
    ensure_count_triggers(sender=None)
    ensure_count_triggers(sender=None)
    assert _count_triggers() == before
