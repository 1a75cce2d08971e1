"""Travel minutes from many origins to many destinations over the road network, cut off.

Each origin joins the graph as a virtual node with arcs to its nearest nodes (its off-road
legs); one multi-source Dijkstra (scipy, ``limit`` = the cutoff) from those virtual nodes
gives every node's minutes; each destination takes the best of its nearest nodes plus its
own off-road leg. The legs are counted as the travel-time criteria count them
(:func:`~sitesel.network.shortest_paths.time_to_nearest_target_min`). Origins go in chunks so the
memory held is ``chunk x nodes``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from sitesel._typing import FloatArray
from sitesel.network.graph import RoutingGraph
from sitesel.units import m_per_min

CHUNK = 256
"""Origins searched at once."""


def od_minutes(
    graph: RoutingGraph,
    origins_xy: FloatArray,
    destinations_xy: FloatArray,
    *,
    offroad_speed_kmh: float,
    max_offroad_m: float,
    cutoff_min: float,
    k_access: int = 4,
) -> FloatArray:
    """``(n_origins, n_destinations)`` minutes by road, ``inf`` beyond ``cutoff_min``.

    Examples
    --------
    Two nodes 1 km apart joined by a 1-minute road; an origin 500 m from node 0 and a
    destination on node 1, off-road at 6 km/h (5 minutes):

    >>> g = RoutingGraph(sparse.csr_matrix(([1.0, 1.0], ([0, 1], [1, 0])), shape=(2, 2)),
    ...                  np.array([[0.0, 0.0], [1000.0, 0.0]]))
    >>> od_minutes(g, np.array([[0.0, 500.0]]), np.array([[1000.0, 0.0], [0, 9000.0]]),
    ...     offroad_speed_kmh=6, max_offroad_m=1000, cutoff_min=60).round(6).tolist()
    [[6.0, inf]]
    """
    speed = m_per_min(offroad_speed_kmh)
    n = graph.n_nodes
    out = np.full((len(origins_xy), len(destinations_xy)), np.inf)
    if len(origins_xy) == 0 or len(destinations_xy) == 0 or n == 0:
        return out
    dist_d, node_d = graph.access(destinations_xy, k=k_access, max_offroad_m=max_offroad_m)
    leg_d = dist_d / speed  # inf where no node is near
    for start in range(0, len(origins_xy), CHUNK):
        chunk = origins_xy[start : start + CHUNK]
        dist_o, node_o = graph.access(chunk, k=k_access, max_offroad_m=max_offroad_m)
        m = len(chunk)
        rows = np.repeat(np.arange(m), dist_o.shape[1]) + n
        ok = np.isfinite(dist_o.ravel())
        legs = np.maximum((dist_o.ravel() / speed)[ok], 1e-9)  # a zero arc would vanish
        arcs = sparse.csr_matrix((legs, (rows[ok], node_o.ravel()[ok])), shape=(n + m, n + m))
        forward = sparse.bmat([[graph.forward, None], [None, sparse.csr_matrix((m, m))]])
        augmented = (forward.tocsr() + arcs).tocsr()
        minutes = csgraph.dijkstra(
            augmented, directed=True, indices=np.arange(n, n + m), limit=cutoff_min
        )[:, :n]
        via = minutes[:, node_d] + leg_d[None, :, :]  # (m, destinations, k)
        best = np.min(np.where(np.isfinite(leg_d)[None], via, np.inf), axis=2)
        out[start : start + m] = np.where(best <= cutoff_min, best, np.inf)
    return out
