"""Flumazenil, research mode: plasma level and occupancy estimate of a low-dose infusion or depot.

The 2025 Joint Guideline says to avoid flumazenil for tapering (Recommendation 14), and it is not
licensed for withdrawal; every result carries that warning. The model is linear one-compartment
with zero-order input (drugs.md §3.2, §5.1 [C]):

    during input (t0 ≤ t ≤ t1):  C(t) = 1000 · F · R / CL · (1 − exp(−k (t − t0)))
    after it:                    C(t) = C(t1) · exp(−k (t − t1)),     k = CL / V

with R in mg/h and C in ng/mL. A continuous s.c./IV infusion runs for N days; a depot releases at
a constant rate for N weeks (preclinical only, Hood 2014; no release data exist, so the rate is the
user's assumption). The band uses the clearance range of the data file (0.7–1.3 L/h/kg).
Occupancy estimate: free concentration / (free concentration + KD), KD ≈ 12 nM free.

>>> p = parse_rate("1 mg/24h")
>>> p
1.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .model import FloatArray
from .parameters import LIVER_STATES, kinetics_data, model_param, param

__all__ = [
    "REC_14",
    "FlumazenilProtocol",
    "FlumazenilResult",
    "parse_rate",
    "simulate_flumazenil",
]

REC_14 = (
    "Research mode only. Joint Clinical Practice Guideline 2025, Recommendation 14: avoid "
    "flumazenil for tapering (risk of refractory seizures, dysrhythmias and other harms) "
    "[jcpg-2025]. Flumazenil can precipitate withdrawal and seizures in benzodiazepine-dependent "
    "patients and is not licensed to treat dependence or withdrawal [flumazenil-label, V2]."
)

_RATE = re.compile(
    r"^\s*(?P<amount>[0-9]+(?:[.,][0-9]+)?)\s*(?P<unit>mg|µg|μg|ug|mcg)\s*/\s*"
    r"(?:(?P<hours>[0-9]+(?:[.,][0-9]+)?)\s*h|(?P<day>day|d))\s*$",
    re.IGNORECASE,
)


def parse_rate(text: str, field: str = "flumazenil-infusion") -> float:
    """'1 mg/24h', '4 mg/24 h', '1.35 mg/day', '500 µg/12h' → mg per 24 h, within the limits."""
    match = _RATE.match(text)
    if not match:
        raise InputError(field, text, "a rate such as '1 mg/24h' or '1.35 mg/day'")
    amount = float(match.group("amount").replace(",", "."))
    if match.group("unit").lower() != "mg":
        amount /= 1000.0
    hours = 24.0 if match.group("day") else float(match.group("hours").replace(",", "."))
    if hours <= 0:
        raise InputError(field, text, "a period longer than zero hours")
    per_day = amount * 24.0 / hours
    limit = float(str(_limits()["max_rate_mg_per_24h"]))
    if not (0 < per_day <= limit):
        raise InputError(
            field,
            text,
            f"more than 0 and at most {limit:g} mg/24h",
            hint="the highest ICU infusion rate in the reference, 0.5 mg/h; protocols use 1–4",
        )
    return per_day


def _limits() -> dict[str, object]:
    return dict(kinetics_data()["flumazenil"]["limits"])


@dataclass(frozen=True)
class FlumazenilProtocol:
    """``kind`` "infusion" (``duration_days``, route "sc" or "iv") or "depot" (weeks × 7 days)."""

    rate_mg_per_24h: float
    duration_days: float
    kind: str = "infusion"
    route: str = "sc"
    start_h: float = 0.0

    def __post_init__(self) -> None:
        limits = _limits()
        if self.kind not in ("infusion", "depot"):
            raise InputError("flumazenil", self.kind, "infusion or depot")
        if self.route not in ("sc", "iv"):
            raise InputError("flumazenil-route", self.route, "sc or iv")
        if self.kind == "infusion":
            top = float(str(limits["max_infusion_days"]))
            if not (0 < self.duration_days <= top):
                raise InputError("flumazenil-days", self.duration_days, f"1 to {top:g} days")
        else:
            top = float(str(limits["max_depot_weeks"])) * 7
            if not (0 < self.duration_days <= top):
                raise InputError(
                    "flumazenil-depot-weeks", self.duration_days / 7, f"1 to {top / 7:g} weeks"
                )
        if not (math.isfinite(self.start_h) and self.start_h >= 0):
            raise InputError("flumazenil-start", self.start_h, "0 or more hours")


@dataclass(frozen=True)
class FlumazenilResult:
    concentration: FloatArray  # ng/mL, typical clearance
    low: FloatArray  # highest clearance of the range
    high: FloatArray  # lowest clearance of the range
    occupancy_percent: FloatArray
    steady_state_ng_ml: float
    steady_state_range: tuple[float, float]
    assumptions: tuple[str, ...]
    warnings: tuple[str, ...]


def _curve(
    times: FloatArray, rate_mg_h: float, t0: float, t1: float, clearance: float, volume: float
) -> FloatArray:
    k = clearance / volume
    css = 1000.0 * rate_mg_h / clearance
    on = np.clip(times, t0, t1) - t0
    after = np.maximum(times - t1, 0.0)
    return np.asarray(css * -np.expm1(-k * on) * np.exp(-k * after), dtype=np.float64)


def simulate_flumazenil(
    protocol: FlumazenilProtocol,
    times_h: FloatArray,
    *,
    weight_kg: float | None = None,
    liver: str = "none",
) -> FlumazenilResult:
    """Concentration (typical and clearance-range band) and occupancy estimate over ``times_h``."""
    if liver not in LIVER_STATES:
        raise InputError("liver", liver, " or ".join(LIVER_STATES))
    weight = model_param("weight")
    kg = weight.value if weight_kg is None else weight_kg
    cl_p, v_p = param("flumazenil", "clearance"), param("flumazenil", "volume")
    f_p = param("flumazenil", "subcutaneous_bioavailability")
    fu_p = param("flumazenil", "free_fraction")
    kd_p, mw_p = param("flumazenil", "kd"), param("flumazenil", "molar_mass")
    used = [cl_p, v_p, fu_p, kd_p, mw_p]
    bio = 1.0
    if protocol.route == "sc":
        used.append(f_p)
        bio = f_p.value
    assumptions = [weight.describe() if weight_kg is None else f"body weight {kg:g} kg (given)"]
    warnings = [REC_14]
    cl, vol = cl_p.in_model_units(kg), v_p.in_model_units(kg)
    cl_lo = (cl_p.lo or cl_p.value) * kg
    cl_hi = (cl_p.hi or cl_p.value) * kg
    if liver == "impaired":
        rule = kinetics_data()["flumazenil"]["liver"]
        factor = float(rule["clearance_factor"])
        cl, cl_lo, cl_hi = cl * factor, cl_lo * factor, cl_hi * factor
        assumptions.append(
            f"flumazenil: liver impairment → clearance × {factor:g} (moderate dysfunction "
            f"40–60%; severe 25%) [{rule['label']}; {', '.join(rule['source'])}]"
        )
    if protocol.kind == "depot":
        warnings.append(
            "Flumazenil depot: preclinical only (in-vitro and sheep data, Hood 2014 [hood-2014]); "
            "no human data and no release rate exist [gap] — the constant release rate is the "
            "user's assumption."
        )
    rate_mg_h = bio * protocol.rate_mg_per_24h / 24.0
    t0 = protocol.start_h
    t1 = t0 + protocol.duration_days * 24.0
    times = np.asarray(times_h, dtype=np.float64)
    typical = _curve(times, rate_mg_h, t0, t1, cl, vol)
    low = _curve(times, rate_mg_h, t0, t1, cl_hi, vol)
    high = _curve(times, rate_mg_h, t0, t1, cl_lo, vol)
    kd_ng_ml = kd_p.value * mw_p.value / 1000.0
    free = typical * fu_p.value
    occupancy = 100.0 * free / (free + kd_ng_ml)
    assumptions.extend(p.describe() for p in used)
    assumptions.append(
        f"flumazenil occupancy estimate = free / (free + KD), KD {kd_p.value:g} nM = "
        f"{kd_ng_ml:.2f} ng/mL free [C]; rough and assumption-laden (drugs.md §5.1)"
    )
    css = 1000.0 * rate_mg_h / cl
    return FlumazenilResult(
        concentration=typical,
        low=low,
        high=high,
        occupancy_percent=np.asarray(occupancy, dtype=np.float64),
        steady_state_ng_ml=css,
        steady_state_range=(1000.0 * rate_mg_h / cl_hi, 1000.0 * rate_mg_h / cl_lo),
        assumptions=tuple(assumptions),
        warnings=tuple(warnings),
    )
