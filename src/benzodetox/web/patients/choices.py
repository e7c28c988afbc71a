"""Choices offered by the patient and intake forms.

Substances and conditions are the keys the core's risk rules know (``core/data/risk.toml``), so
what a clinician ticks is exactly what the assessment reads; their wording comes from that file.
"""

from __future__ import annotations

from django.db import models

from benzodetox.core.assessment import condition_labels, level_labels, substance_labels
from benzodetox.core.catalogue import EQUIVALENCE_TABLES, MARKETS, catalogue


class Phase(models.TextChoices):
    INTAKE = "intake", "Intake"
    CROSSOVER = "crossover", "Crossover"
    STABILISE = "stabilise", "Stabilise"
    TAPERING = "tapering", "Tapering"
    HOLD = "hold", "Hold"
    COMPLETED = "completed", "Completed"
    AFTERCARE = "aftercare", "Aftercare"
    DISCONTINUED = "discontinued", "Discontinued"


#: phases in which a taper is under way and assessments fall due
ACTIVE_PHASES = (
    Phase.CROSSOVER.value,
    Phase.STABILISE.value,
    Phase.TAPERING.value,
    Phase.HOLD.value,
)


class PhaseSetBy(models.TextChoices):
    """Who set the phase now shown. The approved plan's phase follows its dates (the periodic
    job advances it); a clinician's change that differs from the plan pins the phase until the
    next approval or until a clinician chooses to follow the plan again."""

    PLAN = "plan", "the approved plan"
    CLINICIAN = "clinician", "a clinician"


#: the phase form's choice that hands the phase back to the approved plan
FOLLOW_PLAN = "plan"


class Pregnancy(models.TextChoices):
    NOT_APPLICABLE = "not-applicable", "Not applicable"
    NO = "no", "Not pregnant"
    YES = "yes", "Pregnant"
    UNKNOWN = "unknown", "Not known"


class HomeSupport(models.TextChoices):
    SUPPORTIVE = "supportive", "Supportive: someone at home who can watch and help"
    LIMITED = "limited", "Limited support at home"
    NONE = "none", "No support at home / unstable housing"


class Decision(models.TextChoices):
    AGREE = "agree", "Agree with the recommendation"
    OTHER = "other", "Choose another level of care"


def _capitalised(labels: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(key, text.capitalize()) for key, text in labels]


def substance_choices() -> list[tuple[str, str]]:
    return _capitalised(substance_labels())


def condition_choices() -> list[tuple[str, str]]:
    return _capitalised(condition_labels())


def drug_choices() -> list[tuple[str, str]]:
    drugs = catalogue().drugs
    return sorted(((key, d.name) for key, d in drugs.items()), key=lambda kv: kv[1].lower())


def drug_name(key: str) -> str:
    drug = catalogue().drugs.get(key)
    return drug.name if drug is not None else key


def table_choices() -> list[tuple[str, str]]:
    cat = catalogue()
    out = []
    for key in EQUIVALENCE_TABLES:
        source = cat.sources.get(key)
        out.append((key, f"{key} — {source.citation[:80]}" if source else key))
    return out


def market_choices() -> list[tuple[str, str]]:
    names = {"us": "United States", "uk": "United Kingdom"}
    return [(m, names.get(m, m)) for m in MARKETS]


#: The ASAM withdrawal-management levels, worded by the core (levels_of_care.toml).
LEVELS_OF_CARE: list[tuple[str, str]] = list(level_labels())
