"""Adjunct medications: the core's data for every adjunct, the naloxone prompt exactly when
opioids are recorded (Rec 17), flumazenil with "avoid for tapering" (Rec 14), notes audited."""

from __future__ import annotations

from django.urls import reverse

from benzodetox.core.careplan.adjuncts import all_adjuncts
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.careplans.models import AdjunctNote
from benzodetox.web.programmes.scoping import unscoped


def _record_opioids(patient):
    with unscoped():
        intake = patient.intakes.first()
        intake.substances = ["opioids"]
        intake.save()


def test_every_adjunct_is_shown_with_its_evidence_and_flumazenil_with_rec_14(
    client_for, read_only, patient_a
):
    """All adjuncts from the core appear; flumazenil's tapering position names Rec 14."""
    page = client_for(read_only).get(reverse("careplans:medications", args=[patient_a.pk]))
    text = page.content.decode()
    for item in all_adjuncts():
        assert f'id="adjunct-{item.id}"' in text
    assert "Rec 14" in text and 'id="flumazenil"' in text
    assert 'id="prompt-naloxone"' not in text


def test_the_naloxone_prompt_appears_when_the_intake_records_opioids(client_for, nurse, patient_a):
    """Opioids co-prescribed → naloxone prompt (Rec 17) on the medications page and the care
    plan overview."""
    _record_opioids(patient_a)
    client = client_for(nurse)
    for name in ("careplans:medications", "careplans:overview"):
        text = client.get(reverse(name, args=[patient_a.pk])).content.decode()
        assert 'id="prompt-naloxone"' in text and "Rec 17" in text


def test_a_prescriber_adds_a_note_and_a_missing_note_text_is_a_field_error(
    client_for, prescriber, patient_a, everything
):
    """A note is saved and audited; without its text the form says so beside the field and
    keeps the medication chosen."""
    url = reverse("careplans:medications", args=[patient_a.pk])
    client = client_for(prescriber)
    bad = client.post(url, {"adjunct": "melatonin", "status": "considered", "note": ""})
    assert bad.status_code == 200 and "note" in bad.context["form"].errors
    assert 'value="melatonin" selected' in bad.content.decode()
    ok = client.post(url, {"adjunct": "melatonin", "status": "started", "note": "for sleep"})
    assert ok.status_code == 302
    assert AdjunctNote.objects.get(patient=patient_a).status == "started"
    assert AuditEvent.objects.filter(action="careplan.adjunct_noted").exists()


def test_the_rec_21_prompt_appears_when_the_intake_records_buprenorphine_or_methadone(
    client_for, nurse, patient_a, everything
):
    """Buprenorphine or methadone for an opioid use disorder on the intake → 'do not stop or
    disrupt it because of the taper' (2025 Joint Guideline Rec 21) on the medications page and
    the care-plan overview; without it, no such prompt."""
    medications = reverse("careplans:medications", args=[patient_a.pk])
    overview = reverse("careplans:overview", args=[patient_a.pk])
    client = client_for(nurse)
    assert 'id="prompt-keep_sud_medication"' not in client.get(medications).content.decode()
    intake = patient_a.intakes.get()
    intake.sud_medication = True
    intake.save()
    for url in (medications, overview):
        text = client.get(url).content.decode()
        assert 'id="prompt-keep_sud_medication"' in text and "Rec 21" in text
    assert "buprenorphine or methadone</strong> for an opioid use disorder" in client.get(
        medications
    ).content.decode()
