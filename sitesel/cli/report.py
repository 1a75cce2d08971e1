"""``sitesel report``: the dossier of shortlisted sites, one printable page a site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sitesel.cli._app import app
from sitesel.cli.options import (
    LangOpt,
    RunDirArg,
    VerboseOpt,
    check_language,
    reported,
    setup_logging,
)


@app.command()
def report(
    run_dir: RunDirArg,
    top: Annotated[
        int | None,
        typer.Option("--top", help="The N best-ranked sites (default 5).", show_default=False),
    ] = None,
    sites: Annotated[
        str | None,
        typer.Option("--sites", help="Site ids, comma-separated.", show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder (default RUN_DIR/report/).", show_default=False),
    ] = None,
    lang: LangOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Write the dossier of shortlisted sites: one printable page a site, offline."""
    setup_logging(verbose)
    with reported(verbose):
        check_language(lang)
        from sitesel.api import write_report

        target, chosen = write_report(run_dir, top=top, sites=sites, out=out, language=lang)
    typer.echo(f"report of {len(chosen)} sites: {target}")
