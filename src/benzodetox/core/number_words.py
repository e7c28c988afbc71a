"""Quantities in words and figures, as a controlled-drug prescription writes them.

The UK's Misuse of Drugs Regulations 2001 (reg. 15) ask a Schedule 2 or 3 prescription for the
total quantity "in both words and figures", so that a figure altered by hand does not match the
words; the pharmacy order writes every total that way ("twenty-eight (28) tablets"). Exact
values only: an ``int`` or a ``Decimal`` (never a float), the decimal part read digit by digit
("eighty-seven point five", "two point zero five").

>>> from decimal import Decimal
>>> in_words(Decimal("87.5"))
'eighty-seven point five'
>>> in_words_and_figures(28, "tablet", "tablets")
'twenty-eight (28) tablets'
"""

from __future__ import annotations

from decimal import Decimal

from .errors import InputError

__all__ = ["LIMIT", "figures", "in_words", "in_words_and_figures"]

_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
#: the largest whole part written in words (a quantity to dispense is far below it)
LIMIT = 10**12 - 1


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_hundred(rest)
    head = f"{_ONES[hundreds]} hundred"
    return f"{head} and {_below_hundred(rest)}" if rest else head


def _whole(n: int) -> str:
    if n < 1000:
        return _below_thousand(n)
    parts: list[str] = []
    for size, name in _SCALES:
        count, n = divmod(n, size)
        if count:
            parts.append(f"{_below_thousand(count)} {name}")
    if n:
        # "one thousand and five", "two million and forty" (British usage, as for hundreds)
        parts.append(("and " if n < 100 else "") + _below_thousand(n))
    return " ".join(parts)


def _exact(value: int | Decimal, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise InputError(field, value, "a whole number or an exact decimal (not a float)")
    number = Decimal(value)
    if not number.is_finite() or number < 0 or number > LIMIT:
        raise InputError(field, value, f"a number from 0 to {LIMIT:,}")
    return number


def in_words(value: int | Decimal, field: str = "quantity") -> str:
    """The number in English words: whole part as words, decimals digit by digit after
    "point"; trailing zeros dropped ("2.50" → "two point five")."""
    number = _exact(value, field)
    whole = int(number)
    text = _whole(whole)
    fraction = number - whole
    if fraction:
        digits = format(fraction.normalize(), "f").split(".")[1]
        text += " point " + " ".join(_ONES[int(d)] for d in digits)
    return text


def figures(value: int | Decimal) -> str:
    """The number as figures, exact and without trailing zeros ('87.5', '28')."""
    number = Decimal(value)
    return format(number.normalize(), "f") if number else "0"


def in_words_and_figures(
    value: int | Decimal, singular: str, plural: str, field: str = "quantity"
) -> str:
    """'twenty-eight (28) tablets', 'one (1) tablet', 'eighty-seven point five (87.5) mL'."""
    words = in_words(value, field)
    unit = singular if Decimal(value) == 1 else plural
    return f"{words} ({figures(value)}) {unit}"
