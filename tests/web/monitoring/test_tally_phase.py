"""The dashboard's totals under a phase filter — open overdue alerts and the week's dose changes
of the patients in a phase — are kept by database triggers (monitoring migration 0011) whatever
path the write takes, equal a recount through the patients, and the filtered dashboard reads
them instead of counting the programme's rows."""

from __future__ import annotations

import importlib
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.web.monitoring.models import Alert, ScheduledChange, Tally
from benzodetox.web.monitoring.tally import compact
from benzodetox.web.patients.choices import Phase
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.models import Programme
from benzodetox.web.programmes.scoping import unscoped

from .test_monitoring_tally import _version

SEVERITIES = ("critical", "high", "medium")
KINDS = ("score", "event", "overdue", "reduction")
OVERDUE = ("overdue", "reduction")
PREFIXES = ("phase-overdue:", "phase-change:")


def _recount(programme: Programme) -> Counter[str]:
    """What the kept phase counts must equal: the rows counted through their patient."""
    with unscoped():
        found: Counter[str] = Counter()
        for phase in Alert.objects.filter(
            programme=programme, acknowledged_at__isnull=True, kind__in=OVERDUE
        ).values_list("patient__phase", flat=True):
            found[f"phase-overdue:{phase}"] += 1
        for phase, on in ScheduledChange.objects.filter(programme=programme).values_list(
            "patient__phase", "on"
        ):
            found[f"phase-change:{phase}:{on.isoformat()}"] += 1
        return found


def _kept(programme: Programme) -> Counter[str]:
    """The kept phase counts: each key's rows summed, zeros left out."""
    with unscoped():
        kept: Counter[str] = Counter()
        for key, n in Tally.objects.filter(programme=programme).values_list("key", "n"):
            if key.startswith(PREFIXES):
                kept[key] += n
        return Counter({k: n for k, n in kept.items() if n})


def _patient(programme: Programme, n: int, phase: str) -> Patient:
    return Patient.objects.create(
        programme=programme,
        reference=f"PT-{n}",
        display_name="P. T.",
        year_of_birth=1970,
        phase=phase,
    )


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# one step: (operation, patient index, value)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("add-patient"), st.integers(0, 5), st.sampled_from(Phase.values)),
        st.tuples(st.just("phase-save"), st.integers(0, 5), st.sampled_from(Phase.values)),
        st.tuples(st.just("phase-update"), st.integers(0, 5), st.sampled_from(Phase.values)),
        st.tuples(st.just("phase-raw"), st.integers(0, 5), st.sampled_from(Phase.values)),
        st.tuples(
            st.just("alert"),
            st.integers(0, 5),
            st.tuples(st.sampled_from(SEVERITIES), st.sampled_from(KINDS)),
        ),
        st.tuples(st.just("acknowledge"), st.integers(0, 20), st.none()),
        st.tuples(st.just("bulk-close"), st.integers(0, 5), st.none()),
        st.tuples(st.just("raw-reopen"), st.integers(0, 20), st.none()),
        st.tuples(st.just("raw-kind"), st.integers(0, 20), st.sampled_from(KINDS)),
        st.tuples(st.just("move-alert"), st.integers(0, 20), st.integers(0, 5)),
        st.tuples(st.just("change"), st.integers(0, 5), st.integers(0, 20)),
        st.tuples(st.just("bulk-changes"), st.integers(0, 5), st.integers(0, 20)),
        st.tuples(st.just("move-changes"), st.integers(0, 5), st.integers(-3, 3)),
        st.tuples(st.just("raw-change-patient"), st.integers(0, 5), st.integers(0, 5)),
        st.tuples(st.just("drop-changes"), st.integers(0, 5), st.none()),
        st.tuples(st.just("delete-patient"), st.integers(0, 5), st.none()),
        st.tuples(st.just("compact"), st.just(0), st.none()),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_kept_phase_counts_always_equal_a_recount(plan: list[tuple[str, int, Any]]) -> None:
    """Whatever mix of phase changes (save, queryset update, raw SQL), alerts raised,
    acknowledged, closed in bulk, reopened or re-kinded by raw SQL, moved to another patient,
    dose changes added one by one or in bulk, moved in time or to another patient, dropped,
    patients deleted with their rows, and compactions: the open overdue alerts and the dose
    changes by day of the patients in each phase equal a count of the rows."""
    with unscoped():
        programme = Programme.objects.create(name=f"Phase tally {Programme.objects.count()}")
        holder = _patient(programme, 0, Phase.TAPERING)  # holds the plan version, never deleted
        version = _version(holder)
        patients: list[Patient] = [holder]
        alerts: list[Alert] = []
        for step, (op, index, value) in enumerate(plan, start=1):
            if op == "add-patient":
                patients.append(_patient(programme, step, value))
                continue
            patient = patients[index % len(patients)]
            if op == "phase-save":
                patient.refresh_from_db()
                patient.phase = value
                patient.save()
            elif op == "phase-update":
                Patient.objects.filter(pk=patient.pk).update(phase=value)
            elif op == "phase-raw":
                _raw("UPDATE patients_patient SET phase = %s WHERE id = %s", [value, patient.pk])
            elif op == "alert":
                severity, kind = value
                alerts.append(
                    Alert.objects.create(
                        programme=programme,
                        patient=patient,
                        kind=kind,
                        severity=severity,
                        key=f"k{len(alerts)}",
                        title="t",
                    )
                )
            elif op == "acknowledge" and alerts:
                Alert.objects.filter(pk=alerts[index % len(alerts)].pk).update(
                    acknowledged_at=timezone.now()
                )
            elif op == "bulk-close":
                Alert.objects.filter(patient=patient).update(acknowledged_at=timezone.now())
            elif op == "raw-reopen" and alerts:
                _raw(
                    "UPDATE monitoring_alert SET acknowledged_at = NULL WHERE id = %s",
                    [alerts[index % len(alerts)].pk],
                )
            elif op == "raw-kind" and alerts:
                _raw(
                    "UPDATE monitoring_alert SET kind = %s WHERE id = %s",
                    [value, alerts[index % len(alerts)].pk],
                )
            elif op == "move-alert" and alerts:
                Alert.objects.filter(pk=alerts[index % len(alerts)].pk).update(
                    patient=patients[value % len(patients)]
                )
            elif op == "change":
                ScheduledChange.objects.create(
                    programme=programme,
                    patient=patient,
                    plan_version=version,
                    on=date(2026, 3, 1) + timedelta(days=value),
                    kind="reduction",
                    to_mg=Decimal(5),
                )
            elif op == "bulk-changes":
                ScheduledChange.objects.bulk_create(
                    ScheduledChange(
                        programme=programme,
                        patient=patient,
                        plan_version=version,
                        on=date(2026, 3, 1) + timedelta(days=value + n),
                        kind="reduction",
                        to_mg=Decimal(5),
                    )
                    for n in range(3)
                )
            elif op == "move-changes":
                ScheduledChange.objects.filter(patient=patient).update(
                    on=F("on") + timedelta(days=value)
                )
            elif op == "raw-change-patient":
                _raw(
                    "UPDATE monitoring_scheduledchange SET patient_id = %s WHERE patient_id = %s",
                    [patients[value % len(patients)].pk, patient.pk],
                )
            elif op == "drop-changes":
                ScheduledChange.objects.filter(patient=patient).delete()
            elif op == "delete-patient" and patient is not holder:
                # raw, the patient's row first (its rows' foreign keys are checked at commit)
                _raw("DELETE FROM patients_patient WHERE id = %s", [patient.pk])
                _raw("DELETE FROM monitoring_alert WHERE patient_id = %s", [patient.pk])
                _raw("DELETE FROM monitoring_scheduledchange WHERE patient_id = %s", [patient.pk])
                patients.remove(patient)
                alerts = [a for a in alerts if a.patient_id != patient.pk]
            elif op == "compact":
                compact()
        assert _kept(programme) == _recount(programme)


@pytest.mark.django_db
def test_the_migration_counts_the_rows_already_there(patient_a, programme_a, everything):
    """Migration 0011's first count (existing rows, by their patient's phase) equals a
    recount: the counts kept before it ran and after are the same."""
    migration = importlib.import_module("benzodetox.web.monitoring.migrations.0011_phase_tally")
    version = _version(patient_a)
    with unscoped():
        Patient.objects.filter(pk=patient_a.pk).update(phase=Phase.HOLD)
        for n, kind in enumerate(("overdue", "reduction", "score")):
            Alert.objects.create(
                programme=programme_a, patient=patient_a, kind=kind, severity="medium",
                key=f"m{n}", title="t",
            )
        for n in range(3):
            ScheduledChange.objects.create(
                programme=programme_a, patient=patient_a, plan_version=version,
                on=date(2026, 3, 1) + timedelta(days=n), kind="reduction", to_mg=Decimal(5),
            )
    expected = _recount(programme_a)
    assert expected == Counter(
        {
            "phase-overdue:hold": 2,
            "phase-change:hold:2026-03-01": 1,
            "phase-change:hold:2026-03-02": 1,
            "phase-change:hold:2026-03-03": 1,
        }
    )
    day = 'c."on"' if connection.vendor == "sqlite" else """to_char(c."on", 'YYYY-MM-DD')"""
    with connection.cursor() as cursor:
        for statement in migration._count_existing(day):
            cursor.execute(statement)
    assert _kept(programme_a) == expected


def _phase_filtered(client: Any, phase: str) -> Any:
    return client.get("/patients/dashboard/", {"phase": phase}, HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_a_phase_filtered_dashboard_reads_kept_totals_that_match_its_rows(
    client_for, nurse, tapering_a, programme_a, everything
):
    """Filtered by phase, the dashboard's overdue and week totals are the kept counts (no
    COUNT over the patients, alerts or dose changes) and equal the rows of that phase; a
    phase change moves them."""
    from benzodetox.web.monitoring.dashboard import PAGE

    with unscoped():
        Alert.objects.create(
            programme=programme_a, patient=tapering_a, kind="overdue", severity="medium",
            key="o1", title="CIWA-B overdue",
        )
        phase = Patient.objects.get(pk=tapering_a.pk).phase
        week = ScheduledChange.objects.filter(patient=tapering_a)
        today = timezone.localdate()
        monday = today - timedelta(days=today.weekday())
        in_week = week.filter(on__gte=monday, on__lte=monday + timedelta(days=6)).count()
    client = client_for(nurse)
    _phase_filtered(client, phase)
    with CaptureQueriesContext(connection) as queries:
        response = _phase_filtered(client, phase)
    assert response.status_code == 200
    counting = [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"].upper() and '"monitoring_tally"' not in q["sql"]
    ]
    assert counting == []
    assert response.context["overdue_total"] == 1 == len(response.context["overdue"])
    assert response.context["week_total"] == in_week
    assert len(response.context["week"]) == min(in_week, PAGE * 2)
    other = Phase.HOLD if phase != Phase.HOLD else Phase.TAPERING
    elsewhere = _phase_filtered(client, other)
    assert (elsewhere.context["overdue_total"], elsewhere.context["week_total"]) == (0, 0)
    with unscoped():
        Patient.objects.filter(pk=tapering_a.pk).update(phase=other)
    moved = _phase_filtered(client, other)
    assert moved.context["overdue_total"] == 1
    assert moved.context["week_total"] == in_week
    assert _phase_filtered(client, phase).context["overdue_total"] == 0


def _phase_flipper(patient_id: int, errors: list[BaseException]) -> None:
    from django.db import connections, transaction

    try:
        with unscoped():
            for n in range(20):
                with transaction.atomic():
                    Patient.objects.filter(pk=patient_id).update(
                        phase=(Phase.TAPERING, Phase.HOLD, Phase.CROSSOVER)[n % 3]
                    )
    except BaseException as error:  # reported by the test
        errors.append(error)
    finally:
        connections.close_all()


def _row_writer(
    programme_id: int, patient_id: int, version_id: int, errors: list[BaseException]
) -> None:
    from django.db import connections, transaction

    try:
        with unscoped():
            for n in range(20):
                with transaction.atomic():
                    Alert.objects.create(
                        programme_id=programme_id, patient_id=patient_id, kind="overdue",
                        severity="medium", key=f"race{n}", title="t",
                    )
                    ScheduledChange.objects.create(
                        programme_id=programme_id, patient_id=patient_id,
                        plan_version_id=version_id, on=date(2026, 3, 1) + timedelta(days=n),
                        kind="reduction", to_mg=Decimal(5),
                    )
                    if n % 4 == 3:
                        Alert.objects.filter(key=f"race{n - 1}").update(
                            acknowledged_at=timezone.now()
                        )
    except BaseException as error:
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_phase_changes_racing_alerts_and_dose_changes_are_counted_once(programme_a):
    """One thread changes a patient's phase over and over while another raises overdue
    alerts and adds dose changes for that patient: afterwards each row is counted once,
    under the patient's phase (PostgreSQL, several servers' case; SQLite has one writer)."""
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (the test SQLite database does not wait)")
    with unscoped():
        patient = _patient(programme_a, 1, Phase.TAPERING)
        version = _version(patient)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_phase_flipper, args=(patient.pk, errors)),
        threading.Thread(
            target=_row_writer, args=(programme_a.pk, patient.pk, version.pk, errors)
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    kept = _kept(programme_a)
    assert kept == _recount(programme_a)
    assert sum(n for k, n in kept.items() if k.startswith("phase-change:")) == 20
    assert sum(n for k, n in kept.items() if k.startswith("phase-overdue:")) == 15
