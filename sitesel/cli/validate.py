"""``sitesel validate``: check a config and its catalog without running."""

from __future__ import annotations

import typer

from sitesel.cli._app import app
from sitesel.cli.options import (
    ConfigArg,
    DataDirOpt,
    VerboseOpt,
    printable,
    read_early,
    reported,
    setup_logging,
)


@app.command()
def validate(
    config_path: ConfigArg,
    data_dir: DataDirOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Check a config and its layer catalog without running (nothing is downloaded)."""
    setup_logging(verbose)
    with reported(verbose):
        read_early(config_path)
        from sitesel.api import validate as validate_config

        found = validate_config(config_path, data_dir=data_dir)
    config = found.study.config
    note = (
        f"; {found.files_to_download} file(s) will be downloaded" if found.files_to_download else ""
    )
    typer.echo(
        f"{config_path}: valid ({len(config.criteria)} criteria,"
        f" {len(config.constraints)} constraints; catalog {found.study.catalog_path.name},"
        f" {found.files_needed} file(s) needed{note})"
    )
    if found.downloads:
        typer.echo("a run online will download:")
        for line in found.downloads:
            typer.echo(f"  {printable(line)}")
    for warning in found.warnings:
        typer.echo(f"sitesel: warning: {printable(warning)}", err=True)
