"""Monitoring in a real browser: a nurse enters a severe CIWA-B on the quick-entry screen (the
running total updates as items are answered) → the alert appears on the programme dashboard →
a prescriber applies the proposed hold → the new plan version shows the hold and the audit log
has it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.plans.models import PlanVersion
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member

from .conftest import sign_in

PASSWORD = "a long demo passphrase"
SEVERE = [3, 3, 3, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]  # 44


@pytest.mark.django_db(transaction=True)
def test_a_severe_ciwa_b_becomes_an_alert_and_an_approved_hold(
    live_server, page, shot, django_user_model
):
    """Every step in Chromium, screenshots kept in artifacts/e2e/."""
    from tests.web.conftest import make_patient
    from tests.web.monitoring.conftest import approved_version

    nurse = django_user_model.objects.create_user(username="nurse-e2e", password=PASSWORD)
    prescriber = django_user_model.objects.create_user(username="dr-mon-e2e", password=PASSWORD)
    add_member(nurse, "Monitoring E2E", "nurse")
    membership = add_member(prescriber, "Monitoring E2E", "prescriber")
    patient = make_patient(
        membership.programme, "MON-001", [("diazepam", "10", "08:00"), ("diazepam", "10", "22:00")]
    )
    with unscoped():
        patient.phase = "tapering"
        patient.save()
    approved_version(patient, prescriber, timezone.localdate() - timedelta(days=3))
    base = live_server.url

    sign_in(page, base, "nurse-e2e", PASSWORD)
    page.goto(f"{base}/patients/{patient.pk}/monitoring/")
    page.get_by_role("link", name="Record CIWA-B").click()
    expect(page.locator("fieldset.item")).to_have_count(20)
    running = page.locator("#running-total")
    for number, answer in enumerate(SEVERE, start=1):
        # keyboard and touch both work on the labelled radios; click the label like a finger
        page.locator(f"#item-{number} label.scale-choice").nth(answer).click()
        if number == 5:
            expect(running).to_contain_text("CIWA-B 13")
            expect(running).to_contain_text("5 of 20 items answered")
    expect(running).to_contain_text("CIWA-B 44")
    expect(running).to_contain_text("severe")
    shot("monitoring-01-ciwa-b-entry")
    page.get_by_role("button", name="Save CIWA-B").click()
    expect(page.get_by_text("Alert: CIWA-B 44 (severe)")).to_be_visible()
    shot("monitoring-02-patient-trends")

    page.get_by_role("link", name="Dashboard").click()
    alerts = page.locator("table.alerts")
    expect(alerts).to_contain_text("CIWA-B 44 (severe)")
    expect(alerts).to_contain_text("MON-001")
    shot("monitoring-03-dashboard")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "dr-mon-e2e", PASSWORD)
    page.goto(f"{base}/patients/dashboard/")
    page.locator("table.alerts").get_by_role("link", name="MON-001").click()
    advice = page.locator("#advice")
    expect(advice).to_contain_text("Hold")
    expect(advice).to_contain_text("jcpg-2025")
    shot("monitoring-04-advice")
    page.get_by_label("Your password (to approve)").fill(PASSWORD)
    page.locator("#apply-advice").click()
    expect(page.get_by_role("heading", name="Plan version 2")).to_be_visible()
    expect(page.locator("main")).to_contain_text("approved")
    expect(page.locator("main")).to_contain_text("hold for 14 days")
    shot("monitoring-05-plan-v2-hold")

    with unscoped():
        v2 = PlanVersion.objects.get(patient=patient, number=2)
        assert "hold" in v2.reason
        actions = set(AuditEvent.objects.filter(patient=patient).values_list("action", flat=True))
    assert {"assessment.recorded", "advice.applied", "plan.approved"} <= actions
