"""The patient list in a real browser: filtering by drug and sorting by dose through the htmx
form, and on a 390 px phone the page does not scroll sideways."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.conftest import make_patient

from .conftest import ARTIFACTS

PASSWORD = "a long demo passphrase"


@pytest.mark.django_db(transaction=True)
def test_a_nurse_filters_by_drug_sorts_by_dose_and_the_list_fits_a_phone(
    live_server, browser, django_user_model
):
    """Three patients; the drug filter leaves the two on diazepam, highest dose first; at
    390 px wide the page is no wider than the screen and the dose column is visible."""
    user = django_user_model.objects.create_user(username="nurse-list", password=PASSWORD)
    programme = add_member(user, "E2E list", "nurse").programme
    for ref, drug, eq in (
        ("PL-1", "diazepam", 10),
        ("PL-2", "alprazolam", 20),
        ("PL-3", "diazepam", 30),
    ):
        patient = make_patient(programme, ref, [(drug, "5", "08:00")])
        with unscoped():
            Patient.objects.filter(pk=patient.pk).update(drugs=f" {drug} ", daily_eq_mg=Decimal(eq))
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill("nurse-list")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}/patients/")
        page.get_by_label("Drug taken now").select_option("diazepam")
        expect(page.locator("#patient-list")).not_to_contain_text("PL-2")
        page.get_by_label("Sort by").select_option("dose")
        rows = page.locator("#patient-list tbody tr")
        expect(rows.first).to_contain_text("PL-3")
        expect(rows).to_have_count(2)
        assert "drug=diazepam" in page.url and "sort=dose" in page.url
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the list page is {wide} px wide at 390 px"
        dose = rows.first.locator('[data-label="Daily diazepam-eq"]')
        expect(dose).to_be_visible()
        expect(dose).to_contain_text("30 mg")
        box = dose.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "patient-list-390.png"), full_page=True)
    finally:
        context.close()
