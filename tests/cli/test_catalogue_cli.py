"""`benzodetox drugs` and `benzodetox convert`: output shapes, and bad input exits 2."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from benzodetox.cli.main import cli
from benzodetox.core.catalogue import catalogue


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def status(drug: str) -> str:
    """How the CLI must call ``drug``'s label maximum: 'confirmed' or 'unconfirmed', as the
    catalogue records it (so these tests follow the data as figures get confirmed)."""
    return "confirmed" if catalogue().drug(drug).max_daily.confirmed else "unconfirmed"


def test_convert_json_has_the_documented_shape():
    """convert --format json: source, diazepam_eq_mg_per_day, range {lo, hi}, drugs[] with
    per-table detail, warnings[]; numbers are decimal strings."""
    result = run(
        "convert", "--take", "alprazolam 1 mg at 08:00", "--source", "vadod-2021",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "vadod-2021"
    assert data["source_defaulted"] is False
    assert Decimal(data["diazepam_eq_mg_per_day"]) == 10
    assert {k: Decimal(v) for k, v in data["range"].items()} == {"lo": 10, "hi": 20}
    (drug,) = data["drugs"]
    assert drug["drug"] == "alprazolam"
    assert Decimal(drug["daily_mg"]) == 1
    assert drug["figure"]["table"] == "vadod-2021"
    assert Decimal(drug["diazepam_eq_mg"]) == 10
    assert Decimal(drug["per_table"]["ashton-2002"]["hi"]) == 20
    assert Decimal(drug["span_ratio"]) == 2
    assert drug["disagreement"] is True
    assert isinstance(data["warnings"], list) and data["warnings"]
    assert all(isinstance(v, str) for v in (drug["daily_mg"], drug["diazepam_eq_mg"]))


def test_convert_says_visibly_when_the_table_was_defaulted():
    """Without --source the table is ashton-2002 and the output says so."""
    result = run("convert", "--take", "alprazolam 1 mg at 08:00")
    assert result.exit_code == 0, result.output
    assert "source: ashton-2002 (default; choose with --source)" in result.stdout
    result = run("convert", "--take", "alprazolam 1 mg at 08:00", "--format", "json")
    assert json.loads(result.stdout)["source_defaulted"] is True


def test_convert_sums_several_takes_and_drugs():
    """Two alprazolam doses and one clonazepam dose under Ashton: 20 + 10 = 30 mg/day."""
    result = run(
        "convert", "--take", "alprazolam 0.5 mg at 08:00", "--take", "alprazolam 500 mcg at 20:00",
        "--take", "Klonopin 0.5 mg at 22:00", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert Decimal(data["diazepam_eq_mg_per_day"]) == 30
    assert [d["drug"] for d in data["drugs"]] == ["alprazolam", "clonazepam"]


def test_convert_csv_has_one_row_per_drug(tmp_path):
    """--format csv --output FILE writes a header and one row per drug to the file."""
    out = tmp_path / "conv.csv"
    result = run(
        "convert", "--take", "lorazepam 1 mg at 08:00", "--source", "who-2009",
        "--format", "csv", "--output", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 1
    assert rows[0]["drug"] == "lorazepam"
    assert Decimal(rows[0]["diazepam_eq_mg"]) == 10


def test_a_range_without_a_basis_exits_2_naming_the_range():
    """Norway 2021 gives alprazolam as a range: --basis is required and the message says why."""
    result = run("convert", "--take", "alprazolam 1 mg at 08:00", "--source", "norway-2021")
    assert result.exit_code == 2
    assert "basis" in result.output and "0.5–1 mg alprazolam" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("take", "expected"),
    [
        ("alprazolom 1 mg at 08:00", "did you mean alprazolam"),
        ("alprazolam 1 g at 08:00", "unit: 'g'"),
        ("alprazolam 0 mg at 08:00", "greater than zero"),
        ("alprazolam -1 mg at 08:00", "'DRUG AMOUNT UNIT at HH:MM'"),
        ("alprazolam 41 mg at 08:00", f"up to 40 mg/day (4× the {status('alprazolam')} label"),
        ("alprazolam 1 mg at 8h", "time"),
        ("alprazolam 1 mg at 24:30", "HH:MM"),
    ],
)
def test_bad_takes_exit_2_with_one_clear_message(take, expected):
    """Unknown drug (with suggestion), unknown unit, zero or negative amount, an amount above the
    plausible maximum, and a malformed time each exit 2 with one message, never a traceback."""
    result = run("convert", "--take", take)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert result.output.count("Error:") == 1


def test_the_maximum_applies_to_the_total_per_day():
    """Two 21 mg alprazolam doses (42 mg/day) are refused though each is below 40 mg."""
    result = run(
        "convert", "--take", "alprazolam 21 mg at 08:00", "--take", "alprazolam 21 mg at 20:00"
    )
    assert result.exit_code == 2
    assert "42 mg/day of alprazolam" in result.output


def test_a_dose_above_the_label_maximum_is_accepted_with_a_warning():
    """Dependent patients often take more than a label allows (zopiclone 15 mg against a 7.5 mg
    label maximum): the entry stands, with a warning naming the maximum and its source."""
    result = CliRunner().invoke(
        cli, ["convert", "--take", "zopiclone 15 mg at 22:00", "--source", "ashton-2002"]
    )
    assert result.exit_code == 0
    assert f"above the {status('zopiclone')} label maximum of 7.5 mg/day" in result.stderr


def test_an_unknown_source_exits_2_naming_the_tables():
    """--source bnf is refused with the five tables listed."""
    result = run("convert", "--take", "alprazolam 1 mg at 08:00", "--source", "bnf")
    assert result.exit_code == 2
    assert "source: 'bnf'" in result.output
    assert "ashton-2002, vadod-2021, scotland-2024, who-2009, norway-2021" in result.output


def test_a_table_that_does_not_list_the_drug_exits_2_with_the_tables_that_do():
    """VA/DoD does not list zaleplon: the message names the tables that do."""
    result = run("convert", "--take", "zaleplon 10 mg at 22:00", "--source", "vadod-2021")
    assert result.exit_code == 2
    assert "tables that do: ashton-2002" in result.output


def test_drugs_lists_all_25_with_the_disagreement_flag():
    """The list shows every drug with ⚠ on the 16 whose tables disagree by 1.5× or more."""
    result = run("drugs")
    assert result.exit_code == 0, result.output
    assert "midazolam_oral" in result.stdout and "eszopiclone" in result.stdout
    assert result.stdout.count("⚠") == 16 + 1  # 16 drugs and the legend


def test_drugs_card_shows_sources_conflicts_spans_and_products():
    """alprazolam's card: conflict on duration, figures per table with labels, span ⚠, the
    maximum (marked unconfirmed only if it is), and products of the chosen market only."""
    result = run("drugs", "Xanax", "--market", "us")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "CONFLICT" in out
    assert "ashton-2002" in out and "[V]" in out and "vadod-2021" in out
    assert "⚠" in out
    assert "plausible maximum: 10 mg/day" in out
    assert ("10 mg/day (unconfirmed" in out) is (status("alprazolam") == "unconfirmed")
    assert "products (us)" in out and "products (uk)" not in out
    assert "greenblatt-wright-1993" in out


def test_drugs_card_json_has_equivalence_and_products():
    """drugs NAME --format json: equivalence per table with label and doubled, span, products."""
    result = run("drugs", "diazepam", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["drug"] == "diazepam"
    assert data["equivalence"]["scotland-2024"]["doubled"] is True
    assert data["span"]["disagreement"] is False
    assert data["max_daily"] == {
        "mg": "60",
        "source": "max-diazepam",
        "confirmed": status("diazepam") == "confirmed",
    }
    uk2 = next(p for p in data["products"] if p["id"] == "uk-diazepam-tab-2")
    assert uk2["split_parts"] == 2 and uk2["confirmed"] is False
    liquids = [p for p in data["products"] if p["form"] == "liquid"]
    assert liquids and all(p["smallest_ml"] == "0.1" for p in liquids)


def test_an_unknown_drug_name_exits_2_with_a_suggestion():
    """drugs 'lorazepan' suggests lorazepam."""
    result = run("drugs", "lorazepan")
    assert result.exit_code == 2
    assert "did you mean lorazepam" in result.output
