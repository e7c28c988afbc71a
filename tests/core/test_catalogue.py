"""Integrity of the drug catalogue: drugs.toml, equivalence.toml, products.toml (drugs.md §1–2)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from benzodetox.core.catalogue import (
    EQUIVALENCE_TABLES,
    MARKETS,
    SUPPLEMENTARY_TABLES,
    catalogue,
)
from benzodetox.core.errors import InputError

REFERENCE_CSV = Path(__file__).resolve().parents[3] / "shared" / "reference" / "equivalence.csv"

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


@pytest.mark.skipif(not REFERENCE_CSV.exists(), reason="../shared/reference is not available")
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


def test_every_maximum_daily_dose_is_unconfirmed_with_its_own_r_source():
    """The reference has no maximum daily doses: each is [R], confirmed = false, own key."""
    cat = catalogue()
    keys = set()
    for drug in cat.drugs.values():
        limit = drug.max_daily
        assert limit.mg > 0
        assert limit.confirmed is False
        assert cat.source(limit.source).label == "R"
        keys.add(limit.source)
    assert len(keys) == len(cat.drugs)


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
