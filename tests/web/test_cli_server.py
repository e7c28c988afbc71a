"""``benzodetox user add`` and ``benzodetox serve --demo --check`` (no server started)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from benzodetox.cli.main import cli
from benzodetox.web.patients.models import Patient
from benzodetox.web.programmes.models import Membership


@pytest.mark.django_db(transaction=True)
def test_user_add_reads_the_password_from_stdin_and_gives_the_role(django_user_model):
    """The account is created with an Argon2 hash and the role in the (new) programme."""
    result = CliRunner().invoke(
        cli,
        ["user", "add", "kim", "--role", "prescriber", "--programme", "North clinic"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = django_user_model.objects.get(username="kim")
    assert user.password.startswith("argon2")
    membership = Membership.objects.get(user=user)
    assert (membership.programme.name, membership.role) == ("North clinic", "prescriber")


@pytest.mark.django_db(transaction=True)
def test_user_add_refuses_a_weak_password_with_exit_status_2(django_user_model):
    """A common short password is refused with one message, no traceback."""
    result = CliRunner().invoke(
        cli, ["user", "add", "lee", "--role", "nurse", "--programme", "P"], input="password\n"
    )
    assert result.exit_code == 2
    assert "password" in result.output and "Traceback" not in result.output
    assert not django_user_model.objects.filter(username="lee").exists()


@pytest.mark.django_db(transaction=True)
def test_serve_demo_seeds_once_and_prints_a_login_per_role(settings, tmp_path, everything):
    """The demo has every role's login and patients in several phases; a second run reuses it."""
    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    runner = CliRunner()
    first = runner.invoke(cli, ["serve", "--demo", "--check"])
    assert first.exit_code == 0, first.output
    for role in ("admin", "prescriber", "nurse", "counsellor", "read-only"):
        assert f"({role}, Demo programme)" in first.output
    phases = set(Patient.objects.values_list("phase", flat=True))
    assert {"intake", "crossover", "tapering", "hold", "aftercare", "discontinued"} <= phases
    count = Patient.objects.count()
    second = runner.invoke(cli, ["serve", "--demo", "--check"])
    assert second.exit_code == 0 and "seeded" not in second.output
    assert Patient.objects.count() == count


def test_a_bad_setting_stops_serve_with_one_line_and_status_2(tmp_path):
    """DEBUG=maybe names the variable; no traceback."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, DEBUG="maybe", BENZODETOX_DATA_DIR=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "benzodetox", "serve", "--check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "DEBUG='maybe'" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.django_db(transaction=True)
def test_serve_demo_prints_the_calculator_address_first(settings, tmp_path):
    """The demo's front door is the open calculator: its address is the first line printed."""
    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    result = CliRunner().invoke(cli, ["serve", "--demo", "--check", "--port", "8123"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == "Taper calculator (no sign-in, nothing stored): http://127.0.0.1:8123/calculator/"


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("BENZODETOX_EMAIL", "smpt", "BENZODETOX_EMAIL='smpt' is not allowed; use smtp, console"),
    ],
)
def test_manage_with_a_bad_setting_exits_2_naming_the_variable_without_a_traceback(
    tmp_path, variable, value, said
):
    """`benzodetox manage` reads the settings first: a bad variable is one line, exit 2 (a
    mistyped e-mail mode is refused, not silently turned into no e-mail)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, variable: value, "BENZODETOX_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "benzodetox.cli.main", "manage", "check"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert said in done.stderr
    assert "Traceback" not in done.stderr
