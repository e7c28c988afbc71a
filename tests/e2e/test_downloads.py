"""The care plan and the plan's documents in a real browser: a prescriber generates aftercare,
writes the relapse-prevention plan, then downloads the patient handout (PDF: the button says
"Preparing your handout…" until the file arrives) and the calendar (.ics) from the approved
plan's page; both files are kept in artifacts/e2e/."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.careplans.conftest import approve
from tests.web.conftest import make_patient, make_version

from .conftest import ARTIFACTS

PASSWORD = "a long demo passphrase"


@pytest.mark.django_db(transaction=True)
def test_a_prescriber_downloads_the_handout_and_the_calendar_of_an_approved_plan(
    live_server, page, shot, django_user_model
):
    """Aftercare and relapse plan through the pages, then both downloads through Chromium's
    download handling; the handout button is busy while the PDF is made and ready after; the
    handout is a PDF, the calendar parses back with icalendar."""
    user = django_user_model.objects.create_user(username="dr-docs", password=PASSWORD)
    membership = add_member(user, "E2E documents", "prescriber")
    patient = make_patient(membership.programme, "DOC-001", [("diazepam", "10", "22:00")])
    version = make_version(patient, user)
    approve(version, user)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("dr-docs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_role("link", name="Care plan", exact=True).click()
    expect(page.get_by_role("heading", name="Care plan", exact=True)).to_be_visible()

    page.get_by_role("link", name="Open aftercare").click()
    page.get_by_label("Days of aftercare after the last dose").fill("120")
    page.get_by_role("button", name="Generate aftercare").click()
    expect(page.get_by_text(re.compile("Aftercare generated: 120 days"))).to_be_visible()
    shot("careplan-01-aftercare")

    page.get_by_role("link", name="Relapse prevention").click()
    page.get_by_role("link", name="Write the plan").click()
    page.get_by_label("Goals").fill("Stay off benzodiazepines")
    page.locator("#id_trigger-0-description").fill("Lying awake at night")
    page.locator("#id_trigger-0-kind").select_option("internal")
    page.locator("#id_trigger-0-coping").fill("Get up and read")
    page.locator("#id_contact-0-role").select_option("support_person")
    page.locator("#id_contact-0-name").fill("Sam Carer")
    page.locator("#id_contact-0-phone").fill("0100 200 300")
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_label("Why this version")).to_be_visible()  # reason missing: kept
    expect(page.locator("#id_contact-0-name")).to_have_value("Sam Carer")
    page.get_by_label("Why this version").fill("first plan")
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_text("Relapse-prevention plan saved as version 1.")).to_be_visible()
    shot("careplan-02-relapse")

    page.goto(f"{base}/patients/{patient.pk}/plans/{version.number}/")
    page.get_by_label("Page size").select_option("Letter")
    # Record every busy state the button shows while the handout is made (it may be short).
    page.evaluate("""() => {
        const button = document.getElementById("download-handout");
        window.busySeen = [];
        new MutationObserver(() => {
            if (button.getAttribute("aria-busy") === "true")
                window.busySeen.push([button.textContent, button.disabled]);
        }).observe(button, {attributes: true, childList: true, characterData: true,
                            subtree: true});
    }""")
    with page.expect_download() as handout_info:
        page.get_by_role("button", name="Patient handout (PDF)").click()
    handout = handout_info.value
    assert handout.suggested_filename == "DOC-001-plan-v1-handout-Letter.pdf"
    handout_path = ARTIFACTS / "handout.pdf"
    handout.save_as(str(handout_path))
    assert handout_path.read_bytes().startswith(b"%PDF")
    assert ["Preparing your handout…", True] in page.evaluate("window.busySeen")
    expect(page.locator("#handout-status")).to_have_text(
        "Your handout is ready: it has been downloaded."
    )
    button = page.get_by_role("button", name="Patient handout (PDF)")
    expect(button).to_be_enabled()
    expect(button).not_to_have_attribute("aria-busy", "true")

    with page.expect_download() as ics_info:
        page.get_by_role("link", name="Calendar (.ics)").click()
    ics_path = ARTIFACTS / "plan.ics"
    ics_info.value.save_as(str(ics_path))
    calendar = Calendar.from_ical(ics_path.read_bytes())
    assert len(list(calendar.walk("VEVENT"))) > 0
    shot("careplan-03-plan-downloads")

    with unscoped():
        exported = list(
            AuditEvent.objects.filter(action="plan.exported").values_list("summary", flat=True)
        )
    assert "exported PDF: v1 patient handout (Letter)" in exported
    assert "exported iCalendar: v1 calendar" in exported


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_handout_button_is_an_ordinary_download(
    live_server, browser, django_user_model
):
    """With JavaScript off the form is a plain GET: the click still delivers the PDF."""
    user = django_user_model.objects.create_user(username="dr-nojs", password=PASSWORD)
    membership = add_member(user, "E2E no script", "prescriber")
    patient = make_patient(membership.programme, "DOC-002", [("diazepam", "10", "22:00")])
    version = make_version(patient, user)
    approve(version, user)
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("dr-nojs")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server.url}/patients/{patient.pk}/plans/{version.number}/")
        with page.expect_download() as info:
            page.get_by_role("button", name="Patient handout (PDF)").click()
        assert info.value.suggested_filename == "DOC-002-plan-v1-handout-A4.pdf"
        path = ARTIFACTS / "handout-no-js.pdf"
        info.value.save_as(str(path))
        assert path.read_bytes().startswith(b"%PDF")
    finally:
        context.close()
