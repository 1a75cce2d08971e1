"""The study area: selected polygons or points, merged and buffered."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from sitesel.errors import CrsError, LayerError

UTM_ZONE_WIDTH_DEG = 6.0
UTM_NORTH_LIMIT_DEG = 84.0
UTM_SOUTH_LIMIT_DEG = -80.0


def utm_crs(features: gpd.GeoDataFrame) -> pyproj.CRS:
    """The WGS 84 / UTM zone holding the centre of the features' longitude-latitude bounds.

    The zone follows from the longitude by arithmetic (6-degree zones from 180 W); EPSG 326zz
    north of the equator, 327zz south. Same zone as ``GeoDataFrame.estimate_utm_crs`` (a
    pyproj database query, 0.13 s), but at once; on a zone boundary the eastern zone is
    taken. Features on both sides of the antimeridian (180 E) are measured across it, not
    across the rest of the globe.

    Raises
    ------
    CrsError
        Beyond UTM's latitudes (84 N, 80 S): set ``working_crs`` to a polar projection.
    """
    bounds = features.to_crs(4326).bounds.to_numpy()
    west, south, east, north = bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3]
    if east.max() - west.min() > 180:  # e.g. towns at 179.5 E and 179.5 W: 1 degree apart
        shift = np.where(west < 0, 360.0, 0.0)
        west, east = west + shift, east + shift
    lon_deg = (west.min() + east.max()) / 2
    lon_deg = (lon_deg + 180.0) % 360.0 - 180.0
    lat_deg = (south.min() + north.max()) / 2
    if not UTM_SOUTH_LIMIT_DEG <= lat_deg <= UTM_NORTH_LIMIT_DEG:
        raise CrsError(
            f"working_crs: auto picks a UTM zone, and UTM ends at 84 N and 80 S; the study"
            f" area's centre is at {lat_deg:.1f} degrees latitude: set working_crs to a"
            " projected CRS for it (e.g. EPSG:3413 or EPSG:3031)"
        )
    zone = min(int((lon_deg + 180.0) // UTM_ZONE_WIDTH_DEG) + 1, 60)
    return pyproj.CRS.from_epsg((32600 if lat_deg >= 0 else 32700) + zone)


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
