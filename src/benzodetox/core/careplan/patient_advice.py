"""Which safety advice the patient's handout gives: driving always; alcohol, opioids and other
sedatives where the intake records them; keeping buprenorphine or methadone where it is taken.

The wording and the rules are data (``core/data/patient_advice.toml``), each item with its
sources: the FDA's 2020 benzodiazepine class boxed warning (alcohol, opioids, other medicines),
the DVLA's guidance on medication and driving, and the 2025 Joint Guideline (Rec 17 naloxone,
Rec 20 treat a substance use disorder alongside, Rec 21 keep buprenorphine or methadone).

>>> [a.key for a in patient_advice({"alcohol_use_disorder"})]
['driving', 'alcohol']
>>> [a.key for a in patient_advice(sud_medication=True)]
['driving', 'sud_medication']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..assessment.intake import SUBSTANCES, Intake
from ..errors import DataError, InputError
from ._data import load, need_str

__all__ = ["PatientAdvice", "all_patient_advice", "patient_advice", "patient_advice_for"]

_FILE = "patient_advice.toml"


@dataclass(frozen=True)
class PatientAdvice:
    """One piece of advice: a heading, its sentences in the patient's words, its sources and
    why it applies ("always" or the intake fact that calls for it)."""

    key: str
    heading: str
    lines: tuple[str, ...]
    sources: tuple[str, ...]
    rec: str
    always: bool
    when_substances: frozenset[str]
    when_sud_medication: bool


def _item(table: dict[str, Any], where: str) -> PatientAdvice:
    lines = table.get("lines")
    sources = table.get("sources")
    if not isinstance(lines, list) or not lines or not all(isinstance(x, str) for x in lines):
        raise DataError(f"{where}: 'lines' must be a non-empty list of strings")
    if not isinstance(sources, list) or not sources or not all(isinstance(x, str) for x in sources):
        raise DataError(f"{where}: 'sources' must be a non-empty list of source keys")
    substances = table.get("when_substances", [])
    if not isinstance(substances, list) or any(s not in SUBSTANCES for s in substances):
        raise DataError(f"{where}: 'when_substances' must list names of {', '.join(SUBSTANCES)}")
    return PatientAdvice(
        key=need_str(table, "key", where),
        heading=need_str(table, "heading", where),
        lines=tuple(lines),
        sources=tuple(sources),
        rec=str(table.get("rec", "")),
        always=table.get("always") is True,
        when_substances=frozenset(substances),
        when_sud_medication=table.get("when_sud_medication") is True,
    )


def all_patient_advice() -> tuple[PatientAdvice, ...]:
    """Every item of the data file, in its order."""
    items = load(_FILE).get("advice", [])
    return tuple(_item(t, f"{_FILE} advice[{i}]") for i, t in enumerate(items))


def patient_advice(
    substances: Iterable[str] = (), *, sud_medication: bool = False
) -> tuple[PatientAdvice, ...]:
    """The advice that applies to a patient whose intake records ``substances`` (names of
    ``assessment.intake.SUBSTANCES``) and, with ``sud_medication``, buprenorphine or methadone
    for an opioid use disorder. An unknown substance is an ``InputError`` naming the field."""
    given = frozenset(substances)
    for name in sorted(given):
        if name not in SUBSTANCES:
            raise InputError("substances", name, ", ".join(SUBSTANCES))
    return tuple(
        a
        for a in all_patient_advice()
        if a.always
        or (a.when_substances & given)
        or (a.when_sud_medication and sud_medication)
    )


def patient_advice_for(intake: Intake) -> tuple[PatientAdvice, ...]:
    """``patient_advice`` from an intake's recorded substances and SUD medication."""
    return patient_advice(intake.substances, sud_medication=intake.sud_medication)
