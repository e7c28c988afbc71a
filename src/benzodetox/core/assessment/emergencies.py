"""Emergency events during withdrawal — seizure, delirium, psychosis or hallucinations,
suicidality — and the escalation each calls for (Joint Guideline Rec 5a/5c, 12, 14; AES 2016).
The same mechanism escalates what the core decides from a score (``TRIGGERS``: severe withdrawal,
see ``assessment.alerts``), with any actions the caller adds (the reassessment interval).

>>> [a.code for a in escalation("seizure").actions][:2]
['medically-managed-care', 'restore-cover']
>>> [a.code for a in escalation_for([], triggers=["severe-withdrawal"]).actions][:2]
['urgent-medical-review', 'seizure-precautions']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError
from ._common import Reason, read_data

__all__ = ["EVENTS", "TRIGGERS", "Escalation", "escalation", "escalation_for"]

_DATA = read_data("emergencies.toml")
#: Event keys; "hallucinations" is accepted for "psychosis".
EVENTS: tuple[str, ...] = tuple(_DATA["events"])
#: What the core escalates from a score and the patient's facts (not recorded as events).
TRIGGERS: tuple[str, ...] = tuple(_DATA["escalations"])
_ALIASES = {"hallucinations": "psychosis", "self-harm": "suicidality", "suicidal": "suicidality"}


@dataclass(frozen=True)
class Escalation:
    """The events that triggered it and every action, each with its source."""

    events: tuple[str, ...]
    actions: tuple[Reason, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The events and triggers in words ("seizure", "severe withdrawal")."""
        return tuple(
            (_DATA["events"].get(k) or _DATA["escalations"][k])["text"] for k in self.events
        )

    def as_dict(self) -> dict[str, object]:
        return {"events": list(self.events), "actions": [a.as_dict() for a in self.actions]}


def event_key(name: str, field: str = "event") -> str:
    """The event key for ``name`` (aliases allowed); unknown names are refused."""
    key = name.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key not in EVENTS:
        raise InputError(field, name, ", ".join((*EVENTS, *_ALIASES)))
    return key


def _action(code: str) -> Reason:
    row = _DATA["actions"][code]
    return Reason(
        code=code,
        text=row["text"],
        source=row["source"],
        confirmed=bool(row["confirmed"]),
        rec=row.get("rec", ""),
    )


def escalation_for(
    events: Iterable[str], triggers: Iterable[str] = (), extra: Iterable[Reason] = ()
) -> Escalation:
    """One escalation for several events and triggers: each one's actions in its own order
    (events in ``EVENTS`` order, then triggers in ``TRIGGERS`` order), without repeats, then
    the ``extra`` actions the caller adds (e.g. when to reassess, from the programme's policy)."""
    keys = sorted({event_key(e) for e in events}, key=EVENTS.index)
    wanted = set(triggers)
    for trigger in sorted(wanted - set(TRIGGERS)):
        raise InputError("trigger", trigger, ", ".join(TRIGGERS))
    found = [t for t in TRIGGERS if t in wanted]
    if not keys and not found:
        raise InputError("events", "nothing", "at least one of " + ", ".join(EVENTS))
    codes: list[str] = []
    for key in keys:
        for code in _DATA["events"][key]["actions"]:
            if code not in codes:
                codes.append(code)
    for key in found:
        for code in _DATA["escalations"][key]["actions"]:
            if code not in codes:
                codes.append(code)
    actions = (*(_action(c) for c in codes), *extra)
    return Escalation(events=(*keys, *found), actions=actions)


def escalation(event: str) -> Escalation:
    """The escalation for one event."""
    return escalation_for([event])
