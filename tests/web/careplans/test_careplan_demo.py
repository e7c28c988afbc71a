"""The demo seed gives the patient in aftercare a whole care plan, once."""

from __future__ import annotations

from benzodetox.web.careplans.demo import DEMO_PATIENT, seed_demo_careplan
from benzodetox.web.careplans.models import Course, RelapsePlanVersion
from benzodetox.web.demo import seed_demo
from benzodetox.web.patients.models import Patient


def test_the_demo_patient_in_aftercare_has_a_care_plan_seeded_once(
    db, settings, tmp_path, everything
):
    """Course with attendance, aftercare from the approved plan, two relapse-plan versions and
    an adjunct note; calling the seed again adds nothing."""
    settings.DATA_DIR = tmp_path
    seed_demo()
    patient = Patient.objects.get(reference=DEMO_PATIENT)
    course = Course.objects.get(patient=patient)
    assert course.kind == "cbt_i" and course.sessions.count() == 8
    assert course.sessions.filter(attended__isnull=False).exists()
    care = patient.aftercare_plans.get()
    assert care.days >= 90 and care.plan_version.approval is not None
    assert RelapsePlanVersion.objects.filter(patient=patient).count() == 2
    assert patient.adjunct_notes.count() == 1
    assert seed_demo_careplan() is False
    assert Course.objects.filter(patient=patient).count() == 1
