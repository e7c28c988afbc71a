"""Benchmark: the pharmacology simulator on a one-year diazepam taper at hourly resolution.

Run: ``uv run python bench/bench_kinetics.py [--patients 10000] [--repeat 5] [--seed 1]``.

- single: one plan's curves (diazepam + desmethyldiazepam, 366 days × 24 h = 8,785 points),
  target < 20 ms;
- population: the same plan for N virtual patients (default 10,000), median and 5–95 % band of
  both series, target < 1 s.

The plan is built by the taper engine (diazepam 20 mg/day, ``asam`` strategy, Ashton table) and
its doses after one year are dropped, so the horizon is exactly 365 days + the end point. Prints
the machine, NumPy and its BLAS, and OPENBLAS_CORETYPE as found (never changed here).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from datetime import time as clock
from decimal import Decimal

import numpy as np

from benzodetox.core.kinetics import events_from_plan, simulate
from benzodetox.core.plan import PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _blas() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]  # type: ignore[index]
        return f"{blas['name']} {blas.get('version', '')}".strip()
    except Exception:
        return "unknown"


def _timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        begin = time.perf_counter()
        fn()
        out.append((time.perf_counter() - begin) * 1000)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print(f"machine: {platform.platform()}, {_cpu()}, {os.cpu_count()} CPUs")
    print(f"python: {sys.version.split()[0]}; numpy {np.__version__} ({_blas()})")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")

    regimen = Regimen(
        (
            Dose(clock(8), "diazepam", Decimal(10)),
            Dose(clock(22), "diazepam", Decimal(10)),
        )
    )
    plan = build_plan(PlanRequest(regimen=regimen, source="ashton-2002", start=date(2025, 1, 1)))
    events = events_from_plan(plan, stop_after_days=365)
    n_events = sum(ev.count for ev in events.values())
    print(
        f"plan: diazepam 20 mg/day, {plan.strategy}, {len(plan.steps)} steps, "
        f"{(plan.end - plan.start).days + 1} days; {n_events} dose events in the first 365 days"
    )

    simulate(events, days=365)  # warm-up (data file, imports)
    single = _timed(lambda: simulate(events, days=365), max(args.repeat * 10, 20))
    print(
        f"single plan, 365 days hourly (8,761 points × 2 series): median "
        f"{statistics.median(single):.2f} ms, p95 {single[int(0.95 * (len(single) - 1))]:.2f} ms"
        f", max {single[-1]:.2f} ms (target < 20 ms)"
    )

    population = _timed(
        lambda: simulate(events, days=365, population=args.patients, seed=args.seed),
        args.repeat,
    )
    per_second = args.patients * 8761 * 2 / (statistics.median(population) / 1000)
    print(
        f"population {args.patients:,} patients × 365 days hourly, 2 series with 5/50/95 %: "
        f"median {statistics.median(population):.0f} ms, max {population[-1]:.0f} ms "
        f"(target < 1000 ms); {per_second / 1e6:.0f} M patient-points/s"
    )


if __name__ == "__main__":
    main()
