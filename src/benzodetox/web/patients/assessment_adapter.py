"""Calls the core's withdrawal-risk and level-of-care assessment and turns its answer into
plain data (stored on the intake, shown with every reason, its source and whether confirmed)."""

from __future__ import annotations

from typing import Any

from benzodetox.core.assessment import assess as core_assess
from benzodetox.core.assessment import intake_from_dict


def assess(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` is the intake in the core's plain-data form. A core ``InputError`` propagates
    (naming the field as the core spells it) for the form to show."""
    result = core_assess(intake_from_dict(data))
    risk, level = result.risk, result.level_of_care
    return {
        "available": True,
        "headline": risk.headline,
        "level_of_care_headline": level.headline,
        "specialist_supervision": level.specialist,
        "risk": risk.level,
        "risk_text": risk.level_text,
        "level_of_care": level.wm_level,
        "level_of_care_text": f"{level.setting}: {level.wm_name}",
        "setting": level.setting,
        "diazepam_eq_mg": str(risk.diazepam_eq_mg_per_day),
        "range_mg_per_day": [str(v) for v in risk.range_mg_per_day],
        "reasons": [r.as_dict() for r in result.reasons],
        "prompts": [p.as_dict() for p in risk.prompts],
        "warnings": list(risk.warnings),
        "source": risk.source,
    }
