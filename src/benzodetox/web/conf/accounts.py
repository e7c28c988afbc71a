"""Settings for accounts: password hashing and rules, sign-in, the sign-in throttle, reset
links, e-mail, two-factor, sessions (documented in docs/operations/accounts.md).

``settings.py`` places ``ACCOUNTS_APPS`` after Django's own apps, ``ACCOUNTS_MIDDLEWARE``
after authentication and ``ACCOUNTS_MIDDLEWARE_LAST`` at the end of the middleware.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from ..env import env_bool, env_int, env_str

ACCOUNTS_APPS = [
    "django_otp",
    "django_otp.plugins.otp_totp",
]
ACCOUNTS_MIDDLEWARE = [
    "django_otp.middleware.OTPMiddleware",
    "benzodetox.web.accounts.middleware.RequireLoginMiddleware",
]
ACCOUNTS_MIDDLEWARE_LAST: list[str] = []

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's password check behind the sign-in throttle (accounts/throttle.py): sign-in and the
# re-authentication before an approval both go through it.
AUTHENTICATION_BACKENDS = ["benzodetox.web.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "patients:list"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- sign-in throttle: growing delays per username and per client address ------------------
# After LIMIT failures for a username the next attempt waits FIRST_DELAY, then twice that after
# each further failure, never more than MAX_DELAY. Attempts during a delay are refused without
# being counted and without extending it. A browser where the user signed in before is trusted
# for that user: it has its own counter and is not held back by the username's or the address's.
LOGIN_FAILURE_LIMIT = env_int("BENZODETOX_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("BENZODETOX_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
LOGIN_FIRST_DELAY = timedelta(
    seconds=env_int("BENZODETOX_LOGIN_FIRST_DELAY_SECONDS", 60, minimum=1)
)
# The longest single delay (was: the fixed lockout time; same variable, same default).
LOGIN_MAX_DELAY = timedelta(minutes=env_int("BENZODETOX_LOCKOUT_MINUTES", 15, minimum=1))
# Failures older than this are forgotten when the next one comes.
LOGIN_FAILURE_MEMORY = timedelta(
    hours=env_int("BENZODETOX_LOGIN_FAILURE_MEMORY_HOURS", 24, minimum=1)
)
LOGIN_TRUSTED_BROWSER_DAYS = env_int("BENZODETOX_TRUSTED_BROWSER_DAYS", 180, minimum=1)

# --- one-time password-reset links issued by an admin ---------------------------------------
PASSWORD_RESET_TIMEOUT = env_int("BENZODETOX_RESET_LINK_HOURS", 24, minimum=1) * 3600
# The address links start with when no request names it (`benzodetox user reset-link`).
BASE_URL = env_str("BENZODETOX_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- e-mail (reset links): off unless BENZODETOX_EMAIL is 'smtp' or 'console' ----------------
EMAIL_MODE = env_str("BENZODETOX_EMAIL").strip().lower()
_EMAIL_BACKENDS = {
    "": "django.core.mail.backends.dummy.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
if EMAIL_MODE not in _EMAIL_BACKENDS:  # a typo must not silently turn e-mail off
    raise ImproperlyConfigured(
        f"BENZODETOX_EMAIL={EMAIL_MODE!r} is not allowed; use smtp, console or leave it unset"
    )
EMAIL_BACKEND = _EMAIL_BACKENDS[EMAIL_MODE]
EMAIL_HOST = env_str("BENZODETOX_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("BENZODETOX_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("BENZODETOX_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("BENZODETOX_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("BENZODETOX_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("BENZODETOX_EMAIL_FROM", "benzodetox@localhost")

# --- two-factor: roles that must use an authenticator, unless a programme chose otherwise ---
# Production profile (BENZODETOX_HTTPS=1): prescribers and programme admins; demo: none.
TWO_FACTOR_DEFAULT_ROLES = tuple(
    role.strip()
    for role in env_str(
        "BENZODETOX_TWO_FACTOR_ROLES",
        "prescriber,admin" if env_bool("BENZODETOX_HTTPS", False) else "",
    ).split(",")
    if role.strip()
)

OTP_TOTP_ISSUER = "benzodetox"

# Sessions end after this many minutes without a request (every request renews the cookie).
SESSION_COOKIE_AGE = env_int("BENZODETOX_SESSION_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
