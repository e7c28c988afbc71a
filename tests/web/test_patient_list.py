"""The patient list (issue 11, item 8): search by drug, filter and sort by phase, drug, open
alerts and next dose change; daily diazepam-eq and the next change shown; 25 a page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.scoping import unscoped

from .conftest import make_patient


def _refs(response: Any) -> list[str]:
    return [p.reference for p, _ in response.context["rows"]]


def _set(patient: Patient, **fields: Any) -> None:
    with unscoped():
        Patient.objects.filter(pk=patient.pk).update(**fields)


@pytest.fixture
def three(programme_a: Any) -> dict[str, Patient]:
    """Diazepam 20 mg (tapering), alprazolam (intake), lorazepam (crossover, alerted)."""
    from benzodetox.web.monitoring.models import Alert

    today = timezone.localdate()
    made = {
        "dzp": make_patient(programme_a, "L-001", [("diazepam", "10", "08:00")]),
        "alp": make_patient(programme_a, "L-002", [("alprazolam", "1", "08:00")]),
        "lzp": make_patient(programme_a, "L-003", [("lorazepam", "1", "08:00")]),
    }
    _set(
        made["dzp"],
        phase="tapering",
        drugs=" diazepam ",
        daily_eq_mg=Decimal(20),
        next_change_on=today + timedelta(days=20),
        next_change_mg=Decimal(18),
    )
    _set(made["alp"], drugs=" alprazolam ", daily_eq_mg=Decimal(10))
    _set(
        made["lzp"],
        phase="crossover",
        drugs=" diazepam lorazepam ",
        daily_eq_mg=Decimal(30),
        next_change_on=today + timedelta(days=3),
        next_change_mg=Decimal(30),
    )
    with unscoped():
        for key in ("a", "b"):
            Alert.objects.create(
                programme=made["lzp"].programme,
                patient=made["lzp"],
                kind="score",
                severity="high",
                key=key,
                title="Severe CIWA-B",
            )
    return made


def test_the_list_shows_the_daily_dose_the_next_change_and_open_alerts(client_for, nurse, three):
    """Each row has the daily diazepam-eq, the next change (day and to what) and the alerts."""
    response = client_for(nurse).get(reverse("patients:list"))
    page = response.content.decode()
    row = page.split("L-003", 1)[1].split("</tr>", 1)[0]
    assert "30 mg" in row and "Crossover" in row
    change = timezone.localdate() + timedelta(days=3)
    assert f"{change:%Y-%m-%d} → 30 mg" in row
    assert '<span class="badge">2</span>' in row
    assert "diazepam, lorazepam" in row


def test_searching_by_a_drug_name_finds_who_takes_it_now(client_for, nurse, three):
    """ "lora" finds the patient on lorazepam; "diazepam" both patients who take it now."""
    client = client_for(nurse)
    assert _refs(client.get(reverse("patients:list"), {"q": "lora"})) == ["L-003"]
    assert _refs(client.get(reverse("patients:list"), {"q": "Diazepam"})) == ["L-001", "L-003"]


def test_filters_by_phase_drug_open_alerts_and_next_change(client_for, nurse, three):
    """Each filter narrows the list to the patients it names."""
    client = client_for(nurse)
    url = reverse("patients:list")
    assert _refs(client.get(url, {"phase": "tapering"})) == ["L-001"]
    assert _refs(client.get(url, {"drug": "alprazolam"})) == ["L-002"]
    assert _refs(client.get(url, {"alerts": "open"})) == ["L-003"]
    assert _refs(client.get(url, {"next": "7"})) == ["L-003"]
    assert _refs(client.get(url, {"next": "28"})) == ["L-001", "L-003"]


def test_sorts_by_dose_next_change_and_alerts_with_blanks_last(client_for, nurse, three, patient_a):
    """Highest dose first, soonest change first, most alerts first; a patient without the
    figure comes last."""
    client = client_for(nurse)
    url = reverse("patients:list")
    assert _refs(client.get(url, {"sort": "dose"})) == ["L-003", "L-001", "L-002", "A-001"]
    assert _refs(client.get(url, {"sort": "next"}))[:2] == ["L-003", "L-001"]
    assert _refs(client.get(url, {"sort": "alerts"}))[0] == "L-003"


def test_an_unknown_filter_or_sort_is_ignored_not_an_error(client_for, nurse, three):
    """Values the list does not know fall back to the whole list in record order."""
    response = client_for(nurse).get(
        reverse("patients:list"), {"sort": "'; drop", "phase": "x", "drug": "y", "next": "9"}
    )
    assert response.status_code == 200
    assert _refs(response) == ["L-001", "L-002", "L-003"]


def test_the_list_shows_25_a_page_and_the_pager_keeps_the_filters(client_for, nurse, programme_a):
    """60 patients: 25 on a page; "Next" keeps the phase filter and the sort."""
    with unscoped():
        Patient.objects.bulk_create(
            Patient(
                programme=programme_a,
                reference=f"M-{i:03d}",
                display_name="X. Y.",
                year_of_birth=1970,
                phase="hold",
            )
            for i in range(60)
        )
    response = client_for(nurse).get(reverse("patients:list"), {"phase": "hold", "sort": "name"})
    assert len(response.context["rows"]) == 25
    assert "phase=hold&amp;sort=name&amp;page=2" in response.content.decode()


def test_another_programmes_patients_never_appear_even_by_drug(client_for, nurse, three, patient_b):
    """The search by drug stays within the user's programmes."""
    _set(patient_b, drugs=" diazepam ")
    refs = _refs(client_for(nurse).get(reverse("patients:list"), {"q": "diazepam"}))
    assert "B-001" not in refs


def test_an_approved_plan_fills_the_list_figures(prescriber, programme_a, everything):
    """After approval, the row has the plan's daily dose today and its next change."""
    from benzodetox.core.plan import PlanRequest
    from benzodetox.web.demo import system_request
    from benzodetox.web.patients import services as patients
    from benzodetox.web.plans import services as plans

    patient = make_patient(
        programme_a, "L-010", [("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")]
    )
    today = timezone.localdate()
    request = PlanRequest(regimen=patients.regimen_of(patient), source="ashton-2002", start=today)  # type: ignore[arg-type]
    as_prescriber = system_request(prescriber)
    version = plans.save_version(as_prescriber, patient, request, {}, "first plan")
    plans.approve(as_prescriber, version, "")
    steps = version.plan["steps"]
    row = Patient.objects.get(pk=patient.pk)
    assert row.daily_eq_mg == Decimal(steps[0]["diazepam_eq_mg"])
    assert row.next_change_on.isoformat() == steps[1]["start"]
    assert row.next_change_mg == Decimal(steps[1]["diazepam_eq_mg"])
    assert row.drugs == " diazepam "


def test_the_list_total_comes_from_the_kept_counts_and_equals_the_rows(
    client_for, nurse, three, patient_b
):
    """Unfiltered or filtered by phase, the pager's total is the kept count by phase of the
    user's programmes (no COUNT over the patients) and equals the rows listed; another
    programme's patients are not in it; with a search the rows are counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(nurse)
    for params, expected in (({}, 3), ({"phase": "crossover"}, 1), ({"phase": "hold"}, 0)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("patients:list"), params)
        counting = [
            q["sql"]
            for q in queries
            if "COUNT(" in q["sql"].upper() and '"patients_patient"' in q["sql"]
        ]
        assert counting == []
        page = response.context["page"]
        assert page.paginator.count == expected == len(_refs(response))
    _set(three["alp"], phase="hold")  # a queryset update: the trigger moves the count
    moved = client.get(reverse("patients:list"), {"phase": "hold"})
    assert moved.context["page"].paginator.count == 1 and _refs(moved) == ["L-002"]
    searched = client.get(reverse("patients:list"), {"q": "L-00"})
    assert searched.context["page"].paginator.count == 3
