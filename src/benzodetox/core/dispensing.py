"""Exact dispensing: which products, and how much of each, make up a dose.

The dose a plan prints is the dose a pharmacy can dispense and the patient takes, always: one tool
printed 12 mg, computed 15 mg and dispensed 3 tablets for a 13.5 mg step, another doubled a 2.5 mg
dose in its instructions (../shared/reference/existing-tools.md §b6). So nothing here rounds to a
"nice" number and hopes: every dose is searched for on the grid of doses the products can really
make, and a target that is not on the grid becomes the largest dose on it *below* the target
(never above), the difference being left for the plan to record (``ScheduledDose.rounding_mg``).

Rules (issue 2 "Dispensing"; existing-tools.md §b2 on splitting):

- Tablets (and orally disintegrating tablets) are taken whole or split only into their
  ``split_parts``: a ½ only if the product splits into 2 or 4, a ⅓ or ⅔ only if into 3, a ¼ or
  ¾ only if into 4. Capsules, and anything with ``split_parts = 1``, are never split. A part whose
  amount is not a whole number of micrograms (⅓ of a 2 mg tablet) is never used: doses are exact.
- A liquid is measured in whole multiples of its ``smallest_ml`` (the syringe's resolution); the
  dose is ``ml × mg/mL`` exactly.
- A dose is made of solids (any mix of the drug's tablets, ODTs and capsules, at most
  ``MAX_SOLID_PIECES`` pieces) or of one liquid product alone; liquid and tablets are not mixed
  within one dose.

Among the ways of making a dose exactly, the choice is, in order:

1. an exact solid combination of at most ``SOLIDS_FIRST_PIECES`` pieces, if there is one; otherwise
   one liquid (its whole volume counts as a single piece); otherwise solids of 5–8 pieces;
2. among solids: fewest pieces (a whole tablet, a capsule or a split part each count as one; the
   count 1½ is two pieces, ¾ of a quarter-scored tablet is one), then fewest different products,
   then the ``prefer`` product (continuity with the previous step), then fewest split pieces, then
   as much of the dose as possible from the larger strengths, then product id;
3. among liquids: the ``prefer`` product, then the *lower* concentration (a larger volume is
   measured more accurately; drugs.md §2 notes the dropper error of concentrates at low doses),
   then product id.

Example, US diazepam tablets 2, 5 and 10 mg, each scored in two, and a 7.5 mg dose. The search
tries every count of half-tablets of each product (at most eight pieces in all) and keeps, for
each dose it reaches, the best way of making it; near the target the grid holds

    7 mg = 5 + 2              (2 pieces, 2 products)
    7.5 mg = 1½ × 5           (2 pieces, 1 product; ½ × 10 + ½ × 5 also makes it, with 2 products)
    8 mg = 5 + 1½ × 2         (3 pieces)

7.5 mg is on the grid, so it is given exactly as 1½ × diazepam 5 mg tablet. With the UK lorazepam
1 mg tablet, which is not scored, a 1.5 mg target is not on the grid {1, 2, 3, …}: the dose given is
1 mg and the plan records the 0.5 mg difference on the step.

>>> from decimal import Decimal
>>> from benzodetox.core.catalogue import Product
>>> five = Product(id="us-diazepam-5", market="us", drug="diazepam", form="tablet",
...                name="diazepam 5 mg tablet", strength_mg=Decimal(5), source="x",
...                confirmed=True, split_parts=2)
>>> mg, takes = dispense([five], Decimal("7.5"))
>>> mg, [describe_take(t) for t in takes]
(Decimal('7.5'), ['1½ × diazepam 5 mg tablet'])

Speed: the grid of solid doses (every dose of at most eight pieces) is built once per product set
and kept (``functools.lru_cache``); each later call is a bisection on it. A liquid's grid is
implicit (floor to its mg step). Results are cached too, keyed by the grid and the target in µg.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from functools import lru_cache

from .catalogue import Product
from .errors import DataError, InputError
from .plan import Take
from .units import format_count

__all__ = [
    "MAX_SOLID_PIECES",
    "SOLIDS_FIRST_PIECES",
    "achievable_at_most",
    "achievable_below",
    "describe_take",
    "dispense",
    "smallest_dose",
]

#: Most pieces (whole units and split parts) in one solid dose; beyond this, a liquid or less.
MAX_SOLID_PIECES = 8
#: An exact solid dose of at most this many pieces is preferred to a liquid.
SOLIDS_FIRST_PIECES = 6

_THOUSAND = Decimal(1000)
_ZERO = Decimal(0)
_SOLID_FORMS = frozenset({"tablet", "odt", "capsule"})


def _ug(mg: Decimal, field_name: str) -> int:
    """``mg`` as whole micrograms, rounded down (a dose is never rounded up)."""
    if isinstance(mg, int) and not isinstance(mg, bool):
        mg = Decimal(mg)
    if not isinstance(mg, Decimal) or not mg.is_finite():
        raise InputError(field_name, mg, "a decimal number of mg")
    if mg < 0:
        raise InputError(field_name, mg, "zero or more mg")
    return int((mg * _THOUSAND).to_integral_value(rounding=ROUND_FLOOR))


def _mg(ug: int) -> Decimal:
    return _ZERO if ug == 0 else Decimal(ug) / _THOUSAND


def _tidy(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form: 0.30 -> 0.3, 10.0 -> 10."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


@dataclass(frozen=True)
class _Solid:
    product: Product
    parts: int  # equal parts the unit may be split into (1 = never split)
    options: tuple[tuple[int, int, int, bool], ...]  # (n parts, µg, pieces, split)


@dataclass(frozen=True)
class _Liquid:
    product: Product
    step_ug: int  # µg in one measuring step
    step_ml: Decimal  # mL in one measuring step


@dataclass(eq=False)
class _Grid:
    """Everything precomputed for one product set. Hashed by identity (it is a cache key)."""

    solids: tuple[_Solid, ...]
    liquids: tuple[_Liquid, ...]
    values: list[int]  # sorted µg doses the solids can make with ≤ MAX_SOLID_PIECES pieces
    pieces: dict[int, int]  # fewest pieces for each of those doses
    choices: dict[str | None, dict[int, tuple[int, ...]]] = field(default_factory=dict)

    def solid_at_most(self, ug: int) -> int:
        i = bisect_right(self.values, ug)
        return self.values[i - 1] if i else 0

    def solid_below(self, ug: int) -> int:
        i = bisect_left(self.values, ug)
        return self.values[i - 1] if i else 0

    def at_most(self, ug: int) -> int:
        best = self.solid_at_most(ug)
        for liquid in self.liquids:
            best = max(best, ug // liquid.step_ug * liquid.step_ug)
        return best

    def below(self, ug: int) -> int:
        return self.at_most(ug - 1) if ug > 0 else 0


def _solid(product: Product) -> _Solid:
    parts = 1 if product.form == "capsule" else product.split_parts
    if parts not in (1, 2, 3, 4):
        raise DataError(f"product {product.id}: split_parts must be 1, 2, 3 or 4, not {parts}")
    strength_ug = _strength_ug(product)
    options: list[tuple[int, int, int, bool]] = []
    for n in range(1, MAX_SOLID_PIECES * parts + 1):
        whole, rest = divmod(n, parts)
        pieces = whole + (1 if rest else 0)
        if pieces > MAX_SOLID_PIECES:
            break
        ug, inexact = divmod(strength_ug * n, parts)
        if not inexact:
            options.append((n, ug, pieces, rest != 0))
    return _Solid(product, parts, tuple(options))


def _liquid(product: Product) -> _Liquid:
    _strength_ug(product)
    if product.smallest_ml is None or product.smallest_ml <= 0:
        raise DataError(f"liquid product {product.id} has no smallest measurable volume")
    step = Fraction(product.smallest_ml * product.strength_mg * _THOUSAND)
    # If one syringe step is not a whole number of µg, measure in the smallest multiple that is.
    return _Liquid(product, step.numerator, product.smallest_ml * step.denominator)


def _strength_ug(product: Product) -> int:
    ug = product.strength_mg * _THOUSAND
    if product.strength_mg <= 0 or ug != ug.to_integral_value():
        raise DataError(f"product {product.id}: strength must be a positive whole number of µg")
    return int(ug)


def _search(
    solids: tuple[_Solid, ...], prefer: str | None
) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Best solid combination for every dose: µg -> (rank key, parts per product).

    Dynamic programming over the products, keeping per dose only the best partial combination.
    That is exact because the rank key is a tuple of sums over products (pieces, products used,
    prefer not used, split pieces, then minus the µg from each product in strength order) and a
    lexicographic order on sums is preserved by adding the same thing to both sides; and since
    pieces come first, the best partial also leaves the most room under the piece limit.
    Orally disintegrating tablets count against a combination after pieces, products and the
    previous step's product, so otherwise a plain tablet of the same strength is chosen.
    """
    n = len(solids)
    # key: (pieces, products, preferred-not-used, orally disintegrating pieces, splits,
    #       -µg from product 0, ..., -µg from n-1): plain tablets and capsules before ODTs
    start_key = (0, 0, 1 if prefer is not None else 0, 0, 0) + (0,) * n
    best: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {0: (start_key, (0,) * n)}
    for i, solid in enumerate(solids):
        preferred = solid.product.id == prefer
        special = solid.product.form == "odt"
        grown = dict(best)
        for total, (key, counts) in best.items():
            for parts, ug, pieces, split in solid.options:
                new_pieces = key[0] + pieces
                if new_pieces > MAX_SOLID_PIECES:
                    break  # options come in order of pieces
                new_key = list(key)
                new_key[0] = new_pieces
                new_key[1] += 1
                if preferred:
                    new_key[2] = 0
                if special:
                    new_key[3] += pieces
                new_key[4] += split
                new_key[5 + i] = -ug
                candidate = tuple(new_key)
                value = total + ug
                held = grown.get(value)
                if held is None or candidate < held[0]:
                    grown[value] = (candidate, (*counts[:i], parts, *counts[i + 1 :]))
        best = grown
    del best[0]
    return best


@lru_cache(maxsize=256)
def _grid(products: tuple[Product, ...], allow_liquid: bool) -> _Grid:
    drugs = {p.drug for p in products}
    if len(drugs) > 1:
        raise InputError("products", sorted(drugs), "products of one drug")
    solids: list[_Solid] = []
    liquids: list[_Liquid] = []
    for product in products:
        if product.is_liquid:
            if allow_liquid:
                liquids.append(_liquid(product))
        elif product.form in _SOLID_FORMS:
            solids.append(_solid(product))
        else:
            raise DataError(f"product {product.id}: unknown form {product.form!r}")
    # Larger strengths first, then id: the order of the "larger strengths" tie-break.
    solids.sort(key=lambda s: (-s.product.strength_mg, s.product.id))
    liquids.sort(key=lambda lq: (lq.product.strength_mg, lq.product.id))
    found = _search(tuple(solids), None)
    grid = _Grid(
        solids=tuple(solids),
        liquids=tuple(liquids),
        values=sorted(found),
        pieces={ug: key[0] for ug, (key, _) in found.items()},
    )
    grid.choices[None] = {ug: counts for ug, (_, counts) in found.items()}
    return grid


def _grid_for(products: Sequence[Product], allow_liquid: bool) -> _Grid:
    return _grid(products if isinstance(products, tuple) else tuple(products), allow_liquid)


def _solid_takes(grid: _Grid, ug: int, prefer: str | None) -> tuple[Take, ...]:
    if prefer is not None and all(s.product.id != prefer for s in grid.solids):
        prefer = None
    choice = grid.choices.get(prefer)
    if choice is None:
        choice = {value: counts for value, (_, counts) in _search(grid.solids, prefer).items()}
        grid.choices[prefer] = choice
    takes = []
    for solid, parts in zip(grid.solids, choice[ug], strict=True):
        if parts:
            product = solid.product
            takes.append(
                Take(
                    product_id=product.id,
                    product=product.name,
                    form=product.form,
                    strength_mg=product.strength_mg,
                    mg=_mg(_strength_ug(product) * parts // solid.parts),
                    count=Fraction(parts, solid.parts),
                    confirmed=product.confirmed,
                )
            )
    return tuple(takes)


def _liquid_take(liquid: _Liquid, ug: int) -> Take:
    product = liquid.product
    ml = _tidy(liquid.step_ml * (ug // liquid.step_ug))
    mg = _tidy(ml * product.strength_mg)
    if mg != _mg(ug):  # pragma: no cover - guarded by construction of the step
        raise DataError(f"liquid product {product.id}: {ml} mL does not give {_mg(ug)} mg")
    return Take(
        product_id=product.id,
        product=product.name,
        form=product.form,
        strength_mg=product.strength_mg,
        mg=mg,
        ml=ml,
        confirmed=product.confirmed,
    )


@lru_cache(maxsize=65536)
def _dispense(grid: _Grid, limit_ug: int, prefer: str | None) -> tuple[Decimal, tuple[Take, ...]]:
    ug = grid.at_most(limit_ug)
    if ug == 0:
        return _ZERO, ()
    # Once a dose is measured as a liquid, keep to it while it can make the dose: a patient
    # should not switch between tablets and syringe from one step to the next.
    kept = next((lq for lq in grid.liquids if lq.product.id == prefer), None)
    if kept is not None and ug % kept.step_ug == 0:
        return _mg(ug), (_liquid_take(kept, ug),)
    pieces = grid.pieces.get(ug)
    if pieces is not None and pieces <= SOLIDS_FIRST_PIECES:
        return _mg(ug), _solid_takes(grid, ug, prefer)
    exact = [lq for lq in grid.liquids if ug % lq.step_ug == 0]
    if exact:
        chosen = next((lq for lq in exact if lq.product.id == prefer), exact[0])
        return _mg(ug), (_liquid_take(chosen, ug),)
    return _mg(ug), _solid_takes(grid, ug, prefer)


def dispense(
    products: Sequence[Product],
    target_mg: Decimal,
    *,
    at_most: Decimal | None = None,
    allow_liquid: bool = True,
    prefer: str | None = None,
) -> tuple[Decimal, tuple[Take, ...]]:
    """The dose to give for target_mg: exactly target_mg if the products can make it, else the
    largest achievable dose below it (never above target, never above at_most). Returns
    (mg, takes) with sum(take.mg) == mg exactly. target 0 -> (0, ()). Nothing achievable > 0 ->
    (Decimal(0), ()).

    ``products`` are one drug's products in one market (``Catalogue.products_for``); passing the
    same tuple again is fastest. ``prefer`` is a product id to favour among equally good choices
    (the one the previous step used). A target with more than three decimals is first rounded
    down to whole micrograms.

    >>> from benzodetox.core.catalogue import Product
    >>> tab = Product(id="uk-lorazepam-1", market="uk", drug="lorazepam", form="tablet",
    ...               name="lorazepam 1 mg tablet", strength_mg=Decimal(1), source="x",
    ...               confirmed=True)
    >>> dispense([tab], Decimal("1.5"))[0]
    Decimal('1')
    """
    limit = _ug(target_mg, "target_mg")
    if at_most is not None:
        limit = min(limit, _ug(at_most, "at_most"))
    if limit == 0 or not products:
        return _ZERO, ()
    return _dispense(_grid_for(products, allow_liquid), limit, prefer)


def achievable_at_most(
    products: Sequence[Product], limit_mg: Decimal, *, allow_liquid: bool = True
) -> Decimal:
    """The largest dose the products can make that is at most ``limit_mg`` (0 if none)."""
    limit = _ug(limit_mg, "limit_mg")
    if limit == 0 or not products:
        return _ZERO
    return _mg(_grid_for(products, allow_liquid).at_most(limit))


def achievable_below(
    products: Sequence[Product], limit_mg: Decimal, *, allow_liquid: bool = True
) -> Decimal:
    """The largest dose the products can make that is strictly below ``limit_mg`` (0 if none).

    A planner uses it to step down when the next target rounds back to the current dose.
    """
    if not isinstance(limit_mg, Decimal) or not limit_mg.is_finite():
        raise InputError("limit_mg", limit_mg, "a decimal number of mg")
    if limit_mg <= 0 or not products:
        return _ZERO
    # Strictly below: below the limit's whole µg if it has no fraction of a µg, else at most it.
    ug = _ug(limit_mg, "limit_mg")
    grid = _grid_for(products, allow_liquid)
    return _mg(grid.below(ug) if _mg(ug) == limit_mg else grid.at_most(ug))


def smallest_dose(products: Sequence[Product], *, allow_liquid: bool = True) -> Decimal:
    """The smallest dose above zero the products can make (0 if there are no products)."""
    if not products:
        return _ZERO
    grid = _grid_for(products, allow_liquid)
    candidates = [lq.step_ug for lq in grid.liquids]
    if grid.values:
        candidates.append(grid.values[0])
    return _mg(min(candidates)) if candidates else _ZERO


def describe_take(take: Take) -> str:
    """What to take, as a person reads it: '½ × diazepam 2 mg tablet',
    '2.5 mL of diazepam 1 mg/mL oral solution'."""
    if take.ml is not None:
        return f"{format(_tidy(take.ml), 'f')} mL of {take.product}"
    count = take.count if take.count is not None else Fraction(1)
    return f"{format_count(count)} × {take.product}"
