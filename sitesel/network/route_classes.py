"""What a fastest route to the nearest target is made of: metres of each road class.

One Dijkstra from the targets on the reversed graph, with predecessors, gives every node's
next step towards its nearest target; each node's metres by class are its next arc's plus
the next node's, filled in order of time to the target. A site's route starts at the node
it joins the network at (:func:`~sitesel.network.shortest_paths.best_entries`, as the travel-time
criteria choose it).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from sitesel._typing import FloatArray, IntArray
from sitesel.network.graph import RoadEdges, RoutingGraph, arcs


def arc_edges(
    roads: RoadEdges, time_min: FloatArray, backward_min: FloatArray | None = None
) -> sparse.csr_matrix:
    """Index + 1 of the edge each fastest arc belongs to, aligned with the time graph."""
    rows, cols, times, edge = arcs(roads, time_min, backward_min)
    order = np.lexsort((times, cols, rows))
    rows, cols, edge = rows[order], cols[order], edge[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    n = len(roads.node_xy)
    return sparse.csr_matrix((edge[first] + 1.0, (rows[first], cols[first])), shape=(n, n))


def class_metres_to_targets(
    graph: RoutingGraph,
    edge_of_arc: sparse.csr_matrix,
    edge_class: IntArray,
    edge_length_m: FloatArray,
    n_classes: int,
    target_nodes: IntArray,
    target_offsets_min: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Per node, the metres of each road class on its fastest route to the nearest target.

    Parameters
    ----------
    graph
        The routing graph.
    edge_of_arc
        :func:`arc_edges` of the same roads and times.
    edge_class, edge_length_m, n_classes
        Per edge, its class index in ``range(n_classes)`` and its length.
    target_nodes, target_offsets_min
        The nodes targets join at, and the minutes of their off-road legs.

    Returns
    -------
    tuple
        ``(n_nodes, n_classes)`` metres (NaN where no target is reachable), and the
        minutes of each node to its target.

    Examples
    --------
    A line of three nodes, 0 -(class 1, 300 m)- 1 -(class 0, 200 m)- 2, the target on 2:

    >>> import numpy as np
    >>> from scipy import sparse
    >>> from sitesel.network.graph import RoutingGraph
    >>> t = sparse.csr_matrix(([1.0, 1.0, 1.0, 1.0], ([0, 1, 1, 2], [1, 0, 2, 1])), (3, 3))
    >>> e = sparse.csr_matrix(([1.0, 1.0, 2.0, 2.0], ([0, 1, 1, 2], [1, 0, 2, 1])), (3, 3))
    >>> g = RoutingGraph(t, np.array([[0.0, 0], [300, 0], [500, 0]]))
    >>> m, minutes = class_metres_to_targets(g, e, np.array([1, 0]), np.array([300.0, 200]),
    ...     2, np.array([2]), np.array([0.0]))
    >>> m.tolist(), minutes.round(6).tolist()
    ([[200.0, 300.0], [200.0, 0.0], [0.0, 0.0]], [2.0, 1.0, 0.0])
    """
    n = graph.n_nodes
    dist, pred = graph.next_steps(target_nodes, target_offsets_min)
    metres = np.zeros((n, n_classes))
    reached = np.flatnonzero(np.isfinite(dist))
    metres[np.setdiff1d(np.arange(n), reached)] = np.nan
    step = reached[pred[reached] >= 0]  # nodes not joined directly
    nxt = pred[step]
    edge = np.asarray(edge_of_arc[step, nxt]).ravel().astype(np.int64) - 1
    # Fill in order of time to the target: a node's next node is always done before it.
    for k in np.argsort(dist[step], kind="stable"):
        node, after, e = step[k], nxt[k], edge[k]
        metres[node] = metres[after]
        metres[node, edge_class[e]] += edge_length_m[e]
    return metres, np.asarray(dist, dtype=np.float64)
