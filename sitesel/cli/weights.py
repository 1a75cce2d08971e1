"""``sitesel weights``: the criterion weights, how they were derived, their consistency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sitesel.cli._app import app
from sitesel.cli.options import VerboseOpt, reported, setup_logging


@app.command()
def weights(
    config_path: Annotated[
        Path,
        typer.Argument(
            help="A scoring config, or a run folder (then with the entropy and CRITIC"
            " weights of its candidate sites beside the weights used).",
            show_default=False,
            metavar="CONFIG_OR_RUN",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Print the criterion weights, how they were derived, and AHP consistency figures."""
    setup_logging(verbose)
    with reported(verbose):
        from sitesel.api import weights_of

        report, leaders = weights_of(config_path)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
        return
    typer.echo("\n".join(report.lines()))
    if len(leaders):
        shown = ["place", "site_id", "b_rank1", "b_rank2", "b_rank3", "confidence_factor"]
        table = leaders[[c for c in shown if c in leaders]].head(5)
        typer.echo("SMAA-2, sites first in some weight draws (smaa.csv has all):")
        typer.echo(table.to_string(index=False, float_format="%.3f"))
