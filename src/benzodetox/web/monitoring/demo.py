"""Demo monitoring data: assessments, an alert and advice for the demo patients (called by
``web.demo`` when it seeds; does nothing if the demo programme already has assessments)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

MILD = (1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0)
MODERATE = (2, 1, 2, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1)
SEVERE = (3, 3, 3, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)


def seed_monitoring(nurse: Any, programme: Any) -> None:
    from benzodetox.web.demo import system_request
    from benzodetox.web.patients.models import Patient

    from . import overdue, services
    from .models import Assessment

    if Assessment.objects.filter(programme=programme).exists():
        return
    request = system_request(nurse)
    today = timezone.localdate()

    def at(days_ago: int, hour: int = 10) -> datetime:
        return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(hour)))

    def entry(patient: Any, kind: str, when: datetime, **values: Any) -> None:
        services.record_assessment(request, patient, services.Entry(kind=kind, at=when, **values))

    patients = {p.reference: p for p in Patient.objects.filter(programme=programme)}
    tapering = patients.get("DEMO-003")
    if tapering is not None:
        for days, answers in ((40, MILD), (28, MILD), (21, MODERATE), (14, MILD), (4, MODERATE)):
            entry(tapering, "ciwa-b", at(days), answers=answers)
            entry(tapering, "vitals", at(days, 11), vitals={"pulse": 88 + days % 9, "sbp": 128})
        entry(tapering, "phq-9", at(14), answers=(1, 1, 0, 1, 0, 0, 1, 0, 0))
        entry(tapering, "gad-7", at(14), answers=(1, 1, 1, 0, 0, 1, 0))
    held = patients.get("DEMO-004")
    if held is not None:
        entry(held, "ciwa-b", at(2), answers=SEVERE, notes="tremor and poor sleep")
        entry(held, "vitals", at(2, 11), vitals={"pulse": 114, "sbp": 152, "dbp": 96})
    crossover = patients.get("DEMO-002")
    if crossover is not None:
        entry(crossover, "ciwa-b", at(1), answers=MILD)
        entry(crossover, "bwsq", at(1), answers=(0, 1) * 10)
    overdue.scan()
