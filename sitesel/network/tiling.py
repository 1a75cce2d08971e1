"""A tile of sites gets the piece of the road network its criteria can reach, and no more.

On a cluster (:mod:`sitesel.pipeline.cluster`) each worker scores a tile of sites. A route
of T minutes moves at most T x v from where it starts, v being the largest straight-line
displacement per minute of any arc, so criteria that count what lies within T minutes
need only the nodes within that distance of the tile, plus the off-road legs at either
end (a site's road, a target's road, and a target joining a nearer road inside the piece
than the one it would join outside: three legs). Travel times to named targets have no
such bound; their per-node times are found once on the whole network and each tile reads
its nodes' times. With the margin covering the longest bounded criterion, every value is
the one the whole network gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sitesel._typing import FloatArray, IntArray
from sitesel.network.graph import RoutingGraph
from sitesel.network.scenarios import NetworkModel
from sitesel.units import M_PER_KM, kmh

SLACK_MIN = 0.25
"""Added to the longest travel time: the accessibility histograms' bin."""


def fastest_displacement_kmh(graph: RoutingGraph) -> float:
    """The largest straight-line distance per unit time of any arc (km/h).

    No route of T minutes ends farther than ``T / 60`` times this from its start.

    >>> from scipy import sparse
    >>> g = RoutingGraph(sparse.csr_matrix(([1.0, 3.0], ([0, 1], [1, 0])), shape=(2, 2)),
    ...                  np.array([[0.0, 0.0], [1000.0, 0.0]]))
    >>> fastest_displacement_kmh(g)  # 1 km in 1 minute
    60.0
    """
    arcs = graph.forward.tocoo()
    if arcs.nnz == 0:
        return 0.0
    metres = np.hypot(*(graph.node_xy[arcs.row] - graph.node_xy[arcs.col]).T)
    return float(kmh((metres / arcs.data).max()))


@dataclass(frozen=True)
class TileMargin:
    """How far around a tile of sites its network piece reaches, and why."""

    margin_m: float
    longest_min: float
    speed_kmh: float
    offroad_m: float

    def describe(self) -> str:
        """One line for the log."""
        return (
            f"{self.margin_m / M_PER_KM:.1f} km around each tile: {self.longest_min:g} min"
            f" at up to {self.speed_kmh:.0f} km/h, plus three off-road legs of up to"
            f" {self.offroad_m / M_PER_KM:g} km"
        )


def tile_margin(
    reach_min: Mapping[str, float], speed_kmh: float, max_offroad_m: float
) -> TileMargin:
    """The margin that keeps every bounded criterion's values exact.

    >>> round(tile_margin({"jobs_30min": 30}, 40, 10_000).margin_m)  # 20.17 km + 30 km
    50167
    """
    longest = max(reach_min.values(), default=0.0)
    margin = (longest + SLACK_MIN) / 60 * speed_kmh * M_PER_KM + 3 * max_offroad_m
    return TileMargin(margin, longest, speed_kmh, max_offroad_m)


def network_piece(
    model: NetworkModel, bounds: tuple[float, float, float, float], margin_m: float
) -> tuple[NetworkModel, IntArray]:
    """The network within ``margin_m`` of a box (every scenario), and its nodes' indices.

    Edge-level arrays (times, elevations) stay behind: criteria route on the graphs only.
    """
    xy = next(iter(model.graphs.values())).node_xy
    xmin, ymin, xmax, ymax = bounds
    inside = (
        (xy[:, 0] >= xmin - margin_m)
        & (xy[:, 0] <= xmax + margin_m)
        & (xy[:, 1] >= ymin - margin_m)
        & (xy[:, 1] <= ymax + margin_m)
    )
    nodes = np.flatnonzero(inside)
    piece = NetworkModel(
        forward_min=np.empty(0),
        backward_min=np.empty(0),
        graphs={name: graph.subgraph(nodes) for name, graph in model.graphs.items()},
        closed=dict(model.closed),
    )
    return piece, nodes


def node_times_of_piece(times: Mapping[str, FloatArray], nodes: IntArray) -> dict[str, FloatArray]:
    """The whole network's per-node times, read for a piece's nodes."""
    return {name: values[nodes] for name, values in times.items()}
