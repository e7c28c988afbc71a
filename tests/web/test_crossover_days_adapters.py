"""The web form and the CLI take days per crossover stage from the core's one figure."""

from __future__ import annotations

import click

from benzodetox.cli.planning import plan_options
from benzodetox.core.plan import crossover_days
from benzodetox.web.plans.forms import PlanForm


def test_the_web_form_and_the_cli_option_use_the_figure():
    """The form field's bounds and initial value, and the CLI default, are the core's."""
    stage = crossover_days()
    field = PlanForm.base_fields["crossover_days"]
    assert (field.initial, field.least, field.most) == (stage.default, stage.least, stage.most)

    @click.command()
    @plan_options
    def probe(**_: object) -> None:
        """Only to read the options."""

    option = next(p for p in probe.params if p.name == "crossover_days")
    assert option.default == stage.default
