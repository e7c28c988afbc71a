"""Closed-form concentrations: one-compartment oral model and parent → metabolite in sequence.

Every compound's response to 1 mg given orally at t = 0 is a sum of exponentials
``g(t) = Σ_j a_j · exp(−k_j · t)`` (t ≥ 0, ng/mL per mg):

- parent, first-order absorption ``ka`` and elimination ``ke = CL/V`` (the Bateman function)::

      g(t) = 1000 · F · ka / (V · (ka − ke)) · (exp(−ke t) − exp(−ka t))

- metabolite formed from the parent at the rate ``fm · CL · Cp`` and eliminated at ``km``
  (the convolution of three exponentials)::

      g_m(t) = 1000 · F · fm · ke · ka / Vm · Σ_j exp(−k_j t) / Π_{l≠j} (k_l − k_j),
      k = (ka, ke, km)

The model is linear, so a plan's concentration is the superposition ``C(t) = Σ_i D_i g(t − t_i)``
over its dose events (no ODE is integrated). Two evaluations are provided:

``concentration_direct``
    the sum over every event at every time: exact for any times, O(times × events);
``concentration_on_grid``
    the same values on a regular grid ``t_n = n·Δ``, computed in blocks of ``B`` points: doses
    before a block enter through one carried state per exponential (``S ← S·exp(−k·BΔ) + …``,
    an exact recursion), doses inside a block through ``g`` evaluated at that block's points.
    Nothing is interpolated or truncated: the result equals the direct sum to rounding, for dose
    times on or off the grid, at O(times + events·B) cost.

Equal rates (``ka = ke``) make the coefficients singular; rates closer than a relative 1e-6 are
moved apart by that much (a relative change of ~1e-6 in the result) — see ``separate_rates``.

>>> import numpy as np
>>> rates, coefs = parent_terms(bioavailability=1.0, ka=2.0, clearance=1.0, volume=10.0)
>>> c = concentration_direct(np.array([0.0, 1.0]), np.array([0.0]), np.array([10.0]), rates, coefs)
>>> [round(float(x), 3) for x in c]
[0.0, 810.002]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "FloatArray",
    "concentration_direct",
    "concentration_on_grid",
    "metabolite_terms",
    "parent_terms",
    "separate_rates",
]

FloatArray = npt.NDArray[np.float64]

_MIN_GAP = 1e-6


def separate_rates(rates: FloatArray) -> FloatArray:
    """Rates (axis 0 = exponential) moved apart where two are within a relative 1e-6.

    Works on shape ``(J,)`` or ``(J, N)`` (N virtual patients); returns a new array.
    """
    out = np.array(rates, dtype=np.float64, copy=True)
    for i in range(out.shape[0]):
        for j in range(i + 1, out.shape[0]):
            close = np.abs(out[j] - out[i]) <= _MIN_GAP * np.maximum(out[i], out[j])
            if np.any(close):
                out[j] = np.where(close, out[i] * (1.0 + 2.0 * _MIN_GAP), out[j])
    return out


def parent_terms(
    *,
    bioavailability: float | FloatArray,
    ka: float | FloatArray,
    clearance: float | FloatArray,
    volume: float | FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Rates (1/h) and coefficients (ng/mL per mg) of the parent's response to 1 mg oral.

    Scalars give shape ``(2,)``; arrays of N patients give ``(2, N)``.
    """
    ke = np.asarray(clearance, dtype=np.float64) / np.asarray(volume, dtype=np.float64)
    ka_arr = np.broadcast_to(np.asarray(ka, dtype=np.float64), ke.shape)
    rates = separate_rates(np.stack([ke, ka_arr]))
    ke, ka_s = rates[0], rates[1]
    scale = 1000.0 * np.asarray(bioavailability) * ka_s / (np.asarray(volume) * (ka_s - ke))
    coefs = np.stack([scale, -scale]).astype(np.float64)
    return rates, coefs


def metabolite_terms(
    *,
    bioavailability: float | FloatArray,
    ka: float | FloatArray,
    clearance: float | FloatArray,
    volume: float | FloatArray,
    fraction: float | FloatArray,
    metabolite_clearance: float | FloatArray,
    metabolite_volume: float | FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Rates and coefficients of the metabolite's response to 1 mg of parent taken orally."""
    ke = np.asarray(clearance, dtype=np.float64) / np.asarray(volume, dtype=np.float64)
    km = np.asarray(metabolite_clearance, dtype=np.float64) / np.asarray(
        metabolite_volume, dtype=np.float64
    )
    shape = np.broadcast_shapes(ke.shape, km.shape, np.shape(ka))
    rates = separate_rates(
        np.stack(
            [
                np.broadcast_to(np.asarray(ka, dtype=np.float64), shape),
                np.broadcast_to(ke, shape),
                np.broadcast_to(km, shape),
            ]
        )
    )
    scale = (
        1000.0
        * np.asarray(bioavailability)
        * np.asarray(fraction)
        * rates[1]
        * rates[0]
        / np.asarray(metabolite_volume)
    )
    coefs = np.empty_like(rates)
    for j in range(3):
        denom = np.ones(shape)
        for m in range(3):
            if m != j:
                denom = denom * (rates[m] - rates[j])
        coefs[j] = scale / denom
    return rates, coefs


def _response(dt: FloatArray, rates: FloatArray, coefs: FloatArray) -> FloatArray:
    """g(dt) for dt ≥ 0 and 0 before (single patient: rates and coefs of shape (J,))."""
    total = np.zeros_like(dt)
    safe = np.maximum(dt, 0.0)
    for j in range(rates.shape[0]):
        total += coefs[j] * np.exp(-rates[j] * safe)
    return np.where(dt >= 0.0, np.maximum(total, 0.0), 0.0)


def concentration_direct(
    times_h: FloatArray,
    event_h: FloatArray,
    event_mg: FloatArray,
    rates: FloatArray,
    coefs: FloatArray,
) -> FloatArray:
    """C(t) = Σ_i D_i g(t − t_i) evaluated directly (single patient; reference method)."""
    times = np.asarray(times_h, dtype=np.float64)
    out = np.zeros(times.shape, dtype=np.float64)
    for t_i, d_i in zip(np.asarray(event_h), np.asarray(event_mg), strict=True):
        out += d_i * _response(times - t_i, rates, coefs)
    return out


def block_size(step_h: float, n_points: int) -> int:
    """Points per block: one day of the grid when the step divides 24 h, else 24 points."""
    per_day = 24.0 / step_h
    size = round(per_day) if abs(per_day - round(per_day)) < 1e-9 else 24
    return max(1, min(size, n_points))


def concentration_on_grid(
    n_points: int,
    step_h: float,
    event_h: FloatArray,
    event_mg: FloatArray,
    rates: FloatArray,
    coefs: FloatArray,
) -> FloatArray:
    """C at ``t_n = n·step_h`` for one patient, by the exact block method (module docstring).

    Events at or after the end of the grid are ignored; events must not be negative.
    """
    if n_points <= 0:
        return np.zeros(0, dtype=np.float64)
    size = block_size(step_h, n_points)
    n_blocks = -(-n_points // size)
    span = size * step_h
    offsets = np.arange(size, dtype=np.float64) * step_h
    out = np.zeros((n_blocks, size), dtype=np.float64)

    ev_t = np.asarray(event_h, dtype=np.float64)
    ev_d = np.asarray(event_mg, dtype=np.float64)
    keep = (ev_t < n_points * step_h) & (ev_d != 0.0)
    ev_t, ev_d = ev_t[keep], ev_d[keep]
    if ev_t.size == 0:
        return out.reshape(-1)[:n_points]
    order = np.argsort(ev_t, kind="stable")
    ev_t, ev_d = ev_t[order], ev_d[order]
    ev_b = np.minimum((ev_t // span).astype(np.int64), n_blocks - 1)
    in_block = ev_t - ev_b * span

    # Doses within their own block: g at that block's points at or after the dose.
    local = ev_d[:, None] * _response(offsets[None, :] - in_block[:, None], rates, coefs)
    starts = np.flatnonzero(np.r_[True, ev_b[1:] != ev_b[:-1]])
    out[ev_b[starts]] += np.add.reduceat(local, starts, axis=0)

    # Doses of earlier blocks: one carried state per exponential, exact recursion.
    n_terms = rates.shape[0]
    carry_in = np.zeros((n_blocks, n_terms), dtype=np.float64)
    decay_block = np.exp(-rates * span)
    to_end = np.exp(-np.outer(span - in_block, rates)) * ev_d[:, None]  # (events, J)
    per_block = np.zeros((n_blocks, n_terms), dtype=np.float64)
    np.add.at(per_block, ev_b, to_end)
    state = np.zeros(n_terms, dtype=np.float64)
    first_block = int(ev_b[0])
    for b in range(first_block, n_blocks - 1):
        state = state * decay_block + per_block[b]
        carry_in[b + 1] = state
    within = coefs[None, :] * np.exp(-np.outer(offsets, rates))  # (B, J)
    out += carry_in @ within.T
    return np.maximum(out.reshape(-1)[:n_points], 0.0)
