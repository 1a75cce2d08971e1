"""The terrain profile stage: each top site's slope classes and heights from its finest DEM.

The run folder keeps only the coarse base grid (``elevation.tif``), so the run computes the
dossier's terrain figures (:mod:`sitesel.criteria.slope_classes`) for the best-ranked sites
(``map.top_n``, the sites whose routes it keeps), each on the DEM its terrain came from (the
finest of the stack that covers it: ``dem_layer``), and stores them as the ``terrain``
layer of ``sites.gpkg``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel._typing import Dem
from sitesel.criteria.slope_classes import profile_on_dem
from sitesel.data.hex_lattice import HexLattice, lattice_subset


def top_terrain(
    sites: gpd.GeoDataFrame,
    top_n: int,
    dems: dict[str, Dem],
    lattice: HexLattice | None = None,
) -> gpd.GeoDataFrame | None:
    """The terrain profile of the ``top_n`` best-ranked sites, each on its own DEM.

    Parameters
    ----------
    sites
        The scored sites (``site_id``, ``rank``; ``dem_layer`` with a DEM stack).
    top_n
        How many of the best-ranked to profile (``map.top_n``).
    dems
        The DEMs by layer name, finest first; the last covers the study area and serves
        the sites without a ``dem_layer``. Empty: the run has no terrain.
    lattice
        The sites' hexagon lattice, when known.

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``site_id``, ``dem_layer``, ``dem_resolution_m``, the :func:`profile_on_dem`
        columns and the site's polygon, best first.
    """
    rank = sites["rank"].to_numpy(dtype=float, na_value=np.nan)
    rows = np.flatnonzero(rank <= top_n)
    if not dems or len(rows) == 0:
        return None
    rows = rows[np.argsort(rank[rows], kind="stable")]
    base = list(dems)[-1]
    layer = (
        sites["dem_layer"].to_numpy(dtype=object)[rows]
        if "dem_layer" in sites
        else np.full(len(rows), base, dtype=object)
    )
    parts = []
    for name in pd.unique(layer):
        mine = rows[layer == name]
        grid = dems[name]
        found = profile_on_dem(sites.geometry.iloc[mine], grid, lattice_subset(lattice, mine))
        resolution_m = round(grid.cell_size_m, 1)
        parts.append(found.set_index(mine).assign(dem_layer=name, dem_resolution_m=resolution_m))
    table = pd.concat(parts).loc[rows]
    table.insert(0, "site_id", sites["site_id"].astype(str).to_numpy()[rows])
    head = ["site_id", "dem_layer", "dem_resolution_m"]
    table = table[head + [c for c in table.columns if c not in head]]
    return gpd.GeoDataFrame(
        table.reset_index(drop=True), geometry=sites.geometry.to_numpy()[rows], crs=sites.crs
    )
