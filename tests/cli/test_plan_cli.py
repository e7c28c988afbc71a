"""``benzodetox plan``: readable by default, JSON/CSV on request, exit 2 on bad input."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from benzodetox.cli.main import cli

ALPRAZOLAM = ["--take", "alprazolam 0.5 mg at 08:00", "--take", "alprazolam 0.5 mg at 22:00"]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_table_names_the_equivalence_table_even_when_defaulted():
    result = run("plan", *ALPRAZOLAM, "--switch-to", "diazepam", "--start", "2026-12-01")
    assert result.exit_code == 0
    assert "source: ashton-2002 (default; choose with --source)" in result.output
    assert "crossover" in result.output and "2026-12-01" in result.output


def test_the_json_plan_has_exact_doses_and_the_documented_fields():
    result = run(
        "plan",
        *ALPRAZOLAM,
        "--switch-to",
        "diazepam",
        "--source",
        "vadod-2021",
        "--start",
        "2026-12-01",
        "--format",
        "json",
    )
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["source"] == "vadod-2021" and data["source_defaulted"] is False
    assert Decimal(data["diazepam_eq_mg_per_day"]) == 10
    assert data["steps"][0]["start"] == "2026-12-01"
    for step in data["steps"]:
        for dose in step["doses"]:
            assert sum(Decimal(t["mg"]) for t in dose["take"]) == Decimal(dose["mg"])
    assert data["steps"][-1]["diazepam_eq_mg"] == "0"


def test_the_csv_has_one_row_per_dose(tmp_path):
    out = tmp_path / "plan.csv"
    result = run(
        "plan",
        "--take",
        "diazepam 10 mg at 22:00",
        "--start",
        "2026-12-01",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[0]["time"] == "22:00" and rows[0]["mg"] == "9"
    assert rows[-1]["kind"] == "stop"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--take", "alprazlam 1 mg at 08:00"], "did you mean alprazolam"),
        (["--take", "alprazolam 1 gram at 08:00"], "unit"),
        (["--take", "alprazolam 0 mg at 08:00"], "greater than zero"),
        (["--take", "alprazolam -1 mg at 08:00"], "take"),
        (["--take", "alprazolam 50 mg at 08:00"], "up to 40 mg/day"),
        (["--take", "alprazolam 1 mg at 25:00"], "HH:MM"),
        (
            ["--take", "diazepam 10 mg at 08:00", "--strategy", "ashton", "--percent", "5"],
            "percent",
        ),
        (["--take", "diazepam 10 mg at 08:00", "--every", "fortnightly"], "every"),
        (["--take", "diazepam 10 mg at 08:00", "--switch-first", "08:00"], "switch_first"),
        (["--take", "alprazolam 1 mg at 08:00", "--source", "norway-2021"], "basis"),
        (["--take", "diazepam 10 mg at 08:00", "--start", "2026-13-01"], "start"),
        (["--take", "diazepam 10 mg at 08:00", "--percent", "40"], "percent"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(args, words):
    result = CliRunner().invoke(cli, ["plan", *args])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_a_saved_plan_can_be_read_back(tmp_path):
    saved = tmp_path / "plan.json"
    run(
        "plan",
        "--take",
        "diazepam 10 mg at 22:00",
        "--start",
        "2026-12-01",
        "--format",
        "json",
        "--output",
        str(saved),
    )
    again = run("plan", "--plan", str(saved), "--format", "json")
    assert json.loads(again.output)["steps"] == json.loads(saved.read_text())["steps"]
