"""``sites.parquet``: the sites as GeoParquet when there are too many for a GeoPackage."""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result


def wanted(result: Result) -> bool:
    """Above :data:`~sitesel.outputs.files.LARGE_RUN_SITES` sites."""
    return len(result.sites) > files.LARGE_RUN_SITES


def write(result: Result, path: Path) -> None:
    """Every site with every output column and its centroid's lon/lat."""
    files.write_sites_parquet(result.sites, result.centroids_lon_lat, path)


SITES_PARQUET = RunFile(name="sites_parquet", file="sites.parquet", write=write, wanted=wanted)
