"""Proximity criteria: straight-line distance to features."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from sitesel.network import FloatArray


def distance_km(sites: gpd.GeoSeries, features: gpd.GeoSeries) -> FloatArray:
    """Shortest straight-line distance from each site's edge to the nearest feature, in km.

    A site touching or containing a feature is at distance 0.

    >>> import geopandas as gpd, shapely
    >>> sites = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000), shapely.box(5000, 0, 6000, 1000)])
    >>> distance_km(sites, gpd.GeoSeries([shapely.Point(3000, 500)])).tolist()
    [2.0, 2.0]
    """
    tree = shapely.STRtree(features.to_numpy())
    (site_idx, _), dist_m = tree.query_nearest(
        sites.to_numpy(), return_distance=True, all_matches=False
    )
    out = np.full(len(sites), np.nan)
    out[site_idx] = dist_m / 1000.0
    return out
