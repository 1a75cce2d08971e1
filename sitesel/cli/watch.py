"""``sitesel watch``: run a study, and again each time its config is saved."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sitesel.cli._app import app
from sitesel.cli.options import (
    ConfigArg,
    DataDirOpt,
    MapOpt,
    OfflineOpt,
    OutOpt,
    VerboseOpt,
    report_error,
    setup_logging,
)

if TYPE_CHECKING:
    from sitesel.outputs.render_process import RenderProcess

WATCH_POLL_S = 0.3
"""How often ``sitesel watch`` looks at the config's modification time."""


@app.command()
def watch(
    config_path: ConfigArg,
    out: OutOpt = None,
    map_path: MapOpt = None,
    data_dir: DataDirOpt = None,
    offline: OfflineOpt = False,
    runs: Annotated[
        int,
        typer.Option("--runs", help="Stop after this many runs (0: until Ctrl-C).", min=0),
    ] = 0,
    verbose: VerboseOpt = 0,
) -> None:
    """Run a study, then run it again each time its config is saved (Ctrl-C to stop).

    Study area, sites, DEM, roads and taken land are kept between runs while their config
    sections are unchanged, so tuning weights, thresholds and constraints reruns in a few
    seconds. A bad config prints its error and waits for the next save.
    """
    setup_logging(verbose)
    from sitesel.outputs.render_process import render_process

    with render_process() as renderer:
        _watch(config_path, out, map_path, data_dir, offline, runs, verbose, renderer)


def _watch(
    config_path: Path,
    out: Path | None,
    map_path: Path | None,
    data_dir: Path | None,
    offline: bool,
    runs: int,
    verbose: int,
    renderer: RenderProcess | None,
) -> None:
    from sitesel.api import run_and_write
    from sitesel.cli.summary import print_summary
    from sitesel.pipeline.input_cache import InputCache

    cache, done = InputCache(), 0
    try:
        while True:
            stamp, start = _stamp(config_path), time.perf_counter()
            cache.hits.clear()
            if renderer is not None:
                renderer.restart()  # after a run that failed while writing
            try:
                result, written = run_and_write(
                    config_path, data_dir=data_dir, offline=offline, out_dir=out,
                    map_path=map_path, cache=cache, renderer=renderer,
                )  # fmt: skip
                kept = f" (kept: {', '.join(cache.hits)})" if cache.hits else ""
                print_summary(result, written, time.perf_counter() - start, kept)
            except typer.Exit:
                raise
            except Exception as exc:  # reported, and the session goes on
                report_error(exc, verbose)
            done += 1
            if runs and done >= runs:
                return
            typer.echo(f"watching {config_path} for changes (Ctrl-C to stop)")
            while _stamp(config_path) == stamp:
                time.sleep(WATCH_POLL_S)
    except KeyboardInterrupt:
        typer.echo("stopped")


def _stamp(path: Path) -> tuple[int, int] | None:
    """The file's modification time and size (None while it is missing)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
