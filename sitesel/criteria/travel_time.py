"""Travel time over the road network to the nearest of the selected targets."""

from __future__ import annotations

from typing import Literal

import shapely

from sitesel._typing import FloatArray
from sitesel.config import NetworkCriterionSpec, Selection
from sitesel.criteria._network import target_points, unreachable_reason, xy
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import criterion
from sitesel.network.shortest_paths import node_times_to_targets, times_via_nodes
from sitesel.units import M_PER_KM


class TravelTimeCriterion(NetworkCriterionSpec):
    """Network travel time (minutes) to the nearest of the selected targets."""

    kind: Literal["travel_time"]
    to: Selection


@criterion(TravelTimeCriterion, unit="min", label="Travel time")
def travel_time(spec: TravelTimeCriterion, name: str, ctx: CriterionContext) -> CriterionValues:
    """Minutes from each site's centroid to the nearest target, off-road legs included.

    Each target and each site joins the road graph at its nearest nodes at the network's
    ``offroad_speed_kmh`` (at most ``max_offroad_km``); NaN where no target is reachable,
    0 for a site that contains a target. The node times come from ``ctx.node_times`` when
    given (a cluster tile), else from one search over the graph.
    """
    targets = ctx.select(spec.to, f"criteria.{name}.to")
    graph, net = ctx.graph(spec.scenario)
    points = target_points(targets)
    speed_kmh, reach_m = net.offroad_speed_kmh, net.max_offroad_km * M_PER_KM
    node_time = ctx.node_times.get(name)
    if node_time is None:
        node_time = target_node_times(spec, name, ctx)
    raw = times_via_nodes(
        graph, node_time, xy(ctx.sites.geometry.centroid),
        offroad_speed_kmh=speed_kmh, max_offroad_m=reach_m,
    )  # fmt: skip
    # A site that holds a target is there already: no off-road legs to and from a road.
    holding, _ = shapely.STRtree(points.to_numpy()).query(
        ctx.sites.geometry.to_numpy(), predicate="contains"
    )
    raw[holding] = 0.0
    return CriterionValues(raw, unreachable_reason(spec, name, spec.to), targets)


def target_node_times(spec: TravelTimeCriterion, name: str, ctx: CriterionContext) -> FloatArray:
    """Minutes from every node of the criterion's graph to its nearest target.

    One search over ``ctx``'s network; a cluster runs it once on the whole network and
    hands each tile its nodes' times (:mod:`sitesel.pipeline.cluster`).
    """
    graph, net = ctx.graph(spec.scenario)
    points = target_points(ctx.select(spec.to, f"criteria.{name}.to"))
    return node_times_to_targets(
        graph, xy(points), offroad_speed_kmh=net.offroad_speed_kmh,
        max_offroad_m=net.max_offroad_km * M_PER_KM,
    )  # fmt: skip
