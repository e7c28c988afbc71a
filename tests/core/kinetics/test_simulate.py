"""simulate(): series per drug and metabolite, occupancy, flumazenil, and the assumptions."""

from __future__ import annotations

import numpy as np
import pytest

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics import DoseEvents, FlumazenilProtocol, simulate
from benzodetox.core.kinetics.occupancy import parse_ed50


def _diazepam(days: int, mg: float = 10.0) -> dict[str, DoseEvents]:
    return {"diazepam": DoseEvents("diazepam", np.arange(days) * 24.0 + 8, np.full(days, mg))}


def test_diazepam_gives_a_parent_and_a_metabolite_series_on_an_hourly_grid():
    """14 days → 337 hourly points (both ends), a diazepam and a desmethyldiazepam series."""
    sim = simulate(_diazepam(7), days=14)
    assert sim.time_h.size == 14 * 24 + 1
    assert set(sim.concentration) == {"diazepam", "desmethyldiazepam"}
    assert any("metabolite_fraction" in a for a in sim.assumptions)


def test_steady_state_diazepam_matches_f_dose_over_cl_tau_with_the_data_file():
    """Diazepam 10 mg daily for 40 days: mean over the last day = F·D/(CL·τ) within 0.5 %."""
    sim = simulate(_diazepam(40), days=40, step_h=0.1)
    last = sim.concentration["diazepam"][-241:-1]
    expected = 1000 * 0.94 * 10 / (26.6 * 0.06 * 24)
    assert abs(last.mean() / expected - 1) < 0.005


def test_occupancy_without_an_ed50_uses_the_three_labelled_illustration_values():
    """Occupancy asked without ED50 → 10, 40 and 200 mg/day curves and the discrepancy text."""
    sim = simulate(_diazepam(14), days=14, occupancy=True, steps=[(0, 1, 14, 10.0)])
    assert sim.occupancy is not None
    assert list(sim.occupancy.series) == ["10 mg/day", "40 mg/day", "200 mg/day"]
    assert any("unresolved" in w for w in sim.warnings)
    assert sim.occupancy.steps["10 mg/day"][0].occupancy_percent == pytest.approx(50.0)


def test_a_concentration_ec50_applies_to_its_series():
    """'desmethyldiazepam=300 ng/mL' gives C/(300 + C) of that series."""
    sim = simulate(_diazepam(14), days=14, ed50s=[parse_ed50("desmethyldiazepam=300 ng/mL")])
    c = sim.concentration["desmethyldiazepam"]
    assert sim.occupancy is not None
    assert np.allclose(sim.occupancy.series["desmethyldiazepam=300 ng/mL"], 100 * c / (300 + c))
    with pytest.raises(InputError):
        simulate(_diazepam(3), days=3, ed50s=[parse_ed50("lorazepam=1 ng/mL")])


def test_flumazenil_joins_the_series_with_recommendation_14():
    """A flumazenil protocol adds its series and the avoid-for-tapering warning."""
    sim = simulate({}, days=7, flumazenil=FlumazenilProtocol(1.0, 7))
    assert list(sim.concentration) == ["flumazenil"]
    assert any("Recommendation 14" in w for w in sim.warnings)


def test_population_mode_is_repeatable_with_a_seed_and_brackets_the_typical_curve():
    """Same seed, same band; the typical patient's trough lies inside the 5–95 % band."""
    a = simulate(_diazepam(20), days=20, population=500, seed=11)
    b = simulate(_diazepam(20), days=20, population=500, seed=11)
    assert np.array_equal(a.bands["diazepam"].median, b.bands["diazepam"].median)
    i = 19 * 24 + 7
    band = a.bands["desmethyldiazepam"]
    assert band.p5[i] <= a.concentration["desmethyldiazepam"][i] <= band.p95[i]


@pytest.mark.parametrize("days", [0, -3, 10**6])
def test_impossible_durations_are_refused(days):
    """Days outside 1–3660 raise InputError naming 'days'."""
    with pytest.raises(InputError) as info:
        simulate({}, days=days)
    assert info.value.field == "days"
