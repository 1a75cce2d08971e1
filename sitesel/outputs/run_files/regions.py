"""``regions.csv``: the contiguous regions of good sites, without their outlines."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import FLOAT_DECIMALS, Result


def regions_table(regions: gpd.GeoDataFrame) -> pd.DataFrame:
    """Regions without geometry, floats rounded."""
    table = pd.DataFrame(regions.drop(columns=regions.geometry.name))
    floats = table.select_dtypes(include="float").columns
    table[floats] = table[floats].round(FLOAT_DECIMALS)
    return table


def wanted(result: Result) -> bool:
    """When the run grouped sites into regions."""
    return result.regions is not None


def write(result: Result, path: Path) -> None:
    """The regions as a table (their outlines are in ``sites.gpkg``)."""
    assert result.regions is not None  # wanted
    files.write_table_csv(regions_table(result.regions), path)


REGIONS = RunFile(name="regions", file="regions.csv", write=write, wanted=wanted)
