"""One routing graph per network scenario: speeds, grades and closures from the config.

The base graph (scenario ``None``) has every road open; each named scenario closes the
edges its rules select (by road name, above an elevation, or touching a polygon). Edge
times are computed once and shared; only the closed edges differ between scenarios.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from sitesel._typing import Dem, FloatArray
from sitesel.config.network import NetworkSpec
from sitesel.errors import ConfigError
from sitesel.network import speeds as traveltime
from sitesel.network.graph import RoadEdges, RoutingGraph, routing_graph
from sitesel.units import m_per_min

log = logging.getLogger(__name__)


@dataclass
class NetworkModel:
    """Edge times and the routing graph of each scenario."""

    forward_min: FloatArray
    backward_min: FloatArray
    graphs: dict[str | None, RoutingGraph] = field(default_factory=dict)
    closed: dict[str, int] = field(default_factory=dict)  # scenario -> closed edges
    max_elevation_m: FloatArray | None = None
    roads: RoadEdges | None = None  # the edges the graphs are of (None in a cluster tile)


def build_network(
    roads: RoadEdges,
    spec: NetworkSpec,
    *,
    dem: Dem | None,
    closure_areas: dict[tuple[str, int], shapely.Geometry],
) -> NetworkModel:
    """Speeds, grade-aware times and one graph per scenario.

    Parameters
    ----------
    roads
        The road graph.
    spec
        The config's network section.
    dem
        Elevation for grades and ``above_m`` closures (None when neither is used).
    closure_areas
        ``(scenario, rule index) -> polygon`` for ``within`` closures, in the roads' CRS.
    """
    edges = roads.edges
    forward, backward, profiles = _edge_times(roads, spec, dem)
    geoms = edges.geometry.to_numpy()
    net = NetworkModel(forward_min=forward, backward_min=backward, roads=roads)
    if profiles is not None:
        net.max_elevation_m = traveltime.max_elevation(profiles, len(edges))
    net.graphs[None] = routing_graph(roads, forward, backward)
    for name, scenario in spec.scenarios.items():
        closed = np.zeros(len(edges), dtype=bool)
        for i, rule in enumerate(scenario.close):
            closed |= _closed(
                edges.get("name", pd.Series("", index=edges.index)),
                geoms,
                rule,
                net.max_elevation_m,
                closure_areas.get((name, i)),
            )
        net.closed[name] = int(closed.sum())
        net.graphs[name] = routing_graph(
            roads, np.where(closed, np.inf, forward), np.where(closed, np.inf, backward)
        )
        log.info("scenario %s: %d of %d road edges closed", name, closed.sum(), len(edges))
    return net


def _edge_times(
    roads: RoadEdges, spec: NetworkSpec, dem: Dem | None
) -> tuple[FloatArray, FloatArray, traveltime.EdgeProfiles | None]:
    """Minutes to drive each edge forwards and backwards, and the height profiles used."""
    edges = roads.edges
    maxspeed = (
        traveltime.parse_maxspeed(edges["maxspeed"])
        if spec.use_maxspeed and "maxspeed" in edges
        else None
    )
    speed = traveltime.edge_speeds_kmh(
        edges["road_class"],
        speeds_kmh=dict(spec.speeds_kmh),
        default_kmh=spec.default_speed_kmh,
        maxspeed_kmh=maxspeed,
    )
    geoms = edges.geometry.to_numpy()
    profiles = None
    if dem is not None and spec.needs_road_heights:
        step = spec.grade.sample_m if spec.grade is not None else 50.0
        profiles = traveltime.sample_profiles(geoms, dem.elevation_m, dem.transform, step_m=step)
    if spec.grade is not None and profiles is not None:
        g = spec.grade
        model = traveltime.GradeModel(g.uphill_per_pct, g.downhill_per_pct, g.floor, g.sample_m)
        forward, backward = traveltime.times_with_grade(profiles, speed, model)
    else:
        forward = edges["length_m"].to_numpy(dtype=float) / m_per_min(speed)
        backward = forward.copy()
    return forward, backward, profiles


def _closed(
    names: pd.Series,
    geoms: npt.NDArray[np.object_],
    rule: object,
    max_elevation_m: FloatArray | None,
    area: shapely.Geometry | None,
) -> npt.NDArray[np.bool_]:
    pattern = getattr(rule, "road_name_matches", None)
    above = getattr(rule, "above_m", None)
    if pattern is not None:
        return traveltime.closed_by_name(names, pattern)
    if above is not None:
        if max_elevation_m is None:
            raise ConfigError("a closure with above_m needs a dem: section (road heights)")
        return np.asarray(np.nan_to_num(max_elevation_m, nan=-np.inf) > above, dtype=bool)
    assert area is not None
    return np.asarray(traveltime.closed_within(geoms, area), dtype=bool)
