"""Worked by hand: the road network's detour check (the manifest's ``network.detours``):
road and straight-line kilometres between named places, their ratio and the flag; and how
many nearby nodes an origin and a target join the network by."""

from __future__ import annotations

import numpy as np
import pytest

from sitesel.network.graph import routing_graph
from sitesel.network.shortest_paths import arc_lengths, detours

from .test_network import make_roads

# A road round three sides of a 3 x 4 km rectangle (A-B-C-D), a 600 m spur from B (B-E),
# and a road of its own far away (F-G), not joined to the rest.
NODES = [(0, 0), (0, 3000), (4000, 3000), (4000, 0), (600, 3000), (20_000, 0), (21_000, 0)]
PAIRS = [(0, 1), (1, 2), (2, 3), (1, 4), (5, 6)]
PLACES = {
    "Alchi": (0, 0),  # A
    "Basgo": (4000, 0),  # D: 4 km away in a straight line, 10 km by road
    "Chang": (0, 3000),  # B
    "Chang bridge": (600, 3000),  # E: 0.6 km from B, on the spur
    "Dah": (20_000, 0),  # F: no road to the others
}


@pytest.fixture
def detour_rows():
    roads = make_roads(NODES, PAIRS)
    minutes = roads.edges["length_m"].to_numpy() / 1000  # 60 km/h
    graph = routing_graph(roads, minutes)
    return detours(roads, graph, arc_lengths(roads, minutes), PLACES)


def test_every_pair_of_places_once_in_name_order_with_its_kilometres(detour_rows):
    got = [(r["from"], r["to"], r["straight_km"], r["road_km"]) for r in detour_rows]
    assert got == [
        ("Alchi", "Basgo", 4.0, 10.0),
        ("Alchi", "Chang", 3.0, 3.0),
        ("Alchi", "Chang bridge", 3.06, 3.6),  # hypot(0.6, 3) = 3.059
        ("Alchi", "Dah", 20.0, None),
        ("Basgo", "Chang", 5.0, 7.0),
        ("Basgo", "Chang bridge", 4.53, 7.6),  # hypot(3.4, 3) = 4.534
        ("Basgo", "Dah", 16.0, None),
        ("Chang", "Chang bridge", 0.6, 0.6),
        ("Chang", "Dah", 20.22, None),  # hypot(20, 3)
        ("Chang bridge", "Dah", 19.63, None),  # hypot(19.4, 3)
    ]


def test_a_detour_above_twice_the_straight_line_or_no_road_at_all_is_flagged(detour_rows):
    ratio = {(r["from"], r["to"]): (r["detour_ratio"], r["flagged"]) for r in detour_rows}
    assert ratio[("Alchi", "Basgo")] == (2.5, True)  # round three sides
    assert ratio[("Alchi", "Chang")] == (1.0, False)
    assert ratio[("Basgo", "Chang")] == (1.4, False)
    assert ratio[("Chang", "Chang bridge")] == (1.0, False)  # under 1 km: still a ratio
    assert ratio[("Alchi", "Dah")] == (None, True)  # no road: flagged, no ratio


def test_the_flag_ratio_is_the_callers():
    roads = make_roads(NODES, PAIRS)
    minutes = roads.edges["length_m"].to_numpy() / 1000
    rows = detours(roads, routing_graph(roads, minutes), arc_lengths(roads, minutes), PLACES,
                   flag_ratio=1.3)  # fmt: skip
    flagged = {(r["from"], r["to"]) for r in rows if r["flagged"]}
    assert ("Basgo", "Chang") in flagged and ("Alchi", "Chang") not in flagged
    assert np.isclose(rows[0]["detour_ratio"], 2.5)


# ----------------------------------------------- access: how many nearby nodes are tried


def _graph(node_xy, arcs_min):
    from scipy import sparse

    from sitesel.network.graph import RoutingGraph

    rows = [a for a, b, _ in arcs_min] + [b for a, b, _ in arcs_min]
    cols = [b for a, b, _ in arcs_min] + [a for a, b, _ in arcs_min]
    times = [t for *_, t in arcs_min] * 2
    n = len(node_xy)
    return RoutingGraph(sparse.csr_matrix((times, (rows, cols)), shape=(n, n)),
                        np.asarray(node_xy, dtype=float))  # fmt: skip


RING = [(100, 0), (0, 110), (-120, 0), (0, -130), (140, 0)]
"""Five nodes 100 to 140 m from the origin (or target) at (0, 0)."""


def test_an_origin_tries_its_four_nearest_usable_nodes_unless_told_more():
    """Four near nodes reach the target (node 5, 10 km east) in 60 minutes; the fifth,
    140 m away, in 1. Walking at 6 km/h (100 m a minute): 1.0 + 60 with four, 1.4 + 1 with
    five."""
    from sitesel.network.shortest_paths import time_to_nearest_target_min

    graph = _graph([*RING, (10_000, 0)], [(0, 5, 60.0), (1, 5, 60.0), (2, 5, 60.0),
                                          (3, 5, 60.0), (4, 5, 1.0)])  # fmt: skip
    kwargs = {"offroad_speed_kmh": 6.0, "max_offroad_m": 500.0}
    at = (np.array([[10_000.0, 0.0]]), np.array([[0.0, 0.0]]))
    assert np.allclose(time_to_nearest_target_min(graph, *at, **kwargs), [61.0])
    assert np.allclose(time_to_nearest_target_min(graph, *at, **kwargs, k_access=5), [2.4])


def test_a_target_joins_its_four_nearest_nodes_unless_told_more():
    """The target at (0, 0): only its fifth-nearest node (140 m) has a road, 1 minute to the
    origin's node 10 km east; with four it cannot be reached."""
    from sitesel.network.shortest_paths import time_to_nearest_target_min

    graph = _graph([*RING, (10_000, 0)], [(0, 1, 1.0), (2, 3, 1.0), (4, 5, 1.0)])
    kwargs = {"offroad_speed_kmh": 6.0, "max_offroad_m": 500.0}
    at = (np.array([[0.0, 0.0]]), np.array([[10_000.0, 0.0]]))
    assert np.isnan(time_to_nearest_target_min(graph, *at, **kwargs)).all()
    assert np.allclose(time_to_nearest_target_min(graph, *at, **kwargs, k_access=5), [2.4])


# ------------------------------------------------------ a network's checksum and subsets


def test_the_network_checksum_ignores_millimetres_and_sees_every_change():
    from sitesel.network.graph import edges_sha256

    nodes = [(0.0, 0.0), (1000.0, 0.0), (1000.0, 500.0)]
    base = make_roads(nodes, [(0, 1), (1, 2)], road_class=["NH", "MDR"])
    same = edges_sha256(base)
    again = make_roads(nodes, [(0, 1), (1, 2)], road_class=["NH", "MDR"])
    assert len(same) == 64 and same == edges_sha256(again)
    nudged = [(0.001, 0.0), (1000.0, 0.002), (1000.0, 500.0)]  # a reprojection's last bits
    assert edges_sha256(make_roads(nudged, [(0, 1), (1, 2)], road_class=["NH", "MDR"])) == same
    changed = {
        "a node moved 10 cm": make_roads([(0.1, 0.0), *nodes[1:]], [(0, 1), (1, 2)],
                                         road_class=["NH", "MDR"]),
        "an edge's far end": make_roads(nodes, [(0, 2), (1, 2)], road_class=["NH", "MDR"]),
        "an edge turned round": make_roads(nodes, [(1, 0), (1, 2)], road_class=["NH", "MDR"]),
        "a class": make_roads(nodes, [(0, 1), (1, 2)], road_class=["NH", "SH"]),
        "one way": make_roads(nodes, [(0, 1), (1, 2)], road_class=["NH", "MDR"],
                              oneway=[False, True]),
    }  # fmt: skip
    for what, roads in changed.items():
        assert edges_sha256(roads) != same, f"{what}: the manifest would say the same network"


def test_a_subset_of_edges_keeps_their_nodes_renumbered_in_order():
    from sitesel.network.graph import subset_edges

    nodes = [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)]
    roads = make_roads(nodes, [(0, 1), (3, 4), (1, 2), (4, 2)], road_class=["a", "b", "c", "d"])
    sub = subset_edges(roads, np.array([False, True, False, True]))
    assert sub.node_xy.tolist() == [[2.0, 0.0], [3.0, 0.0], [4.0, 0.0]]  # nodes 2, 3, 4
    assert sub.edges[["u", "v"]].to_numpy().tolist() == [[1, 2], [2, 0]]
    assert sub.edges["road_class"].tolist() == ["b", "d"]
    assert sub.edges.index.tolist() == [0, 1]
    for (u, v), line in zip(sub.edges[["u", "v"]].to_numpy(), sub.edges.geometry, strict=True):
        assert list(line.coords) == [tuple(sub.node_xy[u]), tuple(sub.node_xy[v])]
