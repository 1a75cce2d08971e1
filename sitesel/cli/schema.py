"""``sitesel schema``: the JSON Schema of scoring configs (or layer catalogs), for editors."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sitesel.cli._app import app


@app.command()
def schema(
    catalog: Annotated[
        bool, typer.Option("--catalog", help="Print the layer catalog's schema instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of scoring configs (or of layer catalogs) for editors."""
    from sitesel.config import Catalog
    from sitesel.pipeline.registries import study_config_model

    model = Catalog if catalog else study_config_model()
    typer.echo(json.dumps(model.model_json_schema(), indent=2))
