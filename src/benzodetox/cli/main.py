"""Entry point of the ``benzodetox`` command. Each command group lives in its own module and
exposes a ``commands`` list; bad input anywhere exits with status 2 and one clear message."""

from __future__ import annotations

import importlib
import sys

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
    "demo",
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


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"{__package__}.{_name}")
    except ModuleNotFoundError as error:  # a command group not written yet
        if error.name != f"{__package__}.{_name}":
            raise
        continue
    for _command in getattr(_module, "commands", ()):
        cli.add_command(_command)


def main() -> None:
    cli(prog_name="benzodetox")


if __name__ == "__main__":
    sys.exit(main())
