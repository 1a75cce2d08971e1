"""Close gaps between consecutive pieces of the same road, end to end.

Official line data (PMGSY DRRP) stops consecutive pieces of one highway tens of metres to
about 100 m short of each other. Snapping each loose end onto the side of the nearest road
would send it to a village road beside the gap (a detour, or a loop); here two loose ends
of the same class or name that face each other are joined to each other first, within a
tolerance per road class, before any end is snapped onto another road.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from sitesel._typing import FloatArray, IntArray

Tolerance = float | Mapping[str, float]
"""Metres: one figure for every road class, or ``{class: m, ..., "default": m}``."""

DIRECTION_CHECK_FROM_M = 5.0
"""Gaps shorter than this join whatever the ends' directions (a digitising slip)."""

FACING_COS = 0.5
"""One end must point within 60 degrees of the other ...

... and neither may point more than 120 degrees away from it (cosine above -0.5): two
branches that end back to back are not one road.
"""


@dataclass(frozen=True)
class Repair:
    """One join made in a road layer: where, how long, and what it joined."""

    kind: str  # "end_to_end" or "to_road"
    x: float
    y: float
    gap_m: float
    from_class: str
    from_name: str
    to_class: str
    to_name: str


def tolerance_of(tolerance: Tolerance, classes: pd.Series) -> FloatArray:
    """The tolerance of each road class (a mapping's ``default`` for unlisted classes)."""
    if not isinstance(tolerance, Mapping):
        return np.full(len(classes), float(tolerance))
    default = float(tolerance.get("default", 0.0))
    by_class = classes.astype(str).map(tolerance).fillna(default)
    return np.asarray(by_class.to_numpy(dtype=float), dtype=np.float64)


def dangling_ends(edges: pd.DataFrame, n_nodes: int) -> tuple[IntArray, IntArray]:
    """Nodes used by exactly one edge, and that edge's row."""
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    degree = np.bincount(np.concatenate([u, v]), minlength=n_nodes)
    ends = np.concatenate([u, v])
    rows = np.concatenate([np.arange(len(u)), np.arange(len(v))])
    loose = degree[ends] == 1
    return ends[loose], rows[loose]


def _outward(pieces: np.ndarray, rows: IntArray, ends_xy: FloatArray) -> FloatArray:
    """Unit vectors pointing out of each piece at its loose end (from 20 m inside)."""
    lines = pieces[rows]
    at_start = shapely.distance(shapely.get_point(lines, 0), shapely.points(ends_xy)) < 1e-3
    inside = shapely.line_interpolate_point(
        lines, np.where(at_start, np.minimum(20.0, shapely.length(lines)), -20.0)
    )
    vector = ends_xy - shapely.get_coordinates(inside)
    norm = np.hypot(vector[:, 0], vector[:, 1])
    return np.asarray(vector / np.where(norm > 0, norm, 1.0)[:, None], dtype=np.float64)


def end_to_end_pairs(
    node_xy: FloatArray, pieces: np.ndarray, edges: pd.DataFrame, tolerance: Tolerance
) -> list[tuple[int, int, float]]:
    """Pairs of loose ends to join: same class or name, facing, nearest first.

    Returns
    -------
    list
        ``(node a, node b, gap in metres)``, each node in at most one pair.
    """
    ends, rows = dangling_ends(edges, len(node_xy))
    if len(ends) < 2:
        return []
    cls = edges["road_class"].to_numpy()[rows]
    name = edges["name"].astype(str).to_numpy()[rows]
    tol = tolerance_of(tolerance, pd.Series(cls))
    xy = node_xy[ends]
    out = _outward(pieces, rows, xy)
    pairs = np.array(sorted(cKDTree(xy).query_pairs(r=float(tol.max()))), dtype=np.int64)
    if len(pairs) == 0:
        return []
    a, b = pairs[:, 0], pairs[:, 1]
    gap = np.hypot(*(xy[b] - xy[a]).T)
    kin = (cls[a] == cls[b]) | ((name[a] == name[b]) & (name[a] != ""))
    with np.errstate(invalid="ignore", divide="ignore"):
        toward = (xy[b] - xy[a]) / gap[:, None]
    cos_a, cos_b = np.sum(out[a] * toward, axis=1), np.sum(out[b] * -toward, axis=1)
    facing = (np.maximum(cos_a, cos_b) > FACING_COS) & (np.minimum(cos_a, cos_b) > -FACING_COS)
    ok = kin & (rows[a] != rows[b]) & (gap <= np.minimum(tol[a], tol[b]))
    ok &= facing | (gap < DIRECTION_CHECK_FROM_M)
    used: set[int] = set()
    chosen = []
    for k in np.flatnonzero(ok)[np.argsort(gap[ok], kind="stable")]:
        if ends[a[k]] not in used and ends[b[k]] not in used:
            used |= {int(ends[a[k]]), int(ends[b[k]])}
            chosen.append((int(ends[a[k]]), int(ends[b[k]]), float(gap[k])))
    return chosen
