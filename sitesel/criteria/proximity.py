"""Proximity criteria: straight-line distance to features."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from sitesel._typing import FloatArray


def _line_segments(geoms: np.ndarray) -> np.ndarray:
    """Two-point segments of every line (small envelopes make the spatial index sharp)."""
    parts = shapely.get_parts(geoms)  # multilines -> lines; segments must not jump parts
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    same = owner[1:] == owner[:-1]
    starts = coords[:-1][same]
    ends = coords[1:][same]
    return np.asarray(shapely.linestrings(np.stack([starts, ends], axis=1)))


def distance_km(sites: gpd.GeoSeries, features: gpd.GeoSeries) -> FloatArray:
    """Shortest straight-line distance from each site's edge to the nearest feature, in km.

    A site touching or containing a feature is at distance 0. Lines are split into
    segments first: long roads have envelopes so large that an index over whole lines
    prunes almost nothing.

    >>> import geopandas as gpd, shapely
    >>> sites = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000), shapely.box(5000, 0, 6000, 1000)])
    >>> distance_km(sites, gpd.GeoSeries([shapely.Point(3000, 500)])).tolist()
    [2.0, 2.0]
    """
    geoms = features.to_numpy()
    is_line = shapely.get_type_id(geoms) == 1
    is_line |= shapely.get_type_id(geoms) == 5
    targets = np.concatenate([geoms[~is_line], _line_segments(geoms[is_line])])
    tree = shapely.STRtree(targets)
    (site_idx, _), dist_m = tree.query_nearest(
        sites.to_numpy(), return_distance=True, all_matches=False
    )
    out = np.full(len(sites), np.nan)
    out[site_idx] = dist_m / 1000.0
    return out
