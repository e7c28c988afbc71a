"""``benzodetox outcomes``: a programme's outcomes for a period as a table, JSON or the
de-identified CSV; bad input is one line and exit 2; every run is audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.utils import timezone

from benzodetox.cli.main import cli
from benzodetox.web.audit.models import AuditEvent
from benzodetox.web.programmes.models import Programme
from benzodetox.web.programmes.scoping import unscoped
from tests.web.outcomes.conftest import add_episode

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def north() -> Programme:
    """Five patients who finished a taper a year ago with their contacts kept."""
    programme = Programme.objects.create(name="North")
    user = get_user_model().objects.create(username="p")
    start = timezone.localdate() - timedelta(days=400)
    for i in range(5):
        add_episode(
            programme,
            user,
            f"N-{i}",
            start,
            scores=((3, 8), (10, 12)),
            contacts=tuple((n, True) for n in range(14, 99, 14)),
        )
    return programme


def run(*args: str):
    return CliRunner().invoke(cli, ["outcomes", *args])


def test_the_table_shows_the_headline_figures(north):
    """Five completed episodes, all retained at day 90."""
    result = run("--programme", "North")
    assert result.exit_code == 0, result.output
    assert "Patients: 5" in result.output
    assert "Completed (off and stayed off)" in result.output
    assert "day 90" in result.output and "5 of 5 (100%)" in result.output


def test_json_gives_every_cohort_figure(north):
    """The statuses, funnel and definitions are in the JSON; hidden cells would be null."""
    result = run("--programme", "North", "--format", "json")
    data = json.loads(result.output)
    assert data["patients"] == 5 and data["statuses"]["completed"] == 5
    assert data["funnel"][0] == {"stage": "Started", "count": 5, "went_no_further": 0}
    assert any(
        d["source"].startswith("benzodetox-outcome-definitions") for d in data["definitions"]
    )


def test_csv_is_one_de_identified_row_per_episode(north):
    """Five rows, no record numbers; a period after every start leaves none."""
    result = run("--programme", "North", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 5 and "N-0" not in result.output
    assert {r["status"] for r in rows} == {"completed"} and rows[0]["last_dose_day"]
    later = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert run("--programme", "North", "--from", later, "--format", "csv").output == ""


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--programme", "Nowhere"), "programme"),
        (("--programme", "North", "--from", "2026-13-01"), "from"),
        (("--programme", "North", "--from", "2026-05-01", "--to", "2026-04-01"), "to"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(north, args, field):
    """An unknown programme, an impossible date or a period ending before it starts."""
    result = run(*args)
    assert result.exit_code == 2
    assert field in result.output and "Traceback" not in result.output


def test_every_run_is_an_audit_event(north):
    """outcomes.exported, for the programme, naming the format and the OS user."""
    run("--programme", "North", "--format", "json")
    with unscoped():
        event = AuditEvent.objects.get(action="outcomes.exported")
    assert event.programme_id == north.pk and event.detail["format"] == "json"
    assert event.detail["os_user"]
