"""Grade-aware times, closure scenarios, maxspeed, accessibility, and the PMGSY network."""

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pyproj
import pytest
import shapely
from affine import Affine

from sitesel._typing import Dem
from sitesel.config import NetworkSpec
from sitesel.data.points import read_runways_csv
from sitesel.data.vector import read_vector
from sitesel.network.accessibility import access, exponential_decay, step_decay
from sitesel.network.repair import road_edges_from_lines
from sitesel.network.scenarios import build_network
from sitesel.network.shortest_paths import arc_lengths, route, time_to_nearest_target_min

from .test_network import make_roads

UTM43 = pyproj.CRS.from_epsg(32643)


def ramp_dem(rise=0.1, size=200, cell=30.0, x0=0.0, y0=6000.0):
    """A plane rising `rise` m per m eastwards, on a grid whose top-left is (x0, y0)."""
    x = x0 + cell * (np.arange(size) + 0.5)
    z = np.tile(1000 + rise * (x - x0), (size, 1))
    return Dem(elevation_m=z, transform=Affine(cell, 0, x0, 0, -cell, y0), crs=UTM43)


def spec(**kw):
    return NetworkSpec(roads="r", speeds_kmh={"road": 60}, **kw)


def test_grade_slows_uphill_more_than_downhill_on_a_known_ramp():
    roads = make_roads([(1000, 3000), (2000, 3000)], [(0, 1)])  # 1 km eastwards: 10 % up
    net = build_network(roads, spec(grade={"sample_m": 25}), dem=ramp_dem(), closure_areas={})
    # 60 km/h is 1 km/min: uphill factor 1 - 0.03 x 10 = 0.7, downhill 1 - 0.01 x 10 = 0.9.
    assert net.forward_min[0] == pytest.approx(1 / 0.7, rel=1e-6)
    assert net.backward_min[0] == pytest.approx(1 / 0.9, rel=1e-6)
    flat = build_network(roads, spec(), dem=ramp_dem(), closure_areas={})
    assert flat.forward_min[0] == pytest.approx(1.0)


def test_grade_is_sampled_along_the_edge_not_only_at_its_ends():
    # Up 300 m and back down to the same height: ends are level, the road is not.
    z = np.full((100, 100), 1000.0)
    z[:, 45:55] = 1300.0
    dem = Dem(z, Affine(30, 0, 0, 0, -30, 3000), UTM43)
    roads = make_roads([(300, 1500), (2700, 1500)], [(0, 1)])
    net = build_network(roads, spec(grade={"sample_m": 10}), dem=dem, closure_areas={})
    assert net.forward_min[0] > 2.4 * 1.05  # slower than the 2.4 minutes of a level road
    assert net.max_elevation_m[0] == pytest.approx(1300, abs=1)


def two_valleys():
    """Valley A (nodes 0-1) and valley B (2-3) joined only by a pass road 1-2 at 5,200 m."""
    xy = [(0, 0), (1000, 0), (2000, 0), (3000, 0)]
    roads = make_roads(xy, [(0, 1), (1, 2), (2, 3)])
    roads.edges["name"] = ["valley road", "Khardung La road", "other valley road"]
    z = np.full((10, 40), 3500.0)
    z[:, 19:22] = 5200.0  # the pass: x from 1400 to 1700
    dem = Dem(z, Affine(100, 0, -500, 0, -100, 500), UTM43)
    return roads, dem


@pytest.mark.parametrize("closure", [{"above_m": 5000}, {"road_name_matches": "khardung"}])
def test_a_closed_pass_cuts_one_valley_off_in_winter(closure):
    roads, dem = two_valleys()
    net = build_network(
        roads, spec(scenarios={"winter": {"close": [closure]}}), dem=dem, closure_areas={}
    )
    assert net.closed == {"winter": 1}
    target, sites = np.array([[0.0, 0.0]]), np.array([[1000.0, 0.0], [3000.0, 0.0]])
    kw = {"offroad_speed_kmh": 5, "max_offroad_m": 100}
    summer = time_to_nearest_target_min(net.graphs[None], target, sites, **kw)
    winter = time_to_nearest_target_min(net.graphs["winter"], target, sites, **kw)
    np.testing.assert_allclose(summer, [1, 3])
    assert winter[0] == pytest.approx(1) and np.isnan(winter[1])  # cut off, not "huge"


def test_closure_by_polygon():
    roads, _ = two_valleys()
    area = shapely.box(1400, -100, 1600, 100)
    net = build_network(
        roads,
        spec(scenarios={"flood": {"close": [{"within": {"layer": "x"}}]}}),
        dem=None,
        closure_areas={("flood", 0): area},
    )
    assert net.closed == {"flood": 1}


def test_plausible_maxspeed_overrides_the_class_speed():
    roads = make_roads([(0, 0), (1000, 0), (2000, 0)], [(0, 1), (1, 2)])
    roads.edges["maxspeed"] = ["30", "IN:urban"]
    net = build_network(roads, spec(), dem=None, closure_areas={})
    np.testing.assert_allclose(net.forward_min, [2.0, 1.0])  # 30 km/h; class speed 60 km/h
    ignored = build_network(roads, spec(use_maxspeed=False), dem=None, closure_areas={})
    np.testing.assert_allclose(ignored.forward_min, [1.0, 1.0])


def random_roads(seed, n=30):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 20_000, (n, 2))
    pairs = set()
    for i in range(n):  # connect each node to its 3 nearest
        for j in np.argsort(np.hypot(*(xy - xy[i]).T))[1:4]:
            pairs.add((min(i, int(j)), max(i, int(j))))
    return make_roads(xy, sorted(pairs)), xy, rng


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cumulative_opportunities_match_brute_force(seed):
    roads, xy, rng = random_roads(seed)
    time_min = roads.edges["length_m"].to_numpy() / 500  # 30 km/h
    net_graph = build_network(
        roads, NetworkSpec(roads="r", default_speed_kmh=30), dem=None, closure_areas={}
    ).graphs[None]
    opp = xy[rng.choice(len(xy), 8, replace=False)] + 20  # 20 m off their node
    w = rng.integers(1, 100, len(opp)).astype(float)
    sites = xy[rng.choice(len(xy), 10, replace=False)] + 30
    decay, limit = step_decay(25)
    got = access(
        net_graph,
        opp,
        w,
        sites,
        decay=decay,
        limit_min=limit,
        offroad_speed_kmh=5,
        max_offroad_m=200,
    )
    g = nx.Graph()
    for (a, b), t in zip(
        zip(roads.edges["u"], roads.edges["v"], strict=True), time_min, strict=True
    ):
        g.add_edge(int(a), int(b), t=t)
    leg = lambda p: np.hypot(*(xy - p).T).min() / (5000 / 60)  # noqa: E731
    node = lambda p: int(np.argmin(np.hypot(*(xy - p).T)))  # noqa: E731
    for s, value in zip(sites, got, strict=True):
        lengths = nx.single_source_dijkstra_path_length(g, node(s), weight="t")
        times = np.array([lengths.get(node(o), np.inf) + leg(o) + leg(s) for o in opp])
        low, high = w[times <= 25 - 0.25].sum(), w[times <= 25 + 0.25].sum()
        assert low <= value <= high


def test_gravity_exponential_decay_by_hand():
    roads = make_roads([(0, 0), (10_000, 0)], [(0, 1)])
    g = build_network(
        roads, NetworkSpec(roads="r", default_speed_kmh=60), dem=None, closure_areas={}
    ).graphs[None]
    decay, limit = exponential_decay(10)
    value = access(
        g,
        np.array([[10_000.0, 0.0]]),
        np.array([1000.0]),
        np.array([[0.0, 0.0]]),
        decay=decay,
        limit_min=limit,
        offroad_speed_kmh=5,
        max_offroad_m=10,
    )
    assert value[0] == pytest.approx(1000 * 2 ** (-10 / 10), rel=0.02)  # 10 min: half


def test_pmgsy_leh_to_kargil_and_to_the_airport(data_dir):
    lines = read_vector(data_dir / "ladakh" / "pmgsy_roads_ladakh.zip", layer="r").to_crs(UTM43)
    roads, _ = road_edges_from_lines(
        lines, class_column="RoadCatego", name_column="RoadName", snap_tolerance_m=50
    )
    speeds = {"NH": 40, "SH": 35, "MDR": 30, "BR": 25, "RR(ODR)": 25, "RR(VR)": 20, "RR(TRACK)": 10}
    net = build_network(
        roads, NetworkSpec(roads="r", speeds_kmh=speeds), dem=None, closure_areas={}
    )
    g = net.graphs[None]
    hq = gpd.read_file(data_dir / "ladakh" / "ladakh_subdistrict_hq.geojson").to_crs(UTM43)
    runways = read_runways_csv(data_dir / "india" / "airport_runways_in.csv", layer="a")
    airport = runways[runways["airport_ident"] == "VILH"].to_crs(UTM43).geometry.iloc[0]
    node = lambda p: int(g.tree.query([p.x, p.y])[1])  # noqa: E731
    leh = hq.loc[hq["NAME11"] == "Leh"].geometry.iloc[0]
    kargil = hq.loc[hq["NAME11"] == "Kargil"].geometry.iloc[0]
    lengths = arc_lengths(roads, net.forward_min, net.backward_min)
    minutes, metres, _ = route(g, lengths, node(leh), node(kargil))
    # With one 50 m tolerance for every class the route is ~261 km (gaps in NH 1 send it
    # through villages); tests/test_real_world.py checks the repaired network of leh.yaml.
    assert 200_000 < metres < 300_000 and 5 * 60 < minutes < 10 * 60
    minutes, metres, _ = route(g, lengths, node(leh), node(airport))
    assert 1_000 < metres < 8_000 and minutes < 20
    assert math.isfinite(minutes)


def test_a_margin_narrower_than_a_criterions_reach_is_reported(tmp_path, data_dir, caplog):
    """Issue 13: the road network's margin must cover the longest travel time a criterion
    counts (people within 30 min at Leh's fastest 40 km/h: 20 km); the run says so."""
    import yaml

    import sitesel

    from ..cases import leh_dict

    config = leh_dict()
    config["study_area"]["buffer_km"] = 8
    config["network"]["margin_km"] = 5
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(config))
    with caplog.at_level("WARNING", logger="sitesel"):
        result = sitesel.run(tmp_path / "case.yaml", data_dir=data_dir, offline=True)
    margin = result.manifest.road_graph["margin"]
    assert margin["fastest_kmh"] == 40.0  # NH at 40 km/h; grades only slow trucks down
    assert margin["needed_km"] == {"workforce_30min": 20.0} and margin["short"] == [
        "workforce_30min"
    ]
    assert "network.margin_km is 5" in caplog.text
    assert "raise network.margin_km to 20" in caplog.text
