"""Travel times and routes over a :class:`~sitesel.network.graph.RoutingGraph`.

One multi-source Dijkstra per target set, never a per-site loop: targets are joined to
the graph through a virtual source node whose arcs carry each target's off-road time, so
one ``dijkstra`` call gives every node's time to its nearest target.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from sitesel._typing import FloatArray, IntArray
from sitesel.network.graph import RoadEdges, RoutingGraph, arcs
from sitesel.units import m_per_min


def time_to_nearest_target_min(
    graph: RoutingGraph,
    targets_xy: FloatArray,
    origins_xy: FloatArray,
    *,
    offroad_speed_kmh: float,
    max_offroad_m: float,
    k_access: int = 4,
) -> FloatArray:
    """Travel time from each origin to its nearest target, off-road legs included.

    Each target joins the graph at its ``k_access`` nearest nodes (within
    ``max_offroad_m``), each origin at the best of its ``k_access`` nearest nodes from
    which a target can be reached; off-road legs are driven at ``offroad_speed_kmh``.

    Returns
    -------
    numpy.ndarray
        Minutes per origin; NaN where no target can be reached.

    Examples
    --------
    Two nodes 1 km apart joined by a 1-minute road; the target sits on node 1 and the
    origin 500 m from node 0, walked at 6 km/h (5 minutes):

    >>> import numpy as np
    >>> from scipy import sparse
    >>> g = RoutingGraph(sparse.csr_matrix(([1.0, 1.0], ([0, 1], [1, 0])), shape=(2, 2)),
    ...                  np.array([[0.0, 0.0], [1000.0, 0.0]]))
    >>> time_to_nearest_target_min(g, np.array([[1000.0, 0.0]]), np.array([[0.0, 500.0]]),
    ...     offroad_speed_kmh=6, max_offroad_m=1000)
    array([6.])
    """
    node_time = node_times_to_targets(
        graph, targets_xy, offroad_speed_kmh=offroad_speed_kmh, max_offroad_m=max_offroad_m,
        k_access=k_access,
    )  # fmt: skip
    return times_via_nodes(
        graph, node_time, origins_xy, offroad_speed_kmh=offroad_speed_kmh,
        max_offroad_m=max_offroad_m, k_access=k_access,
    )  # fmt: skip


def node_times_to_targets(
    graph: RoutingGraph,
    targets_xy: FloatArray,
    *,
    offroad_speed_kmh: float,
    max_offroad_m: float,
    k_access: int = 4,
) -> FloatArray:
    """Minutes from every node to the nearest target (its off-road leg included).

    One search over the whole graph, however many origins; inf where no target is
    reachable. The first half of :func:`time_to_nearest_target_min`.
    """
    dist_t, node_t = graph.access(targets_xy, k=k_access, max_offroad_m=max_offroad_m)
    joined = np.isfinite(dist_t)
    if not joined.any():
        return np.full(graph.n_nodes, np.inf)
    return graph.times_to(node_t[joined], dist_t[joined] / m_per_min(offroad_speed_kmh))


def times_via_nodes(
    graph: RoutingGraph,
    node_time: FloatArray,
    origins_xy: FloatArray,
    *,
    offroad_speed_kmh: float,
    max_offroad_m: float,
    k_access: int = 4,
) -> FloatArray:
    """Each origin's best time over its ``k_access`` nearest nodes with a finite time.

    The second half of :func:`time_to_nearest_target_min`: it needs only the nodes within
    ``max_offroad_m`` of the origins, so a tile of origins can use a tile of the graph
    with the node times found on the whole (:mod:`sitesel.pipeline.cluster`).
    """
    best, _ = best_entries(
        graph, node_time, origins_xy, offroad_speed_kmh=offroad_speed_kmh,
        max_offroad_m=max_offroad_m, k_access=k_access,
    )  # fmt: skip
    return np.asarray(np.where(np.isfinite(best), best, np.nan), dtype=np.float64)


def best_entries(
    graph: RoutingGraph,
    node_time: FloatArray,
    origins_xy: FloatArray,
    *,
    offroad_speed_kmh: float,
    max_offroad_m: float,
    k_access: int = 4,
) -> tuple[FloatArray, IntArray]:
    """Each origin's best minutes over its nearest usable nodes, and that node (-1: none)."""
    reachable = np.flatnonzero(np.isfinite(node_time))
    if len(reachable) == 0:
        return np.full(len(origins_xy), np.inf), np.full(len(origins_xy), -1, dtype=np.int64)
    dist_o, node_o = graph.access(
        origins_xy, k=k_access, max_offroad_m=max_offroad_m, usable=reachable
    )
    total = np.where(
        np.isfinite(dist_o), dist_o / m_per_min(offroad_speed_kmh) + node_time[node_o], np.inf
    )
    pick = total.argmin(axis=1)
    rows = np.arange(len(total))
    best = total[rows, pick]
    node = np.where(np.isfinite(best), node_o[rows, pick], -1)
    return np.asarray(best, dtype=np.float64), np.asarray(node, dtype=np.int64)


def route(
    graph: RoutingGraph, lengths_m: sparse.csr_matrix, source: int, target: int
) -> tuple[float, float, IntArray]:
    """Fastest route between two nodes: minutes, metres and the node sequence.

    ``lengths_m`` holds the length of the arc each entry of ``graph.forward`` stands for
    (same sparsity), e.g. from :func:`arc_lengths`.
    """
    dist, pred = csgraph.dijkstra(
        graph.forward, directed=True, indices=source, return_predecessors=True
    )
    if not np.isfinite(dist[target]):
        return float("nan"), float("nan"), np.array([], dtype=np.int64)
    path = [target]
    while path[-1] != source:
        path.append(int(pred[path[-1]]))
    nodes = np.array(path[::-1], dtype=np.int64)
    metres = float(np.asarray(lengths_m[nodes[:-1], nodes[1:]]).sum())
    return float(dist[target]), metres, nodes


def arc_lengths(
    roads: RoadEdges, time_min: FloatArray, backward_min: FloatArray | None = None
) -> sparse.csr_matrix:
    """Length (m) of the fastest arc between each node pair, aligned with the time graph."""
    rows, cols, times, edge = arcs(roads, time_min, backward_min)
    lengths = roads.edges["length_m"].to_numpy(dtype=float)[edge]
    order = np.lexsort((times, cols, rows))
    rows, cols, lengths = rows[order], cols[order], lengths[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    n = len(roads.node_xy)
    return sparse.csr_matrix((lengths[first], (rows[first], cols[first])), shape=(n, n))


def detours(
    roads: RoadEdges,
    graph: RoutingGraph,
    lengths_m: sparse.csr_matrix,
    places_xy: dict[str, tuple[float, float]],
    *,
    flag_ratio: float = 2.0,
) -> list[dict[str, object]]:
    """Road distance against straight-line distance between every pair of named places.

    A ratio far above the terrain's usual 1.3-1.6 is a sign of a broken network (a gap
    that sends routes round a valley); pairs above ``flag_ratio`` are flagged.
    """
    names = sorted(places_xy)
    nodes = {n: int(graph.tree.query(places_xy[n])[1]) for n in names}
    out: list[dict[str, object]] = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            straight_km = float(np.hypot(*np.subtract(places_xy[a], places_xy[b]))) / 1000
            _, metres, _ = route(graph, lengths_m, nodes[a], nodes[b])
            road_km = metres / 1000
            ratio = road_km / straight_km if straight_km > 0 else float("nan")
            out.append(
                {
                    "from": a,
                    "to": b,
                    "straight_km": round(straight_km, 2),
                    "road_km": round(road_km, 2) if np.isfinite(road_km) else None,
                    "detour_ratio": round(ratio, 2) if np.isfinite(ratio) else None,
                    "flagged": bool(not np.isfinite(ratio) or ratio > flag_ratio),
                }
            )
    return out
