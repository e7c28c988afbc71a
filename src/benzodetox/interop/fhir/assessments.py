"""Assessments as FHIR R4: benzodetox's canonical Questionnaires for the instruments the core
knows (CIWA-B, BWSQ, PHQ-9, GAD-7), a QuestionnaireResponse per recorded assessment and a
total-score Observation ``derivedFrom`` it (existing-tools.md §c2).

No LOINC code for these totals is confirmed in the reference (§c2: none found for CIWA-B; the
others not listed), so the Observation's code is in benzodetox's CodeSystem ``instrument-score``.
A self-reported assessment (a portal check-in) names the patient as author and performer and
carries the rater code ``self``; it is never presented as clinician-rated.

>>> q = questionnaire("gad-7")
>>> (q["url"], len(q["item"]))
('https://benzodetox.org/fhir/Questionnaire/gad-7', 7)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from ...core.assessment import INSTRUMENTS, instrument
from .codes import CS_RATER, CS_SCORE, OBSERVATION_CATEGORY, questionnaire_url
from .common import Subject, safe_id

__all__ = [
    "QUESTIONNAIRE_VERSION",
    "RecordedAssessment",
    "assessment_resources",
    "questionnaire",
    "questionnaires",
]

#: version of benzodetox's Questionnaires (raised when an item list changes)
QUESTIONNAIRE_VERSION = "1"


@dataclass(frozen=True)
class RecordedAssessment:
    """One recorded instrument assessment as plain data (the adapter reads it from its store)."""

    id: str
    instrument: str
    at: datetime
    answers: tuple[int, ...]
    total: int | None
    band: str = ""
    band_confirmed: bool | None = None
    self_reported: bool = False
    corrected: bool = False


def questionnaire(key: str) -> dict[str, Any]:
    """The canonical Questionnaire of instrument ``key``: one integer item per item of the
    core's instrument data, with its answer range in the item's text."""
    inst = instrument(key)
    status = "active" if inst.structure_confirmed else "draft"
    return {
        "resourceType": "Questionnaire",
        "id": safe_id(key),
        "url": questionnaire_url(key),
        "version": QUESTIONNAIRE_VERSION,
        "name": safe_id(inst.short).replace("-", "").replace(".", "") or "Instrument",
        "title": f"{inst.name} ({inst.short})",
        "status": status,
        "subjectType": ["Patient"],
        "description": (
            f"Items as benzodetox words them (source key {inst.source}); each answered "
            f"{inst.answer_min}–{inst.answer_max}; total {inst.min_total}–{inst.max_total}."
            + ("" if inst.structure_confirmed else " Item structure not confirmed by the source.")
        ),
        "code": [_score_coding(key)],
        "item": [
            {
                "linkId": str(item.number),
                "text": f"{item.number}. {item.label} ({inst.answer_min}–{inst.answer_max})",
                "type": "integer",
                "required": True,
            }
            for item in inst.items
        ],
    }


def questionnaires() -> list[dict[str, Any]]:
    return [questionnaire(key) for key in INSTRUMENTS]


def _score_coding(key: str, answered: int | None = None) -> dict[str, str]:
    """The total's code; a self-report of only the patient-rated items (CIWA-B 1–17) is a
    separate code, never the instrument's total."""
    inst = instrument(key)
    if answered is not None and answered < len(inst.items):
        return {
            "system": CS_SCORE,
            "code": f"{key}-patient-part",
            "display": f"{inst.short} patient-rated items 1–{answered}, sum (not the total)",
        }
    return {"system": CS_SCORE, "code": f"{key}-total", "display": f"{inst.short} total score"}


def _rater(row: RecordedAssessment) -> dict[str, Any]:
    if row.self_reported:
        code, text = "self", "Self-reported"
    else:
        code, text = "clinician", "Clinician-rated"
    return {"coding": [{"system": CS_RATER, "code": code, "display": text}], "text": text}


def _who(row: RecordedAssessment, subject: Subject) -> dict[str, Any]:
    if row.self_reported:
        return subject.as_reference()
    return {"display": "clinician of the programme"}


@cache
def _link_ids(key: str) -> tuple[str, ...]:
    return tuple(str(item.number) for item in instrument(key).items)


def assessment_resources(
    row: RecordedAssessment, subject: Subject
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The QuestionnaireResponse of ``row`` and its total-score Observation (``None`` when no
    total was recorded)."""
    qr_id = safe_id(f"qr-{row.id}")
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": qr_id,
        "questionnaire": f"{questionnaire_url(row.instrument)}|{QUESTIONNAIRE_VERSION}",
        "status": "amended" if row.corrected else "completed",
        "subject": subject.as_reference(),
        "authored": row.at.isoformat(),
        "author": _who(row, subject),
        "item": [
            {"linkId": link, "answer": [{"valueInteger": value}]}
            for link, value in zip(_link_ids(row.instrument), row.answers, strict=False)
        ],
    }
    if row.self_reported:
        response["source"] = subject.as_reference()
    if row.total is None:
        return response, None
    coding = _score_coding(row.instrument, len(row.answers))
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": safe_id(f"obs-{row.id}"),
        "status": "amended" if row.corrected else "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {"coding": [coding], "text": coding["display"]},
        "subject": subject.as_reference(),
        "effectiveDateTime": row.at.isoformat(),
        "performer": [_who(row, subject)],
        "valueInteger": row.total,
        "method": _rater(row),
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{qr_id}"}],
    }
    if row.band:
        confirmed = "" if row.band_confirmed else " (bands not confirmed by a source)"
        observation["interpretation"] = [{"text": f"{row.band}{confirmed}"}]
    if row.self_reported:
        observation["note"] = [
            {"text": "Self-reported by the patient; not a clinician-rated score."}
        ]
    return response, observation
