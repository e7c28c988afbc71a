"""An admin's page for one member's account (sign-in delays, unlock, one-time reset link), and
the page a reset link opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from benzodetox.web.programmes.models import Membership

from . import throttle
from .forms import NewPasswordForm, retry_time
from .services import (
    check_reset_link,
    issue_reset_link,
    may_reset,
    may_unlock,
    unlock,
    use_reset_link,
)


@never_cache
@require_http_methods(["GET", "POST"])
def member(request: HttpRequest, user_id: int) -> HttpResponse:
    """For a superuser or a programme admin of one of the member's programmes (else 404)."""
    target = get_user_model().objects.filter(pk=user_id).first()
    if target is None or not may_unlock(request.user, target):
        raise Http404("no such member")
    issued = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "unlock":
            cleared = unlock(request, target)
            messages.success(
                request,
                f"{target.get_username()} can sign in again now."
                if cleared
                else f"{target.get_username()} had no sign-in delay.",
            )
            return HttpResponseRedirect(reverse("accounts:member", args=[target.pk]))
        if action == "reset-link":
            if not may_reset(request.user, target):
                raise PermissionDenied(
                    "only a superuser, or an admin of every programme this member belongs to, "
                    "may issue a reset link"
                )
            issued = issue_reset_link(target, request=request)
        else:
            messages.error(request, "Choose 'Unlock' or 'Create a reset link'.")
            return HttpResponseRedirect(reverse("accounts:member", args=[target.pk]))
    state = throttle.lock_state(target.get_username())
    return render(
        request,
        "accounts/member.html",
        {
            "target": target,
            "target_memberships": Membership.objects.filter(user=target).select_related(
                "programme"
            ),
            "state": state,
            "locked_until": retry_time(state.locked_until) if state.locked_until else "",
            "may_reset": may_reset(request.user, target),
            "issued": issued,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest, link_id: int, token: str) -> HttpResponse:
    """Set a new password with a one-time link (public: the link is the credential)."""
    link = check_reset_link(link_id, token)
    if link is None:
        return render(request, "accounts/reset_invalid.html", status=404)
    form = NewPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        use_reset_link(request, link, form.cleaned_data["new_password1"])
        messages.success(request, "Your new password is set: sign in with it.")
        return HttpResponseRedirect(reverse("accounts:login"))
    return render(request, "accounts/reset.html", {"form": form, "username": link.user})
