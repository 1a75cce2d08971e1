"""``sitesel run``: score and rank a study's sites, write every output, say what it did."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from sitesel.cli._app import app
from sitesel.cli.options import (
    ConfigArg,
    DataDirOpt,
    MapOpt,
    OfflineOpt,
    OutOpt,
    RefreshOpt,
    VerboseOpt,
    read_early,
    reported,
    setup_logging,
    stage_display,
)

ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        metavar="<local:N|tcp://host:port>",
        help="Compute the criteria on a dask cluster: local:N worker processes here, or"
        " a running scheduler. Same results; needs sitesel[cluster].",
        show_default=False,
    ),
]


@app.command()
def run(
    config_path: ConfigArg,
    out: OutOpt = None,
    map_path: MapOpt = None,
    data_dir: DataDirOpt = None,
    offline: OfflineOpt = False,
    cluster: ClusterOpt = None,
    refresh: RefreshOpt = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Score and rank sites; write sites.gpkg, ranking.csv, manifest.json and the map."""
    setup_logging(verbose)
    start = time.perf_counter()
    from sitesel.outputs.render_process import render_process

    with reported(verbose):
        read_early(config_path)
        # Started next: the render process imports its libraries while this one works.
        with render_process() as renderer, stage_display(verbose) as progress:
            from sitesel.api import run_and_write

            result, written = run_and_write(
                config_path,
                data_dir=data_dir,
                offline=offline,
                out_dir=out,
                map_path=map_path,
                progress=progress,
                cluster=cluster,
                renderer=renderer,
                refresh=refresh,
            )
    from sitesel.cli.summary import print_summary

    print_summary(result, written, time.perf_counter() - start)
    typer.echo(f"  open {written['map']} in a browser: it needs no network")
