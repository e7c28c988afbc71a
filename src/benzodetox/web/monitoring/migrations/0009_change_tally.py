# ruff: noqa: RUF012  (migration class attributes)
"""The dashboard's "dose changes this week" count kept like the others (0006): a ``+1``/``-1``
row in ``monitoring_tally`` under ``change:<YYYY-MM-DD>`` per scheduled dose change inserted,
deleted or moved, whatever path the write takes. Existing rows are counted once."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER monitoring_change_tally_insert AFTER INSERT ON monitoring_scheduledchange
BEGIN INSERT INTO monitoring_tally (programme_id, key, n)
VALUES (NEW.programme_id, 'change:' || NEW."on", 1); END;""",
    """CREATE TRIGGER monitoring_change_tally_delete AFTER DELETE ON monitoring_scheduledchange
BEGIN INSERT INTO monitoring_tally (programme_id, key, n)
VALUES (OLD.programme_id, 'change:' || OLD."on", -1); END;""",
    """CREATE TRIGGER monitoring_change_tally_update AFTER UPDATE OF "on", programme_id
ON monitoring_scheduledchange
WHEN NEW."on" <> OLD."on" OR NEW.programme_id <> OLD.programme_id
BEGIN INSERT INTO monitoring_tally (programme_id, key, n) VALUES
(OLD.programme_id, 'change:' || OLD."on", -1), (NEW.programme_id, 'change:' || NEW."on", 1);
END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS monitoring_change_tally_insert;",
    "DROP TRIGGER IF EXISTS monitoring_change_tally_delete;",
    "DROP TRIGGER IF EXISTS monitoring_change_tally_update;",
]

PG_UP = [
    """
CREATE OR REPLACE FUNCTION monitoring_change_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."on" = NEW."on" AND OLD.programme_id = NEW.programme_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO monitoring_tally (programme_id, key, n)
    VALUES (OLD.programme_id, 'change:' || to_char(OLD."on", 'YYYY-MM-DD'), -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO monitoring_tally (programme_id, key, n)
    VALUES (NEW.programme_id, 'change:' || to_char(NEW."on", 'YYYY-MM-DD'), 1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER monitoring_change_tally
AFTER INSERT OR DELETE OR UPDATE OF "on", programme_id ON monitoring_scheduledchange
FOR EACH ROW EXECUTE FUNCTION monitoring_change_tally();""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS monitoring_change_tally ON monitoring_scheduledchange;",
    "DROP FUNCTION IF EXISTS monitoring_change_tally();",
]

COUNT_SQLITE = [
    """INSERT INTO monitoring_tally (programme_id, key, n)
SELECT programme_id, 'change:' || "on", COUNT(*) FROM monitoring_scheduledchange
GROUP BY programme_id, "on";"""
]
COUNT_PG = [
    """INSERT INTO monitoring_tally (programme_id, key, n)
SELECT programme_id, 'change:' || to_char("on", 'YYYY-MM-DD'), COUNT(*)
FROM monitoring_scheduledchange GROUP BY programme_id, "on";"""
]


def _run(by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0008_week_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": COUNT_SQLITE + SQLITE_UP, "postgresql": COUNT_PG + PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]
