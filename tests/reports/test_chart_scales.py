"""The one set of axis rules every chart uses: a nice top at or above the data, ticks that
increase from zero to it, and labels a person reads without float noise."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.reports.charts.scales import (
    axis_label,
    compact,
    day_step,
    int_step,
    nice_ceiling,
    thin,
    tick_count,
    ticks,
)

# Chart data spans µg-scale concentrations to mg-hours totals; floats as a simulation gives them.
positive_floats = st.floats(min_value=1e-9, max_value=1e9, allow_nan=False, allow_infinity=False)
# Doses and scores as stored: Decimals with at most three places.
positive_decimals = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**7), places=3)

LABEL = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$|^\d{1,3}(\.\d+)?$")


@settings(max_examples=300, deadline=None)
@given(st.one_of(positive_floats, positive_decimals))
def test_the_nice_top_is_at_or_above_the_data_and_at_most_half_as_much_again(value):
    """nice_ceiling(v) ≥ v (no point is clipped) and ≤ 1.5 v (the plot is not mostly empty)."""
    top = nice_ceiling(value)
    exact = Decimal(value)
    assert exact <= top <= exact * Decimal("1.5")


@settings(max_examples=300, deadline=None)
@given(st.one_of(positive_floats, positive_decimals))
def test_a_nice_top_is_a_short_decimal_and_its_own_nice_top(value):
    """The top has at most two significant digits and is a fixed point of nice_ceiling."""
    top = nice_ceiling(value)
    assert len(top.normalize().as_tuple().digits) <= 2
    assert nice_ceiling(top) == top


@settings(max_examples=300, deadline=None)
@given(st.one_of(positive_floats, positive_decimals), st.integers(min_value=2, max_value=8))
def test_ticks_increase_from_zero_to_the_top(value, count):
    """count + 1 ticks, strictly increasing, first 0 and last the top."""
    top = nice_ceiling(value)
    values = ticks(top, count)
    assert len(values) == count + 1
    assert values[0] == 0 and values[-1] == top
    assert all(a < b for a, b in itertools.pairwise(values))


@settings(max_examples=300, deadline=None)
@given(st.one_of(positive_floats, positive_decimals))
def test_tick_labels_are_exact_and_free_of_float_noise(value):
    """Every quarter-tick label reads back as exactly its tick value: digits, thousands commas
    and a short decimal part, never 0.30000000000000004 nor 1E+3."""
    for tick in ticks(nice_ceiling(value)):
        label = axis_label(tick)
        assert LABEL.match(label), label
        assert Decimal(label.replace(",", "")) == tick
        assert len(label.partition(".")[2]) <= 12


@settings(max_examples=300, deadline=None)
@given(st.one_of(positive_floats, positive_decimals))
def test_the_ticks_of_a_nice_top_step_by_one_two_two_and_a_half_or_five(value):
    """Grid lines people count in: the step is 1, 2, 2.5 or 5 times a power of ten, in three
    to six intervals."""
    values = ticks(nice_ceiling(value))
    step = values[1] - values[0]
    assert 3 <= len(values) - 1 <= 6
    assert step.normalize().as_tuple().digits in ((1,), (2,), (2, 5), (5,))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=3, max_value=500))
def test_a_whole_instrument_maximum_gets_whole_ticks_when_it_can(top):
    """A fixed top such as PHQ-9's 27 or GAD-7's 21 is cut into whole steps whenever 3 to 6
    divides it."""
    count = tick_count(Decimal(top))
    if any(top % n == 0 for n in (3, 4, 5, 6)):
        assert all(t == t.to_integral_value() for t in ticks(Decimal(top), count))


def test_zero_negative_and_non_finite_data_still_get_an_axis():
    """An empty or broken series draws a 0–1 axis instead of failing."""
    for value in (0, 0.0, -5, float("nan"), float("inf"), Decimal("NaN"), Decimal(-1)):
        assert nice_ceiling(value) == 1


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=3, max_value=8))
def test_an_integer_step_covers_the_axis_with_few_ticks(maximum, most):
    """A count axis's step reaches the maximum within `most` steps and is the smallest of
    1, 2, 5, 10, 20, 25, 50 … that does."""
    step = int_step(maximum, most)
    assert maximum <= step * most
    digits = str(step).rstrip("0") or "0"
    assert digits in ("1", "2", "25", "5")
    smaller = [s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if s < step]
    assert all(maximum > s * most for s in smaller)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.5, max_value=5000, allow_nan=False))
def test_day_ticks_are_whole_days_and_at_most_about_eight(days):
    """A day axis has a whole-day step and no more than nine ticks up to two years."""
    step = day_step(days)
    assert step >= 1
    if days <= 730 * 8:
        assert days // step + 1 <= 9


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=10, max_value=20_000), st.integers(min_value=0, max_value=10**6))
def test_thinning_keeps_every_peak_and_trough(n, seed):
    """After thinning to ~limit points the series' maximum and minimum are still drawn."""
    rng = np.random.default_rng(seed)
    x = np.arange(n, dtype=float)
    y = rng.normal(size=n)
    tx, ty = thin(x, y, limit=500)
    assert tx.size <= max(n, 0) and (n <= 500 or tx.size <= 600)
    assert ty.max() == y.max() and ty.min() == y.min()


def test_a_stepped_series_keeps_its_corners_only():
    """Runs of equal y collapse to their ends."""
    xs = np.arange(10, dtype=float)
    ys = np.array([5.0] * 5 + [2.0] * 5)
    cx, cy = compact(xs, ys)
    assert cx.tolist() == [0.0, 4.0, 5.0, 9.0] and cy.tolist() == [5.0, 5.0, 2.0, 2.0]
