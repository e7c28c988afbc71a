"""`benzodetox` builds its command groups from cli/main.py COMMAND_MODULES and fails loudly,
naming the module, when a listed module is missing or contributes no command."""

from __future__ import annotations

import subprocess
import sys
import types

import click
import pytest

from benzodetox.cli import main
from benzodetox.cli.main import COMMAND_MODULES, MissingCommandModule, cli, load_commands


def test_a_missing_command_module_stops_the_start_naming_it():
    """A typo in COMMAND_MODULES is an error naming the module, not a silently dropped group."""
    with pytest.raises(MissingCommandModule, match=r"benzodetox\.cli\.simulat\b.*does not exist"):
        load_commands(click.Group(), ("catalogue", "simulat"))


def test_a_module_without_commands_stops_the_start_naming_it(monkeypatch):
    """A listed module with no ``commands`` list is refused the same way."""
    monkeypatch.setitem(sys.modules, "benzodetox.cli.empty_probe", types.ModuleType("probe"))
    with pytest.raises(MissingCommandModule, match=r"benzodetox\.cli\.empty_probe.*'commands'"):
        load_commands(click.Group(), ("empty_probe",))


def test_a_missing_dependency_of_a_module_keeps_its_own_error(monkeypatch, tmp_path):
    """A module that exists but imports something missing raises that import's own error
    (naming the dependency), not the 'does not exist' of a missing command module."""
    import benzodetox.cli

    (tmp_path / "broken_probe.py").write_text("import benzodetox_no_such_dependency\n")
    monkeypatch.setattr(benzodetox.cli, "__path__", [*benzodetox.cli.__path__, str(tmp_path)])
    with pytest.raises(ModuleNotFoundError) as error:
        load_commands(click.Group(), ("broken_probe",))
    assert not isinstance(error.value, MissingCommandModule)
    assert error.value.name == "benzodetox_no_such_dependency"


def test_every_listed_module_contributes_its_commands():
    """Each module of COMMAND_MODULES exists and every command it lists is on ``benzodetox``."""
    for name in COMMAND_MODULES:
        module = sys.modules[f"{main.__package__}.{name}"]
        for command in module.commands:
            assert cli.commands[command.name] is command, (name, command.name)


def test_the_installed_command_starts_and_lists_its_groups():
    """A fresh interpreter runs ``benzodetox --help`` with exit 0 and the plan command listed."""
    out = subprocess.run(
        [sys.executable, "-m", "benzodetox.cli.main", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "simulate" in out.stdout and "plan" in out.stdout
