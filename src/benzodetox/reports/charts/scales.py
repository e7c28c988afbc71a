"""Axes for every chart: a "nice" top for a y axis, its tick values, tick labels a person reads
(exact decimals, never float noise), integer steps for count axes, and the thinning of long
float series to what a plot can show.

Tick values are ``Decimal`` so a label is written from an exact number; geometry converts them
to floats only to place them.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Final

import numpy as np

from benzodetox.core.units import plain_decimal

__all__ = [
    "axis_label",
    "compact",
    "day_step",
    "int_step",
    "nice_ceiling",
    "thin",
    "tick_count",
    "ticks",
]

#: The tops an axis may have, as mantissas of a power of ten: quarter ticks of each are short
#: decimals (1.5 → 0.375, 0.75, 1.125 …).
MANTISSAS: Final = tuple(Decimal(m) for m in ("1", "1.5", "2", "2.5", "3", "4", "5", "6", "8"))


def nice_ceiling(value: float | Decimal | int) -> Decimal:
    """The smallest "nice" number (a mantissa of ``MANTISSAS`` times a power of ten) at or above
    ``value``; 1 for zero, a negative or a non-finite value (an empty chart still has an axis).

    >>> nice_ceiling(Decimal("27.5")), nice_ceiling(0.3), nice_ceiling(101), nice_ceiling(0)
    (Decimal('30'), Decimal('0.3'), Decimal('150'), Decimal('1'))
    """
    if isinstance(value, float):
        if not math.isfinite(value) or value <= 0:
            return Decimal(1)
        exact = Decimal(value)
    else:
        exact = Decimal(value)
        if not exact.is_finite() or exact <= 0:
            return Decimal(1)
    power = Decimal(1).scaleb(exact.adjusted())  # 10 ** floor(log10(value)), exactly
    top = next((m * power for m in MANTISSAS if exact <= m * power), 10 * power)
    return Decimal(format(top.normalize(), "f"))  # '30', not '3E+1'


def _round_step(step: Decimal) -> bool:
    """A step people count in: 1, 2, 2.5 or 5 times a power of ten."""
    digits = step.normalize().as_tuple().digits
    return digits in ((1,), (2,), (2, 5), (5,))


def tick_count(top: Decimal) -> int:
    """How many intervals to divide an axis of 0 to ``top`` into: the first of 4, 5, 3, 6
    giving a step of 1, 2, 2.5 or 5 × 10ⁿ, whole if ``top`` is (150 → 3 × 50, 10 → 5 × 2,
    2.5 → 5 × 0.5), else the first giving a whole step (27 → 3 × 9), else 4.

    >>> tick_count(Decimal(80)), tick_count(Decimal(150)), tick_count(Decimal(27))
    (4, 3, 3)
    """
    counts = (4, 5, 3, 6)
    return next(
        (n for n in counts if _round_step(top / n) and (top % n == 0 or top % 1 != 0)),
        next((n for n in counts if top % n == 0 and top >= n), 4),
    )


def ticks(top: Decimal, count: int | None = None) -> list[Decimal]:
    """``count + 1`` evenly spaced tick values from 0 to ``top`` inclusive (exact decimals);
    ``count`` defaults to ``tick_count(top)``.

    >>> [str(t) for t in ticks(Decimal(15))], [str(t) for t in ticks(Decimal(15), 4)]
    (['0', '5', '10', '15'], ['0', '3.75', '7.5', '11.25', '15'])
    """
    n = tick_count(top) if count is None else count
    return [Decimal(format((top * i / n).normalize(), "f")) for i in range(n + 1)]


def axis_label(value: Decimal) -> str:
    """A tick value as people write it: '7.5', '0.125', '1,250' (thousands grouped).

    >>> axis_label(Decimal("7.50")), axis_label(Decimal("12500")), axis_label(Decimal(0))
    ('7.5', '12,500', '0')
    """
    if abs(value) >= 1000:
        return format(value.normalize().quantize(Decimal(1)), ",")
    return plain_decimal(value)


def int_step(maximum: int, most: int = 5) -> int:
    """A step (1, 2, 5, 10, 20, 25, 50 … ) giving at most ``most`` + 1 ticks from 0 to
    ``maximum`` on a count axis.

    >>> int_step(8), int_step(100), int_step(26)
    (2, 20, 10)
    """
    power = 1
    while True:
        quarter: tuple[int, ...] = (25 * power // 10,) if power >= 10 else ()  # never 2.5
        for step in (power, 2 * power, *quarter, 5 * power):
            if maximum <= step * most:
                return step
        power *= 10


def day_step(days: float) -> int:
    """Days between ticks on an axis of ``days`` days: at most about eight ticks, on days,
    weeks, months (28 d) or years.

    >>> day_step(6), day_step(30), day_step(365)
    (1, 5, 56)
    """
    return next((d for d in (1, 2, 5, 7, 14, 28, 56, 91, 182, 365) if days / d <= 8), 730)


def thin(x: np.ndarray, y: np.ndarray, limit: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ~limit points, preserving each bucket's min and max (peaks stay visible)."""
    if x.size <= limit:
        return x, y
    bucket = math.ceil(x.size / (limit / 2))
    n = x.size // bucket * bucket
    xs = x[:n].reshape(-1, bucket)
    ys = y[:n].reshape(-1, bucket)
    lo, hi = ys.argmin(axis=1), ys.argmax(axis=1)
    rows = np.arange(xs.shape[0])
    first = np.minimum(lo, hi)
    second = np.maximum(lo, hi)
    px = np.stack([xs[rows, first], xs[rows, second]], axis=1).reshape(-1)
    py = np.stack([ys[rows, first], ys[rows, second]], axis=1).reshape(-1)
    return np.r_[px, x[n:]], np.r_[py, y[n:]]


def compact(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel points rounded to 0.1, dropping the middle of every run of equal y (a stepped
    line keeps only its corners)."""
    xs, ys = np.round(xs, 1), np.round(ys, 1)
    if xs.size <= 2:
        return xs, ys
    keep = np.ones(xs.size, dtype=bool)
    keep[1:-1] = ~((ys[1:-1] == ys[:-2]) & (ys[1:-1] == ys[2:]))
    return xs[keep], ys[keep]
