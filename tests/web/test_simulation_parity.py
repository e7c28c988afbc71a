"""The web's Pharmacology page and `benzodetox simulate --plan` draw the same curves for the same
plan: both call the core's one plan simulation (``core.kinetics.plan_run``), from a steady state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from django.urls import reverse

from benzodetox.cli.main import cli
from benzodetox.core.kinetics.plan_run import RUN_IN_DAYS


def _sig(values: Any, digits: int) -> list[float]:
    return [float(f"{v:.{digits}g}") for v in values.tolist()]


def test_the_web_page_and_the_cli_produce_identical_curves_for_one_saved_plan(
    client_for, nurse, version_a, tmp_path: Path
):
    """The page's simulation of version A (age 55 from the record, no liver impairment, the
    illustration ED50s) and the CLI's JSON for the same plan file with --age 55 --occupancy
    have the same time grid, the same concentration of every series and the same occupancy."""
    response = client_for(nurse).get(
        reverse("plans:pharmacology", args=[version_a.patient_id, version_a.number])
    )
    assert response.status_code == 200
    web = response.context["results"][0].sim
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(version_a.plan), encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["simulate", "--plan", str(plan_file), "--age", "55", "--occupancy", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["plan"]["run_in_days"] == RUN_IN_DAYS
    assert data["time_h"] == _sig(web.time_h, 8)
    assert set(data["concentration_ng_ml"]) == set(web.concentration)
    for name, values in web.concentration.items():
        assert data["concentration_ng_ml"][name] == _sig(values, 5), name
    assert web.occupancy is not None
    for name, values in web.occupancy.series.items():
        assert data["occupancy"]["series"][name] == _sig(values, 4), name
    # day 1 starts from a steady state, not from an empty body
    assert min(data["concentration_ng_ml"]["diazepam"][:24]) > 0


def test_without_the_run_in_the_cli_starts_from_an_empty_body(version_a, tmp_path: Path):
    """--no-run-in is the only way to the old curve: hour 0 is then zero, and the JSON says so."""
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(version_a.plan), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["simulate", "--plan", str(plan_file), "--no-run-in", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["plan"]["run_in_days"] == 0
    assert data["concentration_ng_ml"]["diazepam"][0] == 0
    assert any("no run-in" in a for a in data["assumptions"])
