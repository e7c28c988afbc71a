"""Approval in Chromium: the prescriber confirms and types their password again; a wrong
password approves nothing, the right one approves and says so."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from benzodetox.web.plans.models import PlanApproval
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.conftest import make_patient, make_version

PASSWORD = "a long demo passphrase"


@pytest.mark.django_db(transaction=True)
def test_approval_asks_for_confirmation_and_the_password_again(
    live_server, page, shot, django_user_model
):
    """Without the tick nothing happens; a wrong password is refused on its field; the right one
    approves, with the confirmation shown."""
    user = django_user_model.objects.create_user(username="dr-approve", password=PASSWORD)
    membership = add_member(user, "Approval programme", "prescriber")
    with unscoped():
        patient = make_patient(membership.programme, "E2E-A1", [("diazepam", "10", "22:00")])
        version = make_version(patient, user)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("dr-approve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/patients/{patient.pk}/plans/{version.number}/")

    form = page.locator("#approve-form")
    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Approve version 1").click()
    expect(page.locator("#approve-form")).to_contain_text("Tick the confirmation")

    form = page.locator("#approve-form")
    form.get_by_label(re.compile("I have checked this version")).check()
    form.get_by_label("Your password").fill("not my password")
    form.get_by_role("button", name="Approve version 1").click()
    expect(page.locator("#approve-form")).to_contain_text("Not approved: the password typed")
    shot("approval-wrong-password")
    with unscoped():
        assert not PlanApproval.objects.filter(plan_version=version).exists()

    form = page.locator("#approve-form")
    form.get_by_label(re.compile("I have checked this version")).check()
    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_text("Version 1 approved.")).to_be_visible()
    expect(page.locator(".badge.approved")).to_be_visible()
    expect(page.locator("#approve-form")).to_have_count(0)
    shot("approval-approved")
    with unscoped():
        assert PlanApproval.objects.get(plan_version=version).approved_by == user
