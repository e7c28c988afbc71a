"""Backup and restore of the benzodetox database (issue 12, item 7).

``archive`` is the backup file (manifest, database, checksums), ``sqlite`` and ``postgres`` the
vendors' ways to copy a live database and to restore into an empty one. The commands are
``benzodetox backup`` and ``benzodetox restore`` (``benzodetox.cli.backup``).
"""

from .archive import (
    FORMAT,
    FORMAT_VERSION,
    GENERATED_TABLES,
    PAYLOADS,
    BackupFailed,
    BackupRefused,
    Inventory,
    Manifest,
    count_differences,
    file_sha256,
    read_backup,
    write_backup,
)

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
