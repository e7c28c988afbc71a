"""Sign in (behind the sign-in throttle), the TOTP second step, sign out, account page."""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from benzodetox.web.audit.services import record

from . import throttle
from .backends import RETRY_AT
from .forms import LoginForm, TokenForm
from .middleware import OTP_PENDING
from .services import needs_two_factor


class ThrottledLoginView(auth_views.LoginView):
    """A sign-in page under the shared throttle (the staff's and the portal's): a refused
    attempt during a delay answers 429, and a browser that signed in is remembered."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.LOGIN_FAILURE_LIMIT
        context["max_delay_minutes"] = int(settings.LOGIN_MAX_DELAY.total_seconds() // 60)
        return context

    def signed_in(self, form: Any) -> HttpResponse:
        """The response to a right password (where the user goes next)."""
        return super().form_valid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        response = self.signed_in(form)
        # this browser now knows the password: a stranger's failures no longer hold it back
        throttle.remember_browser(self.request, response, form.get_user().get_username())
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(self.request, RETRY_AT, None) is not None:
            response.status_code = 429
        return response


class LoginView(ThrottledLoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def signed_in(self, form: Any) -> HttpResponse:
        user = form.get_user()
        response = super().signed_in(form)
        if user_has_device(user):
            self.request.session[OTP_PENDING] = True
            next_url = self.get_success_url()
            response = HttpResponseRedirect(
                f"{reverse('accounts:verify')}?{urlencode({'next': next_url})}"
            )
        return response


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Second step for users with an authenticator: a valid code completes the sign-in."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:login"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                request.session.pop(OTP_PENDING, None)
                record(request, "account.otp_verified")
                target = request.GET.get("next") or reverse("patients:list")
                # only a path of this site: to a browser '/\evil.example' is another site
                if not target.startswith("/") or not url_has_allowed_host_and_scheme(
                    target, allowed_hosts=None
                ):
                    target = reverse("patients:list")
                return HttpResponseRedirect(target)
        record(request, "account.otp_failed")
        form.add_error("token", "That code is not valid now; try the current one.")
    return render(request, "accounts/verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The user's account: their programmes and roles, and two-factor sign-in set-up."""
    user = request.user
    required = needs_two_factor(user)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    pending = None
    form = TokenForm(request.POST or None)
    if confirmed is None:
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if pending is None:
            pending = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        if request.method == "POST" and request.POST.get("action") == "confirm":
            if form.is_valid() and pending.verify_token(form.cleaned_data["token"]):
                pending.confirmed = True
                pending.save()
                otp_login(request, pending)
                record(request, "account.otp_enabled")
                messages.success(request, "Two-factor sign-in is on.")
                return HttpResponseRedirect(reverse("accounts:account"))
            if form.is_valid():
                form.add_error("token", "That code does not match; check the key and try again.")
    elif request.method == "POST" and request.POST.get("action") == "disable":
        if required:
            messages.error(request, "Your role requires two-factor sign-in: it stays on.")
            return HttpResponseRedirect(reverse("accounts:account"))
        if form.is_valid() and confirmed.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user).delete()
            record(request, "account.otp_disabled")
            messages.success(request, "Two-factor sign-in is off.")
            return HttpResponseRedirect(reverse("accounts:account"))
        if form.is_valid():
            form.add_error("token", "That code is not valid now.")
    secret = b32encode(pending.bin_key).decode() if pending is not None else ""
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "required": required,
            "confirmed": confirmed,
            "pending": pending,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "otpauth": pending.config_url if pending is not None else "",
        },
    )
