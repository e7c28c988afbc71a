"""``{% return_to_use_section as rtu %}``: the aftercare page's return-to-use reports and
form (``careplans.return_to_use_views.section``). A tag, so the aftercare view needs no change
to give them; a view re-showing a failed form puts its own ``return_section`` in the context."""

from __future__ import annotations

from typing import Any

from django import template

from ..return_to_use_views import section

register = template.Library()


@register.simple_tag(takes_context=True)
def return_to_use_section(context: template.Context) -> dict[str, Any]:
    given = context.get("return_section")
    if given is not None:
        return dict(given)
    can = context.get("can") or {}
    return section(context["patient"], bool(can.get("aftercare_edit")))
