"""Every figure a strategy uses comes from tapering.toml with a source key, and the plan shows
it with that key (and as unconfirmed where no source confirms it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from benzodetox.core.catalogue import catalogue
from benzodetox.core.plan import CustomStep, PlanRequest
from benzodetox.core.tapering import STRATEGY_NAMES, build_plan
from benzodetox.core.tapering.figures import ashton_bands, figure
from benzodetox.core.tapering.registry import strategy_for

from .conftest import regimen


@pytest.mark.parametrize("name", STRATEGY_NAMES)
def test_every_parameter_a_plan_shows_names_a_known_source(name):
    extra = {"custom_steps": (CustomStep(Decimal(8), 14), CustomStep(Decimal(6), 14))}
    request = PlanRequest(
        regimen(("diazepam", "10", "22:00")),
        "ashton-2002",
        date(2026, 1, 5),
        strategy=name,
        **(extra if name == "custom" else {}),
    )
    sources = set(catalogue().sources) | {"clinician"}
    for parameter in strategy_for(name).parameters(request):
        assert parameter.source in sources, parameter
    plan = build_plan(request)
    assert all(shown for _, shown in plan.parameters)


def test_unconfirmed_defaults_are_marked_on_the_plan():
    """The hyperbolic interval and final dose have no confirming source (drugs.md §4.2)."""
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "10", "22:00")),
            "ashton-2002",
            date(2026, 1, 5),
            strategy="hyperbolic",
        )
    )
    shown = dict(plan.parameters)
    assert "unconfirmed" in shown["every"] and "unconfirmed" in shown["final dose"]
    assert "unconfirmed" not in shown["percent"]
    assert "[maudsley-2024]" in shown["percent"]


def test_a_clinicians_value_is_shown_as_the_clinicians():
    plan = build_plan(
        PlanRequest(
            regimen(("diazepam", "10", "22:00")),
            "ashton-2002",
            date(2026, 1, 5),
            strategy="hyperbolic",
            percent=Decimal(5),
            interval_days=28,
        )
    )
    shown = dict(plan.parameters)
    assert "[clinician]" in shown["percent"] and "[clinician]" in shown["every"]


def test_the_figures_match_the_guidelines_they_cite():
    """JCPG 2025 Rec 6 (5–10 %, ≤ 25 % in 2 weeks), NICE CKS bands, eTG 10 %/day to 20 mg."""
    assert figure("asam", "percent").value == 10
    assert figure("asam", "ceiling_percent").value == 25
    assert figure("asam", "ceiling_percent").window_days == 14
    assert [(b.down_to, b.small, b.large) for b in ashton_bands()] == [
        (20, 2, 4),
        (10, 1, 2),
        (5, 1, 1),
        (0, Decimal("0.5"), 1),
    ]
    assert figure("inpatient", "daily_percent").value == 10
    assert figure("inpatient", "discharge_mg").value == 20
