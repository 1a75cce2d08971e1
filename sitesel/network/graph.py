"""A routable road graph as compact arrays.

Every road source (a line file such as PMGSY, an OSM file, osmnx) becomes the same
:class:`RoadEdges`: node coordinates in the working CRS and an edge table, and a
:class:`RoutingGraph`, a ``scipy.sparse`` CSR matrix of travel times
(:mod:`~sitesel.network.shortest_paths` routes over it).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from sitesel._typing import FloatArray, IntArray


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


def edges_sha256(roads: RoadEdges) -> str:
    """A checksum of a road network's content: nodes (to the centimetre) and edges.

    The same roads give the same checksum on any machine (coordinates are rounded, so the
    last bits of a reprojection do not count); a changed road, class or direction does not.
    """
    import hashlib

    digest = hashlib.sha256(np.round(roads.node_xy, 2).astype("<f8").tobytes())
    table = roads.edges
    for column in ("u", "v"):
        digest.update(table[column].to_numpy(dtype="<i8").tobytes())
    digest.update(table["oneway"].to_numpy(dtype=bool).tobytes())
    digest.update("\n".join(table["road_class"].astype(str)).encode("utf-8"))
    return digest.hexdigest()


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


def subset_edges(roads: RoadEdges, keep: npt.NDArray[np.bool_]) -> RoadEdges:
    """The graph restricted to some edges, nodes renumbered 0..n-1 (unused ones dropped)."""
    edges = roads.edges[keep].reset_index(drop=True)
    used, inverse = np.unique(edges[["u", "v"]].to_numpy().ravel(), return_inverse=True)
    edges[["u", "v"]] = inverse.reshape(-1, 2).astype(np.int64)
    return RoadEdges(node_xy=roads.node_xy[used], edges=edges)


def travel_time_graph(
    roads: RoadEdges, time_min: FloatArray, backward_min: FloatArray | None = None
) -> sparse.csr_matrix:
    """A directed CSR matrix of edge travel times; two-way edges get both arcs.

    Parameters
    ----------
    roads
        The road graph.
    time_min
        Minutes to drive each edge from ``u`` to ``v``; NaN or inf closes the edge.
    backward_min
        Minutes from ``v`` to ``u`` for two-way edges (``time_min`` when None).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(n_nodes, n_nodes)``; entry ``[i, j]`` is the time from node i to node j.
        Parallel arcs keep the fastest time (``scipy.sparse`` would add them up).
    """
    rows, cols, times, _ = arcs(roads, time_min, backward_min)
    rows, cols, times = fastest_arcs(rows, cols, times)
    n = len(roads.node_xy)
    return sparse.csr_matrix((times, (rows, cols)), shape=(n, n))


def arcs(
    roads: RoadEdges, time_min: FloatArray, backward_min: FloatArray | None
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """Every drivable arc: from-node, to-node, minutes, and the edge it belongs to.

    Two-way edges give two arcs; closed (non-finite) and self-loop arcs are dropped.
    """
    back = time_min if backward_min is None else backward_min
    u = roads.edges["u"].to_numpy(dtype=np.int64)
    v = roads.edges["v"].to_numpy(dtype=np.int64)
    two_way = np.flatnonzero(~roads.edges["oneway"].to_numpy(dtype=bool))
    rows = np.concatenate([u, v[two_way]])
    cols = np.concatenate([v, u[two_way]])
    times = np.concatenate([time_min, back[two_way]])
    edge = np.concatenate([np.arange(len(u)), two_way])
    keep = (rows != cols) & np.isfinite(times)
    return rows[keep], cols[keep], times[keep], edge[keep]


def fastest_arcs(
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


class RoutingGraph:
    """A travel-time graph ready for repeated queries.

    Forward and reversed CSR matrices and a spatial index of the nodes, built once.

    Parameters
    ----------
    forward
        Minutes between nodes, from :func:`travel_time_graph`.
    node_xy
        Node coordinates (metres).
    """

    def __init__(self, forward: sparse.csr_matrix, node_xy: FloatArray) -> None:
        self.forward = forward
        self.reverse = forward.T.tocsr()
        self.node_xy = node_xy
        self.tree = cKDTree(node_xy)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.forward.shape[0])

    def subgraph(self, nodes: IntArray) -> RoutingGraph:
        """The graph of ``nodes`` only (in that order) and the arcs between them."""
        return RoutingGraph(self.forward[nodes][:, nodes].tocsr(), self.node_xy[nodes])

    def times_to(self, nodes: IntArray, offsets_min: FloatArray) -> FloatArray:
        """Minutes from every node to the nearest of ``nodes`` (reached with the offsets).

        One Dijkstra from a virtual source on the reversed graph: its arcs to ``nodes``
        carry ``offsets_min`` (each target's off-road leg).
        """
        n = self.n_nodes
        return np.asarray(
            csgraph.dijkstra(self._from_targets(nodes, offsets_min), directed=True, indices=n)[:n],
            dtype=np.float64,
        )

    def next_steps(self, nodes: IntArray, offsets_min: FloatArray) -> tuple[FloatArray, IntArray]:
        """Minutes from every node to the nearest of ``nodes``, and its next node on the way.

        The next node is -1 at the nodes the targets join, and where none is reachable.
        """
        n = self.n_nodes
        dist, pred = csgraph.dijkstra(
            self._from_targets(nodes, offsets_min), directed=True, indices=n,
            return_predecessors=True,
        )  # fmt: skip
        pred = np.where((pred[:n] >= 0) & (pred[:n] < n), pred[:n], -1)
        return np.asarray(dist[:n], dtype=np.float64), np.asarray(pred, dtype=np.int64)

    def _from_targets(self, nodes: IntArray, offsets_min: FloatArray) -> sparse.csr_matrix:
        """The reversed graph with a virtual source (node n) joined to ``nodes``."""
        n = self.n_nodes
        src = np.full(len(nodes), n, dtype=np.int64)
        _, cols, times = fastest_arcs(src, np.asarray(nodes, dtype=np.int64), offsets_min)
        r = self.reverse
        indptr = np.concatenate([r.indptr, [r.indptr[-1] + len(cols)]])
        return sparse.csr_matrix(
            (np.concatenate([r.data, times]), np.concatenate([r.indices, cols]), indptr),
            shape=(n + 1, n + 1),
        )

    def access(
        self, xy: FloatArray, *, k: int, max_offroad_m: float, usable: IntArray | None = None
    ) -> tuple[FloatArray, IntArray]:
        """The ``k`` nearest (usable) nodes of each point within ``max_offroad_m``.

        Returns distances ``(n, k)`` (inf where none) and node indices (valid where finite).
        """
        if usable is None:
            tree, index = self.tree, None
        else:
            tree, index = cKDTree(self.node_xy[usable]), usable
        k = min(k, tree.n)
        dist, idx = tree.query(xy, k=k, distance_upper_bound=max_offroad_m)
        dist, idx = dist.reshape(len(xy), k), idx.reshape(len(xy), k)
        safe = np.where(np.isfinite(dist), idx, 0)
        nodes = safe if index is None else index[safe]
        return dist, np.asarray(nodes, dtype=np.int64)


def routing_graph(
    roads: RoadEdges, time_min: FloatArray, backward_min: FloatArray | None = None
) -> RoutingGraph:
    """A :class:`RoutingGraph` of the roads with the given edge times."""
    return RoutingGraph(travel_time_graph(roads, time_min, backward_min), roads.node_xy)
