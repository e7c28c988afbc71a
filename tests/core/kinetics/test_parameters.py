"""Kinetic parameters: sourced, resolved with covariates, and honest about assumptions."""

from __future__ import annotations

import math
import tomllib
from importlib import resources

import pytest

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics.parameters import KINETIC_DRUGS, kinetics_data, resolve

SOURCES = tomllib.loads(
    resources.files("benzodetox.core").joinpath("data", "sources.toml").read_text("utf-8")
)


def _tables(node: object, path: str = ""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _tables(value, f"{path}.{key}" if path else key)


def test_every_kinetic_figure_names_sources_that_resolve():
    """Each table of kinetics.toml that holds a value carries a label and source keys that are
    all in sources.toml."""
    checked = 0
    for path, table in _tables(kinetics_data()):
        if "value" in table or "clearance_factor" in table or "kind" in table:
            sources = table["source"] if isinstance(table["source"], list) else [table["source"]]
            assert sources, path
            for key in sources:
                assert key in SOURCES, f"{path}: {key}"
            assert table["label"] in {"V", "V2", "R", "C"}, path
            checked += 1
    assert checked > 40


def test_the_diazepam_to_desmethyldiazepam_fraction_is_a_visible_assumption():
    """The conversion fraction has no source [gap]: the default 1.0 is labelled R with the
    benzodetox assumption key, shown in the assumptions, and can be overridden."""
    pk = resolve("diazepam")
    assert pk.metabolite is not None and pk.metabolite.fraction == 1.0
    line = next(a for a in pk.assumptions if a.startswith("diazepam.metabolite_fraction"))
    assert "unconfirmed" in line and "benzodetox-kinetics-assumption" in line
    assert resolve("diazepam", metabolite_fraction=0.6).metabolite.fraction == 0.6  # type: ignore[union-attr]


def test_diazepam_half_life_rises_with_age_along_the_klotz_line():
    """Klotz 1975: about 20 h at 20 y to about 90 h at 80 y, clearance unchanged."""
    young, old = resolve("diazepam", age=20), resolve("diazepam", age=80)
    assert math.isclose(young.half_life_h, 20.0, rel_tol=1e-9)
    assert math.isclose(old.half_life_h, 90.0, rel_tol=1e-9)
    assert young.clearance == old.clearance == resolve("diazepam").clearance
    assert math.isclose(resolve("diazepam", age=50).half_life_h, 55.0, rel_tol=1e-9)


def test_liver_impairment_halves_diazepam_clearance_and_lengthens_its_half_life():
    """Klotz 1975 cirrhosis: clearance about half, t½ 105.6 vs 46.6 h (× 2.27)."""
    normal, liver = resolve("diazepam"), resolve("diazepam", liver="impaired")
    assert math.isclose(liver.clearance / normal.clearance, 0.5)
    assert math.isclose(liver.half_life_h / normal.half_life_h, 2.266, rel_tol=1e-6)


def test_typical_half_lives_fall_inside_the_published_ranges():
    """Derived t½ of every drug lies within the reference's ranges (drugs.md §3.1)."""
    published = {
        "diazepam": (20, 100),
        "clonazepam": (19, 60),
        "alprazolam": (6.3, 26.9),
        "lorazepam": (8, 25),
        "oxazepam": (5, 15),
        "chlordiazepoxide": (5, 30),
    }
    for drug in KINETIC_DRUGS:
        lo, hi = published[drug]
        assert lo <= resolve(drug).half_life_h <= hi, drug
    dmdz = resolve("diazepam").metabolite
    assert dmdz is not None and 27 <= dmdz.half_life_h <= 219


def test_gaps_become_warnings_not_silent_defaults():
    """Age for clonazepam and chlordiazepoxide's unmodelled metabolites are reported."""
    assert any("age not applied" in w for w in resolve("clonazepam", age=70).warnings)
    assert any("demoxepam" in w for w in resolve("chlordiazepoxide").warnings)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"drug": "zolpidem"}, "drug"),
        ({"drug": "diazepam", "age": 5}, "age"),
        ({"drug": "diazepam", "liver": "bad"}, "liver"),
        ({"drug": "diazepam", "metabolite_fraction": 1.5}, "metabolite-fraction"),
        ({"drug": "diazepam", "weight_kg": -3}, "weight"),
    ],
)
def test_bad_inputs_are_refused_naming_the_field(kwargs, field):
    """Unknown drugs and out-of-range covariates raise InputError for the right field."""
    drug = kwargs.pop("drug")
    with pytest.raises(InputError) as info:
        resolve(drug, **kwargs)
    assert info.value.field == field
