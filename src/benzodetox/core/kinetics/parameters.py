"""Pharmacokinetic parameters from ``core/data/kinetics.toml``, resolved for one patient.

Every figure in the data file carries its source keys and evidence label; resolving a drug for a
patient (weight, age, liver impairment) returns plain floats for the numerics *and* the list of
assumptions that produced them, so every result can show what it rests on.

>>> pk = resolve("diazepam")
>>> round(pk.half_life_h, 1)
36.0
>>> round(resolve("diazepam", age=80).half_life_h, 1)
90.0
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from ..errors import DataError, InputError

__all__ = [
    "ADULT_AGES",
    "KINETIC_DRUGS",
    "LIVER_STATES",
    "Param",
    "ResolvedPK",
    "kinetics_data",
    "model_param",
    "param",
    "resolve",
]

LN2 = math.log(2.0)
LIVER_STATES: tuple[str, ...] = ("none", "impaired")
#: The ages (years) the model's covariate rules are for: adults (kinetics.toml: "Figures are for
#: adults"); an age outside it is refused by ``resolve``.
ADULT_AGES: tuple[int, int] = (18, 110)

_CONVERT: Mapping[str, tuple[str, float, bool]] = {
    # unit → (kind, factor to the model unit, per kg)
    "fraction": ("fraction", 1.0, False),
    "min": ("time", 1.0 / 60.0, False),
    "h": ("time", 1.0, False),
    "1/h": ("rate", 1.0, False),
    "mL/min": ("clearance", 0.06, False),
    "mL/min/kg": ("clearance", 0.06, True),
    "L/h": ("clearance", 1.0, False),
    "L/h/kg": ("clearance", 1.0, True),
    "L": ("volume", 1.0, False),
    "L/kg": ("volume", 1.0, True),
    "kg": ("mass", 1.0, False),
    "nM": ("molar", 1.0, False),
    "g/mol": ("molar mass", 1.0, False),
    "ng/mL": ("concentration", 1.0, False),
}


@dataclass(frozen=True)
class Param:
    """One figure of the data file: the value used, its unit, sources, label and spread."""

    name: str
    value: float
    unit: str
    sources: tuple[str, ...]
    label: str
    note: str = ""
    lo: float | None = None
    hi: float | None = None

    @property
    def confirmed(self) -> bool:
        return self.label != "R"

    def describe(self) -> str:
        """One line for the ``assumptions`` list: value, range, label, sources, note."""
        spread = f" (range {_num(self.lo)}–{_num(self.hi)})" if self.lo is not None else ""
        unconfirmed = ", unconfirmed" if not self.confirmed else ""
        text = (
            f"{self.name} = {_num(self.value)} {self.unit}{spread} "
            f"[{self.label}{unconfirmed}; {', '.join(self.sources)}]"
        )
        return f"{text}: {self.note}" if self.note else text

    def in_model_units(self, weight_kg: float) -> float:
        _kind, factor, per_kg = _CONVERT[self.unit]
        return self.value * factor * (weight_kg if per_kg else 1.0)


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


@cache
def kinetics_data() -> Mapping[str, Any]:
    """The raw kinetics data file, read once."""
    text = resources.files("benzodetox.core").joinpath("data", "kinetics.toml").read_text("utf-8")
    return tomllib.loads(text)


def _sources(row: Mapping[str, Any], where: str) -> tuple[str, ...]:
    src = row.get("source")
    if isinstance(src, str):
        return (src,)
    if isinstance(src, list) and src and all(isinstance(s, str) for s in src):
        return tuple(src)
    raise DataError(f"kinetics.toml: {where} has no source key")


def _param(table: Mapping[str, Any], name: str, where: str) -> Param:
    row = table.get(name)
    if not isinstance(row, Mapping):
        raise DataError(f"kinetics.toml: {where}.{name} is missing")
    unit = str(row.get("unit", ""))
    if unit not in _CONVERT:
        raise DataError(f"kinetics.toml: {where}.{name} has unknown unit {unit!r}")
    spread = row.get("range")
    lo = hi = None
    if spread is not None:
        lo, hi = float(spread[0]), float(spread[1])
    return Param(
        name=f"{where}.{name}",
        value=float(row["value"]),
        unit=unit,
        sources=_sources(row, f"{where}.{name}"),
        label=str(row["label"]),
        note=str(row.get("note", "")),
        lo=lo,
        hi=hi,
    )


def param(drug: str, name: str) -> Param:
    """A figure of a compound's table, e.g. ``param("flumazenil", "kd")``."""
    return _param(_table(drug), name, drug)


def model_param(name: str) -> Param:
    """A model-wide figure (``weight``, ``cv_clearance``, ``cv_volume``)."""
    return _param(kinetics_data()["model"], name, "model")


#: Compounds a patient can take that the simulator has parameters for.
KINETIC_DRUGS: tuple[str, ...] = (
    "diazepam",
    "clonazepam",
    "alprazolam",
    "lorazepam",
    "oxazepam",
    "chlordiazepoxide",
)


def _table(drug: str) -> Mapping[str, Any]:
    data = kinetics_data()
    table = data.get(drug)
    if drug in ("model", "occupancy") or not isinstance(table, Mapping):
        raise InputError(
            "drug",
            drug,
            "a drug with kinetic parameters: " + ", ".join(KINETIC_DRUGS),
            hint="no pharmacokinetic figures for it in the reference",
        )
    return table


@dataclass(frozen=True)
class ResolvedPK:
    """Numbers for one compound in one (virtual) patient: F, ka (1/h), lag (h), CL (L/h), V (L).

    ``assumptions`` lists every figure and covariate rule used; ``warnings`` the gaps that touch
    this result. For a metabolite ``fraction`` is the fraction of the absorbed parent dose
    converted to it (by mass), and ``bioavailability``/``ka``/``lag_h`` are unused.
    """

    drug: str
    bioavailability: float
    ka: float
    lag_h: float
    clearance: float
    volume: float
    fraction: float = 1.0
    metabolite: ResolvedPK | None = None
    assumptions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ke(self) -> float:
        return self.clearance / self.volume

    @property
    def half_life_h(self) -> float:
        return LN2 / self.ke


def _ka_from_tmax(tmax: float, ke: float) -> float:
    """Solve ln(ka/ke)/(ka − ke) = tmax for ka > ke by bisection on log ka [C]."""
    if tmax <= 0:
        raise DataError("kinetics.toml: tmax must be positive")
    lo, hi = math.log(ke) + 1e-9, math.log(ke) + 40.0

    def t_of(log_ka: float) -> float:
        ka = math.exp(log_ka)
        return math.log(ka / ke) / (ka - ke)

    if t_of(lo + 1e-6) < tmax:  # tmax longer than a flip-flop-free absorption allows
        raise DataError("kinetics.toml: tmax too long for the elimination rate")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_of(mid) > tmax:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi))


def _age_line(points: list[list[float]], age: float) -> float:
    (a0, h0), (a1, h1) = points[0], points[-1]
    clamped = min(max(age, a0), a1)
    return h0 + (h1 - h0) * (clamped - a0) / (a1 - a0)


def resolve(
    drug: str,
    *,
    weight_kg: float | None = None,
    age: float | None = None,
    liver: str = "none",
    metabolite_fraction: float | None = None,
) -> ResolvedPK:
    """The parameters of ``drug`` for a patient; unknown drugs raise ``InputError``.

    Covariates: ``age`` in years (per-drug rule from the data file, e.g. Klotz 1975's
    half-life line for diazepam), ``liver`` ("none" or "impaired": the study population named in
    each drug's note, e.g. cirrhosis for diazepam). ``metabolite_fraction`` overrides the
    documented default of the parent → metabolite conversion.
    """
    if liver not in LIVER_STATES:
        raise InputError("liver", liver, " or ".join(LIVER_STATES))
    if age is not None and not (math.isfinite(age) and ADULT_AGES[0] <= age <= ADULT_AGES[1]):
        raise InputError("age", age, f"an adult age in years, {ADULT_AGES[0]} to {ADULT_AGES[1]}")
    weight = model_param("weight")
    if weight_kg is None:
        weight_kg = weight.value
        assumptions = [weight.describe()]
    else:
        if not (math.isfinite(weight_kg) and 30 <= weight_kg <= 250):
            raise InputError("weight", weight_kg, "a body weight in kg, 30 to 250")
        assumptions = [f"body weight {weight_kg:g} kg (given)"]
    return _resolve(drug, weight_kg, age, liver, metabolite_fraction, tuple(assumptions))


def _resolve(
    drug: str,
    weight_kg: float,
    age: float | None,
    liver: str,
    metabolite_fraction: float | None,
    assumptions_in: tuple[str, ...],
) -> ResolvedPK:
    table = _table(drug)
    assumptions = list(assumptions_in)
    warnings: list[str] = []
    used: list[Param] = []

    cl_p = _param(table, "clearance", drug)
    used.append(cl_p)
    clearance = cl_p.in_model_units(weight_kg)
    if "volume" in table:
        v_p = _param(table, "volume", drug)
        used.append(v_p)
        volume = v_p.in_model_units(weight_kg)
    else:
        t_p = _param(table, "half_life", drug)
        used.append(t_p)
        volume = clearance * t_p.in_model_units(weight_kg) / LN2

    bio = ka = lag = 0.0
    if not table.get("metabolite_only"):
        f_p = _param(table, "bioavailability", drug)
        used.append(f_p)
        bio = f_p.value
        if "lag" in table:
            lag_p = _param(table, "lag", drug)
            used.append(lag_p)
            lag = lag_p.in_model_units(weight_kg)

    # Covariates change CL and V before absorption is derived (tmax depends on ke).
    age_rule = table.get("age")
    if age is not None and isinstance(age_rule, Mapping):
        kind = age_rule.get("kind", "none")
        src = ", ".join(_sources(age_rule, f"{drug}.age"))
        if kind == "half-life-line":
            t_half = _age_line(age_rule["points"], age)
            volume = clearance * t_half / LN2
            assumptions.append(
                f"{drug}: age {age:g} y → t½ {t_half:.1f} h, clearance unchanged, "
                f"V = CL·t½/ln2 [{age_rule['label']}; {src}]: {age_rule['note']}"
            )
        elif kind == "clearance-factor-from-age":
            if age >= float(age_rule["age"]):
                clearance *= float(age_rule["clearance_factor"])
                assumptions.append(
                    f"{drug}: age {age:g} y ≥ {age_rule['age']} → clearance × "
                    f"{age_rule['clearance_factor']} [{age_rule['label']}; {src}]: "
                    f"{age_rule['note']}"
                )
        else:
            warnings.append(f"{drug}: age not applied — {age_rule['note']} [{src}]")

    liver_rule = table.get("liver")
    if liver == "impaired" and isinstance(liver_rule, Mapping):
        src = ", ".join(_sources(liver_rule, f"{drug}.liver"))
        if "clearance_factor" in liver_rule:
            cl_factor = float(liver_rule["clearance_factor"])
            t_factor = float(liver_rule.get("half_life_factor", 1.0 / cl_factor))
            clearance *= cl_factor
            volume *= cl_factor * t_factor
            assumptions.append(
                f"{drug}: liver impairment → clearance × {cl_factor:g}, t½ × {t_factor:g} "
                f"[{liver_rule['label']}; {src}]: {liver_rule['note']}"
            )
        else:
            warnings.append(f"{drug}: liver impairment not applied — {liver_rule['note']} [{src}]")

    if not table.get("metabolite_only"):
        if "absorption_half_life" in table:
            a_p = _param(table, "absorption_half_life", drug)
            used.append(a_p)
            ka = LN2 / a_p.in_model_units(weight_kg)
        elif "ka" in table:
            a_p = _param(table, "ka", drug)
            used.append(a_p)
            ka = a_p.value
        else:
            a_p = _param(table, "tmax", drug)
            used.append(a_p)
            ka = _ka_from_tmax(a_p.in_model_units(weight_kg), clearance / volume)

    if "unmodelled_metabolites" in table:
        warnings.append(f"{drug}: {table['unmodelled_metabolites']}")

    metabolite: ResolvedPK | None = None
    if "metabolite" in table:
        fm_p = _param(table, "metabolite_fraction", drug)
        if metabolite_fraction is None:
            used.append(fm_p)
            fm = fm_p.value
        else:
            if not (math.isfinite(metabolite_fraction) and 0 <= metabolite_fraction <= 1):
                raise InputError("metabolite-fraction", metabolite_fraction, "a number 0 to 1")
            fm = metabolite_fraction
            assumptions.append(
                f"{drug}.metabolite_fraction = {fm:g} (given; the benzodetox default "
                f"{fm_p.value:g} is an assumption [gap])"
            )
        child = _resolve(str(table["metabolite"]), weight_kg, age, liver, None, ())
        metabolite = replace(child, fraction=fm)

    assumptions.extend(p.describe() for p in used)
    return ResolvedPK(
        drug=drug,
        bioavailability=bio,
        ka=ka,
        lag_h=lag,
        clearance=clearance,
        volume=volume,
        metabolite=metabolite,
        assumptions=tuple(assumptions),
        warnings=tuple(warnings),
    )
