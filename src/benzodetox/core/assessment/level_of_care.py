"""Where withdrawal should be managed: setting and ASAM Criteria withdrawal-management level.

Outpatient by default (Joint Guideline Rec 5: tapering can typically be outpatient). Medically
managed, inpatient care when Rec 5a (imminent harm not mitigated by the first reduction), Rec 5b
(conditions beyond what outpatient care can manage) or Rec 5c / Rec 12 (severe or complicated
withdrawal present or expected) applies. The setting is mapped to the ASAM Criteria (3rd ed.)
levels 1-WM … 4-WM using the clinician's ratings of the six dimensions (0–4); that mapping is a
benzodetox reading of the level descriptions and is flagged unconfirmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ._common import Reason, read_data
from .intake import DIMENSIONS, Intake
from .risk import LEVELS, Risk, withdrawal_risk

__all__ = ["WM_LEVELS", "Assessment", "LevelOfCare", "assess", "level_of_care"]

_RISK = read_data("risk.toml")
_DATA = read_data("levels_of_care.toml")
_MAP = _DATA["mapping"]
#: ASAM Criteria withdrawal-management levels, least intensive first.
WM_LEVELS: tuple[str, ...] = tuple(_DATA["levels"])


@dataclass(frozen=True)
class LevelOfCare:
    setting: str  # "outpatient", "residential" or "inpatient"
    wm_level: str
    wm_name: str
    dimensions: Mapping[str, int | None]
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "setting": self.setting,
            "wm_level": self.wm_level,
            "wm_name": self.wm_name,
            "dimensions": dict(self.dimensions),
            "reasons": [r.as_dict() for r in self.reasons],
        }


@dataclass(frozen=True)
class Assessment:
    """An intake's risk and level of care, with every reason (risk first) and prompts."""

    risk: Risk
    level_of_care: LevelOfCare

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.risk.reasons + self.level_of_care.reasons

    def as_dict(self) -> dict[str, object]:
        return {
            "risk": self.risk.level,
            "level_of_care": self.level_of_care.setting,
            "wm_level": self.level_of_care.wm_level,
            "reasons": [r.as_dict() for r in self.reasons],
            "prompts": [p.as_dict() for p in self.risk.prompts],
            "warnings": list(self.risk.warnings),
            "details": {"risk": self.risk.as_dict(), "level_of_care": self.level_of_care.as_dict()},
        }


def _mapping_reason(text: str) -> Reason:
    return Reason(
        code="wm-level",
        text=text,
        source=_MAP["source"],
        confirmed=bool(_MAP["confirmed"]),
        rec="ASAM Criteria withdrawal-management levels",
    )


def _higher(a: str, b: str) -> str:
    return a if WM_LEVELS.index(a) >= WM_LEVELS.index(b) else b


def level_of_care(intake: Intake, risk: Risk) -> LevelOfCare:
    """The setting and WM level for ``intake`` given its ``risk`` (see the module text)."""
    reasons: list[Reason] = []
    level = "1-WM"
    for name in sorted(intake.conditions):
        row = _RISK["conditions"][name]
        if row.get("inpatient", False):
            reasons.append(
                Reason(
                    code=f"inpatient.{name}",
                    text=f"medically managed inpatient care: {row['text']}",
                    source=row["source"],
                    confirmed=bool(row["confirmed"]),
                    rec=row.get("rec", ""),
                )
            )
            wanted = "4-WM" if name == "severe_withdrawal" else "3.7-WM"
            level = _higher(level, wanted)
    expected = _RISK["expected_complicated"]
    if intake.history and LEVELS.index(risk.table_level) >= LEVELS.index(expected["min_level"]):
        reasons.append(
            Reason(
                code="inpatient.expected_complicated",
                text=f"consider medically managed inpatient care: {expected['text']}",
                source=expected["source"],
                confirmed=bool(expected["confirmed"]),
                rec=expected["rec"],
            )
        )
        level = _higher(level, "3.7-WM")
    ratings = intake.dimensions
    withdrawal = ratings.get("withdrawal")
    if withdrawal is not None:
        if withdrawal >= int(_MAP["unstable_rating"]):
            level = _higher(level, "4-WM")
            reasons.append(_mapping_reason(f"withdrawal dimension rated {withdrawal}: 4-WM"))
        elif withdrawal >= int(_MAP["severe_rating"]):
            level = _higher(level, "3.7-WM")
            reasons.append(_mapping_reason(f"withdrawal dimension rated {withdrawal}: 3.7-WM"))
        elif withdrawal >= int(_MAP["moderate_rating"]):
            wanted = "2-WM" if intake.support_at_home else "3.2-WM"
            home = "with" if intake.support_at_home else "without (or not recorded)"
            level = _higher(level, wanted)
            reasons.append(
                _mapping_reason(
                    f"withdrawal dimension rated {withdrawal} {home} support at home: {wanted}"
                )
            )
    for name in DIMENSIONS[1:]:
        rating = ratings.get(name)
        if rating is not None and rating >= int(_MAP["other_severe_rating"]):
            level = _higher(level, "3.7-WM")
            reasons.append(_mapping_reason(f"{name} dimension rated {rating}: 3.7-WM"))
    row = _DATA["levels"][level]
    setting = row["setting"]
    if level == "1-WM":
        reasons.append(
            Reason(
                code="outpatient",
                text="outpatient tapering: no reason for a higher level of care was given",
                source="jcpg-2025",
                confirmed=True,
                rec="Rec 5",
            )
        )
        if intake.support_at_home is False:
            reasons.append(
                Reason(
                    code="environment",
                    text="no support at home: rate the recovery-environment dimension",
                    source=_DATA["criteria"]["source"],
                    confirmed=bool(_DATA["criteria"]["confirmed"]),
                    rec="ASAM Criteria dimension 6",
                )
            )
    reasons.append(_mapping_reason(f"{level}: {row['name']} ({row['typical']})"))
    dims: dict[str, int | None] = {name: ratings.get(name) for name in DIMENSIONS}
    return LevelOfCare(
        setting=setting,
        wm_level=level,
        wm_name=row["name"],
        dimensions=dims,
        reasons=tuple(reasons),
    )


def assess(intake: Intake) -> Assessment:
    """Risk and level of care for ``intake``."""
    risk = withdrawal_risk(intake)
    return Assessment(risk=risk, level_of_care=level_of_care(intake, risk))
