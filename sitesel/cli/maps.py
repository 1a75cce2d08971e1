"""``sitesel map``: the map (and the summary PNG) of a run folder, drawn again."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sitesel.cli._app import app
from sitesel.cli.options import (
    LangOpt,
    MapOpt,
    RunDirArg,
    VerboseOpt,
    check_language,
    reported,
    setup_logging,
)


@app.command("map")
def map_command(
    run_dir: RunDirArg,
    map_path: MapOpt = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also write the static PNG summary here.", show_default=False),
    ] = None,
    lang: LangOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Re-render the HTML map (and optionally the PNG summary) of a run without rescoring."""
    setup_logging(verbose)
    with reported(verbose):
        check_language(lang)
        from sitesel.api import write_map_again

        name, written = write_map_again(run_dir, map_path=map_path, png=png, language=lang)
    typer.echo(f"{name}: wrote {', '.join(str(p) for p in written)}")
