"""Who may do what where: every permission check goes through :func:`require`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as DjangoUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest

from .models import Membership, Programme
from .roles import Role, roles_allowed

__all__ = [
    "acting_user",
    "add_member",
    "allowed",
    "chosen_programme",
    "programmes_where",
    "require",
    "role_in",
]

User = AbstractBaseUser | AnonymousUser


def acting_user(request: HttpRequest) -> DjangoUser:
    """The signed-in user a request acts for (who a record names as its author); an anonymous
    request is refused. Views already require sign-in: this makes it the type too."""
    user = request.user
    if not isinstance(user, DjangoUser):
        raise PermissionDenied("sign in first")
    return user


def role_in(user: Any, programme_id: int) -> Role | None:
    """The user's role in the programme, or None. Uses the memberships the request loaded."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_benzodetox_roles", None)
    if cached is None:
        cached = {m.programme_id: Role(m.role) for m in Membership.objects.filter(user=user)}
        user._benzodetox_roles = cached
    return cached.get(programme_id)


def allowed(user: Any, action: str, programme_id: int) -> bool:
    role = role_in(user, programme_id)
    return role is not None and role in roles_allowed(action)


def require(user: Any, action: str, programme_id: int) -> Role:
    """The user's role if it allows ``action`` in the programme; PermissionDenied (403)
    otherwise. Whether the object is visible at all is the scope's job (404)."""
    role = role_in(user, programme_id)
    if role is None or role not in roles_allowed(action):
        raise PermissionDenied(f"your role does not allow {action}")
    return role


def programmes_where(user: Any, action: str) -> list[Programme]:
    """Programmes in which ``user`` may perform ``action``, by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = [str(r) for r in roles_allowed(action)]
    return list(
        Programme.objects.filter(memberships__user=user, memberships__role__in=roles).order_by(
            "name"
        )
    )


@transaction.atomic
def add_member(user: Any, programme_name: str, role: str) -> Membership:
    """Give ``user`` ``role`` in the programme (created if new); replaces an earlier role."""
    valid = {str(r) for r in Role}
    if role not in valid:
        from benzodetox.core.errors import InputError

        raise InputError("role", role, ", ".join(sorted(valid)))
    programme, _ = Programme.objects.get_or_create(name=programme_name)
    membership, _ = Membership.objects.update_or_create(
        user=user, programme=programme, defaults={"role": role}
    )
    if hasattr(user, "_benzodetox_roles"):
        del user._benzodetox_roles
    return membership


def chosen_programme(request: HttpRequest, action: str) -> tuple[list[Programme], Programme]:
    """The user's programmes and the one a programme-wide page is about (``?programme=`` in
    the query or the form, else the first), checked for ``action``. Not a member anywhere is
    403; another programme's id is 404, as another programme's patients are."""
    programmes = [m.programme for m in getattr(request, "memberships", [])]
    if not programmes:
        raise PermissionDenied("you are not a member of a programme")
    wanted = request.GET.get("programme") or request.POST.get("programme") or ""
    programme = next((p for p in programmes if str(p.pk) == wanted), None)
    if programme is None:
        if wanted:
            raise Http404("no such programme")
        programme = programmes[0]
    require(request.user, action, programme.pk)
    return programmes, programme
