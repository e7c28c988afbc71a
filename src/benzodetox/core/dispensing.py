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
2. among solids: up to ``EASY_PIECES`` pieces, whole units before halves before thirds or
   quarters (what is easiest to take and to dispense: 8 mg is 4 × 2 mg, not 5 mg + 1½ × 2 mg),
   then fewest pieces (a whole tablet, a capsule or a split part each count as one; the count 1½
   is two pieces, ¾ of a quarter-scored tablet is one); beyond ``EASY_PIECES``, fewest pieces
   first; then fewest different products, then the ``prefer`` product (continuity with the
   previous step), then fewest split pieces, then as much of the dose as possible from the
   larger strengths, then product id;
3. among liquids: the ``prefer`` product, then the *lower* concentration (a larger volume is
   measured more accurately; drugs.md §2 notes the dropper error of concentrates at low doses),
   then product id.

Example, US diazepam tablets 2, 5 and 10 mg, each scored in two, and a 7.5 mg dose. The search
tries every count of half-tablets of each product (at most eight pieces in all) and keeps, for
each dose it reaches, the best way of making it; near the target the grid holds

    7 mg = 5 + 2              (2 pieces, 2 products)
    7.5 mg = 1½ × 5           (2 pieces, 1 product; ½ × 10 + ½ × 5 also makes it, with 2 products)
    8 mg = 4 × 2              (4 whole pieces; 5 + 1½ × 2 is 3 pieces but needs a split)

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
    "EASY_PIECES",
    "HALF",
    "LIQUID",
    "MAX_SOLID_PIECES",
    "SMALL_PART",
    "SOLIDS_FIRST_PIECES",
    "WHOLE",
    "DoseGrid",
    "achievable_at_most",
    "achievable_below",
    "describe_take",
    "dispense",
    "dose_grid",
    "smallest_dose",
    "takes_for",
]

#: Most pieces (whole units and split parts) in one solid dose; beyond this, a liquid or less.
MAX_SOLID_PIECES = 8
#: An exact solid dose of at most this many pieces is preferred to a liquid.
SOLIDS_FIRST_PIECES = 6
#: Up to this many pieces, a dose of whole units is preferred to one with fewer pieces that
#: needs a split (4 × 2 mg rather than 5 mg + 1½ × 2 mg); beyond it, fewer pieces come first.
EASY_PIECES = 5

#: How a dose is made, from the easiest to measure (the planner's "most practical" order):
#: whole units, a half, a third or quarter, a liquid measured with a syringe.
WHOLE, HALF, SMALL_PART, LIQUID = 0, 1, 2, 3

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
class DoseGrid:
    """Every dose one drug's products can make in one market, in whole micrograms, with how each
    is made. Built once per product set (``dose_grid``) and hashed by identity (a cache key).

    The planner reads it to choose among doses: ``solid_between`` lists the solid doses in a
    range, ``form(ug, prefer)`` says how a dose would be dispensed (whole units, a half, a
    smaller part or the liquid), ``uses`` which products make it.
    """

    solids: tuple[_Solid, ...]
    liquids: tuple[_Liquid, ...]
    values: list[int]  # sorted µg doses the solids can make with ≤ MAX_SOLID_PIECES pieces
    pieces: dict[int, int]  # pieces of the chosen way of making each of those doses
    split: dict[int, int]  # its split class (WHOLE, HALF, SMALL_PART)
    uses: dict[int, frozenset[str]]  # the product ids it uses
    choices: dict[str | None, dict[int, tuple[int, ...]]] = field(default_factory=dict)
    liquid_steps: tuple[int, ...] = ()  # the liquids' measuring steps (µg), coarsest first

    def __post_init__(self) -> None:
        self.liquid_steps = tuple(sorted((lq.step_ug for lq in self.liquids), reverse=True))

    def solid_at_most(self, ug: int) -> int:
        i = bisect_right(self.values, ug)
        return self.values[i - 1] if i else 0

    def solid_below(self, ug: int) -> int:
        i = bisect_left(self.values, ug)
        return self.values[i - 1] if i else 0

    def at_most(self, ug: int) -> int:
        """The largest dose (µg) the products can make that is at most ``ug`` (0 if none)."""
        best = self.solid_at_most(ug)
        for liquid in self.liquids:
            best = max(best, ug // liquid.step_ug * liquid.step_ug)
        return best

    def below(self, ug: int) -> int:
        """The largest dose (µg) strictly below ``ug`` (0 if none)."""
        return self.at_most(ug - 1) if ug > 0 else 0

    def solid_between(self, lo: int, hi: int) -> list[int]:
        """Solid doses (µg) from ``lo`` to ``hi``, both included, ascending."""
        return self.values[bisect_left(self.values, lo) : bisect_right(self.values, hi)]

    def liquid_nearest(self, lo: int, hi: int, target: int) -> int:
        """The dose a liquid measures in [lo, hi] nearest ``target`` (0 if none does), from the
        coarsest measuring step that reaches the range (rounder volumes)."""
        for step in self.liquid_steps:
            down = min(hi, max(lo, target)) // step * step
            found = [ug for ug in (down, down + step) if lo <= ug <= hi and ug]
            if found:
                return min(found, key=lambda ug: abs(ug - target))
        return 0

    def makes(self, ug: int) -> bool:
        return ug in self.split or any(ug % lq.step_ug == 0 for lq in self.liquids)

    def form(self, ug: int, prefer: str | None = None) -> int:
        """How ``ug`` would be dispensed (WHOLE, HALF, SMALL_PART or LIQUID), as ``dispense``
        does with the same ``prefer``; -1 when the products cannot make it."""
        kept = prefer is not None and any(
            lq.product.id == prefer and ug % lq.step_ug == 0 for lq in self.liquids
        )
        if kept:
            return LIQUID
        pieces = self.pieces.get(ug)
        if pieces is not None and pieces <= SOLIDS_FIRST_PIECES:
            return self.split[ug]
        if any(ug % lq.step_ug == 0 for lq in self.liquids):
            return LIQUID
        return self.split.get(ug, -1)

    def liquid_id(self) -> str | None:
        return self.liquids[0].product.id if self.liquids else None


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


def _split_class(parts: int, n: int) -> int:
    """0 for whole units, 1 for a half, 2 for a third or a quarter (``n`` parts of ``parts``)."""
    rest = n % parts
    if not rest:
        return WHOLE
    return HALF if Fraction(rest, parts).denominator == 2 else SMALL_PART


def _search(
    solids: tuple[_Solid, ...], prefer: str | None
) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Best solid combination for every dose: µg -> (rank key, parts per product).

    The rank (``_rank``) puts whole units before halves before smaller parts among doses of up
    to ``EASY_PIECES`` pieces, then fewest pieces; then fewest different products, the
    ``prefer`` product (continuity with the previous step), plain tablets before orally
    disintegrating ones, fewest split pieces, and as much of the dose as possible from the
    larger strengths. Dynamic programming over the products keeps, per (dose, pieces, split
    class), the partial combination best on the remaining sums; that is exact because the
    pieces and the class (a maximum) are part of the state and the rest of the key is a tuple of
    sums over products, whose lexicographic order is preserved by adding the same thing to both
    sides.
    """
    n = len(solids)
    # rest: (products, preferred-not-used, orally disintegrating pieces, splits,
    #        -µg from product 0, ..., -µg from n-1)
    start_rest = (0, 1 if prefer is not None else 0, 0, 0) + (0,) * n
    states: dict[tuple[int, int, int], tuple[tuple[int, ...], tuple[int, ...]]] = {
        (0, 0, WHOLE): (start_rest, (0,) * n)
    }
    for i, solid in enumerate(solids):
        preferred = solid.product.id == prefer
        special = solid.product.form == "odt"
        grown = dict(states)
        for (total, used, cls), (rest, counts) in states.items():
            for parts, ug, pieces, split in solid.options:
                new_pieces = used + pieces
                if new_pieces > MAX_SOLID_PIECES:
                    break  # options come in order of pieces
                new_rest = list(rest)
                new_rest[0] += 1
                if preferred:
                    new_rest[1] = 0
                if special:
                    new_rest[2] += pieces
                new_rest[3] += split
                new_rest[4 + i] = -ug
                state = (total + ug, new_pieces, max(cls, _split_class(solid.parts, parts)))
                candidate = tuple(new_rest)
                held = grown.get(state)
                if held is None or candidate < held[0]:
                    grown[state] = (candidate, (*counts[:i], parts, *counts[i + 1 :]))
        states = grown
    best: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for (total, used, cls), (rest, counts) in states.items():
        if total == 0:
            continue
        key = _rank(used, cls, rest)
        held = best.get(total)
        if held is None or key < held[0]:
            best[total] = (key, counts)
    return best


def _rank(pieces: int, cls: int, rest: tuple[int, ...]) -> tuple[int, ...]:
    """(pieces beyond the easy few, split class, pieces, *rest): 8 mg from 2, 5 and 10 mg
    scored tablets is 4 × 2 mg rather than 5 + 1½ × 2 mg, but 18 mg is 10 + 5 + 1½ × 2 mg
    rather than 10 + 4 × 2 mg."""
    return (max(pieces, EASY_PIECES), cls, pieces, *rest)


@lru_cache(maxsize=256)
def _grid(products: tuple[Product, ...], allow_liquid: bool) -> DoseGrid:
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
    grid = DoseGrid(
        solids=tuple(solids),
        liquids=tuple(liquids),
        values=sorted(found),
        pieces={ug: key[2] for ug, (key, _) in found.items()},
        split={ug: key[1] for ug, (key, _) in found.items()},
        uses={
            ug: frozenset(s.product.id for s, n in zip(solids, counts, strict=True) if n)
            for ug, (_, counts) in found.items()
        },
    )
    grid.choices[None] = {ug: counts for ug, (_, counts) in found.items()}
    return grid


def _grid_for(products: Sequence[Product], allow_liquid: bool) -> DoseGrid:
    return _grid(products if isinstance(products, tuple) else tuple(products), allow_liquid)


def dose_grid(products: Sequence[Product], allow_liquid: bool = True) -> DoseGrid:
    """The grid of doses ``products`` (one drug, one market) can make; cached per product set."""
    return _grid_for(products, allow_liquid)


def takes_for(grid: DoseGrid, ug: int, prefer: str | None = None) -> tuple[Take, ...]:
    """The takes that make exactly ``ug`` µg (which the grid must make), as ``dispense``."""
    return _dispense(grid, ug, prefer)[1]


def _solid_takes(grid: DoseGrid, ug: int, prefer: str | None) -> tuple[Take, ...]:
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
def _dispense(
    grid: DoseGrid, limit_ug: int, prefer: str | None
) -> tuple[Decimal, tuple[Take, ...]]:
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
