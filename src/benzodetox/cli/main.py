"""Entry point of the ``benzodetox`` command. Each command group lives in its own module and
exposes a ``commands`` list; bad input anywhere exits with status 2 and one clear message."""

from __future__ import annotations

import importlib

import click

from ..core.errors import BenzodetoxError, InputError
from ._common import OUTPUT_ALLOWED, OUTPUT_META

#: Modules that contribute commands, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "catalogue",
    "planning",
    "assessment",
    "simulate",
    "server",
    "backup",
    "outcomes",
    "tokens",
    "fhir",
)


class Group(click.Group):
    """Turns the core's InputError into a usage error (exit 2) instead of a traceback; so too
    a failure to write the ``--output`` file of a command that writes it itself."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InputError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(2)
        except BenzodetoxError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(1)
        except OSError as error:
            # A command that writes its --output itself (not through write_output): an error
            # naming that file, or naming none (a failed write on an open file: EIO, ENOSPC),
            # is the output's. Any other OSError is a bug to see in full.
            output = ctx.meta.get(OUTPUT_META)
            if output is None or error.filename not in (None, output):
                raise
            problem = InputError("output", output, OUTPUT_ALLOWED, hint=error.strerror or "")
            click.echo(f"Error: {problem}", err=True)
            ctx.exit(2)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="benzodetox")
def cli() -> None:
    """benzodetox: benzodiazepine and Z-drug detox decision support."""


class MissingCommandModule(ImportError):
    """A module listed in ``COMMAND_MODULES`` is missing or contributes no command."""


def load_commands(group: click.Group, names: tuple[str, ...]) -> None:
    """Add the ``commands`` of each module in ``names`` to ``group``. A listed module that does
    not exist, or that has no ``commands``, stops the start naming it: a typo must not drop a
    command group without a word."""
    for name in names:
        qualified = f"{__package__}.{name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as error:
            if error.name != qualified:
                raise  # a missing dependency of the module: its own traceback says which
            raise MissingCommandModule(
                f"benzodetox: the command module {qualified} listed in COMMAND_MODULES "
                "does not exist"
            ) from None
        commands = getattr(module, "commands", None)
        if not commands:
            raise MissingCommandModule(
                f"benzodetox: the command module {qualified} has no 'commands' list"
            )
        for command in commands:
            group.add_command(command)


load_commands(cli, COMMAND_MODULES)


def main() -> None:
    cli(prog_name="benzodetox")


if __name__ == "__main__":
    main()
