"""Template context: the signed-in user's programmes and roles (for the header and menus)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import roles_allowed


def memberships(request: HttpRequest) -> dict[str, Any]:
    found = getattr(request, "memberships", [])
    return {
        "memberships": found,
        "is_programme_admin": any(m.role == "admin" for m in found),
        "sees_outcomes": any(m.role in roles_allowed("outcomes.view") for m in found),
    }
