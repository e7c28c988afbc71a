"""Plans for 1,000 random regimens with a crossover to diazepam, a hyperbolic taper and
dispensing; prints the time per plan and per step (median, p95, p99), and how the time grows
with the number of steps.

Targets (issue 10): median ≤ 15 µs a step and p99 ≤ 2 × the median; time linear in the number
of steps (a 250-step plan within 7 × a 40-step plan). The caches a running app has warm (the
catalogue, each product set's dose grid) are warmed by planning every request once first.

    uv run python bench/bench_planning.py [--plans 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time as clock
from datetime import date, time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from benzodetox.core.catalogue import EQUIVALENCE_TABLES, catalogue
from benzodetox.core.dispensing import achievable_at_most
from benzodetox.core.plan import PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan

TIMES = (time(8), time(13), time(18), time(22))


def random_request(rng: random.Random) -> PlanRequest:
    cat = catalogue()
    market = rng.choice(("us", "uk"))
    sold = sorted({p.drug for p in cat.products if p.market == market})
    while True:
        drugs = rng.sample(sold, rng.randint(1, 3))
        tables = [
            t
            for t in EQUIVALENCE_TABLES
            if all(t in cat.drugs[d].equivalence for d in (*drugs, "diazepam"))
        ]
        if tables:
            break
    doses = []
    for drug in drugs:
        products = cat.products_for(drug, market)
        for at in rng.sample(TIMES, rng.randint(1, 3)):
            strength = rng.choice(
                [p.strength_mg for p in products if not p.is_liquid]
                or [p.strength_mg for p in products]
            )
            mg = achievable_at_most(products, strength * rng.choice((1, 2)))
            doses.append(Dose(at, drug, mg))
    return PlanRequest(
        regimen=Regimen(tuple(doses)),
        source=rng.choice(tables),
        basis=rng.choice(("low", "high")),
        start=date(2026, 1, 5),
        strategy="hyperbolic",
        market=market,
        switch_to="diazepam",
    )


def percentile(values: list[float], share: float) -> float:
    return values[max(int(share * len(values)) - 1, 0)]


def timed(request: PlanRequest, repeat: int = 1) -> tuple[float, int]:
    """Best of ``repeat`` builds, in µs, and the plan's steps."""
    best = float("inf")
    steps = 0
    for _ in range(repeat):
        started = clock.perf_counter()
        plan = build_plan(request)
        best = min(best, (clock.perf_counter() - started) * 1e6)
        steps = len(plan.steps)
    return best, steps


def growth() -> tuple[float, float, int, int]:
    """µs for a ~40-step and a 250-step plan made of the same kind of steps (hyperbolic 0.5 %
    steps, weekly, to 25 mg diazepam a day: from 9 + 10 + 10 mg, and from 20 mg three times)."""

    def request(first: int, then: int) -> PlanRequest:
        doses = ((8, first), (14, then), (22, then))
        return PlanRequest(
            regimen=Regimen(tuple(Dose(time(h), "diazepam", Decimal(mg)) for h, mg in doses)),
            source="ashton-2002",
            start=date(2026, 1, 5),
            strategy="hyperbolic",
            percent=Decimal("0.5"),
            interval_days=7,
            final_dose_mg=Decimal(25),
        )

    short, long_ = request(9, 10), request(20, 20)
    build_plan(short)
    build_plan(long_)
    t_short, n_short = timed(short, 20)
    t_long, n_long = timed(long_, 20)
    return t_short, t_long, n_short, n_long


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    requests = [random_request(rng) for _ in range(args.plans)]
    for request in requests:  # warm the caches a running app has warm
        build_plan(request)
    per_plan: list[float] = []
    per_step: list[float] = []
    steps = 0
    for request in requests:
        micro, n = timed(request)
        per_plan.append(micro / 1000)
        per_step.append(micro / n)
        steps += n
    per_plan.sort()
    per_step.sort()
    t_short, t_long, n_short, n_long = growth()
    print(f"machine: {describe()}")
    print(
        f"plans: {len(per_plan)} (crossover to diazepam + hyperbolic 10 %, both markets), "
        f"{steps / len(per_plan):.1f} steps on average"
    )
    print(
        f"per plan: median {statistics.median(per_plan):.2f} ms, "
        f"p95 {percentile(per_plan, 0.95):.2f} ms, p99 {percentile(per_plan, 0.99):.2f} ms, "
        f"max {per_plan[-1]:.2f} ms"
    )
    median_step = statistics.median(per_step)
    p99_step = percentile(per_step, 0.99)
    print(
        f"per step: median {median_step:.1f} µs, p95 {percentile(per_step, 0.95):.1f} µs, "
        f"p99 {p99_step:.1f} µs (p99/median {p99_step / median_step:.2f}; targets ≤ 15 µs, ≤ 2)"
    )
    print(
        f"growth: {n_short} steps {t_short:.0f} µs, {n_long} steps {t_long:.0f} µs: "
        f"{t_long / t_short:.2f} × the time for {n_long / n_short:.2f} × the steps "
        "(target: within 7 ×)"
    )
    print(f"throughput: {1000 * len(per_plan) / sum(per_plan):.0f} plans/s")


if __name__ == "__main__":
    main()
