"""The programme's two-factor requirement: which roles must sign in with an authenticator.
Programme admins choose; the choice is audited. Unset, the deployment's default applies
(prescribers and programme admins in the production profile, none in the demo)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from benzodetox.web.audit.services import record

from .models import Programme
from .roles import Role
from .services import chosen_programme

# Programme admins set it (as they see members); roles.py has no action of its own for it yet.
ACTION = "security.policy"


class TwoFactorForm(forms.Form):
    use_default = forms.BooleanField(
        required=False,
        label="Use this deployment's default",
        help_text="Leave ticked to follow the server's setting (BENZODETOX_TWO_FACTOR_ROLES).",
    )
    roles = forms.MultipleChoiceField(
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Roles that must use an authenticator app",
    )


def _names(roles: frozenset[str] | tuple[str, ...] | list[str]) -> str:
    labels = dict(Role.choices)
    chosen = [str(labels[r]) for r in Role.values if r in roles]
    return ", ".join(chosen) or "none"


def save_two_factor_roles(
    request: HttpRequest, programme: Programme, roles: list[str] | None
) -> None:
    before = programme.roles_needing_two_factor()
    programme.two_factor_roles = None if roles is None else sorted(roles)
    programme.save(update_fields=["two_factor_roles"])
    after = programme.roles_needing_two_factor()
    record(
        request,
        "programme.two_factor_saved",
        obj=programme,
        programme=programme.pk,
        summary=f"two-factor required for: {_names(before)} → {_names(after)}"
        + (" (deployment default)" if roles is None else ""),
        detail={"before": sorted(before), "after": sorted(after), "default": roles is None},
    )


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    programmes, programme = chosen_programme(request, ACTION)
    initial = {
        "use_default": programme.two_factor_roles is None,
        "roles": sorted(programme.roles_needing_two_factor()),
    }
    form = TwoFactorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        roles = None if form.cleaned_data["use_default"] else list(form.cleaned_data["roles"])
        save_two_factor_roles(request, programme, roles)
        messages.success(
            request,
            f"Two-factor sign-in in {programme.name} is now required for: "
            f"{_names(programme.roles_needing_two_factor())}.",
        )
        return HttpResponseRedirect(reverse("programmes:two_factor") + f"?programme={programme.pk}")
    return render(
        request,
        "programmes/two_factor.html",
        {
            "programmes": programmes,
            "programme": programme,
            "form": form,
            "current": _names(programme.roles_needing_two_factor()),
            "default": _names(tuple(settings.TWO_FACTOR_DEFAULT_ROLES)),
        },
    )
