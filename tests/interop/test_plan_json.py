"""Plans survive a trip through JSON exactly, and a malformed plan is refused by field."""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given, settings

from benzodetox.core.errors import InputError
from benzodetox.core.plan import PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan
from benzodetox.interop.plan_json import plan_from_dict, plan_to_dict
from tests.strategies import taper_cases


@settings(max_examples=30, deadline=None)
@given(case=taper_cases(switch=True))
def test_a_plan_written_and_read_back_is_the_same_plan(case):
    case["switch_to"] = "diazepam"
    plan = build_plan(PlanRequest(strategy="asam", **case))
    assert plan_from_dict(json.loads(json.dumps(plan_to_dict(plan)))) == plan


def test_the_json_has_the_documented_shape():
    plan = build_plan(
        PlanRequest(
            Regimen((Dose(time(8), "diazepam", Decimal("7.5")),)), "ashton-2002", date(2026, 1, 5)
        )
    )
    data = plan_to_dict(plan)
    assert {"source", "diazepam_eq_mg_per_day", "warnings", "steps", "range"} <= set(data)
    step = data["steps"][0]
    assert {"start", "end", "diazepam_eq_mg", "reduction_percent", "notes", "doses"} <= set(step)
    dose = step["doses"][0]
    assert {"time", "drug", "mg", "take"} <= set(dose)
    take = dose["take"][0]
    assert {"product", "strength", "count", "ml", "mg"} <= set(take)
    assert sum(Decimal(t["mg"]) for t in dose["take"]) == Decimal(dose["mg"])


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("steps"), "steps"),
        (lambda d: d["steps"][0].update(start="yesterday"), "steps[0].start"),
        (lambda d: d["steps"][0]["doses"][0].update(mg="lots"), "steps[0].doses[0].mg"),
        (
            lambda d: d["steps"][0]["doses"][0]["take"][0].update(count="a half"),
            "steps[0].doses[0].take[0].count",
        ),
    ],
)
def test_a_malformed_plan_is_refused_naming_the_field(mutate, field):
    plan = build_plan(
        PlanRequest(
            Regimen((Dose(time(8), "diazepam", Decimal(5)),)), "ashton-2002", date(2026, 1, 5)
        )
    )
    data = plan_to_dict(plan)
    mutate(data)
    with pytest.raises(InputError) as error:
        plan_from_dict(data)
    assert error.value.field == field
