"""Words for the adjustment kinds the core names with identifiers."""

from __future__ import annotations

from django import template

register = template.Library()

_WORDS = {
    "none": "no change",
    "hold": "hold",
    "slow": "slower taper",
    "step_back": "step back",
    "plateau": "plateau",
}


@register.filter
def adjustment(kind: object) -> str:
    return _WORDS.get(str(kind), str(kind).replace("_", " "))
