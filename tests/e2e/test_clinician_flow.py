"""The clinician's main path in a real browser: sign in → new patient → regimen → intake →
recommendation → plan builder with live preview → save → approve → print."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from benzodetox.web.patients.models import Patient
from benzodetox.web.plans.models import PlanApproval, PlanVersion
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member

from .conftest import ARTIFACTS

PASSWORD = "a long demo passphrase"


@pytest.mark.django_db(transaction=True)
def test_a_prescriber_goes_from_sign_in_to_a_printed_approved_plan(
    live_server, page, shot, django_user_model
):
    """Every step of the main path works in Chromium, with screenshots kept as artefacts."""
    user = django_user_model.objects.create_user(username="dr-e2e", password=PASSWORD)
    add_member(user, "E2E programme", "prescriber")
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("dr-e2e")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    shot("01-patients")

    page.get_by_role("link", name="New patient").click()
    page.get_by_label("Record number").fill("E2E-001")
    page.get_by_label("Name or initials").fill("E. E.")
    page.get_by_label("Year of birth").fill("1970")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Current regimen")).to_be_visible()

    page.locator("#id_dose-0-drug").select_option("alprazolam")
    page.locator("#id_dose-0-amount").fill("0.5")
    page.locator("#id_dose-0-time").fill("08:00")
    page.locator("#id_dose-1-drug").select_option("alprazolam")
    page.locator("#id_dose-1-amount").fill("1")
    page.locator("#id_dose-1-time").fill("21:00")
    shot("02-regimen")
    page.get_by_role("button", name="Save regimen").click()
    expect(page.get_by_text("Regimen saved.")).to_be_visible()

    page.get_by_role("link", name="Open intake").or_(
        page.get_by_role("link", name="Start intake")
    ).first.click()
    page.get_by_label("Duration of use (months)").fill("24")
    page.get_by_label("Days a week taken").fill("7")
    page.get_by_label("Equivalence table for the daily dose").select_option("ashton-2002")
    page.get_by_label("Opioids taken with the benzodiazepine").check()
    page.get_by_label("Supportive: someone at home").check()
    page.get_by_role("button", name="Save intake and assess").click()
    recommendation = page.locator("#recommendation")
    expect(recommendation).to_contain_text("Recommended level of care")
    expect(recommendation).to_contain_text("jcpg-2025")
    shot("03-recommendation")
    page.get_by_label("Agree with the recommendation").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()

    page.get_by_role("link", name="Plan builder").click()
    page.get_by_label("Equivalence table", exact=True).select_option("ashton-2002")
    page.get_by_label("Switch to (crossover)").select_option("diazepam")
    preview = page.locator("#preview")
    expect(preview.locator("svg.chart")).to_be_visible()
    expect(preview).to_contain_text("crossover")
    first_table = preview.locator("table.steps").inner_text()
    with page.expect_response(lambda r: "/plans/preview/" in r.url):
        page.get_by_label("Reduction per step (%)").fill("5")
    expect(preview).to_contain_text("percent = 2.5–5 % of the current dose a step")
    assert preview.locator("table.steps").inner_text() != first_table
    shot("04-live-preview")

    page.get_by_label("Why this version").fill("first plan, 5 % steps")
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_role("heading", name=re.compile("Plan version 1"))).to_be_visible()
    page.get_by_label(re.compile("I have checked this version")).check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_text("Version 1 approved.")).to_be_visible()
    shot("05-approved")

    page.get_by_role("link", name="Printable plan").click()
    expect(page.get_by_text("Equivalence table:")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ashton")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    shot("06-print")
    page.pdf(path=str(ARTIFACTS / "plan.pdf"))

    with unscoped():
        patient = Patient.objects.get(reference="E2E-001")
        version = PlanVersion.objects.get(patient=patient)
        assert PlanApproval.objects.filter(plan_version=version).exists()
        assert version.reason == "first plan, 5 % steps"
