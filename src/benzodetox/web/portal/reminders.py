"""In-portal reminders of check-ins that are due.

The check-ins are the checkins app's (``benzodetox.web.checkins``); when it provides
``due(patient, day)`` its answer is shown on today's page. This is the one hook: until that
function exists, no check-in reminder is shown (never an invented schedule).
"""

from __future__ import annotations

from datetime import date
from importlib import import_module
from typing import Any

from benzodetox.web.patients.models import Patient

__all__ = ["due_checkins"]


def due_checkins(patient: Patient, day: date) -> list[Any]:
    """What ``benzodetox.web.checkins.due.due(patient, day)`` (or ``checkins.due``) says is
    due: a list of items with a ``title`` (and a ``url`` when they have one); [] without it."""
    try:
        module = import_module("benzodetox.web.checkins.due")
    except ModuleNotFoundError as error:
        if error.name != "benzodetox.web.checkins.due":
            raise
        module = import_module("benzodetox.web.checkins")
    function = getattr(module, "due", None)
    if not callable(function):
        return []
    return list(function(patient, day))
