"""The Pharmacology view of a saved plan version: concentration and occupancy charts, a second
strategy side by side, flumazenil research mode, field errors, permissions and audit."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from benzodetox.core.kinetics.flumazenil import REC_14
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.patients.models import Intake
from benzodetox.web.programmes.scoping import unscoped

ALL = ("admin", "prescriber", "nurse", "counsellor", "read-only")


def _url(version: Any) -> str:
    return reverse("plans:pharmacology", args=[version.patient_id, version.number])


def _page(client: Any, version: Any, **query: str) -> str:
    response = client.get(_url(version), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("role", ALL)
def test_every_role_of_the_programme_can_view_the_pharmacology_page(
    role, personas, client_for, version_a
):
    """Viewing a plan's pharmacology needs only plan.view, which every role holds."""
    assert client_for(personas[role]).get(_url(version_a)).status_code == 200


@pytest.mark.parametrize("role", [*ALL, "other"])
def test_another_programmes_plan_is_not_found(role, personas, client_for, version_a, version_b):
    """Asked by id, another programme's plan version answers 404 for every role."""
    target = version_a if role == "other" else version_b
    assert client_for(personas[role]).get(_url(target)).status_code == 404


def test_each_view_is_recorded_in_the_audit_log(client_for, read_only, version_a, everything):
    """A read of the pharmacology page appends one audit event naming the version."""
    client_for(read_only).get(_url(version_a), {"compare_strategy": "hyperbolic"})
    event = AuditEvent.objects.get(action="plan.pharmacology_viewed")
    assert event.patient_id == version_a.patient_id
    assert event.object_id == str(version_a.pk)
    assert "hyperbolic" in event.summary


def test_the_concentration_chart_draws_the_drug_and_its_active_metabolite(
    client_for, nurse, version_a
):
    """Diazepam's plan draws diazepam and desmethyldiazepam as lines, with a title and desc."""
    page = _page(client_for(nurse), version_a)
    chart = re.search(r'<svg[^>]*aria-labelledby="pk-concentration-title.*?</svg>', page, re.S)
    assert chart is not None
    svg = chart.group(0)
    assert 'role="img"' in svg and "<desc" in svg
    assert svg.count("<polyline") == 2
    assert "<title>diazepam</title>" in svg and "<title>desmethyldiazepam</title>" in svg


def test_without_an_ed50_the_illustration_values_are_shown_labelled_with_the_discrepancy(
    client_for, nurse, version_a
):
    """No silent default: the three drugs.md §4.3 values appear labelled as an illustration,
    next to the core's PET-versus-schedule discrepancy text."""
    page = _page(client_for(nurse), version_a)
    for value in ("10 mg/day", "40 mg/day", "200 mg/day"):
        assert f"ED50 {value}" in page
    assert "Illustration, not your choice" in page
    assert "no single curve is correct" in page


def test_a_chosen_ed50_gives_per_step_occupancy_and_its_change(client_for, nurse, version_a):
    """'40 mg/day' draws one occupancy line per plan and fills the per-step table with the
    occupancy D/(40+D) and the change in points; the illustration notice is gone."""
    page = _page(client_for(nurse), version_a, ed50="40 mg/day")
    assert "Illustration, not your choice" not in page
    occupancy = re.search(r'aria-labelledby="pk-occupancy-title.*?</svg>', page, re.S)
    assert occupancy is not None and occupancy.group(0).count("<polyline") == 1
    assert '<td class="num">33.3</td>' in page  # 20 mg/day: 20 / (40 + 20)
    assert re.search(r"<td class=\"num\">−\d+\.\d</td>", page)


def test_a_concentration_ec50_is_accepted(client_for, nurse, version_a):
    """'desmethyldiazepam=500 ng/mL' is an EC50 on that series."""
    page = _page(client_for(nurse), version_a, ed50="desmethyldiazepam=500 ng/mL")
    assert "ED50 desmethyldiazepam=500 ng/mL" in page
    assert "errorlist" not in page


@pytest.mark.parametrize(
    "ed50", ["forty", "-3 mg/day", "0 mg/day", "300 ng/mL", "lorazepam=5 ng/mL"]
)
def test_a_bad_ed50_is_a_field_error_not_a_traceback(client_for, nurse, version_a, ed50):
    """Malformed, non-positive, series-less or not-simulated EC50s answer 200 with the error
    beside the ED50 field and what was typed kept."""
    page = _page(client_for(nurse), version_a, ed50=ed50)
    errors = re.search(r'id="pk-err-ed50"[^>]*>(.*?)</div>', page, re.S)
    assert errors is not None and "errorlist" in errors.group(1)
    assert f'value="{ed50}"' in page


def test_a_second_strategy_is_simulated_side_by_side(client_for, nurse, version_a):
    """Hyperbolic 10 % every 14 days beside the saved ASAM plan: both plans' curves in each
    chart and a per-step table for each."""
    page = _page(
        client_for(nurse),
        version_a,
        ed50="40 mg/day",
        compare_strategy="hyperbolic",
        compare_percent="10",
        compare_interval_days="14",
    )
    assert "errorlist" not in page
    conc = re.search(r'aria-labelledby="pk-concentration-title.*?</svg>', page, re.S)
    assert conc is not None and conc.group(0).count("<polyline") == 4
    assert "<title>v1: diazepam</title>" in conc.group(0)
    assert "<title>alternative: desmethyldiazepam</title>" in conc.group(0)
    assert page.count('<table class="pk-steps">') == 2
    assert "hyperbolic 10 % every 14 days" in page
    assert "largest fall at ED50 40 mg/day" in page


def test_a_percent_the_second_strategy_refuses_is_shown_on_its_field(client_for, nurse, version_a):
    """A reduction of 90 % is refused by the core; the error sits beside the percent field."""
    page = _page(client_for(nurse), version_a, compare_strategy="asam", compare_percent="90")
    errors = re.search(r'id="pk-err-compare_percent"[^>]*>(.*?)</div>', page, re.S)
    assert errors is not None and "errorlist" in errors.group(1)


def test_a_percent_without_a_strategy_asks_for_the_strategy(client_for, nurse, version_a):
    """Parameters of a comparison without its strategy are a field error."""
    page = _page(client_for(nurse), version_a, compare_percent="10")
    assert "Choose the strategy to compare with first." in page


def test_flumazenil_research_mode_is_shown_with_recommendation_14(client_for, nurse, version_a):
    """1 mg/24h for 7 days: the steady state ≈ 0.6 ng/mL with Rec 14 beside it and a chart."""
    page = _page(client_for(nurse), version_a, flumazenil_rate="1 mg/24h", flumazenil_days="7")
    assert "steady state <strong>0.595 ng/mL</strong>" in page
    assert 'aria-labelledby="pk-flumazenil-title' in page
    assert page.count("Recommendation 14") >= 2


def test_a_flumazenil_rate_beyond_the_limit_is_a_field_error(client_for, nurse, version_a):
    """50 mg/24h is above the input limit: an error on the rate field, no chart."""
    page = _page(client_for(nurse), version_a, flumazenil_rate="50 mg/24h")
    errors = re.search(r'id="pk-err-flumazenil_rate"[^>]*>(.*?)</div>', page, re.S)
    assert errors is not None and "errorlist" in errors.group(1)
    assert "pk-flumazenil-title" not in page


def test_rec_14_stands_beside_the_flumazenil_form_always(client_for, nurse, version_a):
    """Even before any flumazenil input, the research form carries the guideline's warning."""
    assert REC_14 in _page(client_for(nurse), version_a)


def test_assumptions_and_warnings_are_always_listed(client_for, nurse, version_a):
    """The model's assumptions (e.g. the metabolite fraction) and warnings are on the page."""
    page = _page(client_for(nurse), version_a)
    assert "metabolite_fraction" in page
    assert 'id="h-warnings"' in page and 'id="h-assumptions"' in page


def test_age_and_liver_impairment_come_from_the_record(client_for, nurse, patient_a, version_a):
    """Born 1970, the plan starting 2026-01-05 → age 55; liver impairment in the intake's
    conditions is modelled as impaired (diazepam clearance halved)."""
    plain = _page(client_for(nurse), version_a)
    assert "Age 55 at the plan&#x27;s start" in plain
    assert "modelled as none" in plain
    with unscoped():
        intake = Intake.objects.get(patient=patient_a)
        intake.conditions = ["liver_impairment"]
        intake.save()
    impaired = _page(client_for(nurse), version_a)
    assert "Liver impairment: recorded in the intake" in impaired
    assert "cirrhosis" in impaired or "liver" in impaired.split('id="h-assumptions"')[1]


def test_htmx_requests_get_only_the_results_fragment(client_for, nurse, version_a):
    """With HX-Request the answer is the fragment (no page chrome) with out-of-band errors."""
    response = client_for(nurse).get(
        _url(version_a), {"ed50": "forty"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'hx-swap-oob="true"' in body


def test_a_plan_of_a_drug_without_parameters_is_an_error_message(
    client_for, nurse, programme_a, personas
):
    """Temazepam has no kinetic parameters: the page says so instead of failing."""
    from benzodetox.core.plan import CustomStep, PlanRequest
    from benzodetox.core.tapering import build_plan
    from benzodetox.interop.plan_json import plan_to_dict
    from benzodetox.web.patients.services import regimen_of
    from benzodetox.web.plans.models import PlanVersion

    from .conftest import make_patient

    patient = make_patient(programme_a, "A-009", [("temazepam", "15", "22:00")])
    with unscoped():
        request = PlanRequest(
            regimen=regimen_of(patient),  # type: ignore[arg-type]
            source="ashton-2002",
            start=date(2026, 1, 5),
            strategy="custom",
            custom_steps=(CustomStep(daily_mg=Decimal("15"), days=14),),
        )
        plan = build_plan(request)
        version = PlanVersion(
            patient=patient,
            number=1,
            reason="first plan",
            created_by=personas["nurse"],
            parameters={},
            plan=plan_to_dict(plan),
            source=plan.source,
            strategy=plan.strategy,
            start=plan.start,
            end=plan.end,
            diazepam_eq_mg=plan.diazepam_eq_mg_per_day,
        )
        version.save()
    page = _page(client_for(nurse), version)
    assert "error-summary" in page and "temazepam" in page


def test_the_plan_version_page_links_to_its_pharmacology(client_for, read_only, version_a):
    """The saved version's page carries a link to the Pharmacology view."""
    page = client_for(read_only).get(
        reverse("plans:detail", args=[version_a.patient_id, version_a.number])
    )
    assert _url(version_a) in page.content.decode()


@pytest.mark.parametrize("value", ["<b>x</b>", "x" * 500, "hyperbolic "])
def test_an_unaccepted_comparison_in_the_query_is_never_written_to_the_audit_log(
    client_for, nurse, version_a, everything, value
):
    """Text that is not a strategy: the page answers and the audit event names no comparison
    (a NUL byte never gets this far: tests/web/test_nul_input.py)."""
    response = client_for(nurse).get(_url(version_a), {"compare_strategy": value})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="plan.pharmacology_viewed").latest("id")
    assert event.summary == f"v{version_a.number} pharmacology"
