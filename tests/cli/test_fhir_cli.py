"""``benzodetox plan --format fhir`` (a valid Bundle of the plan's MedicationRequests) and
``benzodetox fhir import FILE`` (the draft regimen; a refused entry exits 2 naming it)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner

from benzodetox.cli.fhir import commands as fhir_commands
from benzodetox.cli.main import Group, cli
from tests.interop.fhir.validate import valid, valid_bundle

ALPRAZOLAM = ["--take", "alprazolam 0.5 mg at 08:00", "--take", "alprazolam 1 mg at 22:00"]


def _with_fhir() -> click.Group:
    """The CLI with the fhir group, whether or not main.py lists it yet."""
    group = Group(commands=dict(cli.commands))
    for command in fhir_commands:
        group.add_command(command)
    return group


def run(*args: str) -> Any:
    return CliRunner().invoke(_with_fhir(), list(args), catch_exceptions=False)


def _plan_bundle(*extra: str) -> dict[str, Any]:
    result = run(
        "plan", *ALPRAZOLAM, "--switch-to", "diazepam", "--start", "2026-12-07",
        "--format", "fhir", *extra,
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output, parse_float=Decimal)
    return data


def test_plan_as_fhir_is_a_valid_bundle_of_draft_requests() -> None:
    data = _plan_bundle()
    resources = valid_bundle(data)
    assert data["type"] == "collection"
    assert [r.get_resource_type() for r in resources] == ["MedicationRequest"] * len(resources)
    assert {r.status for r in resources} == {"draft"}
    drugs = [r.medicationCodeableConcept.text for r in resources]
    assert any("lprazolam" in d for d in drugs) and any("iazepam" in d for d in drugs)
    first = resources[0].dosageInstruction[0]
    assert str(first.timing.repeat.boundsPeriod.start) == "2026-12-07"
    assert resources[0].dispenseRequest.dispenseInterval.value == 28


def test_plan_as_fhir_per_step_with_weekly_supply() -> None:
    data = _plan_bundle("--fhir-shape", "per-step", "--supply-days", "7")
    resources = valid_bundle(data)
    assert all(len(r.dosageInstruction) == 1 for r in resources)
    assert len({r.groupIdentifier.value for r in resources}) == 1


def test_plan_as_fhir_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = run("plan", *ALPRAZOLAM, "--format", "fhir", "--output", str(out))
    assert result.exit_code == 0
    valid(json.loads(out.read_text(encoding="utf-8")))


def test_import_prints_the_draft_of_a_plan_on_a_step_day(tmp_path: Path) -> None:
    """Round trip: the plan's Bundle read on its first day gives the first step's doses."""
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan_bundle(), default=str), encoding="utf-8")
    result = run("fhir", "import", str(path), "--on", "2026-12-07", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["refused"] == []
    assert {(r["drug"], r["time"]) for r in data["regimen"]} >= {("alprazolam", "08:00")}
    table = run("fhir", "import", str(path), "--on", "2026-12-07")
    assert "as plan options: --take 'alprazolam" in table.output


def test_a_refused_entry_exits_2_and_is_named(tmp_path: Path) -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "id": "ssri",
        "status": "active",
        "subject": {"display": "A. B."},
        "medicationCodeableConcept": {"text": "sertraline 50 mg"},
        "dosage": [{"timing": {"repeat": {"timeOfDay": ["08:00:00"]}},
                    "doseAndRate": [{"doseQuantity": {"value": 50, "unit": "mg"}}]}],
    }
    path = tmp_path / "ehr.json"
    path.write_text(json.dumps(statement), encoding="utf-8")
    result = CliRunner().invoke(_with_fhir(), ["fhir", "import", str(path)])
    assert result.exit_code == 2
    assert "MedicationStatement/ssri: unknown medication" in result.output


def test_not_fhir_or_not_json_exits_2_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    patient = tmp_path / "patient.json"
    patient.write_text('{"resourceType": "Patient"}', encoding="utf-8")
    for path, words in ((bad, "file:"), (patient, "fhir: 'Patient' is not allowed")):
        result = CliRunner().invoke(_with_fhir(), ["fhir", "import", str(path)])
        assert result.exit_code == 2
        assert words in result.output
    result = CliRunner().invoke(_with_fhir(), ["fhir", "import", str(patient), "--on", "soon"])
    assert result.exit_code == 2 and "on: 'soon'" in result.output
