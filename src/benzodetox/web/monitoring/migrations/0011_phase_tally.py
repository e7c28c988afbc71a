# ruff: noqa: RUF012  (migration class attributes)
"""The dashboard's counts under a phase filter, kept like the others (0006, 0009), so a phase
filter reads a few keys instead of joining the programme's patients:

- ``phase-overdue:<phase>``: open overdue-assessment and reduction alerts whose patient is in
  ``<phase>`` (the alert's programme);
- ``phase-change:<phase>:<YYYY-MM-DD>``: scheduled dose changes on that day whose patient is in
  ``<phase>``.

Kept whatever path the write takes: a trigger on the alerts and one on the scheduled changes
add ``+1``/``-1`` under the patient's phase; a trigger on the patients' ``phase`` moves the
patient's open overdue alerts and dose changes from the old phase to the new one (and takes
them away when a patient row goes). On PostgreSQL the alert and change triggers read the phase
with the patient's row locked (``FOR NO KEY UPDATE``), and a phase change holds that lock, so
a change racing an alert or a dose change is counted under one phase exactly once: whichever
waits sees the other's committed state. Existing rows are counted once.
"""

from django.db import migrations

OVERDUE_KINDS = "('overdue', 'reduction')"

# --------------------------------------------------------------------------- SQLite


def _alert_sqlite(row: str, sign: str) -> str:
    return f"""INSERT INTO monitoring_tally (programme_id, key, n)
SELECT {row}.programme_id, 'phase-overdue:' || phase, {sign}1
FROM patients_patient WHERE id = {row}.patient_id;"""


def _counted(row: str) -> str:
    return f"{row}.acknowledged_at IS NULL AND {row}.kind IN {OVERDUE_KINDS}"


_ALERT_SAME = "NEW.patient_id = OLD.patient_id AND NEW.programme_id = OLD.programme_id"


def _change_sqlite(row: str, sign: str) -> str:
    return f"""INSERT INTO monitoring_tally (programme_id, key, n)
SELECT {row}.programme_id, 'phase-change:' || phase || ':' || {row}."on", {sign}1
FROM patients_patient WHERE id = {row}.patient_id;"""


def _patient_sqlite(phase: str, sign: str) -> str:
    """The patient's (OLD.id) open overdue alerts and dose changes under ``phase``."""
    return f"""
INSERT INTO monitoring_tally (programme_id, key, n)
SELECT programme_id, 'phase-overdue:' || {phase}, {sign}COUNT(*) FROM monitoring_alert
WHERE patient_id = OLD.id AND acknowledged_at IS NULL AND kind IN {OVERDUE_KINDS}
GROUP BY programme_id;
INSERT INTO monitoring_tally (programme_id, key, n)
SELECT programme_id, 'phase-change:' || {phase} || ':' || "on", {sign}COUNT(*)
FROM monitoring_scheduledchange WHERE patient_id = OLD.id GROUP BY programme_id, "on";"""


SQLITE_UP = [
    f"""CREATE TRIGGER monitoring_alert_phase_tally_insert AFTER INSERT ON monitoring_alert
WHEN {_counted("NEW")} BEGIN {_alert_sqlite("NEW", "+")} END;""",
    f"""CREATE TRIGGER monitoring_alert_phase_tally_update_old AFTER UPDATE ON monitoring_alert
WHEN {_counted("OLD")} AND NOT ({_counted("NEW")} AND {_ALERT_SAME})
BEGIN {_alert_sqlite("OLD", "-")} END;""",
    f"""CREATE TRIGGER monitoring_alert_phase_tally_update_new AFTER UPDATE ON monitoring_alert
WHEN {_counted("NEW")} AND NOT ({_counted("OLD")} AND {_ALERT_SAME})
BEGIN {_alert_sqlite("NEW", "+")} END;""",
    f"""CREATE TRIGGER monitoring_alert_phase_tally_delete AFTER DELETE ON monitoring_alert
WHEN {_counted("OLD")} BEGIN {_alert_sqlite("OLD", "-")} END;""",
    f"""CREATE TRIGGER monitoring_change_phase_tally_insert
AFTER INSERT ON monitoring_scheduledchange BEGIN {_change_sqlite("NEW", "+")} END;""",
    f"""CREATE TRIGGER monitoring_change_phase_tally_delete
AFTER DELETE ON monitoring_scheduledchange BEGIN {_change_sqlite("OLD", "-")} END;""",
    f"""CREATE TRIGGER monitoring_change_phase_tally_update
AFTER UPDATE OF "on", programme_id, patient_id ON monitoring_scheduledchange
WHEN NEW."on" <> OLD."on" OR NEW.programme_id <> OLD.programme_id
  OR NEW.patient_id <> OLD.patient_id
BEGIN {_change_sqlite("OLD", "-")} {_change_sqlite("NEW", "+")} END;""",
    f"""CREATE TRIGGER patients_patient_phase_tally_update AFTER UPDATE OF phase
ON patients_patient WHEN NEW.phase <> OLD.phase
BEGIN {_patient_sqlite("OLD.phase", "-")} {_patient_sqlite("NEW.phase", "+")} END;""",
    f"""CREATE TRIGGER patients_patient_phase_tally_delete AFTER DELETE ON patients_patient
BEGIN {_patient_sqlite("OLD.phase", "-")} END;""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "monitoring_alert_phase_tally_insert",
        "monitoring_alert_phase_tally_update_old",
        "monitoring_alert_phase_tally_update_new",
        "monitoring_alert_phase_tally_delete",
        "monitoring_change_phase_tally_insert",
        "monitoring_change_phase_tally_delete",
        "monitoring_change_phase_tally_update",
        "patients_patient_phase_tally_update",
        "patients_patient_phase_tally_delete",
    )
]

# --------------------------------------------------------------------------- PostgreSQL

PG_UP = [
    f"""
CREATE OR REPLACE FUNCTION monitoring_alert_phase_tally() RETURNS trigger AS $$
DECLARE
  was boolean := TG_OP <> 'INSERT' AND OLD.acknowledged_at IS NULL
                 AND OLD.kind IN {OVERDUE_KINDS};
  is_now boolean := TG_OP <> 'DELETE' AND NEW.acknowledged_at IS NULL
                    AND NEW.kind IN {OVERDUE_KINDS};
  ph text;
BEGIN
  IF TG_OP = 'UPDATE' AND was AND is_now
     AND (OLD.patient_id, OLD.programme_id) = (NEW.patient_id, NEW.programme_id) THEN
    RETURN NULL;
  END IF;
  IF was THEN
    SELECT phase INTO ph FROM patients_patient WHERE id = OLD.patient_id FOR NO KEY UPDATE;
    IF FOUND THEN
      INSERT INTO monitoring_tally (programme_id, key, n)
      VALUES (OLD.programme_id, 'phase-overdue:' || ph, -1);
    END IF;
  END IF;
  IF is_now THEN
    SELECT phase INTO ph FROM patients_patient WHERE id = NEW.patient_id FOR NO KEY UPDATE;
    IF FOUND THEN
      INSERT INTO monitoring_tally (programme_id, key, n)
      VALUES (NEW.programme_id, 'phase-overdue:' || ph, 1);
    END IF;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    f"""CREATE TRIGGER monitoring_alert_phase_tally_insert AFTER INSERT ON monitoring_alert
FOR EACH ROW WHEN ({_counted("NEW")})
EXECUTE FUNCTION monitoring_alert_phase_tally();""",
    f"""CREATE TRIGGER monitoring_alert_phase_tally_update AFTER UPDATE ON monitoring_alert
FOR EACH ROW WHEN ({_counted("OLD")} OR {_counted("NEW")})
EXECUTE FUNCTION monitoring_alert_phase_tally();""",
    f"""CREATE TRIGGER monitoring_alert_phase_tally_delete AFTER DELETE ON monitoring_alert
FOR EACH ROW WHEN ({_counted("OLD")})
EXECUTE FUNCTION monitoring_alert_phase_tally();""",
    """
CREATE OR REPLACE FUNCTION monitoring_change_phase_tally() RETURNS trigger AS $$
DECLARE
  ph text;
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD."on", OLD.programme_id, OLD.patient_id)
                        = (NEW."on", NEW.programme_id, NEW.patient_id) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    SELECT phase INTO ph FROM patients_patient WHERE id = OLD.patient_id FOR NO KEY UPDATE;
    IF FOUND THEN
      INSERT INTO monitoring_tally (programme_id, key, n) VALUES
        (OLD.programme_id, 'phase-change:' || ph || ':' || to_char(OLD."on", 'YYYY-MM-DD'), -1);
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    SELECT phase INTO ph FROM patients_patient WHERE id = NEW.patient_id FOR NO KEY UPDATE;
    IF FOUND THEN
      INSERT INTO monitoring_tally (programme_id, key, n) VALUES
        (NEW.programme_id, 'phase-change:' || ph || ':' || to_char(NEW."on", 'YYYY-MM-DD'), 1);
    END IF;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER monitoring_change_phase_tally
AFTER INSERT OR DELETE OR UPDATE OF "on", programme_id, patient_id
ON monitoring_scheduledchange
FOR EACH ROW EXECUTE FUNCTION monitoring_change_phase_tally();""",
    f"""
CREATE OR REPLACE FUNCTION patients_patient_phase_tally() RETURNS trigger AS $$
BEGIN
  INSERT INTO monitoring_tally (programme_id, key, n)
  SELECT programme_id, 'phase-overdue:' || OLD.phase, -COUNT(*) FROM monitoring_alert
  WHERE patient_id = OLD.id AND acknowledged_at IS NULL AND kind IN {OVERDUE_KINDS}
  GROUP BY programme_id;
  INSERT INTO monitoring_tally (programme_id, key, n)
  SELECT programme_id, 'phase-change:' || OLD.phase || ':' || to_char("on", 'YYYY-MM-DD'),
         -COUNT(*)
  FROM monitoring_scheduledchange WHERE patient_id = OLD.id GROUP BY programme_id, "on";
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO monitoring_tally (programme_id, key, n)
    SELECT programme_id, 'phase-overdue:' || NEW.phase, COUNT(*) FROM monitoring_alert
    WHERE patient_id = NEW.id AND acknowledged_at IS NULL AND kind IN {OVERDUE_KINDS}
    GROUP BY programme_id;
    INSERT INTO monitoring_tally (programme_id, key, n)
    SELECT programme_id, 'phase-change:' || NEW.phase || ':' || to_char("on", 'YYYY-MM-DD'),
           COUNT(*)
    FROM monitoring_scheduledchange WHERE patient_id = NEW.id GROUP BY programme_id, "on";
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    """CREATE TRIGGER patients_patient_phase_tally_update AFTER UPDATE OF phase
ON patients_patient FOR EACH ROW WHEN (OLD.phase IS DISTINCT FROM NEW.phase)
EXECUTE FUNCTION patients_patient_phase_tally();""",
    """CREATE TRIGGER patients_patient_phase_tally_delete AFTER DELETE ON patients_patient
FOR EACH ROW EXECUTE FUNCTION patients_patient_phase_tally();""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS monitoring_alert_phase_tally_insert ON monitoring_alert;",
    "DROP TRIGGER IF EXISTS monitoring_alert_phase_tally_update ON monitoring_alert;",
    "DROP TRIGGER IF EXISTS monitoring_alert_phase_tally_delete ON monitoring_alert;",
    "DROP FUNCTION IF EXISTS monitoring_alert_phase_tally();",
    "DROP TRIGGER IF EXISTS monitoring_change_phase_tally ON monitoring_scheduledchange;",
    "DROP FUNCTION IF EXISTS monitoring_change_phase_tally();",
    "DROP TRIGGER IF EXISTS patients_patient_phase_tally_update ON patients_patient;",
    "DROP TRIGGER IF EXISTS patients_patient_phase_tally_delete ON patients_patient;",
    "DROP FUNCTION IF EXISTS patients_patient_phase_tally();",
    "DELETE FROM monitoring_tally WHERE key LIKE 'phase-overdue:%' "
    "OR key LIKE 'phase-change:%';",
]

# --------------------------------------------------------------------------- both


def _count_existing(day: str) -> list[str]:
    return [
        "DELETE FROM monitoring_tally WHERE key LIKE 'phase-overdue:%' "
        "OR key LIKE 'phase-change:%';",
        f"""INSERT INTO monitoring_tally (programme_id, key, n)
SELECT a.programme_id, 'phase-overdue:' || p.phase, COUNT(*)
FROM monitoring_alert a JOIN patients_patient p ON p.id = a.patient_id
WHERE a.acknowledged_at IS NULL AND a.kind IN {OVERDUE_KINDS}
GROUP BY a.programme_id, p.phase;""",
        f"""INSERT INTO monitoring_tally (programme_id, key, n)
SELECT c.programme_id, 'phase-change:' || p.phase || ':' || {day}, COUNT(*)
FROM monitoring_scheduledchange c JOIN patients_patient p ON p.id = c.patient_id
GROUP BY c.programme_id, p.phase, c."on";""",
    ]


SQLITE_DOWN.append(PG_DOWN[-1])


def _run(by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0010_assessment_rater")]

    operations = [
        migrations.RunPython(
            _run(
                {
                    "sqlite": _count_existing('c."on"') + SQLITE_UP,
                    "postgresql": _count_existing("""to_char(c."on", 'YYYY-MM-DD')""") + PG_UP,
                }
            ),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        )
    ]
