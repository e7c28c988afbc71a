"""In-portal reminders of check-ins that are due: what the checkins app says is due today
(its schedule is the programme's, from the core's defaults)."""

from __future__ import annotations

from datetime import date

from benzodetox.web.checkins.due import DueItem, due
from benzodetox.web.patients.models import Patient

__all__ = ["due_checkins"]


def due_checkins(patient: Patient, day: date) -> list[DueItem]:
    """The check-ins due for ``patient`` on ``day`` (a title and the link that starts each)."""
    return due(patient, day)
