"""What the portal's today page lists as due: a check-in on the programme's schedule, or one
the patient started and has not finished (``portal.reminders.due_checkins`` calls ``due``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from benzodetox.web.patients.models import Patient

from .checkin import due_for, open_checkin

__all__ = ["DueItem", "due"]


@dataclass(frozen=True)
class DueItem:
    title: str
    url: str


def due(patient: Patient, day: date) -> list[DueItem]:
    """The check-in due today (in plain words, with the link that starts it), or none."""
    url = reverse("portal:checkin")
    if open_checkin(patient) is not None:
        return [DueItem("You have a check-in you have not finished.", url)]
    found = due_for(patient, day)
    if not found.due:
        return []
    extra = " It has a few more questions about your mood." if found.mood else ""
    return [DueItem("It is time for your check-in: a few questions on how you feel." + extra, url)]
