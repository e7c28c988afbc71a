"""Benchmark: time per ``dispense`` call over 10,000 random targets, and the one-off grid builds.

Run: ``uv run python bench/bench_dispensing.py [--n 10000] [--seed 1]``. Uses the catalogue's
product sets (every drug × market); targets are random whole-µg doses from 0 to 40 mg (half of
them on a 0.25 mg grid, as tapers mostly are). Prints the machine it ran on.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal

from benzodetox.core import dispensing
from benzodetox.core.catalogue import Product, catalogue


def product_sets() -> list[tuple[Product, ...]]:
    products = catalogue().products
    keys = sorted({(p.drug, p.market) for p in products})
    return [tuple(p for p in products if (p.drug, p.market) == key) for key in keys]


def percentile(sorted_values: list[float], q: float) -> float:
    index = min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"python: {sys.version.split()[0]} ({platform.python_implementation()})")

    sets = product_sets()
    builds = []
    for products in sets:
        begin = time.perf_counter()
        dispensing.dispense(products, Decimal(1))
        builds.append((time.perf_counter() - begin) * 1e6)
    builds.sort()
    print(
        f"grid builds (cold, {len(sets)} product sets): median {statistics.median(builds):.0f} µs,"
        f" max {builds[-1]:.0f} µs"
    )

    calls = []
    for _ in range(args.n):
        products = rng.choice(sets)
        if rng.random() < 0.5:
            target = Decimal(rng.randrange(0, 161)) / 4
        else:
            target = Decimal(rng.randrange(0, 40_001)) / 1000
        calls.append((products, target, rng.choice((None, products[0].id))))

    for label, clear in (("cold results (grid warm)", True), ("warm (repeat targets)", False)):
        if clear:
            dispensing._dispense.cache_clear()
        times = []
        for products, target, prefer in calls:
            begin = time.perf_counter_ns()
            dispensing.dispense(products, target, prefer=prefer)
            times.append((time.perf_counter_ns() - begin) / 1000)
        times.sort()
        print(
            f"dispense, {label}, n={len(times)}: median {statistics.median(times):.1f} µs,"
            f" p95 {percentile(times, 0.95):.1f} µs, p99 {percentile(times, 0.99):.1f} µs,"
            f" throughput {len(times) / (sum(times) / 1e6):,.0f}/s"
        )


if __name__ == "__main__":
    main()
