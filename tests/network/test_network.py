import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from sitesel.network.graph import RoadEdges, connectivity_report, routing_graph
from sitesel.network.shortest_paths import time_to_nearest_target_min


def make_roads(node_xy, pairs, *, oneway=False, road_class="road"):
    node_xy = np.asarray(node_xy, dtype=float)
    u = np.array([p[0] for p in pairs])
    v = np.array([p[1] for p in pairs])
    geoms = shapely.linestrings(np.stack([node_xy[u], node_xy[v]], axis=1))
    edges = gpd.GeoDataFrame(
        {
            "u": u,
            "v": v,
            "length_m": shapely.length(geoms),
            "road_class": road_class,
            "oneway": oneway,
            "name": "",
        },
        geometry=geoms,
        crs="EPSG:32643",
    )
    return RoadEdges(node_xy=node_xy, edges=edges)


def grid_roads(n=3, spacing_m=1000.0):
    xy = [(i * spacing_m, j * spacing_m) for j in range(n) for i in range(n)]
    pairs = []
    for j in range(n):
        for i in range(n):
            k = j * n + i
            if i + 1 < n:
                pairs.append((k, k + 1))
            if j + 1 < n:
                pairs.append((k, k + n))
    return make_roads(xy, pairs)


def minutes_at(roads, speed_kmh):
    return roads.edges["length_m"].to_numpy() / (speed_kmh * 1000 / 60)


def test_grid_times_are_manhattan_minutes():
    roads = grid_roads()
    graph = routing_graph(roads, minutes_at(roads, 60))  # 1 km per minute
    origins = roads.node_xy.copy()
    times = time_to_nearest_target_min(
        graph,
        np.array([[0.0, 0.0]]),
        origins,
        offroad_speed_kmh=5,
        max_offroad_m=100,
    )
    expected = origins.sum(axis=1) / 1000
    np.testing.assert_allclose(times, expected, atol=1e-6)


def test_nearest_of_two_targets_and_offroad_legs():
    roads = grid_roads()
    graph = routing_graph(roads, minutes_at(roads, 60))
    # Targets 600 m off two opposite corners (7.2 min at 5 km/h); an origin 300 m off the centre.
    targets = np.array([[-600.0, 0.0], [2000.0, 2600.0]])
    times = time_to_nearest_target_min(
        graph,
        targets,
        np.array([[1000.0, 1300.0]]),
        offroad_speed_kmh=5,
        max_offroad_m=1000,
    )
    assert times[0] == pytest.approx(3.6 + 2 + 7.2)


def test_oneway_loop_goes_the_long_way_back():
    square = [(0, 0), (1000, 0), (1000, 1000), (0, 1000)]
    roads = make_roads(square, [(0, 1), (1, 2), (2, 3), (3, 0)], oneway=True)
    graph = routing_graph(roads, minutes_at(roads, 60))
    to_node0 = time_to_nearest_target_min(
        graph,
        np.array([[0.0, 0.0]]),
        np.array(square, dtype=float),
        offroad_speed_kmh=5,
        max_offroad_m=10,
    )
    np.testing.assert_allclose(to_node0, [0, 3, 2, 1], atol=1e-6)


def test_parallel_edges_keep_the_fastest():
    roads = make_roads([(0, 0), (1000, 0)], [(0, 1), (0, 1)])
    time_min = np.array([5.0, 2.0])
    graph = routing_graph(roads, time_min)
    assert graph.forward[0, 1] == pytest.approx(2.0)
    assert graph.forward[1, 0] == pytest.approx(2.0)


def test_disconnected_and_far_origins_are_nan():
    roads = make_roads([(0, 0), (1000, 0), (5000, 0), (6000, 0)], [(0, 1), (2, 3)])
    graph = routing_graph(roads, minutes_at(roads, 60))
    times = time_to_nearest_target_min(
        graph,
        np.array([[0.0, 0.0]]),
        np.array([[1000.0, 0.0], [6000.0, 0.0], [0.0, 50_000.0]]),
        offroad_speed_kmh=5,
        max_offroad_m=500,
    )
    assert times[0] == pytest.approx(1.0)
    assert np.isnan(times[1]) and np.isnan(times[2])


def test_connectivity_report_counts_pieces_and_length():
    roads = make_roads([(0, 0), (3000, 0), (5000, 0), (6000, 0)], [(0, 1), (2, 3)])
    report = connectivity_report(roads)
    assert report.n_components == 2
    assert report.largest_component_length_share == pytest.approx(0.75)
    assert report.length_km == pytest.approx(4.0)


def test_speeds_by_class_with_default():
    import pandas as pd

    from sitesel.network.speeds import edge_speeds_kmh

    speeds = edge_speeds_kmh(
        pd.Series(["NH", "RR(VR)", "odd"]), speeds_kmh={"NH": 40, "RR(VR)": 20}, default_kmh=15
    )
    assert speeds.tolist() == [40, 20, 15]


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 25), st.integers(0, 10_000), st.integers(1, 4))
def test_agrees_with_networkx_multi_source_dijkstra(n, seed, n_targets):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, size=(n, 2))
    m = n * 2
    pairs = [tuple(p) for p in rng.integers(0, n, size=(m, 2)) if p[0] != p[1]]
    if not pairs:
        return
    oneway = rng.random(len(pairs)) < 0.3
    roads = make_roads(xy, pairs)
    roads.edges["oneway"] = oneway
    time_min = rng.uniform(0.5, 30, len(pairs))
    graph = routing_graph(roads, time_min)
    targets = rng.choice(n, size=min(n_targets, n), replace=False)
    got = time_to_nearest_target_min(
        graph, xy[targets], xy, offroad_speed_kmh=5, max_offroad_m=1e-6, k_access=1
    )
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for (a, b), t, one in zip(pairs, time_min, oneway, strict=True):
        for s, d in [(a, b)] + ([] if one else [(b, a)]):
            if not g.has_edge(s, d) or g[s][d]["t"] > t:
                g.add_edge(s, d, t=t)
    expected = nx.multi_source_dijkstra_path_length(g.reverse(), set(targets.tolist()), weight="t")
    for node in range(n):
        if node in expected:
            assert got[node] == pytest.approx(expected[node], abs=1e-6)
        else:
            assert np.isnan(got[node])
