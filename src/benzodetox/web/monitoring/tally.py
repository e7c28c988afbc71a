"""Reading and folding the trigger-kept counts (``Tally``; migration 0006 writes them).

A count is the sum of its key's rows: one row after the ``tally-compact`` job has run, plus a
row per change since. Reading sums the rows from the (programme, key, n) index, so it costs the
same at 100 patients and at 100,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Sum

from .models import Tally

__all__ = ["compact", "counts", "ensure_count_triggers"]


def counts(programme_ids: Sequence[int], prefix: str, names: Iterable[str]) -> dict[str, int]:
    """The counts of the keys ``prefix + name`` over the programmes, by name; a key with no
    rows is absent (zero). Exact keys, so the (programme, key, n) index answers alone."""
    keys = [prefix + name for name in names]
    rows = (
        Tally.objects.filter(programme_id__in=list(programme_ids), key__in=keys)
        .values_list("key")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return {key[len(prefix) :]: int(total) for key, total in rows if total}


def compact() -> int:
    """Fold each (programme, key)'s delta rows into one (zeros dropped); how many rows went.

    PostgreSQL: one statement deletes the rows its snapshot sees and inserts their sums, so a
    delta committed meanwhile is neither lost nor counted twice. SQLite has one writer at a
    time: the same in one transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH gone AS (DELETE FROM monitoring_tally RETURNING programme_id, key, n),
                folded AS (
                  INSERT INTO monitoring_tally (programme_id, key, n)
                  SELECT programme_id, key, SUM(n) FROM gone
                  GROUP BY programme_id, key HAVING SUM(n) <> 0
                  RETURNING 1
                )
                SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM folded)
                """
            )
            row = cursor.fetchone()
            folded = int(row[0]) if row else 0
            if folded and not connection.in_atomic_block:
                # the folded rows' index entries go now, not at autovacuum's next visit
                cursor.execute("VACUUM monitoring_tally")
            return folded
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM monitoring_tally")
        before = int(cursor.fetchone()[0])
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS tally_folded "
            "(programme_id integer, key text, n integer)"
        )
        cursor.execute("DELETE FROM tally_folded")
        cursor.execute(
            "INSERT INTO tally_folded SELECT programme_id, key, SUM(n) FROM monitoring_tally "
            "GROUP BY programme_id, key HAVING SUM(n) <> 0"
        )
        cursor.execute("DELETE FROM monitoring_tally")
        cursor.execute(
            "INSERT INTO monitoring_tally (programme_id, key, n) "
            "SELECT programme_id, key, n FROM tally_folded"
        )
        cursor.execute("SELECT COUNT(*) FROM monitoring_tally")
        after = int(cursor.fetchone()[0])
    return before - after


#: the migrations whose SQLite triggers keep the counts (each creates its own trigger names; none
#: drops another's), in order
COUNT_TRIGGER_MIGRATIONS = ("0006_tally_triggers", "0009_change_tally", "0011_phase_tally")


def ensure_count_triggers(sender: object, using: str = "default", **kwargs: object) -> int:
    """After every migrate (and test flush), put back any count trigger that is missing: on
    SQLite a later migration that rebuilds a table (patients, alerts, scheduled changes) drops
    its triggers, and the counts would drift without a word. The rows a rebuild copies are not
    counted again (the triggers are not there while it copies). PostgreSQL keeps triggers
    through ALTER TABLE. Returns how many statements ran."""
    from importlib import import_module

    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    applied = MigrationRecorder(connection).applied_migrations()
    ran = 0
    with connection.cursor() as cursor:
        for name in COUNT_TRIGGER_MIGRATIONS:
            if ("monitoring", name) not in applied:
                continue
            module = import_module(f"benzodetox.web.monitoring.migrations.{name}")
            for statement in module.SQLITE_UP:
                if statement.lstrip().startswith("CREATE TRIGGER "):
                    cursor.execute(
                        statement.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1)
                    )
                    ran += 1
    return ran
