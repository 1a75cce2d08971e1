"""Straight-line distance from each site to the nearest selected feature."""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from sitesel._typing import FloatArray
from sitesel.config import CriterionSpec, Selection
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import criterion
from sitesel.units import M_PER_KM


class DistanceCriterion(CriterionSpec):
    """Straight-line distance (km) to the nearest selected point or line."""

    kind: Literal["distance"]
    to: Selection


@criterion(DistanceCriterion, unit="km", label="Distance")
def distance(spec: DistanceCriterion, name: str, ctx: CriterionContext) -> CriterionValues:
    """Kilometres from each site's edge to the nearest target."""
    targets = ctx.select(spec.to, f"criteria.{name}.to")
    return CriterionValues(distance_km(ctx.sites.geometry, targets.geometry), targets=targets)


def _line_segments(geoms: np.ndarray) -> np.ndarray:
    """Two-point segments of every line (small envelopes make the spatial index sharp)."""
    parts = shapely.get_parts(geoms)  # multilines -> lines; segments must not jump parts
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    same = owner[1:] == owner[:-1]
    starts = coords[:-1][same]
    ends = coords[1:][same]
    return np.asarray(shapely.linestrings(np.stack([starts, ends], axis=1)))


def nearest_parts(
    sites: np.ndarray, features: np.ndarray
) -> tuple[npt.NDArray[np.intp], np.ndarray, FloatArray]:
    """For each site, the nearest part of the features and the distance to it (metres).

    Lines are split into two-point segments first: long roads have envelopes so large that
    an index over whole lines prunes almost nothing. A site's nearest segment holds its
    nearest point of the nearest line, so the distance and the shortest line to it are the
    whole line's. Returns the sites' indices, their nearest parts and the distances.
    """
    is_line = shapely.get_type_id(features) == 1
    is_line |= shapely.get_type_id(features) == 5
    targets = np.concatenate([features[~is_line], _line_segments(features[is_line])])
    tree = shapely.STRtree(targets)
    (site_idx, target_idx), dist_m = tree.query_nearest(
        sites, return_distance=True, all_matches=False
    )
    return site_idx, targets[target_idx], dist_m


def distance_km(sites: gpd.GeoSeries, features: gpd.GeoSeries) -> FloatArray:
    """Shortest straight-line distance from each site's edge to the nearest feature, in km.

    A site touching or containing a feature is at distance 0.

    >>> import geopandas as gpd, shapely
    >>> sites = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000), shapely.box(5000, 0, 6000, 1000)])
    >>> distance_km(sites, gpd.GeoSeries([shapely.Point(3000, 500)])).tolist()
    [2.0, 2.0]
    """
    site_idx, _, dist_m = nearest_parts(
        np.asarray(sites.to_numpy()), np.asarray(features.to_numpy())
    )
    out = np.full(len(sites), np.nan)
    out[site_idx] = dist_m / M_PER_KM
    return out
