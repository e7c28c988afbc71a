"""Recording a return to use in Chromium under the strict Content-Security-Policy: a nurse
opens a finished patient's aftercare, a date in the future is refused beside the field with
the allowed range, a valid report is listed; no violation, no console error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from benzodetox.web.programmes.services import add_member
from tests.web.outcomes.conftest import add_episode

from .conftest import sign_in
from .test_csp import PASSWORD, Watched


@pytest.fixture
def watched(browser: Any) -> Any:
    watched = Watched(browser)
    yield watched
    watched.context.close()


@pytest.mark.django_db(transaction=True)
def test_a_nurse_records_a_return_to_use_on_the_aftercare_page(
    live_server, watched, django_user_model
):
    """Future date → the error names today as the end of the range; a valid date → listed."""
    nurse = django_user_model.objects.create_user(username="rn-rtu", password=PASSWORD)
    programme = add_member(nurse, "RTU programme", "nurse").programme
    today = timezone.localdate()
    patient, last = add_episode(programme, nurse, "RTU-E2E", today - timedelta(days=200))
    assert last is not None
    base = live_server.url
    page = watched.page

    sign_in(page, base, "rn-rtu", PASSWORD)
    watched.visit(f"{base}/patients/{patient.pk}/careplan/aftercare/")
    expect(page.locator("#no-return-reports")).to_be_visible()
    form = page.locator("#return-form")
    form.get_by_label("Date of use (the first day)").fill((today + timedelta(days=3)).isoformat())
    form.get_by_label("Reported by").select_option("patient")
    form.get_by_label("Substance").select_option("diazepam")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("#id_rtu-on_errors")).to_contain_text("to today")

    form = page.locator("#return-form")
    form.get_by_label("Date of use (the first day)").fill((last + timedelta(days=10)).isoformat())
    form.get_by_label("Note").fill("told us at the review")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("#return-reports")).to_contain_text("told us at the review")
    expect(page.locator("#return-reports")).to_contain_text("The patient (self-report)")
    watched.assert_clean()
