"""Where withdrawal should be managed: setting and ASAM Criteria withdrawal-management level.

Outpatient by default (Joint Guideline Rec 5: tapering can typically be outpatient). Medically
managed, inpatient care when Rec 5a (imminent harm not mitigated by the first reduction), Rec 5b
(conditions beyond what outpatient care can manage) or Rec 5c / Rec 12 (severe or complicated
withdrawal present or expected) applies. The setting is mapped to the ASAM Criteria (3rd ed.)
levels 1-WM … 4-WM using the clinician's ratings of the six dimensions (0–4); that mapping is a
benzodetox reading of the level descriptions and is flagged unconfirmed.

Polydrug use (opioids, other sedatives, alcohol or other substances with the benzodiazepine) or
a high dose (about 40 mg diazepam-eq a day or more) may need management under specialist
supervision (Australian state guidance, guidelines.md §3.1 [V2]); benzodetox then asks for at
least 2-WM with support at home and 3.2-WM without it or when it is not recorded (its reading
of the level descriptions, unconfirmed). "No support at home" is stated as a reason whenever the
intake says so.

>>> from datetime import time
>>> from decimal import Decimal
>>> from benzodetox.core.regimen import Dose, Regimen
>>> intake = Intake(age=50, regimen=Regimen((Dose(time(22), "diazepam", Decimal(45)),)),
...                 duration_months=Decimal(24), days_per_week=7, source="ashton-2002",
...                 support_at_home=False)
>>> print(assess(intake).level_of_care.headline)  # doctest: +NORMALIZE_WHITESPACE
Residential care, 3.2-WM, under specialist supervision: a dose of 45 mg
diazepam-equivalent a day (about 40 mg or more); no support at home
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import DataError
from ..units import format_mg, plain_decimal
from ._common import Reason, read_data
from .intake import DIMENSIONS, SUBSTANCES, Intake
from .risk import HIGH_DOSE_FROM_MG, LEVELS, Risk, withdrawal_risk

__all__ = [
    "POLYDRUG",
    "WM_LEVELS",
    "Assessment",
    "LevelOfCare",
    "assess",
    "level_of_care",
    "monitoring_setting",
]

_RISK = read_data("risk.toml")
_DATA = read_data("levels_of_care.toml")
_MAP = _DATA["mapping"]
#: ASAM Criteria withdrawal-management levels, least intensive first.
WM_LEVELS: tuple[str, ...] = tuple(_DATA["levels"])
_SPECIALIST = _RISK["specialist"]
_SPECIALIST_LEVEL = _DATA["specialist"]
#: The intake's substances that make its use polydrug use (risk.toml [specialist]).
POLYDRUG: tuple[str, ...] = tuple(_SPECIALIST["polydrug"])
for _name in POLYDRUG:
    if _name not in SUBSTANCES:
        raise DataError(f"risk.toml [specialist] polydrug: unknown substance {_name!r}")
for _key in ("with_support", "without_support"):
    if _SPECIALIST_LEVEL[_key] not in WM_LEVELS:
        raise DataError(f"levels_of_care.toml [specialist] {_key}: unknown WM level")


@dataclass(frozen=True)
class LevelOfCare:
    """The setting and WM level with every reason; ``specialist`` when polydrug use or a high
    dose calls for specialist supervision; ``headline`` says it all in one line, setting first
    and then what led to it ("Residential care, 3.2-WM, under specialist supervision: …")."""

    setting: str  # "outpatient", "residential" or "inpatient"
    wm_level: str
    wm_name: str
    dimensions: Mapping[str, int | None]
    reasons: tuple[Reason, ...]
    specialist: bool = False
    headline: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "setting": self.setting,
            "wm_level": self.wm_level,
            "wm_name": self.wm_name,
            "specialist_supervision": self.specialist,
            "headline": self.headline,
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

    @property
    def headline(self) -> str:
        """The risk's headline (its level first), as every adapter shows it first."""
        return self.risk.headline

    def as_dict(self) -> dict[str, object]:
        return {
            "headline": self.risk.headline,
            "level_of_care_headline": self.level_of_care.headline,
            "risk": self.risk.level,
            "level_of_care": self.level_of_care.setting,
            "wm_level": self.level_of_care.wm_level,
            "specialist_supervision": self.level_of_care.specialist,
            "reasons": [r.as_dict() for r in self.reasons],
            "prompts": [p.as_dict() for p in self.risk.prompts],
            "warnings": list(self.risk.warnings),
            "details": {"risk": self.risk.as_dict(), "level_of_care": self.level_of_care.as_dict()},
        }


def monitoring_setting(level: str) -> str:
    """The monitoring schedule a level of care follows: "inpatient" for the 24-hour settings
    (residential and inpatient, levels_of_care.toml), "outpatient" otherwise or for an
    unknown level."""
    row = _DATA["levels"].get(level)
    if row is None:
        return "outpatient"
    return "outpatient" if row["setting"] == "outpatient" else "inpatient"


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


def _home(intake: Intake) -> str:
    if intake.support_at_home is None:
        return "support at home not recorded"
    return "with support at home" if intake.support_at_home else "no support at home"


def _specialist(intake: Intake, risk: Risk) -> tuple[list[str], list[Reason]]:
    """What calls for specialist supervision (in words), and the reasons to show: the
    triggers, and the equivalence tables when they disagree about the dose being high."""
    eq = risk.diazepam_eq_mg_per_day
    start = plain_decimal(HIGH_DOSE_FROM_MG)
    triggers: list[str] = []
    if eq >= HIGH_DOSE_FROM_MG:
        triggers.append(
            f"a dose of {format_mg(eq)} diazepam-equivalent a day (about {start} mg or more)"
        )
    drugs = [_RISK["substances"][n]["text"] for n in POLYDRUG if n in intake.substances]
    if drugs:
        triggers.append("polydrug use: " + ", ".join(drugs))
    reasons: list[Reason] = []
    if triggers:
        reasons.append(
            Reason(
                code="specialist",
                text=f"{_SPECIALIST['text']}: " + "; ".join(triggers),
                source=_SPECIALIST["source"],
                confirmed=bool(_SPECIALIST["confirmed"]),
            )
        )
    lo, hi = risk.range_mg_per_day
    if lo < HIGH_DOSE_FROM_MG <= hi:
        reasons.append(
            Reason(
                code="specialist.tables-disagree",
                text=(
                    "the equivalence tables disagree on whether the dose reaches it: across them "
                    f"it is {format_mg(lo).removesuffix(' mg')}–{format_mg(hi)} a day against "
                    f"about {start} mg for specialist supervision; this assessment uses "
                    f"{risk.source} ({format_mg(eq)})"
                ),
                source=_SPECIALIST["source"],
                confirmed=bool(_SPECIALIST["confirmed"]),
            )
        )
    return triggers, reasons


def level_of_care(intake: Intake, risk: Risk) -> LevelOfCare:
    """The setting and WM level for ``intake`` given its ``risk`` (see the module text)."""
    reasons: list[Reason] = []
    drivers: list[str] = []  # what raised the level, in words, for the headline
    level = "1-WM"
    for name in sorted(intake.conditions):
        row = _RISK["conditions"][name]
        if row.get("inpatient", False):
            drivers.append(row["text"])
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
        drivers.append("previous withdrawal seizure or delirium")
    home_counts = False  # whether support at home chose between two levels
    triggers, specialist_reasons = _specialist(intake, risk)
    reasons.extend(specialist_reasons)
    if triggers:
        wanted = _SPECIALIST_LEVEL["with_support" if intake.support_at_home else "without_support"]
        level = _higher(level, wanted)
        home_counts = True
        drivers.extend(triggers)
        reasons.append(
            Reason(
                code="specialist-level",
                text=f"specialist supervision, {_home(intake)}: at least {wanted}",
                source=_SPECIALIST_LEVEL["source"],
                confirmed=bool(_SPECIALIST_LEVEL["confirmed"]),
                rec="ASAM Criteria withdrawal-management levels",
            )
        )
    ratings = intake.dimensions
    withdrawal = ratings.get("withdrawal")
    if withdrawal is not None:
        if withdrawal >= int(_MAP["unstable_rating"]):
            level = _higher(level, "4-WM")
            reasons.append(_mapping_reason(f"withdrawal dimension rated {withdrawal}: 4-WM"))
            drivers.append(f"withdrawal dimension rated {withdrawal}")
        elif withdrawal >= int(_MAP["severe_rating"]):
            level = _higher(level, "3.7-WM")
            reasons.append(_mapping_reason(f"withdrawal dimension rated {withdrawal}: 3.7-WM"))
            drivers.append(f"withdrawal dimension rated {withdrawal}")
        elif withdrawal >= int(_MAP["moderate_rating"]):
            wanted = "2-WM" if intake.support_at_home else "3.2-WM"
            level = _higher(level, wanted)
            home_counts = True
            drivers.append(f"withdrawal dimension rated {withdrawal}")
            reasons.append(
                _mapping_reason(
                    f"withdrawal dimension rated {withdrawal}, {_home(intake)}: {wanted}"
                )
            )
    for name in DIMENSIONS[1:]:
        rating = ratings.get(name)
        if rating is not None and rating >= int(_MAP["other_severe_rating"]):
            level = _higher(level, "3.7-WM")
            reasons.append(_mapping_reason(f"{name} dimension rated {rating}: 3.7-WM"))
            drivers.append(f"{name} dimension rated {rating}")
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
        rated = "environment" in ratings
        reasons.append(
            Reason(
                code="environment",
                text="no support at home"
                + ("" if rated else ": rate the recovery-environment dimension"),
                source=_DATA["criteria"]["source"],
                confirmed=bool(_DATA["criteria"]["confirmed"]),
                rec="ASAM Criteria dimension 6",
            )
        )
    if home_counts or intake.support_at_home is False:
        drivers.append(_home(intake))
    reasons.append(_mapping_reason(f"{level}: {row['name']} ({row['typical']})"))
    dims: dict[str, int | None] = {name: ratings.get(name) for name in DIMENSIONS}
    headline = f"{setting.capitalize()} care, {level}"
    if triggers:
        headline += ", under specialist supervision"
    headline += ": " + ("; ".join(drivers) if drivers else "no reason for a higher level of care")
    return LevelOfCare(
        setting=setting,
        wm_level=level,
        wm_name=row["name"],
        dimensions=dims,
        reasons=tuple(reasons),
        specialist=bool(triggers),
        headline=headline,
    )


def assess(intake: Intake) -> Assessment:
    """Risk and level of care for ``intake``."""
    risk = withdrawal_risk(intake)
    return Assessment(risk=risk, level_of_care=level_of_care(intake, risk))
