"""Human names for sites: "2 km NE of Choglamsar", from the nearest populated place."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from sitesel._typing import FloatArray

COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
IN_PLACE_M = 750.0
"""Closer than this to a place's point, a site is "at" the place."""


def reference_places(
    points: npt.NDArray[np.object_], places: npt.NDArray[np.object_], population: FloatArray
) -> npt.NDArray[np.intp]:
    """For each point, the place a planner would name it by.

    The most populous of the places not much farther than the nearest (within twice its
    distance, or 3 km more).

    >>> pts = shapely.points([(2000, 0)])
    >>> towns = shapely.points([(2500, 0), (0, 0)])
    >>> reference_places(pts, towns, np.array([600.0, 30_000.0])).tolist()  # the town, 2 km
    [1]
    """
    tree = shapely.STRtree(places)
    _, nearest_m = tree.query_nearest(points, all_matches=False, return_distance=True)
    reach_m = np.maximum(2 * nearest_m, nearest_m + 3_000.0)
    pt_idx, place_idx = tree.query(points, predicate="dwithin", distance=reach_m)
    pop = np.nan_to_num(np.asarray(population, dtype=float), nan=0.0)
    order = np.lexsort((-pop[place_idx], pt_idx))  # per point, most populous first
    pt_idx, place_idx = pt_idx[order], place_idx[order]
    first = np.r_[True, pt_idx[1:] != pt_idx[:-1]]
    chosen = np.zeros(len(points), dtype=np.intp)
    chosen[pt_idx[first]] = place_idx[first]
    return chosen


def describe_locations(
    points: npt.NDArray[np.object_],
    places: npt.NDArray[np.object_],
    names: list[str],
    population: FloatArray | None = None,
) -> list[str]:
    """For each point, "<d> km <dir> of <place>" (or "at <place>" when close).

    The place is the nearest, or a more populous one not much farther
    (:func:`reference_places`). Coordinates in a projected CRS (metres, y north).

    >>> pts = shapely.points([(2000, 0), (100, 100), (1000, 1000), (0, -2000), (-3000, 300)])
    >>> describe_locations(pts, shapely.points([(0, 0)]), ["Leh"])
    ['2 km E of Leh', 'at Leh', '1.4 km NE of Leh', '2 km S of Leh', '3 km W of Leh']
    """
    if len(places) == 0 or len(points) == 0:
        return [""] * len(points)
    pop = np.ones(len(places)) if population is None else population
    idx = reference_places(points, places, pop)
    px, py = shapely.get_x(points), shapely.get_y(points)
    dx, dy = px - shapely.get_x(places[idx]), py - shapely.get_y(places[idx])
    angle = (np.degrees(np.arctan2(dx, dy)) + 360.0) % 360.0  # clockwise from north
    compass = (((angle + 22.5) % 360) // 45).astype(int).tolist()
    out = []
    for j, d_km, c in zip(idx.tolist(), (np.hypot(dx, dy) / 1000).tolist(), compass, strict=True):
        if d_km * 1000 < IN_PLACE_M:
            out.append(f"at {names[j]}")
        else:
            distance = f"{d_km:.0f}" if d_km >= 10 else f"{d_km:.1f}".rstrip("0").rstrip(".")
            out.append(f"{distance} km {COMPASS[c]} of {names[j]}")
    return out
