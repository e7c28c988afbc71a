"""The intake page shows the core's two headlines first: the risk, its level named first
("High risk: …"), and the level of care with specialist supervision and its reasons."""

from __future__ import annotations

from django.urls import reverse

from benzodetox.web.patients.models import Intake
from tests.web.test_patients import INTAKE


def test_the_intake_page_shows_the_risk_and_care_headlines_from_the_core(
    client_for, nurse, patient_a, everything
):
    """Diazepam 20 mg/day with opioids and supportive home: 'High risk: …' and 'Outpatient
    care, 2-WM, under specialist supervision: … polydrug use …', stored and shown as is."""
    client = client_for(nurse)
    url = reverse("patients:intake", args=[patient_a.pk])
    assert client.post(url, INTAKE).status_code == 302
    stored = Intake.objects.filter(patient=patient_a).latest().assessment
    assert stored["headline"].startswith("High risk: 20 mg diazepam-equivalent a day")
    assert stored["level_of_care_headline"].startswith(
        "Outpatient care, 2-WM, under specialist supervision: polydrug use: opioids"
    )
    assert stored["specialist_supervision"] is True
    page = client.get(url).content.decode()
    assert f'id="risk-headline"><strong>{stored["headline"]}</strong>' in page
    assert f'id="care-headline"><strong>{stored["level_of_care_headline"]}</strong>' in page


def test_no_support_at_home_is_named_in_the_care_headline_on_the_page(
    client_for, nurse, patient_a, everything
):
    """With 'No support at home' chosen, the care headline says so and the level is 3.2-WM."""
    client = client_for(nurse)
    url = reverse("patients:intake", args=[patient_a.pk])
    assert client.post(url, {**INTAKE, "home_support": "none"}).status_code == 302
    intake = Intake.objects.filter(patient=patient_a).latest()
    assert intake.level_of_care == "3.2-WM"
    assert intake.assessment["level_of_care_headline"].endswith("no support at home")
    assert "no support at home</strong>" in client.get(url).content.decode()
