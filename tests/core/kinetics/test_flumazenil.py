"""Flumazenil research mode: infusion and depot levels, with Recommendation 14 always attached."""

from __future__ import annotations

import numpy as np
import pytest

from benzodetox.core.errors import InputError
from benzodetox.core.kinetics.flumazenil import (
    FlumazenilProtocol,
    parse_rate,
    simulate_flumazenil,
)


def test_one_mg_per_day_reaches_the_level_benini_measured():
    """1 mg/24h s.c. gives ≈ 0.6 ng/mL at steady state (rate/CL, CL 1 L/h/kg × 70 kg) and the
    clearance range 0.7–1.3 L/h/kg spans 0.46–0.85 ng/mL, which holds Benini 2021's 0.54 ng/mL
    measured on day 4 (drugs.md §5.1)."""
    times = np.arange(0, 7 * 24 + 1, 1.0)
    result = simulate_flumazenil(FlumazenilProtocol(1.0, 7), times)
    day4 = result.concentration[4 * 24]
    assert abs(day4 - 1000 / 24 / 70) < 1e-6
    lo, hi = result.steady_state_range
    assert lo < 0.54 < hi
    assert result.low[4 * 24] < 0.54 < result.high[4 * 24]
    assert abs(lo - 0.458) < 0.01 and abs(hi - 0.850) < 0.01
    assert 7 < result.occupancy_percent[4 * 24] < 10  # ≈ 8% in drugs.md §5.1 [C]


def test_the_infusion_washes_out_within_hours_of_stopping():
    """With t½ ≈ 42 min, a day after a 4-day infusion ends nothing measurable is left."""
    times = np.arange(0, 6 * 24 + 1, 1.0)
    result = simulate_flumazenil(FlumazenilProtocol(4.0, 4), times)
    assert result.concentration[5 * 24] < 1e-6 * result.concentration[3 * 24]


def test_recommendation_14_is_attached_to_every_result_and_the_depot_is_marked_preclinical():
    """'Avoid flumazenil for tapering' is always a warning; a depot adds the preclinical note."""
    times = np.arange(0, 24.0)
    infusion = simulate_flumazenil(FlumazenilProtocol(1.0, 1), times)
    depot = simulate_flumazenil(FlumazenilProtocol(1.0, 28, kind="depot"), times)
    assert any("Recommendation 14" in w for w in infusion.warnings)
    assert any("Recommendation 14" in w for w in depot.warnings)
    assert any("preclinical" in w for w in depot.warnings)


@pytest.mark.parametrize(
    ("text", "per_day"),
    [("1 mg/24h", 1.0), ("4 mg/24 h", 4.0), ("1.35 mg/day", 1.35), ("500 µg/12h", 1.0)],
)
def test_infusion_rates_are_read_in_mg_per_24_hours(text, per_day):
    """Rates in mg or µg over hours or a day become mg per 24 h."""
    assert abs(parse_rate(text) - per_day) < 1e-12


@pytest.mark.parametrize("text", ["1 mg", "fast", "-1 mg/24h", "0 mg/24h", "20 mg/24h", "1 g/24h"])
def test_malformed_or_out_of_range_rates_are_refused(text):
    """Text that is not a rate, zero, or above the 12 mg/24h ceiling raises InputError."""
    with pytest.raises(InputError) as info:
        parse_rate(text)
    assert info.value.field == "flumazenil-infusion"


def test_durations_outside_the_limits_are_refused():
    """Zero days, more than 30 infusion days or 26 depot weeks are refused."""
    for kwargs in ({"duration_days": 0}, {"duration_days": 31}):
        with pytest.raises(InputError):
            FlumazenilProtocol(1.0, **kwargs)
    with pytest.raises(InputError):
        FlumazenilProtocol(1.0, 27 * 7, kind="depot")
