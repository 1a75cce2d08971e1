"""Workforce accessibility in Bihar: people of all 92,423 PMGSY habitations within 30
minutes by road of each candidate site of configs/bihar_kesaria.yaml.

Both sides do the same work on the same graph (the repaired OSM road graph sitesel builds,
the same snapping of sites and habitations to their nearest node, at most 3 km off-road at
5 km/h): sitesel's ``access`` (one bounded Dijkstra per habitation node, scipy, binned
arrival times) against what an analyst would write with networkx: a bounded
``single_source_dijkstra_path_length`` from each site node, summing the people of the
habitation nodes reached. Median of 3 runs on each side; the largest difference between
the two answers is printed too (sitesel bins times to 0.25 min).

    python benchmarks/bihar_workforce.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
from _common import median_of, report

from sitesel.api import load_config
from sitesel.config import load_catalog
from sitesel.data.loader import LayerLoader
from sitesel.network.accessibility import access, step_decay
from sitesel.pipeline import inputs

ROOT = Path(__file__).resolve().parents[1]
CUTOFF_MIN = 30.0
OFFROAD_KMH = 5.0
MAX_OFFROAD_M = 3_000.0


def networkx_people_within(graph: Any, sites_xy: np.ndarray, habs_xy: np.ndarray,
                           people: np.ndarray) -> np.ndarray:  # fmt: skip
    """The analyst's version: one bounded Dijkstra per site node with networkx."""
    g = nx.DiGraph()
    coo = graph.forward.tocoo()
    g.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    per_min = OFFROAD_KMH * 1000 / 60
    d_h, n_h = graph.tree.query(habs_xy, distance_upper_bound=MAX_OFFROAD_M)
    joined = np.isfinite(d_h)
    node_people: dict[int, list[tuple[float, float]]] = {}
    for node, leg, p in zip(n_h[joined], d_h[joined] / per_min, people[joined], strict=True):
        node_people.setdefault(int(node), []).append((float(leg), float(p)))
    d_s, n_s = graph.tree.query(sites_xy, distance_upper_bound=MAX_OFFROAD_M)
    out = np.full(len(sites_xy), np.nan)
    for k, (node, dist) in enumerate(zip(n_s, d_s, strict=True)):
        if not np.isfinite(dist):
            continue
        leg = dist / per_min
        reach = nx.single_source_dijkstra_path_length(g, int(node), cutoff=CUTOFF_MIN - leg)
        out[k] = sum(
            p
            for target, t in reach.items()
            for h_leg, p in node_people.get(target, ())
            if leg + t + h_leg <= CUTOFF_MIN
        )
    return out


def main() -> None:
    data_dir = Path(os.environ.get("SITESEL_DATA_DIR", ROOT.parent / "shared" / "data"))
    study = load_config(ROOT / "configs" / "bihar_kesaria.yaml")
    config = study.config
    loader = LayerLoader(load_catalog(study.catalog_path), data_dir, offline=True)
    area = inputs.study_area(config, loader, study.path)
    sites = inputs.candidate_sites(config, loader, area).frame
    assert config.network is not None
    network = inputs.road_network(config.network, loader, area, None)
    graph = network.model.graphs[None]
    habs = gpd.read_file(data_dir / "bihar" / "pmgsy_habitations_bihar.zip").to_crs(area.crs)
    habs_xy = np.column_stack([habs.geometry.x, habs.geometry.y])
    people = habs["TOT_POPULA"].to_numpy(dtype=float)
    centres = sites.geometry.centroid
    sites_xy = np.column_stack([centres.x, centres.y])
    decay, limit = step_decay(CUTOFF_MIN)

    def ours() -> np.ndarray:
        return access(
            graph, habs_xy, people, sites_xy, decay=decay, limit_min=limit,
            offroad_speed_kmh=OFFROAD_KMH, max_offroad_m=MAX_OFFROAD_M,
        )  # fmt: skip

    seconds, mine = median_of(ours)
    ref_seconds, theirs = median_of(
        lambda: networkx_people_within(graph, sites_xy, habs_xy, people)
    )
    both = np.isfinite(mine) & np.isfinite(theirs)
    rel = np.abs(mine[both] - theirs[both]) / np.maximum(theirs[both], 1)
    report(
        "bihar_workforce_30min",
        f"{len(sites)} sites x {len(habs):,} habitations, {graph.n_nodes:,} nodes",
        seconds,
        "networkx bounded Dijkstra per site (same graph and snapping), median of 3",
        ref_seconds,
        max_relative_difference=round(float(rel.max()), 4) if rel.size else None,
        median_relative_difference=round(float(np.median(rel)), 5) if rel.size else None,
        median_people=round(float(np.nanmedian(mine))),
    )


if __name__ == "__main__":
    main()
