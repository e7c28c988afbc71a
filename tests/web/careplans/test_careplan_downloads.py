"""Downloads of an approved plan version: the handout PDF shows every step's dates and doses
(pdftotext), the .ics parses back with one event per dose change, the pharmacy order comes as
PDF and CSV per supply period, and every download is audited."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from icalendar import Calendar

from benzodetox.core.units import format_mg
from benzodetox.reports.pdf import format_day
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans import exports
from benzodetox.web.plans.services import plan_of


def _text(pdf: bytes) -> str:
    """The PDF's text with all runs of white space made one space."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return re.sub(r"\s+", " ", out)


def _url(name, version, **query):
    url = reverse(name, args=[version.patient_id, version.number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_handout_pdf_shows_every_change_and_the_relapse_plan_in_the_patients_words(
    client_for, read_only, careplan_a, approved_a, everything
):
    """pdftotext of the A4 handout holds each dose change's day and daily total as the plan
    has them, the last dose day, the patient's relapse-plan contacts — and no equivalence
    table, which is the clinician's."""
    response = client_for(read_only).get(_url("plans:handout_pdf", approved_a, size="A4"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="A-001-plan-v1-handout-A4.pdf"' in response["Content-Disposition"]
    text = _text(response.content)
    plan = plan_of(approved_a)
    for step in plan.steps[1:]:
        assert f"{format_day(step.start)}:" in text, step
        if step.doses:
            assert f"{format_mg(sum(d.mg for d in step.doses))} a day" in text, step
    assert f"Last dose: {format_day(plan.last_dose_date)}" in text
    assert "Sam Carer" in text and "Lying awake at night" in text
    assert "ashton-2002" not in text and "quivalen" not in text
    event = AuditEvent.objects.get(action="plan.exported")
    assert event.summary == "exported PDF: v1 patient handout (A4)"
    assert event.username == "a-read-only" and event.patient_id == approved_a.patient_id


def test_the_letter_handout_is_asked_of_the_report_in_letter_size(
    client_for, nurse, approved_a, monkeypatch
):
    """?size=Letter reaches the report as page_size="Letter" (rendering checked above)."""
    seen = {}

    def fake(plan, **kwargs):
        seen.update(kwargs)
        return b"%PDF-1.7"

    monkeypatch.setattr(exports, "handout_pdf", fake)
    response = client_for(nurse).get(_url("plans:handout_pdf", approved_a, size="Letter"))
    assert response.status_code == 200 and seen["page_size"] == "Letter"
    assert 'handout-Letter.pdf"' in response["Content-Disposition"]


def test_the_handout_names_the_programme_and_the_approving_prescriber(
    client_for, nurse, approved_a, django_user_model
):
    """The care team row is the patient's programme, the prescriber row the user who approved
    the version (full name when recorded); neither has a phone recorded, so each leaves a
    marked space to write it in."""
    from benzodetox.web.plans.models import PlanApproval
    from benzodetox.web.programmes.scoping import unscoped

    with unscoped():
        approver = PlanApproval.objects.get(plan_version=approved_a).approved_by
    approver.first_name, approver.last_name = "Asha", "Rao"
    approver.save()
    text = _text(client_for(nurse).get(_url("plans:handout_pdf", approved_a)).content)
    assert "Your care team Programme A Write the number here:" in text
    assert "Your prescriber Asha Rao Write the number here:" in text


def _set_substances(patient_id, substances, sud_medication=False):
    from benzodetox.web.patients.models import Intake
    from benzodetox.web.programmes.scoping import unscoped

    with unscoped():
        Intake.objects.filter(patient_id=patient_id).update(
            substances=substances, sud_medication=sud_medication
        )


def test_alcohol_advice_follows_an_intake_with_alcohol_use_disorder(
    client_for, nurse, approved_a
):
    """The latest intake recording alcohol use disorder (and buprenorphine) gives the alcohol
    advice (and keep-taking-it advice); without it, the handout has the driving advice only."""
    client = client_for(nurse)
    url = _url("plans:handout_pdf", approved_a)
    without = _text(client.get(url).content)
    assert "Do not drive, ride a bike or use machines" in without
    assert "Alcohol makes these medicines stronger" not in without
    _set_substances(approved_a.patient_id, ["alcohol_use_disorder"], sud_medication=True)
    with_aud = _text(client.get(url).content)
    assert "Alcohol makes these medicines stronger" in with_aud
    assert "Keep taking your buprenorphine or methadone" in with_aud
    assert "Do not drive, ride a bike or use machines" in with_aud


def test_an_intake_substance_the_core_does_not_know_is_named_instead_of_a_handout(
    client_for, nurse, approved_a
):
    """A stored substance outside the intake's list is refused on its field with the choices,
    back on the plan page; no PDF is sent and nothing is audited as exported."""
    _set_substances(approved_a.patient_id, ["wine"])
    response = client_for(nurse).get(_url("plans:handout_pdf", approved_a), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "plans:detail", args=[approved_a.patient_id, 1]
    )
    assert b"substances" in response.content and b"alcohol_use_disorder" in response.content
    from benzodetox.web.programmes.scoping import unscoped

    with unscoped():
        assert not AuditEvent.objects.filter(action="plan.exported").exists()


def test_the_handout_button_says_it_is_preparing_the_handout(client_for, nurse, approved_a):
    """The download form carries the busy label and a polite live status for the script, and
    stays an ordinary GET form for a browser without JavaScript."""
    page = client_for(nurse).get(reverse("plans:detail", args=[approved_a.patient_id, 1]))
    html = page.content.decode()
    assert 'data-busy-label="Preparing your handout…"' in html
    assert 'id="handout-status" role="status" aria-live="polite"' in html
    assert f'action="{_url("plans:handout_pdf", approved_a)}"' in html


def test_the_calendar_parses_back_with_one_event_per_dose_change_and_stable_uids(
    client_for, counsellor, careplan_a, approved_a
):
    """One 'Dose change' event per step, on the step's first day; the course's sessions and
    the aftercare items come as appointments; a second download has the same UIDs."""
    client = client_for(counsellor)
    first = client.get(_url("plans:calendar_ics", approved_a))
    assert first.status_code == 200 and first["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    events = list(calendar.walk("VEVENT"))
    doses = [e for e in events if "Dose change" in str(e.get("categories").to_ical())]
    plan = plan_of(approved_a)
    assert [e.decoded("dtstart") for e in doses] == [s.start for s in plan.steps]
    assert all(e.get("dtstamp") is not None for e in events)
    titles = [str(e.get("summary")) for e in events]
    assert sum("CBT for insomnia" in t for t in titles) == 2
    assert "End-of-aftercare review" in titles
    again = Calendar.from_ical(client.get(_url("plans:calendar_ics", approved_a)).content)
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == sorted(
        str(e["uid"]) for e in events
    )


def test_the_pharmacy_order_comes_as_csv_per_period_and_as_pdf(
    client_for, prescriber, approved_a, everything
):
    """CSV per 14 days has 14-day periods (the last may be shorter) and the table on every
    row; per step has one period per dosed step; the PDF names the table; each is audited."""
    client = client_for(prescriber)
    response = client.get(_url("plans:pharmacy_order_csv", approved_a, period="14"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and all(r["equivalence_table"] == "ashton-2002" for r in rows)
    assert max(int(r["days"]) for r in rows) == 14
    assert date.fromisoformat(rows[0]["period_start"]) == plan_of(approved_a).start
    per_step = client.get(_url("plans:pharmacy_order_csv", approved_a, period="step"))
    assert b"period_start" in per_step.content
    pdf = client.get(_url("plans:pharmacy_order_pdf", approved_a, period="28"))
    assert pdf.status_code == 200 and "ashton-2002" in _text(pdf.content)
    summaries = list(
        AuditEvent.objects.filter(action="plan.exported").values_list("summary", flat=True)
    )
    assert "exported CSV: v1 pharmacy order (14 days)" in summaries
    assert "exported CSV: v1 pharmacy order (per step)" in summaries
    assert "exported PDF: v1 pharmacy order (28 days)" in summaries


def test_a_draft_version_is_not_downloadable(client_for, prescriber, version_a, everything):
    """Before approval every download sends back to the plan with the reason; nothing is
    exported or audited as exported."""
    client = client_for(prescriber)
    for name in (
        "plans:handout_pdf",
        "plans:pharmacy_order_pdf",
        "plans:pharmacy_order_csv",
        "plans:calendar_ics",
    ):
        response = client.get(_url(name, version_a), follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "plans:detail", args=[version_a.patient_id, 1]
        )
        assert b"is not approved" in response.content
    assert not AuditEvent.objects.filter(action="plan.exported").exists()


def test_an_unknown_page_size_is_refused_with_the_choices(client_for, prescriber, approved_a):
    """?size=A3 answers with the allowed sizes instead of a document (an unknown supply period:
    test_careplan_orders)."""
    client = client_for(prescriber)
    size = client.get(_url("plans:handout_pdf", approved_a, size="A3"), follow=True)
    assert b"A4 or Letter" in size.content


def test_the_plan_page_offers_the_downloads_only_once_approved(
    client_for, nurse, version_a, personas
):
    """The block on the plan version page explains the wait on a draft and links each
    document after approval."""
    from .conftest import approve

    client = client_for(nurse)
    url = reverse("plans:detail", args=[version_a.patient_id, 1])
    assert b"once a prescriber approves" in client.get(url).content
    approve(version_a, personas["prescriber"])
    page = client.get(url).content.decode()
    for name in ("handout_pdf", "pharmacy_order_pdf", "pharmacy_order_csv", "calendar_ics"):
        assert _url(f"plans:{name}", version_a) in page


@pytest.fixture
def nitrazepam_approved(programme_a, personas):
    """An approved version of nitrazepam 5 mg at 08:00 and 10 mg at 22:00 switched to diazepam
    in the US (no nitrazepam product: the morning dose comes from the patient's supply at
    first), built by the builder's own form so it is saved as a clinician saves it."""
    from django.test import Client

    from benzodetox.web.plans.models import PlanVersion
    from benzodetox.web.programmes.scoping import unscoped

    from ..conftest import PLAN_POST, make_patient
    from .conftest import approve

    patient = make_patient(
        programme_a, "A-030", [("nitrazepam", "5", "08:00"), ("nitrazepam", "10", "22:00")]
    )
    client = Client()
    client.force_login(personas["prescriber"])
    response = client.post(
        reverse("plans:builder", args=[patient.pk]),
        dict(PLAN_POST, switch_to="diazepam", reason="switch to diazepam"),
    )
    assert response.status_code == 302
    with unscoped():
        version = PlanVersion.objects.get(patient=patient, number=1)
    return approve(version, personas["prescriber"])


def test_the_downloads_say_from_your_current_supply_for_a_dose_nothing_is_dispensed_for(
    client_for, read_only, nitrazepam_approved
):
    """The handout and the calendar of a saved crossover from nitrazepam label the supply dose
    in the patient's words and tell the switch; the pharmacy order lists it as not dispensed."""
    client = client_for(read_only)
    plan = plan_of(nitrazepam_approved)
    supply = [(s, d) for s in plan.steps for d in s.doses if d.from_supply]
    assert supply
    handout = _text(client.get(_url("plans:handout_pdf", nitrazepam_approved)).content)
    assert "nitrazepam: 5 mg from your own supply" in handout
    assert "Your medicine changes to diazepam" in handout
    ics = client.get(_url("plans:calendar_ics", nitrazepam_approved)).content
    events = {
        e.decoded("dtstart"): str(e.get("description"))
        for e in Calendar.from_ical(ics).walk("VEVENT")
    }
    for step, _dose in supply:
        assert "08:00 nitrazepam 5 mg: from your current supply" in events[step.start]
    order = _text(client.get(_url("plans:pharmacy_order_pdf", nitrazepam_approved)).content)
    assert "Not dispensed — from the patient's current supply" in order
    for warning in plan.warnings:
        assert re.sub(r"\s+", " ", warning.lstrip("⚠ "))[:60] in order
