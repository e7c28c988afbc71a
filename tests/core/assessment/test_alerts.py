"""Alert decisions in the core: the one place the web app, the quick-entry warning and the CLI
ask which results need a clinician, and the escalation of severe withdrawal (Joint Guideline
Rec 5c / Rec 12; benzodetox-escalation-rule)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.assessment._common import read_data
from benzodetox.core.assessment.advice import Observation, advise
from benzodetox.core.assessment.alerts import Facts, alerts_for, facts_from_dict
from benzodetox.core.assessment.instruments import instrument, score
from benzodetox.core.assessment.schedule import escalation_rule
from benzodetox.core.assessment.vitals import VitalSigns, check_vitals
from benzodetox.core.errors import InputError
from benzodetox.core.plan import PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan

CIWA_61 = [4] * 15 + [1, 0, 0, 0, 0]
CIWA_44 = [3, 3, 3, 2, 2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
ESCALATION_ACTIONS = [
    "urgent-medical-review",
    "seizure-precautions",
    "check-other-withdrawal",
    "reassess-level-of-care",
    "reassess-sooner",
]
SEIZURE_AUD = Facts(
    history=frozenset({"withdrawal_seizure"}), substances=frozenset({"alcohol_use_disorder"})
)


def _crossover_plan(start: date):
    """Alprazolam 0.5 mg + 1 mg a day crossed over to diazepam from ``start``."""
    from datetime import time

    regimen = Regimen(
        (
            Dose(time(8), "alprazolam", Decimal("0.5")),
            Dose(time(21), "alprazolam", Decimal("1")),
        )
    )
    return build_plan(
        PlanRequest(regimen=regimen, source="ashton-2002", start=start, switch_to="diazepam")
    )


def test_the_issue_case_escalates_with_every_action_listed():
    """Past withdrawal seizure + alcohol use disorder, CIWA-B 61/80: one critical alert that
    escalates, lists the five actions and says the intake records alcohol use disorder."""
    (decision,) = alerts_for(score("ciwa-b", CIWA_61), facts=SEIZURE_AUD)
    assert decision.kind == "score" and decision.severity == "critical"
    assert decision.title == "CIWA-B 61 (very severe): escalate"
    assert [a.code for a in decision.actions] == ESCALATION_ACTIONS
    assert any("alcohol use disorder" in r.text for r in decision.reasons)
    assert decision.escalation is not None and decision.escalation.names == ("severe withdrawal",)


def test_the_issue_case_on_day_1_of_a_crossover_advises_escalate_before_the_hold():
    """Day 1 of a crossover: the advice is 'escalate', its first reason says so, the actions
    follow, and only then the hold the symptoms call for."""
    start = date(2025, 3, 3)
    plan = _crossover_plan(start)
    seen = [Observation(at=datetime(2025, 3, 3, 10), scores=(score("ciwa-b", CIWA_61),))]
    advice = advise(plan, seen, start, facts=SEIZURE_AUD)
    assert advice.action == "escalate"
    codes = [r.code for r in advice.reasons]
    assert codes[0] == "escalate"
    assert codes.index("reassess-sooner") < codes.index("hold")
    assert advice.escalation is not None
    assert [a.code for a in advice.escalation.actions] == ESCALATION_ACTIONS
    assert advice.adjustment.kind in ("hold", "step_back", "none")


@pytest.mark.parametrize(
    ("facts", "vitals", "escalates"),
    [
        (Facts(), None, False),
        (Facts(history=frozenset({"withdrawal_seizure"})), None, True),
        (Facts(history=frozenset({"withdrawal_delirium"})), None, False),
        (Facts(), VitalSigns(pulse=Decimal(111)), True),
        (Facts(), VitalSigns(pulse=Decimal(110)), False),
    ],
)
def test_a_severe_ciwa_b_escalates_only_with_abnormal_vitals_or_a_withdrawal_seizure(
    facts, vitals, escalates
):
    """CIWA-B 44 (severe): high alert alone; critical with actions with pulse > 110 or a past
    withdrawal seizure."""
    findings = check_vitals(vitals) if vitals is not None else ()
    (decision,) = alerts_for(score("ciwa-b", CIWA_44), facts=facts, findings=findings)
    assert decision.escalates is escalates
    assert decision.severity == ("critical" if escalates else "high")
    assert bool(decision.actions) is escalates


def test_a_moderate_ciwa_b_raises_nothing_even_with_a_seizure_history():
    """CIWA-B 40 is moderate: no alert (the escalation needs the severe band)."""
    assert alerts_for(score("ciwa-b", [2] * 20), facts=SEIZURE_AUD) == ()


def test_phq_9_and_gad_7_severe_bands_raise_a_high_alert():
    """PHQ-9 ≥ 20 (Kroenke 2001) and GAD-7 ≥ 15 (Spitzer 2006) are severe: high alerts."""
    (phq,) = alerts_for(score("phq-9", [3, 3, 3, 3, 3, 3, 2, 0, 0]))
    (gad,) = alerts_for(score("gad-7", [3, 3, 3, 3, 3, 0, 0]))
    assert (phq.severity, phq.title) == ("high", "PHQ-9 20 (severe)")
    assert (gad.severity, gad.title) == ("high", "GAD-7 15 (severe)")
    assert phq.sources == ("kroenke-2001",) and gad.sources == ("spitzer-2006",)


def test_phq_9_item_9_above_zero_is_an_emergency_with_the_escalation_actions():
    """Item 9 = 1: a critical 'suicidality' alert listing the same-day risk review (Rec 5a)."""
    (decision,) = alerts_for(score("phq-9", [0] * 8 + [1]))
    assert decision.kind == "event" and decision.severity == "critical"
    assert "suicidality" in decision.title and "PHQ-9 item 9" in decision.title
    assert decision.actions[0].code == "urgent-risk-review"


def test_a_recorded_seizure_escalates_with_the_seizure_actions_and_the_recheck():
    """A seizure event: the seizure escalation (AES 2016 first line …) plus when to reassess."""
    (decision,) = alerts_for(event="seizure")
    codes = [a.code for a in decision.actions]
    assert "status-epilepticus" in codes and codes[-1] == "reassess-sooner"


def test_sleep_disturbance_alerts_only_in_bipolar_or_psychotic_disorder():
    """Rec 26a: sleep disturbance with bipolar disorder raises an alert; without, nothing."""
    bipolar = Facts(conditions=frozenset({"bipolar"}))
    (decision,) = alerts_for(sleep_disturbance=True, facts=bipolar)
    assert decision.kind == "sleep" and decision.title == "Sleep disturbance with bipolar"
    assert alerts_for(sleep_disturbance=True, facts=Facts()) == ()


def test_vital_signs_beyond_thresholds_escalate_when_a_severe_ciwa_b_goes_with_them():
    """Vitals alone: high. With a current severe CIWA-B: critical, with the actions."""
    findings = check_vitals(VitalSigns(pulse=Decimal(120)))
    (alone,) = alerts_for(findings=findings)
    (with_ciwa,) = alerts_for(findings=findings, context_scores=[score("ciwa-b", CIWA_44)])
    assert (alone.kind, alone.severity, alone.escalates) == ("vitals", "high", False)
    assert (with_ciwa.severity, with_ciwa.escalates) == ("critical", True)
    assert [a.code for a in with_ciwa.actions] == ESCALATION_ACTIONS


def test_the_recheck_action_names_the_programmes_interval():
    """The reassessment interval comes from the policy (4–8 h default, labelled unconfirmed)."""
    (decision,) = alerts_for(score("ciwa-b", CIWA_61))
    recheck = decision.actions[-1]
    rule = escalation_rule()
    assert f"every {rule.due_hours}–{rule.overdue_hours} h" in recheck.text
    assert recheck.source == rule.source and recheck.confirmed is False


def test_every_source_of_every_decision_resolves():
    """Each source key a decision names is in sources.toml."""
    known = set(read_data("sources.toml"))
    decisions = [
        *alerts_for(score("ciwa-b", CIWA_61), facts=SEIZURE_AUD),
        *alerts_for(score("phq-9", [3] * 9)),
        *alerts_for(findings=check_vitals(VitalSigns(spo2=Decimal(90)))),
        *alerts_for(sleep_disturbance=True, facts=Facts(conditions=frozenset({"bipolar"}))),
    ]
    assert decisions and all(set(d.sources) <= known for d in decisions)


def test_unknown_facts_are_refused_naming_the_field():
    """history: ["fits"] → InputError on history[0] listing the names allowed."""
    with pytest.raises(InputError) as caught:
        facts_from_dict({"history": ["fits"]})
    assert caught.value.field == "history[0]" and "withdrawal_seizure" in caught.value.allowed


def test_ciwa_b_item_18_is_observed_restlessness_and_item_20_is_sweating():
    """guidelines.md §2.1 (corrected): item 18 restlessness/agitation only, sweating is 20."""
    items = instrument("ciwa-b").items
    assert items[17].label == "seen: restless or agitated" and items[17].rater == "observer"
    assert "sweat" not in items[17].label
    assert "sweaty palms" in items[19].label and items[19].rater == "observer"
    assert sum("sweat" in i.label for i in items) == 1


answers_ciwa = st.lists(st.integers(0, 4), min_size=20, max_size=20)
histories = st.sets(st.sampled_from(["withdrawal_seizure", "withdrawal_delirium"]))


@given(answers_ciwa, histories, st.booleans())
def test_an_escalation_is_always_critical_and_lists_every_action(answers, history, abnormal):
    """Whatever the answers and history: an escalated decision is critical, lists the five
    actions, and only a severe or very severe CIWA-B escalates."""
    findings = check_vitals(VitalSigns(pulse=Decimal(130))) if abnormal else ()
    scored = score("ciwa-b", answers)
    for d in alerts_for(scored, facts=Facts(history=frozenset(history)), findings=findings):
        if d.escalates:
            assert d.severity == "critical"
            assert [a.code for a in d.actions] == ESCALATION_ACTIONS
            assert scored.band in ("severe", "very severe")
        assert scored.band in ("severe", "very severe")


@given(answers_ciwa, st.lists(st.integers(0, 19), unique=True))
def test_answers_so_far_never_warn_of_an_alert_the_full_answers_do_not_raise(answers, blank):
    """The quick-entry warning scores the items answered so far (the others as 0): every alert
    it predicts is raised, at least as severe, once the remaining items are answered."""
    partial = [0 if i in blank else a for i, a in enumerate(answers)]
    rank = {"critical": 0, "high": 1, "medium": 2}
    early = {d.kind: d for d in alerts_for(score("ciwa-b", partial), facts=SEIZURE_AUD)}
    full = {d.kind: d for d in alerts_for(score("ciwa-b", answers), facts=SEIZURE_AUD)}
    for kind, d in early.items():
        assert kind in full and rank[full[kind].severity] <= rank[d.severity]


def test_facts_read_the_intakes_true_false_form_as_well_as_lists():
    """{"withdrawal_seizure": true, "withdrawal_delirium": false} is the same as a list of the
    true names; a non-boolean is refused on its field."""
    facts = facts_from_dict({"history": {"withdrawal_seizure": True, "withdrawal_delirium": False}})
    assert facts.history == frozenset({"withdrawal_seizure"})
    with pytest.raises(InputError) as caught:
        facts_from_dict({"substances": {"alcohol_use_disorder": "yes"}})
    assert caught.value.field == "substances.alcohol_use_disorder"


# -- the advice reads a CIWA-B and the vital signs taken with it as one assessment ----------------


def _diazepam_plan(start: date):
    """Diazepam 20 mg at 22:00, ASAM from ``start`` (a reduction every 14 days)."""
    from datetime import time

    regimen = Regimen((Dose(time(22), "diazepam", Decimal("20")),))
    return build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=start))


ABNORMAL = VitalSigns(pulse=Decimal(114), sbp=Decimal(152), dbp=Decimal(96))


def test_a_severe_ciwa_b_and_abnormal_vitals_an_hour_later_escalate_the_advice():
    """CIWA-B 44 at 10:00 and pulse 114, BP 152/96 at 11:00 (the demo's DEMO-004): the advice
    escalates as the alert does — before, the newest entry alone (the vitals) gave 'proceed'."""
    plan = _diazepam_plan(date(2025, 3, 3))
    day = date(2025, 3, 20)
    seen = [
        Observation(at=datetime(2025, 3, 20, 10), scores=(score("ciwa-b", CIWA_44),)),
        Observation(at=datetime(2025, 3, 20, 11), vitals=ABNORMAL),
    ]
    advice = advise(plan, seen, day)
    assert advice.action == "escalate"
    assert advice.escalation is not None
    assert "reassess-sooner" in [a.code for a in advice.escalation.actions]


def test_only_the_newest_score_counts_and_vitals_beyond_the_interval_stand_alone():
    """A mild CIWA-B at 12:00 replaces the severe one of 10:00; vital signs taken 9 h after the
    CIWA-B (beyond the escalation's 8 h) are not paired with it."""
    plan = _diazepam_plan(date(2025, 3, 3))
    day = date(2025, 3, 20)
    severe_then_mild = [
        Observation(at=datetime(2025, 3, 20, 10), scores=(score("ciwa-b", CIWA_44),)),
        Observation(at=datetime(2025, 3, 20, 11), vitals=ABNORMAL),
        Observation(at=datetime(2025, 3, 20, 12), scores=(score("ciwa-b", [1] * 20),)),
    ]
    assert advise(plan, severe_then_mild, day).action != "escalate"
    hours = escalation_rule().overdue_hours
    apart = [
        Observation(at=datetime(2025, 3, 20, 1), scores=(score("ciwa-b", CIWA_44),)),
        Observation(at=datetime(2025, 3, 20, 1 + hours + 1), vitals=ABNORMAL),
    ]
    assert advise(plan, apart, day).action != "escalate"
