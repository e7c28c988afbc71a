"""The portal in Chromium on a phone (390 px): a nurse invites the patient from the patient page,
the patient opens the link, chooses a password and sees today's doses — the plan's own tablets."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from benzodetox.core.plan import PlanRequest
from benzodetox.core.tapering import build_plan
from benzodetox.interop.plan_json import plan_to_dict
from benzodetox.reports.patient_words import take_words
from benzodetox.web.patients.services import regimen_of
from benzodetox.web.plans.models import PlanApproval, PlanVersion
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.conftest import PLAN_POST, make_patient

from .conftest import sign_in

STAFF_PASSWORD = "a long demo passphrase"
PATIENT_PASSWORD = "my own long passphrase 7"


def approved_plan_from_today(patient: Any, prescriber: Any) -> Any:
    """An approved version starting today, so today has doses."""
    with unscoped():
        plan = build_plan(
            PlanRequest(regimen=regimen_of(patient), source="ashton-2002", start=date.today())  # type: ignore[arg-type]
        )
        version = PlanVersion(
            patient=patient, number=1, reason="first plan", created_by=prescriber,
            parameters=dict(PLAN_POST), plan=plan_to_dict(plan), source=plan.source,
            strategy=plan.strategy, start=plan.start, end=plan.end,
            diazepam_eq_mg=plan.diazepam_eq_mg_per_day,
        )
        version.save()
        PlanApproval(plan_version=version, approved_by=prescriber).save()
    return plan


@pytest.mark.django_db(transaction=True)
def test_invite_set_password_and_see_todays_doses_on_a_phone(
    live_server: Any, browser: Any, page: Any, shot: Any, django_user_model: Any
) -> None:
    nurse = django_user_model.objects.create_user(username="nurse-e2e", password=STAFF_PASSWORD)
    membership = add_member(nurse, "Portal programme", "nurse")
    prescriber = django_user_model.objects.create_user(username="dr-e2e", password="x" * 12)
    add_member(prescriber, "Portal programme", "prescriber")
    patient = make_patient(
        membership.programme, "E2E-P1", [("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")]
    )
    plan = approved_plan_from_today(patient, prescriber)
    base = live_server.url

    sign_in(page, base, "nurse-e2e", STAFF_PASSWORD)
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_role("button", name="Invite to the portal").click()
    expect(page.get_by_role("heading", name="Portal invitation")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of the invitation link")).to_be_visible()
    link = page.locator(".portal-invite-link a").inner_text()
    assert re.search(r"/portal/welcome/[A-Za-z0-9_-]{40,}/$", link)
    shot("portal-invitation")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    patient_page = phone.new_page()
    patient_page.set_default_timeout(10_000)
    patient_page.goto(link)
    patient_page.get_by_label("Choose a sign-in name").fill("e2e-patient")
    patient_page.get_by_label("Choose a password").fill(PATIENT_PASSWORD)
    patient_page.get_by_label("Type the password again").fill(PATIENT_PASSWORD)
    patient_page.get_by_role("button", name="Save and open my plan").click()
    expect(patient_page.get_by_role("heading", name="Your doses today")).to_be_visible()
    first = plan.steps[0]
    for dose in first.doses:
        for take in dose.takes:
            if take.mg > 0:
                expect(patient_page.locator(".portal-doses")).to_contain_text(take_words(take))
        expect(patient_page.locator(".portal-doses")).to_contain_text(
            dose.time.strftime("%H:%M")
        )
    expect(patient_page.locator(".portal-doses img").first).to_be_visible()
    width = patient_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    patient_page.screenshot(path=str(_artifact("portal-today-390")), full_page=True)

    # the same link does not work twice
    again = phone.new_page()
    again.goto(link)
    expect(again.get_by_role("heading", name="This link does not work")).to_be_visible()
    phone.close()


def _artifact(name: str) -> Any:
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
