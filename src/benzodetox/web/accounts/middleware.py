"""Every page needs a signed-in user. A user with a confirmed authenticator must also have
entered a valid code in this session before reaching anything but the code page; a member of a
role their programme requires two-factor for, who has no authenticator yet, is sent to set one
up before anything else.

The patient portal (/portal/) has its own sign-in: its pages decide for themselves
(``portal.access.portal_view``), except the staff side under /portal/staff/. A patient's account
never gets past this middleware to a staff page: a page is answered 403 (a GET is sent to the
portal instead), whatever the page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device

OTP_PENDING = "benzodetox_otp_pending"


class RequireLoginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static = settings.STATIC_URL or "/static/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        public = (
            reverse("accounts:login"),
            reverse("accounts:logout"),
            reverse("healthz"),
        )
        # The open calculator (no sign-in; it stores nothing) and "/", which sends a visitor
        # there and a signed-in user to the patient list; a password-reset link.
        calculator = path.startswith("/calculator/") or path == "/"
        reset = path.startswith("/accounts/reset/")
        portal = path.startswith("/portal/") and not path.startswith("/portal/staff/")
        if request.user.is_authenticated and _is_patient(request.user):
            open_to_all = path.startswith((self.static, "/calculator/")) or path == public[2]
            if not (portal or open_to_all):
                return _not_for_patients(request)
        if path.startswith(self.static) or path in public or calculator or reset or portal:
            return self.get_response(request)
        # The API, FHIR and CDS Hooks answer a request without a session themselves (a bearer
        # token, or 401 in JSON); a signed-in session there goes through the checks below.
        machine = path.startswith(("/api/v1/", "/fhir/R4/", "/cds-services"))
        if machine and not request.user.is_authenticated:
            return self.get_response(request)
        if not request.user.is_authenticated:
            login = reverse("accounts:login")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=401)
                response["HX-Redirect"] = login
                return response
            return HttpResponseRedirect(f"{login}?next={quote(request.get_full_path())}")
        verify = reverse("accounts:verify")
        if request.session.get(OTP_PENDING) and path != verify:
            return HttpResponseRedirect(verify)
        if not _verified(request):
            redirect = self._two_factor_redirect(request, path, verify)
            if redirect is not None:
                return redirect
        return self.get_response(request)

    def _two_factor_redirect(
        self, request: HttpRequest, path: str, verify: str
    ) -> HttpResponse | None:
        from .services import needs_two_factor

        if not needs_two_factor(request.user):
            return None
        if user_has_device(request.user):
            if path == verify:
                return None
            request.session[OTP_PENDING] = True
            return HttpResponseRedirect(verify)
        account = reverse("accounts:account")
        if path == account:
            return None
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = account
            return response
        return HttpResponseRedirect(account)


def _is_patient(user: object) -> bool:
    from benzodetox.web.portal.access import is_patient_user

    return is_patient_user(user)


def _not_for_patients(request: HttpRequest) -> HttpResponse:
    """A patient at a staff address: sent to the portal (GET) or refused (anything else)."""
    if request.method == "GET" and not request.headers.get("HX-Request"):
        return HttpResponseRedirect(reverse("portal:today"))
    return HttpResponseForbidden("This page is for staff.")


def _verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False
