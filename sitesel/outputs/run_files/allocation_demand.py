"""``allocation_demand.csv``: the demand points of the location problems, with lon/lat."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sitesel.outputs import files
from sitesel.outputs.run_files.registry import RunFile
from sitesel.result import FLOAT_DECIMALS, Result, centroids_lon_lat


def wanted(result: Result) -> bool:
    """When the location problems had demand points."""
    return result.allocation_demand is not None


def write(result: Result, path: Path) -> None:
    """The demand points without geometry, their centroids' lon/lat added."""
    demand = result.allocation_demand
    assert demand is not None  # wanted
    lon, lat = centroids_lon_lat(demand)
    table = pd.DataFrame(demand.drop(columns="geometry")).assign(lon=lon, lat=lat)
    files.write_table_csv(table.round(FLOAT_DECIMALS), path)


ALLOCATION_DEMAND = RunFile(
    name="allocation_demand", file="allocation_demand.csv", write=write, wanted=wanted
)
