"""The allocation stage: the config's location problems solved over the ranked sites.

Candidates are the ranked sites (the top N, or those above a suitability, plus the
required ones); demand is a point layer with a weight; the times are the road network's
(:func:`~sitesel.network.od_matrix.od_minutes`, off-road legs as the criteria count
them). Each problem is solved exactly when its programme is small enough, else by the
heuristic with a Lagrangian bound (:mod:`sitesel.allocation.problems`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from sitesel._typing import BoolArray, FloatArray
from sitesel.allocation.candidates import candidate_rows, check_k
from sitesel.allocation.demand import demand_points
from sitesel.allocation.draws import chosen_share, share_record
from sitesel.allocation.instance import build_instance, covered, uncovered
from sitesel.allocation.problems import assignment
from sitesel.allocation.solvers import solve
from sitesel.allocation.tables import problem_record, site_table, sparse_matrix
from sitesel.config import Config, NetworkSpec, Selection
from sitesel.config.allocation import AllocationSpec
from sitesel.errors import ConfigError
from sitesel.network.od_matrix import od_minutes
from sitesel.network.scenarios import NetworkModel
from sitesel.units import M_PER_KM

log = logging.getLogger(__name__)

Select = Callable[[Selection, str], gpd.GeoDataFrame]


@dataclass(frozen=True)
class Allocation:
    """Every problem's answer, in the tables the run folder holds.

    Attributes
    ----------
    sites
        One row per chosen site: ``problem``, ``site_id``, ``place``, ``suitability``,
        ``rank``, ``demand_served``, ``mean_min``, ``worst_min``, ``coverage_share``,
        ``chosen_share`` (the share of the Monte Carlo weight draws whose re-solve chose
        the site; NaN when suitability is not in the objective or there are no draws).
    demand
        One row per demand point: ``problem``, ``demand_id``, ``name``, ``weight``,
        ``site_id`` (assigned; empty when none), ``minutes``, ``covered``; points.
    matrix
        The sparse candidate-by-demand minutes used: ``problem``, ``candidate``,
        ``demand``, ``minutes`` (pairs within the cutoff).
    records
        Per problem, what the manifest records: problem, k, T, objective, bound, gap,
        solver, seconds, candidates, demand counts.
    """

    sites: pd.DataFrame
    demand: gpd.GeoDataFrame
    matrix: pd.DataFrame
    records: dict[str, dict[str, Any]]


def run_allocation(
    config: Config,
    sites: gpd.GeoDataFrame,
    network: NetworkModel | None,
    select: Select,
    source: str,
    area: BaseGeometry,
    suitability_draws: FloatArray | None = None,
) -> Allocation | None:
    """Solve every problem of ``config.allocation`` (None when it has none).

    ``suitability_draws`` (``(n_draws, n_sites)``, from :func:`suitability_under_draws`)
    are the sites' suitability under the Monte Carlo weight draws: a problem with
    ``suitability_weight`` is re-solved with each, to say how often each site is chosen.

    Raises
    ------
    ConfigError
        For a problem that cannot be posed: no candidate, k above the candidates, zero
        demand, T covering nothing, an unknown or excluded required site.
    SolverError
        When the solver finds no feasible answer.
    """
    if not config.allocation:
        return None
    assert network is not None and config.network is not None  # validated with the config
    parts = [
        _solve_one(
            name, spec, sites, network, config.network, select, source, area, suitability_draws
        )
        for name, spec in config.allocation.items()
    ]
    return Allocation(
        sites=pd.concat([p[0] for p in parts], ignore_index=True),
        demand=gpd.GeoDataFrame(pd.concat([p[1] for p in parts], ignore_index=True), crs=sites.crs),
        matrix=pd.concat([p[2] for p in parts], ignore_index=True),
        records={name: p[3] for name, p in zip(config.allocation, parts, strict=True)},
    )


def check_demand_sizes(config: Config, count: Callable[[str], int], source: str) -> None:
    """Refuse a demand layer of more points than its problem allows, before any work.

    ``count`` gives a fetched layer's feature count without reading it.

    Raises
    ------
    ConfigError
        Naming the problem, the layer, its size, the limit and the ways out.
    """
    for name, spec in config.allocation.items():
        n = count(spec.demand.layer)
        if n > spec.demand.max_points:
            raise ConfigError(
                f"{source}: allocation.{name}.demand: layer {spec.demand.layer!r} has {n:,}"
                f" features, more than demand.max_points ({spec.demand.max_points:,}); aggregate"
                " the demand (to villages or blocks), select part of it with where:, or raise"
                f" allocation.{name}.demand.max_points"
            )


def suitability_under_draws(
    config: Config,
    rescore: Callable[[FloatArray], FloatArray],
    candidates: BoolArray,
    draws: FloatArray | None,
) -> FloatArray | None:
    """Every site's suitability under the first weight draws the allocation needs.

    Parameters
    ----------
    rescore
        Weight draws ``(d, n_criteria)`` to the candidates' suitability ``(d, n_in_play)``
        (the scoring's aggregator, candidates in ``np.flatnonzero(candidates)`` order).
    candidates
        The sites not excluded.
    draws
        The robustness stage's Monte Carlo weight draws (None: there are none).

    Returns
    -------
    ``(n_draws, n_sites)``, NaN for excluded sites; None when no problem blends
    suitability into its objective or there are no draws.
    """
    wanted = max(
        (s.robustness_draws for s in config.allocation.values() if s.suitability_weight > 0),
        default=0,
    )
    if draws is None or wanted == 0 or not candidates.any():
        return None
    draws = draws[:wanted]
    full = np.full((len(draws), len(candidates)), np.nan)
    full[:, candidates] = rescore(draws)
    return full


def _solve_one(
    name: str,
    spec: AllocationSpec,
    sites: gpd.GeoDataFrame,
    network: NetworkModel,
    net: NetworkSpec,
    select: Select,
    source: str,
    area: BaseGeometry,
    suitability_draws: FloatArray | None,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame, pd.DataFrame, dict[str, Any]]:
    key = f"{source}: allocation.{name}"
    rows = candidate_rows(spec, sites, key)
    check_k(spec, len(rows), key)
    cand = sites.iloc[rows]
    frame = select(spec.demand, f"{key}.demand")
    points, weight, names, ids = demand_points(frame, spec, key, area)
    centres = cand.geometry.centroid
    cand_xy = np.column_stack([centres.x.to_numpy(), centres.y.to_numpy()])
    demand_xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    minutes = od_minutes(
        network.graphs[spec.scenario], demand_xy, cand_xy,
        offroad_speed_kmh=net.offroad_speed_kmh, max_offroad_m=net.max_offroad_km * M_PER_KM,
        cutoff_min=spec.cutoff,
    )  # fmt: skip
    inst, served = build_instance(spec, minutes, weight, cand, cand_xy, key)
    solution = solve(spec, inst, key)
    site_rows = rows[solution.chosen]
    chosen_ids = sites["site_id"].astype(str).to_numpy()[site_rows]
    log.info("allocation %s: %s, objective %.4g, gap %.3g", name, chosen_ids, solution.objective,
             solution.gap)  # fmt: skip
    assigned, t = assignment(minutes, solution.chosen)
    assigned[~served] = -1
    t[~served] = np.inf
    cand_ids = sites["site_id"].astype(str).to_numpy()[rows]
    demand = gpd.GeoDataFrame(
        {"problem": name, "demand_id": ids, "name": names, "weight": weight,
         "site_id": np.where(assigned >= 0, cand_ids[np.maximum(assigned, 0)], ""),
         "minutes": np.where(np.isfinite(t), t, np.nan),
         "covered": covered(spec, assigned, t)},
        geometry=points.to_numpy(), crs=sites.crs,
    )  # fmt: skip
    table = site_table(name, spec, solution, sites, site_rows, assigned, t, weight)
    share = chosen_share(spec, inst, rows, suitability_draws, key)
    drawn = 0 if suitability_draws is None else min(len(suitability_draws), spec.robustness_draws)
    table["chosen_share"] = np.nan if share is None else share[solution.chosen]
    record = problem_record(
        spec, solution, chosen_ids, candidates=len(rows), weight=weight, served=served,
        covered=demand["covered"].to_numpy(), uncovered=uncovered(spec, minutes, names, ids),
        robustness=None if share is None else share_record(share, cand_ids, drawn),
    )  # fmt: skip
    return table, demand, sparse_matrix(name, minutes, cand_ids, ids), record
