"""Shared hypothesis strategies for the test suite, one section per area (add yours under its own
"# --- name" header; don't rewrite others')."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from benzodetox.core.catalogue import Product

# --- dispensing
# Products and targets for tests/core/test_dispensing.py and test_supply.py. Strengths are the
# ones found on the US and UK markets (drugs.md §2); the drug name is made up so that nothing
# here reads as catalogue data.

SOLID_STRENGTHS_MG = tuple(
    Decimal(s)
    for s in ("0.125", "0.25", "0.5", "1", "2", "2.5", "3.75", "5", "7.5", "10", "15", "30")
)
LIQUID_STRENGTHS_MG_PER_ML = tuple(Decimal(s) for s in ("0.1", "0.4", "1", "2", "5"))
SMALLEST_ML = tuple(Decimal(s) for s in ("0.05", "0.1", "0.2", "0.5", "1"))


@st.composite
def solid_products(draw: st.DrawFn, index: int = 0, drug: str = "testazepam") -> Product:
    """A tablet, ODT or capsule; capsules may even carry split_parts > 1 (they must still never
    be split)."""
    form = draw(st.sampled_from(("tablet", "tablet", "odt", "capsule")))
    strength = draw(st.sampled_from(SOLID_STRENGTHS_MG))
    parts = draw(st.sampled_from((1, 1, 2, 2, 3, 4)))
    return Product(
        id=f"p{index}-{form}-{strength}",
        market="us",
        drug=drug,
        form=form,
        name=f"{drug} {strength} mg {form}",
        strength_mg=strength,
        source="test",
        confirmed=draw(st.booleans()),
        split_parts=parts,
    )


@st.composite
def liquid_products(draw: st.DrawFn, index: int = 0, drug: str = "testazepam") -> Product:
    strength = draw(st.sampled_from(LIQUID_STRENGTHS_MG_PER_ML))
    return Product(
        id=f"p{index}-liquid-{strength}",
        market="us",
        drug=drug,
        form="liquid",
        name=f"{drug} {strength} mg/mL oral solution",
        strength_mg=strength,
        source="test",
        confirmed=draw(st.booleans()),
        smallest_ml=draw(st.sampled_from(SMALLEST_ML)),
        bottle_ml=draw(st.sampled_from((None, Decimal(30), Decimal(100), Decimal(150)))),
    )


@st.composite
def product_sets(
    draw: st.DrawFn, max_solids: int = 3, max_liquids: int = 1, min_products: int = 1
) -> tuple[Product, ...]:
    """One drug's products in one market: up to ``max_solids`` solids and ``max_liquids``
    liquids, at least ``min_products`` in all."""
    n_solids = draw(st.integers(0, max_solids))
    n_liquids = draw(st.integers(max(0, min_products - n_solids), max_liquids))
    solids = [draw(solid_products(index=i)) for i in range(n_solids)]
    liquids = [draw(liquid_products(index=n_solids + i)) for i in range(n_liquids)]
    return tuple(solids + liquids)


def dose_targets(max_mg: int = 40) -> st.SearchStrategy[Decimal]:
    """Targets in mg with up to three decimals, from 0 to ``max_mg``."""
    return st.integers(0, max_mg * 1000).map(lambda ug: Decimal(ug) / 1000)


# --- equivalence
# (drug, table, basis) triples for tests/core/test_equivalence.py, drawn from the real catalogue:
# every planning table that lists the drug, with a basis whenever the table gives a range.


@st.composite
def drug_table_basis(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """A catalogue drug, a planning table that lists it, and a basis (None for single figures)."""
    from benzodetox.core.catalogue import EQUIVALENCE_TABLES, catalogue

    pairs = sorted(
        (key, table)
        for key, drug in catalogue().drugs.items()
        for table in EQUIVALENCE_TABLES
        if table in drug.equivalence
    )
    key, table = draw(st.sampled_from(pairs))
    fig = catalogue().drugs[key].equivalence[table]
    basis = draw(st.sampled_from(("low", "high"))) if fig.is_range else None
    return key, table, basis


def diazepam_amounts(max_mg: int = 120) -> st.SearchStrategy[Decimal]:
    """Diazepam-equivalent amounts in mg with up to three decimals, above zero."""
    return st.integers(1, max_mg * 1000).map(lambda ug: Decimal(ug) / 1000)


# --- kinetics
# Dose schedules for tests/core/kinetics: event times in hours (on or off the hourly grid) and
# amounts in mg, as the simulator receives them; and made-up one-compartment parameters.


@st.composite
def dose_schedules(
    draw: st.DrawFn, max_events: int = 30, horizon_h: float = 240.0
) -> tuple[list[float], list[float]]:
    """(times_h, mg): up to ``max_events`` doses at arbitrary times in [0, horizon_h)."""
    n = draw(st.integers(1, max_events))
    times = draw(
        st.lists(
            st.floats(0.0, horizon_h, exclude_max=True, allow_nan=False), min_size=n, max_size=n
        )
    )
    amounts = draw(st.lists(st.floats(0.01, 50.0, allow_nan=False), min_size=n, max_size=n))
    return sorted(times), amounts


@st.composite
def pk_parameters(draw: st.DrawFn) -> dict[str, float]:
    """F, ka (1/h), CL (L/h) and V (L) in the range of drugs.md §3.1 (and a bit beyond)."""
    return {
        "bioavailability": draw(st.floats(0.5, 1.0)),
        "ka": draw(st.floats(0.3, 5.0)),
        "clearance": draw(st.floats(0.5, 10.0)),
        "volume": draw(st.floats(20.0, 300.0)),
    }


# --- tapering
# Random regimens of 1–3 drugs that the chosen market sells and the chosen table lists, for the
# planner's property tests (tests/core/tapering).

TAPER_TIMES = ("07:00", "08:00", "12:00", "14:00", "18:00", "22:00")


@st.composite
def taper_cases(
    draw: st.DrawFn, max_drugs: int = 3, switch: bool | None = None, unsold: bool = False
) -> dict[str, object]:
    """Keyword arguments for a PlanRequest: a regimen, table, basis, market, strategy options.

    ``unsold`` also draws drugs the market sells no product of (taken from the patient's
    supply), at a quarter or half of their label maximum a day."""
    from datetime import date, time, timedelta

    from benzodetox.core.catalogue import EQUIVALENCE_TABLES, catalogue
    from benzodetox.core.regimen import Dose, Regimen

    cat = catalogue()
    market = draw(st.sampled_from(("us", "uk")))
    sold = sorted({p.drug for p in cat.products if p.market == market})
    if unsold:
        sold = sorted(cat.drugs)
    drugs = draw(st.lists(st.sampled_from(sold), min_size=1, max_size=max_drugs, unique=True))
    do_switch = draw(st.booleans()) if switch is None else switch
    target = draw(st.sampled_from(("diazepam", "diazepam", "clonazepam"))) if do_switch else None
    needed = [*drugs, target] if target else drugs
    tables = [t for t in EQUIVALENCE_TABLES if all(t in cat.drugs[d].equivalence for d in needed)]
    if not tables:
        drugs = [drugs[0]]
        tables = [
            t
            for t in EQUIVALENCE_TABLES
            if all(t in cat.drugs[d].equivalence for d in [*drugs, target] if d)
        ]
    if not tables:
        target = None
        tables = [t for t in EQUIVALENCE_TABLES if t in cat.drugs[drugs[0]].equivalence]
    table = draw(st.sampled_from(tables))
    doses = []
    for drug in drugs:
        units = sorted({p.strength_mg for p in cat.products_for(drug, market) if not p.is_liquid})
        units = units or sorted({p.strength_mg for p in cat.products_for(drug, market)})
        units = units or [cat.drugs[drug].max_daily.mg / 4, cat.drugs[drug].max_daily.mg / 8]
        times = draw(st.lists(st.sampled_from(TAPER_TIMES), min_size=1, max_size=3, unique=True))
        for t in times:
            unit = draw(st.sampled_from(units))
            mg = unit * draw(st.sampled_from((1, 1, 2, 3)))
            if mg * len(times) > cat.drugs[drug].max_daily.mg:
                mg = unit
            hh, mm = (int(x) for x in t.split(":"))
            doses.append(Dose(time(hh, mm), drug, mg))
    return {
        "regimen": Regimen(tuple(doses)),
        "source": table,
        "basis": draw(st.sampled_from(("low", "high"))),
        "market": market,
        "start": date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 400))),
        "switch_to": target,
        "allow_liquid": draw(st.booleans()),
    }
