"""What a clinician would see across realistic requests: how often the planner refuses, how
practical its plans are, how large its cuts and how high its crossovers go.

The sample (fixed, not random): in each market, every drug with a solid product × every solid
strength × one to three doses a day (22:00; 08:00 + 22:00; 08:00 + 14:00 + 22:00), one unit a
dose, kept when the daily total is within the drug's label maximum for that market; each regimen
planned with every outpatient strategy and the inpatient one, with and without a switch to
diazepam, with and without the liquid. Drugs without products in a market are planned too, with
a switch to diazepam (the old drug from the patient's supply), at the label's usual dose.

Printed figures (issue 10, "Done when"):

- refusal rate, overall and per strategy / switch / liquid (target < 1 %);
- products per plan (different products dispensed over the whole plan), median and max;
- liquid share of diazepam steps above 20 mg/day (target 0);
- largest cut per strategy (a step's % of the day before, the stop excluded) and the share of
  plans that stop from above the strategy's final dose; steps that depart from their strategy
  (stated on each step: a nearest workable step, the Ashton ending, a forced switch);
- crossover peaks: plans whose new drug goes above its label maximum (target 0).

    uv run python bench/bench_plan_quality.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time as clock
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _machine import describe
from benzodetox.core.catalogue import EQUIVALENCE_TABLES, MARKETS, catalogue
from benzodetox.core.errors import BenzodetoxError
from benzodetox.core.plan import Plan, PlanRequest
from benzodetox.core.regimen import Dose, Regimen
from benzodetox.core.tapering import build_plan, departures

STRATEGIES = ("asam", "ashton", "hyperbolic", "deprescribing", "inpatient")
TIME_SETS = ((time(22),), (time(8), time(22)), (time(8), time(14), time(22)))
START = date(2026, 12, 1)


def label_max(drug: str, market: str) -> Decimal:
    found = catalogue().drugs[drug]
    by_market = getattr(found, "label_max", None)
    return by_market(market).mg if by_market else found.max_daily.mg


def table_for(drug: str) -> str | None:
    cat = catalogue()
    for table in EQUIVALENCE_TABLES:
        if table in cat.drugs[drug].equivalence and table in cat.drugs["diazepam"].equivalence:
            return table
    return None


def regimens(market: str) -> Iterator[tuple[str, Regimen]]:
    """(drug, regimen) of the sample in one market."""
    cat = catalogue()
    for drug in sorted(cat.drugs):
        products = cat.products_for(drug, market)
        strengths = sorted({p.strength_mg for p in products if not p.is_liquid})
        for strength in strengths:
            for times in TIME_SETS:
                if strength * len(times) > label_max(drug, market):
                    continue
                yield drug, Regimen(tuple(Dose(t, drug, strength) for t in times))


def requests(quick: bool) -> Iterator[tuple[str, PlanRequest]]:
    for market in MARKETS:
        for drug, regimen in regimens(market):
            table = table_for(drug)
            if table is None:
                continue
            for strategy in STRATEGIES:
                for switch in (None, "diazepam"):
                    for liquid in (True, False):
                        if quick and (liquid or strategy == "inpatient"):
                            continue
                        yield drug, PlanRequest(
                            regimen=regimen,
                            source=table,
                            basis="low",
                            start=START,
                            strategy=strategy,
                            market=market,
                            switch_to=switch,
                            allow_liquid=liquid,
                        )


FINAL_DOSE = {"asam": Decimal(1), "hyperbolic": Decimal("0.5")}


def largest_cut(plan: Plan) -> Decimal:
    """The largest cut of a step before the stop (% of the day before)."""
    previous = plan.diazepam_eq_mg_per_day
    largest = Decimal(0)
    for step in plan.steps:
        if step.kind == "stop":
            break
        if previous > 0:
            largest = max(largest, (previous - step.diazepam_eq_mg) * 100 / previous)
        previous = step.diazepam_eq_mg
    return largest.quantize(Decimal("0.1"))


def stops_above_final(plan: Plan) -> bool:
    final = FINAL_DOSE.get(plan.strategy, Decimal(1))
    return len(plan.steps) > 1 and plan.steps[-2].diazepam_eq_mg > final


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="no liquid, no inpatient")
    args = parser.parse_args()
    cases = list(requests(args.quick))
    refused: Counter[str] = Counter()
    total: Counter[str] = Counter()
    products_per_plan: list[int] = []
    liquid_steps = high_steps = 0
    largest: dict[str, Decimal] = defaultdict(Decimal)
    stopped_high: Counter[str] = Counter()
    built: Counter[str] = Counter()
    departing = 0
    departing_by: Counter[str] = Counter()
    steps_departing = 0
    above_max = 0
    reasons: Counter[str] = Counter()
    steps_built = 0
    started = clock.perf_counter()
    for _drug, request in cases:
        keys = (
            "all",
            f"strategy {request.strategy}",
            f"switch {request.switch_to or 'none'}",
            f"liquid {'yes' if request.allow_liquid else 'no'}",
        )
        for key in keys:
            total[key] += 1
        try:
            plan = build_plan(request)
        except BenzodetoxError as error:
            for key in keys:
                refused[key] += 1
            reasons[str(error).split(" is not allowed")[0].split(":")[0]] += 1
            continue
        steps_built += len(plan.steps)
        products_per_plan.append(
            len({t.product_id for s in plan.steps for d in s.doses for t in d.takes})
        )
        for step in plan.steps:
            if step.drugs == ("diazepam",) and step.diazepam_eq_mg > 20:
                high_steps += 1
                if any(t.ml is not None for d in step.doses for t in d.takes):
                    liquid_steps += 1
        moved = departures(plan)
        departing += bool(moved)
        departing_by[keys[3]] += bool(moved)
        steps_departing += moved
        built[request.strategy] += 1
        stopped_high[request.strategy] += stops_above_final(plan)
        largest[request.strategy] = max(largest[request.strategy], largest_cut(plan))
        if request.switch_to:
            cap = label_max(request.switch_to, request.market)
            if any(step.daily_mg(request.switch_to) > cap for step in plan.steps):
                above_max += 1
    elapsed = clock.perf_counter() - started
    print(f"machine: {describe()}")
    print(
        f"requests: {total['all']} ({'quick: ' if args.quick else ''}every sold drug × solid "
        "strength × 1–3 doses a day within the label maximum × strategies × switch × liquid, "
        f"both markets); {elapsed:.1f} s, {steps_built} steps built"
    )
    for key in sorted(total):
        share = 100 * refused[key] / total[key]
        print(f"refused {key:<24} {refused[key]:>5} / {total[key]:<5} {share:5.1f} %")
    if reasons:
        print("refusals by field: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    if products_per_plan:
        print(
            f"products per plan: median {statistics.median(products_per_plan):g}, "
            f"max {max(products_per_plan)}"
        )
    share = 100 * liquid_steps / high_steps if high_steps else 0.0
    print(f"liquid diazepam steps above 20 mg/day: {liquid_steps} / {high_steps} ({share:.1f} %)")
    print(
        "largest cut before the stop: "
        + ", ".join(f"{k} {v} %" for k, v in sorted(largest.items()))
    )
    print(
        "plans stopping from above the final dose: "
        + ", ".join(
            f"{k} {100 * stopped_high[k] / built[k]:.1f} %" for k in sorted(built) if built[k]
        )
    )
    plans = sum(built.values())
    print(
        f"plans with a stated departure from their strategy: {departing} / {plans} "
        f"({100 * departing / plans:.1f} %), {steps_departing} steps in all; "
        + ", ".join(
            f"{k} {100 * departing_by[k] / (total[k] - refused[k]):.1f} %"
            for k in sorted(departing_by)
        )
    )
    print(f"crossover plans above the new drug's label maximum: {above_max}")


if __name__ == "__main__":
    main()
