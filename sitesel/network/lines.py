"""Positions along road lines, vectorised: points at distances, and lines cut into pieces.

``shapely.line_interpolate_point`` walks each line from its start for every point and
``shapely.ops.substring`` iterates coordinates in Python; on long roads sampled every 50 m
(grades) or cut at many connector landings, both dominated building the Leh network.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from sitesel._typing import FloatArray, IntArray


def _vertex_distances(
    geoms: npt.NDArray[np.object_],
) -> tuple[FloatArray, IntArray, FloatArray, IntArray, IntArray]:
    """Coordinates, owning line, distance from the line's start, first and last vertex."""
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    seg[owner[1:] != owner[:-1]] = 0.0  # no segment across two lines
    along = np.r_[0.0, np.cumsum(seg)]
    first = np.searchsorted(owner, np.arange(len(geoms)))
    along -= along[first][owner]
    last = np.r_[first[1:], len(owner)] - 1
    return coords, owner, along, first, last


def points_along(
    geoms: npt.NDArray[np.object_], line: npt.NDArray[np.int64], distance_m: FloatArray
) -> FloatArray:
    """Points at ``distance_m`` along ``geoms[line]``, as ``(n, 2)`` coordinates.

    One sorted search over all vertices instead of a walk from each line's start per point
    (``shapely.line_interpolate_point`` costs points x vertices on long roads).

    >>> lines = np.array([shapely.LineString([(0, 0), (10, 0), (10, 10)])])
    >>> points_along(lines, np.array([0, 0, 0]), np.array([0.0, 15.0, 20.0])).tolist()
    [[0.0, 0.0], [10.0, 5.0], [10.0, 10.0]]
    """
    coords, owner, along, first, last = _vertex_distances(geoms)
    span = float(along.max(initial=0.0)) * 2 + 1.0
    key_vertex = owner * span + along
    key_point = line * span + np.clip(distance_m, 0.0, None)
    k = np.searchsorted(key_vertex, key_point, side="right") - 1
    k = np.clip(k, first[line], np.maximum(last[line] - 1, first[line]))
    nxt = np.minimum(k + 1, last[line])
    step = along[nxt] - along[k]
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(step > 0, (distance_m - along[k]) / step, 0.0)
    t = np.clip(t, 0.0, 1.0)[:, None]
    return np.asarray(coords[k] + t * (coords[nxt] - coords[k]), dtype=np.float64)


def split_line(geom: shapely.LineString, bounds: FloatArray) -> list[shapely.LineString]:
    """The pieces of ``geom`` between consecutive distances in ``bounds`` (increasing).

    >>> line = shapely.LineString([(0, 0), (10, 0), (10, 10)])
    >>> [p.wkt for p in split_line(line, np.array([0.0, 5.0, 15.0, 20.0]))]
    ['LINESTRING (0 0, 5 0)', 'LINESTRING (5 0, 10 0, 10 5)', 'LINESTRING (10 5, 10 10)']
    """
    coords = shapely.get_coordinates(geom)
    along = np.r_[0.0, np.cumsum(np.hypot(*np.diff(coords, axis=0).T))]
    ends = points_along(np.array([geom]), np.zeros(len(bounds), dtype=np.int64), bounds)
    pieces = []
    for i in range(len(bounds) - 1):
        inside = (along > bounds[i]) & (along < bounds[i + 1])
        pieces.append(shapely.LineString(np.vstack([ends[i], coords[inside], ends[i + 1]])))
    return pieces
