from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils import timezone

from .backends import RETRY_AT

__all__ = ["LoginForm", "NewPasswordForm", "TokenForm", "retry_time"]


def retry_time(until: datetime) -> str:
    """HH:MM in the server's time zone, rounded up: at that minute the delay is over."""
    local = timezone.localtime(until)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local.strftime("%H:%M")


class LoginForm(AuthenticationForm):
    """Django's login form: ``authenticate(request, ...)`` goes through the sign-in throttle,
    which refuses an attempt during a delay without looking at the password."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def confirm_login_allowed(self, user: Any) -> None:
        """Staff sign in here; a patient's account signs in on the portal only."""
        super().confirm_login_allowed(user)
        from benzodetox.web.portal.access import is_patient_user

        if is_patient_user(user) and not self.portal_sign_in:
            raise forms.ValidationError(
                "This sign-in is for staff. Patients sign in on the patient portal (/portal/).",
                code="patient_account",
            )

    #: the portal's sign-in form (a subclass) admits patients; this one refuses them
    portal_sign_in = False

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            until = getattr(self.request, RETRY_AT, None)
            if until is None:
                raise
            raise forms.ValidationError(
                "Too many failed sign-ins for this account or from this address: "
                f"try again at {retry_time(until)} ({timezone.get_current_timezone_name()}). "
                "A programme admin can unlock the account.",
                code="delayed",
            ) from None


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"]).strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("Enter the digits shown in your authenticator app.")
        return token


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """A new password, twice, checked by the configured password validators."""
