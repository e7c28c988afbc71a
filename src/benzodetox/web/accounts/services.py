"""What an admin may do to an account (unlock it, issue a one-time password-reset link) and
the two-factor requirement of a member's roles; every change is an audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.audit.services import record
from benzodetox.web.programmes.models import Membership, Programme
from benzodetox.web.programmes.roles import Role
from benzodetox.web.programmes.services import acting_user

from . import throttle
from .models import ResetLink

__all__ = [
    "IssuedLink",
    "admin_programmes",
    "check_reset_link",
    "issue_reset_link",
    "may_reset",
    "may_unlock",
    "needs_two_factor",
    "unlock",
    "use_reset_link",
]

tokens = PasswordResetTokenGenerator()


def admin_programmes(actor: Any) -> set[int]:
    """Ids of the programmes where ``actor`` is a programme admin."""
    if not getattr(actor, "is_authenticated", False):
        return set()
    return set(
        Membership.objects.filter(user=actor, role=Role.ADMIN).values_list(
            "programme_id", flat=True
        )
    )


def _target_programmes(target: Any) -> set[int]:
    return set(Membership.objects.filter(user=target).values_list("programme_id", flat=True))


def may_unlock(actor: Any, target: Any) -> bool:
    """A superuser, or a programme admin of a programme the target belongs to."""
    if getattr(actor, "is_superuser", False):
        return True
    return bool(admin_programmes(actor) & _target_programmes(target))


def may_reset(actor: Any, target: Any) -> bool:
    """A superuser; or a programme admin for a member whose every programme they administer and
    who holds no site-wide power (a reset link is the account itself: an admin of one
    programme must not gain a member's access to another, nor a superuser's)."""
    if getattr(actor, "is_superuser", False):
        return True
    if target.is_superuser or target.is_staff:
        return False
    theirs = _target_programmes(target)
    return bool(theirs) and theirs <= admin_programmes(actor)


def _shared_programme(actor: Any, target: Any) -> int | None:
    shared = sorted(admin_programmes(actor) & _target_programmes(target))
    if shared:
        return shared[0]
    return min(_target_programmes(target), default=None)


def _audit(
    request: HttpRequest | None,
    action: str,
    target: Any,
    summary: str,
    *,
    actor_name: str = "",
    programme: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Through ``record`` for a web request; from the command line the actor is named."""
    detail = {"member": target.get_username(), **(detail or {})}
    if request is not None:
        record(request, action, obj=target, programme=programme, summary=summary, detail=detail)
        return
    AuditEvent(
        username=actor_name[:150],
        action=action,
        programme_id=programme,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        summary=summary[:300],
        detail=detail,
    ).save()


def unlock(request: HttpRequest, target: Any) -> int:
    """Clear the sign-in delays of ``target`` (audited); how many counters were cleared."""
    cleared = throttle.unlock_user(target.get_username())
    _audit(
        request,
        "account.unlocked",
        target,
        f"sign-in delays of {target.get_username()} cleared",
        programme=_shared_programme(request.user, target),
        detail={"counters": cleared},
    )
    return cleared


@dataclass(frozen=True)
class IssuedLink:
    url: str
    link: ResetLink
    emailed_to: str


def issue_reset_link(
    target: Any,
    *,
    request: HttpRequest | None = None,
    actor_name: str = "",
    base_url: str = "",
) -> IssuedLink:
    """A one-time link for ``target`` to set a new password: valid for
    ``PASSWORD_RESET_TIMEOUT`` seconds, once. E-mailed when e-mail is configured and the user
    has an address. The caller has checked :func:`may_reset`."""
    now = throttle.clock()
    actor = acting_user(request) if request is not None else None
    with transaction.atomic():
        link = ResetLink.objects.create(
            user=target,
            issued_by=actor if getattr(actor, "is_authenticated", False) else None,
            issued_by_name=(actor.get_username() if actor is not None else actor_name)[:160],
            created_at=now,
            expires_at=now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        )
        path = reverse(
            "accounts:reset", kwargs={"link_id": link.pk, "token": tokens.make_token(target)}
        )
        base = request.build_absolute_uri("/").rstrip("/") if request is not None else base_url
        url = f"{(base or settings.BASE_URL).rstrip('/')}{path}"
        emailed_to = ""
        if settings.EMAIL_MODE in ("smtp", "console") and target.email:
            send_mail(
                "benzodetox: set a new password",
                f"An administrator made this link for you to set a new password for "
                f"{target.get_username()}. It works once, until "
                f"{link.expires_at:%Y-%m-%d %H:%M} UTC:\n\n{url}\n",
                None,
                [target.email],
            )
            emailed_to = target.email
        _audit(
            request,
            "account.reset_link_created",
            target,
            f"password-reset link for {target.get_username()}"
            + (f", e-mailed to {emailed_to}" if emailed_to else ""),
            actor_name=actor_name,
            programme=_shared_programme(actor, target) if actor is not None else None,
            detail={"link": link.pk, "expires": link.expires_at.isoformat()},
        )
    return IssuedLink(url, link, emailed_to)


def check_reset_link(link_id: int, token: str) -> ResetLink | None:
    """The link if it is unused, unexpired and its token is right for its user."""
    link = ResetLink.objects.select_related("user").filter(pk=link_id).first()
    if link is None or link.used_at is not None or link.expires_at <= throttle.clock():
        return None
    if not link.user.is_active or not tokens.check_token(link.user, token):
        return None
    return link


@transaction.atomic
def use_reset_link(request: HttpRequest, link: ResetLink, password: str) -> None:
    """Set the new password, spend the link (and any other unused one of the user), clear the
    user's sign-in delays; audited as the user."""
    user = link.user
    user.set_password(password)
    user.save(update_fields=["password"])
    now = throttle.clock()
    ResetLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    throttle.unlock_user(user.get_username())
    record(
        request,
        "account.reset_link_used",
        obj=user,
        user=user,
        programme=min(_target_programmes(user), default=None),
        summary=f"{user.get_username()} set a new password with a reset link",
        detail={"member": user.get_username(), "link": link.pk},
    )


def needs_two_factor(user: Any) -> bool:
    """Whether one of the user's roles, in its programme, requires an authenticator."""
    default = frozenset(getattr(settings, "TWO_FACTOR_DEFAULT_ROLES", ()))
    rows = Membership.objects.filter(user=user).values_list("role", "programme__two_factor_roles")
    for role, chosen in rows:
        roles = default if chosen is None else frozenset(chosen)
        if role in roles:
            return True
    return False


def programme_two_factor_roles(programme: Programme) -> frozenset[str]:
    return programme.roles_needing_two_factor()
