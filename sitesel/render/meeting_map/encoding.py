"""How the page's data travels: compact, and safe inside a script element.

Coordinates are quantised to 1e-5 degrees (about 1 m) and delta-encoded per ring, after
simplifying geometry to display scale; values are rounded, NaN sent as null.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

WGS84 = "EPSG:4326"
SCALE = 100_000  # 1e-5 degrees, about 1 m
SIMPLIFY_M = 5.0  # finer than a pixel at the zoom a 40 ha site fills the screen
ZONE_SIMPLIFY_M = 25.0  # zones (parks, bands, setbacks): their data is ~1 km accurate anyway


def nullable(values: np.ndarray, digits: int) -> list[float | None]:
    """Rounded values, None where not finite (JSON has no NaN).

    >>> nullable(np.array([0.123456, np.nan, 2.0]), 4)
    [0.1235, None, 2.0]
    """
    out: list[float | None] = np.round(values, digits).tolist()
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        out[i] = None
    return out


def encode_lines(geoms: np.ndarray) -> list[list[list[int]]]:
    """Per geometry, per part (a ring or a line): ``[x0, y0, dx1, dy1, ...]`` in 1e-5 deg.

    Polygon holes are dropped (sites are drawn as filled outlines). Closing points of rings
    are dropped: Leaflet closes polygons itself.

    >>> import shapely
    >>> encode_lines(np.array([shapely.LineString([(77.5, 34.1), (77.50002, 34.10001)])]))
    [[[7750000, 3410000, 2, 1]]]
    """
    parts, owner = shapely.get_parts(geoms, return_index=True)
    is_polygon = shapely.get_type_id(parts) == 3
    lines = np.where(is_polygon, shapely.get_exterior_ring(parts), parts)
    coords, line_idx = shapely.get_coordinates(lines, return_index=True)
    ints = np.round(coords * SCALE).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, line_idx[1:] != line_idx[:-1]])
    deltas = np.diff(ints, axis=0, prepend=ints[:1])
    deltas[starts] = ints[starts]
    out: list[list[list[int]]] = [[] for _ in range(len(geoms))]
    bounds = np.r_[starts, len(ints)]
    for k in range(len(starts)):
        chunk = deltas[bounds[k] : bounds[k + 1]]
        if is_polygon[line_idx[bounds[k]]] and len(chunk) > 3:
            chunk = chunk[:-1]
        out[owner[line_idx[bounds[k]]]].append(chunk.ravel().tolist())
    return out


def display(geoms: gpd.GeoSeries, tolerance_m: float = SIMPLIFY_M) -> np.ndarray:
    """Simplified in the projected CRS (to ``tolerance_m``), then in degrees.

    Lines by plain Douglas-Peucker: a road cannot become an invalid polygon, and keeping
    topology cost 15 times as long (0.16 s for Leh's roads, the same vertices to 0.02 %).
    """
    simple = geoms
    if geoms.crs and geoms.crs.is_projected:
        lines = bool(geoms.geom_type.isin(["LineString", "MultiLineString"]).all())
        simple = geoms.simplify(tolerance_m, preserve_topology=not lines)
    return np.asarray(gpd.GeoSeries(simple, crs=geoms.crs).to_crs(WGS84).to_numpy())


def to_script_json(payload: dict[str, Any]) -> str:
    """JSON safe to embed in a ``<script type="application/json">`` element."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c")  # "<" only occurs inside JSON strings
