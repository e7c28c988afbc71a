"""Exact dose quantities: parsing amounts with their unit, and formatting them for people.

Doses are ``Decimal`` milligrams with at most three decimal places (1 µg resolution). Nothing a
person reads is formatted from a float.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from fractions import Fraction

from .errors import InputError

__all__ = [
    "MICROGRAM",
    "floor_to_microgram",
    "format_count",
    "format_mg",
    "parse_amount",
    "plain_decimal",
    "to_mg",
]

MICROGRAM = Decimal("0.001")

_UNIT_FACTORS = {
    "mg": Decimal(1),
    "milligram": Decimal(1),
    "milligrams": Decimal(1),
    "µg": Decimal("0.001"),
    "μg": Decimal("0.001"),  # Greek mu, as typed on some keyboards
    "ug": Decimal("0.001"),
    "mcg": Decimal("0.001"),
    "microgram": Decimal("0.001"),
    "micrograms": Decimal("0.001"),
}
UNITS_ALLOWED = "mg, µg or mcg"
# A bound on the digits of an amount, not a clinical limit: 10^12 mg is far beyond any dose and
# keeps every amount exact at 1 µg within Decimal's default 28-digit precision.
_MAX_DIGITS = 12
_AMOUNT_ALLOWED = "a number below 1000000000000 (12 digits before the point)"


def parse_amount(text: str | int | Decimal, field: str = "amount") -> Decimal:
    """A positive decimal amount from text; refuses floats' noise, zero, negatives and NaN.

    >>> parse_amount("0.25")
    Decimal('0.25')
    """
    if isinstance(text, bool):
        raise InputError(field, text, "a positive number")
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise InputError(field, text, "a positive number such as 0.5 or 10") from None
    if not value.is_finite() or value <= 0:
        raise InputError(field, text, "a number greater than zero")
    if value.adjusted() >= _MAX_DIGITS:
        raise InputError(field, text, _AMOUNT_ALLOWED)
    return value


def to_mg(amount: Decimal, unit: str, field: str = "unit") -> Decimal:
    """``amount`` in ``unit`` as exact milligrams (µg/mcg divided by 1000).

    >>> to_mg(Decimal("250"), "mcg")
    Decimal('0.250')
    """
    factor = _UNIT_FACTORS.get(unit.strip().lower()) if unit else None
    if factor is None:
        raise InputError(field, unit, UNITS_ALLOWED)
    mg = amount * factor
    try:
        exact = mg.quantize(MICROGRAM)
    except InvalidOperation:
        # Too many digits for 1 µg resolution (e.g. 1e30): no dose is that large.
        raise InputError("amount", f"{amount} {unit}", _AMOUNT_ALLOWED) from None
    if mg != exact:
        raise InputError("amount", f"{amount} {unit}", "a dose in whole micrograms")
    return mg


def floor_to_microgram(mg: Decimal) -> Decimal:
    """Round down to 1 µg: a computed dose is never rounded up."""
    return mg.quantize(MICROGRAM, rounding=ROUND_FLOOR)


def format_mg(mg: Decimal) -> str:
    """'7.5 mg', '0.125 mg', '10 mg': exact, without trailing zeros.

    >>> format_mg(Decimal("7.500"))
    '7.5 mg'
    """
    return f"{plain_decimal(mg)} mg"


def plain_decimal(value: Decimal) -> str:
    """An exact decimal as people write it: '7.5', '0.125', '10', '0' (never '1E+1')."""
    return format(value.normalize(), "f") if value != 0 else "0"


def format_count(count: Fraction) -> str:
    """Tablet counts as people write them: '½', '1', '1½', '⅓', '2¾'."""
    glyphs = {
        Fraction(1, 2): "½",
        Fraction(1, 3): "⅓",
        Fraction(2, 3): "⅔",
        Fraction(1, 4): "¼",
        Fraction(3, 4): "¾",
    }
    whole = count.numerator // count.denominator
    rest = count - whole
    if rest == 0:
        return str(whole)
    glyph = glyphs.get(rest, f"{rest.numerator}/{rest.denominator}")
    return glyph if whole == 0 else f"{whole}{glyph}"
