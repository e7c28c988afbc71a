"""Amounts typed by people: a huge or odd number is refused on its field, never a crash."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benzodetox.core.errors import InputError
from benzodetox.core.units import parse_amount, to_mg


@pytest.mark.parametrize("text", ["1e30", "1E+999999999", "9" * 40, "1000000000000"])
def test_a_huge_amount_is_refused_on_the_amount_field(text):
    """1e30 once raised decimal.InvalidOperation (a 500 in the web app); now an InputError."""
    with pytest.raises(InputError) as caught:
        to_mg(parse_amount(text, "amount"), "mg")
    assert caught.value.field == "amount"
    assert "below" in caught.value.allowed


def test_a_decimal_too_large_for_microgram_resolution_is_refused_by_to_mg():
    """A Decimal that bypassed parse_amount (1e30 µg) is refused, not an InvalidOperation."""
    with pytest.raises(InputError) as caught:
        to_mg(Decimal("1e30"), "mcg")
    assert caught.value.field == "amount"


def test_the_largest_allowed_amount_is_still_exact():
    """Twelve digits before the point keep 1 µg resolution."""
    assert to_mg(parse_amount("999999999999.999"), "mg") == Decimal("999999999999.999")


@given(st.text(max_size=40))
def test_any_text_is_either_an_amount_or_an_input_error(text):
    """Whatever is typed, parsing and converting gives an exact Decimal or an InputError."""
    try:
        mg = to_mg(parse_amount(text, "amount"), "mg")
    except InputError as error:
        assert error.field == "amount"
    else:
        assert isinstance(mg, Decimal) and mg > 0 and mg == mg.quantize(Decimal("0.001"))


@given(st.decimals(allow_nan=True, allow_infinity=True), st.sampled_from(["mg", "µg", "mcg"]))
def test_any_decimal_in_any_unit_is_either_exact_milligrams_or_an_input_error(amount, unit):
    """Decimals of every size, NaN and infinity included, never raise anything but InputError."""
    try:
        mg = to_mg(parse_amount(amount, "amount"), unit)
    except InputError:
        return
    assert mg == mg.quantize(Decimal("0.001"))
