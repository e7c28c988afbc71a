"""Exact dispensing: the dose given is one the products can make, never above the target."""

from __future__ import annotations

import gc
import time
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benzodetox.core.catalogue import Product
from benzodetox.core.dispensing import (
    EASY_PIECES,
    MAX_SOLID_PIECES,
    SOLIDS_FIRST_PIECES,
    achievable_at_most,
    achievable_below,
    describe_take,
    dispense,
    smallest_dose,
)
from benzodetox.core.errors import DataError, InputError
from benzodetox.core.plan import Take
from tests.strategies import dose_targets, product_sets

D = Decimal


def tablet(strength: str, parts: int = 1, drug: str = "diazepam", market: str = "us",
           form: str = "tablet") -> Product:
    return Product(
        id=f"{market}-{drug}-{form}-{strength}",
        market=market,
        drug=drug,
        form=form,
        name=f"{drug} {strength} mg {form}",
        strength_mg=D(strength),
        source="test",
        confirmed=True,
        split_parts=parts,
    )


def liquid(per_ml: str, smallest_ml: str = "0.1", drug: str = "diazepam", market: str = "us",
           name: str | None = None, confirmed: bool = True) -> Product:
    return Product(
        id=f"{market}-{drug}-liquid-{per_ml}",
        market=market,
        drug=drug,
        form="liquid",
        name=name or f"{drug} {per_ml} mg/mL oral solution",
        strength_mg=D(per_ml),
        source="test",
        confirmed=confirmed,
        smallest_ml=D(smallest_ml),
        bottle_ml=D(150),
    )


US_DIAZEPAM = (tablet("2", 2), tablet("5", 2), tablet("10", 2))
US_DIAZEPAM_WITH_LIQUID = (*US_DIAZEPAM, liquid("1"))
UK_LORAZEPAM_1 = (tablet("1", 1, drug="lorazepam", market="uk"),)


def pieces(takes: tuple[Take, ...]) -> int:
    total = 0
    for take in takes:
        if take.ml is not None:
            total += 1
        else:
            assert take.count is not None
            whole = take.count.numerator // take.count.denominator
            total += whole + (1 if take.count != whole else 0)
    return total


# --- brute force, deliberately naive, to check the search against -------------------------------


def effective_parts(product: Product) -> int:
    return 1 if product.form == "capsule" else product.split_parts


def solid_ranks_by_dose(products: tuple[Product, ...]) -> dict[Decimal, tuple[int, int, int]]:
    """Every solid dose of at most MAX_SOLID_PIECES pieces -> the best (pieces beyond the easy
    few, split class, pieces) of the ways of making it, by enumeration."""
    reachable: dict[tuple[int, int, Decimal], None] = {(0, 0, D(0)): None}
    for product in products:
        if product.is_liquid:
            continue
        parts = effective_parts(product)
        options = []
        for n in range(1, MAX_SOLID_PIECES * parts + 1):
            count = Fraction(n, parts)
            whole = n // parts
            used = whole + (1 if n % parts else 0)
            rest = count - whole
            cls = 0 if rest == 0 else 1 if rest.denominator == 2 else 2
            mg = D(count.numerator) * product.strength_mg / D(count.denominator)
            if used <= MAX_SOLID_PIECES and mg == mg.quantize(D("0.001")):
                options.append((used, cls, mg))
        reachable = reachable | {
            (p + used, max(c, cls), mg + extra): None
            for (p, c, mg) in reachable
            for used, cls, extra in options
            if p + used <= MAX_SOLID_PIECES
        }
    best: dict[Decimal, tuple[int, int, int]] = {}
    for p, c, mg in reachable:
        if mg > 0:
            rank = (max(p, EASY_PIECES), c, p)
            best[mg] = min(best.get(mg, rank), rank)
    return best


def solid_pieces_by_dose(products: tuple[Product, ...]) -> dict[Decimal, int]:
    """Every solid dose of at most MAX_SOLID_PIECES pieces -> the pieces of its best way."""
    return {mg: rank[2] for mg, rank in solid_ranks_by_dose(products).items()}


def split_class(takes: tuple[Take, ...]) -> int:
    fractions = [t.count - t.count.numerator // t.count.denominator for t in takes if t.count]
    return max((0 if f == 0 else 1 if f.denominator == 2 else 2 for f in fractions), default=0)


def brute_largest_at_most(products: tuple[Product, ...], limit: Decimal) -> Decimal:
    candidates = [mg for mg in solid_pieces_by_dose(products) if mg <= limit]
    for product in products:
        if product.is_liquid:
            assert product.smallest_ml is not None
            step = product.smallest_ml * product.strength_mg
            n = 1
            while n * step <= limit:
                if n * step == (n * step).quantize(D("0.001")):
                    candidates.append(n * step)
                n += 1
    return max(candidates, default=D(0))


def check_takes(products: tuple[Product, ...], mg: Decimal, takes: tuple[Take, ...]) -> None:
    by_id = {p.id: p for p in products}
    assert sum((t.mg for t in takes), D(0)) == mg
    liquids = [t for t in takes if t.ml is not None]
    if liquids:
        assert len(takes) == 1, "a liquid dose is one liquid product alone"
    else:
        assert pieces(takes) <= MAX_SOLID_PIECES
    for take in takes:
        product = by_id[take.product_id]
        assert take.confirmed == product.confirmed
        assert take.mg > 0
        if take.ml is not None:
            assert product.is_liquid and product.smallest_ml is not None
            assert take.count is None
            assert (take.ml / product.smallest_ml) == (take.ml / product.smallest_ml).to_integral()
            assert take.ml * product.strength_mg == take.mg
        else:
            assert not product.is_liquid and take.count is not None and take.ml is None
            assert effective_parts(product) % take.count.denominator == 0
            assert product.strength_mg * take.count.numerator / take.count.denominator == take.mg


# --- properties ----------------------------------------------------------------------------------


@given(product_sets(), dose_targets(), st.none() | dose_targets())
def test_takes_add_up_exactly_and_the_dose_is_never_above_the_target_or_the_cap(
    products: tuple[Product, ...], target: Decimal, cap: Decimal | None
) -> None:
    """sum(take.mg) == mg exactly; mg <= target and <= at_most; every take allowed."""
    mg, takes = dispense(products, target, at_most=cap)
    assert mg <= target
    if cap is not None:
        assert mg <= cap
    check_takes(products, mg, takes)
    assert (mg == 0) == (takes == ())


@settings(deadline=None)  # the naive enumeration is slow by design
@given(product_sets(max_solids=3, max_liquids=2), dose_targets(30))
def test_the_dose_given_is_the_largest_achievable_at_or_below_the_target(
    products: tuple[Product, ...], target: Decimal
) -> None:
    """Checked against a naive enumeration of every combination on small product sets."""
    mg, _ = dispense(products, target)
    assert mg == brute_largest_at_most(products, target)
    assert achievable_at_most(products, target) == mg


@settings(deadline=None)  # the naive enumeration is slow by design
@given(product_sets(max_solids=3, max_liquids=1), dose_targets(30))
def test_an_exact_solid_dose_is_the_easiest_way_and_liquid_only_when_solids_need_more(
    products: tuple[Product, ...], target: Decimal
) -> None:
    """Up to five pieces, whole units before halves before smaller parts, then fewest pieces
    (beyond five, fewest pieces first); a liquid only where the solids need more than six."""
    mg, takes = dispense(products, target)
    if mg == 0:
        return
    best = solid_ranks_by_dose(products).get(mg)
    if takes[0].ml is not None:
        assert best is None or best[2] > SOLIDS_FIRST_PIECES
    else:
        count = pieces(takes)
        assert (max(count, EASY_PIECES), split_class(takes), count) == best


@given(product_sets(), st.data())
def test_a_target_on_the_grid_is_given_exactly(
    products: tuple[Product, ...], data: st.DataObject
) -> None:
    """Any dose the products can make (a random combination) comes back unchanged."""
    solids = [p for p in products if not p.is_liquid]
    liquids = [p for p in products if p.is_liquid]
    target = D(0)
    if liquids and data.draw(st.booleans()):
        chosen = data.draw(st.sampled_from(liquids))
        assert chosen.smallest_ml is not None
        target = chosen.smallest_ml * chosen.strength_mg * data.draw(st.integers(1, 200))
        if target != target.quantize(D("0.001")):
            return
    else:
        budget = MAX_SOLID_PIECES
        for product in solids:
            wholes = data.draw(st.integers(0, budget // 2))
            budget -= wholes
            target += product.strength_mg * wholes
    mg, takes = dispense(products, target)
    assert mg == target
    check_takes(products, mg, takes)


@given(product_sets(), dose_targets(), dose_targets())
def test_achievable_at_most_is_monotone(
    products: tuple[Product, ...], a: Decimal, b: Decimal
) -> None:
    """A larger limit never gives a smaller achievable dose."""
    lo, hi = sorted((a, b))
    assert achievable_at_most(products, lo) <= achievable_at_most(products, hi) <= hi


@given(product_sets(), dose_targets())
def test_achievable_below_is_the_next_dose_down_the_grid(
    products: tuple[Product, ...], limit: Decimal
) -> None:
    """Strictly below the limit, achievable, and nothing achievable lies between it and the
    limit."""
    below = achievable_below(products, limit)
    assert below < limit or limit == below == 0
    assert achievable_at_most(products, below) == below
    at_most = achievable_at_most(products, limit)
    assert at_most in (below, limit)


@given(product_sets(), dose_targets(5))
def test_smallest_dose_is_the_first_step_of_the_grid(
    products: tuple[Product, ...], limit: Decimal
) -> None:
    """Nothing above zero is achievable below the smallest dose."""
    smallest = smallest_dose(products)
    assert smallest > 0
    assert dispense(products, smallest)[0] == smallest
    if limit < smallest:
        assert achievable_at_most(products, limit) == 0


@settings(deadline=None)  # the naive enumeration is slow by design
@given(product_sets(), dose_targets())
def test_without_liquids_no_take_is_liquid(products: tuple[Product, ...], target: Decimal) -> None:
    """allow_liquid=False leaves liquids out of the grid entirely."""
    mg, takes = dispense(products, target, allow_liquid=False)
    assert all(t.ml is None for t in takes)
    assert mg == brute_largest_at_most(tuple(p for p in products if not p.is_liquid), target)


@given(product_sets(), dose_targets())
def test_dispensing_is_deterministic(products: tuple[Product, ...], target: Decimal) -> None:
    """Same products in another order, same answer."""
    assert dispense(products, target) == dispense(tuple(reversed(products)), target)


# --- worked examples -----------------------------------------------------------------------------


def test_us_diazepam_7_5_mg_is_one_and_a_half_5_mg_tablets() -> None:
    """US diazepam tablets 2, 5 and 10 mg, all scored (drugs.md §2, Valium PI summary [V2]):
    7.5 mg = 5 + ½ × 5, i.e. 1½ × the 5 mg tablet (two pieces, one product)."""
    mg, takes = dispense(US_DIAZEPAM, D("7.5"))
    assert mg == D("7.5")
    assert [(t.product_id, t.count, t.mg) for t in takes] == [
        ("us-diazepam-tablet-5", Fraction(3, 2), D("7.5"))
    ]
    assert describe_take(takes[0]) == "1½ × diazepam 5 mg tablet"


def test_us_diazepam_1_mg_is_half_a_2_mg_tablet() -> None:
    """US diazepam 2 mg is scored (drugs.md §2): 1 mg = ½ × 2 mg."""
    mg, takes = dispense(US_DIAZEPAM, D(1))
    assert mg == D(1)
    assert [(t.product_id, t.count) for t in takes] == [("us-diazepam-tablet-2", Fraction(1, 2))]
    assert describe_take(takes[0]) == "½ × diazepam 2 mg tablet"


def test_whole_tablets_come_before_halves_within_five_pieces() -> None:
    """US diazepam 2/5/10 mg scored: 8 mg is 4 × 2 mg rather than 5 + 1½ × 2 mg (no split), but
    28 mg is 2 × 10 + 5 + 1½ × 2 mg rather than 2 × 10 + 4 × 2 mg (six pieces)."""
    _, takes = dispense(US_DIAZEPAM, D(8))
    assert [(t.product_id, t.count) for t in takes] == [("us-diazepam-tablet-2", Fraction(4))]
    _, takes = dispense(US_DIAZEPAM, D(28))
    assert pieces(takes) == 5 and split_class(takes) == 1


def test_a_whole_tablet_is_preferred_to_splitting_a_larger_one() -> None:
    """5 mg is one 5 mg tablet, not ½ × 10 mg (same pieces, no split)."""
    _, takes = dispense(US_DIAZEPAM, D(5))
    assert [(t.product_id, t.count) for t in takes] == [("us-diazepam-tablet-5", Fraction(1))]


def test_0_3_mg_with_1_mg_per_ml_solution_is_0_3_ml() -> None:
    """US diazepam oral solution 5 mg/5 mL = 1 mg/mL (drugs.md §2, Precision Dose label [V]),
    measured with a 0.1 mL oral syringe."""
    mg, takes = dispense(US_DIAZEPAM_WITH_LIQUID, D("0.3"))
    assert mg == D("0.3")
    assert len(takes) == 1 and takes[0].ml == D("0.3") and takes[0].count is None
    assert describe_take(takes[0]) == "0.3 mL of diazepam 1 mg/mL oral solution"


def test_a_liquid_off_its_measuring_grid_rounds_down() -> None:
    """0.25 mg with 1 mg/mL measured in 0.1 mL steps: 0.2 mL, never 0.3 mL."""
    assert dispense(US_DIAZEPAM_WITH_LIQUID, D("0.25"))[0] == D("0.2")


def test_solids_are_preferred_to_liquid_when_four_pieces_or_fewer_make_the_dose() -> None:
    """13.5 mg = 10 + ½ × 5 + ½ × 2 (three pieces) even though a liquid could measure it."""
    mg, takes = dispense(US_DIAZEPAM_WITH_LIQUID, D("13.5"))
    assert mg == D("13.5")
    assert all(t.ml is None for t in takes)
    assert pieces(takes) == 3


def test_liquid_is_used_when_tablets_cannot_make_the_dose() -> None:
    """2.3 mg is not on the tablet grid; the 1 mg/mL solution measures 2.3 mL."""
    mg, takes = dispense(US_DIAZEPAM_WITH_LIQUID, D("2.3"))
    assert (mg, takes[0].ml) == (D("2.3"), D("2.3"))
    assert dispense(US_DIAZEPAM, D("2.3"))[0] == D(2)


def test_uk_lorazepam_1_mg_unscored_gives_1_mg_for_a_1_5_mg_target() -> None:
    """UK lorazepam 1 mg tablets are not scored (drugs.md §2, UK PILs [V]); 1.5 mg cannot be
    made, so 1 mg is given and the 0.5 mg difference is left to record on the step."""
    mg, takes = dispense(UK_LORAZEPAM_1, D("1.5"))
    assert mg == D(1)
    assert D("1.5") - mg == D("0.5")
    assert [(t.count, t.mg) for t in takes] == [(Fraction(1), D(1))]


def test_it_never_splits_an_unscored_tablet_or_a_capsule() -> None:
    """A capsule is never split, whatever its data say; an unscored tablet neither."""
    capsule = tablet("10", 2, drug="chlordiazepoxide", form="capsule")
    assert dispense((capsule,), D(15)) == (D(10), dispense((capsule,), D(10))[1])
    assert dispense(UK_LORAZEPAM_1, D("0.5")) == (D(0), ())


def test_a_third_is_used_only_for_tablets_scored_in_three() -> None:
    """Nordazepam 7.5 mg scored in three (existing-tools.md §b2, FreeHealth issue 86): 2.5 mg
    is ⅓ tablet; the same strength scored in two cannot make it."""
    thirds = (tablet("7.5", 3, drug="nordazepam", market="eu"),)
    mg, takes = dispense(thirds, D("2.5"))
    assert (mg, takes[0].count) == (D("2.5"), Fraction(1, 3))
    assert describe_take(takes[0]) == "⅓ × nordazepam 7.5 mg tablet"
    assert dispense((tablet("7.5", 2, drug="nordazepam"),), D("2.5"))[0] == 0


def test_a_part_that_is_not_a_whole_number_of_micrograms_is_never_used() -> None:
    """⅓ of a 2 mg tablet would be 0.666… mg: not exact, so not offered."""
    mg, takes = dispense((tablet("2", 3),), D(1))
    assert (mg, takes) == (D(0), ())
    assert dispense((tablet("2", 3),), D(2))[0] == D(2)


def test_quarters_of_a_quarter_scored_tablet() -> None:
    """Clonazepam 0.5 mg in quarters: 0.125 mg = ¼; 0.375 mg = ¾ (one piece)."""
    quarters = (tablet("0.5", 4, drug="clonazepam"),)
    assert dispense(quarters, D("0.125"))[1][0].count == Fraction(1, 4)
    mg, takes = dispense(quarters, D("0.375"))
    assert (mg, takes[0].count, pieces(takes)) == (D("0.375"), Fraction(3, 4), 1)


def test_one_product_is_preferred_when_pieces_are_equal() -> None:
    """7.5 mg from 5 and 10 mg scored tablets: 1½ × 5 (one product) and ½ × 10 + ½ × 5 (two)
    are both two pieces; one product wins."""
    _, takes = dispense((tablet("5", 2), tablet("10", 2)), D("7.5"))
    assert [(t.product_id, t.count) for t in takes] == [("us-diazepam-tablet-5", Fraction(3, 2))]


def test_prefer_keeps_the_previous_steps_product_among_equal_choices() -> None:
    """Clonazepam 0.5 mg tablet and 0.5 mg ODT both make 0.5 mg in one piece; `prefer` picks,
    and without it the plain tablet is chosen."""
    tab = tablet("0.5", 2, drug="clonazepam")
    odt = tablet("0.5", 1, drug="clonazepam", form="odt")
    assert dispense((tab, odt), D("0.5"), prefer=odt.id)[1][0].product_id == odt.id
    assert dispense((tab, odt), D("0.5"), prefer=tab.id)[1][0].product_id == tab.id
    assert dispense((tab, odt), D("0.5"))[1][0].product_id == tab.id


def test_prefer_picks_among_liquids_and_otherwise_the_weaker_concentration() -> None:
    """Diazepam 1 mg/mL and 5 mg/mL (Intensol; drugs.md §2): the weaker one is measured more
    accurately, unless the previous step used the concentrate."""
    weak, strong = liquid("1"), liquid("5")
    assert dispense((weak, strong), D("2.5"))[1][0].product_id == weak.id
    assert dispense((weak, strong), D("2.5"), prefer=strong.id)[1][0].ml == D("0.5")


def test_liquid_and_tablets_are_never_mixed_in_one_dose() -> None:
    """10.3 mg with tablets and 1 mg/mL: 10.3 mL of liquid, not 10 mg tablet + 0.3 mL."""
    _, takes = dispense(US_DIAZEPAM_WITH_LIQUID, D("10.3"))
    assert len(takes) == 1 and takes[0].ml == D("10.3")


def test_at_most_caps_the_dose_below_the_target() -> None:
    """The previous step's dose caps the next one (never above the previous step)."""
    assert dispense(US_DIAZEPAM, D(10), at_most=D("7.5"))[0] == D("7.5")
    assert dispense(US_DIAZEPAM, D(10), at_most=D("0.5")) == (D(0), ())


def test_zero_target_and_no_products_give_nothing() -> None:
    """target 0 -> (0, ()); no products -> (0, ())."""
    assert dispense(US_DIAZEPAM, D(0)) == (D(0), ())
    assert dispense((), D(5)) == (D(0), ())
    assert smallest_dose(()) == 0
    assert achievable_below((), D(5)) == 0


def test_a_target_with_a_fraction_of_a_microgram_is_rounded_down() -> None:
    """1.0005 mg becomes 1 mg, never 1.001 mg."""
    mg, _ = dispense((liquid("1", "0.001"),), D("1.0005"))
    assert mg == D(1)
    assert achievable_below((liquid("1", "0.001"),), D("1.0005")) == D(1)


def test_the_liquid_step_widens_until_it_is_a_whole_number_of_micrograms() -> None:
    """0.05 mL of 0.125 mg/mL is 6.25 µg, not exact; the step becomes 0.2 mL (25 µg)."""
    weird = liquid("0.125", "0.05", drug="clonazepam")
    assert smallest_dose((weird,)) == D("0.025")
    assert dispense((weird,), D("0.06"))[1][0].ml == D("0.4")


def test_bad_input_is_refused_with_the_field_named() -> None:
    """Negative targets and floats are input errors; mixed drugs too."""
    with pytest.raises(InputError, match="target_mg"):
        dispense(US_DIAZEPAM, D(-1))
    with pytest.raises(InputError, match="at_most"):
        dispense(US_DIAZEPAM, D(1), at_most=D("NaN"))
    with pytest.raises(InputError, match="target_mg"):
        dispense(US_DIAZEPAM, 1.5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="products"):
        dispense((*US_DIAZEPAM, *UK_LORAZEPAM_1), D(1))


def test_broken_product_data_is_a_data_error() -> None:
    """A liquid without a measuring step or a tablet in five parts is a bug in the data."""
    no_step = Product(id="x", market="us", drug="d", form="liquid", name="x", strength_mg=D(1),
                      source="t", confirmed=True)
    with pytest.raises(DataError):
        dispense((no_step,), D(1))
    with pytest.raises(DataError):
        dispense((tablet("5", 5, drug="d5"),), D(1))


def test_describe_take_writes_counts_and_volumes_as_people_do() -> None:
    """'2 × …', '1¾ × …', '12 mL of …' (no float digits, no trailing zeros)."""
    t = Take(product_id="a", product="clonazepam 0.5 mg tablet", form="tablet",
             strength_mg=D("0.5"), mg=D("0.875"), count=Fraction(7, 4))
    assert describe_take(t) == "1¾ × clonazepam 0.5 mg tablet"
    v = Take(product_id="b", product="diazepam 1 mg/mL oral solution", form="liquid",
             strength_mg=D(1), mg=D(12), ml=D("12.0"))
    assert describe_take(v) == "12 mL of diazepam 1 mg/mL oral solution"


def test_a_plan_worth_of_dispensing_is_fast() -> None:
    """160 doses (40 steps × 4) with a warm grid take well under the 2 ms plan budget's share."""
    products = US_DIAZEPAM_WITH_LIQUID
    dispense(products, D(1))
    targets = [D(40) * D("0.9") ** i for i in range(160)]
    best = float("inf")
    gc.disable()  # as timeit does: a collection of the suite's garbage is not dispensing
    try:
        for _ in range(5):  # best of five: a shared CI machine is noisy
            begin = time.perf_counter()
            for target in targets:
                dispense(products, target)
            best = min(best, time.perf_counter() - begin)
    finally:
        gc.enable()
    assert best < 0.05


# --- the real catalogue (core/data/products.toml) ------------------------------------------------


def catalogue_sets() -> list[tuple[Product, ...]]:
    from benzodetox.core.catalogue import catalogue

    products = catalogue().products
    keys = sorted({(p.drug, p.market) for p in products})
    return [tuple(p for p in products if (p.drug, p.market) == key) for key in keys]


def test_every_catalogue_product_set_dispenses_within_the_rules() -> None:
    """For every drug and market, doses from 0 to 40 mg in 0.05 mg steps obey every rule."""
    for products in catalogue_sets():
        for ug in range(0, 40001, 50):
            target = D(ug) / 1000
            mg, takes = dispense(products, target)
            assert mg <= target
            check_takes(products, mg, takes)


def test_catalogue_us_diazepam_examples() -> None:
    """US diazepam 2/5/10 mg scored tablets and 1 mg/mL solution (drugs.md §2): 7.5 mg is 1½ × 5
    mg; 1 mg is ½ × 2 mg; 0.3 mg is 0.3 mL of the solution."""
    from benzodetox.core.catalogue import catalogue

    products = catalogue().products_for("diazepam", "us")
    _, takes = dispense(products, D("7.5"))
    assert [(t.strength_mg, t.count) for t in takes] == [(D(5), Fraction(3, 2))]
    _, takes = dispense(products, D(1))
    assert [(t.strength_mg, t.count) for t in takes] == [(D(2), Fraction(1, 2))]
    mg, takes = dispense(products, D("0.3"))
    assert mg == D("0.3") and takes[0].ml is not None


def test_catalogue_capsules_and_unscored_tablets_are_never_split() -> None:
    """No take of a catalogue capsule or split_parts=1 tablet is a fraction."""
    for products in catalogue_sets():
        never = {
                p.id
                for p in products
                if not p.is_liquid and (p.form == "capsule" or p.split_parts == 1)
            }
        for ug in range(50, 20001, 50):
            for take in dispense(products, D(ug) / 1000)[1]:
                if take.product_id in never:
                    assert take.count is not None and take.count.denominator == 1


def test_grids_are_consistent_between_neighbouring_limits() -> None:
    """achievable_below(x) is achievable_at_most of the dose just under x, on a real grid."""
    products = US_DIAZEPAM
    values = sorted({achievable_at_most(products, D(ug) / 1000) for ug in range(0, 20001, 250)})
    for lo, hi in pairwise(values):
        assert achievable_below(products, hi) == lo


def test_a_dose_already_measured_as_liquid_stays_liquid_while_the_liquid_can_make_it() -> None:
    """A patient on 8.1 mL of 1 mg/mL should not go back to tablets for 4.5 mg next step (½ × 5
    + 1 × 2 would otherwise win as exact solids), then back to the syringe after it."""
    products = US_DIAZEPAM_WITH_LIQUID
    liquid_id = next(p.id for p in products if p.is_liquid)
    _, takes = dispense(products, D("4.5"), prefer=liquid_id)
    assert len(takes) == 1 and takes[0].ml == D("4.5")
    _, fresh = dispense(products, D("4.5"))
    assert all(t.ml is None for t in fresh)
