from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

#: the audit migration that first installs the immutable-record triggers
TRIGGERS_MIGRATION = ("audit", "0003_immutable_records")


def ensure_immutable_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After every migrate (and test flush), put back any guard trigger that is missing: on
    SQLite a migration that rebuilds a table drops its triggers. Nothing is done until the
    audit migration that installs them is applied (so migrating back below it stays so)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from benzodetox.web import immutable

    connection = connections[using]
    if TRIGGERS_MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return
    immutable.install(connection)


class AuditConfig(AppConfig):
    name = "benzodetox.web.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login/logout receivers)

        post_migrate.connect(
            ensure_immutable_triggers, sender=self, dispatch_uid="benzodetox_immutable_triggers"
        )
