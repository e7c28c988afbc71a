"""CDS Hooks 2.0 cards as plain values: what a card says, how urgent it is, where it comes from,
what it suggests and which reasons a clinician may give for overriding it.

``as_dict`` gives the card in the specification's JSON shape (camelCase keys, optional
attributes left out when empty), so an adapter only serialises it
(https://cds-hooks.hl7.org/2.0/#card-attributes).

>>> card = Card("Check the plan", "info", CardSource("Joint Guideline 2025", source_key="x"))
>>> card.as_dict()["indicator"], card.as_dict()["source"]["label"]
('info', 'Joint Guideline 2025')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

__all__ = [
    "INDICATORS",
    "OVERRIDE_SYSTEM",
    "SUMMARY_MAX",
    "Action",
    "Card",
    "CardSource",
    "Link",
    "OverrideReason",
    "Suggestion",
]

#: The card indicators of the specification, least urgent first.
INDICATORS: tuple[str, ...] = ("info", "warning", "critical")
#: The specification asks for a summary under 140 characters.
SUMMARY_MAX = 140
#: The code system of benzodetox's override reasons.
OVERRIDE_SYSTEM = "https://benzodetox.org/fhir/CodeSystem/cds-override-reason"


@dataclass(frozen=True)
class CardSource:
    """Where a card's advice comes from: ``label`` and ``url`` for the clinician, and the
    benzodetox source key(s) the card rests on (``source_key`` first)."""

    label: str
    url: str = ""
    source_key: str = ""
    source_keys: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label}
        if self.url:
            out["url"] = self.url
        keys = tuple(dict.fromkeys((self.source_key, *self.source_keys)))
        out["topic"] = {
            "system": "https://benzodetox.org/fhir/CodeSystem/source",
            "code": self.source_key,
            "display": ", ".join(k for k in keys if k),
        }
        return out


@dataclass(frozen=True)
class Action:
    """A change the client may make: ``type`` "create", "update" or "delete"; ``resource`` a
    FHIR resource as JSON (create and update)."""

    type: str
    description: str
    resource: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.type not in ("create", "update", "delete"):
            raise InputError("action type", self.type, "create, update or delete")

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "description": self.description}
        if self.resource is not None:
            out["resource"] = dict(self.resource)
        return out


@dataclass(frozen=True)
class Suggestion:
    label: str
    actions: tuple[Action, ...] = ()
    uuid: str = ""
    is_recommended: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label}
        if self.uuid:
            out["uuid"] = self.uuid
        if self.is_recommended:
            out["isRecommended"] = True
        if self.actions:
            out["actions"] = [a.as_dict() for a in self.actions]
        return out


@dataclass(frozen=True)
class OverrideReason:
    """A reason a clinician may give for not following a card (a FHIR Coding)."""

    code: str
    display: str
    source_key: str = ""
    system: str = OVERRIDE_SYSTEM

    def as_dict(self) -> dict[str, Any]:
        return {"system": self.system, "code": self.code, "display": self.display}


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    type: str = "absolute"

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "url": self.url, "type": self.type}


@dataclass(frozen=True)
class Card:
    """One card. ``kind`` names the rule that made it (e.g. "concurrent-opioid")."""

    summary: str
    indicator: str
    source: CardSource
    detail: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    override_reasons: tuple[OverrideReason, ...] = ()
    links: tuple[Link, ...] = ()
    kind: str = ""
    uuid: str = ""

    def __post_init__(self) -> None:
        if self.indicator not in INDICATORS:
            raise InputError("indicator", self.indicator, ", ".join(INDICATORS))
        if not self.summary or len(self.summary) >= SUMMARY_MAX:
            raise InputError("summary", self.summary, f"1 to {SUMMARY_MAX - 1} characters")

    def with_uuid(self, uuid: str) -> Card:
        """The same card identified by ``uuid`` (the adapter gives it; the core makes none)."""
        return Card(
            self.summary, self.indicator, self.source, self.detail, self.suggestions,
            self.override_reasons, self.links, self.kind, uuid,
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.uuid:
            out["uuid"] = self.uuid
        out["summary"] = self.summary
        out["indicator"] = self.indicator
        if self.detail:
            out["detail"] = self.detail
        out["source"] = self.source.as_dict()
        if self.suggestions:
            out["suggestions"] = [s.as_dict() for s in self.suggestions]
            out["selectionBehavior"] = "at-most-one"
        if self.override_reasons:
            out["overrideReasons"] = [r.as_dict() for r in self.override_reasons]
        if self.links:
            out["links"] = [link.as_dict() for link in self.links]
        return out
