"""Alternatives to a plan that had to depart from its strategy: built, and offered only when
they depart less."""

from __future__ import annotations

from benzodetox.core.plan import PlanRequest
from benzodetox.core.tapering import alternatives, build_plan, departures

from .conftest import START, regimen


def test_a_plan_without_departures_has_no_alternatives():
    """Diazepam 10 mg, ASAM, tablets and liquid: every step in its range."""
    plan = build_plan(PlanRequest(regimen(("diazepam", "10", "22:00")), "ashton-2002", START))
    assert departures(plan) == 0
    assert alternatives(plan) == ()


def test_tablets_only_alprazolam_is_offered_the_liquid_and_an_early_switch():
    """Alprazolam 0.5 mg at night without liquid: the plan takes larger steps and switches to
    diazepam part-way; allowing the liquid or switching from the start each depart less."""
    request = PlanRequest(
        regimen(("alprazolam", "0.5", "22:00")), "ashton-2002", START, allow_liquid=False
    )
    plan = build_plan(request)
    found = alternatives(plan)
    assert {a.key for a in found} >= {"allow_liquid", "switch_to_diazepam"}
    for alternative in found:
        assert alternative.departures < departures(plan)
        assert alternative.departures == departures(alternative.plan)
        assert alternative.plan.steps[-1].kind == "stop"
    by_key = {a.key: a for a in found}
    assert by_key["allow_liquid"].changes == (("allow_liquid", "true"),)
    assert by_key["switch_to_diazepam"].changes == (("switch_to", "diazepam"),)
    both = by_key["switch_and_liquid"]
    assert set(both.changes) == {("allow_liquid", "true"), ("switch_to", "diazepam")}
    alone = min(by_key["allow_liquid"].departures, by_key["switch_to_diazepam"].departures)
    assert both.departures < alone


def test_an_alternative_already_asked_for_is_never_offered():
    """A plan switched to diazepam with the liquid allowed is not offered either again."""
    request = PlanRequest(
        regimen(("alprazolam", "0.5", "22:00")), "ashton-2002", START, switch_to="diazepam"
    )
    keys = {a.key for a in alternatives(build_plan(request))}
    assert "switch_to_diazepam" not in keys and "allow_liquid" not in keys
