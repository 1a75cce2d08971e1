"""``sites.qgz``: a QGIS project of the run's GeoPackage, layers styled as the map draws them."""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs.qgis import styled_layers, write_project
from sitesel.outputs.run_files.registry import RunFile
from sitesel.outputs.run_files.sites_gpkg import layer_names
from sitesel.result import Result


def write(result: Result, path: Path) -> None:
    """The project of the layers ``sites.gpkg`` holds beside it."""
    layers = styled_layers(result, layer_names(result))
    write_project(path, result.name, "sites.gpkg", result.crs.to_string(), layers)


QGIS_PROJECT = RunFile(name="qgis_project", file="sites.qgz", write=write)
