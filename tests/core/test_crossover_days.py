"""Days per crossover stage come from one sourced figure (tapering.toml ``plan.crossover_days``):
the request's default, the planner's range check, the web form and the CLI option all use it."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.errors import InputError
from benzodetox.core.plan import PlanRequest, crossover_days
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan
from benzodetox.core.tapering.figures import figure

REGIMEN = Regimen((Dose(time(22), "diazepam", Decimal(10)),))


def test_the_figure_is_the_sourced_one():
    """Default 7, range 1–28, from the JCPG 2025 note, as the data file says."""
    stage, row = crossover_days(), figure("plan", "crossover_days")
    assert (stage.default, stage.least, stage.most) == (row.days, row.min, row.max)
    assert stage.source == "jcpg-2025"


def test_a_request_without_crossover_days_takes_the_default():
    """PlanRequest's default is the figure, not a second literal."""
    assert PlanRequest(REGIMEN, "ashton-2002", date(2026, 1, 5)).crossover_days == (
        crossover_days().default
    )


@settings(max_examples=20, deadline=None)
@given(days=st.one_of(st.integers(max_value=0), st.integers(min_value=29)))
def test_the_planner_refuses_days_outside_the_range_naming_it(days):
    """Outside least..most: InputError on crossover_days whose message gives the range."""
    with pytest.raises(InputError) as error:
        build_plan(PlanRequest(REGIMEN, "ashton-2002", date(2026, 1, 5), crossover_days=days))
    assert error.value.field == "crossover_days"
    assert crossover_days().allowed in str(error.value)
