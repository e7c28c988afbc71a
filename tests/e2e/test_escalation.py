"""Issue 11's escalation case in a real browser: a nurse records a CIWA-B of 61/80 on day 1 of a
crossover for a patient with a past withdrawal seizure and alcohol use disorder. The quick-entry
screen warns before saving that the save escalates, with the actions; after saving, the patient's
monitoring page shows the critical alert with its actions and the CIWA-B due within 4–8 h."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from benzodetox.web.programmes.services import add_member

PASSWORD = "a long demo passphrase"
CIWA_61 = [4] * 15 + [1, 0, 0, 0, 0]


@pytest.mark.django_db(transaction=True)
def test_a_very_severe_ciwa_b_is_warned_before_saving_and_escalates_with_its_actions(
    live_server, page, shot, django_user_model
):
    """Every step in Chromium, screenshots kept in artifacts/e2e/."""
    from tests.web.monitoring.test_monitoring_escalation import crossover_patient

    nurse = django_user_model.objects.create_user(username="nurse-esc", password=PASSWORD)
    prescriber = django_user_model.objects.create_user(username="dr-esc", password=PASSWORD)
    add_member(nurse, "Escalation E2E", "nurse")
    membership = add_member(prescriber, "Escalation E2E", "prescriber")
    patient = crossover_patient(membership.programme, prescriber)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("nurse-esc")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()

    page.goto(f"{base}/patients/{patient.pk}/monitoring/")
    page.get_by_role("link", name="Record CIWA-B").click()
    expect(page.locator("fieldset.item")).to_have_count(20)
    expect(page.locator("#item-18 legend")).to_contain_text("restless or agitated")
    running = page.locator("#running-total")
    for number, answer in enumerate(CIWA_61, start=1):
        page.locator(f"#item-{number} label.scale-choice").nth(answer).click()
        if number == 11:  # 44 so far: severe with a past withdrawal seizure already escalates
            expect(running).to_contain_text("Saving will raise at least")
    expect(running).to_contain_text("CIWA-B 61")
    expect(running).to_contain_text("Saving raises an alert")
    expect(running).to_contain_text("CIWA-B 61 (very severe): escalate")
    running.locator("details.save-actions summary").click()
    for words in ("urgent medical review", "seizure precautions", "alcohol", "level of care"):
        expect(running).to_contain_text(words)
    shot("escalation-01-warning-before-saving")

    page.get_by_role("button", name="Save CIWA-B").click()
    alerts = page.locator(".alerts-panel")
    expect(alerts).to_contain_text("CIWA-B 61 (very severe): escalate")
    expect(alerts.locator(".badge.sev-critical").first).to_be_visible()
    for words in (
        "urgent medical review",
        "seizure precautions",
        "check for alcohol and other sedative withdrawal",
        "re-assess the level of care",
        "every 4–8 h",
    ):
        expect(alerts).to_contain_text(words)
    expect(page.locator("ul.due")).to_contain_text("after the escalation of")
    expect(page.locator("#advice")).to_contain_text("escalate")
    shot("escalation-02-critical-alert-with-actions")
