"""`benzodetox score`, `assess` and `advise`: output shapes, and bad input exits 2 naming the
field, never with a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from benzodetox.cli.main import cli

INTAKE = {
    "age": 67,
    "regimen": [
        {"drug": "alprazolam", "mg": 0.5, "time": "08:00"},
        {"drug": "alprazolam", "mg": 0.5, "time": "22:00"},
    ],
    "duration_months": 18,
    "days_per_week": 7,
    "source": "ashton-2002",
    "history": {"withdrawal_seizure": False, "withdrawal_delirium": False},
    "substances": {"alcohol_use_disorder": False, "opioids": True, "other_sedatives": False},
    "conditions": ["bipolar"],
    "pregnant": False,
    "support_at_home": True,
}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def write(tmp_path: Path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def test_score_json_has_instrument_total_band_and_flags():
    """score phq-9 … --format json: band from Kroenke 2001, suicidality flag from item 9."""
    result = run("score", "phq-9", *["1"] * 8, "2", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["instrument"], data["total"], data["band"]) == ("phq-9", 10, "moderate")
    assert data["flags"] == ["suicidality"]


def test_score_bwsq_has_a_null_band_and_ciwa_b_carries_its_note():
    """BWSQ has no bands (null); CIWA-B says 'monitoring scale, not validated for dosing'."""
    bwsq = json.loads(run("score", "bwsq", *["1"] * 20, "--format", "json").output)
    assert bwsq["band"] is None
    ciwa = json.loads(run("score", "ciwa-b", *["2"] * 20, "--format", "json").output)
    assert ciwa["band"] == "moderate" and ciwa["band_confirmed"] is False
    assert "monitoring scale, not validated for dosing" in [n["text"] for n in ciwa["notes"]]


@pytest.mark.parametrize(
    ("args", "field"),
    [(["gad-7", "1", "1"], "item 3"), (["gad-7", *["1"] * 6, "4"], "item 7"),
     (["gad-7", *["1"] * 8], "item 8"), (["gad-7", *["1"] * 6, "x"], "item 7")],
)
def test_score_refuses_bad_answers_with_exit_2_naming_the_item(args, field):
    """Missing, out-of-range, extra and non-numeric answers → exit 2, item named."""
    result = run("score", *args)
    assert result.exit_code == 2
    assert field in result.output and "Traceback" not in result.output


def test_assess_json_has_risk_level_of_care_and_sourced_reasons(tmp_path):
    """assess --intake FILE --format json → headlines, risk, level_of_care, reasons[] with
    sources; opioids with the benzodiazepine make it specialist supervision at 2-WM."""
    result = run("assess", "--intake", write(tmp_path, "i.json", INTAKE), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["risk"] == "high" and data["level_of_care"] == "outpatient"
    assert data["wm_level"] == "2-WM" and data["specialist_supervision"] is True
    assert data["headline"].startswith("High risk: ")
    assert data["level_of_care_headline"].startswith("Outpatient care, 2-WM, under specialist")
    assert all(r["source"] for r in data["reasons"])
    assert any(r["confirmed"] is False for r in data["reasons"])
    assert any("Rec 17" in p["rec"] for p in data["prompts"])


def test_assess_table_output_marks_unconfirmed_reasons(tmp_path):
    """The default table output names the risk and flags unconfirmed rules."""
    result = run("assess", "--intake", write(tmp_path, "i.json", INTAKE))
    assert result.exit_code == 0
    assert "risk: high" in result.output and "[unconfirmed]" in result.output


def test_assess_table_output_starts_with_the_risk_then_the_care_headline(tmp_path):
    """Line 1 names the risk level first, line 2 the setting under specialist supervision
    with 'no support at home' among its reasons, exactly as the core words them."""
    intake = {**INTAKE, "support_at_home": False}
    lines = run("assess", "--intake", write(tmp_path, "i.json", intake)).output.splitlines()
    assert lines[0] == (
        "High risk: 20 mg diazepam-equivalent a day (high dose), 7 days a week for 18 months; "
        "raised by age 65 or over (67), opioids taken with the benzodiazepine, short-acting, "
        "high-potency benzodiazepine: alprazolam, bipolar disorder"
    )
    assert lines[1] == (
        "Residential care, 3.2-WM, under specialist supervision: polydrug use: opioids taken "
        "with the benzodiazepine; no support at home"
    )


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"age": 40,', "--intake"),
        ("[1, 2]", "intake"),
        ({**INTAKE, "age": "old"}, "age"),
        ({**INTAKE, "conditions": ["gout"]}, "conditions[0]"),
        ({**INTAKE, "regimen": [{"drug": "alprazolam", "mg": 1}]}, "regimen[0].time"),
        ({k: v for k, v in INTAKE.items() if k != "source"}, "source"),
        ({**INTAKE, "source": "guesswork"}, "source"),
        ({**INTAKE, "substances": {"opioids": "yes"}}, "substances.opioids"),
        ({**INTAKE, "regimen": [{"drug": "diazepam", "mg": 5000, "time": "08:00"}]}, "regimen"),
    ],
)
def test_assess_refuses_bad_intakes_with_exit_2_naming_the_field(tmp_path, content, field):
    """Malformed JSON, wrong types, unknown names, missing fields → exit 2, no traceback."""
    result = run("assess", "--intake", write(tmp_path, "bad.json", content))
    assert result.exit_code == 2, result.output
    assert f"{field}:" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, KeyError)


def test_assess_with_a_missing_file_exits_2():
    """A file that does not exist is named."""
    result = run("assess", "--intake", "/nonexistent/intake.json")
    assert result.exit_code == 2 and "--intake" in result.output


@pytest.fixture()
def plan_file(tmp_path):
    result = run(
        "plan", "--take", "diazepam 20 mg at 22:00", "--source", "ashton-2002",
        "--start", "2025-03-03", "--format", "json", "--output", str(tmp_path / "plan.json"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(tmp_path / "plan.json")


def test_advise_returns_the_advice_and_the_proposed_plan(tmp_path, plan_file):
    """CIWA-B 25 two days after the 2025-03-17 reduction → hold, with a longer proposed plan."""
    assessments = {
        "assessments": [
            {"at": "2025-03-19T10:00", "scores": {"ciwa-b": [2] * 10 + [1] * 5 + [0] * 5}}
        ]
    }
    result = run(
        "advise", "--plan", plan_file, "--assessments", write(tmp_path, "a.json", assessments),
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["action"] == "hold" and data["adjustment"]["kind"] == "hold"
    original = json.loads(Path(plan_file).read_text("utf-8"))
    assert len(data["proposed_plan"]["steps"]) >= len(original["steps"])


def test_advise_on_a_given_day_with_no_symptoms_proceeds(tmp_path, plan_file):
    """--on picks the day; an empty assessment list proceeds (and says to assess, Rec 9)."""
    result = run(
        "advise", "--plan", plan_file, "--assessments", write(tmp_path, "a.json", []),
        "--on", "2025-04-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "proceed" in result.output and "Rec 9" in result.output


@pytest.mark.parametrize(
    ("plan", "assessments", "on", "field"),
    [
        (None, "{bad", None, "--assessments"),
        (None, [{"at": "2025-03-19T10:00", "events": ["fainting"]}], None,
         "assessments[0].events[0]"),
        (None, [{"at": "2025-03-19T10:00", "scores": {"ciwa-b": [5] * 20}}], None,
         "assessments[0].scores.ciwa-b.item 1"),
        (None, [{"at": "2025-03-19T10:00", "scores": {"ciwa-b": 0.5}}], None, "--assessments"),
        (None, [], "01/04/2025", "--on"),
        (None, [], None, "--on"),
        ({"steps": "nope"}, [], "2025-04-01", "steps"),
        ("[1]", [], "2025-04-01", "--plan"),
    ],
)
def test_advise_refuses_bad_input_with_exit_2_naming_the_field(
    tmp_path, plan_file, plan, assessments, on, field
):
    """Bad plan, assessments or date → exit 2 with the field named, never a traceback."""
    plan_path = plan_file if plan is None else write(tmp_path, "p.json", plan)
    args = ["advise", "--plan", plan_path, "--assessments", write(tmp_path, "a.json", assessments)]
    if on is not None:
        args += ["--on", on]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert field in result.output
    assert "Traceback" not in result.output


def test_advise_prints_escalate_for_the_issue_case(tmp_path):
    """Issue 11: past withdrawal seizure and alcohol use disorder, day 1 of a crossover,
    CIWA-B 61/80 → `advise` prints 'escalate' and lists the escalation actions."""
    plan = run(
        "plan", "--take", "alprazolam 0.5 mg at 08:00", "--take", "alprazolam 1 mg at 21:00",
        "--switch-to", "diazepam", "--start", "2025-03-03", "--format", "json",
        "--output", str(tmp_path / "plan.json"),
    )  # fmt: skip
    assert plan.exit_code == 0, plan.output
    assessments = {
        "history": ["withdrawal_seizure"],
        "substances": ["alcohol_use_disorder"],
        "assessments": [
            {"at": "2025-03-03T10:00", "scores": {"ciwa-b": [4] * 15 + [1, 0, 0, 0, 0]}}
        ],
    }
    args = ["advise", "--plan", str(tmp_path / "plan.json")]
    args += ["--assessments", write(tmp_path, "a.json", assessments)]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("advice on 2025-03-03: escalate")
    for words in ("urgent medical review", "seizure precautions", "alcohol", "level of care"):
        assert words in result.output
    data = json.loads(run(*args, "--format", "json").output)
    assert data["action"] == "escalate"
    assert [a["code"] for a in data["escalation"]["actions"]][-1] == "reassess-sooner"


def test_score_lists_the_alerts_a_result_raises_with_the_intakes_facts():
    """score ciwa-b (44, severe) --history withdrawal_seizure: a critical alert that
    escalates; without the history, a high one."""
    answers = ["3", "3", "3"] + ["2"] * 6 + ["3"] + ["2"] * 10
    with_history = run("score", "ciwa-b", *answers, "--history", "withdrawal_seizure")
    assert "alert (critical): CIWA-B 44 (severe): escalate" in with_history.output
    plain = json.loads(run("score", "ciwa-b", *answers, "--format", "json").output)
    assert [(a["severity"], a["escalated"]) for a in plain["alerts"]] == [("high", False)]


def test_score_refuses_an_unknown_history_naming_the_option():
    """--history fits → exit 2 naming --history."""
    result = run("score", "ciwa-b", *["1"] * 20, "--history", "fits")
    assert result.exit_code == 2 and "--history" in result.output
    assert "Traceback" not in result.output
