"""Every page needs a signed-in user; a user with a confirmed authenticator must also have
entered a valid code in this session before reaching anything but the code page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

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
        # there and a signed-in user to the patient list.
        calculator = path.startswith("/calculator/") or path == "/"
        if path.startswith(self.static) or path in public or calculator:
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
        return self.get_response(request)
