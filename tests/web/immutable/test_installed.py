"""The guard triggers are there after migrations, on the current database, for every table in
the one list — and the list leaves out no write-once model and no history table. A table a
later migration rebuilds (SQLite drops its triggers) gets them back on the next migrate."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from simple_history.models import HistoricalChanges

from benzodetox.web import immutable
from benzodetox.web.audit.apps import ensure_immutable_triggers
from benzodetox.web.writeonce import WriteOnceModel

pytestmark = pytest.mark.django_db


def test_after_migrations_every_guarded_table_has_its_triggers() -> None:
    """UPDATE and DELETE triggers (and TRUNCATE on PostgreSQL) on each listed table."""
    found = immutable.installed(connection)
    for item in immutable.GUARDED:
        assert found[item.table] == set(immutable.trigger_names(connection.vendor, item)), (
            item.table
        )
    assert len(immutable.trigger_names(connection.vendor, immutable.GUARDED[0])) >= 2


def test_installing_again_makes_nothing() -> None:
    """install() is idempotent: with every trigger in place and current, it creates none."""
    assert immutable.install(connection) == 0


def test_the_list_covers_every_write_once_model_and_every_history_table() -> None:
    """A new write-once model or a new simple-history table cannot be left unguarded: this
    test names it."""
    listed = {item.table for item in immutable.GUARDED}
    must = {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, (WriteOnceModel, HistoricalChanges))
    }
    must |= {"monitoring_assessment", "monitoring_advicerecord", "audit_auditevent"}
    assert must - listed == set()
    assert listed - {model._meta.db_table for model in apps.get_models()} == set()


@pytest.mark.django_db(transaction=True)
def test_a_dropped_trigger_is_put_back_by_the_next_migrate() -> None:
    """What SQLite does to a rebuilt table, done by hand: the post_migrate hook restores it."""
    item = immutable.GUARDED[0]
    name = immutable.trigger_names(connection.vendor, item)[0]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            cursor.execute(f'DROP TRIGGER "{name}" ON "{item.table}"')
    assert name not in immutable.installed(connection)[item.table]
    call_command("migrate", verbosity=0)
    assert name in immutable.installed(connection)[item.table]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds tables to alter them")
@pytest.mark.django_db(transaction=True)
def test_a_table_rebuilt_by_a_migration_gets_its_triggers_back() -> None:
    """Django's SQLite schema editor re-creates a table to alter it; the table then has
    no trigger until post_migrate puts them back."""
    from benzodetox.web.monitoring.models import Assessment

    with connection.schema_editor() as editor:
        editor._remake_table(Assessment)  # type: ignore[attr-defined]
    assert immutable.installed(connection)["monitoring_assessment"] == set()
    ensure_immutable_triggers(sender=apps.get_app_config("audit"), using=connection.alias)
    assert immutable.installed(connection)["monitoring_assessment"] == set(
        immutable.trigger_names("sqlite", immutable.GUARDED[3])
    )


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's trigger compares whole rows (to_jsonb)"
)
def test_a_column_added_later_is_guarded_on_the_assessment_table(records: Any) -> None:
    """The assessment's update trigger compares every column but the successor pointer; one
    added after the trigger was made (SQLite keeps the old trigger on ADD COLUMN) is covered
    once install() runs again, because a stale trigger is replaced."""
    from django.db import IntegrityError, transaction

    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "monitoring_assessment" ADD COLUMN "extra_note" text NULL')
    immutable.install(connection)
    _model, pk = records["monitoring_assessment"]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "monitoring_assessment" SET "extra_note" = %s WHERE "id" = %s', ["x", pk]
        )


@pytest.mark.django_db(transaction=True)
def test_migrating_back_below_the_audit_migration_removes_them_and_forward_restores() -> None:
    """The migration is reversible: back to audit 0002 leaves only 0002's audit trigger and the
    next migrate (its post_migrate included) does not put them back early."""
    try:
        call_command("migrate", "audit", "0002", verbosity=0)
        found = immutable.installed(connection)
        assert all(not names for names in found.values())
    finally:
        call_command("migrate", verbosity=0)
    assert immutable.installed(connection)["plans_planversion"]
