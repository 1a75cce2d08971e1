"""The shortlist: the sites a run describes in full (routes, terrain profile) for the dossier.

The routes and terrain-profile stages run over it.

The ``map.top_n`` best-ranked sites, and every site a location problem chose: a p-median
or covering answer often takes sites ranked far below the top (Leh's LSCP chooses the
sites ranked 13, 15 and 229), and the committee asks for their dossiers too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj

from sitesel._typing import Dem, IntArray
from sitesel.config import Config
from sitesel.data.hex_lattice import HexLattice
from sitesel.network.scenarios import NetworkModel
from sitesel.pipeline.allocation import Allocation
from sitesel.pipeline.routes import top_routes
from sitesel.pipeline.timing import Timings
from sitesel.result import LOCATION_WINDOW_M
from sitesel.terrain.profile import top_sites_dem, top_terrain


def shortlist_rows(sites: gpd.GeoDataFrame, top_n: int, chosen: Iterable[str] = ()) -> IntArray:
    """Row positions of the shortlist: the best ``top_n`` by rank, then the chosen sites.

    >>> import pandas as pd
    >>> sites = gpd.GeoDataFrame({"site_id": ["a", "b", "c", "d"], "rank": [2, 1, None, 3]})
    >>> shortlist_rows(sites, 2, chosen=["d", "b", "zz"]).tolist()
    [1, 0, 3]
    """
    rank = sites["rank"].to_numpy(dtype=float, na_value=np.nan)
    top = np.flatnonzero(rank <= top_n)
    top = top[np.argsort(rank[top], kind="stable")]
    wanted = set(chosen)
    ids = sites["site_id"].astype(str).to_numpy()
    extra = [k for k in np.flatnonzero(np.isin(ids, list(wanted))) if k not in set(top)]
    extra.sort(key=lambda k: (np.nan_to_num(rank[k], nan=np.inf), ids[k]))
    return np.asarray([*top, *extra], dtype=np.int64)


@dataclass(frozen=True)
class Shortlist:
    """What the run keeps of its shortlist for the dossier: routes, terrain, the fine DEM."""

    routes: gpd.GeoDataFrame | None
    terrain: gpd.GeoDataFrame | None
    terrain_dem: Dem | None


def describe_shortlist(
    config: Config,
    frame: gpd.GeoDataFrame,
    network: NetworkModel | None,
    targets: dict[str, gpd.GeoDataFrame],
    crs: pyproj.CRS,
    dems: dict[str, Dem],
    lattice: HexLattice | None,
    allocation: Allocation | None,
    t: Timings,
) -> Shortlist:
    """The routes and terrain stages, over the top sites and those allocation chose."""
    chosen = [] if allocation is None else allocation.sites["site_id"].astype(str).tolist()
    shortlist = shortlist_rows(frame, config.map.top_n, chosen)
    with t.stage("routes"):
        routes = top_routes(config, frame.iloc[shortlist], network, targets, crs)
    with t.stage("terrain_profile"):
        terrain = top_terrain(frame, shortlist, dems, lattice)
        return Shortlist(routes, terrain, top_sites_dem(terrain, dems, LOCATION_WINDOW_M))
