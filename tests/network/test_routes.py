"""A site's route to its target against an independent shortest path (networkx).

A small network where the fastest way is not the shortest: a slow direct track and a
longer highway detour, with a village road crossing. The route must be a connected line
from the site to the target, drive exactly the edges networkx's Dijkstra drives (on the
same lengths and speeds, built here from the lines, not from sitesel's graph), and take
that path's minutes plus its off-road legs.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from sitesel.config import NetworkSpec
from sitesel.network.repair import road_edges_from_lines
from sitesel.network.routes import routes_to_targets
from sitesel.network.scenarios import build_network

UTM = "EPSG:32643"
SPEEDS = {"NH": 60.0, "RR(VR)": 20.0, "RR(TRACK)": 5.0}
OFFROAD_KMH = 4.0

#            (x0, y0) -> (x1, y1), class, name
ROADS = [
    ((0, 0), (4000, 0), "RR(TRACK)", "direct track"),  # 4 km at 5 km/h: 48 min
    ((0, 0), (0, 2000), "NH", "NH 1"),  # the detour: 2 + 4 + 2 km at 60 km/h
    ((0, 2000), (4000, 2000), "NH", "NH 1"),
    ((4000, 2000), (4000, 0), "NH", "NH 1"),
    ((2000, 0), (2000, 2000), "RR(VR)", "village road"),  # a crossing, 2 km at 20 km/h
    ((2000, 2000), (2000, 3500), "RR(VR)", "spur"),
]


def _network():
    lines = gpd.GeoDataFrame(
        {"cls": [r[2] for r in ROADS], "name": [r[3] for r in ROADS]},
        geometry=[shapely.LineString([a, b]) for a, b, _, _ in ROADS],
        crs=UTM,
    )
    roads, _ = road_edges_from_lines(
        lines, class_column="cls", name_column="name", snap_tolerance_m=0
    )
    spec = NetworkSpec(roads="roads", speeds_kmh=SPEEDS, offroad_speed_kmh=OFFROAD_KMH)
    return roads, build_network(roads, spec, dem=None, closure_areas={})


def _reference_graph() -> nx.Graph:
    """The same roads, split where they cross, timed by hand: minutes = km / speed x 60."""
    points = {p for a, b, _, _ in ROADS for p in (a, b)} | {(2000, 0), (2000, 2000)}
    g = nx.Graph()
    for a, b, cls, name in ROADS:
        line = shapely.LineString([a, b])
        on = sorted((line.project(shapely.Point(p)), p) for p in points
                    if line.distance(shapely.Point(p)) < 1e-6)  # fmt: skip
        for (d0, p0), (d1, p1) in itertools.pairwise(on):
            g.add_edge(p0, p1, minutes=(d1 - d0) / 1000 / SPEEDS[cls] * 60, cls=cls, name=name)
    return g


@pytest.mark.parametrize(
    ("origin", "target", "entry", "exit_"),
    [
        ((-30, -40), (4040, -30), (0, 0), (4000, 0)),  # the detour beats the track
        ((2000, 3530), (-20, 10), (2000, 3500), (0, 0)),  # spur, village road, west
        ((4020, 2030), (1980, 2010), (4000, 2000), (2000, 2000)),  # along the NH
    ],
)
def test_a_route_drives_the_independent_shortest_path(origin, target, entry, exit_):
    roads, network = _network()
    (route,) = routes_to_targets(
        network.graphs[None], roads, network.forward_min, network.backward_min,
        np.array([target], dtype=float), np.array([origin], dtype=float),
        offroad_speed_kmh=OFFROAD_KMH, max_offroad_m=500,
    )  # fmt: skip
    assert route is not None
    g = _reference_graph()
    path = nx.shortest_path(g, entry, exit_, weight="minutes")
    road_min = nx.shortest_path_length(g, entry, exit_, weight="minutes")
    legs_m = np.hypot(*np.subtract(origin, entry)) + np.hypot(*np.subtract(exit_, target))
    # Both off-road legs are driven at the off-road speed, as the criterion counts them.
    assert route.minutes == pytest.approx(road_min + legs_m / 1000 / OFFROAD_KMH * 60, abs=1e-6)
    driven = sum(np.hypot(*np.subtract(u, v)) for u, v in itertools.pairwise(path))
    assert route.metres == pytest.approx(driven + legs_m, abs=1e-6)
    # The drawn line: connected from the site to the target, over the path's edges only.
    merged = shapely.line_merge(route.geometry)
    assert merged.geom_type == "LineString"
    ends = {tuple(np.round(merged.coords[0], 6)), tuple(np.round(merged.coords[-1], 6))}
    assert ends == {tuple(map(float, origin)), tuple(map(float, target))}
    expected = shapely.MultiLineString(
        [[origin, entry], *[[u, v] for u, v in itertools.pairwise(path)], [exit_, target]]
    )
    assert shapely.equals(shapely.line_merge(expected), merged)
    # What the dossier lists, class by class, in the order driven.
    classes = [g.edges[u, v]["cls"] for u, v in itertools.pairwise(path)]
    listed = [c for c, _, _ in route.parts if c != "new access"]
    assert listed == [c for c, _ in itertools.groupby(classes)]


def test_the_fastest_is_not_the_shortest_here():
    """The case that separates them: 4 km of track (48 min) against 8 km of NH (8 min)."""
    g = _reference_graph()
    fast = nx.shortest_path(g, (0, 0), (4000, 0), weight="minutes")
    short = nx.shortest_path(g, (0, 0), (4000, 0), weight=lambda u, v, d: 1.0)
    assert fast != short
