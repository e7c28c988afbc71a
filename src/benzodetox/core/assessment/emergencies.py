"""Emergency events during withdrawal — seizure, delirium, psychosis or hallucinations,
suicidality — and the escalation each calls for (Joint Guideline Rec 5a/5c, 12, 14; AES 2016).

>>> [a.code for a in escalation("seizure").actions][:2]
['medically-managed-care', 'restore-cover']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError
from ._common import Reason, read_data

__all__ = ["EVENTS", "Escalation", "escalation", "escalation_for"]

_DATA = read_data("emergencies.toml")
#: Event keys; "hallucinations" is accepted for "psychosis".
EVENTS: tuple[str, ...] = tuple(_DATA["events"])
_ALIASES = {"hallucinations": "psychosis", "self-harm": "suicidality", "suicidal": "suicidality"}


@dataclass(frozen=True)
class Escalation:
    """The events that triggered it and every action, each with its source."""

    events: tuple[str, ...]
    actions: tuple[Reason, ...]

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


def escalation_for(events: Iterable[str]) -> Escalation:
    """One escalation for several events: each event's actions in its own order (events in
    ``EVENTS`` order), without repeats."""
    keys = sorted({event_key(e) for e in events}, key=EVENTS.index)
    if not keys:
        raise InputError("events", "nothing", "at least one of " + ", ".join(EVENTS))
    codes: list[str] = []
    for key in keys:
        for code in _DATA["events"][key]["actions"]:
            if code not in codes:
                codes.append(code)
    return Escalation(events=tuple(keys), actions=tuple(_action(c) for c in codes))


def escalation(event: str) -> Escalation:
    """The escalation for one event."""
    return escalation_for([event])
