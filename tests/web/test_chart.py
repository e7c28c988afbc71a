"""The hand-written SVG dose chart."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal

from benzodetox.core.plan import PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan
from benzodetox.web.plans.chart import dose_chart, series_of


def _crossover_plan():
    regimen = Regimen(
        (Dose(time(8), "alprazolam", Decimal("0.5")), Dose(time(21), "alprazolam", Decimal(1)))
    )
    return build_plan(PlanRequest(regimen, "ashton-2002", date(2026, 1, 5), switch_to="diazepam"))


def test_a_crossover_chart_has_a_line_for_the_total_and_each_drug():
    """Total, alprazolam and diazepam each get a stepped line and a legend entry."""
    svg = dose_chart(_crossover_plan())
    assert svg.count("<polyline") == 3
    for name in ("Total", "alprazolam", "diazepam"):
        assert f">{name}</text>" in svg


def test_the_chart_is_labelled_for_screen_readers():
    """role=img with a title and a description naming the first and last dose."""
    svg = dose_chart(_crossover_plan())
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "30 mg on 2026-01-05" in svg


def test_axis_numbers_are_exact_decimals_never_float_noise():
    """Every number shown as text is a short decimal (no 0.30000000000000004)."""
    svg = dose_chart(_crossover_plan())
    for text in re.findall(r">([0-9.]+)</text>", svg):
        assert len(text.split(".")[-1]) <= 3


def test_a_drug_stopped_by_the_crossover_is_not_drawn_along_the_axis():
    """alprazolam's series ends one step after its last dose."""
    plan = _crossover_plan()
    alprazolam = next(s for s in series_of(plan) if s.name == "alprazolam")
    assert len(alprazolam.points) < len(plan.steps)
    assert alprazolam.points[-1][2] == 0
