"""Small typed readers for the environment variables the web application is configured by.

Each reader fails loudly (``ImproperlyConfigured`` naming the variable and what it accepts) on a
value it cannot use, instead of silently falling back to a default.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "DatabaseURL",
    "default_data_dir",
    "env_bool",
    "env_int",
    "env_list",
    "env_str",
    "make_private_dir",
    "make_private_file",
    "parse_database_url",
    "read_or_create_secret_key",
]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: tuple[str, ...] = ()) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def default_data_dir() -> Path:
    """``$BENZODETOX_DATA_DIR``, else ``$XDG_DATA_HOME/benzodetox``, else
    ``~/.local/share/benzodetox``."""
    explicit = os.environ.get("BENZODETOX_DATA_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "benzodetox"


def _owned(path: Path) -> bool:
    return path.stat().st_uid == os.geteuid()


def make_private_dir(path: Path, variable: str = "BENZODETOX_DATA_DIR") -> Path:
    """Create the data folder readable only by its owner (0700); an existing folder of ours is
    made 0700 too. It holds the database, the secret key and the demo logins."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _owned(path) and path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError as error:
        raise ImproperlyConfigured(f"{variable} {str(path)!r}: {error}") from None
    return path


def make_private_file(path: Path, variable: str = "BENZODETOX_DATA_DIR") -> Path:
    """Create ``path`` empty and readable only by its owner (0600) unless it exists; an existing
    file of ours is made 0600. For the SQLite database: SQLite gives its -wal and -shm files the
    database file's permissions, and an empty file is an empty database."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            if _owned(path) and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError as error:
            raise ImproperlyConfigured(f"{variable} {str(path)!r}: {error}") from None
    except OSError as error:
        raise ImproperlyConfigured(f"{variable} {str(path)!r}: {error}") from None
    else:
        os.close(fd)
    return path


def read_or_create_secret_key(data_dir: Path) -> str:
    """``SECRET_KEY`` from the environment, or from ``SECRET_KEY_FILE``, or from
    ``<data dir>/secret_key`` (generated there, readable only by its owner, when absent)."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    key_file = os.environ.get("SECRET_KEY_FILE", "").strip()
    if key_file:
        path = Path(key_file).expanduser()
        try:
            key = path.read_text("utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE={key_file!r}: {error}") from None
        if len(key) < 32:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE={key_file!r} holds a key under 32 chars")
        return key
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text("utf-8").strip()
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


@dataclass(frozen=True)
class DatabaseURL:
    user: str
    password: str
    host: str
    port: str
    name: str
    options: dict[str, str]


def parse_database_url(url: str) -> DatabaseURL:
    """Split ``postgres://user:password@host:port/dbname?sslmode=require``.

    >>> parse_database_url("postgres://postgres@127.0.0.1:5432/postgres").port
    '5432'
    """
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgres://"
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL names no database (postgres://user@host/DBNAME)")
    try:
        port = str(parts.port or "")
    except ValueError:
        raise ImproperlyConfigured(f"DATABASE_URL has a bad port: {url!r}") from None
    return DatabaseURL(
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=parts.hostname or "",
        port=port,
        name=name,
        options=dict(parse_qsl(parts.query)),
    )
