"""What the plan builder proposes: the strategy for a level of care, each strategy's default
figures, and the drugs a crossover may switch to (core/tapering/proposal.py)."""

from __future__ import annotations

import doctest
from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.assessment.level_of_care import WM_LEVELS
from benzodetox.core.catalogue import catalogue
from benzodetox.core.errors import InputError
from benzodetox.core.plan import PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import STRATEGY_NAMES, build_plan, percent_in_use, proposal
from benzodetox.core.tapering.proposal import (
    strategy_defaults,
    strategy_for_level,
    switch_targets,
)


def test_the_examples_in_the_module_docstring_run():
    """The docstring's examples are true."""
    assert doctest.testmod(proposal).failed == 0


@pytest.mark.parametrize("level", ["3.7-WM", "4-WM"])
def test_an_inpatient_recommendation_proposes_the_inpatient_strategy(level):
    """ASAM 3.7-WM and 4-WM are inpatient: the eTG inpatient protocol (10 % a day) is proposed,
    saying why and citing the level's and the protocol's sources."""
    proposed = strategy_for_level(level)
    assert proposed.strategy == "inpatient"
    assert proposed.setting == "inpatient"
    assert level in proposed.why and "10 %" in proposed.why
    assert proposed.sources == ("asam-criteria-2013", "etg-addiction")


@pytest.mark.parametrize("level", ["1-WM", "2-WM", "3.2-WM", None, ""])
def test_any_other_level_or_none_proposes_the_outpatient_default(level):
    """Outpatient and residential levels, or no recorded level, get ASAM 2025 (Rec 5: tapering
    can typically be managed as an outpatient)."""
    proposed = strategy_for_level(level)
    assert proposed.strategy == "asam"
    assert "jcpg-2025" in proposed.sources
    assert proposed.why


def test_every_source_of_the_rule_is_in_the_catalogue():
    """Each source key the rule cites resolves in sources.toml."""
    keys = {k for level in (*WM_LEVELS, None) for k in strategy_for_level(level).sources}
    keys |= {k for name in STRATEGY_NAMES for k in strategy_defaults(name).sources}
    assert keys and keys <= set(catalogue().sources)


def test_an_unknown_level_is_refused_naming_the_levels_allowed():
    """'5-WM' is no ASAM level: an InputError lists the five."""
    with pytest.raises(InputError) as error:
        strategy_for_level("5-WM")
    assert error.value.field == "level_of_care"
    assert "3.7-WM" in str(error.value.allowed)


@given(st.sampled_from((*WM_LEVELS, None)))
def test_the_proposed_strategy_is_always_one_the_planner_knows(level):
    """Whatever the level, the proposal is a strategy name the registry has."""
    assert strategy_for_level(level).strategy in STRATEGY_NAMES


def _request(strategy: str) -> PlanRequest:
    regimen = Regimen((Dose(time(22), "diazepam", Decimal(20)),))
    return PlanRequest(
        regimen=regimen, source="ashton-2002", start=date(2027, 1, 4), strategy=strategy
    )


@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
def test_the_default_percent_is_the_one_the_planner_uses_when_none_is_given(strategy):
    """strategy_defaults gives exactly the percentage the planner falls back to (none for the
    strategies that do not reduce by a percentage)."""
    assert strategy_defaults(strategy).percent == percent_in_use(_request(strategy))


def test_strategies_without_a_percentage_or_interval_say_so():
    """Inpatient and custom have neither; Ashton has an interval (7 days, NICE CKS) only."""
    assert strategy_defaults("inpatient").percent is None
    assert strategy_defaults("custom").interval_days is None
    ashton = strategy_defaults("ashton")
    assert (ashton.percent, ashton.interval_days) == (None, 7)


def test_an_unknown_strategy_is_refused():
    """A strategy name the planner has not is an InputError on 'strategy'."""
    with pytest.raises(InputError) as error:
        strategy_defaults("fast")
    assert error.value.field == "strategy"


def test_the_switch_targets_are_exactly_the_drugs_the_planner_accepts():
    """Each listed drug builds a crossover; a drug not listed (lorazepam) is refused."""
    regimen = Regimen((Dose(time(22), "alprazolam", Decimal("0.5")),))
    for drug in switch_targets():
        plan = build_plan(
            PlanRequest(
                regimen=regimen, source="ashton-2002", start=date(2027, 1, 4), switch_to=drug
            )
        )
        assert plan.switch_to == drug
    with pytest.raises(InputError):
        build_plan(
            PlanRequest(
                regimen=regimen, source="ashton-2002", start=date(2027, 1, 4), switch_to="lorazepam"
            )
        )
