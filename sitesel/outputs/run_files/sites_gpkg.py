"""``sites.gpkg``: the sites and the study's other layers, for QGIS.

Layers ``sites`` (not above :data:`~sitesel.outputs.files.LARGE_RUN_SITES` sites: then
``sites.parquet``), ``study_area``, ``roads``, ``targets``, ``regions``, ``taken_land``,
``places``, ``allocation_demand``, ``routes`` and ``terrain``, each when the run has it;
and the QGIS styles of the drawn layers (:mod:`sitesel.outputs.qgis`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from sitesel.outputs import files
from sitesel.outputs.qgis import styled_layers, write_layer_styles
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result


def layer_frames(result: Result) -> dict[str, gpd.GeoDataFrame]:
    """The layers besides ``sites`` the run's GeoPackage holds (those not empty)."""
    layers: dict[str, gpd.GeoDataFrame] = {
        "study_area": gpd.GeoDataFrame(geometry=result.area, crs=result.crs)
    }
    if result.roads is not None:
        layers["roads"] = gpd.GeoDataFrame(result.roads, crs=result.crs)
    optional = {
        "targets": result.targets, "regions": result.regions,
        "taken_land": result.taken_land, "places": result.places,
        "allocation_demand": result.allocation_demand, "routes": result.routes,
        "terrain": result.terrain,
    }  # fmt: skip
    return layers | {n: frame for n, frame in optional.items() if frame is not None and len(frame)}


def layer_names(result: Result) -> list[str]:
    """Every layer of the run's GeoPackage (``sites`` first, when the sites go there)."""
    first = ["sites"] if len(result.sites) <= files.LARGE_RUN_SITES else []
    return first + list(layer_frames(result))


def write(result: Result, path: Path) -> None:
    """Every layer of the run, with a fixed time stamp (same inputs, same bytes)."""
    with files.fixed_gpkg_time():
        if len(result.sites) <= files.LARGE_RUN_SITES:  # larger: sites.parquet
            files.write_sites_gpkg(result.sites, result.centroids_lon_lat, path)
        for layer, frame in layer_frames(result).items():
            frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    styled = styled_layers(result, layer_names(result))  # QGIS opens them as the map draws
    write_layer_styles(path, {layer.name: layer.qml for layer in styled}, files.gpkg_time())


SITES_GPKG = RunFile(name="sites", file="sites.gpkg", write=write)
