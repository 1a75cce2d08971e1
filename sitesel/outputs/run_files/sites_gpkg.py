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


def _present(result: Result) -> dict[str, object]:
    """The run's data of each layer besides ``sites`` that the GeoPackage holds."""
    base = {"study_area": result.area} | ({} if result.roads is None else {"roads": result.roads})
    optional = {
        "targets": result.targets, "regions": result.regions,
        "taken_land": result.taken_land, "places": result.places,
        "allocation_demand": result.allocation_demand, "routes": result.routes,
        "terrain": result.terrain,
    }  # fmt: skip
    return base | {n: data for n, data in optional.items() if data is not None and len(data)}


def layer_frames(result: Result) -> dict[str, gpd.GeoDataFrame]:
    """The layers besides ``sites`` the run's GeoPackage holds (those not empty)."""
    frames = _present(result)
    frames["study_area"] = gpd.GeoDataFrame(geometry=result.area, crs=result.crs)
    if "roads" in frames:
        frames["roads"] = gpd.GeoDataFrame(result.roads, crs=result.crs)
    return frames


def layer_names(result: Result) -> list[str]:
    """Every layer of the run's GeoPackage (``sites`` first, when the sites go there)."""
    first = ["sites"] if len(result.sites) <= files.LARGE_RUN_SITES else []
    return first + list(_present(result))


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
