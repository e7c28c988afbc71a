"""A patient episode's history as the outcome rules read it: plain frozen records the
adapters build from what was recorded (approved plan versions with their steps, scores,
emergencies, aftercare contacts, setting and phase changes, returns to use).

Only approved plan versions belong in a history: a draft never put a patient on a plan. Dates
are calendar days; nothing here knows about databases or names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..errors import InputError

__all__ = [
    "RETURN_SOURCES",
    "ContactRecord",
    "EmergencyRecord",
    "EpisodeHistory",
    "PhaseRecord",
    "PlanRecord",
    "ReturnRecord",
    "ScoreRecord",
    "SettingRecord",
    "StepRecord",
]

#: how a return to use after the last dose is known
RETURN_SOURCES = ("self-report", "clinician", "restart")
#: adjustments a plan version made from monitoring advice records (core.assessment.advice)
ADJUSTMENTS = ("", "hold", "slow", "step_back", "plateau")
SETTINGS = ("inpatient", "outpatient")


@dataclass(frozen=True)
class StepRecord:
    start: date
    end: date
    kind: str
    eq_mg: Decimal

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InputError("step.end", self.end, f"on or after its start {self.start}")


@dataclass(frozen=True)
class PlanRecord:
    """An approved plan version. ``last_dose`` is None when the plan does not reach zero (it
    ends on a plateau or maintenance dose); ``adjustment`` names the change it made when it
    was made from monitoring advice ("hold", "slow", "step_back", "plateau"), else ""."""

    number: int
    approved_on: date
    strategy: str
    start: date
    end: date
    last_dose: date | None
    steps: tuple[StepRecord, ...] = ()
    adjustment: str = ""

    def __post_init__(self) -> None:
        if self.adjustment not in ADJUSTMENTS:
            raise InputError("adjustment", self.adjustment, ", ".join(a for a in ADJUSTMENTS if a))
        if self.end < self.start:
            raise InputError("plan.end", self.end, f"on or after its start {self.start}")


@dataclass(frozen=True)
class ScoreRecord:
    on: date
    instrument: str
    total: int


@dataclass(frozen=True)
class EmergencyRecord:
    on: date
    kind: str


@dataclass(frozen=True)
class ContactRecord:
    """An aftercare contact due ``on``; ``attended`` None until recorded."""

    on: date
    attended: bool | None


@dataclass(frozen=True)
class SettingRecord:
    on: date
    setting: str

    def __post_init__(self) -> None:
        if self.setting not in SETTINGS:
            raise InputError("setting", self.setting, " or ".join(SETTINGS))


@dataclass(frozen=True)
class PhaseRecord:
    """A phase a clinician set (e.g. "discontinued") on a day."""

    on: date
    phase: str


@dataclass(frozen=True)
class ReturnRecord:
    """A return to use known from ``source`` (self-report or a clinician's record); restarted
    prescriptions are read from the plans themselves."""

    on: date
    source: str

    def __post_init__(self) -> None:
        if self.source not in RETURN_SOURCES:
            raise InputError("return.source", self.source, ", ".join(RETURN_SOURCES))


@dataclass(frozen=True)
class EpisodeHistory:
    """One patient's episode. ``episode`` is a pseudonymous label (never a name or record
    number); ``patient_id`` is the adapter's key and is not exported."""

    episode: str
    patient_id: int
    age_at_start: int
    starting_drug: str
    starting_dose_mg: Decimal
    plans: tuple[PlanRecord, ...]
    scores: tuple[ScoreRecord, ...] = ()
    emergencies: tuple[EmergencyRecord, ...] = ()
    contacts: tuple[ContactRecord, ...] = ()
    settings: tuple[SettingRecord, ...] = ()
    phases: tuple[PhaseRecord, ...] = ()
    returns: tuple[ReturnRecord, ...] = ()

    def __post_init__(self) -> None:
        if not self.plans:
            raise InputError("plans", "none", "at least one approved plan version")

    @property
    def ordered_plans(self) -> tuple[PlanRecord, ...]:
        return tuple(sorted(self.plans, key=lambda p: (p.approved_on, p.number)))

    @property
    def start(self) -> date:
        """The first approved plan's first day."""
        return self.ordered_plans[0].start
