"""Distance from every site to the nearest national or state highway, against sjoin_nearest.

Real data: the PMGSY road lines of Ladakh (NH and SH classes, as configs/leh.yaml selects
them) and the 40 ha hexagons within 100 km of Leh town (34.1642 N 77.5848 E, GeoNames),
in UTM 43N. sitesel splits the lines into two-point segments and asks a shapely STRtree
for each site's nearest one; the reference is ``geopandas.sjoin_nearest`` on the same
sites and lines (what an analyst writes), keeping one match per site. Both sides are the
median of 3 runs, and their distances must agree to a millimetre.

    python benchmarks/distance.py [--quick]     # --quick: 25 km around Leh
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from _common import median_of, report

from sitesel.criteria.distance import distance_km
from sitesel.data.sites import hex_grid
from sitesel.data.vector import read_vector


def sjoin_nearest_km(sites: gpd.GeoSeries, roads: gpd.GeoSeries) -> np.ndarray:
    """The analyst's version: one nearest road per site, in km."""
    joined = gpd.sjoin_nearest(
        gpd.GeoDataFrame(geometry=sites), gpd.GeoDataFrame(geometry=roads), distance_col="d"
    )
    return joined.groupby(level=0)["d"].min().reindex(range(len(sites))).to_numpy() / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    data = Path(os.environ.get("SITESEL_DATA_DIR", Path(__file__).parents[2] / "shared/data"))
    crs = pyproj.CRS.from_epsg(32643)
    lines = read_vector(data / "ladakh/pmgsy_roads_ladakh.zip", layer="pmgsy").to_crs(crs)
    highways = lines.loc[lines["RoadCatego"].isin(["NH", "SH"]), "geometry"]
    highways = highways.reset_index(drop=True)
    x, y = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(77.5848, 34.1642)
    buffer_km = 25 if args.quick else 100
    area = shapely.Point(x, y).buffer(buffer_km * 1000)
    sites = hex_grid(area, cell_area_ha=40.47, crs=crs).geometry.reset_index(drop=True)
    ours_s, ours = median_of(lambda: distance_km(sites, highways))
    ref_s, theirs = median_of(lambda: sjoin_nearest_km(sites, highways))
    assert np.allclose(ours, theirs, atol=1e-6), float(np.nanmax(np.abs(ours - theirs)))
    report(
        "distance_to_nearest_highway",
        f"Leh {buffer_km} km: {len(sites)} sites x {len(highways)} NH/SH lines",
        ours_s,
        "geopandas.sjoin_nearest",
        ref_s,
        max_abs_difference_km=float(np.nanmax(np.abs(ours - theirs))),
    )


if __name__ == "__main__":
    main()
