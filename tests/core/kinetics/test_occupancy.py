"""Occupancy: Emax with an explicit ED50, reproducing the drugs.md §4.3 illustration."""

from __future__ import annotations

import pytest

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics.occupancy import (
    illustration_ed50s,
    occupancy_of,
    parse_ed50,
    step_occupancy,
)


@pytest.mark.parametrize(("ed50", "percent"), [(10, 66.7), (40, 33.3), (200, 9.1)])
def test_starting_occupancy_at_20_mg_matches_the_illustration(ed50, percent):
    """drugs.md §4.3: diazepam 20 mg/day is 66.7 / 33.3 / 9.1 % at ED50 10 / 40 / 200 mg/day."""
    assert round(float(occupancy_of(20.0, parse_ed50(f"{ed50} mg/day"))) * 100, 1) == percent


def test_the_illustration_steps_are_five_points_apart():
    """The §4.3 doses for ED50 40 (20 → 15.8 → 12.2 → 8.98 → 6.15) are ~5-point steps."""
    rows = [(i, 14 * i + 1, 14 * i + 14, d) for i, d in enumerate([20, 15.8, 12.2, 8.98, 6.15])]
    steps = step_occupancy(rows, parse_ed50("40 mg/day"))
    assert steps[0].change_points == 0
    assert all(abs(s.change_points + 5) < 0.15 for s in steps[1:])


def test_the_illustration_default_offers_all_three_values_labelled():
    """Without a user ED50 the three assumed values are used together, labelled illustration."""
    values = illustration_ed50s()
    assert [v.value for v in values] == [10, 40, 200]
    assert all("illustration" in v.label for v in values)


def test_an_ec50_names_the_series_it_applies_to():
    """'diazepam=300 ng/mL' is a concentration-based EC50 for the diazepam series."""
    ec50 = parse_ed50("diazepam=300 ng/mL")
    assert (ec50.series, ec50.unit, ec50.value) == ("diazepam", "ng/mL", 300.0)


@pytest.mark.parametrize("text", ["", "abc", "0 mg/day", "300 ng/mL", "diazepam=3 mg/day"])
def test_bad_ed50_text_is_refused(text):
    """Empty, zero, an EC50 without its series, or a series with a dose unit are refused."""
    with pytest.raises(InputError) as info:
        parse_ed50(text)
    assert info.value.field == "ed50"
