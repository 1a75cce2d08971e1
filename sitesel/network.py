"""A routable road graph as compact arrays, and travel times over it.

Every road source (a line file such as PMGSY, an OSM file, osmnx) becomes the same
:class:`RoadEdges`: node coordinates in the working CRS and an edge table. Routing runs on
a ``scipy.sparse`` CSR matrix with one multi-source Dijkstra per target set, never a
per-site loop: targets are joined to the graph through a virtual source node whose arcs
carry each target's off-road time, so one ``dijkstra`` call gives every node's time to
its nearest target.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

EDGE_COLUMNS = ("u", "v", "length_m", "road_class", "oneway")


@dataclass(frozen=True)
class RoadEdges:
    """A road network: node coordinates and an edge table, in one projected CRS (metres).

    Attributes
    ----------
    node_xy
        ``(n_nodes, 2)`` node coordinates.
    edges
        One row per edge with columns ``u``, ``v`` (node indices), ``length_m``,
        ``road_class`` (text), ``oneway`` (bool: only ``u -> v`` may be driven) and the
        edge's line geometry.
    """

    node_xy: FloatArray
    edges: gpd.GeoDataFrame


@dataclass(frozen=True)
class ConnectivityReport:
    """How connected a road graph is."""

    n_nodes: int
    n_edges: int
    length_km: float
    n_components: int
    largest_component_length_share: float
    largest_components_km: list[float]

    def summary(self) -> str:
        """One line for logs and notes."""
        return (
            f"{self.n_nodes} nodes, {self.n_edges} edges, {self.length_km:.0f} km in"
            f" {self.n_components} connected pieces; the largest holds"
            f" {100 * self.largest_component_length_share:.1f}% of the length"
        )


def connectivity_report(roads: RoadEdges) -> ConnectivityReport:
    """Count the weakly connected pieces of a road graph and how its length splits.

    Parameters
    ----------
    roads
        The road graph.

    Returns
    -------
    ConnectivityReport
        Components, and the share of total length in the largest one.
    """
    n = len(roads.node_xy)
    u = roads.edges["u"].to_numpy()
    v = roads.edges["v"].to_numpy()
    adjacency = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)).tocsr()
    n_comp, labels = csgraph.connected_components(adjacency, directed=True, connection="weak")
    length = roads.edges["length_m"].to_numpy()
    per_comp_m = np.bincount(labels[u], weights=length, minlength=n_comp)
    total_m = float(length.sum())
    ordered = np.sort(per_comp_m)[::-1]
    return ConnectivityReport(
        n_nodes=n,
        n_edges=len(u),
        length_km=total_m / 1000,
        n_components=int(n_comp),
        largest_component_length_share=float(ordered[0] / total_m) if total_m > 0 else 0.0,
        largest_components_km=[float(x) / 1000 for x in ordered[:5]],
    )


def speeds_for_classes(
    road_class: pd.Series, speeds_kmh: dict[str, float], default_kmh: float
) -> FloatArray:
    """Speed of each edge from its road class; ``default_kmh`` for unlisted classes."""
    speeds = road_class.astype(str).map(speeds_kmh).fillna(default_kmh)
    return np.asarray(speeds.to_numpy(dtype=float), dtype=np.float64)


def travel_time_graph(roads: RoadEdges, time_min: FloatArray) -> sparse.csr_matrix:
    """A directed CSR matrix of edge travel times; two-way edges get both arcs.

    Parallel arcs keep the fastest time (``scipy.sparse`` would otherwise add them up).

    Parameters
    ----------
    roads
        The road graph.
    time_min
        Travel time of each edge in minutes, aligned with ``roads.edges``.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(n_nodes, n_nodes)``; entry ``[i, j]`` is the time from node i to node j.
    """
    u = roads.edges["u"].to_numpy(dtype=np.int64)
    v = roads.edges["v"].to_numpy(dtype=np.int64)
    two_way = ~roads.edges["oneway"].to_numpy(dtype=bool)
    rows = np.concatenate([u, v[two_way]])
    cols = np.concatenate([v, u[two_way]])
    times = np.concatenate([time_min, time_min[two_way]])
    keep = rows != cols
    rows, cols, times = _fastest_arcs(rows[keep], cols[keep], times[keep])
    n = len(roads.node_xy)
    return sparse.csr_matrix((times, (rows, cols)), shape=(n, n))


def time_to_nearest_target_min(
    graph: sparse.csr_matrix,
    node_xy: FloatArray,
    targets_xy: FloatArray,
    origins_xy: FloatArray,
    *,
    offroad_speed_kmh: float,
    max_offroad_m: float,
    k_access: int = 4,
) -> FloatArray:
    """Travel time from each origin to its nearest target, off-road legs included.

    An origin reaches the graph at one of its ``k_access`` nearest nodes from which a
    target can be reached (within ``max_offroad_m``), at ``offroad_speed_kmh``; so does
    each target. One Dijkstra from a virtual source over the reversed graph gives every
    node's time to its nearest target.

    Parameters
    ----------
    graph
        Travel times between nodes (minutes), from :func:`travel_time_graph`.
    node_xy
        Node coordinates (metres).
    targets_xy
        ``(n_targets, 2)`` target coordinates.
    origins_xy
        ``(n_origins, 2)`` origin coordinates (site centroids).
    offroad_speed_kmh
        Speed of the legs between a point and the graph.
    max_offroad_m
        Longest off-road leg; an origin with no usable node this close is unreachable.
    k_access
        How many nearby nodes each point may join the graph at.

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
    >>> g = sparse.csr_matrix(([1.0, 1.0], ([0, 1], [1, 0])), shape=(2, 2))
    >>> xy = np.array([[0.0, 0.0], [1000.0, 0.0]])
    >>> time_to_nearest_target_min(g, xy, np.array([[1000.0, 0.0]]), np.array([[0.0, 500.0]]),
    ...     offroad_speed_kmh=6, max_offroad_m=1000)
    array([6.])
    """
    n = graph.shape[0]
    m_per_min = offroad_speed_kmh * 1000 / 60
    all_nodes = cKDTree(node_xy)
    k_t = min(k_access, n)
    dist_t, node_t = all_nodes.query(targets_xy, k=k_t, distance_upper_bound=max_offroad_m)
    dist_t, node_t = dist_t.reshape(len(targets_xy), k_t), node_t.reshape(len(targets_xy), k_t)
    joined = np.isfinite(dist_t)
    if not joined.any():
        return np.full(len(origins_xy), np.nan)
    # Virtual source n -> access nodes, on the reversed graph (times *to* targets).
    src = np.full(int(joined.sum()), n, dtype=np.int64)
    src, src_cols, src_times = _fastest_arcs(src, node_t[joined], dist_t[joined] / m_per_min)
    reverse = graph.T.tocoo()
    augmented = sparse.csr_matrix(
        (
            np.concatenate([reverse.data, src_times]),
            (np.concatenate([reverse.row, src]), np.concatenate([reverse.col, src_cols])),
        ),
        shape=(n + 1, n + 1),
    )
    node_time = csgraph.dijkstra(augmented, directed=True, indices=n)[:n]
    reachable = np.flatnonzero(np.isfinite(node_time))
    if len(reachable) == 0:
        return np.full(len(origins_xy), np.nan)
    tree = cKDTree(node_xy[reachable])
    k_o = min(k_access, len(reachable))
    dist_o, idx_o = tree.query(origins_xy, k=k_o, distance_upper_bound=max_offroad_m)
    dist_o, idx_o = dist_o.reshape(len(origins_xy), k_o), idx_o.reshape(len(origins_xy), k_o)
    found = np.isfinite(dist_o)
    safe_idx = np.where(found, idx_o, 0)
    total = np.where(found, dist_o / m_per_min + node_time[reachable[safe_idx]], np.inf)
    best = total.min(axis=1)
    return np.where(np.isfinite(best), best, np.nan)


def _fastest_arcs(
    rows: IntArray, cols: IntArray, times: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Keep the fastest of parallel arcs (``scipy.sparse`` would add their times up).

    A zero time would vanish from a sparse matrix, so times are at least 1e-9 minutes.
    """
    order = np.lexsort((times, cols, rows))
    rows, cols, times = rows[order], cols[order], times[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return rows[first], cols[first], np.maximum(times[first], 1e-9)
