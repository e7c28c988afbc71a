"""The demo's check-ins: the demo patient's diary, a finished check-in and an open request,
seeded once through the services."""

from __future__ import annotations

from typing import Any

from benzodetox.web.checkins.demo import seed_demo_checkins
from benzodetox.web.checkins.models import Checkin, DiaryEntry, StepRequest
from benzodetox.web.monitoring.models import Assessment
from tests.web.checkins.helpers import patient_client, tapering


def test_the_demo_seeds_a_diary_a_check_in_and_a_request_once(
    patient_a: Any, personas: dict[str, Any], everything: None
) -> None:
    tapering(patient_a, personas["prescriber"])
    patient_client(personas["nurse"], patient_a, "patient-a")
    assert seed_demo_checkins("Programme A") is True
    assert DiaryEntry.objects.filter(patient=patient_a).count() == 3
    done = Checkin.objects.get(patient=patient_a)
    assert done.completed_at is not None and done.level == "ok"
    assert set(Assessment.objects.filter(patient=patient_a).values_list("rater", flat=True)) == {
        "self"
    }
    assert StepRequest.objects.get(patient=patient_a).status == "open"
    assert seed_demo_checkins("Programme A") is False
    assert seed_demo_checkins("No such programme") is False
    assert DiaryEntry.objects.filter(patient=patient_a).count() == 3
