"""A return to use recorded on the aftercare page reaches the programme outcomes: the patient's
kept outcome is recomputed, the page counts the return and the CSV says how it is known; a
withdrawn report stops counting."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from benzodetox.web.outcomes import services
from benzodetox.web.outcomes.models import EpisodeSnapshot, OutcomeRefresh, OutcomeSettings
from benzodetox.web.outcomes.views import FRESH_SECONDS
from benzodetox.web.programmes.scoping import unscoped

from .conftest import add_episode

URL = "/programme/outcomes/"
CONTACTS = ((14, True), (28, True), (42, True), (56, True), (70, True), (84, True))


@pytest.fixture
def completed(programme_a: Any, prescriber: Any) -> list[tuple[Any, Any]]:
    """Three patients who finished their taper 400 days ago and kept their aftercare contacts;
    the programme shows cells from one patient (so a single return is visible)."""
    start = timezone.localdate() - timedelta(days=400)
    with unscoped():
        OutcomeSettings.objects.create(programme=programme_a, small_cell_threshold=1)
    return [
        add_episode(programme_a, prescriber, f"DONE-{i}", start, contacts=CONTACTS)
        for i in range(3)
    ]


def _later(programme: Any) -> None:
    """The page's freshness window has passed since the last refresh (as if half a minute
    went by): the next view looks for new records."""
    with unscoped():
        OutcomeRefresh.objects.filter(programme=programme).update(
            checked_at=F("checked_at") - timedelta(seconds=FRESH_SECONDS + 1)
        )


def _csv(client: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(client.get(URL + "export.csv").content.decode())))


def test_a_completed_patient_who_self_reports_use_counts_as_returned_on_the_page_and_csv(
    programme_a, prescriber, nurse, client_for, completed
):
    """All three completed (kept as snapshots); a nurse records a self-report 100 days after
    one patient's last dose; that patient alone is recomputed and is 'returned' via
    self-report on the page and in the CSV; the others stay completed."""
    today = timezone.localdate()
    with unscoped():
        assert services.refresh(programme_a.pk, today).recomputed == 3
        assert {o.status for o in services.outcomes_for(programme_a.pk, today)} == {"completed"}
    patient, last = completed[0]
    on = last + timedelta(days=100)
    response = client_for(nurse).post(
        reverse("careplans:return_to_use_new", args=[patient.pk]),
        {"rtu-on": on.isoformat(), "rtu-reported_by": "patient", "rtu-substance": "diazepam"},
    )
    assert response.status_code == 302
    _later(programme_a)

    client = client_for(prescriber)
    body = client.get(URL).content.decode()
    assert "Returned to use after the last dose</th><td>1</td>" in body
    with unscoped():
        snapshot = EpisodeSnapshot.objects.get(patient=patient)
        assert snapshot.outcome["status"] == "returned"
        assert services.refresh(programme_a.pk, today).recomputed == 0
    rows = _csv(client)
    assert sorted(r["status"] for r in rows) == ["completed", "completed", "returned"]
    (returned,) = [r for r in rows if r["status"] == "returned"]
    assert returned["returned_via"] == "self-report"


def test_a_clinicians_record_counts_and_its_withdrawal_restores_completed(
    programme_a, prescriber, client_for, completed
):
    """A clinician's observation counts as the clinician's record; withdrawn as made in error,
    the patient is completed again."""
    today = timezone.localdate()
    patient, last = completed[1]
    client = client_for(prescriber)
    client.post(
        reverse("careplans:return_to_use_new", args=[patient.pk]),
        {
            "rtu-on": (last + timedelta(days=30)).isoformat(),
            "rtu-reported_by": "clinician",
            "rtu-substance": "lorazepam",
        },
    )
    with unscoped():
        outcome = {o.episode: o for o in services.outcomes_for(programme_a.pk, today)}
        returned = [o for o in outcome.values() if o.status == "returned"]
        assert len(returned) == 1 and returned[0].returned_via == ("clinician",)
        report = patient.return_reports.get()
    _later(programme_a)
    url = reverse("careplans:return_to_use_withdraw", args=[patient.pk, report.pk])
    assert client.post(url, {f"w{report.pk}-reason": "another patient's result"}).status_code == 302
    _later(programme_a)
    assert {r["status"] for r in _csv(client)} == {"completed"}


def test_a_use_before_the_last_dose_is_not_a_return_after_it(
    programme_a, prescriber, client_for, completed
):
    """A report dated during the taper is kept but is not a return after the last dose."""
    patient, last = completed[2]
    client_for(prescriber).post(
        reverse("careplans:return_to_use_new", args=[patient.pk]),
        {
            "rtu-on": (last - timedelta(days=5)).isoformat(),
            "rtu-reported_by": "third_party",
            "rtu-substance": "other",
            "rtu-note": "zopiclone from a relative",
        },
    )
    with unscoped():
        assert patient.return_reports.count() == 1
        statuses = {o.status for o in services.outcomes_for(programme_a.pk, timezone.localdate())}
    assert statuses == {"completed"}


def test_the_demo_history_has_reported_returns_that_the_outcomes_count(db):
    """A few synthetic patients who finished report a return to use (labelled synthetic);
    the outcomes count them as returned, via the patient's own report and a clinician's
    record."""
    from django.contrib.auth import get_user_model

    from benzodetox.web.careplans.models import ReturnToUseReport
    from benzodetox.web.outcomes import demo_history
    from benzodetox.web.programmes.models import Programme

    programme = Programme.objects.create(name="Demo programme")
    users = get_user_model()
    prescriber = users.objects.create(username="demo-prescriber")
    nurse = users.objects.create(username="demo-nurse")
    today = timezone.localdate()
    with unscoped():
        demo_history.seed_outcome_history(programme, prescriber, nurse, today)
        reports = list(ReturnToUseReport.objects.filter(patient__programme=programme))
        outcomes = services.outcomes_for(programme.pk, today)
    assert len(reports) >= 2
    assert all(r.note.startswith("synthetic history") and r.on <= today for r in reports)
    via = {source for o in outcomes if o.status == "returned" for source in o.returned_via}
    assert {"self-report", "clinician", "restart"} <= via
