"""``{% order_default patient as order %}``: the supply period the pharmacy order's download
form opens with for this patient, and why (the programme's staged supply,
``careplans.pharmacy_policy.order_default``). A tag, so the plan page that includes the form
needs no change to give it."""

from __future__ import annotations

from typing import Any

from django import template

from ..orders import PERIODS
from ..pharmacy_policy import OrderDefault
from ..pharmacy_policy import order_default as _order_default

register = template.Library()

_LABELS = {"1": "1 day", "7": "7 days", "14": "14 days", "28": "28 days", "step": "each step"}


@register.simple_tag
def order_default(patient: Any) -> dict[str, Any]:
    default: OrderDefault = _order_default(patient)
    return {
        "key": default.key,
        "why": default.why,
        "staged": default.staged,
        "choices": [(key, _LABELS[key]) for key in PERIODS],
    }
