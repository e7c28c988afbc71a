"""Hand-built plans for the care plan, report and calendar tests (until the planner is used)."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from fractions import Fraction

from benzodetox.core.plan import Plan, ScheduledDose, Step, Take

D = Decimal
MORNING = time(8, 0)
NIGHT = time(22, 0)


def tablets(mg: str, strength: str, count: Fraction, product: str = "") -> Take:
    return Take(
        product_id=f"diazepam-{strength}mg-tab",
        product=product or f"Diazepam {strength} mg tablets",
        form="tablet",
        strength_mg=D(strength),
        mg=D(mg),
        count=count,
    )


def liquid(mg: str, ml: str) -> Take:
    return Take(
        product_id="diazepam-2mg5ml-soln",
        product="Diazepam 2 mg/5 mL oral solution",
        form="oral solution",
        strength_mg=D("0.4"),
        mg=D(mg),
        ml=D(ml),
    )


def dose(at: time, mg: str, *takes: Take) -> ScheduledDose:
    return ScheduledDose(time=at, drug="diazepam", target_mg=D(mg), mg=D(mg), takes=takes)


def diazepam_plan(source: str = "ashton") -> Plan:
    """Diazepam 10 mg/day to zero: whole, half and quarter tablets, then liquid, then stop."""
    steps = (
        Step(0, date(2025, 3, 3), date(2025, 3, 16), "current",
             (dose(MORNING, "5", tablets("5", "5", Fraction(1))),
              dose(NIGHT, "5", tablets("5", "5", Fraction(1)))),
             D("10"), D("0")),
        Step(1, date(2025, 3, 17), date(2025, 3, 30), "reduction",
             (dose(MORNING, "2.5", tablets("2.5", "5", Fraction(1, 2))),
              dose(NIGHT, "5", tablets("5", "5", Fraction(1)))),
             D("7.5"), D("25")),
        Step(2, date(2025, 3, 31), date(2025, 4, 13), "reduction",
             (dose(NIGHT, "5.5", tablets("5", "5", Fraction(1)),
                   tablets("0.5", "2", Fraction(1, 4))),),
             D("5.5"), D("26.667")),
        Step(3, date(2025, 4, 14), date(2025, 4, 27), "reduction",
             (dose(NIGHT, "2.5", liquid("2.5", "6.25")),),
             D("2.5"), D("54.545"), notes=("Measure with the oral syringe.",)),
        Step(4, date(2025, 4, 28), date(2025, 4, 28), "stop", (), D("0"), D("100")),
    )
    return Plan(
        source=source,
        market="uk",
        strategy="custom",
        parameters=(("strategy", "custom"),),
        start=date(2025, 3, 3),
        steps=steps,
        diazepam_eq_mg_per_day=D("10"),
        range_mg_per_day=(D("10"), D("10")),
        warnings=("Example plan built by hand for tests.",),
    )
