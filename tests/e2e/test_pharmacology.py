"""A saved plan's Pharmacology page in a real browser: a nurse opens it from the version page,
states an ED50 and a second strategy, and sees both plans' curves in each chart and a per-step
table for each; screenshots kept in artifacts/e2e/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.conftest import make_patient, make_version

PASSWORD = "a long demo passphrase"


@pytest.mark.django_db(transaction=True)
def test_a_nurse_compares_two_strategies_on_the_pharmacology_page(
    live_server, page, shot, django_user_model
):
    """Version page → Pharmacology → ED50 40 mg/day and hyperbolic 10 % → both series in the
    concentration and occupancy charts (v1: and alternative:), two per-step tables, audited."""
    user = django_user_model.objects.create_user(username="nurse-pk", password=PASSWORD)
    membership = add_member(user, "E2E pharmacology", "nurse")
    patient = make_patient(membership.programme, "PK-001", [("diazepam", "10", "22:00")])
    version = make_version(patient, user)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("nurse-pk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/patients/{patient.pk}/plans/{version.number}/")
    page.get_by_role("link", name="Pharmacology", exact=True).click()
    expect(page.get_by_role("heading", name="Pharmacology of plan version 1")).to_be_visible()
    expect(page.get_by_text("Illustration, not your choice")).to_be_visible()
    shot("pharmacology-01-illustration")

    page.get_by_label("Occupancy ED50 / EC50 (your assumption)").fill("40 mg/day")
    page.get_by_label("Compare with strategy").select_option("hyperbolic")
    page.get_by_label("Its reduction per step (%)").fill("10")
    page.get_by_role("button", name="Show").click()

    concentration = page.locator('svg[aria-labelledby^="pk-concentration-title"]')
    expect(concentration.locator("polyline")).to_have_count(4)
    for series in ("v1: diazepam", "alternative: diazepam", "alternative: desmethyldiazepam"):
        expect(concentration.locator("title", has_text=series)).to_have_count(1)
    occupancy = page.locator('svg[aria-labelledby^="pk-occupancy-title"]')
    expect(occupancy.locator("polyline")).to_have_count(2)
    expect(page.locator("table.pk-steps")).to_have_count(2)
    expect(page.get_by_text("largest fall at ED50 40 mg/day").first).to_be_visible()
    expect(page.get_by_text("Illustration, not your choice")).to_have_count(0)
    expect(page.locator("#pk-err-ed50 .errorlist")).to_have_count(0)
    assert re.search(r"compare_strategy=hyperbolic", page.url)  # bookmarkable comparison
    page.wait_for_load_state("networkidle")  # each change and the submit swap the results
    expect(page.locator("table.pk-steps")).to_have_count(2)
    shot("pharmacology-02-two-strategies")

    with unscoped():
        summaries = list(
            AuditEvent.objects.filter(action="plan.pharmacology_viewed").values_list(
                "summary", flat=True
            )
        )
    assert any("hyperbolic" in s for s in summaries)


@pytest.mark.django_db(transaction=True)
def test_the_builders_pharmacology_section_is_computed_when_opened(
    live_server, page, shot, django_user_model
):
    """The live preview shows a closed Pharmacology section; opening it draws the plan's
    concentration and occupancy charts with the illustration ED50s labelled."""
    user = django_user_model.objects.create_user(username="nurse-pk2", password=PASSWORD)
    membership = add_member(user, "E2E pharmacology preview", "nurse")
    patient = make_patient(membership.programme, "PK-002", [("diazepam", "10", "22:00")])
    make_version(patient, user)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("nurse-pk2")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/patients/{patient.pk}/plans/new/")
    section = page.locator("details.preview-pharmacology")
    expect(section).to_be_visible()
    expect(page.locator('svg[aria-labelledby^="pk-concentration-title"]')).to_have_count(0)

    section.locator("summary").click()
    concentration = section.locator('svg[aria-labelledby^="pk-concentration-title"]')
    expect(concentration.locator("title", has_text="desmethyldiazepam")).to_have_count(1)
    expect(section.locator('svg[aria-labelledby^="pk-occupancy-title"] polyline')).to_have_count(3)
    expect(section.get_by_text("Illustration, not your choice")).to_be_visible()
    section.scroll_into_view_if_needed()
    shot("pharmacology-03-builder-preview")
