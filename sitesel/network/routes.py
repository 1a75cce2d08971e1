"""The way from a site to its nearest target: the roads it takes, as drawn and as listed.

One Dijkstra from the targets on the reversed graph, with predecessors, gives every node's
next step towards its nearest target (as :mod:`sitesel.network.route_classes` uses it);
a site's route starts at the node it joins the network at, follows those steps to the node
a target joins at, and adds the off-road legs at both ends. Its minutes are the travel-time
criterion's; its geometry is the edges' own lines, so its drawn length is its length.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from sitesel._typing import FloatArray, IntArray
from sitesel.network.graph import RoadEdges, RoutingGraph
from sitesel.network.route_classes import arc_edges
from sitesel.network.shortest_paths import best_entries
from sitesel.units import m_per_min


@dataclass(frozen=True)
class Route:
    """A site's fastest way to its nearest target.

    Attributes
    ----------
    minutes
        Travel time, off-road legs included (the criterion's value).
    metres
        Length, off-road legs included.
    parts
        ``(road class, road name, metres)`` along the way, in order, consecutive edges of
        one class and name merged; the off-road legs are ``("new access", "", metres)``.
    geometry
        The way as drawn: the legs and the edges' lines.
    """

    minutes: float
    metres: float
    parts: list[tuple[str, str, float]]
    geometry: shapely.MultiLineString

    def summary(self, *, named: bool = False) -> str:
        """The classes (or named roads) and their km in the order driven.

        Pieces under 50 m (joins) are left out.

        >>> r = Route(1.0, 2500.0, [("new access", "", 300.0), ("NH", "NH 1", 2000.0),
        ...           ("RR(VR)", "", 150.0), ("NH", "NH 1", 50.0)], shapely.MultiLineString([]))
        >>> r.summary()
        'new access 0.3 km, NH 2.0 km, RR(VR) 0.1 km'
        >>> r.summary(named=True)
        'new access 0.3 km, NH 1 2.0 km, RR(VR) 0.1 km'
        """
        totals: dict[str, float] = {}
        for road_class, name, metres in self.parts:
            label = (name or road_class) if named else road_class
            totals[label] = totals.get(label, 0.0) + metres
        return ", ".join(f"{k} {v / 1000:.1f} km" for k, v in totals.items() if v >= 50)


@dataclass(frozen=True)
class _EdgeText:
    """The edges' classes, names, lengths and lines, as arrays."""

    classes: np.ndarray
    names: np.ndarray
    lengths: np.ndarray
    lines: np.ndarray

    @classmethod
    def of(cls, roads: RoadEdges) -> _EdgeText:
        edges = roads.edges
        names = edges["name"] if "name" in edges else pd.Series("", index=edges.index)
        return cls(
            classes=edges["road_class"].fillna("").astype(str).to_numpy(),
            names=names.fillna("").astype(str).to_numpy(),
            lengths=edges["length_m"].to_numpy(dtype=float),
            lines=edges.geometry.to_numpy(),
        )


def _leg_ends(node_t: IntArray, dist_t: FloatArray) -> dict[int, tuple[int, float]]:
    """Where each target-join node's own off-road leg ends: the nearest target it joins."""
    leg_end: dict[int, tuple[int, float]] = {}
    for t, (nodes, d) in enumerate(zip(node_t, dist_t, strict=True)):
        for node, metres in zip(nodes, d, strict=True):
            if np.isfinite(metres) and (node not in leg_end or metres < leg_end[node][1]):
                leg_end[int(node)] = (t, float(metres))
    return leg_end


def _route(
    origin: FloatArray,
    ends: tuple[FloatArray, FloatArray, FloatArray],
    path: list[int],
    edge_of: sparse.csr_matrix,
    edges: _EdgeText,
    first_leg: float,
    last_leg: float,
    minutes: float,
) -> Route:
    """One route: new access to the road, the roads (same class and name merged), access."""
    start_xy, end_xy, target_xy = ends
    parts: list[tuple[str, str, float]] = [("new access", "", first_leg)]
    geoms = [shapely.LineString([origin, start_xy])]
    for u, v in itertools.pairwise(path):
        e = int(edge_of[u, v]) - 1
        geoms.append(edges.lines[e])
        kind = (edges.classes[e], edges.names[e])
        if parts[-1][:2] == kind:
            parts[-1] = (*kind, parts[-1][2] + edges.lengths[e])
        else:
            parts.append((*kind, float(edges.lengths[e])))
    parts.append(("new access", "", last_leg))
    geoms.append(shapely.LineString([end_xy, target_xy]))
    return Route(
        minutes=minutes,
        metres=float(sum(p[2] for p in parts)),
        parts=[p for p in parts if p[2] > 0],
        geometry=shapely.MultiLineString([g for g in geoms if not g.is_empty and g.length > 0]),
    )


def routes_to_targets(
    graph: RoutingGraph,
    roads: RoadEdges,
    time_min: FloatArray,
    backward_min: FloatArray,
    targets_xy: FloatArray,
    origins_xy: FloatArray,
    *,
    offroad_speed_kmh: float,
    max_offroad_m: float,
    k_access: int = 4,
) -> list[Route | None]:
    """Each origin's fastest route to the nearest target (None where none is reachable)."""
    speed = m_per_min(offroad_speed_kmh)
    dist_t, node_t = graph.access(targets_xy, k=k_access, max_offroad_m=max_offroad_m)
    joined = np.isfinite(dist_t)
    if not joined.any():
        return [None] * len(origins_xy)
    node_time, pred = graph.next_steps(node_t[joined], dist_t[joined] / speed)
    _, entry = best_entries(
        graph, node_time, origins_xy, offroad_speed_kmh=offroad_speed_kmh,
        max_offroad_m=max_offroad_m, k_access=k_access,
    )  # fmt: skip
    edge_of = arc_edges(roads, time_min, backward_min)
    leg_end = _leg_ends(node_t, dist_t)
    edges = _EdgeText.of(roads)
    out: list[Route | None] = []
    for origin, start in zip(origins_xy, entry, strict=True):
        if start < 0:
            out.append(None)
            continue
        path = [int(start)]
        while pred[path[-1]] >= 0:
            path.append(int(pred[path[-1]]))
        t, last_leg = leg_end[path[-1]]
        first_leg = float(np.hypot(*(graph.node_xy[start] - origin)))
        minutes = float(node_time[start]) + first_leg / speed
        ends = (graph.node_xy[start], graph.node_xy[path[-1]], targets_xy[t])
        out.append(_route(origin, ends, path, edge_of, edges, first_leg, last_leg, minutes))
    return out
