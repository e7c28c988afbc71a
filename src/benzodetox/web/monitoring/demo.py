"""Demo monitoring data: assessments, an alert and advice for the demo patients, and the
escalation case of issue 11 (DEMO-010: day 1 of a crossover, a past withdrawal seizure and
alcohol use disorder, CIWA-B 61/80). Called by ``web.demo`` when it seeds; does nothing if the
demo programme already has assessments."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from benzodetox.web.system_request import system_request

MILD = (1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0)
MODERATE = (2, 1, 2, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1)
SEVERE = (3, 3, 3, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)
VERY_SEVERE = (4,) * 15 + (1, 0, 0, 0, 0)  # 61 of 80
ESCALATION_PATIENT = "DEMO-010"


def seed_monitoring(nurse: Any, programme: Any) -> None:
    from benzodetox.web.patients.models import Patient

    from . import overdue
    from .models import Assessment
    from .recording import Entry, record_assessment

    if Assessment.objects.filter(programme=programme).exists():
        return
    request = system_request(nurse)
    today = timezone.localdate()

    def at(days_ago: int, hour: int = 10) -> datetime:
        return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(hour)))

    def entry(patient: Any, kind: str, when: datetime, **values: Any) -> None:
        record_assessment(request, patient, Entry(kind=kind, at=when, **values))

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
    escalated = _escalation_patient(request, programme)
    if escalated is not None:
        when = timezone.now() - timedelta(hours=1)
        entry(escalated, "ciwa-b", when, answers=VERY_SEVERE, notes="tremor, sweating, agitated")
    overdue.scan()


def _escalation_patient(request: Any, programme: Any) -> Any:
    """Issue 11's case: alprazolam crossed over to diazepam from today, with a previous
    withdrawal seizure and alcohol use disorder at intake; its plan approved by the demo
    prescriber. None when there is no demo prescriber to approve it."""
    from django.contrib.auth import get_user_model

    from benzodetox.core.plan import PlanRequest
    from benzodetox.web.patients import services as patients
    from benzodetox.web.patients.choices import HomeSupport, Phase
    from benzodetox.web.plans import services as plans

    prescriber = get_user_model().objects.filter(username="demo-prescriber").first()
    if prescriber is None:
        return None
    as_prescriber = system_request(prescriber)
    p = patients.create_patient(
        request, programme, {"reference": ESCALATION_PATIENT, "display_name": "U. V.",
                             "year_of_birth": 1971}
    )  # fmt: skip
    patients.set_regimen(
        request,
        p,
        [("alprazolam", Decimal("1"), time(8)), ("alprazolam", Decimal("1"), time(21))],
    )
    patients.save_intake(
        request,
        p,
        None,
        {
            "duration_months": Decimal(48),
            "days_per_week": 7,
            "equivalence_table": "ashton-2002",
            "basis": "",
            "withdrawal_seizure_history": True,
            "withdrawal_delirium_history": False,
            "substances": ["alcohol_use_disorder"],
            "substances_note": "drinks most days",
            "conditions": [],
            "conditions_note": "",
            "pregnancy": "not-applicable",
            "home_support": HomeSupport.SUPPORTIVE,
            "care_partners": "",
            "notes": "withdrawal seizure in 2019 after stopping abruptly",
            "dimensions": {},
        },
    )
    today = timezone.localdate()
    request_ = PlanRequest(
        regimen=patients.regimen_of(p),  # type: ignore[arg-type]
        source="ashton-2002",
        start=today,
        switch_to="diazepam",
    )
    parameters = {
        "source": "ashton-2002",
        "start": today.isoformat(),
        "strategy": "asam",
        "market": "us",
        "switch_to": "diazepam",
        "crossover_days": 7,
        "allow_liquid": True,
    }
    version = plans.save_version(as_prescriber, p, request_, parameters, "first plan")
    plans.approve(as_prescriber, version, "demo")
    p.refresh_from_db()
    if p.phase != Phase.CROSSOVER:
        patients.change_phase(request, p, Phase.CROSSOVER, "crossover to diazepam started today")
    return p
