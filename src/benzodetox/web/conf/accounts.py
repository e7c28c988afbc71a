"""Settings for accounts: password hashing and rules, sign-in, lockout, two-factor, sessions.

``settings.py`` places ``ACCOUNTS_APPS`` after Django's own apps, ``ACCOUNTS_MIDDLEWARE``
after authentication and ``ACCOUNTS_MIDDLEWARE_LAST`` at the end of the middleware.
"""

from __future__ import annotations

from datetime import timedelta

from ..env import env_int

ACCOUNTS_APPS = [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]
ACCOUNTS_MIDDLEWARE = [
    "django_otp.middleware.OTPMiddleware",
    "benzodetox.web.accounts.middleware.RequireLoginMiddleware",
]
# Last, as django-axes asks: it turns a lockout into the lockout page.
ACCOUNTS_MIDDLEWARE_LAST = ["axes.middleware.AxesMiddleware"]

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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "patients:list"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env_int("BENZODETOX_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BENZODETOX_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "benzodetox"

# Sessions end after this many minutes without a request (every request renews the cookie).
SESSION_COOKIE_AGE = env_int("BENZODETOX_SESSION_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
