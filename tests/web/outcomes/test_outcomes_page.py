"""The programme outcomes page, its CSV and PDF: who may see them, what they show from real
database records, scoping, auditing, filters and the snapshot cache."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.monitoring.models import Assessment
from benzodetox.web.outcomes import services
from benzodetox.web.outcomes.models import EpisodeSnapshot, OutcomeSettings
from benzodetox.web.programmes.scoping import unscoped

from .conftest import add_episode

URL = "/programme/outcomes/"


@pytest.fixture
def cohort(programme_a: Any, prescriber: Any) -> list[Any]:
    """Six patients who finished an Ashton taper a year ago and kept their aftercare contacts,
    and five who started a month ago."""
    today = timezone.localdate()
    done = [
        add_episode(
            programme_a,
            prescriber,
            f"DONE-{i}",
            today - timedelta(days=400),
            scores=((3, 8), (10, 12), (17, 6)),
            contacts=((14, True), (28, True), (42, True), (56, True), (70, True), (84, True)),
        )
        for i in range(6)
    ]
    going = [
        add_episode(
            programme_a,
            prescriber,
            f"GOING-{i}",
            today - timedelta(days=28),
            scores=((3, 4), (10, 6), (20, 5)),
            level="3.7-WM",
        )
        for i in range(5)
    ]
    return done + going


@pytest.mark.parametrize("role", ["prescriber", "admin"])
def test_admins_and_prescribers_see_the_programme_outcomes(role, personas, client_for, cohort):
    """The page shows the three charts with their tables and the cohort's size."""
    response = client_for(personas[role]).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg") == 3
    assert "Still tapering (Kaplan–Meier)" in body and "Completion funnel" in body
    assert "Patients in this cohort: <strong>11</strong>" in body


@pytest.mark.parametrize("role", ["nurse", "counsellor", "read-only"])
def test_other_roles_get_403_on_the_page_and_the_exports(role, personas, client_for, cohort):
    """Nurses, counsellors and read-only members may not see programme outcomes."""
    client = client_for(personas[role])
    for path in ("", "export.csv", "summary.pdf"):
        assert client.get(URL + path).status_code == 403


def test_another_programmes_prescriber_gets_404_for_this_programme(
    programme_a, other_clinician, client_for, cohort
):
    """Asking for programme A by id as programme B's prescriber is 404, like its patients."""
    response = client_for(other_clinician).get(URL, {"programme": programme_a.pk})
    assert response.status_code == 404


def test_outcomes_are_computed_from_the_records_with_known_answers(programme_a, cohort):
    """The six finished episodes are completed and retained at 30/60/90 days; the five recent
    ones are ongoing inpatient episodes."""
    with unscoped():
        outcomes = services.outcomes_for(programme_a.pk, timezone.localdate())
    by_status: dict[str, list[Any]] = {}
    for o in outcomes:
        by_status.setdefault(o.status, []).append(o)
    assert len(by_status["completed"]) == 6 and len(by_status["ongoing"]) == 5
    assert all(dict(o.retention) == {30: True, 60: True, 90: True} for o in by_status["completed"])
    assert all(o.setting == "inpatient" and not o.reached_zero for o in by_status["ongoing"])
    assert all(o.last_dose_day == o.planned_days for o in by_status["completed"])
    peaks = {b.phase: b.peak for b in by_status["ongoing"][0].burden}
    assert max(peaks.values()) == 6


def test_the_csv_is_de_identified_and_the_export_audited(
    programme_a, prescriber, client_for, cohort
):
    """One row per episode; no record number, name or year of birth; days instead of dates;
    the export is an audit event."""
    response = client_for(prescriber).get(URL + "export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 11
    assert (
        "DONE-" not in text and "GOING-" not in text and "Z. Y." not in text and "1970" not in text
    )
    assert {r["status"] for r in rows} == {"completed", "ongoing"}
    with unscoped():
        event = AuditEvent.objects.filter(action="outcomes.exported").get()
    assert event.programme_id == programme_a.pk and event.detail["rows"] == 11


def test_viewing_is_audited_with_the_filters(programme_a, prescriber, client_for, cohort):
    """A page view is an 'outcomes.viewed' event naming the filters applied."""
    client_for(prescriber).get(URL, {"setting": "inpatient"})
    with unscoped():
        event = AuditEvent.objects.filter(action="outcomes.viewed").get()
    assert event.detail["filters"] == {"setting": "inpatient"}


def test_a_filter_narrows_the_cohort_and_small_cells_are_hidden(prescriber, client_for, cohort):
    """Inpatients only: five patients, all ongoing; the CSV follows the same filter."""
    client = client_for(prescriber)
    body = client.get(URL, {"setting": "inpatient"}).content.decode()
    assert "Patients in this cohort: <strong>5</strong>" in body
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(URL + "export.csv", {"setting": "inpatient"}).content.decode())
        )
    )
    assert len(rows) == 5 and {r["setting_at_start"] for r in rows} == {"inpatient"}


def test_bad_filter_values_are_field_errors_not_server_errors(prescriber, client_for, cohort):
    """An impossible date, an unknown strategy or an end before the start: the page answers
    200 with the field named."""
    client = client_for(prescriber)
    for params, field in (
        ({"start_from": "2026-02-31"}, "start_from"),
        ({"strategy": "nonsense"}, "strategy"),
        ({"start_from": "2026-05-01", "start_to": "2026-04-01"}, "start_to"),
    ):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert field in response.context["form"].errors


def test_the_pdf_summary_is_a_pdf(prescriber, client_for, cohort):
    """The summary downloads as a PDF."""
    response = client_for(prescriber).get(URL + "summary.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_snapshots_follow_new_records_and_changed_definitions(programme_a, prescriber, cohort):
    """An outcome is kept between views; a new assessment recomputes only that patient; a
    programme's own smallest cell recomputes none (it only changes the cohort figures), its own
    lost-to-follow-up days every one."""
    today = timezone.localdate()
    with unscoped():
        assert services.refresh(programme_a.pk, today).recomputed == 11
        assert services.refresh(programme_a.pk, today).recomputed == 0
        patient = cohort[-1][0]
        Assessment(
            programme=programme_a,
            patient=patient,
            kind="ciwa-b",
            at=timezone.now(),
            total=30,
            entered_by=prescriber,
        ).save()
        assert services.refresh(programme_a.pk, today).recomputed == 1
        snapshot = EpisodeSnapshot.objects.get(patient=patient)
        assert max(b[2] for b in snapshot.outcome["burden"]) == 30
        OutcomeSettings.objects.create(programme=programme_a, small_cell_threshold=3)
        assert services.refresh(programme_a.pk, today).recomputed == 0
        OutcomeSettings.objects.filter(programme=programme_a).update(lost_to_follow_up_days=30)
        assert services.refresh(programme_a.pk, today).recomputed == 11


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_cohort(
    programme_a, prescriber, client_for, cohort, django_assert_max_num_queries
):
    """Once computed, a view runs a bounded number of queries (no query per patient)."""
    client = client_for(prescriber)
    client.get(URL)
    with django_assert_max_num_queries(25):
        assert client.get(URL).status_code == 200


def test_an_admin_sets_the_programmes_definitions_and_it_is_audited(
    programme_a, programme_admin, prescriber, client_for, cohort
):
    """The admin's smallest cell of 3 is used (and shown); the change is an audit event; a
    prescriber may not change it; 0 is refused on its field."""
    admin = client_for(programme_admin)
    assert client_for(prescriber).get(URL + "settings/").status_code == 403
    bad = admin.post(URL + "settings/", {"small_cell_threshold": "0"})
    assert bad.status_code == 200 and "small_cell_threshold" in bad.context["form"].errors
    saved = admin.post(
        URL + "settings/", {"small_cell_threshold": "3", "lost_to_follow_up_days": ""}
    )
    assert saved.status_code == 302
    with unscoped():
        assert services.definitions_for(programme_a.pk).small_cell_threshold == 3
        event = AuditEvent.objects.get(action="outcomes.settings_changed")
    assert event.detail["after"]["small_cell_threshold"] == 3
    assert "Smallest cell shown (patients)</td><td>3<" in admin.get(URL).content.decode()


def test_a_first_computation_continues_over_several_views_within_the_time_budget(
    programme_a, prescriber, client_for, cohort, monkeypatch
):
    """With batches of 4 and no time to spare, a view computes one batch and says how many
    patients are left; later views continue, and a change seen meanwhile is not lost."""
    monkeypatch.setattr(services, "BATCH", 4)
    today = timezone.localdate()
    with unscoped():
        first = services.refresh(programme_a.pk, today, budget=0)
        assert (first.recomputed, first.remaining) == (4, 7)
    client = client_for(prescriber)
    monkeypatch.setattr("benzodetox.web.outcomes.views.BUDGET_SECONDS", 0)
    body = client.get(URL).content.decode()
    assert "3 patients to go" in body
    with unscoped():
        assert services.refresh(programme_a.pk, today, budget=0).remaining == 0
        assert services.refresh(programme_a.pk, today).recomputed == 0
        assert EpisodeSnapshot.objects.filter(programme=programme_a).count() == 11
