"""Routing at scale: graph construction, nearest-target times, cumulative opportunities.

Synthetic road-like graphs: a grid of nodes 100 m apart, jittered by up to 30 m, every
street two-way, speeds 20-60 km/h. Sizes are arcs (one per direction). Each size runs in
its own process so that its peak memory (``peak_rss_mb``) is its own.

References measured in the same run, every side the median of 3 runs:
- graph construction: a networkx ``MultiDiGraph`` of the same arcs (what osmnx holds);
- nearest-target times from 50 targets: a bare ``scipy.sparse.csgraph.dijkstra(...,
  min_only=True)`` on the same CSR matrix, and networkx's multi-source Dijkstra (the
  networkx route osmnx uses) up to 1M arcs;
- cumulative opportunities (100k sites x 1,000 points within 60 minutes, on the 1M-arc
  graph; on 100k arcs with --quick): one
  nearest-target query on the same graph, as the unit of cost.

    python benchmarks/network.py            # 10k, 100k, 1M, 5M arcs and the PMGSY network
    python benchmarks/network.py --quick    # 10k and 100k arcs
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from _common import median_of, report
from scipy.sparse import csgraph

from sitesel.network.accessibility import access, step_decay
from sitesel.network.graph import RoadEdges, routing_graph

NETWORKX_MAX_ARCS = 1_200_000


def grid_graph(arcs: int, seed: int = 0) -> tuple[RoadEdges, np.ndarray]:
    """A jittered grid with about ``arcs`` arcs; returns the roads and edge minutes."""
    side = int(np.sqrt(arcs / 4)) + 1
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    xy = np.column_stack([ii.ravel() * 100.0, jj.ravel() * 100.0]) + rng.uniform(
        -30, 30, (side * side, 2)
    )
    idx = np.arange(side * side).reshape(side, side)
    u = np.concatenate([idx[:-1, :].ravel(), idx[:, :-1].ravel()])
    v = np.concatenate([idx[1:, :].ravel(), idx[:, 1:].ravel()])
    length = np.hypot(*(xy[u] - xy[v]).T)
    edges = pd.DataFrame(
        {"u": u, "v": v, "length_m": length, "road_class": "road", "oneway": False}
    )
    minutes = length / (rng.uniform(20, 60, len(u)) * 1000 / 60)
    return RoadEdges(node_xy=xy, edges=edges), minutes  # type: ignore[arg-type]


def run_size(arcs: int) -> None:
    started = time.perf_counter()
    roads, minutes = grid_graph(arcs)
    n_arcs = 2 * len(roads.edges)
    label = f"{n_arcs} arcs"
    build_s, graph = median_of(lambda: routing_graph(roads, minutes), 3)
    rng = np.random.default_rng(1)
    targets = rng.choice(len(roads.node_xy), 50, replace=False)
    zeros = np.zeros(len(targets))
    ours_s, ours = median_of(lambda: graph.times_to(targets, zeros), 3)
    bare_s, bare = median_of(
        lambda: csgraph.dijkstra(graph.reverse, directed=True, indices=targets, min_only=True),
        3,
    )
    assert np.allclose(ours, bare)
    if n_arcs <= NETWORKX_MAX_ARCS:
        nx_build_s, g = median_of(lambda: _networkx_graph(roads, minutes), 3)
        report("graph_construction", label, build_s, "networkx_multidigraph", nx_build_s)
        nx_s, _ = median_of(
            lambda: nx.multi_source_dijkstra_path_length(
                g.reverse(copy=False), set(targets.tolist()), weight="t"
            ),
            3,
        )
        report("nearest_target_50", label, ours_s, "networkx_multi_source_dijkstra", nx_s)
        del g
    else:
        report(
            "graph_construction",
            label,
            build_s,
            "networkx_multidigraph",
            float("nan"),
            note="networkx not run above 1.2M arcs",
        )
    report("nearest_target_50", label, ours_s, "scipy_dijkstra_min_only", bare_s)
    if arcs == 1_000_000 or os.environ.get("SITESEL_BENCH_ACCESS"):
        sites = rng.uniform(roads.node_xy.min(0), roads.node_xy.max(0), (100_000, 2))
        points = rng.uniform(roads.node_xy.min(0), roads.node_xy.max(0), (1_000, 2))
        weights = rng.integers(1, 1000, 1_000).astype(float)
        decay, limit = step_decay(60)
        acc_s, _ = median_of(
            lambda: access(
                graph,
                points,
                weights,
                sites,
                decay=decay,
                limit_min=limit,
                offroad_speed_kmh=5,
                max_offroad_m=500,
            ),
            1,
        )
        report(
            "cumulative_opportunities_60min",
            f"100000 sites x 1000 points, {label}",
            acc_s,
            "nearest_target_50",
            ours_s,
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report(
        "whole_size_run",
        label,
        time.perf_counter() - started,
        "none",
        0.0,
        peak_rss_mb=round(peak_mb),
        peak_rss_budget_mb=3072,
    )


def _networkx_graph(roads: RoadEdges, minutes: np.ndarray) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    u = roads.edges["u"].to_numpy()
    v = roads.edges["v"].to_numpy()
    length = roads.edges["length_m"].to_numpy()
    g.add_edges_from(
        (int(a), int(b), {"t": t, "length": m})
        for a, b, t, m in zip(u, v, minutes, length, strict=True)
    )
    g.add_edges_from(
        (int(b), int(a), {"t": t, "length": m})
        for a, b, t, m in zip(u, v, minutes, length, strict=True)
    )
    return g


def run_pmgsy() -> None:
    from sitesel.data.vector import read_vector
    from sitesel.network.graph import connectivity_report
    from sitesel.network.repair import road_edges_from_lines

    data = Path(os.environ.get("SITESEL_DATA_DIR", Path(__file__).parents[2] / "shared/data"))
    lines = read_vector(data / "ladakh/pmgsy_roads_ladakh.zip", layer="pmgsy").to_crs(32643)
    build_s, (roads, _) = median_of(
        lambda: road_edges_from_lines(lines, class_column="RoadCatego", snap_tolerance_m=50), 3
    )
    minutes = roads.edges["length_m"].to_numpy() / (25 * 1000 / 60)
    graph = routing_graph(roads, minutes)
    targets = np.random.default_rng(0).choice(len(roads.node_xy), 50, replace=False)
    ours_s, _ = median_of(lambda: graph.times_to(targets, np.zeros(50)), 3)
    bare_s, _ = median_of(
        lambda: csgraph.dijkstra(graph.reverse, directed=True, indices=targets, min_only=True), 3
    )
    conn = connectivity_report(roads)
    report(
        "pmgsy_noding_snapping",
        f"1015 lines -> {conn.n_edges} edges",
        build_s,
        "none",
        0.0,
        components=conn.n_components,
    )
    report(
        "nearest_target_50",
        f"PMGSY Ladakh {2 * conn.n_edges} arcs",
        ours_s,
        "scipy_dijkstra_min_only",
        bare_s,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.size:
        run_size(args.size)
        return
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000, 5_000_000]
    for arcs in sizes:
        env = dict(os.environ, SITESEL_BENCH_ACCESS="1" if args.quick and arcs == 100_000 else "")
        out = subprocess.run(
            [sys.executable, __file__, "--size", str(arcs)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        for line in out.stdout.splitlines():
            json.loads(line)  # one JSON object per line
            print(line, flush=True)
    run_pmgsy()


if __name__ == "__main__":
    main()
