"""Diazepam equivalence under named tables (drugs.md §1), with worked examples."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.catalogue import EQUIVALENCE_TABLES
from benzodetox.core.equivalence import (
    convert,
    diazepam_eq,
    figure,
    figure_mg,
    from_diazepam,
    table_names,
)
from benzodetox.core.errors import InputError
from benzodetox.core.regimen import Dose, Regimen
from tests.strategies import diazepam_amounts, drug_table_basis

D = Decimal


def regimen(*doses: tuple[str, str, int]) -> Regimen:
    return Regimen(tuple(Dose(time(hour), drug, D(mg)) for drug, mg, hour in doses))


def test_alprazolam_1_mg_is_diazepam_20_mg_under_ashton_and_10_mg_under_vadod():
    """drugs.md §1.3 item 1: Ashton gives 0.5 mg, VA/DoD 2021 (in the JCPG 2025) gives 1 mg
    alprazolam ≡ diazepam 10 mg."""
    assert diazepam_eq("alprazolam", D(1), "ashton-2002") == D(20)
    assert diazepam_eq("alprazolam", D(1), "vadod-2021") == D(10)


def test_the_joint_guideline_low_dose_footnote_matches_no_single_table():
    """JCPG 2025, 'low dose' footnote: ≤0.5 mg clonazepam, ≤2 mg lorazepam, ≤1 mg alprazolam are
    each ≤10 mg diazepam equivalents. That is clonazepam at Ashton's ratio but lorazepam and
    alprazolam at VA/DoD's (drugs.md §1.3 item 13): no one table gives 10 mg for all three."""
    footnote = {"clonazepam": D("0.5"), "lorazepam": D(2), "alprazolam": D(1)}
    assert diazepam_eq("clonazepam", footnote["clonazepam"], "ashton-2002") == D(10)
    assert diazepam_eq("lorazepam", footnote["lorazepam"], "vadod-2021") == D(10)
    assert diazepam_eq("alprazolam", footnote["alprazolam"], "vadod-2021") == D(10)
    for table in ("ashton-2002", "vadod-2021"):
        values = {diazepam_eq(drug, mg, table) for drug, mg in footnote.items()}
        assert values != {D(10)}, table


def test_a_range_in_the_chosen_table_needs_a_basis():
    """Norway 2021 gives alprazolam 0.5–1 mg ≡ diazepam 10 mg: without a basis the conversion is
    refused, naming the range; 'low' and 'high' pick its two ends."""
    with pytest.raises(InputError) as caught:
        diazepam_eq("alprazolam", D(1), "norway-2021")
    assert caught.value.field == "basis"
    assert caught.value.allowed == "low or high"
    assert "norway-2021 gives 0.5–1 mg alprazolam ≡ diazepam 10 mg" in caught.value.hint
    assert diazepam_eq("alprazolam", D(1), "norway-2021", "low") == D(10)
    assert diazepam_eq("alprazolam", D(1), "norway-2021", "high") == D(20)


def test_a_basis_is_ignored_for_a_single_figure():
    """Ashton's single figure gives the same answer whatever the basis."""
    for basis in (None, "low", "high"):
        assert diazepam_eq("alprazolam", D(1), "ashton-2002", basis) == D(20)


def test_an_unknown_table_is_refused_naming_the_allowed_ones():
    """A table that is not one of the five planning tables is refused on the 'source' field."""
    with pytest.raises(InputError) as caught:
        figure("alprazolam", "bnf")
    assert caught.value.field == "source"
    for table in EQUIVALENCE_TABLES:
        assert table in caught.value.allowed
    assert table_names() == EQUIVALENCE_TABLES


def test_a_table_that_does_not_list_the_drug_is_refused_with_the_tables_that_do():
    """VA/DoD does not list zopiclone; the hint names ashton-2002, scotland-2024, norway-2021."""
    with pytest.raises(InputError) as caught:
        diazepam_eq("zopiclone", D("7.5"), "vadod-2021")
    assert caught.value.field == "source"
    assert "ashton-2002, scotland-2024, norway-2021" in caught.value.hint


def test_figure_mg_is_the_end_of_the_range_the_basis_picks():
    """'low' divides by the high figure (lower diazepam equivalent), 'high' by the low one."""
    assert figure_mg("oxazepam", "norway-2021", "low") == D(50)
    assert figure_mg("oxazepam", "norway-2021", "high") == D(30)
    assert figure_mg("oxazepam", "ashton-2002") == D(20)


def test_results_are_floored_to_a_microgram():
    """Temazepam 10 mg under VA/DoD (15 mg ≡ 10) is 6.666… mg diazepam, floored to 6.666."""
    assert diazepam_eq("temazepam", D(10), "vadod-2021") == D("6.666")
    assert from_diazepam("temazepam", D("6.666"), "vadod-2021") == D("9.999")


def test_convert_reports_the_table_the_range_and_disagreements():
    """Alprazolam 0.5 mg twice daily: 20 mg/day under Ashton, 10–20 across all tables, and a
    warning naming the 2-fold disagreement (drugs.md §1.3 item 1)."""
    conv = convert(regimen(("alprazolam", "0.5", 8), ("alprazolam", "0.5", 20)), "ashton-2002")
    assert conv.source == "ashton-2002"
    assert conv.diazepam_eq_mg_per_day == D(20)
    assert conv.range_mg_per_day == (D(10), D(20))
    (drug,) = conv.drugs
    assert drug.daily_mg == D(1)
    assert drug.span_ratio == D(2)
    assert drug.disagreement
    assert set(drug.per_table) == {
        "ashton-2002", "vadod-2021", "who-2009", "norway-2021", "sps", "trc-2024"
    }  # fmt: skip
    assert drug.per_table["sps"] == (D(20), D(20))
    assert drug.per_table["norway-2021"] == (D(10), D(20))
    assert any(
        "alprazolam" in w and "2-fold" in w and "vadod-2021 1 mg" in w for w in conv.warnings
    )


def test_flunitrazepam_spans_four_fold_and_temazepam_does_not_count_as_disagreement():
    """Flunitrazepam 0.5–2 mg (×4, ⚠); temazepam 15–20 mg (×1.333, below 1.5) (drugs.md §1.2)."""
    flu = convert(regimen(("flunitrazepam", "1", 22)), "ashton-2002").drugs[0]
    assert flu.span_ratio == D(4)
    assert flu.disagreement
    tem = convert(regimen(("temazepam", "20", 22)), "ashton-2002").drugs[0]
    assert tem.span_ratio == D("1.333")
    assert not tem.disagreement


def test_convert_warns_for_doubled_and_secondary_figures():
    """Scotland 2024 states figures per diazepam 5 mg: the doubling is named in a warning."""
    conv = convert(regimen(("lorazepam", "1", 8)), "scotland-2024")
    assert any("doubled" in w and "scotland-2024" in w for w in conv.warnings)
    conv = convert(regimen(("bromazepam", "6", 8)), "who-2009")
    assert any("doubled" in w for w in conv.warnings)
    conv = convert(regimen(("zopiclone", "7.5", 22)), "ashton-2002")
    assert any("[V2]" in w for w in conv.warnings)


def test_convert_sums_several_drugs_and_needs_a_basis_for_any_range():
    """Clonazepam 0.5 mg + zolpidem 10 mg under Norway 2021 (both ranges): a basis is required;
    with 'low' it is 5 + 5 = 10 mg/day."""
    r = regimen(("clonazepam", "0.5", 8), ("zolpidem", "10", 22))
    with pytest.raises(InputError):
        convert(r, "norway-2021")
    conv = convert(r, "norway-2021", "low")
    assert conv.diazepam_eq_mg_per_day == D(10)
    assert conv.basis == "low"
    assert [d.drug for d in conv.drugs] == ["clonazepam", "zolpidem"]


def test_diazepam_converts_to_itself_without_warnings():
    """Diazepam is the reference drug: 10 mg is 10 mg under every table, with no warning."""
    for table in EQUIVALENCE_TABLES:
        conv = convert(regimen(("diazepam", "10", 8)), table)
        assert conv.diazepam_eq_mg_per_day == D(10)
        assert conv.warnings == ()


@given(drug_table_basis(), diazepam_amounts())
def test_a_round_trip_through_another_drug_never_comes_back_higher(dtb, dz):
    """diazepam_eq(from_diazepam(x)) <= x for every drug, table and basis: converting never
    creates dose."""
    drug, table, basis = dtb
    mg = from_diazepam(drug, dz, table, basis)
    if mg > 0:
        assert diazepam_eq(drug, mg, table, basis) <= dz


@given(drug_table_basis(), st.integers(1, 100_000).map(lambda ug: D(ug) / 1000))
def test_the_chosen_table_lies_within_the_range_across_tables(dtb, mg):
    """The diazepam equivalent under the chosen table is within the all-tables range, and the
    'low' basis never gives more than the 'high' basis."""
    drug, table, basis = dtb
    conv = convert(regimen((drug, str(mg), 8)), table, basis)
    (one,) = conv.drugs
    assert one.range_mg[0] <= one.diazepam_eq_mg <= one.range_mg[1]
    if basis is not None:
        low = diazepam_eq(drug, mg, table, "low")
        high = diazepam_eq(drug, mg, table, "high")
        assert low <= high
