"""The pharmacy order of an approved plan version from the web: every supply period (1, 7, 14,
28 days, per step) as PDF and CSV with the patient, record number, year of birth, prescribers,
version and approval date; a period outside those refused by name; the programme's staged
supply for patients the intake rates high risk (the core's assessment), as the download's
default and explained on the form; the tiny, audited pharmacy-policy page."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from benzodetox.core.supply import pharmacy_order as core_order
from benzodetox.reports.common import format_day
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans.models import PharmacyPolicySettings
from benzodetox.web.careplans.orders import order_header
from benzodetox.web.careplans.pharmacy_policy import order_default
from benzodetox.web.patients.services import assess_intake, latest_intake, regimen_of
from benzodetox.web.plans.models import PlanApproval, PlanSignature
from benzodetox.web.plans.services import plan_of
from benzodetox.web.programmes.scoping import unscoped


def _text(pdf: bytes) -> str:
    """The PDF's text with all runs of white space made one space."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode("utf-8"))


def _url(name, version, **query):
    url = reverse(name, args=[version.patient_id, version.number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def _rate(patient, *, seizure: bool) -> str:
    """Store the core's assessment of the patient's intake (a previous withdrawal seizure
    raises the rating) as saving the intake does; return the risk the core gave."""
    with unscoped():
        intake = latest_intake(patient)
        intake.withdrawal_seizure_history = seizure
        assessment = assess_intake(intake, patient, regimen_of(patient))
        intake.risk = assessment["risk"]
        intake.save()
    return intake.risk


def _stage(programme, level: str, days: int) -> None:
    with unscoped():
        PharmacyPolicySettings.objects.create(
            programme=programme, staged_from_risk=level, staged_days=days
        )


@pytest.fixture
def named_prescriber(prescriber):
    prescriber.first_name, prescriber.last_name = "Asha", "Rao"
    prescriber.save()
    return prescriber


@pytest.mark.parametrize(
    ("period", "days", "suffix", "what"),
    [("1", 1, "1d", "1 day"), ("7", 7, "7d", "7 days"), ("14", 14, "14d", "14 days"),
     ("28", 28, "28d", "28 days"), ("step", None, "step", "per step")],
)
def test_the_csv_order_comes_for_every_period_with_the_header_on_every_row(
    client_for, read_only, named_prescriber, approved_a, everything, period, days, suffix, what
):
    """Each period gives a CSV whose rows are core.supply's for that period, each carrying the
    patient, record number, year of birth, prescriber, version and approval date; audited."""
    response = client_for(read_only).get(_url("plans:pharmacy_order_csv", approved_a,
                                              period=period))
    assert response.status_code == 200
    assert f'filename="A-001-plan-v1-pharmacy-order-{suffix}.csv"' in (
        response["Content-Disposition"]
    )
    rows = _rows(response)
    lines = [ln for p in core_order(plan_of(approved_a), days) for ln in p.lines]
    assert len(rows) == len(lines) > 0
    approved_on = timezone.localdate(approved_a.approval.approved_at).isoformat()
    for row in rows:
        assert (row["patient_name"], row["record_number"], row["year_of_birth"]) == (
            "A. B.", "A-001", "1970")
        assert (row["prescriber"], row["second_approver"]) == ("Asha Rao", "")
        assert (row["plan_version"], row["approved_on"]) == ("1", approved_on)
        if days is not None:
            assert int(row["days"]) <= days
    event = AuditEvent.objects.filter(action="plan.exported").latest("id")
    assert event.summary == f"exported CSV: v1 pharmacy order ({what})"


@pytest.mark.parametrize("period", ["1", "7"])
def test_the_pdf_order_for_1_and_7_days_names_everyone_and_has_the_signature_lines(
    client_for, nurse, named_prescriber, approved_a, everything, period
):
    """The PDF shows each header field, the first period's first day, each of its products'
    totals in words and figures, and the prescriber's and pharmacist's signature lines."""
    response = client_for(nurse).get(_url("plans:pharmacy_order_pdf", approved_a,
                                          period=period))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    approved_on = format_day(timezone.localdate(approved_a.approval.approved_at))
    for expected in ("Patient A. B.", "Record number A-001",
                     "Year of birth 1970 (only the year of birth is recorded)",
                     "Prescriber Asha Rao", "Plan version 1", f"Approved on {approved_on}",
                     "Programme Programme A", "Prescriber's signature",
                     "Dispensed by (pharmacist's name and signature)", "Date dispensed",
                     f"Supply every {period} day"):
        assert expected in text, expected
    first = core_order(plan_of(approved_a), int(period))[0]
    assert f"{format_day(first.start)} to " in text
    for line in first.lines:
        assert line.total_text in text


def test_a_period_outside_the_allowed_ones_is_refused_naming_them_and_nothing_is_exported(
    client_for, prescriber, approved_a, everything
):
    """?period=10 (and 3, 30, 'week') returns to the plan with the allowed values named; no
    export is audited. Replaces the period half of the downloads test that expected
    '28, 14 or step'."""
    client = client_for(prescriber)
    for bad in ("10", "3", "30", "week"):
        response = client.get(_url("plans:pharmacy_order_csv", approved_a, period=bad),
                              follow=True)
        assert response.redirect_chain[-1][0] == reverse("plans:detail",
                                                         args=[approved_a.patient_id, 1])
        expected = f"period: '{bad}' is not allowed; expected 1, 7, 14 or 28 (days) or step"
        assert expected in response.content.decode().replace("&#x27;", "'")
    assert not AuditEvent.objects.filter(action="plan.exported").exists()


def test_with_two_prescribers_the_first_signature_is_the_prescriber_and_the_approver_second(
    make_user, programme_a, named_prescriber, version_a, everything
):
    """Two-person approval: the first signature's prescriber is named as the prescriber and
    the second, approving prescriber as the second approver."""
    second = make_user("a-prescriber-2", "prescriber", programme_a)
    PlanSignature(plan_version=version_a, signed_by=named_prescriber).save()
    PlanApproval(plan_version=version_a, approved_by=second).save()
    header = order_header(version_a)
    assert (header.prescriber, header.second_approver) == ("Asha Rao", "a-prescriber-2")
    assert header.plan_version == 1 and header.approved_on == timezone.localdate()


def test_a_high_risk_patient_gets_the_staged_period_by_default_and_the_form_says_why(
    client_for, nurse, programme_a, approved_a, everything
):
    """The programme stages supply weekly from high risk; the core rates this patient high (a
    previous withdrawal seizure raises the rating): the order without ?period= is weekly and
    says it is staged, and the plan page's select opens on 7 days with the reason."""
    assert _rate(approved_a.patient, seizure=True) == "high"
    _stage(programme_a, "high", 7)
    client = client_for(nurse)
    response = client.get(_url("plans:pharmacy_order_csv", approved_a))
    assert 'pharmacy-order-7d.csv"' in response["Content-Disposition"]
    assert {int(r["days"]) for r in _rows(response)} <= set(range(1, 8))
    pdf = _text(client.get(_url("plans:pharmacy_order_pdf", approved_a)).content)
    assert ("Supply every 7 days — staged supply: the intake rates this patient high "
            "withdrawal risk.") in pdf
    page = client.get(reverse("plans:detail", args=[approved_a.patient_id, 1])).content.decode()
    assert '<option value="7" selected>7 days (staged supply)</option>' in page
    assert "Staged supply: the intake rates this patient high withdrawal risk" in page
    # a clinician may still choose another period
    chosen = client.get(_url("plans:pharmacy_order_csv", approved_a, period="28"))
    assert 'pharmacy-order-28d.csv"' in chosen["Content-Disposition"]


def test_a_patient_below_the_staged_level_keeps_28_days_and_the_form_says_so(
    client_for, nurse, programme_a, approved_a, everything
):
    """Rated below the programme's level (or not yet rated): 28 days, and the form says the
    programme stages from high risk and this patient is rated lower."""
    risk = _rate(approved_a.patient, seizure=False)
    assert risk != "high"
    _stage(programme_a, "high", 1)
    default = order_default(approved_a.patient)
    assert (default.days, default.staged) == (28, False)
    assert f"this patient is rated {risk} risk" in default.why
    page = client_for(nurse).get(reverse("plans:detail", args=[approved_a.patient_id, 1]))
    assert '<option value="28" selected>28 days</option>' in page.content.decode()


def test_daily_staged_supply_from_significant_risk_gives_one_day_periods(
    client_for, nurse, programme_a, approved_a, everything
):
    """Staged daily from significant risk up: a patient the core rates significant or high
    gets one-day periods by default."""
    _rate(approved_a.patient, seizure=True)
    _stage(programme_a, "significant", 1)
    rows = _rows(client_for(nurse).get(_url("plans:pharmacy_order_csv", approved_a)))
    assert {r["days"] for r in rows} == {"1"}
    assert len({r["period_start"] for r in rows}) > 28


# -- the pharmacy policy page -------------------------------------------------------------------


def test_a_programme_admin_sets_staged_supply_and_it_is_audited_with_history(
    client_for, programme_admin, programme_a, everything
):
    """POST high / 7: saved, audited with before → after, a history row; the page says it."""
    client = client_for(programme_admin)
    url = reverse("careplans:pharmacy_policy")
    assert b"No staged supply" in client.get(url).content
    response = client.post(url, {"programme": programme_a.pk, "staged_from_risk": "high",
                                 "staged_days": "7"}, follow=True)
    assert b"Staged supply: patients whose latest intake is rated high risk" in response.content
    row = PharmacyPolicySettings.objects.get(programme=programme_a)
    assert (row.staged_from_risk, row.staged_days, row.updated_by) == ("high", 7,
                                                                       programme_admin)
    assert row.history.count() == 1
    event = AuditEvent.objects.get(action="careplan.pharmacy_policy_changed")
    assert event.summary == "staged supply off/- → high/7"
    assert AuditEvent.objects.filter(action="careplan.pharmacy_policy_viewed").exists()


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"staged_from_risk": "very high", "staged_days": "7"}, "staged_from_risk",
         "Staged supply for: very high is not a risk level; choose high, significant, lower"),
        ({"staged_from_risk": "high", "staged_days": "28"}, "staged_days",
         "Staged supply period: 28 is not allowed; choose 1, 7 or 14 days."),
        ({"staged_from_risk": "high", "staged_days": ""}, "staged_days",
         "Choose the staged supply period: 1, 7 or 14 days."),
        ({"staged_from_risk": "", "staged_days": "7"}, "staged_from_risk",
         "Choose which patients get staged supply"),
    ],
)
def test_bad_policy_values_are_refused_on_their_field_and_nothing_saved_is_lost(
    client_for, programme_admin, programme_a, everything, post, field, message
):
    """Each bad value is named on its field with what is allowed; the saved policy stays."""
    _stage(programme_a, "high", 14)
    response = client_for(programme_admin).post(
        reverse("careplans:pharmacy_policy"), {"programme": programme_a.pk, **post}
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert field in response.context["form"].errors
    row = PharmacyPolicySettings.objects.get(programme=programme_a)
    assert (row.staged_from_risk, row.staged_days) == ("high", 14)
    assert not AuditEvent.objects.filter(action="careplan.pharmacy_policy_changed").exists()


def test_clinicians_read_the_policy_but_only_admins_change_it_and_other_programmes_are_hidden(
    client_for, prescriber, nurse, programme_a, programme_b, everything
):
    """A prescriber or nurse sees the policy without the form and is refused a POST (403);
    asking for another programme's policy is 404."""
    url = reverse("careplans:pharmacy_policy")
    for user in (prescriber, nurse):
        client = client_for(user)
        page = client.get(url)
        assert page.status_code == 200 and b"A programme admin changes this policy" in page.content
        refused = client.post(url, {"programme": programme_a.pk, "staged_from_risk": "high",
                                    "staged_days": "7"})
        assert refused.status_code == 403
    assert client_for(prescriber).get(url + f"?programme={programme_b.pk}").status_code == 404
    assert not PharmacyPolicySettings.objects.exists()


def test_switching_staged_supply_off_clears_the_period(
    client_for, programme_admin, programme_a, everything
):
    """Saving 'No staged supply' with an empty period leaves both empty (the constraint holds)."""
    _stage(programme_a, "high", 7)
    client_for(programme_admin).post(reverse("careplans:pharmacy_policy"),
                                     {"programme": programme_a.pk, "staged_from_risk": "",
                                      "staged_days": ""})
    row = PharmacyPolicySettings.objects.get(programme=programme_a)
    assert (row.staged_from_risk, row.staged_days) == ("", None)
    assert date.today() >= row.updated_at.date()


def test_the_demo_programme_stages_supply_weekly_from_high_risk_once(
    db, settings, tmp_path, everything
):
    """The demo seed sets the demo programme's pharmacy policy (high risk → 7 days) through
    the audited service; seeding again changes nothing."""
    from benzodetox.web.careplans.demo import seed_demo_pharmacy_policy
    from benzodetox.web.demo import seed_demo

    settings.DATA_DIR = tmp_path
    seed_demo()
    row = PharmacyPolicySettings.objects.get(programme__name="Demo programme")
    assert (row.staged_from_risk, row.staged_days) == ("high", 7)
    assert AuditEvent.objects.filter(action="careplan.pharmacy_policy_changed").count() == 1
    assert seed_demo_pharmacy_policy() is False
