"""Settings for transport and browser security: TLS behind a proxy, cookies, CSRF origins,
headers.

``settings.py`` places ``SECURITY_APPS`` after Django's own apps and ``SECURITY_MIDDLEWARE_FIRST``
before Django's SecurityMiddleware.
"""

from __future__ import annotations

from ..env import env_bool, env_list

SECURITY_APPS: list[str] = []
SECURITY_MIDDLEWARE_FIRST: list[str] = []

# Addresses of the reverse proxies whose forwarding headers (X-Forwarded-For,
# X-Forwarded-Proto) are believed; from any other peer those headers are ignored.
TRUSTED_PROXIES = env_list("BENZODETOX_TRUSTED_PROXIES")

CSRF_COOKIE_SAMESITE = "Lax"
_HTTPS = env_bool("BENZODETOX_HTTPS", False)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
CSRF_TRUSTED_ORIGINS = env_list("BENZODETOX_CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
