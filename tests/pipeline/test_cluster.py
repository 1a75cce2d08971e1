"""Criteria on a dask.distributed cluster give the same results as one process (issue 13)."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from sitesel.errors import ConfigError
from sitesel.pipeline.cluster import ClusterSpec, merge_tiles, parse_cluster, tiles
from sitesel.pipeline.scoring import Measured

from ..cases import sitesel
from ..conftest import ROOT

OUTPUTS = ["ranking.csv", "robustness.csv", "stability.csv", "regions.csv", "smaa.csv"]


def run_leh(tmp_path, data_dir, cluster):
    out = tmp_path / "out"
    result = sitesel(
        "run", ROOT / "configs" / "leh.yaml", "--out", out, "--map", tmp_path / "leh.html",
        "--data-dir", data_dir, "--offline", "--cluster", cluster,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_a_local_cluster_run_writes_the_same_tables(leh_run, tmp_path, data_dir):
    """Two worker processes, 8 tiles of sites: every output table is byte for byte the
    single-process run's."""
    out = run_leh(tmp_path, data_dir, "local:2")
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (leh_run / "run" / name).read_bytes(), name


def test_a_run_on_a_running_scheduler(leh_run, tmp_path, data_dir):
    """--cluster tcp://host:port reaches a scheduler started elsewhere (here: in the test)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        out = run_leh(tmp_path, data_dir, cluster.scheduler_address)
    ranking = (out / "ranking.csv").read_bytes()
    assert ranking == (leh_run / "run" / "ranking.csv").read_bytes()


@pytest.mark.parametrize("text", ["local:0", "local:x", "local", "http://host:8786", "tcp://h"])
def test_a_cluster_that_is_not_one(text):
    with pytest.raises(ConfigError, match="expected local:N"):
        parse_cluster(text)
    result = sitesel("run", ROOT / "configs" / "leh.yaml", "--cluster", text, "--offline")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"sitesel: error: --cluster: expected local:N (N worker processes here) or"
        f" tcp://host:port (a running dask scheduler), found {text!r}"
    ]


def test_tiles_cover_every_site_once_and_merge_back_in_order():
    rng = np.random.default_rng(3)
    points = gpd.GeoSeries(shapely.points(rng.random(50), rng.random(50)))
    parts = tiles(points, 7)
    assert len(parts) == 7 and sorted(np.concatenate(parts).tolist()) == list(range(50))
    values = rng.random(50)
    results = [
        Measured(
            raw={"a": values[idx], "b": -values[idx]},
            missing_reasons={"a": "why"},
            targets={},
            evaluated={"a": values[idx] > 0.5},
        )
        for idx in parts
    ]
    merged = merge_tiles(results, parts, 50, ["a", "b"])
    assert np.array_equal(merged.raw["a"], values) and np.array_equal(merged.raw["b"], -values)
    assert np.array_equal(merged.evaluated["a"], values > 0.5) and merged.evaluated["b"].all()
    assert merged.missing_reasons == {"a": "why"}
    assert str(ClusterSpec(workers=3)) == "local:3"


def test_a_scheduler_that_does_not_answer(monkeypatch, tmp_path, data_dir):
    from sitesel.pipeline import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    result = sitesel(
        "run", ROOT / "configs" / "leh.yaml", "--out", tmp_path / "out", "--map",
        tmp_path / "m.html", "--data-dir", data_dir, "--offline", "--cluster",
        "tcp://127.0.0.1:9",
    )  # fmt: skip
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        "sitesel: error: --cluster tcp://127.0.0.1:9: no dask scheduler answered"
    )
    assert not (tmp_path / "out").exists()  # nothing half-written


def grid_graph(rng, size_km=100.0, step_m=1000.0):
    """A square road grid with random speeds (20-60 km/h) on each street segment."""
    from scipy import sparse

    from sitesel.network.graph import RoutingGraph

    n = int(size_km * 1000 / step_m) + 1
    x, y = np.meshgrid(np.arange(n) * step_m, np.arange(n) * step_m)
    ids = np.arange(n * n).reshape(n, n)
    a = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    b = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    minutes = step_m / 1000 / rng.uniform(20, 60, len(a)) * 60
    forward = sparse.csr_matrix(
        (np.concatenate([minutes, minutes]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n * n, n * n),
    )
    return RoutingGraph(forward, np.column_stack([x.ravel(), y.ravel()]))


def test_a_tile_with_its_network_piece_gets_the_whole_networks_values():
    """Issue 13, the network in tiles: a tile of sites routed on only the nodes within the
    margin (longest counted time at the fastest displacement, plus three off-road legs)
    gets exactly the values of the whole network, for travel times to targets (node times
    found on the whole) and for people within 20 minutes; a piece cut too small does not."""
    from sitesel.network.accessibility import access, step_decay
    from sitesel.network.scenarios import NetworkModel
    from sitesel.network.shortest_paths import (
        node_times_to_targets,
        time_to_nearest_target_min,
        times_via_nodes,
    )
    from sitesel.network.tiling import fastest_displacement_kmh, network_piece, tile_margin

    rng = np.random.default_rng(11)
    graph = grid_graph(rng)
    model = NetworkModel(forward_min=np.empty(0), backward_min=np.empty(0), graphs={None: graph})
    sites = rng.uniform(46_000, 54_000, (300, 2))  # a tile amid 100 km of roads
    people = rng.uniform(0, 100_000, (5_000, 2))
    weights = rng.integers(1, 500, len(people)).astype(float)
    towns = np.array([[2_000.0, 3_000.0], [98_000.0, 95_000.0]])  # outside the piece
    legs = {"offroad_speed_kmh": 5.0, "max_offroad_m": 1_000.0}
    decay, limit = step_decay(20)
    margin = tile_margin({"people_20min": 20}, fastest_displacement_kmh(graph), 1_000.0)
    bounds = (*sites.min(axis=0), *sites.max(axis=0))
    piece, nodes = network_piece(model, bounds, margin.margin_m)
    assert len(nodes) < 0.4 * graph.n_nodes  # a real piece, not the whole

    whole_time = time_to_nearest_target_min(graph, towns, sites, **legs)
    node_time = node_times_to_targets(graph, towns, **legs)
    piece_time = times_via_nodes(piece.graphs[None], node_time[nodes], sites, **legs)
    assert np.isfinite(whole_time).all() and np.array_equal(piece_time, whole_time)

    def people_within(g):
        return access(g, people, weights, sites, decay=decay, limit_min=limit, **legs)

    counted = people_within(graph)
    assert counted.min() > 0 and np.array_equal(people_within(piece.graphs[None]), counted)
    small, _ = network_piece(model, bounds, margin.margin_m / 4)
    assert (people_within(small.graphs[None]) < counted).any()  # the margin matters


def test_a_network_criterion_without_a_time_bound_gets_the_whole_network(caplog):
    """A plugin's network criterion that says no reach_min cannot be tiled safely: the plan
    sends the whole network; with only bounded criteria the plan has a margin."""
    from types import SimpleNamespace
    from typing import Literal

    from sitesel.config import NetworkCriterionSpec, NetworkSpec
    from sitesel.criteria import CriterionContext
    from sitesel.criteria.opportunities import OpportunitiesCriterion
    from sitesel.network.scenarios import NetworkModel
    from sitesel.pipeline.cluster import plan_network

    class Unbounded(NetworkCriterionSpec):
        kind: Literal["unbounded"]

    graph = grid_graph(np.random.default_rng(1), size_km=10.0)
    ctx = CriterionContext(
        sites=gpd.GeoDataFrame(geometry=[]), select=lambda *_: None,
        network=NetworkModel(np.empty(0), np.empty(0), graphs={None: graph}),
        network_spec=NetworkSpec(roads="roads", max_offroad_km=1.0),
    )  # fmt: skip
    jobs = OpportunitiesCriterion(kind="opportunities", to={"layer": "jobs"}, within_min=30)
    bounded = plan_network(SimpleNamespace(criteria={"jobs_30min": jobs}), ctx)
    assert bounded.margin is not None and bounded.margin.longest_min == 30
    with caplog.at_level("INFO", logger="sitesel"):
        plan = plan_network(
            SimpleNamespace(criteria={"jobs_30min": jobs, "x": Unbounded(kind="unbounded")}),
            ctx,
        )  # fmt: skip
    assert plan.margin is None and "criteria.x has no time bound" in caplog.text
