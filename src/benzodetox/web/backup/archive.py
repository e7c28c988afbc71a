"""Backups of the database: one file that says what it holds and proves it is whole.

A backup is a tar file with three members, in this order:

- ``manifest.json``: format version, benzodetox version, database vendor and server version, when
  it was made, the migrations applied (per app, the last one too), the rows of every table and
  the triggers (``table.trigger``);
- the database itself: ``database.sqlite3`` (SQLite's online backup API: a consistent copy while
  the server runs) or ``database.pgdump`` (``pg_dump --format=custom`` of the same snapshot the
  manifest's row counts were read in);
- ``SHA256SUMS`` (``sha256sum -c`` format) of the other two, written last, so a file cut short
  anywhere, or changed anywhere that matters, is refused before anything is restored.

The vendors' parts are ``sqlite.py`` and ``postgres.py``; the command-line side (settings, audit,
the order of checks) is ``benzodetox.cli.backup``. The secret key is not in the backup (it lives
in the data folder, or ``SECRET_KEY_FILE``): see docs/operations/backup.md.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import tarfile
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "GENERATED_TABLES",
    "PAYLOADS",
    "BackupFailed",
    "BackupRefused",
    "Inventory",
    "Manifest",
    "count_differences",
    "file_sha256",
    "read_backup",
    "write_backup",
]

FORMAT = "benzodetox-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
PAYLOADS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
#: Tables whose rows ``migrate`` or the server's own bookkeeping writes: a database whose only
#: rows are in these holds no data a restore could lose.
GENERATED_TABLES = frozenset(
    {
        "django_migrations",
        "django_content_type",
        "auth_permission",
        "django_session",
        "scheduler_jobrun",
        "benzodetox_maintenance",
    }
)
_CHUNK = 1 << 20
_MANIFEST_LIMIT = 4 << 20


class BackupRefused(Exception):
    """The file is not a whole benzodetox backup, does not fit this installation, or restoring
    it would overwrite data (bad input: exit status 2)."""


class BackupFailed(Exception):
    """The database or a tool failed while backing up or restoring (exit status 1)."""


@dataclass(frozen=True)
class Inventory:
    """What a database holds: rows per table, triggers, applied migrations, server version."""

    tables: dict[str, int]
    triggers: list[str]
    migrations: dict[str, list[str]]
    server_version: str


@dataclass(frozen=True)
class Manifest:
    """The header of a backup (``manifest.json``)."""

    vendor: str
    app_version: str
    created_at: str
    database: str
    server_version: str
    schema: str
    migrations: dict[str, list[str]]
    tables: dict[str, int]
    triggers: list[str]
    payload: str
    payload_bytes: int
    payload_sha256: str
    secret_key_included: bool = False
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    last_migrations: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> bytes:
        values = asdict(self)
        values["last_migrations"] = {
            app: max(names) for app, names in sorted(self.migrations.items()) if names
        }
        return (json.dumps(values, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, where: str) -> Manifest:
        """Parse and check every field; a newer format is refused before its fields are read."""
        try:
            values = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise BackupRefused(f"{where}: {MANIFEST} is not valid JSON ({error})") from None
        if not isinstance(values, dict) or values.get("format") != FORMAT:
            raise BackupRefused(f"{where}: {MANIFEST} is not a benzodetox backup manifest")
        version = values.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise BackupRefused(f"{where}: format_version {version!r} is not a backup format")
        if version > FORMAT_VERSION:
            raise BackupRefused(
                f"{where}: made in backup format {version} by benzodetox "
                f"{values.get('app_version', '?')}; this benzodetox reads format "
                f"{FORMAT_VERSION} and earlier: restore it with that version or later"
            )
        check = _Checker(values, where)
        manifest = cls(
            vendor=check.choice("vendor", tuple(PAYLOADS)),
            app_version=check.text("app_version"),
            created_at=check.moment("created_at"),
            database=check.text("database"),
            server_version=check.text("server_version"),
            schema=check.text("schema"),
            migrations=check.migrations("migrations"),
            tables=check.counts("tables"),
            triggers=check.names("triggers"),
            payload=check.text("payload"),
            payload_bytes=check.count("payload_bytes"),
            payload_sha256=check.text("payload_sha256"),
            secret_key_included=check.flag("secret_key_included"),
            format_version=version,
        )
        if manifest.payload != PAYLOADS[manifest.vendor]:
            raise BackupRefused(f"{where}: payload {manifest.payload!r} does not fit its vendor")
        return manifest


class _Checker:
    """Typed reads of the manifest's fields, each refusal naming the field."""

    def __init__(self, values: Mapping[str, Any], where: str) -> None:
        self.values = values
        self.where = where

    def _bad(self, name: str, allowed: str) -> BackupRefused:
        shown = repr(self.values.get(name, "missing"))[:60]
        return BackupRefused(f"{self.where}: manifest field {name} is {shown}; expected {allowed}")

    def text(self, name: str) -> str:
        value = self.values.get(name)
        if not isinstance(value, str) or "\x00" in value or len(value) > 1000:
            raise self._bad(name, "a short text")
        return value

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.text(name)
        if value not in allowed:
            raise self._bad(name, " or ".join(allowed))
        return value

    def moment(self, name: str) -> str:
        value = self.text(name)
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise self._bad(name, "an ISO 8601 date and time") from None
        return value

    def count(self, name: str, value: object = None) -> int:
        value = self.values.get(name) if value is None else value
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self._bad(name, "a whole number of at least 0")
        return value

    def flag(self, name: str) -> bool:
        value = self.values.get(name, False)
        if not isinstance(value, bool):
            raise self._bad(name, "true or false")
        return value

    def _name(self, name: str, value: object) -> str:
        if not isinstance(value, str) or not value or "\x00" in value or len(value) > 200:
            raise self._bad(name, "names of at most 200 characters")
        return value

    def names(self, name: str) -> list[str]:
        value = self.values.get(name)
        if not isinstance(value, list):
            raise self._bad(name, "a list of names")
        return [self._name(name, item) for item in value]

    def counts(self, name: str) -> dict[str, int]:
        value = self.values.get(name)
        if not isinstance(value, dict):
            raise self._bad(name, "table names with their row counts")
        return {self._name(name, key): self.count(name, rows) for key, rows in value.items()}

    def migrations(self, name: str) -> dict[str, list[str]]:
        value = self.values.get(name)
        if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
            raise self._bad(name, "app labels with the migrations applied")
        return {
            self._name(name, app): [self._name(name, item) for item in names]
            for app, names in value.items()
        }


# --- the file -----------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, mtime
    tar.addfile(info, io.BytesIO(data))


def write_backup(path: Path, manifest: Manifest, payload: Path) -> None:
    """Write the backup to ``path`` (0600): into a private temporary file in the same folder,
    flushed to disk, then renamed into place, so ``path`` is either whole or absent."""
    manifest_bytes = manifest.to_json()
    sums = (
        f"{hashlib.sha256(manifest_bytes).hexdigest()}  {MANIFEST}\n"
        f"{manifest.payload_sha256}  {manifest.payload}\n"
    ).encode()
    mtime = int(datetime.fromisoformat(manifest.created_at).timestamp())
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, manifest_bytes, mtime)
                info = tarfile.TarInfo(manifest.payload)
                info.size, info.mode, info.mtime = manifest.payload_bytes, 0o600, mtime
                with payload.open("rb") as handle:
                    tar.addfile(info, handle)
                _add_bytes(tar, SUMS, sums, mtime)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _sniff(path: Path) -> str:
    """What a file that is not a backup looks like, for the refusal."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return ""
    if head.startswith(b"SQLite format 3\x00"):
        return " (it is a bare SQLite database: a backup is the file `benzodetox backup` writes)"
    if head.startswith(b"PGDMP"):
        return " (it is a bare pg_dump archive: a backup is the file `benzodetox backup` writes)"
    return ""


def _copy_member(source: IO[bytes], target: Path | None) -> tuple[int, str]:
    """Hash a member, copying it out to ``target`` unless None; reading errors propagate (a
    corrupt file), writing errors are the machine's (BackupFailed)."""
    digest, size = hashlib.sha256(), 0
    with target.open("wb") if target is not None else io.BytesIO() as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if target is None:
                continue
            try:
                out.write(chunk)
            except OSError as error:
                raise BackupFailed(
                    f"cannot extract the backup into {target.parent}: {error}"
                ) from None
    return size, digest.hexdigest()


def read_backup(path: Path, workdir: Path | None) -> tuple[Manifest, Path]:
    """Check that ``path`` is a whole benzodetox backup (every member present, every checksum
    right, the manifest valid) and extract its database into ``workdir`` (with None, only
    check: the returned path is then where it would be)."""
    where = str(path)
    found: dict[str, bytes] = {}
    extracted: tuple[Path, int, str] | None = None
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if not member.isfile():
                    raise BackupRefused(f"{where}: unexpected member {member.name!r}")
                handle = tar.extractfile(member)
                assert handle is not None  # a regular file always has one
                if member.name in (MANIFEST, SUMS) and member.name not in found:
                    found[member.name] = handle.read(_MANIFEST_LIMIT)
                elif member.name in PAYLOADS.values() and extracted is None:
                    target = (workdir or path.parent) / member.name
                    extracted = (target, *_copy_member(handle, workdir and target))
                else:
                    raise BackupRefused(f"{where}: unexpected member {member.name!r}")
    except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile) as error:
        raise BackupRefused(
            f"{where}: not a whole benzodetox backup: truncated or corrupt ({error})" + _sniff(path)
        ) from None
    except OSError as error:
        if error.filename not in (None, where):
            raise
        raise BackupRefused(f"{where}: cannot be read ({error.strerror or error})") from None
    missing = [name for name in (MANIFEST, SUMS) if name not in found]
    if extracted is None:
        missing.append("the database")
    if missing:
        raise BackupRefused(
            f"{where}: not a whole benzodetox backup: no {', '.join(missing)} "
            "(the file is truncated, or is not a backup)" + _sniff(path)
        )
    assert extracted is not None
    sums = _parse_sums(found[SUMS], where)
    manifest_sha = hashlib.sha256(found[MANIFEST]).hexdigest()
    corrupt = "does not match its checksum: the file is corrupt"
    if sums.get(MANIFEST) != manifest_sha:
        raise BackupRefused(f"{where}: the manifest {corrupt}")
    manifest = Manifest.from_json(found[MANIFEST], where)
    payload, size, sha = extracted
    if payload.name != manifest.payload or sums.get(manifest.payload) != sha:
        raise BackupRefused(f"{where}: the database {corrupt}")
    if (size, sha) != (manifest.payload_bytes, manifest.payload_sha256):
        raise BackupRefused(f"{where}: the database does not match the manifest: it is corrupt")
    return manifest, payload


def _parse_sums(raw: bytes, where: str) -> dict[str, str]:
    sums: dict[str, str] = {}
    try:
        for line in raw.decode("ascii").splitlines():
            digest, name = line.split("  ", 1)
            sums[name] = digest
    except (UnicodeDecodeError, ValueError):
        raise BackupRefused(f"{where}: {SUMS} is unreadable: the file is corrupt") from None
    return sums


def count_differences(expected: Mapping[str, int], found: Mapping[str, int]) -> list[str]:
    """``table: N rows, expected M`` for every table whose rows differ (absent counts as 0)."""
    return [
        f"{table}: {found.get(table, 0)} rows, expected {expected.get(table, 0)}"
        for table in sorted(set(expected) | set(found))
        if found.get(table, 0) != expected.get(table, 0)
    ]
