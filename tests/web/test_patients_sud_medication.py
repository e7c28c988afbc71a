"""The intake form records buprenorphine or methadone for an opioid use disorder; it is kept
on the intake, shown with it, passed to the core and does not change the risk."""

from __future__ import annotations

from django.urls import reverse

from benzodetox.web.patients.models import Intake
from tests.web.test_patients import INTAKE


def test_the_intake_records_buprenorphine_or_methadone_for_opioid_use_disorder(
    client_for, nurse, read_only, patient_a, everything
):
    """Ticked, it is stored and shown; the assessment stored with it is the one the same
    intake gets without it (a care prompt, not a risk factor)."""
    client = client_for(nurse)
    url = reverse("patients:intake", args=[patient_a.pk])
    assert client.post(url, INTAKE).status_code == 302
    without = Intake.objects.filter(patient=patient_a).latest()
    assert client.post(url, {**INTAKE, "sud_medication": "on"}).status_code == 302
    intake = Intake.objects.filter(patient=patient_a).latest()
    assert intake.sud_medication is True and without.sud_medication is False
    assert (intake.risk, intake.level_of_care) == (without.risk, without.level_of_care)
    form = client.get(url).content.decode()
    assert 'name="sud_medication" id="id_sud_medication" checked' in form
    shown = client_for(read_only).get(url).content.decode()
    assert "Buprenorphine or methadone for opioid use disorder</dt><dd>yes" in shown


def test_an_intake_error_keeps_the_sud_medication_box_ticked(client_for, nurse, patient_a):
    """A refused field (days a week 9) leaves the box as it was typed."""
    url = reverse("patients:intake", args=[patient_a.pk])
    data = {**INTAKE, "days_per_week": "9", "sud_medication": "on"}
    page = client_for(nurse).post(url, data).content.decode()
    assert 'name="sud_medication" id="id_sud_medication" checked' in page
