"""The running total shown while an assessment is typed: the items answered so far, the band,
and the alerts saving will raise — the core is asked exactly what the save asks
(``alerts.decisions_for``), with the items not answered yet counted as their minimum: answers
only add, so a warning given early is never withdrawn by the answers still to come.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from benzodetox.core.assessment import instrument, score
from benzodetox.core.assessment.vitals import VitalSigns
from benzodetox.web.patients.models import Patient

from . import alerts
from .forms import DATETIME_FORMAT, VITAL_SIGNS
from .models import Assessment
from .policy import Policy

__all__ = ["running_total"]


def _observed(data: Any) -> datetime:
    """The observation time typed so far (now if it is not a valid date and time yet)."""
    try:
        naive = datetime.strptime(str(data.get("at", "") or ""), DATETIME_FORMAT)
    except ValueError:
        return timezone.now()
    return timezone.make_aware(naive)


def _readings(data: Any) -> VitalSigns | None:
    """The vital signs typed so far that are valid readings (others are left out)."""
    values: dict[str, Decimal] = {}
    for name, _label, _decimals, lo, hi in VITAL_SIGNS:
        raw = str(data.get(name, "") or "").strip()
        try:
            value = Decimal(raw)
        except ArithmeticError:
            continue
        if value.is_finite() and Decimal(lo) <= value <= Decimal(hi):
            values[name] = value
    return VitalSigns(**values) if values else None


def _vitals_running(
    patient: Patient, data: Any, policy: Policy, at: datetime, sleep: bool, exclude: int | None
) -> dict[str, Any]:
    readings = _readings(data)
    decisions = (
        alerts.decisions_for(
            patient,
            policy,
            "vitals",
            at,
            readings=readings,
            sleep_disturbance=sleep,
            exclude=exclude,
        )
        if readings is not None or sleep
        else ()
    )
    return {"vitals": True, "warnings": decisions, "complete": True}


def running_total(
    patient: Patient, kind: str, data: Any, policy: Policy, correcting: Assessment | None = None
) -> dict[str, Any]:
    """What the form shows beside the items of ``kind`` for the answers typed in ``data``."""
    sleep = str(data.get("sleep_disturbance", "") or "") in ("on", "true", "True", "1")
    at = _observed(data)
    exclude = correcting.pk if correcting is not None else None
    if kind == "vitals":
        return _vitals_running(patient, data, policy, at, sleep, exclude)
    inst = instrument(kind)
    answers: list[int | None] = []
    for item in inst.items:
        raw = str(data.get(f"item_{item.number}", "") or "")
        if raw.isdigit() and inst.answer_min <= int(raw) <= inst.answer_max:
            answers.append(int(raw))
        else:
            answers.append(None)
    answered = [a for a in answers if a is not None]
    bands = policy.bands if kind == "ciwa-b" else None
    scored = score(kind, [inst.answer_min if a is None else a for a in answers], bands=bands)
    decisions = alerts.decisions_for(
        patient, policy, kind, at, scored=scored, sleep_disturbance=sleep, exclude=exclude
    )
    used = policy.bands if kind == "ciwa-b" else inst.bands
    return {
        "total": scored.total,
        "max": inst.max_total,
        "answered": len(answered),
        "items": len(inst.items),
        "band": scored.band or "",
        "band_confirmed": used.confirmed if used is not None else None,
        "band_source": used.source if used is not None else "",
        "warnings": decisions,
        "complete": len(answered) == len(inst.items),
    }
