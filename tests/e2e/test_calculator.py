"""The open taper calculator in Chromium, without signing in: type a regimen and see the plan,
switch the strategy, open the shared link in a new browser context and see the same plan, then
download the handout (PDF) and the calendar (.ics); the files are kept in artifacts/e2e/."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from .conftest import ARTIFACTS


def _steps(page) -> list[str]:
    """The step table's rows as text (dates and doses), to compare two pages' plans."""
    rows = page.locator("#preview table.steps tbody tr")
    return [rows.nth(i).inner_text() for i in range(rows.count())]


@pytest.mark.django_db(transaction=True)
def test_a_visitor_builds_switches_shares_and_downloads_a_plan(
    live_server, browser, page, shot, settings
):
    """No sign-in anywhere; the live preview follows the form; the strategy's figures follow
    the strategy; the shared link rebuilds the same plan in a fresh context; the PDF and the
    .ics download and parse."""
    settings.CALCULATOR_RATE_PER_MINUTE = 10_000
    base = live_server.url
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/calculator/$"))
    expect(page.get_by_role("heading", name="Decision support for clinicians")).to_be_visible()

    page.locator("#id_dose-0-drug").select_option("alprazolam")
    page.locator("#id_dose-0-amount").fill("1")
    page.locator("#id_dose-0-time").fill("08:00")
    page.locator("#id_dose-1-drug").select_option("alprazolam")
    page.locator("#id_dose-1-amount").fill("1")
    page.locator("#id_dose-1-time").fill("22:00")
    page.locator("#id_switch_to").select_option("diazepam")
    expect(page.locator("#preview table.steps")).to_be_visible()
    expect(page).to_have_url(re.compile(r"dose-1-time=22%3A00"))
    shot("calculator-01-plan")

    page.locator("#id_strategy").select_option("deprescribing")
    expect(page.locator("#preview .facts").first).to_contain_text("deprescribing")
    expect(page.locator("#id_percent")).to_have_value("25")
    page.wait_for_load_state("networkidle")
    shot("calculator-02-deprescribing")
    steps = _steps(page)
    shared = page.locator("#share-link").input_value()
    assert "strategy=deprescribing" in shared and page.url == shared

    other = browser.new_context(viewport={"width": 1180, "height": 820})
    fresh = other.new_page()
    fresh.goto(shared)
    expect(fresh.locator("#preview table.steps")).to_be_visible()
    assert _steps(fresh) == steps
    other.close()

    with page.expect_download() as pdf_download:
        page.locator("#download-pdf").click()
    pdf = ARTIFACTS / "calculator-handout.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    with page.expect_download() as ics_download:
        page.locator("#download-ics").click()
    ics = ARTIFACTS / "calculator-plan.ics"
    ics_download.value.save_as(ics)
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert len(events) == len(steps)
