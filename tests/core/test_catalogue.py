"""Integrity of the drug catalogue: drugs.toml, equivalence.toml, products.toml (drugs.md §1–2)."""

from __future__ import annotations

import csv
import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from benzodetox.core.catalogue import (
    EQUIVALENCE_TABLES,
    MARKETS,
    SUPPLEMENTARY_TABLES,
    Product,
    catalogue,
)
from benzodetox.core.errors import InputError

#: The reference table, kept in the repository's test data so every clone checks the figures.
REFERENCE_CSV = Path(__file__).resolve().parents[1] / "data" / "reference" / "equivalence.csv"
#: The shared reference it is copied from, beside the checkout where there is one.
SHARED_CSV = Path(__file__).resolve().parents[3] / "shared" / "reference" / "equivalence.csv"

#: The 25 drugs of drugs.md §1.2, keyed as in equivalence.csv.
REFERENCE_DRUGS = {
    "alprazolam", "bromazepam", "chlordiazepoxide", "clobazam", "clonazepam", "clorazepate",
    "diazepam", "estazolam", "flunitrazepam", "flurazepam", "ketazolam", "loprazolam",
    "lorazepam", "lormetazepam", "midazolam_oral", "nitrazepam", "oxazepam", "prazepam",
    "quazepam", "temazepam", "triazolam", "zaleplon", "zolpidem", "zopiclone", "eszopiclone",
}  # fmt: skip

#: equivalence.csv column prefix → table (source) key.
CSV_COLUMNS = {
    "ashton": "ashton-2002",
    "vadod2021_via_jcpg2025": "vadod-2021",
    "uk_scot2024": "scotland-2024",
    "uk_sps": "sps",
    "who2009": "who-2009",
    "norway2021": "norway-2021",
    "trc2024": "trc-2024",
}


def test_the_catalogue_holds_exactly_the_25_reference_drugs():
    """Every drug of drugs.md §1.2 is in drugs.toml, and nothing else."""
    assert set(catalogue().drugs) == REFERENCE_DRUGS


def test_every_equivalence_table_key_is_a_source_key():
    """The seven table names resolve in sources.toml, so every figure has its citation."""
    sources = catalogue().sources
    for table in EQUIVALENCE_TABLES + SUPPLEMENTARY_TABLES:
        assert table in sources
    for drug in catalogue().drugs.values():
        for table, fig in drug.equivalence.items():
            assert table in EQUIVALENCE_TABLES + SUPPLEMENTARY_TABLES, (drug.key, table)
            assert fig.table == table
            assert fig.label in {"V", "V2", "C"}, (drug.key, table)
            assert Decimal(0) < fig.lo_mg <= fig.hi_mg, (drug.key, table)


def test_the_jcpg_guideline_is_a_source_too():
    """The 2025 Joint Guideline, through which VA/DoD and Ashton figures were read, is cited."""
    assert "jcpg-2025" in catalogue().sources


@pytest.mark.skipif(not SHARED_CSV.exists(), reason="no ../shared/reference beside this clone")
def test_the_test_copy_of_the_reference_table_is_current():
    """Where ../shared exists, tests/data/reference/equivalence.csv is its byte-for-byte copy
    (see tests/data/reference/README.md to refresh it)."""
    assert REFERENCE_CSV.read_bytes() == SHARED_CSV.read_bytes()


def test_every_equivalence_figure_matches_the_reference_csv():
    """Each drug's figures equal equivalence.csv cell for cell, and no table is added or lost
    (drugs.md §1.4)."""
    with REFERENCE_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["drug"] for r in rows} == REFERENCE_DRUGS
    for row in rows:
        drug = catalogue().drugs[row["drug"]]
        expected = {
            table: (Decimal(row[f"{prefix}_lo_mg"]), Decimal(row[f"{prefix}_hi_mg"]))
            for prefix, table in CSV_COLUMNS.items()
            if row[f"{prefix}_lo_mg"]
        }
        actual = {t: (f.lo_mg, f.hi_mg) for t, f in drug.equivalence.items()}
        assert actual == expected, drug.key
        figures = drug.equivalence.values()
        assert min(f.lo_mg for f in figures) == Decimal(row["all_sources_min_mg"])
        assert max(f.hi_mg for f in figures) == Decimal(row["all_sources_max_mg"])
        assert bool(drug.duration_conflict) == ("CONFLICT" in row["duration_class"]), drug.key


def test_figures_from_diazepam_5_mg_tables_are_marked_doubled():
    """Scotland, SPS, WHO, Norway and TRC state equivalence per diazepam 5 mg: every one of
    their figures is marked doubled; Ashton's and VA/DoD's never are (drugs.md §1.2)."""
    per_5_mg = {"scotland-2024", "sps", "who-2009", "norway-2021", "trc-2024"}
    for drug in catalogue().drugs.values():
        for table, fig in drug.equivalence.items():
            assert fig.doubled == (table in per_5_mg), (drug.key, table)


def test_half_lives_are_ranges_with_resolving_sources():
    """Every half-life has lo <= hi hours and a source key that resolves."""
    cat = catalogue()
    for drug in cat.drugs.values():
        assert drug.half_lives, drug.key
        for h in drug.half_lives:
            assert Decimal(0) < h.lo_h <= h.hi_h, drug.key
            assert h.source in cat.sources, (drug.key, h.source)
            assert h.label in {"V", "V2", "R", "C"}


def test_drug_classes_and_duration_classes_use_the_known_words():
    """Class is benzodiazepine or z-drug; duration class is one of the UpToDate bins."""
    for drug in catalogue().drugs.values():
        assert drug.drug_class in {"benzodiazepine", "z-drug"}
        assert drug.duration_class in {"short", "short-intermediate", "intermediate", "long"}
    z_drugs = {d.key for d in catalogue().drugs.values() if d.drug_class == "z-drug"}
    assert z_drugs == {"zaleplon", "zolpidem", "zopiclone", "eszopiclone"}


#: Drugs whose label maximum no label read for issue 10 confirms: ketazolam (only its anxiety dose
#: was read) and oral midazolam (no adult oral indication anywhere).
UNCONFIRMED_MAXIMA = {"ketazolam", "midazolam_oral"}


def test_every_drug_has_a_label_maximum_in_both_markets_with_a_resolving_source():
    """label_max(us) and label_max(uk) resolve for all 25 drugs to a positive figure whose source
    key is in sources.toml and whose note names the indication or the caveat."""
    cat = catalogue()
    for drug in cat.drugs.values():
        for market in MARKETS:
            limit = drug.label_max(market)
            assert limit.mg > 0, (drug.key, market)
            assert limit.source in cat.sources, (drug.key, market, limit.source)
            assert limit.note.strip(), (drug.key, market)


def test_confirmed_maxima_come_from_labels_that_were_read():
    """Every maximum is confirmed except ketazolam's and oral midazolam's, and a confirmed figure
    cites a label read directly [V] or in a reproduction [V2], never a recalled [R] figure."""
    cat = catalogue()
    for drug in cat.drugs.values():
        figures = [drug.max_daily, *drug.max_daily_by_market.values()]
        for limit in figures:
            assert limit.confirmed is (drug.key not in UNCONFIRMED_MAXIMA), drug.key
            if limit.confirmed:
                assert cat.source(limit.source).label in {"V", "V2"}, (drug.key, limit.source)


def test_the_general_maximum_is_the_highest_market_figure():
    """max_daily, which bounds the implausible-input check, is never below a market's figure."""
    for drug in catalogue().drugs.values():
        for market, limit in drug.max_daily_by_market.items():
            assert market in MARKETS
            assert limit.mg <= drug.max_daily.mg, (drug.key, market)


def test_a_market_without_its_own_figure_falls_back_to_the_general_maximum():
    """Quazepam has no UK label: its UK label_max is the general (US) figure; bromazepam has no
    US or UK label and uses its Irish SmPC figure in both."""
    cat = catalogue()
    quazepam = cat.drugs["quazepam"]
    assert "uk" not in quazepam.max_daily_by_market
    assert quazepam.label_max("uk") == quazepam.max_daily
    bromazepam = cat.drugs["bromazepam"]
    assert bromazepam.label_max("us") == bromazepam.label_max("uk") == bromazepam.max_daily


def test_diazepam_is_40_mg_a_day_in_the_us_label_and_60_mg_in_the_uk_smpc():
    """The crossover targets: diazepam 40 mg/day (US usual maximum) and 60 mg/day (UK
    spasticity), each with its own source; clonazepam 20 mg/day in both markets."""
    cat = catalogue()
    diazepam = cat.drugs["diazepam"]
    assert diazepam.label_max("us").mg == Decimal(40)
    assert diazepam.label_max("uk").mg == Decimal(60)
    assert diazepam.label_max("us").source != diazepam.label_max("uk").source
    assert diazepam.max_daily.mg == Decimal(60)
    clonazepam = cat.drugs["clonazepam"]
    assert clonazepam.label_max("us").mg == clonazepam.label_max("uk").mg == Decimal(20)


def test_labels_that_differ_between_markets_keep_both_figures():
    """Where the US label and the UK SmPC disagree, each market keeps its own figure."""
    cat = catalogue()
    expected = {
        "alprazolam": (10, 3),
        "lorazepam": (10, 4),
        "clobazam": (40, 60),
        "chlordiazepoxide": (300, 100),
        "flurazepam": (30, 60),
        "temazepam": (30, 40),
    }
    for key, (us, uk) in expected.items():
        drug = cat.drugs[key]
        assert drug.label_max("us").mg == Decimal(us), key
        assert drug.label_max("uk").mg == Decimal(uk), key
        assert drug.max_daily.mg == Decimal(max(us, uk)), key


def test_label_max_refuses_an_unknown_market():
    """label_max('eu') is an input error naming the markets."""
    with pytest.raises(InputError) as caught:
        catalogue().drugs["diazepam"].label_max("eu")
    assert caught.value.field == "market"


def test_drugs_are_found_by_brand_and_unknown_names_get_suggestions():
    """'Xanax' finds alprazolam; a misspelling is refused with the nearest names."""
    assert catalogue().drug("Xanax").key == "alprazolam"
    assert catalogue().drug("Midazolam oral").key == "midazolam_oral"
    with pytest.raises(InputError) as caught:
        catalogue().drug("lorazepan")
    assert "lorazepam" in caught.value.hint


def test_product_ids_are_unique_and_rows_name_a_known_drug_and_market():
    """Each product row is for a catalogue drug in a known market, once."""
    cat = catalogue()
    ids = [p.id for p in cat.products]
    assert len(ids) == len(set(ids))
    for p in cat.products:
        assert p.market in MARKETS
        assert p.drug in cat.drugs
        assert p.source in cat.sources, p.id
        assert p.strength_mg > 0
        assert p.form in {"tablet", "capsule", "odt", "liquid"}


def test_capsules_orally_disintegrating_tablets_and_liquids_are_never_split():
    """split_parts is 1, 2, 3 or 4, and more than 1 only for tablets (drugs.md §2)."""
    for p in catalogue().products:
        assert p.split_parts in {1, 2, 3, 4}, p.id
        if p.form != "tablet":
            assert p.split_parts == 1, p.id


def test_liquids_have_a_measuring_resolution_and_solids_do_not():
    """Every liquid carries smallest_ml (the oral-syringe default); tablets and capsules none."""
    for p in catalogue().products:
        if p.is_liquid:
            assert p.smallest_ml is not None and p.smallest_ml > 0, p.id
        else:
            assert p.smallest_ml is None and p.bottle_ml is None, p.id


def test_products_from_r_sources_are_unconfirmed():
    """A product whose source is [R] is never shown as confirmed."""
    cat = catalogue()
    for p in cat.products:
        if cat.source(p.source).label == "R":
            assert not p.confirmed, p.id


def test_the_uk_diazepam_2_mg_halving_is_allowed_but_unconfirmed():
    """NICE CKS / PrescQIPP halve diazepam 2 mg off-licence [V2]: halves allowed, shown as
    unconfirmed; UK 5 and 10 mg tablets are not split (drugs.md §2)."""
    uk = {p.id: p for p in catalogue().products_for("diazepam", "uk")}
    assert uk["uk-diazepam-tab-2"].split_parts == 2
    assert not uk["uk-diazepam-tab-2"].confirmed
    assert uk["uk-diazepam-tab-5"].split_parts == 1
    assert uk["uk-diazepam-tab-10"].split_parts == 1


def test_us_diazepam_tablets_are_scored_in_halves():
    """US diazepam 2, 5 and 10 mg tablets are scored (Valium PI [V2])."""
    us = [p for p in catalogue().products_for("diazepam", "us") if p.form == "tablet"]
    assert sorted(p.strength_mg for p in us) == [2, 5, 10]
    assert all(p.split_parts == 2 for p in us)


def test_the_main_taper_drugs_have_products_in_both_markets():
    """Diazepam, clonazepam and lorazepam, the usual taper drugs, exist in US and UK rows, each
    with an oral liquid for small steps."""
    cat = catalogue()
    for drug in ("diazepam", "clonazepam", "lorazepam"):
        for market in MARKETS:
            products = cat.products_for(drug, market)
            assert products, (drug, market)
            if not (drug == "clonazepam" and market == "us"):  # no US oral solution [R]
                assert any(p.is_liquid for p in products), (drug, market)


def test_zopiclone_is_uk_only_and_eszopiclone_us_only():
    """Zopiclone is not marketed in the US; eszopiclone rows are US (drugs.md §2)."""
    cat = catalogue()
    assert not cat.products_for("zopiclone", "us")
    assert cat.products_for("zopiclone", "uk")
    assert cat.products_for("eszopiclone", "us")
    assert not cat.products_for("eszopiclone", "uk")


def test_split_products_are_tablets_whose_scoring_a_label_states():
    """Only tablets are split, and a split tablet cites a label read [V/V2] or is shown as
    unconfirmed (the UK diazepam 2 mg halving)."""
    cat = catalogue()
    for p in cat.products:
        if p.split_parts > 1:
            assert p.form == "tablet", p.id
            assert p.confirmed is False or cat.source(p.source).label in {"V", "V2"}, p.id


def test_liquids_with_a_default_bottle_are_unconfirmed():
    """A bottle size that no label gave (the benzodetox default) keeps the row unconfirmed."""
    confirmed = {p.id for p in catalogue().products if p.is_liquid and p.confirmed}
    for row in _product_rows():
        if row["id"] in confirmed:
            assert row.get("bottle_ml_source") != "benzodetox-bottle-default", row["id"]


def _product_rows() -> list[dict[str, Any]]:
    text = resources.files("benzodetox.core").joinpath("data", "products.toml").read_text("utf-8")
    rows: list[dict[str, Any]] = tomllib.loads(text)["product"]
    return rows


def _by_id(market: str, drug: str) -> dict[str, Product]:
    return {p.id: p for p in catalogue().products_for(drug, market)}


def test_uk_products_of_the_drugs_added_for_issue_10():
    """UK nitrazepam 5 mg (halves, Mogadon SmPC) and 2.5 mg/5 mL mixture; clobazam 10 mg
    (halves) and 20 mg tablets, 5 and 10 mg/5 mL suspensions; loprazolam 1 mg (halves);
    lormetazepam 0.5 and 1 mg; Dalmane 15 and 30 mg capsules."""
    nitrazepam = _by_id("uk", "nitrazepam")
    tab = nitrazepam["uk-nitrazepam-tab-5"]
    assert tab.strength_mg == 5 and tab.split_parts == 2 and tab.confirmed
    sus = nitrazepam["uk-nitrazepam-sus-0.5"]
    assert sus.is_liquid and sus.strength_mg == Decimal("0.5")
    clobazam = _by_id("uk", "clobazam")
    assert clobazam["uk-clobazam-tab-10"].split_parts == 2
    assert clobazam["uk-clobazam-tab-20"].split_parts == 1
    assert {"uk-clobazam-sus-1", "uk-clobazam-sus-2"} <= set(clobazam)
    assert _by_id("uk", "loprazolam")["uk-loprazolam-tab-1"].split_parts == 2
    assert set(_by_id("uk", "lormetazepam")) == {"uk-lormetazepam-tab-0.5", "uk-lormetazepam-tab-1"}
    assert set(_by_id("uk", "flurazepam")) == {"uk-flurazepam-cap-15", "uk-flurazepam-cap-30"}


def test_us_products_of_the_drugs_added_for_issue_10():
    """US triazolam 0.125/0.25 mg, estazolam 1/2 mg, clorazepate 3.75/7.5/15 mg, quazepam 15 mg
    (halves to 7.5 mg), flurazepam 15/30 mg and zaleplon 5/10 mg capsules, Onfi clobazam
    10/20 mg (halves) and 2.5 mg/mL in a 120 mL bottle."""
    cat = catalogue()

    def strengths(drug: str) -> list[Decimal]:
        return sorted(p.strength_mg for p in cat.products_for(drug, "us"))

    assert strengths("triazolam") == [Decimal("0.125"), Decimal("0.25")]
    assert strengths("estazolam") == [1, 2]
    assert strengths("clorazepate") == [Decimal("3.75"), Decimal("7.5"), 15]
    assert strengths("flurazepam") == [15, 30]
    assert strengths("zaleplon") == [5, 10]
    quazepam = _by_id("us", "quazepam")["us-quazepam-tab-15"]
    assert quazepam.split_parts == 2 and quazepam.confirmed
    clobazam = _by_id("us", "clobazam")
    assert clobazam["us-clobazam-tab-10"].split_parts == 2
    sus = clobazam["us-clobazam-sus-2.5"]
    assert sus.bottle_ml == 120 and sus.confirmed


def test_us_strengths_once_unconfirmed_are_now_confirmed():
    """Chlordiazepoxide, oxazepam, temazepam and zolpidem US strengths are confirmed from the
    FDA NDC directory; the alprazolam 2 mg tablet divides into quarters per its label."""
    cat = catalogue()
    for drug in ("chlordiazepoxide", "oxazepam", "temazepam", "zolpidem"):
        products = cat.products_for(drug, "us")
        assert products and all(p.confirmed for p in products), drug
    alprazolam_2 = _by_id("us", "alprazolam")["us-alprazolam-tab-2"]
    assert alprazolam_2.split_parts == 4


def test_drugs_not_marketed_in_a_market_have_no_products_there():
    """Bromazepam, flunitrazepam, ketazolam and prazepam have no US or UK product; oral
    midazolam is left out (paediatric single doses); UK-only and US-only drugs stay so."""
    cat = catalogue()
    for drug in ("bromazepam", "flunitrazepam", "ketazolam", "prazepam", "midazolam_oral"):
        for market in MARKETS:
            assert not cat.products_for(drug, market), (drug, market)
    for drug in ("nitrazepam", "loprazolam", "lormetazepam", "zopiclone"):
        assert not cat.products_for(drug, "us"), drug
        assert cat.products_for(drug, "uk"), drug
    for drug in ("triazolam", "estazolam", "clorazepate", "quazepam", "zaleplon", "eszopiclone"):
        assert cat.products_for(drug, "us"), drug
        assert not cat.products_for(drug, "uk"), drug
