"""``{% portal_link "portal:diary" "Dose diary" %}``: a navigation item only when the URL name
exists (the check-in pages come from another app and may not be installed yet);
``{% portal_staff_panel patient %}``: the portal panel of the staff patient page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
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


@register.inclusion_tag("portal/_staff_panel.html", takes_context=True)
def portal_staff_panel(context: template.Context, patient: Any) -> dict[str, Any]:
    """The patient page's portal panel: access state and, for ``portal.invite``, the buttons."""
    from django.conf import settings

    from benzodetox.web.portal.models import Invitation, PortalAccount
    from benzodetox.web.programmes.services import allowed

    request = context["request"]
    now = timezone.now()
    return {
        "patient": patient,
        "csrf_token": context.get("csrf_token"),
        "account": PortalAccount.objects.filter(patient=patient).first(),
        "pending": Invitation.objects.filter(
            patient=patient, used_at=None, revoked_at=None, expires_at__gt=now
        ).first(),
        "can_invite": allowed(request.user, "portal.invite", patient.programme_id),
        "email_on": bool(getattr(settings, "EMAIL_MODE", "")),
    }
