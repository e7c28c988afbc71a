"""The JSON API's schemas: what each core endpoint takes and answers.

The answers are the CLI's ``--format json`` documents (one contract): ``plan_to_dict`` and the
``convert``/``score``/``assess``/``advise``/``simulate`` commands' data. Every output model
forbids keys it does not declare, so a change to the CLI's JSON that these schemas miss fails
the test that validates the CLI's output against them (tests/web/api/test_api_schemas.py).
Doses and percentages are exact decimal strings (``Decimal`` pattern), never floats.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from benzodetox.core.catalogue import EQUIVALENCE_TABLES, MARKETS
from benzodetox.core.kinetics.parameters import LIVER_STATES
from benzodetox.core.tapering import STRATEGY_NAMES

__all__ = [
    "DECIMAL",
    "AdviceIn",
    "AdviceOut",
    "AssessOut",
    "ConvertIn",
    "ConvertOut",
    "ErrorOut",
    "PlanIn",
    "PlanOut",
    "ScoreIn",
    "ScoreOut",
    "SimulateIn",
    "SimulationOut",
]

#: an exact decimal as text: "10", "0.5", "-2.25"
DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
#: a dose as typed: up to 5 integer and 3 decimal digits ("0.125", "40")
DOSE = r"^[0-9]{1,5}(\.[0-9]{1,3})?$"
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

Dec = Field(pattern=DECIMAL)


class _Out(BaseModel):
    """Plain pydantic models (ninja's ``Schema`` resolves attributes of ORM objects, which
    these plain dicts do not need, at ten times the cost)."""

    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------


class ErrorItem(_Out):
    loc: list[str | int]
    msg: str
    allowed: str | None = None
    type: str | None = None


class ErrorOut(Schema):
    """401/403/404/429: ``detail`` is a sentence; 422: a list naming each field."""

    detail: str | list[ErrorItem] | list[dict[str, Any]]


# --- inputs ---------------------------------------------------------------------------------

if TYPE_CHECKING:  # the choices come from the core's data at run time
    from typing import TypeAlias

    Table: TypeAlias = str
    Market: TypeAlias = str
    Strategy: TypeAlias = str
    Liver: TypeAlias = str
else:
    Table = Literal[tuple(EQUIVALENCE_TABLES)]
    Market = Literal[tuple(MARKETS)]
    Strategy = Literal[tuple(STRATEGY_NAMES)]
    Liver = Literal[tuple(LIVER_STATES)]


class DoseIn(_In):
    drug: str = Field(min_length=1, max_length=60, description="generic or brand name")
    mg: str = Field(pattern=DOSE, description="mg per dose, exact decimal text")
    time: str = Field(pattern=HHMM)


class CustomStepIn(_In):
    daily_mg: str = Field(pattern=DOSE)
    days: int = Field(ge=1, le=365)


class PlanIn(_In):
    """The ``request`` object of ``plan --format json`` (what ``--plan FILE`` reads back)."""

    regimen: list[DoseIn] = Field(min_length=1, max_length=12)
    source: Table | None = Field(None, description="equivalence table; ashton-2002 if omitted")
    start: date | None = Field(None, description="first day; today if omitted")
    strategy: Strategy = "asam"
    market: Market = "us"
    basis: Literal["low", "high"] | None = None
    percent: str | None = Field(None, pattern=DOSE)
    interval_days: int | None = Field(None, ge=1, le=365)
    switch_to: Literal["diazepam", "clonazepam"] | None = None
    switch_first: str | None = Field(None, pattern=HHMM)
    crossover_days: int | None = Field(None, ge=1, le=60)
    final_dose_mg: str | None = Field(None, pattern=DOSE)
    plateau_mg: str | None = Field(None, pattern=DOSE)
    reduce_order: list[str] = Field(default_factory=list, max_length=12)
    dose_times: list[str] = Field(default_factory=list, max_length=12)
    stabilise_days: int | None = Field(None, ge=0, le=60)
    discharge_mg: str | None = Field(None, pattern=DOSE)
    then: Literal["asam", "ashton", "hyperbolic", "deprescribing"] = "asam"
    drug_free_nights: int = Field(0, ge=0, le=7)
    allow_liquid: bool = True
    custom_steps: list[CustomStepIn] = Field(default_factory=list, max_length=60)
    override_reason: str = Field("", max_length=300)


class ConvertIn(_In):
    regimen: list[DoseIn] = Field(min_length=1, max_length=12)
    source: Table | None = None
    basis: Literal["low", "high"] | None = None


class ScoreIn(_In):
    answers: list[str | int] = Field(min_length=1, max_length=40)
    history: list[str] = Field(default_factory=list, max_length=10)
    substances: list[str] = Field(default_factory=list, max_length=10)
    conditions: list[str] = Field(default_factory=list, max_length=20)


class AdviceIn(_In):
    plan: dict[str, Any] = Field(description="a plan as POST /plan answers it")
    assessments: dict[str, Any] = Field(description="as `benzodetox advise --assessments` reads")
    on: date | None = Field(None, description="day to advise on; the latest assessment's")


class SimulateIn(_In):
    """A plan request (as POST /plan) and the model's options (research use; no population)."""

    plan: PlanIn
    days: int | None = Field(None, ge=1, le=730)
    no_run_in: bool = False
    age: int | None = Field(None, ge=18, le=110)
    liver: Liver = "none"
    weight_kg: int | None = Field(None, ge=30, le=250)
    occupancy: bool = False


# --- outputs --------------------------------------------------------------------------------


class Range(_Out):
    lo: str = Dec
    hi: str = Dec


class TakeOut(_Out):
    product_id: str
    product: str
    form: str
    strength: str = Dec
    count: str | None
    count_text: str | None
    ml: str | None = Field(pattern=DECIMAL)
    mg: str = Dec
    confirmed: bool


class DoseOut(_Out):
    time: str = Field(pattern=HHMM)
    drug: str
    mg: str = Dec
    target_mg: str = Dec
    rounding_mg: str = Dec
    from_supply: bool
    take: list[TakeOut]


class StepOut(_Out):
    index: int
    start: date
    end: date
    days: int
    kind: str
    diazepam_eq_mg: str = Dec
    reduction_percent: str = Dec
    range: str
    drug_free_nights: int
    notes: list[str]
    warnings: list[str]
    doses: list[DoseOut]


class RequestOut(_Out):
    regimen: list[DoseIn]
    source: str
    start: date
    strategy: str
    market: str
    basis: str | None
    percent: str | None
    interval_days: int | None
    switch_to: str | None
    switch_first: str | None
    crossover_days: int
    final_dose_mg: str | None
    plateau_mg: str | None
    reduce_order: list[str]
    dose_times: list[str]
    stabilise_days: int | None
    discharge_mg: str | None
    then: str
    drug_free_nights: int
    allow_liquid: bool
    custom_steps: list[dict[str, Any]]
    override_reason: str


class AlternativeOut(_Out):
    key: str
    label: str
    changes: dict[str, str]
    options: list[str]
    departures: int
    steps: int
    last_dose: date | None


class PlanOut(_Out):
    """``benzodetox plan --format json`` (README: "plan --format json")."""

    format: int
    source: str
    source_defaulted: bool = False
    market: str
    strategy: str
    parameters: dict[str, str]
    switch_to: str | None
    start: date
    end: date
    last_dose: date | None
    diazepam_eq_mg_per_day: str = Dec
    range: Range
    warnings: list[str]
    version_note: str
    sources: list[str]
    steps: list[StepOut]
    request: RequestOut | None
    alternatives: list[AlternativeOut] = Field(default_factory=list)


class FigureOut(_Out):
    table: str
    lo_mg: str = Dec
    hi_mg: str = Dec
    label: str
    doubled: bool


class DrugConversionOut(_Out):
    drug: str
    daily_mg: str = Dec
    figure: FigureOut
    diazepam_eq_mg: str = Dec
    per_table: dict[str, Range]
    range: Range
    span_ratio: str = Dec
    disagreement: bool


class ConvertOut(_Out):
    """``benzodetox convert --format json``."""

    source: str
    source_defaulted: bool
    basis: str | None
    diazepam_eq_mg_per_day: str = Dec
    range: Range
    drugs: list[DrugConversionOut]
    warnings: list[str]


class ReasonOut(_Out):
    code: str
    text: str
    source: str
    rec: str
    confirmed: bool


class FindingOut(_Out):
    """A vital sign beyond its threshold."""

    sign: str
    reading: str
    threshold: str
    text: str
    source: str
    confirmed: bool
    basis: str | None


class AlertOut(_Out):
    kind: str
    severity: str
    title: str
    escalated: bool
    events: list[str]
    reasons: list[ReasonOut]
    actions: list[ReasonOut]
    findings: list[FindingOut] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


class ScoreOut(_Out):
    """``benzodetox score INSTRUMENT … --format json``."""

    instrument: str
    total: int
    max_total: int
    band: str | None
    band_confirmed: bool | None
    band_source: str | None
    flags: list[str]
    notes: list[ReasonOut]
    alerts: list[AlertOut]


class AssessOut(_Out):
    """``benzodetox assess --intake FILE --format json`` (docs/assessment.md)."""

    headline: str
    level_of_care_headline: str
    risk: str
    level_of_care: str
    wm_level: str
    specialist_supervision: bool
    reasons: list[ReasonOut]
    prompts: list[ReasonOut]
    warnings: list[str]
    details: dict[str, Any]


class AdjustmentOut(_Out):
    kind: str
    on: date | None
    reason: str
    days: int | None
    percent: str | None
    interval_days: int | None


class AdviceOut(_Out):
    """``benzodetox advise … --format json``: the advice and the plan it proposes."""

    action: str
    on: date
    reasons: list[ReasonOut]
    adjustment: AdjustmentOut
    escalation: dict[str, Any] | None
    vital_signs: list[dict[str, Any]]
    proposed_plan: PlanOut


class SimulationOut(_Out):
    """``benzodetox simulate … --format json`` (docs/kinetics.md); concentrations are
    model outputs to 5 significant digits (the one place numbers are not exact decimals)."""

    time_h: list[float]
    concentration_ng_ml: dict[str, list[float]]
    population: dict[str, Any] | None = None
    occupancy: dict[str, Any] | None = None
    flumazenil: dict[str, Any] | None = None
    days: int
    plan: dict[str, Any] | None = None
    regimen: list[dict[str, Any]] | None = None
    source: str | None = None
    assumptions: list[str]
    warnings: list[str]
