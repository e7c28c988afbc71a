"""Programme outcomes in a real browser: a prescriber opens the page (the charts are drawn),
filters to inpatients, and downloads the de-identified CSV; a nurse gets 403."""

from __future__ import annotations

import csv
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from benzodetox.web.programmes.services import add_member
from tests.web.outcomes.conftest import add_episode

from .conftest import ARTIFACTS, sign_in

PASSWORD = "a long demo passphrase"


@pytest.fixture
def programme_with_history(django_user_model):
    """Six patients who finished a taper a year ago and five inpatients who started a month ago."""
    prescriber = django_user_model.objects.create_user(username="dr-outcomes", password=PASSWORD)
    nurse = django_user_model.objects.create_user(username="rn-outcomes", password=PASSWORD)
    programme = add_member(prescriber, "E2E outcomes", "prescriber").programme
    add_member(nurse, "E2E outcomes", "nurse")
    today = timezone.localdate()
    for i in range(6):
        add_episode(
            programme,
            prescriber,
            f"DONE-{i}",
            today - timedelta(days=400),
            scores=((3, 8), (10, 12), (17, 6)),
            contacts=tuple((n, True) for n in range(14, 99, 14)),
        )
    for i in range(5):
        add_episode(
            programme,
            prescriber,
            f"GOING-{i}",
            today - timedelta(days=28),
            scores=((3, 4), (10, 6)),
            level="3.7-WM",
        )
    return programme


@pytest.mark.django_db(transaction=True)
def test_a_prescriber_filters_the_outcomes_and_downloads_the_csv(
    live_server, page, shot, programme_with_history
):
    """The page shows the three charts with their tables; 'Inpatient at the start' narrows the
    cohort to five; the CSV downloaded from there has those five rows and no record numbers."""
    base = live_server.url
    sign_in(page, base, "dr-outcomes", PASSWORD)
    page.goto(f"{base}/programme/outcomes/")
    expect(page.get_by_role("heading", name=re.compile("Programme outcomes"))).to_be_visible()
    expect(page.locator("svg.outcome-chart")).to_have_count(3)
    expect(page.get_by_text("Patients in this cohort: 11")).to_be_visible()
    shot("outcomes-01-page")

    page.get_by_label("Setting").select_option("inpatient")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("Patients in this cohort: 5")).to_be_visible()
    shot("outcomes-02-inpatients")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download de-identified CSV").click()
    path = ARTIFACTS / "outcomes.csv"
    info.value.save_as(str(path))
    text = path.read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 5 and {r["setting_at_start"] for r in rows} == {"inpatient"}
    assert "GOING-" not in text and "DONE-" not in text


@pytest.mark.django_db(transaction=True)
def test_a_nurse_gets_403(live_server, page, programme_with_history):
    """Programme outcomes are for admins and prescribers: a nurse's request is refused."""
    base = live_server.url
    sign_in(page, base, "rn-outcomes", PASSWORD)
    response = page.goto(f"{base}/programme/outcomes/")
    assert response is not None and response.status == 403
