# ruff: noqa: RUF012  (migration class attributes)
"""PostgreSQL: trigram indexes for the patient search (record number or name containing the
text, case-insensitive), which the list and the dashboard run as ``UPPER(col) LIKE UPPER(%q%)``
— without them each search reads every patient of the programme.

``pg_trgm`` is a trusted extension (PostgreSQL 13+: a database owner may create it). Where it
cannot be created the migration says so and leaves the indexes out: the search still works,
by reading the programme's patients. SQLite: nothing (its LIKE has no such index).
"""

from django.db import migrations

PG_UP = [
    """
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
  RAISE WARNING 'pg_trgm unavailable (%): the patient search reads every patient', SQLERRM;
END $$;
""",
    """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS patient_reference_trgm ON patients_patient
      USING gin (UPPER(reference::text) gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS patient_name_trgm ON patients_patient
      USING gin (UPPER(display_name::text) gin_trgm_ops);
  END IF;
END $$;
""",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS patient_reference_trgm;",
    "DROP INDEX IF EXISTS patient_name_trgm;",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("patients", "0005_dashboard_indexes")]

    operations = [migrations.RunPython(_run(PG_UP), _run(PG_DOWN))]
