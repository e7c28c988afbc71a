"""Plans for 1,000 random regimens with a crossover to diazepam, a hyperbolic taper and
dispensing; prints the median, p95 and p99 time per plan (issue 2: median < 2 ms, p99 < 10 ms).

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    requests = [random_request(rng) for _ in range(args.plans)]
    build_plan(requests[0])  # load the catalogue once, as a running app has
    timings = []
    steps = 0
    for request in requests:
        started = clock.perf_counter()
        plan = build_plan(request)
        timings.append((clock.perf_counter() - started) * 1000)
        steps += len(plan.steps)
    timings.sort()
    p95 = timings[int(0.95 * len(timings)) - 1]
    p99 = timings[int(0.99 * len(timings)) - 1]
    print(f"machine: {describe()}")
    print(
        f"plans: {len(timings)} (crossover to diazepam + hyperbolic 10 %, both markets), "
        f"{steps / len(timings):.1f} steps on average"
    )
    print(
        f"per plan: median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
        f"p99 {p99:.2f} ms, max {timings[-1]:.2f} ms"
    )
    print(f"throughput: {1000 * len(timings) / sum(timings):.0f} plans/s")
    _ = Decimal  # exact types throughout; figures above are timings only


if __name__ == "__main__":
    main()
