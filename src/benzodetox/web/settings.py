"""Django settings, read from environment variables by small typed helpers (see env.py)."""
# The web application's settings are filled in by the web app issue; this minimal form lets the
# test runner load Django for the pure-core suite.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "benzodetox-test-only"  # replaced by the web app's env-based settings
INSTALLED_APPS: list[str] = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
