"""`benzodetox simulate`: output shapes for every format; bad input exits 2 naming the option."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from benzodetox.cli.main import cli

DIAZEPAM = ("--take", "diazepam 10 mg at 08:00", "--no-taper")


def run(*args: str):
    return CliRunner().invoke(cli, ["simulate", *args])


def test_json_has_time_concentrations_assumptions_and_warnings():
    """--format json: time_h[], concentration_ng_ml per drug and metabolite, assumptions[]
    naming the metabolite-fraction assumption, warnings[]."""
    result = run(*DIAZEPAM, "--days", "10", "--stop-after-days", "5", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["time_h"]) == 10 * 24 + 1
    assert set(data["concentration_ng_ml"]) == {"diazepam", "desmethyldiazepam"}
    assert all(len(v) == len(data["time_h"]) for v in data["concentration_ng_ml"].values())
    assert any("metabolite_fraction" in a for a in data["assumptions"])
    assert isinstance(data["warnings"], list)


def test_a_taper_plan_is_simulated_with_per_step_occupancy():
    """Plan options build the plan; --ed50 gives occupancy per step and as a series."""
    result = run(
        "--take", "diazepam 10 mg at 08:00", "--take", "diazepam 10 mg at 20:00",
        "--start", "2025-01-01", "--ed50", "40 mg/day", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    steps = data["occupancy"]["steps"]["40 mg/day"]
    dose = steps[0]["diazepam_eq_mg"]
    assert steps[0]["occupancy_percent"] == pytest.approx(100 * dose / (40 + dose), abs=0.01)
    assert any(s["change_points"] < 0 for s in steps)
    assert data["occupancy"]["ed50"][0]["label"] == "user assumption"
    assert "40 mg/day" in data["occupancy"]["series"]


def test_population_mode_adds_an_ordered_band():
    """--population N --seed S: median and 5–95 % per series, p5 ≤ median ≤ p95."""
    result = run(*DIAZEPAM, "--days", "7", "--population", "300", "--seed", "4", "--format", "json")
    assert result.exit_code == 0, result.output
    band = json.loads(result.stdout)["population"]["series"]["diazepam"]
    assert all(a <= b <= c for a, b, c in zip(band["p5"], band["median"], band["p95"], strict=True))


def test_flumazenil_alone_is_simulated_in_research_mode():
    """A 1 mg/24h infusion for 7 days: steady state ≈ 0.6 ng/mL; Rec 14 among the warnings."""
    result = run("--flumazenil-infusion", "1 mg/24h", "--flumazenil-days", "7", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["flumazenil"]["steady_state_ng_ml"] == pytest.approx(0.595, abs=0.001)
    assert any("Recommendation 14" in w for w in data["warnings"])


def test_csv_has_one_row_per_hour_and_a_column_per_series():
    """--format csv: header time_h, <series>_ng_ml …; one row per grid point."""
    result = run(*DIAZEPAM, "--days", "2", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 49
    assert {"time_h", "diazepam_ng_ml", "desmethyldiazepam_ng_ml"} <= set(rows[0])


def test_svg_and_png_charts_are_written(tmp_path):
    """--format svg writes an SVG document; --format png a PNG file (needs --output)."""
    svg = run(*DIAZEPAM, "--days", "3", "--occupancy", "--format", "svg")
    assert svg.exit_code == 0, svg.output
    assert svg.stdout.startswith("<svg") and "desmethyldiazepam" in svg.stdout
    target = tmp_path / "chart.png"
    png = run(*DIAZEPAM, "--days", "3", "--format", "png", "--output", str(target))
    assert png.exit_code == 0, png.output
    assert target.read_bytes().startswith(b"\x89PNG")
    assert run(*DIAZEPAM, "--format", "png").exit_code == 2


def test_the_default_table_shows_daily_ranges_warnings_and_assumptions():
    """Table output: a row per day and the assumptions list."""
    result = run(*DIAZEPAM, "--days", "3")
    assert result.exit_code == 0, result.output
    assert "diazepam min–max ng/mL" in result.stdout
    assert "assumptions:" in result.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ((*DIAZEPAM, "--days", "-1"), "days"),
        ((*DIAZEPAM, "--stop-after-days", "-2"), "stop-after-days"),
        (("--take", "zolpidem 10 mg at 22:00", "--no-taper"), "drug"),
        (("--take", "nosuchdrug 1 mg at 08:00", "--no-taper"), "drug"),
        (("--flumazenil-infusion", "quickly"), "flumazenil-infusion"),
        (("--flumazenil-infusion", "50 mg/24h"), "flumazenil-infusion"),
        (("--flumazenil-infusion", "1 mg/24h", "--flumazenil-days", "0"), "flumazenil-days"),
        ((*DIAZEPAM, "--ed50", "lots"), "ed50"),
        ((*DIAZEPAM, "--population", "-5"), "population"),
        ((*DIAZEPAM, "--age", "3"), "age"),
        ((*DIAZEPAM, "--cv-clearance", "9"), "cv"),
        ((*DIAZEPAM, "--metabolite-fraction", "2"), "metabolite-fraction"),
        ((), "take"),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_the_option(args, option):
    """Negative days, unknown drugs, malformed or out-of-range rates: exit 2, no traceback."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert "Traceback" not in result.output


PLAN_3_DAYS = ("--take", "diazepam 10 mg at 08:00", "--start", "2026-01-05", "--days", "3")


def test_a_plan_starts_from_steady_state_with_its_band_and_flumazenil_from_day_one():
    """With the run-in cut, the population band spans the same grid as the curve and starts
    above zero, and a flumazenil infusion starts at hour 0 of the plan's day 1 (not in the
    run-in)."""
    result = run(
        *PLAN_3_DAYS, "--population", "50", "--seed", "1",
        "--flumazenil-infusion", "1 mg/24h", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    grid = len(data["time_h"])
    assert grid == 3 * 24 + 1 and data["time_h"][0] == 0
    band = data["population"]["series"]["diazepam"]
    assert len(band["median"]) == grid and band["p5"][0] > 0
    flumazenil = data["concentration_ng_ml"]["flumazenil"]
    assert len(flumazenil) == grid and flumazenil[0] == 0 and flumazenil[-1] > 0
    assert any(a.startswith("run-in = 42 days") for a in data["assumptions"])


def test_the_table_says_whether_the_plan_starts_from_a_steady_state():
    """The table's header names the run-in, or the empty body with --no-run-in."""
    assert "42-day run-in" in run(*PLAN_3_DAYS).stdout
    assert "from an empty body" in run(*PLAN_3_DAYS, "--no-run-in").stdout
