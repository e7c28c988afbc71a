"""Population mode: virtual patients with log-normal clearance and volume."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics.model import concentration_on_grid, metabolite_terms, parent_terms
from benzodetox.core.kinetics.population import lognormal, population_band
from tests.strategies import dose_schedules, pk_parameters

MET = {"fraction": 1.0, "metabolite_clearance": 1.0, "metabolite_volume": 90.0}


def test_without_variability_every_percentile_is_the_single_patient_curve():
    """With CV 0 the 5th, 50th and 95th percentiles all equal the typical curve (float32
    rounding only): the block method over patients is the same exact superposition."""
    rng = np.random.default_rng(3)
    times = np.sort(rng.uniform(0, 200, 25))
    mg = rng.uniform(1, 10, 25)
    pk = {"bioavailability": 0.94, "ka": 2.2, "clearance": 1.6, "volume": 83.0}
    n = 50
    cl, vol = lognormal(rng, 1.6, 0.0, n), lognormal(rng, 83.0, 0.0, n)
    for single, many in (
        (parent_terms(**pk), parent_terms(**{**pk, "clearance": cl, "volume": vol})),
        (
            metabolite_terms(**pk, **MET),
            metabolite_terms(**{**pk, "clearance": cl, "volume": vol}, **MET),
        ),
    ):
        curve = concentration_on_grid(300, 1.0, times, mg, *single)
        band = population_band(300, 1.0, times, mg, *many)
        for p in (band.p5, band.median, band.p95):
            assert np.allclose(p, curve, rtol=2e-6, atol=1e-6 * curve.max())


@settings(max_examples=25, deadline=None)
@given(dose_schedules(max_events=10), pk_parameters(), st.integers(0, 2**32 - 1))
def test_the_band_is_ordered_and_non_negative(schedule, pk, seed):
    """p5 ≤ median ≤ p95 ≥ 0 at every time, for any schedule and parameters."""
    rng = np.random.default_rng(seed)
    cl = lognormal(rng, pk["clearance"], 0.3, 200)
    vol = lognormal(rng, pk["volume"], 0.2, 200)
    rates, coefs = parent_terms(**{**pk, "clearance": cl, "volume": vol})
    band = population_band(300, 1.0, np.array(schedule[0]), np.array(schedule[1]), rates, coefs)
    assert (band.p5 >= 0).all()
    assert (band.p5 <= band.median + 1e-9).all() and (band.median <= band.p95 + 1e-9).all()


def test_lognormal_draws_have_the_typical_value_as_median_and_the_asked_cv():
    """exp(N(0, ω²)) with ω² = ln(1 + CV²): median = typical, CV as asked (±3 % with 200k draws)."""
    draws = lognormal(np.random.default_rng(0), 10.0, 0.3, 200_000)
    assert abs(np.median(draws) / 10.0 - 1) < 0.01
    assert abs(draws.std() / draws.mean() - 0.3) < 0.01


def test_an_impossible_cv_or_population_size_is_refused():
    """CV outside 0–2 and zero patients raise InputError."""
    with pytest.raises(InputError):
        lognormal(np.random.default_rng(0), 1.0, -0.1, 5)
    with pytest.raises(InputError):
        population_band(10, 1.0, np.zeros(1), np.ones(1), np.ones((2, 0)), np.ones((2, 0)))
