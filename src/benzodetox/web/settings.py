"""Django settings, read from environment variables by the typed helpers in ``env.py``.

Variables: ``BENZODETOX_DATA_DIR`` (SQLite file, secret key, collected static files),
``DATABASE_URL`` (PostgreSQL instead of SQLite), ``SECRET_KEY`` / ``SECRET_KEY_FILE``, ``DEBUG``,
``BENZODETOX_ALLOWED_HOSTS`` (comma-separated), ``BENZODETOX_SESSION_MINUTES`` (inactivity
timeout, default 30), ``BENZODETOX_HTTPS`` (the production profile behind TLS:
docs/operations/deployment-tls.md),
``BENZODETOX_SCHEDULER_MINUTES`` (minutes between the server's periodic jobs, default 5, 0 off).
"""

from __future__ import annotations

from pathlib import Path

# Accounts (sign-in, lockout, two-factor, sessions) and transport security (TLS, cookies,
# headers) are settings of their own.
from .conf.accounts import *  # noqa: F403
from .conf.security import *  # noqa: F403
from .env import (
    default_data_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    make_private_dir,
    make_private_file,
    parse_database_url,
    read_or_create_secret_key,
)

WEB_DIR = Path(__file__).resolve().parent

DATA_DIR = make_private_dir(default_data_dir())  # 0700: database, secret key, demo logins

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = read_or_create_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("BENZODETOX_ALLOWED_HOSTS", ("127.0.0.1", "localhost", "[::1]"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    *ACCOUNTS_APPS,  # noqa: F405
    *SECURITY_APPS,  # noqa: F405
    "simple_history",
    "benzodetox.web.accounts",
    "benzodetox.web.programmes",
    "benzodetox.web.audit",
    "benzodetox.web.patients",
    "benzodetox.web.plans",
    "benzodetox.web.monitoring",
    "benzodetox.web.careplans",
    "benzodetox.web.scheduler",
    "benzodetox.web.calculator",
    "benzodetox.web.outcomes",
    "ninja",  # serves the API docs' Swagger UI from static files (no CDN)
    "benzodetox.web.api",
    "benzodetox.web.portal",
    "benzodetox.web.checkins",
]

MIDDLEWARE = [
    *SECURITY_MIDDLEWARE_FIRST,  # noqa: F405
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "benzodetox.web.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "benzodetox.web.input_middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    *ACCOUNTS_MIDDLEWARE,  # noqa: F405
    "benzodetox.web.programmes.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    *ACCOUNTS_MIDDLEWARE_LAST,  # noqa: F405
]

ROOT_URLCONF = "benzodetox.web.urls"
WSGI_APPLICATION = "benzodetox.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "benzodetox.web.programmes.context.memberships",
            ],
            "builtins": ["benzodetox.web.templatetags.clinical"],
        },
    },
]

# --- database: embedded SQLite in the data folder, PostgreSQL when DATABASE_URL is set -------
DATABASE_URL = env_str("DATABASE_URL").strip()
if DATABASE_URL:
    _db = parse_database_url(DATABASE_URL)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _db.name,
            "USER": _db.user,
            "PASSWORD": _db.password,
            "HOST": _db.host,
            "PORT": _db.port,
            "OPTIONS": _db.options,
            "CONN_MAX_AGE": env_int("BENZODETOX_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": make_private_file(DATA_DIR / "benzodetox.sqlite3"),  # 0600
            "OPTIONS": {
                # Writers take the lock when the transaction starts, so two writers queue
                # behind the busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # synchronous=FULL: in WAL mode NORMAL may lose the last commits on a power cut.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- time, language ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env_str("BENZODETOX_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

# --- static files: vendored, served by whitenoise, no CDN ----------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [WEB_DIR / "static"]
STATIC_ROOT = Path(env_str("BENZODETOX_STATIC_ROOT") or (DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders too, so tests and a fresh checkout work before
# collectstatic has run.
WHITENOISE_USE_FINDERS = True

# --- scheduled work (benzodetox serve runs it; web/scheduler/runner.py) --------------------
# Minutes between runs of the overdue scan and the phase advance; 0 turns the scheduler off
# (then run `benzodetox manage scan_overdue` from cron).
SCHEDULER_MINUTES = env_int("BENZODETOX_SCHEDULER_MINUTES", 5, minimum=0)

# --- the open taper calculator (/calculator/, no sign-in, nothing stored) -------------------
# BENZODETOX_CALCULATOR=0 turns it off (404); requests a minute per client address.
CALCULATOR_ENABLED = env_bool("BENZODETOX_CALCULATOR", True)
CALCULATOR_RATE_PER_MINUTE = env_int("BENZODETOX_CALCULATOR_RATE_PER_MINUTE", 120, minimum=1)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
