# ruff: noqa: RUF012  (migration class attributes)
"""Counts kept by the database itself, whatever path the write takes (a service, the admin,
a bulk insert, COPY, raw SQL):

- ``monitoring_tally``: a ``+1``/``-1`` row per change of a patient's phase or of an alert's
  openness (signed deltas, appended: concurrent writers never wait on one counter row, so two
  transactions raising alerts in a different order cannot deadlock on the counts);
- ``patients_patient.open_alerts``: the patient's open alerts (the patient's own row, locked
  only by changes to that patient's alerts).

Existing rows are counted once when the migration runs.
"""

from django.db import migrations

# --------------------------------------------------------------------------- SQLite

_ALERT_SAME = (
    "NEW.severity = OLD.severity AND NEW.kind = OLD.kind "
    "AND NEW.programme_id = OLD.programme_id AND NEW.patient_id = OLD.patient_id"
)


def _alert_sqlite(row: str, sign: str) -> str:
    return f"""
  INSERT INTO monitoring_tally (programme_id, key, n) VALUES
    ({row}.programme_id, 'open:' || {row}.severity, {sign}1),
    ({row}.programme_id, 'open-kind:' || {row}.kind, {sign}1);
  UPDATE patients_patient SET open_alerts = open_alerts {sign} 1 WHERE id = {row}.patient_id;
"""


def _phase_sqlite(row: str, sign: str) -> str:
    return f"""
  INSERT INTO monitoring_tally (programme_id, key, n)
  VALUES ({row}.programme_id, 'phase:' || {row}.phase, {sign}1);
"""


SQLITE_UP = [
    f"""CREATE TRIGGER monitoring_alert_tally_insert AFTER INSERT ON monitoring_alert
WHEN NEW.acknowledged_at IS NULL BEGIN {_alert_sqlite("NEW", "+")} END;""",
    f"""CREATE TRIGGER monitoring_alert_tally_update_old AFTER UPDATE ON monitoring_alert
WHEN OLD.acknowledged_at IS NULL AND NOT (NEW.acknowledged_at IS NULL AND {_ALERT_SAME})
BEGIN {_alert_sqlite("OLD", "-")} END;""",
    f"""CREATE TRIGGER monitoring_alert_tally_update_new AFTER UPDATE ON monitoring_alert
WHEN NEW.acknowledged_at IS NULL AND NOT (OLD.acknowledged_at IS NULL AND {_ALERT_SAME})
BEGIN {_alert_sqlite("NEW", "+")} END;""",
    f"""CREATE TRIGGER monitoring_alert_tally_delete AFTER DELETE ON monitoring_alert
WHEN OLD.acknowledged_at IS NULL BEGIN {_alert_sqlite("OLD", "-")} END;""",
    f"""CREATE TRIGGER patients_patient_tally_insert AFTER INSERT ON patients_patient
BEGIN {_phase_sqlite("NEW", "+")} END;""",
    f"""CREATE TRIGGER patients_patient_tally_update AFTER UPDATE OF phase, programme_id
ON patients_patient
WHEN NEW.phase <> OLD.phase OR NEW.programme_id <> OLD.programme_id
BEGIN {_phase_sqlite("OLD", "-")} {_phase_sqlite("NEW", "+")} END;""",
    f"""CREATE TRIGGER patients_patient_tally_delete AFTER DELETE ON patients_patient
BEGIN {_phase_sqlite("OLD", "-")} END;""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "monitoring_alert_tally_insert",
        "monitoring_alert_tally_update_old",
        "monitoring_alert_tally_update_new",
        "monitoring_alert_tally_delete",
        "patients_patient_tally_insert",
        "patients_patient_tally_update",
        "patients_patient_tally_delete",
    )
]

# --------------------------------------------------------------------------- PostgreSQL

PG_UP = [
    """
CREATE OR REPLACE FUNCTION monitoring_alert_tally() RETURNS trigger AS $$
DECLARE
  was_open boolean := TG_OP <> 'INSERT' AND OLD.acknowledged_at IS NULL;
  is_open boolean := TG_OP <> 'DELETE' AND NEW.acknowledged_at IS NULL;
BEGIN
  IF TG_OP = 'UPDATE' AND was_open AND is_open
     AND (OLD.programme_id, OLD.patient_id, OLD.severity, OLD.kind)
       = (NEW.programme_id, NEW.patient_id, NEW.severity, NEW.kind) THEN
    RETURN NULL;
  END IF;
  IF was_open THEN
    INSERT INTO monitoring_tally (programme_id, key, n) VALUES
      (OLD.programme_id, 'open:' || OLD.severity, -1),
      (OLD.programme_id, 'open-kind:' || OLD.kind, -1);
    UPDATE patients_patient SET open_alerts = open_alerts - 1 WHERE id = OLD.patient_id;
  END IF;
  IF is_open THEN
    INSERT INTO monitoring_tally (programme_id, key, n) VALUES
      (NEW.programme_id, 'open:' || NEW.severity, 1),
      (NEW.programme_id, 'open-kind:' || NEW.kind, 1);
    UPDATE patients_patient SET open_alerts = open_alerts + 1 WHERE id = NEW.patient_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER monitoring_alert_tally AFTER INSERT OR UPDATE OR DELETE ON monitoring_alert
FOR EACH ROW EXECUTE FUNCTION monitoring_alert_tally();""",
    """
CREATE OR REPLACE FUNCTION patients_patient_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.phase = NEW.phase AND OLD.programme_id = NEW.programme_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO monitoring_tally (programme_id, key, n)
    VALUES (OLD.programme_id, 'phase:' || OLD.phase, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO monitoring_tally (programme_id, key, n)
    VALUES (NEW.programme_id, 'phase:' || NEW.phase, 1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER patients_patient_tally
AFTER INSERT OR DELETE OR UPDATE OF phase, programme_id ON patients_patient
FOR EACH ROW EXECUTE FUNCTION patients_patient_tally();""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS monitoring_alert_tally ON monitoring_alert;",
    "DROP FUNCTION IF EXISTS monitoring_alert_tally();",
    "DROP TRIGGER IF EXISTS patients_patient_tally ON patients_patient;",
    "DROP FUNCTION IF EXISTS patients_patient_tally();",
]

# --------------------------------------------------------------------------- both

COUNT_EXISTING = [
    "DELETE FROM monitoring_tally;",
    """INSERT INTO monitoring_tally (programme_id, key, n)
SELECT programme_id, 'phase:' || phase, COUNT(*) FROM patients_patient
GROUP BY programme_id, phase;""",
    """INSERT INTO monitoring_tally (programme_id, key, n)
SELECT programme_id, 'open:' || severity, COUNT(*) FROM monitoring_alert
WHERE acknowledged_at IS NULL GROUP BY programme_id, severity;""",
    """INSERT INTO monitoring_tally (programme_id, key, n)
SELECT programme_id, 'open-kind:' || kind, COUNT(*) FROM monitoring_alert
WHERE acknowledged_at IS NULL GROUP BY programme_id, kind;""",
    """UPDATE patients_patient SET open_alerts = (
  SELECT COUNT(*) FROM monitoring_alert a
  WHERE a.patient_id = patients_patient.id AND a.acknowledged_at IS NULL
) WHERE EXISTS (
  SELECT 1 FROM monitoring_alert a
  WHERE a.patient_id = patients_patient.id AND a.acknowledged_at IS NULL
);""",
]


def _run(by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0005_tally"),
        ("patients", "0004_open_alerts"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": COUNT_EXISTING + SQLITE_UP, "postgresql": COUNT_EXISTING + PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]
