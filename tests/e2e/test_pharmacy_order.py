"""The pharmacy order in a real browser: a programme admin turns on weekly staged supply for
high-risk patients on the pharmacy policy page; a prescriber opens the approved plan of a
patient the core rates high risk, sees the order's period default to 7 days with the reason,
and downloads the PDF and the CSV for 7 days (kept in artifacts/e2e/)."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.patients.services import assess_intake, latest_intake, regimen_of
from benzodetox.web.programmes.models import Membership
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.programmes.services import add_member
from tests.web.careplans.conftest import approve
from tests.web.conftest import make_patient, make_version

from .conftest import ARTIFACTS, sign_in

PASSWORD = "a long demo passphrase"


@pytest.mark.django_db(transaction=True)
def test_a_prescriber_downloads_a_weekly_staged_pharmacy_order(
    live_server, page, shot, django_user_model
):
    """Policy set through its page; the plan page's select opens on '7 days (staged supply)'
    with the reason; the PDF and the CSV downloaded through Chromium are 7-day orders naming
    the patient and the prescriber."""
    admin = django_user_model.objects.create_user(username="admin-rx", password=PASSWORD)
    membership = add_member(admin, "E2E pharmacy", "admin")
    programme = membership.programme
    doctor = django_user_model.objects.create_user(
        username="dr-rx", password=PASSWORD, first_name="Asha", last_name="Rao"
    )
    Membership.objects.create(user=doctor, programme=programme, role="prescriber")
    patient = make_patient(programme, "RX-001", [("diazepam", "10", "08:00"),
                                                 ("diazepam", "10", "22:00")])
    with unscoped():
        intake = latest_intake(patient)
        intake.withdrawal_seizure_history = True
        intake.risk = assess_intake(intake, patient, regimen_of(patient))["risk"]
        intake.save()
    assert intake.risk == "high"
    version = make_version(patient, doctor)
    approve(version, doctor)
    base = live_server.url

    sign_in(page, base, "admin-rx", PASSWORD)
    page.goto(f"{base}/patients/pharmacy-policy/")
    page.get_by_label("Staged supply for").select_option("high")
    page.get_by_label("Staged supply period").select_option("7")
    page.get_by_role("button", name="Save pharmacy policy").click()
    expect(page.locator("#policy-state")).to_contain_text("periods of 7 days (weekly supply)")
    shot("pharmacy-01-policy")
    page.context.clear_cookies()

    sign_in(page, base, "dr-rx", PASSWORD)
    page.goto(f"{base}/patients/{patient.pk}/plans/{version.number}/")
    select = page.get_by_label("Supply period")
    expect(select).to_have_value("7")
    expect(page.locator("#order-period-why")).to_contain_text(
        "the intake rates this patient high withdrawal risk"
    )
    shot("pharmacy-02-plan-downloads")
    with page.expect_download() as pdf_info:
        page.get_by_role("button", name="Pharmacy order (PDF)").click()
    pdf = pdf_info.value
    assert pdf.suggested_filename == "RX-001-plan-v1-pharmacy-order-7d.pdf"
    pdf_path = ARTIFACTS / "pharmacy-order-7d.pdf"
    pdf.save_as(str(pdf_path))
    assert pdf_path.read_bytes().startswith(b"%PDF")

    with page.expect_download() as csv_info:
        page.get_by_role("button", name="Pharmacy order (CSV)").click()
    csv_path = ARTIFACTS / "pharmacy-order-7d.csv"
    csv_info.value.save_as(str(csv_path))
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8"))))
    assert rows and {int(r["days"]) for r in rows} <= set(range(1, 8))
    assert {(r["patient_name"], r["record_number"], r["prescriber"]) for r in rows} == {
        ("A. B.", "RX-001", "Asha Rao")
    }
    with unscoped():
        summaries = set(
            AuditEvent.objects.filter(action="plan.exported").values_list("summary", flat=True)
        )
    assert summaries == {"exported PDF: v1 pharmacy order (7 days)",
                         "exported CSV: v1 pharmacy order (7 days)"}
