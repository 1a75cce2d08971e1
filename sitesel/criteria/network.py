"""Network criteria: travel time over the road graph."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from sitesel._typing import FloatArray
from sitesel.network.graph import RoutingGraph, time_to_nearest_target_min


def travel_time_min(
    sites: gpd.GeoSeries,
    targets: gpd.GeoSeries,
    *,
    graph: RoutingGraph,
    offroad_speed_kmh: float,
    max_offroad_m: float,
) -> FloatArray:
    """Minutes from each site's centroid to the nearest target, off-road legs included.

    Parameters
    ----------
    sites
        Site polygons in the working CRS.
    targets
        Target geometries (their centroids are used) in the working CRS.
    graph
        The routing graph.
    offroad_speed_kmh
        Speed between a site or target and the road graph.
    max_offroad_m
        Longest off-road leg; beyond it a site is unreachable (NaN).

    Returns
    -------
    numpy.ndarray
        Minutes per site; NaN where no target can be reached.
    """
    return time_to_nearest_target_min(
        graph,
        _xy(targets.centroid),
        _xy(sites.centroid),
        offroad_speed_kmh=offroad_speed_kmh,
        max_offroad_m=max_offroad_m,
    )


def _xy(points: gpd.GeoSeries) -> FloatArray:
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
