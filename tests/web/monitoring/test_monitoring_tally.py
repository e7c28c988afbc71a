"""The dashboard's counts and the patient's open alerts are kept by database triggers, whatever
path the write takes, and always equal a recount; the dashboard reads them instead of counting
the programme's rows on every request."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benzodetox.web.monitoring.models import Alert, ScheduledChange, Tally
from benzodetox.web.monitoring.tally import compact, counts
from benzodetox.web.patients.choices import Phase
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.models import Programme
from benzodetox.web.programmes.scoping import unscoped

SEVERITIES = ("critical", "high", "medium")
KINDS = ("score", "event", "overdue", "reduction")
DAYS = [(date(2026, 3, 1) + timedelta(days=n)).isoformat() for n in range(-120, 150)]


def _recount(programme: Programme) -> dict[str, dict[str, int]]:
    """What the triggers' counts must equal: a plain count of the rows."""
    with unscoped():
        patients = Patient.objects.filter(programme=programme)
        open_alerts = Alert.objects.filter(programme=programme, acknowledged_at__isnull=True)
        return {
            "phase:": dict(patients.values_list("phase").annotate(n=Count("pk")).order_by()),
            "open:": dict(open_alerts.values_list("severity").annotate(n=Count("pk")).order_by()),
            "open-kind:": dict(open_alerts.values_list("kind").annotate(n=Count("pk")).order_by()),
            "change:": {
                day.isoformat(): n
                for day, n in ScheduledChange.objects.filter(programme=programme)
                .values_list("on")
                .annotate(n=Count("pk"))
                .order_by()
            },
            "patient": {
                pk: n
                for pk, n in patients.annotate(
                    n=Count("alerts", filter=Q(alerts__acknowledged_at__isnull=True))
                ).values_list("pk", "n")
            },
        }


def _kept(programme: Programme) -> dict[str, dict[str, int]]:
    with unscoped():
        return {
            "phase:": counts([programme.pk], "phase:", Phase.values),
            "open:": counts([programme.pk], "open:", SEVERITIES),
            "open-kind:": counts([programme.pk], "open-kind:", KINDS),
            "change:": counts([programme.pk], "change:", DAYS),
            "patient": dict(
                Patient.objects.filter(programme=programme).values_list("pk", "open_alerts")
            ),
        }


def _version(patient: Patient) -> Any:
    """A plan version to hang scheduled changes on (its content does not matter here)."""
    from django.contrib.auth import get_user_model

    from benzodetox.web.plans.models import PlanVersion

    user = get_user_model().objects.create(username=f"tally-{patient.pk}")
    return PlanVersion.objects.create(
        patient=patient,
        number=1,
        reason="r",
        created_by=user,
        parameters={},
        plan={},
        source="ashton-2002",
        strategy="asam",
        start=date(2026, 3, 1),
        end=date(2026, 6, 1),
        diazepam_eq_mg=Decimal(10),
    )


# one step of a programme's life: (operation, patient index, value)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("add-patient"), st.integers(0, 9), st.sampled_from(Phase.values)),
        st.tuples(st.just("phase"), st.integers(0, 9), st.sampled_from(Phase.values)),
        st.tuples(
            st.just("alert"),
            st.integers(0, 9),
            st.tuples(st.sampled_from(SEVERITIES), st.sampled_from(KINDS)),
        ),
        st.tuples(st.just("acknowledge"), st.integers(0, 30), st.none()),
        st.tuples(st.just("bulk-close"), st.integers(0, 9), st.none()),
        st.tuples(st.just("raw-reopen"), st.integers(0, 30), st.none()),
        st.tuples(st.just("compact"), st.just(0), st.none()),
        st.tuples(st.just("change"), st.integers(0, 9), st.integers(0, 20)),
        st.tuples(st.just("move-changes"), st.integers(0, 9), st.integers(-3, 3)),
        st.tuples(st.just("drop-changes"), st.integers(0, 9), st.none()),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_kept_counts_always_equal_a_recount(plan: list[tuple[str, int, Any]]) -> None:
    """Whatever mix of new patients, phase changes (save and queryset update), alerts raised,
    acknowledged one by one, closed in bulk, reopened by raw SQL and compactions, the counts
    by phase, by severity and kind, and each patient's open alerts equal a count of the rows."""
    with unscoped():
        programme = Programme.objects.create(name=f"Tally {Programme.objects.count()}")
        patients: list[Patient] = []
        alerts: list[Alert] = []
        version: Any = None
        for op, index, value in plan:
            if op == "add-patient" or not patients:
                patients.append(
                    Patient.objects.create(
                        programme=programme,
                        reference=f"T-{len(patients)}",
                        display_name="T. T.",
                        year_of_birth=1970,
                        phase=value if op == "add-patient" else Phase.INTAKE,
                    )
                )
                continue
            patient = patients[index % len(patients)]
            if op == "phase":
                if index % 2:
                    patient.phase = value
                    patient.save()
                else:
                    Patient.objects.filter(pk=patient.pk).update(phase=value)
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
                alert = alerts[index % len(alerts)]
                Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
                    acknowledged_at=timezone.now()
                )
            elif op == "bulk-close":
                Alert.objects.filter(patient=patient).update(acknowledged_at=timezone.now())
            elif op == "raw-reopen" and alerts:
                alert = alerts[index % len(alerts)]
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE monitoring_alert SET acknowledged_at = NULL WHERE id = %s",
                        [alert.pk],
                    )
            elif op == "compact":
                compact()
            elif op == "change":
                if version is None:
                    version = _version(patient)
                ScheduledChange.objects.create(
                    programme=programme,
                    patient=patient,
                    plan_version=version,
                    on=date(2026, 3, 1) + timedelta(days=value),
                    kind="reduction",
                    to_mg=Decimal(5),
                )
            elif op == "move-changes":
                ScheduledChange.objects.filter(patient=patient).update(
                    on=F("on") + timedelta(days=value)
                )
            elif op == "drop-changes":
                ScheduledChange.objects.filter(patient=patient).delete()
        assert _kept(programme) == _recount(programme)


@pytest.mark.django_db
def test_a_stale_copy_of_the_patient_does_not_overwrite_the_open_alert_count(patient_a, everything):
    """A patient loaded before an alert was raised and saved after it (an edit form) keeps the
    database's count: the trigger-kept field is never written by save()."""
    stale = Patient.objects.get(pk=patient_a.pk)
    Alert.objects.create(
        programme_id=patient_a.programme_id,
        patient=patient_a,
        kind="score",
        severity="high",
        key="x",
        title="t",
    )
    stale.display_name = "C. D."
    stale.save()
    fresh = Patient.objects.get(pk=patient_a.pk)
    assert (fresh.display_name, fresh.open_alerts) == ("C. D.", 1)


@pytest.mark.django_db
def test_compaction_folds_each_key_into_one_row_and_keeps_the_counts(
    patient_a, programme_a, everything
):
    """After phase changes and alerts, compact() leaves one row per key (zeros gone) and the
    same counts."""
    for phase in ("tapering", "hold", "tapering", "aftercare"):
        patient_a.phase = phase
        patient_a.save()
    for n in range(3):
        Alert.objects.create(
            programme=programme_a,
            patient=patient_a,
            kind="score",
            severity="high",
            key=f"c{n}",
            title="t",
        )
    Alert.objects.filter(patient=patient_a).update(acknowledged_at=timezone.now())
    before = _kept(programme_a)
    assert compact() > 0
    assert _kept(programme_a) == before
    keys = list(Tally.objects.filter(programme=programme_a).values_list("key", flat=True))
    assert sorted(keys) == sorted(set(keys)) == ["phase:aftercare"]


@pytest.mark.django_db
def test_the_dashboard_reads_kept_counts_and_does_not_count_the_programme(
    client_for, nurse, tapering_a, alert_a
):
    """Unfiltered, the dashboard runs no COUNT over the patients or the alerts: the census,
    the alerts by severity, the overdue and aftercare totals come from the kept counts."""
    client = client_for(nurse)
    client.get("/patients/dashboard/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/patients/dashboard/")
    assert response.status_code == 200
    counting = [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"].upper()
        and ('"patients_patient"' in q["sql"] or '"monitoring_alert"' in q["sql"])
        and '"monitoring_tally"' not in q["sql"]
    ]
    assert counting == []
    # and the figures shown are right: one tapering patient, one open high alert
    assert response.context["census_total"] == 1
    assert dict(response.context["counts"])[alert_a.severity] == 1


@pytest.mark.django_db
def test_the_patient_list_sorts_by_the_kept_open_alert_count(
    client_for, nurse, tapering_a, alert_a, programme_a, everything
):
    """Sorted by open alerts, the patient with the alert comes first and shows its count."""
    Patient.objects.create(
        programme=programme_a, reference="A-000", display_name="Z. Z.", year_of_birth=1980
    )
    response = client_for(nurse).get("/patients/", {"sort": "alerts"})
    rows = [p for p, _ in response.context["rows"]]
    assert rows[0].pk == tapering_a.pk and rows[0].open_alerts == 1
    assert rows[1].open_alerts == 0


def _writer(programme_id: int, patient_ids: list[int], tag: str, errors: list) -> None:
    """Raise 15 alerts over the patients and acknowledge every third, one transaction each."""
    from django.db import connections, transaction

    try:
        with unscoped():
            for n in range(15):
                with transaction.atomic():
                    alert = Alert.objects.create(
                        programme_id=programme_id,
                        patient_id=patient_ids[n % len(patient_ids)],
                        kind="score",
                        severity=SEVERITIES[n % 3],
                        key=f"{tag}{n}",
                        title="t",
                    )
                    if n % 3 == 0:
                        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=timezone.now())
    except BaseException as error:  # reported by the test
        errors.append(error)
    finally:
        connections.close_all()


def _compactor(stop: Any, errors: list) -> None:
    from django.db import OperationalError, connections

    try:
        while not stop.is_set():
            try:
                compact()
            except OperationalError as error:  # SQLite: another writer holds the file
                if "locked" not in str(error):
                    raise
    except BaseException as error:
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_counts_stay_exact_while_writers_and_compaction_run_at_once(programme_a):
    """Two writers raise and acknowledge alerts while a third thread compacts in a loop:
    afterwards the kept counts equal a recount (no delta lost or counted twice). PostgreSQL
    (several servers' case); SQLite has one writer at a time, and its in-memory test database
    refuses concurrent writers instead of waiting."""
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (the test SQLite database does not wait)")

    from ..conftest import make_patient

    patients = [make_patient(programme_a, f"W-{i}", [("diazepam", "5", "22:00")]) for i in (1, 2)]
    ids = [p.pk for p in patients]
    errors: list[BaseException] = []
    stop = threading.Event()
    compactor = threading.Thread(target=_compactor, args=(stop, errors))
    writers = [
        threading.Thread(target=_writer, args=(programme_a.pk, ids, tag, errors))
        for tag in ("a", "b")
    ]
    compactor.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    compactor.join()
    assert not errors, errors
    assert _kept(programme_a) == _recount(programme_a)
    assert sum(_kept(programme_a)["open:"].values()) == 20


@pytest.mark.django_db
def test_a_search_gives_the_same_rows_by_ids_and_by_join(
    client_for, nurse, tapering_a, alert_a, monkeypatch
):
    """A search matching few patients is looked up by their ids; past the limit the tables
    search with a join: both show the same alert and totals."""
    from benzodetox.web.monitoring import dashboard

    client = client_for(nurse)
    by_ids = client.get("/patients/dashboard/", {"q": "A-001"})
    monkeypatch.setattr(dashboard, "MATCH_LIMIT", 0)
    by_join = client.get("/patients/dashboard/", {"q": "A-001"})
    for response in (by_ids, by_join):
        assert [a.pk for a in response.context["alerts"]] == [alert_a.pk]
    keys = ("overdue_total", "aftercare_total", "week_total")
    assert [by_ids.context[k] for k in keys] == [by_join.context[k] for k in keys]
    nobody = client.get("/patients/dashboard/", {"q": "Z-999"})
    assert nobody.context["alerts"] == [] and nobody.context["week_total"] == 0
