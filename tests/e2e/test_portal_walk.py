"""The portal walk of issue 13 in Chromium, the patient on a phone (390 px): invite → set a
password → today's doses → mark a dose → a check-in that crosses the threshold → the nurse sees
the alert on the dashboard → the patient asks for a hold → the prescriber applies it and
approves the new version → the patient sees the new calendar."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from benzodetox.web.programmes.services import add_member
from tests.web.conftest import make_patient

from .conftest import ARTIFACTS, sign_in
from .test_portal_a11y import SMALL_TARGETS, _serious
from .test_portal_today import approved_plan_from_today

STAFF_PASSWORD = "a long demo passphrase"
PATIENT_PASSWORD = "my own long passphrase 7"


def _fits(page: Any, width: int = 390) -> None:
    """Nothing scrolls sideways; axe-core finds no serious or critical violation; every link
    and button outside running text is at least 44 px (the portal's own accessibility check)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert _serious(page) == [], page.url
    assert page.evaluate(SMALL_TARGETS) == [], page.url


def _answer_check_in(phone: Any) -> None:
    """BWSQ all "No", the CIWA-B's items 1–14 "A lot" (3 × 14 = 42 ≥ 41), the rest none."""
    while True:
        label = phone.locator("#progress-label")
        if label.count() == 0:
            break
        number = int(re.search(r"Question (\d+) of", label.inner_text()).group(1))  # type: ignore[union-attr]
        heading = phone.locator("legend").inner_text()
        if "Today, how much" in heading and number <= 20 + 14:
            choice = "A lot"
        elif "Since your dose last went down" in heading or heading.startswith("Has your") or (
            "extra doses" in heading
        ):
            choice = "No"
        else:
            choice = "Not at all"
        phone.get_by_role("button", name=choice, exact=True).click()
        if number == 21:
            _fits(phone)


@pytest.mark.django_db(transaction=True)
def test_the_portal_walk_from_invitation_to_the_new_calendar(
    live_server: Any, browser: Any, page: Any, shot: Any, django_user_model: Any
) -> None:
    nurse = django_user_model.objects.create_user(username="nurse-walk", password=STAFF_PASSWORD)
    membership = add_member(nurse, "Walk programme", "nurse")
    prescriber = django_user_model.objects.create_user(
        username="dr-walk", password=STAFF_PASSWORD
    )
    add_member(prescriber, "Walk programme", "prescriber")
    patient = make_patient(
        membership.programme, "WALK-1", [("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")]
    )
    approved_plan_from_today(patient, prescriber)
    base = live_server.url

    # the nurse invites the patient
    sign_in(page, base, "nurse-walk", STAFF_PASSWORD)
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_role("button", name="Invite to the portal").click()
    link = page.locator(".portal-invite-link a").inner_text()

    # the patient sets a password and sees today's doses
    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(link)
    phone.get_by_label("Choose a sign-in name").fill("walk-patient")
    phone.get_by_label("Choose a password").fill(PATIENT_PASSWORD)
    phone.get_by_label("Type the password again").fill(PATIENT_PASSWORD)
    phone.get_by_role("button", name="Save and open my plan").click()
    expect(phone.get_by_role("heading", name="Your doses today")).to_be_visible()
    calendar_before = _calendar_text(phone, base)

    # marks a dose
    phone.goto(f"{base}/portal/diary/")
    _fits(phone)
    phone.get_by_role("button", name=re.compile(r"^Taken: 08:00 on ")).click()
    expect(phone.get_by_text("Saved: taken.")).to_be_visible()
    expect(phone.get_by_text("You marked: Taken").first).to_be_visible()
    _fits(phone)  # with the "Saved" message showing (its status region wraps the list)
    phone.screenshot(path=str(ARTIFACTS / "portal-walk-diary-390.png"), full_page=True)

    # completes a check-in that crosses the threshold
    phone.goto(f"{base}/portal/checkin/")
    _fits(phone)
    phone.get_by_role("button", name="Start my check-in").click()
    expect(phone.get_by_text(re.compile(r"Question 1 of \d+"))).to_be_visible()
    _answer_check_in(phone)
    _fits(phone)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Please call your care team today")).to_be_visible()
    _fits(phone)
    phone.screenshot(path=str(ARTIFACTS / "portal-walk-checkin-result-390.png"), full_page=True)

    # the nurse sees the alert on the dashboard
    page.goto(f"{base}/patients/dashboard/")
    expect(page.get_by_text("Self-reported CIWA-B (items 1–17) 42 of 68").first).to_be_visible()
    shot("portal-walk-dashboard-alert")

    # the patient asks for a hold
    phone.goto(f"{base}/portal/request/")
    _fits(phone)
    phone.get_by_label("What would you like?").select_option("hold")
    phone.get_by_label("Why is this step too hard?").fill("I cannot sleep and I shake at work.")
    phone.get_by_role("button", name="Send to my care team").click()
    expect(phone.get_by_text("Your care team has your request.")).to_be_visible()
    phone.reload()
    _fits(phone)

    # the prescriber applies it and approves the new version
    desk = browser.new_context(viewport={"width": 1180, "height": 820})
    doctor = desk.new_page()
    doctor.set_default_timeout(10_000)
    sign_in(doctor, base, "dr-walk", STAFF_PASSWORD)
    doctor.goto(f"{base}/patients/dashboard/")
    doctor.locator("#patient-requests").get_by_role("link", name=re.compile("WALK-1")).click()
    expect(doctor.get_by_text("I cannot sleep and I shake at work.")).to_be_visible()
    expect(doctor.get_by_text(re.compile("hold the current dose for 14 days"))).to_be_visible()
    doctor.get_by_label(re.compile("Apply it: make a new plan version")).check()
    doctor.get_by_role("button", name="Answer the request").click()
    expect(doctor.get_by_text("Version 2 made from the request")).to_be_visible()
    form = doctor.locator("#approve-form")
    form.get_by_label(re.compile("I have checked this version")).check()
    form.get_by_label("Your password").fill(STAFF_PASSWORD)
    form.get_by_role("button", name="Approve version 2").click()
    expect(doctor.get_by_text("Version 2 approved.")).to_be_visible()
    desk.close()

    # the patient sees the new calendar
    phone.goto(f"{base}/portal/")
    expect(phone.get_by_text("Your plan has changed")).to_be_visible()
    calendar_after = _calendar_text(phone, base)
    assert calendar_after != calendar_before
    phone.goto(f"{base}/portal/request/")
    expect(phone.get_by_text(re.compile("your care team made a new plan"))).to_be_visible()
    phone.screenshot(path=str(ARTIFACTS / "portal-walk-request-answered-390.png"), full_page=True)
    phone_context.close()


def _calendar_text(phone: Any, base: str) -> str:
    phone.goto(f"{base}/portal/calendar/")
    return str(phone.locator("main").inner_text())
