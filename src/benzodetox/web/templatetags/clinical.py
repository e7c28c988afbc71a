"""Template filters for exact doses (never a float's digits). Registered as a builtin."""

from __future__ import annotations

from decimal import Decimal

from django import template

from benzodetox.core.units import format_mg, plain_decimal

register = template.Library()


@register.filter
def mg(value: object) -> str:
    """Decimal('7.500') → '7.5 mg'."""
    if value is None or value == "":
        return "—"
    return format_mg(value if isinstance(value, Decimal) else Decimal(str(value)))


@register.filter
def plain(value: object) -> str:
    """Decimal('7.500') → '7.5' (no unit)."""
    if value is None or value == "":
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return plain_decimal(number)
