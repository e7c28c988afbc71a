"""``benzodetox plan``: readable by default, JSON/CSV on request, exit 2 on bad input."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
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


# --- issue 10: a plan, not a refusal; every warning in JSON; no traceback ----------------------


def plan_json(*args: str) -> dict:
    result = run("plan", *args, "--start", "2026-12-01", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_zolpidem_under_asam_gets_a_plan_that_switches_to_diazepam_and_says_so():
    """US zolpidem 5 and 10 mg tablets cannot make a 5–10 % step: the plan goes on with
    diazepam (before this issue: refused)."""
    data = plan_json("--take", "zolpidem 10 mg at 22:00", "--strategy", "asam")
    assert data["steps"][-1]["kind"] == "stop"
    assert any("switches to diazepam" in w for w in data["warnings"])
    assert [a["key"] for a in data["alternatives"]] == ["switch_to_diazepam"]
    assert data["alternatives"][0]["options"] == ["--switch-to diazepam"]


def test_zopiclone_deprescribing_in_the_uk_gets_a_plan_with_no_cut_above_half():
    """deprescribing.org from zopiclone 7.5 mg (before this issue: refused)."""
    data = plan_json(
        "--take", "zopiclone 7.5 mg at 22:00", "--strategy", "deprescribing", "--market", "uk"
    )
    steps = data["steps"]
    assert steps[-1]["kind"] == "stop"
    assert all(Decimal(s["reduction_percent"]) <= 50 for s in steps[:-1])


def test_every_step_states_its_range_and_the_cut_it_makes():
    data = plan_json("--take", "diazepam 20 mg at 22:00")
    reductions = [s for s in data["steps"] if s["kind"] == "reduction"]
    assert reductions[0]["range"] == "5–10 %"
    for step in reductions:
        cut = format(Decimal(step["reduction_percent"]).normalize(), "f")
        assert f"this step cuts {cut} %" in step["notes"][0]


def test_a_regimen_above_the_label_maximum_is_a_warning_in_the_json():
    """Alprazolam 12 mg/day is above its US label maximum (10 mg/day): accepted, and said in
    the plan's warnings, not only on stderr."""
    takes = ["--take", "alprazolam 6 mg at 08:00", "--take", "alprazolam 6 mg at 22:00"]
    data = plan_json(*takes, "--switch-to", "diazepam")
    assert any("above its label maximum" in w for w in data["warnings"])


def test_custom_steps_get_the_plausibility_limit_and_the_ceiling():
    """--step 500 mg from diazepam 5 mg is refused as --take would be; a stop from 20 mg needs an
    override reason, and with one it is a warning on the stop and in the plan."""
    implausible = run("plan", "--take", "diazepam 5 mg at 22:00", "--strategy", "custom",
                      "--step", "500 mg x 28d")
    assert implausible.exit_code == 2 and "step 1 mg" in implausible.output
    steps = ["--strategy", "custom", "--step", "20 mg x 14d", "--step", "0 mg x 1d"]
    refused = run("plan", "--take", "diazepam 20 mg at 22:00", *steps)
    assert refused.exit_code == 2 and "step 2 mg" in refused.output
    assert "override" in refused.output
    data = plan_json("--take", "diazepam 20 mg at 22:00", *steps, "--override-reason", "admitted")
    assert data["steps"][-1]["warnings"] and "admitted" in data["steps"][-1]["warnings"][0]
    assert any("stops abruptly from 20 mg" in w for w in data["warnings"])


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--take", "diazepam 20 mg at 22:00", "--start", "9999-12-31"], "start"),
        (["--take", "diazepam 20 mg at 22:00", "--output", "/nonexistent/plan.json"], "output"),
    ],
)
def test_dates_beyond_the_calendar_and_unwritable_outputs_exit_2_in_one_line(args, field):
    result = run("plan", *args)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {field}:") and result.output.count("\n") == 1


def test_a_plan_file_nested_too_deeply_is_refused_by_name(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    result = run("plan", "--plan", str(deep))
    assert result.exit_code == 2 and result.output.startswith("Error: plan:")


def test_the_pharmacy_order_comes_per_week_as_csv_and_as_a_pdf_order(tmp_path):
    """--supply-days 7 gives 7-day periods whose quantities cover exactly the doses of those
    days; with --format pdf it writes the pharmacy order (not the handout); 10 days is refused
    naming the allowed periods."""
    take = ("--take", "diazepam 20 mg at 22:00", "--start", "2026-01-05")
    result = run("plan", *take, "--format", "csv", "--supply-days", "7")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and {r["days"] for r in rows[:-1]} == {"7"}
    assert rows[0]["period_start"] == "2026-01-05" and rows[0]["period_end"] == "2026-01-11"
    tablets = [r for r in rows if r["form"] == "tablet"]
    assert tablets and all(f"({r['units']}) tablet" in r["total_in_words"] for r in tablets)
    pdf = tmp_path / "order.pdf"
    run("plan", *take, "--format", "pdf", "--supply-days", "28", "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert "Pharmacy order" in text and "Your taper plan" not in text
    refused = CliRunner().invoke(cli, ["plan", *take, "--format", "csv", "--supply-days", "10"])
    assert refused.exit_code == 2 and "'1', '7', '14', '28', 'step'" in refused.output
