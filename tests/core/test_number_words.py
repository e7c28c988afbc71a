"""Quantities in words and figures, as a controlled-drug prescription writes them (UK Misuse
of Drugs Regulations 2001 reg. 15): exact values only, read back to the same number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.errors import InputError
from benzodetox.core.number_words import LIMIT, in_words, in_words_and_figures

D = Decimal


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "zero"),
        (1, "one"),
        (13, "thirteen"),
        (20, "twenty"),
        (28, "twenty-eight"),
        (100, "one hundred"),
        (112, "one hundred and twelve"),
        (1000, "one thousand"),
        (1005, "one thousand and five"),
        (2340, "two thousand three hundred and forty"),
        (1_000_001, "one million and one"),
        (D("87.5"), "eighty-seven point five"),
        (D("2.05"), "two point zero five"),
        (D("0.25"), "zero point two five"),
        (D("2.50"), "two point five"),
        (D("154.000"), "one hundred and fifty-four"),
    ],
)
def test_numbers_are_written_in_words_as_on_a_prescription(value, words):
    """Whole numbers in British usage ('and' after hundreds), decimals digit by digit after
    'point', trailing zeros dropped."""
    assert in_words(value) == words


def test_a_total_reads_in_words_then_figures_with_its_unit():
    """'twenty-eight (28) tablets'; the singular for exactly one; mL for liquids."""
    assert in_words_and_figures(28, "tablet", "tablets") == "twenty-eight (28) tablets"
    assert in_words_and_figures(1, "tablet", "tablets") == "one (1) tablet"
    assert in_words_and_figures(D("87.5"), "mL", "mL") == "eighty-seven point five (87.5) mL"


@pytest.mark.parametrize("bad", [-1, D("-0.5"), 1.5, True, "12", D("NaN"), LIMIT + 1])
def test_floats_negatives_and_non_numbers_are_refused_naming_the_field(bad):
    """A float's digits are never written on an order; the refusal names the field."""
    with pytest.raises(InputError, match=r"^quantity: "):
        in_words(bad)


_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_VALUES = {word: n for n, word in enumerate(_ONES)}
_VALUES.update({word: 10 * (i + 2) for i, word in enumerate(_TENS)})
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}


def _read_back(text: str) -> Decimal:
    """The number the words say (a reader independent of the writer)."""
    whole_text, _, decimals = text.partition(" point ")
    total = current = 0
    for word in whole_text.replace("-", " ").split():
        if word == "and":
            continue
        if word == "hundred":
            current *= 100
        elif word in _SCALES:
            total += current * _SCALES[word]
            current = 0
        else:
            current += _VALUES[word]
    number = Decimal(total + current)
    if decimals:
        digits = "".join(str(_VALUES[w]) for w in decimals.split())
        number += Decimal(f"0.{digits}")
    return number


@given(st.decimals(min_value=0, max_value=LIMIT, places=3, allow_nan=False))
def test_the_words_always_read_back_to_the_same_number(value):
    """For any exact amount up to the limit (3 decimals, as doses and mL are kept), reading
    the words back gives the number exactly, and the figures in brackets are that number."""
    assert _read_back(in_words(value)) == value
    text = in_words_and_figures(value, "mL", "mL")
    assert Decimal(text.split("(")[1].split(")")[0]) == value
