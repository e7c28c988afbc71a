"""Adjunct medications, flumazenil's real roles, and the safety prompts around a taper.

Everything here comes from ``core/data/adjuncts.toml``; each statement carries its source key and
the reference's evidence label. No doses are given: no adjunct dose for benzodiazepine withdrawal
is verified in the reference, and the 2025 Joint Guideline's drug-by-drug position is not confirmed.

>>> [p.id for p in safety_prompts(opioids=True)][:1]
['naloxone']
>>> flumazenil().tapering.recommendation
'Rec 14'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..errors import DataError, InputError
from ._data import load, need_str

__all__ = [
    "Adjunct",
    "Flumazenil",
    "FlumazenilRole",
    "Position",
    "Prompt",
    "Statement",
    "adjunct",
    "all_adjuncts",
    "cautions_for",
    "flumazenil",
    "safety_prompts",
]

CONDITIONS = ("always", "opioids", "sud", "sud_medication")
LABELS = ("V", "V2", "R", "C")


@dataclass(frozen=True)
class Statement:
    """One sourced statement; ``confirmed`` is False for what the reference marks [R]."""

    text: str
    source: str
    label: str
    confirmed: bool = True
    when: str = "always"

    @property
    def shown_label(self) -> str:
        """How the statement is tagged wherever it is shown."""
        return f"[{self.label}]" if self.confirmed else f"[{self.label}, unconfirmed]"


@dataclass(frozen=True)
class Adjunct:
    id: str
    name: str
    group: str
    targets: tuple[str, ...]
    targets_confirmed: bool
    asam_2025: Statement
    evidence: tuple[Statement, ...]
    cautions: tuple[Statement, ...] = ()


@dataclass(frozen=True)
class Position:
    text: str
    recommendation: str
    grade: str
    source: str
    label: str


@dataclass(frozen=True)
class FlumazenilRole:
    id: str
    title: str
    status: str  # "licensed", "research", "preclinical"
    text: str
    warning: str
    source: str
    label: str
    studies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flumazenil:
    name: str
    tapering: Position
    roles: tuple[FlumazenilRole, ...]
    disagreements: tuple[Statement, ...]


@dataclass(frozen=True)
class Prompt:
    """A safety prompt raised by the patient's circumstances (e.g. naloxone with opioids)."""

    id: str
    when: str
    title: str
    text: str
    recommendation: str
    grade: str
    source: str
    label: str


def _statement(raw: dict[str, Any], where: str, *, when_default: str = "always") -> Statement:
    label = need_str(raw, "label", where)
    if label not in LABELS:
        raise DataError(f"{where}: label {label!r} is not one of {LABELS}")
    when = raw.get("when", when_default)
    if when not in CONDITIONS:
        raise DataError(f"{where}: when {when!r} is not one of {CONDITIONS}")
    confirmed = bool(raw.get("confirmed", label != "R"))
    return Statement(
        text=need_str(raw, "text", where),
        source=need_str(raw, "source", where),
        label=label,
        confirmed=confirmed,
        when=str(when),
    )


@cache
def all_adjuncts() -> tuple[Adjunct, ...]:
    """Every adjunct medication in the data file, in file order."""
    out = []
    for i, raw in enumerate(load("adjuncts.toml").get("adjunct", [])):
        where = f"adjuncts.toml adjunct[{i}]"
        asam = Statement(
            text=need_str(raw, "asam_2025", where),
            source=need_str(raw, "asam_source", where),
            label="V" if raw.get("asam_confirmed") else "R",
            confirmed=bool(raw.get("asam_confirmed")),
        )
        out.append(
            Adjunct(
                id=need_str(raw, "id", where),
                name=need_str(raw, "name", where),
                group=need_str(raw, "group", where),
                targets=tuple(str(t) for t in raw.get("targets", ())),
                targets_confirmed=bool(raw.get("targets_confirmed", False)),
                asam_2025=asam,
                evidence=tuple(
                    _statement(e, f"{where}.evidence[{j}]")
                    for j, e in enumerate(raw.get("evidence", ()))
                ),
                cautions=tuple(
                    _statement(c, f"{where}.caution[{j}]")
                    for j, c in enumerate(raw.get("caution", ()))
                ),
            )
        )
    return tuple(out)


def adjunct(adjunct_id: str) -> Adjunct:
    """One adjunct by id; InputError naming the known ids otherwise."""
    for item in all_adjuncts():
        if item.id == adjunct_id:
            return item
    raise InputError("adjunct", adjunct_id, ", ".join(a.id for a in all_adjuncts()))


def cautions_for(item: Adjunct, *, opioids: bool = False) -> tuple[Statement, ...]:
    """The cautions that apply to this patient (e.g. gabapentinoid + opioid)."""
    active = {"always"} | ({"opioids"} if opioids else set())
    return tuple(c for c in item.cautions if c.when in active)


def flumazenil() -> Flumazenil:
    """Flumazenil's roles (overdose reversal, research infusions, preclinical depot) with the
    guideline's "avoid for tapering" (2025 Joint Guideline Rec 14)."""
    raw = load("adjuncts.toml")["flumazenil"]
    where = "adjuncts.toml flumazenil"
    position = Position(
        text=need_str(raw, "tapering_position", where),
        recommendation=need_str(raw, "tapering_recommendation", where),
        grade=need_str(raw, "tapering_grade", where),
        source=need_str(raw, "tapering_source", where),
        label=need_str(raw, "tapering_label", where),
    )
    roles = tuple(
        FlumazenilRole(
            id=need_str(r, "id", f"{where}.role[{i}]"),
            title=need_str(r, "title", f"{where}.role[{i}]"),
            status=need_str(r, "status", f"{where}.role[{i}]"),
            text=need_str(r, "text", f"{where}.role[{i}]"),
            warning=str(r.get("warning", "")),
            source=need_str(r, "source", f"{where}.role[{i}]"),
            label=need_str(r, "label", f"{where}.role[{i}]"),
            studies=tuple(str(s) for s in r.get("studies", ())),
        )
        for i, r in enumerate(raw.get("role", ()))
    )
    disagreements = tuple(
        _statement(d, f"{where}.disagreement[{i}]")
        for i, d in enumerate(raw.get("disagreement", ()))
    )
    return Flumazenil(str(raw["name"]), position, roles, disagreements)


def safety_prompts(
    *, opioids: bool = False, sud: bool = False, sud_medication: bool = False
) -> tuple[Prompt, ...]:
    """The prompts this patient's circumstances raise; the naloxone prompt appears exactly when
    an opioid is co-prescribed (2025 Joint Guideline Rec 17).

    >>> [p.id for p in safety_prompts()]
    []
    """
    active = {"opioids": opioids, "sud": sud, "sud_medication": sud_medication}
    out = []
    for i, raw in enumerate(load("adjuncts.toml").get("prompt", ())):
        where = f"adjuncts.toml prompt[{i}]"
        when = need_str(raw, "when", where)
        if when not in active:
            raise DataError(f"{where}: when {when!r} is not one of {tuple(active)}")
        if active[when]:
            out.append(
                Prompt(
                    id=need_str(raw, "id", where),
                    when=when,
                    title=need_str(raw, "title", where),
                    text=need_str(raw, "text", where),
                    recommendation=need_str(raw, "recommendation", where),
                    grade=str(raw.get("grade", "")),
                    source=need_str(raw, "source", where),
                    label=need_str(raw, "label", where),
                )
            )
    return tuple(out)
