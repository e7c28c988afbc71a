"""Demo data for the check-ins: the demo patient's dose diary for the last two days, one
finished check-in (nothing over a threshold) and an open "this step is too hard" request, all
made through the services as the patient. Idempotent: nothing is added once the patient has a
diary entry. Called by ``web.demo`` after the demo patient's portal account exists."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from benzodetox.web.monitoring.services import current_plan
from benzodetox.web.portal.models import PortalAccount
from benzodetox.web.programmes.scoping import unscoped
from benzodetox.web.system_request import system_request

from . import checkin, services
from .models import DiaryEntry, DoseStatus

__all__ = ["seed_demo_checkins"]


def seed_demo_checkins(programme_name: str) -> bool:
    """Seed the demo patient's check-ins (the programme's portal account); True when seeded."""

    with unscoped():
        account = (
            PortalAccount.objects.select_related("patient", "user")
            .filter(programme__name=programme_name)
            .order_by("pk")
            .first()
        )
        if account is None or DiaryEntry.objects.filter(patient=account.patient).exists():
            return False
        patient = account.patient
        request = system_request(account.user, "demo-checkins")
        today = timezone.localdate()
        marks = [DoseStatus.TAKEN, DoseStatus.LATE]
        for offset in (1, 0):
            day = today - timedelta(days=offset)
            for n, slot in enumerate(services.diary(patient, today, days=2)[offset].slots):
                status = marks[(n + offset) % 2] if offset else DoseStatus.TAKEN
                note = "woke up late" if status == DoseStatus.LATE else ""
                services.mark_dose(request, patient, day, slot.at, status, note)
                if offset == 0:
                    break  # today: only the first dose is due yet
        started = checkin.start(request, patient)
        for number, key in enumerate(started.questions, start=1):
            value = 1 if key in ("ciwa-b:1", "ciwa-b:3", "ciwa-b:12", "bwsq:2") else 0
            checkin.answer(request, started, number, str(value))
        checkin.finish(request, started)
        if current_plan(patient)[0] is not None:
            services.ask_for_change(
                request,
                patient,
                "hold",
                "My sleep has been poor since the last drop and I feel on edge at work.",
            )
    return True
