"""Population mode: N virtual patients with log-normal clearance and volume; median and 5–95 % band.

Each virtual patient's clearance and volume are ``typical · exp(η)``, η ~ Normal(0, ω²) with
ω² = ln(1 + CV²), independently for every compound (parent and metabolite), so the typical value
is the population median. The CVs are visible assumptions (kinetics.toml ``model.cv_*``).

The band is computed exactly from the N simulated curves, one block of the time grid at a time
(``B`` points × N patients, small enough to stay in cache): the block method of
``model.concentration_on_grid`` vectorised over patients, with dose events grouped by their
offset inside a block (a plan doses at a few times of day, so the response at each offset is
computed once and reused every day), then a sort across patients for the percentiles.
Concentrations in a block are float32 (relative rounding ~1e-7, far below the band's width);
carried states stay float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .model import FloatArray, block_size

__all__ = ["PERCENTILES", "Band", "lognormal", "population_band"]

#: Percentiles reported, in per cent.
PERCENTILES: tuple[float, float, float] = (5.0, 50.0, 95.0)
MAX_PATIENTS = 100_000


@dataclass(frozen=True)
class Band:
    """Percentiles of concentration (ng/mL) across virtual patients at each grid time."""

    p5: FloatArray
    median: FloatArray
    p95: FloatArray
    patients: int


def lognormal(rng: np.random.Generator, typical: float, cv: float, n: int) -> FloatArray:
    """N draws with median ``typical`` and coefficient of variation ``cv`` (log-normal)."""
    if not (math.isfinite(cv) and 0 <= cv <= 2):
        raise InputError("cv", cv, "a coefficient of variation from 0 to 2")
    omega = math.sqrt(math.log1p(cv * cv))
    return typical * np.exp(omega * rng.standard_normal(n))


def population_band(
    n_points: int,
    step_h: float,
    event_h: FloatArray,
    event_mg: FloatArray,
    rates: FloatArray,
    coefs: FloatArray,
) -> Band:
    """Percentiles of ``Σ_i D_i g_p(t − t_i)`` over patients p on the grid ``t_n = n·step_h``.

    ``rates`` and ``coefs`` have shape (J, N): J exponentials per patient (``model.*_terms``
    called with arrays).
    """
    n_terms, n_patients = rates.shape
    if not 1 <= n_patients <= MAX_PATIENTS:
        raise InputError("population", n_patients, f"1 to {MAX_PATIENTS} virtual patients")
    size = block_size(step_h, n_points)
    n_blocks = -(-n_points // size)
    span = size * step_h
    h = np.arange(size, dtype=np.float64) * step_h

    ev_t = np.asarray(event_h, dtype=np.float64)
    ev_d = np.asarray(event_mg, dtype=np.float64)
    keep = (ev_t < n_points * step_h) & (ev_d != 0.0)
    ev_t, ev_d = ev_t[keep], ev_d[keep]
    ev_b = np.minimum((ev_t // span).astype(np.int64), n_blocks - 1)
    # Offsets inside a block, rounded to a microsecond so equal clock times group together.
    ev_o = np.round(ev_t - ev_b * span, 9)
    offsets, ev_slot = np.unique(ev_o, return_inverse=True)
    # Amount per (block, offset slot): the plan's dose schedule as a small dense table.
    dose_table = np.zeros((n_blocks, offsets.size), dtype=np.float64)
    np.add.at(dose_table, (ev_b, ev_slot), ev_d)

    # Per-patient constants, computed once.
    decay_block = np.exp(-rates * span)  # (J, N)
    carry_shape = np.empty((n_terms, size, n_patients), dtype=np.float32)
    for j in range(n_terms):
        carry_shape[j] = (coefs[j][None, :] * np.exp(-np.outer(h, rates[j]))).astype(np.float32)
    slot_shape = np.empty((offsets.size, size, n_patients), dtype=np.float32)
    slot_to_end = np.empty((offsets.size, n_terms, n_patients), dtype=np.float64)
    for s, off in enumerate(offsets):
        dt = h - off
        after = dt >= 0.0
        g = np.zeros((size, n_patients), dtype=np.float64)
        for j in range(n_terms):
            g += coefs[j][None, :] * np.exp(-np.outer(np.maximum(dt, 0.0), rates[j]))
        g[~after] = 0.0
        slot_shape[s] = np.maximum(g, 0.0).astype(np.float32)
        slot_to_end[s] = np.exp(-rates * (span - off))

    ranks = np.array(PERCENTILES) / 100.0 * (n_patients - 1)
    lo_idx = np.floor(ranks).astype(np.int64)
    hi_idx = np.minimum(lo_idx + 1, n_patients - 1)
    frac = (ranks - lo_idx).astype(np.float64)

    result = np.zeros((3, n_blocks * size), dtype=np.float64)
    state = np.zeros((n_terms, n_patients), dtype=np.float64)
    block = np.empty((size, n_patients), dtype=np.float32)
    scratch = np.empty((size, n_patients), dtype=np.float32)
    state32 = np.empty((n_patients,), dtype=np.float32)
    started = False
    for b in range(n_blocks):
        doses = dose_table[b]
        active = np.flatnonzero(doses)
        if not started and active.size == 0:
            continue  # nothing taken yet: zeros
        started = True
        block.fill(0.0)
        for j in range(n_terms):
            state32[:] = state[j]
            np.multiply(carry_shape[j], state32[None, :], out=scratch)
            block += scratch
        for slot in active.tolist():
            np.multiply(slot_shape[slot], np.float32(doses[slot]), out=scratch)
            block += scratch
        np.maximum(block, 0.0, out=block)
        block.sort(axis=1)
        lo = block[:, lo_idx].astype(np.float64)
        hi = block[:, hi_idx].astype(np.float64)
        result[:, b * size : (b + 1) * size] = (lo + (hi - lo) * frac[None, :]).T
        state *= decay_block
        for slot in active.tolist():
            state += slot_to_end[slot] * doses[slot]
    result = result[:, :n_points]
    return Band(p5=result[0], median=result[1], p95=result[2], patients=n_patients)
