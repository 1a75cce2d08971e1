"""The terrain profile: each shortlisted site's slope classes and heights, finest DEM.

The run folder keeps only the coarse base grid (``elevation.tif``), so the run computes the
dossier's terrain figures (:mod:`sitesel.terrain.slope_classes`) for the shortlist
(:mod:`sitesel.pipeline.shortlist`: the ``map.top_n`` best and the sites location
problems chose, whose routes it keeps too), each on the DEM its terrain came from (the
finest of the stack that covers it: ``dem_layer``), and stores them as the ``terrain``
layer of ``sites.gpkg``. With a stack it also keeps the finest DEM over those sites'
location-map windows (``elevation_top_sites.tif``), so the dossier's hillshade shows the
ground at 30 m rather than 1 km.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel._typing import Dem, IntArray
from sitesel.data.hex_lattice import HexLattice, lattice_subset
from sitesel.terrain.slope_classes import profile_on_dem


def top_terrain(
    sites: gpd.GeoDataFrame,
    rows: IntArray,
    dems: dict[str, Dem],
    lattice: HexLattice | None = None,
) -> gpd.GeoDataFrame | None:
    """The terrain profile of the shortlisted sites, each on its own DEM.

    Parameters
    ----------
    sites
        The scored sites (``site_id``; ``dem_layer`` with a DEM stack).
    rows
        The shortlist's row positions, in the order to keep
        (:func:`~sitesel.pipeline.shortlist.shortlist_rows`).
    dems
        The DEMs by layer name, finest first; the last covers the study area and serves
        the sites without a ``dem_layer``. Empty: the run has no terrain.
    lattice
        The sites' hexagon lattice, when known.

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``site_id``, ``dem_layer``, ``dem_resolution_m``, the :func:`profile_on_dem`
        columns and the site's polygon, in the shortlist's order.
    """
    if not dems or len(rows) == 0:
        return None
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


def top_sites_dem(
    terrain: gpd.GeoDataFrame | None, dems: dict[str, Dem], window_m: float
) -> Dem | None:
    """The finest DEM of a stack, cut to the top sites' location-map windows.

    Parameters
    ----------
    terrain
        The top sites (:func:`top_terrain`).
    dems
        The DEMs by layer name, finest first (one DEM: nothing finer to keep).
    window_m
        Half-width of a location map around its site's centre.

    Returns
    -------
    Dem or None
        None with one DEM, or when the finest has no height in the windows.
    """
    if terrain is None or len(terrain) == 0 or len(dems) < 2:
        return None
    finest = next(iter(dems.values()))
    centres = terrain.geometry.centroid
    t = finest.transform
    rows, cols = finest.elevation_m.shape
    c0 = max(int(np.floor((centres.x.min() - window_m - t.c) / t.a)), 0)
    c1 = min(int(np.ceil((centres.x.max() + window_m - t.c) / t.a)), cols)
    r0 = max(int(np.floor((centres.y.max() + window_m - t.f) / t.e)), 0)
    r1 = min(int(np.ceil((centres.y.min() - window_m - t.f) / t.e)), rows)
    if c1 - c0 < 2 or r1 - r0 < 2:
        return None
    grid = finest.elevation_m[r0:r1, c0:c1]
    if not np.isfinite(grid).any():
        return None
    return Dem(grid.copy(), t * t.translation(c0, r0), finest.crs, finest.source_crs)
