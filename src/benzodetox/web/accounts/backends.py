"""Django's password check behind the sign-in throttle.

Every ``authenticate(request, username=..., password=...)`` goes through here: the sign-in form
and the re-authentication before an approval (``plans.services.confirm_identity``) alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import throttle

#: set on the request when an attempt was refused during a delay (the time it ends)
RETRY_AT = "benzodetox_signin_retry_at"


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None
        try:
            attempt = throttle.begin(request, username)
        except throttle.Locked as locked:
            if request is not None:
                setattr(request, RETRY_AT, locked.until)
            # stops authenticate() here: no other backend is asked, and the attempt is logged
            # as a failed sign-in by Django's user_login_failed signal
            raise PermissionDenied("sign-in delayed") from None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            attempt.succeeded()
        return user
