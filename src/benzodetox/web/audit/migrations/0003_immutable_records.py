# ruff: noqa: RUF012  (migration class attributes)
"""Clinical records immutable in the database: triggers refusing UPDATE and DELETE (and
TRUNCATE on PostgreSQL) on every table in ``benzodetox.web.immutable.GUARDED`` — plan versions,
approvals and signatures, assessments, advice records, relapse-plan versions, adjunct notes,
audit events and every simple-history table.

Replaces 0002's UPDATE-only trigger on the audit table. The audit app's ``post_migrate`` hook
runs the same idempotent ``install()`` after every migrate, because SQLite drops a table's
triggers when a later migration rebuilds the table.
"""

from django.db import migrations

from benzodetox.web import immutable

# 0002's trigger, dropped here and restored by the reverse
OLD_SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_auditevent_no_update"
OLD_SQLITE_CREATE = (
    "CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
)
OLD_PG_DROP = (
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent; "
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_update()"
)
OLD_PG_CREATE = """
CREATE OR REPLACE FUNCTION audit_auditevent_refuse_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_update();
"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(OLD_SQLITE_DROP)
    elif connection.vendor == "postgresql":
        schema_editor.execute(OLD_PG_DROP)
    immutable.install(connection)


def backward(apps, schema_editor):
    connection = schema_editor.connection
    immutable.uninstall(connection)
    if connection.vendor == "sqlite":
        schema_editor.execute(OLD_SQLITE_CREATE)
    elif connection.vendor == "postgresql":
        schema_editor.execute(OLD_PG_CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("patients", "0003_phase_from_plan_and_list_figures"),
        ("plans", "0002_plan_policy_and_first_signature"),
        ("monitoring", "0004_escalation_interval"),
        ("careplans", "0003_pharmacy_policy"),
    ]

    operations = [migrations.RunPython(forward, backward)]
