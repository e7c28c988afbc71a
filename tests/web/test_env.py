"""Settings helpers read the environment strictly and fail loudly on bad values."""

from __future__ import annotations

import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from benzodetox.web.env import (
    env_bool,
    env_int,
    parse_database_url,
    read_or_create_secret_key,
)


def test_a_postgres_url_is_split_into_its_parts():
    """user, password, host, port, database name and options."""
    url = parse_database_url("postgres://app:s%40cret@db.local:6543/clinic?sslmode=require")
    assert (url.user, url.password, url.host, url.port, url.name) == (
        "app",
        "s@cret",
        "db.local",
        "6543",
        "clinic",
    )
    assert url.options == {"sslmode": "require"}


@pytest.mark.parametrize("bad", ["mysql://x@h/db", "postgres://x@h/", "postgres://x@h:port/db"])
def test_an_unusable_database_url_is_refused(bad):
    """Another scheme, no database name or a bad port: ImproperlyConfigured."""
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(bad)


def test_booleans_and_numbers_refuse_nonsense(monkeypatch):
    """DEBUG=maybe and a non-numeric timeout fail instead of defaulting."""
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    """With no SECRET_KEY, one is written to the data folder (mode 600) and reused."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    first = read_or_create_secret_key(tmp_path)
    assert read_or_create_secret_key(tmp_path) == first and len(first) >= 50
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_a_short_secret_key_is_refused(tmp_path, monkeypatch):
    """SECRET_KEY under 32 characters fails loudly."""
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured):
        read_or_create_secret_key(tmp_path)
