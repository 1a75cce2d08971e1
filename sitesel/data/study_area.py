"""The study area: selected polygons or points, merged and buffered."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from sitesel.errors import LayerError


def study_area_polygon(features: gpd.GeoDataFrame, *, buffer_m: float, key: str) -> BaseGeometry:
    """Union of the selected features, buffered by ``buffer_m``.

    Parameters
    ----------
    features
        Selected features in the working (projected) CRS.
    buffer_m
        Buffer distance in metres; needed when the features are points or lines.
    key
        The config key, for messages.

    Returns
    -------
    shapely geometry
        A (Multi)Polygon with positive area.

    Raises
    ------
    LayerError
        If the result has no area (points or lines without a buffer).
    """
    merged = shapely.union_all(features.geometry.to_numpy())
    if buffer_m > 0:
        merged = merged.buffer(buffer_m)
    if merged.area <= 0:
        raise LayerError(
            f"{key}: the selected features have no area ({merged.geom_type});"
            " set study_area.buffer_km to a distance around them"
        )
    return merged
