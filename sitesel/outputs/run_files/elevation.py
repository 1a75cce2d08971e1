"""``elevation.tif``: the DEM around the study area (the map's hillshade)."""

from __future__ import annotations

from pathlib import Path

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import Result


def wanted(result: Result) -> bool:
    """When the run read a DEM."""
    return result.dem is not None


def write(result: Result, path: Path) -> None:
    """The DEM as a compressed float32 GeoTIFF."""
    assert result.dem is not None  # wanted
    dem = result.dem
    files.write_elevation_tif(dem.elevation_m, dem.transform, result.crs, path)


ELEVATION = RunFile(name="elevation", file="elevation.tif", write=write, wanted=wanted)
