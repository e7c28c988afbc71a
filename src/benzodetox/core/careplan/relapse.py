"""The relapse-prevention plan: goals, triggers with their coping strategies, early warning signs,
support contacts, what to do after a lapse, and a lifestyle plan. Reviewed at visits and
versioned: every change is a new value with ``version + 1`` and the reason for it.

Elements after the cognitive-behavioural relapse-prevention model (Marlatt & Gordon 1985) and
VA/SAMHSA-style templates, as summarised in guidelines.md §5 [V2].

>>> from datetime import date
>>> plan = RelapsePlan(goals=("Stay off benzodiazepines",), updated_on=date(2025, 1, 6))
>>> later = revise(plan, reason="reviewed at visit", on=date(2025, 2, 3),
...                warning_signs=("Skipping meals",))
>>> later.version, later.reason, plan.version
(2, 'reviewed at visit', 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from ..errors import InputError

__all__ = [
    "CONTACT_ROLES",
    "SUGGESTED_COPING",
    "Lifestyle",
    "RelapsePlan",
    "SupportContact",
    "Trigger",
    "revise",
]

#: Who is on the support list (guidelines.md §5 [V2]).
CONTACT_ROLES: dict[str, str] = {
    "support_person": "Support person",
    "peer": "Peer or sponsor",
    "counsellor": "Counsellor",
    "prescriber": "Prescriber",
    "crisis_line": "Crisis line",
}

#: Coping strategies listed in the relapse-prevention templates (guidelines.md §5 [V2]),
#: offered as suggestions; the plan holds the patient's own words.
SUGGESTED_COPING: tuple[str, ...] = (
    "Leave the situation",
    "Call someone on my support list",
    "Ride out the urge (urge-surfing) or use a grounding exercise",
    "Delay and distract myself",
    "Exercise",
    "Go to a meeting or group",
)

SOURCE = "marlatt-gordon-1985"


@dataclass(frozen=True)
class Trigger:
    """Something that raises the risk of going back to the drug, and how to cope with it."""

    description: str
    kind: str  # "internal" (emotions, thoughts, physical states) or "external" (people, places)
    coping: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("internal", "external"):
            raise InputError("trigger kind", self.kind, "internal or external")
        if not self.description.strip():
            raise InputError("trigger", self.description, "a short description")


@dataclass(frozen=True)
class SupportContact:
    role: str
    name: str
    phone: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.role not in CONTACT_ROLES:
            raise InputError("contact role", self.role, ", ".join(CONTACT_ROLES))

    @property
    def role_title(self) -> str:
        return CONTACT_ROLES[self.role]


@dataclass(frozen=True)
class Lifestyle:
    sleep: str = ""
    exercise: str = ""
    nutrition: str = ""
    routine: str = ""


@dataclass(frozen=True)
class RelapsePlan:
    goals: tuple[str, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    warning_signs: tuple[str, ...] = ()
    contacts: tuple[SupportContact, ...] = ()
    after_lapse: tuple[str, ...] = ()
    lifestyle: Lifestyle = field(default_factory=Lifestyle)
    version: int = 1
    reason: str = "first version"
    updated_on: date | None = None
    source: str = SOURCE

    @property
    def internal_triggers(self) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.kind == "internal")

    @property
    def external_triggers(self) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.kind == "external")

    def missing_roles(self) -> tuple[str, ...]:
        """Support roles with nobody named yet (shown as gaps to fill at the next review)."""
        have = {c.role for c in self.contacts}
        return tuple(r for r in CONTACT_ROLES if r not in have)


_EDITABLE = {f.name for f in fields(RelapsePlan)} - {"version", "reason", "updated_on", "source"}


def revise(plan: RelapsePlan, *, reason: str, on: date, **changes: Any) -> RelapsePlan:
    """The next version of ``plan`` with ``changes`` applied; ``reason`` is required."""
    if not reason.strip():
        raise InputError("reason", reason, "a reason for the change")
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise InputError("field", ", ".join(sorted(unknown)), ", ".join(sorted(_EDITABLE)))
    for name, value in changes.items():
        if name == "lifestyle":
            if not isinstance(value, Lifestyle):
                raise InputError("lifestyle", value, "a Lifestyle")
        elif not isinstance(value, tuple):
            raise InputError(name, value, "a tuple")
    if plan.updated_on is not None and on < plan.updated_on:
        raise InputError("date", on.isoformat(), f"{plan.updated_on.isoformat()} or later")
    return replace(plan, **changes, version=plan.version + 1, reason=reason.strip(), updated_on=on)
