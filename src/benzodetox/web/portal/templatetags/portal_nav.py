"""``{% portal_link "portal:diary" "Dose diary" %}``: a navigation item only when the URL name
exists (the check-in pages come from another app and may not be installed yet)."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_link(context: template.Context, name: str, label: str) -> str:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    current = request is not None and request.path == url
    return format_html(
        '<li><a href="{}"{}>{}</a></li>',
        url,
        mark_safe(' aria-current="page"') if current else "",
        label,
    )
