"""``{% open_requests_panel %}``: the patients' open requests on the team's dashboard."""

from __future__ import annotations

from typing import Any

from django import template

from benzodetox.web.programmes.services import programmes_where

from ..services import open_requests

register = template.Library()


@register.inclusion_tag("checkins/staff/_requests_panel.html", takes_context=True)
def open_requests_panel(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    ids = [p.pk for p in programmes_where(user, "monitoring.view")] if user else []
    found = list(open_requests(ids)[:20]) if ids else []
    return {"open": found, "request": request}
