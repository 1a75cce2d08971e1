"""``sitesel init``: write a config and a layer catalog for a place anywhere in India."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sitesel.cli._app import app
from sitesel.cli.options import DataDirOpt, OfflineOpt, VerboseOpt, reported, setup_logging


@app.command()
def init(
    name: Annotated[
        str, typer.Argument(help="The study's name: configs/NAME.yaml, layers/NAME.yaml.")
    ],
    place: Annotated[
        str, typer.Option("--place", help='A town or village, "Teghra, Begusarai" to tell apart.')
    ],
    radius_km: Annotated[
        float | None,
        typer.Option(
            "--radius-km", help="Study area: this far around the place (km).", show_default=False
        ),
    ] = None,
    district: Annotated[
        str | None,
        typer.Option(
            "--district",
            help="Study area: the district (around its headquarters).",
            show_default=False,
        ),
    ] = None,
    bbox: Annotated[
        str | None,
        typer.Option("--bbox", help="Study area: W,S,E,N in degrees.", show_default=False),
    ] = None,
    programme: Annotated[
        str,
        typer.Option(
            "--programme", help="emc2 (an electronics cluster) or cfc (common facility centres)."
        ),
    ] = "emc2",
    root: Annotated[
        Path, typer.Option("--root", help="Folder holding configs/ and layers/.")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
    data_dir: DataDirOpt = None,
    offline: OfflineOpt = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Write configs/NAME.yaml and layers/NAME.yaml for a place anywhere in India.

    Prints what it chose and what the first run will download (nothing is downloaded now).
    """
    setup_logging(verbose)
    with reported(verbose):
        from sitesel.data.fetch import default_data_dir
        from sitesel.new_study import describe, init_study

        written = init_study(
            name, place, root=root, data_dir=data_dir or default_data_dir(), programme=programme,
            radius_km=radius_km, district=district, bbox=bbox, offline=offline, force=force,
        )  # fmt: skip
    for line in describe(written):
        typer.echo(line)
