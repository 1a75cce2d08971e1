"""``sites.gpkg``: the sites and the study's other layers, for QGIS.

Layers ``sites`` (not above :data:`~sitesel.outputs.files.LARGE_RUN_SITES` sites: then
``sites.parquet``), ``study_area``, ``roads``, ``targets``, ``regions``, ``taken_land``,
``places``, ``allocation_demand``, ``routes`` and ``terrain``, each when the run has it.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result


def write(result: Result, path: Path) -> None:
    """Every layer of the run, with a fixed time stamp (same inputs, same bytes)."""
    with files.fixed_gpkg_time():
        if len(result.sites) <= files.LARGE_RUN_SITES:  # larger: sites.parquet
            files.write_sites_gpkg(result.sites, result.centroids_lon_lat, path)
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
        layers |= {n: frame for n, frame in optional.items() if frame is not None and len(frame)}
        for layer, frame in layers.items():
            frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")


SITES_GPKG = RunFile(name="sites", file="sites.gpkg", write=write)
