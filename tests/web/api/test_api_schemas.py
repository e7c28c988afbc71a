"""One contract: the CLI's ``--format json`` documents validate against the API's response
schemas (which forbid undeclared keys), and the OpenAPI document describes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from benzodetox.cli.main import cli
from benzodetox.web.api.schemas import (
    AdviceOut,
    AssessOut,
    ConvertOut,
    PlanOut,
    ScoreOut,
    SimulationOut,
)

ALPRAZOLAM = ["--take", "alprazolam 0.5 mg at 08:00", "--take", "alprazolam 0.5 mg at 22:00"]
INTAKE = {
    "age": 67,
    "regimen": [{"drug": "alprazolam", "mg": "0.5", "time": "08:00"}],
    "duration_months": 18,
    "days_per_week": 7,
    "source": "ashton-2002",
    "substances": {"opioids": True},
    "conditions": ["bipolar"],
}
ASSESSMENTS = {
    "history": {"withdrawal_seizure": True},
    "assessments": [{"at": "2026-12-20T10:00", "scores": {"ciwa-b": [3] * 20}}],
}


def cli_json(*args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "options",
    [
        [*ALPRAZOLAM, "--switch-to", "diazepam", "--start", "2026-12-07"],
        ["--take", "diazepam 10 mg at 08:00", "--strategy", "ashton", "--source", "who-2009",
         "--start", "2026-12-07", "--no-liquid"],
        ["--take", "lorazepam 1 mg at 22:00", "--strategy", "hyperbolic", "--plateau", "1",
         "--start", "2026-12-07"],
    ],
)
def test_the_cli_plan_validates_against_the_api_schema(options: list[str]) -> None:
    document = cli_json("plan", *options)
    assert PlanOut.model_validate(document).steps


def test_convert_and_score_documents_validate() -> None:
    ConvertOut.model_validate(cli_json("convert", *ALPRAZOLAM, "--source", "norway-2021",
                                       "--basis", "low"))
    ScoreOut.model_validate(cli_json("score", "ciwa-b", *["4"] * 20, "--history",
                                     "withdrawal_seizure"))
    ScoreOut.model_validate(cli_json("score", "phq-9", *["1"] * 9))


def test_assess_advise_and_simulate_documents_validate(tmp_path: Path) -> None:
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps(INTAKE))
    AssessOut.model_validate(cli_json("assess", "--intake", str(intake)))
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(cli_json("plan", *ALPRAZOLAM, "--start", "2026-12-07")))
    assessments = tmp_path / "assessments.json"
    assessments.write_text(json.dumps(ASSESSMENTS))
    advice = cli_json("advise", "--plan", str(plan), "--assessments", str(assessments))
    assert AdviceOut.model_validate(advice).action == advice["action"]
    simulation = cli_json("simulate", "--plan", str(plan), "--days", "20", "--occupancy")
    assert SimulationOut.model_validate(simulation).days == 20


def test_an_undeclared_key_is_a_schema_violation() -> None:
    document = cli_json("convert", *ALPRAZOLAM)
    document["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        ConvertOut.model_validate(document)
