"""Forms of the portal: sign-in (the staff sign-in's throttle, patients only), choosing a
password from an invitation, the clinician's invitation, and the patient's additions to the
relapse-prevention plan."""

from __future__ import annotations

from typing import Any

from django import forms

from benzodetox.web.accounts.forms import LoginForm

from .access import account_for_user

__all__ = ["AcceptForm", "AdditionForm", "InviteForm", "PortalLoginForm"]


class PortalLoginForm(LoginForm):
    """The staff sign-in form (throttled by the same backend) that admits patients only."""

    portal_sign_in = True

    error_messages: dict[str, Any] = {  # noqa: RUF012 (Django reads it per instance)
        **LoginForm.error_messages,
        "not_patient": (
            "This sign-in is for patients. Staff sign in on the staff sign-in page."
        ),
        "revoked": "Your access to the portal has ended. Ask your care team.",
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)  # active user; a patient passes the staff check
        account = account_for_user(user)
        if account is None:
            raise forms.ValidationError(self.error_messages["not_patient"], code="not_patient")
        if not account.is_active:
            raise forms.ValidationError(self.error_messages["revoked"], code="revoked")


class AcceptForm(forms.Form):
    username = forms.CharField(
        label="Choose a sign-in name",
        max_length=150,
        help_text="Letters and numbers, no spaces. You type it each time you sign in.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        help_text="At least 10 characters. Not a common word and not only numbers.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same.")
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Patient's e-mail (optional)",
        required=False,
        help_text="Used once to send the link, never stored. Leave empty to show or print it.",
    )


class AdditionForm(forms.Form):
    trigger = forms.ChoiceField(
        label="When this helps (one of your triggers)", required=False, choices=()
    )
    coping = forms.CharField(
        label="Something that helps me cope",
        required=False,
        max_length=200,
        help_text="For example: go for a walk, call a friend.",
    )
    support_name = forms.CharField(
        label="Someone who supports me (name)", required=False, max_length=80
    )
    support_role = forms.ChoiceField(
        label="Who they are",
        required=False,
        choices=(("support_person", "Support person"), ("peer", "Peer or sponsor")),
    )
    support_phone = forms.CharField(
        label="Their phone number", required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        coping = (data.get("coping") or "").strip()
        name = (data.get("support_name") or "").strip()
        phone = (data.get("support_phone") or "").strip()
        if phone and not name:
            self.add_error("support_name", "Write the name of the person with this number.")
        if coping and not data.get("trigger"):
            self.add_error("trigger", "Choose which trigger this helps with.")
        if not coping and not name and not self.errors:
            raise forms.ValidationError("Write something that helps you, or someone's name.")
        data["coping"], data["support_name"], data["support_phone"] = coping, name, phone
        return data
