"""The demo seed shows issue 11's escalation: DEMO-010, day 1 of a crossover, a past withdrawal
seizure and alcohol use disorder, CIWA-B 61/80 — a critical alert with the actions listed."""

from __future__ import annotations

from benzodetox.web.demo import seed_demo
from benzodetox.web.monitoring.demo import ESCALATION_PATIENT
from benzodetox.web.monitoring.models import AdviceRecord, Alert, MonitoringState
from benzodetox.web.patients.models import Patient


def test_the_demo_has_a_patient_whose_ciwa_b_escalates_with_its_actions(
    db, settings, tmp_path, everything
):
    """DEMO-010: one critical, escalated alert with five actions; advice 'escalate'; the
    escalation in force on the monitoring state."""
    settings.DATA_DIR = tmp_path
    seed_demo()
    patient = Patient.objects.get(reference=ESCALATION_PATIENT)
    alert = Alert.objects.get(patient=patient, kind="score")
    assert alert.severity == "critical" and alert.title == "CIWA-B 61 (very severe): escalate"
    assert len(alert.detail["actions"]) == 5
    assert AdviceRecord.objects.filter(patient=patient).latest("at").action == "escalate"
    assert MonitoringState.objects.get(patient=patient).escalated_at is not None
    assert patient.phase == "crossover"
