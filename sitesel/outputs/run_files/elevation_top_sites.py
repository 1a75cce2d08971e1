"""``elevation_top_sites.tif``: a DEM stack's finest DEM around the top sites (the dossier)."""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result


def wanted(result: Result) -> bool:
    """When the run profiled its shortlist's terrain."""
    return result.terrain_dem is not None


def write(result: Result, path: Path) -> None:
    """The fine DEM as a compressed float32 GeoTIFF."""
    assert result.terrain_dem is not None  # wanted
    fine = result.terrain_dem
    files.write_elevation_tif(fine.elevation_m, fine.transform, result.crs, path)


ELEVATION_TOP_SITES = RunFile(
    name="elevation_top_sites", file="elevation_top_sites.tif", write=write, wanted=wanted
)
