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
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from sitesel._typing import BoolArray, FloatArray
from sitesel.allocation.exact import solve_exact, variables
from sitesel.allocation.heuristic import solve_heuristic
from sitesel.allocation.problems import Instance, Solution, assignment
from sitesel.config import Config, NetworkSpec, Selection
from sitesel.config.allocation import AllocationSpec
from sitesel.data.numbers import parse_counts
from sitesel.errors import ConfigError, SolverError
from sitesel.network.od_matrix import od_minutes
from sitesel.network.scenarios import NetworkModel
from sitesel.units import M_PER_KM

log = logging.getLogger(__name__)

Select = Callable[[Selection, str], gpd.GeoDataFrame]
DRAW_TIME_LIMIT_S = 2.0  # each Monte Carlo re-solve: the heuristic, at most this long


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


def candidate_rows(spec: AllocationSpec, sites: gpd.GeoDataFrame, key: str) -> np.ndarray:
    """Row positions of the candidate sites, best-ranked first (required ones included)."""
    ranked = sites["rank"].notna().to_numpy()
    order = np.argsort(np.where(ranked, sites["rank"].to_numpy(dtype=float), np.inf), kind="stable")
    rows = order[ranked[order]]
    if spec.candidates.min_suitability is not None:
        keep = sites["suitability"].to_numpy(dtype=float)[rows] >= spec.candidates.min_suitability
        rows = rows[keep]
    if spec.candidates.top_n is not None:
        rows = rows[: spec.candidates.top_n]
    ids = sites["site_id"].astype(str).to_numpy()
    position = {sid: i for i, sid in enumerate(ids)}
    for sid in spec.required_sites:
        if sid not in position:
            raise ConfigError(f"{key}.required_sites: {sid!r} is not a site of this run")
        row = position[sid]
        if not ranked[row]:
            why = sites["exclusion_reason"].iloc[row]
            raise ConfigError(f"{key}.required_sites: {sid!r} is excluded ({why})")
        if row not in rows:
            rows = np.append(rows, row)
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        raise ConfigError(
            f"{key}.candidates: no candidate site (every site is excluded, or none passes"
            " top_n / min_suitability); relax the constraints or the candidates"
        )
    return rows


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
    _check_k(spec, len(rows), key)
    cand = sites.iloc[rows]
    points, weight, names, ids = _demand(spec, select, key, area)
    centres = cand.geometry.centroid
    cand_xy = np.column_stack([centres.x.to_numpy(), centres.y.to_numpy()])
    demand_xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    minutes = od_minutes(
        network.graphs[spec.scenario], demand_xy, cand_xy,
        offroad_speed_kmh=net.offroad_speed_kmh, max_offroad_m=net.max_offroad_km * M_PER_KM,
        cutoff_min=spec.cutoff,
    )  # fmt: skip
    inst, served = _instance(spec, minutes, weight, cand, cand_xy, key)
    solution = _solve(spec, inst, key)
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
         "covered": _covered(spec, assigned, t)},
        geometry=points.to_numpy(), crs=sites.crs,
    )  # fmt: skip
    table = _site_table(name, spec, solution, sites, site_rows, assigned, t, weight)
    share = _chosen_share(spec, inst, rows, suitability_draws, key)
    drawn = 0 if suitability_draws is None else min(len(suitability_draws), spec.robustness_draws)
    table["chosen_share"] = np.nan if share is None else share[solution.chosen]
    record = {
        "problem": spec.problem,
        "k": spec.k if spec.k is not None else len(solution.chosen),
        "within_min": spec.within_min,
        "cutoff_min": spec.cutoff,
        "min_spacing_km": spec.min_spacing_km,
        "suitability_weight": spec.suitability_weight,
        "required_sites": list(spec.required_sites),
        "candidates": len(rows),
        "demand_points": len(weight),
        "demand_total": float(weight.sum()),
        "demand_unreached": int((~served).sum()),
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "solver": solution.solver,
        "seconds": round(solution.seconds, 3),
        "chosen": chosen_ids.tolist(),
        "coverage_share": float(weight[demand["covered"].to_numpy()].sum() / weight.sum()),
        "uncovered": _uncovered(spec, minutes, names, ids),
        "robustness": None if share is None else _share_record(share, cand_ids, drawn),
    }
    return table, demand, _sparse_matrix(name, minutes, cand_ids, ids), record


def _sparse_matrix(
    name: str, minutes: np.ndarray, cand_ids: np.ndarray, demand_ids: np.ndarray
) -> pd.DataFrame:
    """The pairs within the cutoff, long form: a reviewer can re-solve with another solver."""
    d_idx, c_idx = np.nonzero(np.isfinite(minutes))
    return pd.DataFrame(
        {"problem": name, "candidate": cand_ids[c_idx], "demand": demand_ids[d_idx],
         "minutes": minutes[d_idx, c_idx]}
    )  # fmt: skip


def _check_k(spec: AllocationSpec, n_candidates: int, key: str) -> None:
    """Refuse a k the candidates (or the required sites) make impossible."""
    if spec.k is not None and spec.k > n_candidates:
        raise ConfigError(
            f"{key}.k: {spec.k} sites asked for, but only {n_candidates} candidates; lower k or"
            " widen the candidates"
        )
    if spec.k is not None and len(spec.required_sites) > spec.k:
        raise ConfigError(f"{key}.required_sites: {len(spec.required_sites)} sites, more than k")


def _covered(spec: AllocationSpec, assigned: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Demand points assigned to a site, within T where the problem has one."""
    within = t <= (spec.within_min if spec.within_min is not None else np.inf)
    return within & (assigned >= 0)


def _chosen_share(
    spec: AllocationSpec,
    inst: Instance,
    rows: np.ndarray,
    suitability_draws: FloatArray | None,
    key: str,
) -> FloatArray | None:
    """For each candidate, the share of the weight draws whose re-solve chose it.

    Each draw changes only the candidates' suitability, so only a problem that blends
    suitability into its objective (``suitability_weight`` > 0) can change its answer.
    The draws are re-solved by the heuristic (greedy plus vertex substitution, at most
    :data:`DRAW_TIME_LIMIT_S` each), not the MIP: tens of exact solves would take minutes.
    """
    if suitability_draws is None or spec.suitability_weight == 0 or spec.robustness_draws == 0:
        return None
    draws = suitability_draws[: spec.robustness_draws, rows]
    count = np.zeros(len(rows))
    limit = min(spec.solver.time_limit_s, DRAW_TIME_LIMIT_S)
    for suitability in draws:
        try:
            again = solve_heuristic(
                spec.problem, replace(inst, suitability=suitability), time_limit_s=limit,
                target_gap=max(spec.solver.mip_gap, 0.01),
            )  # fmt: skip
        except SolverError as exc:
            raise SolverError(f"{key}: a weight draw's re-solve: {exc}") from None
        count[again.chosen] += 1
    return count / len(draws)


def _share_record(share: FloatArray, cand_ids: np.ndarray, drawn: int) -> dict[str, Any]:
    """The manifest's record of the draws: every site chosen at least once, most often first."""
    order = np.argsort(-share, kind="stable")
    return {
        "draws": drawn,
        "solver": "greedy + vertex substitution (each draw)",
        "chosen_share": {
            str(cand_ids[i]): round(float(share[i]), 4) for i in order if share[i] > 0
        },
    }


def _uncovered(
    spec: AllocationSpec, minutes: np.ndarray, names: np.ndarray, ids: np.ndarray
) -> list[str]:
    """Demand points no candidate reaches (within T, or within the cutoff): named."""
    limit = spec.within_min if spec.within_min is not None else spec.cutoff
    alone = ~(minutes <= limit).any(axis=1)
    return [str(n) or str(i) for n, i in zip(names[alone], ids[alone], strict=True)]


def _demand(
    spec: AllocationSpec, select: Select, key: str, area: BaseGeometry
) -> tuple[gpd.GeoSeries, np.ndarray, np.ndarray, np.ndarray]:
    """The demand points in (or near) the study area, their weights, names and ids."""
    frame = select(spec.demand, f"{key}.demand")
    reach = (
        area.buffer(spec.demand.within_area_km * M_PER_KM) if spec.demand.within_area_km else area
    )
    frame = frame[frame.intersects(reach)]
    if frame.empty:
        raise ConfigError(
            f"{key}.demand: no point of layer {spec.demand.layer!r} lies in the study area"
            " (or within demand.within_area_km of it)"
        )
    points = frame.geometry.representative_point()
    if spec.demand.weight_column is None:
        weight = np.ones(len(frame))
    elif spec.demand.weight_column not in frame:
        raise ConfigError(
            f"{key}.demand.weight_column: layer {spec.demand.layer!r} has no column"
            f" {spec.demand.weight_column!r}"
        )
    else:
        what = f"{key}.demand.weight_column: layer {spec.demand.layer!r}, column"
        weight = parse_counts(  # a blank is no demand; a negative one is refused
            frame[spec.demand.weight_column], what=f"{what} {spec.demand.weight_column!r}"
        ).to_numpy(dtype=float)
    if not weight.sum() > 0:
        raise ConfigError(f"{key}.demand: the demand adds up to 0; nothing to serve")
    name_col = next((c for c in ("name", "HAB_NAME", "NAME", "FAC_DESC") if c in frame), None)
    names = (
        frame[name_col].fillna("").astype(str).to_numpy()
        if name_col
        else np.full(len(frame), "", dtype=object)
    )
    ids = np.array([f"{spec.demand.layer}:{i}" for i in frame.index], dtype=object)
    return points, weight, names, ids


def _instance(
    spec: AllocationSpec,
    minutes: np.ndarray,
    weight: np.ndarray,
    cand: gpd.GeoDataFrame,
    cand_xy: np.ndarray,
    key: str,
) -> tuple[Instance, np.ndarray]:
    """The problem's data, and which demand points any candidate reaches (the served)."""
    reach = np.isfinite(minutes).any(axis=1)
    if spec.within_min is not None and not (minutes <= spec.within_min).any():
        raise ConfigError(
            f"{key}.within_min: no demand point lies within {spec.within_min:g} minutes of any"
            " candidate; raise T or widen the candidates"
        )
    if not reach.any():
        raise ConfigError(
            f"{key}: no demand point is within {spec.cutoff:g} minutes of a candidate by road;"
            " raise cutoff_min"
        )
    served = reach if spec.problem in ("p_median", "p_center") else np.ones(len(weight), bool)
    required = np.flatnonzero(cand["site_id"].astype(str).isin(spec.required_sites).to_numpy())
    conflicts = np.empty((0, 2), dtype=np.int64)
    if spec.min_spacing_km > 0:
        pairs = cKDTree(cand_xy).query_pairs(spec.min_spacing_km * M_PER_KM, output_type="ndarray")
        conflicts = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    inst = Instance(
        minutes=minutes[served],
        weight=weight[served],
        k=spec.k or 0,
        within_min=spec.within_min if spec.within_min is not None else np.inf,
        required=required.astype(np.int64),
        conflicts=conflicts,
        suitability=cand["suitability"].to_numpy(dtype=float),
        suitability_weight=spec.suitability_weight,
    )
    return inst, served


def _solve(spec: AllocationSpec, inst: Instance, key: str) -> Solution:
    size = variables(spec.problem, inst)
    limit = spec.solver
    try:
        if size <= limit.max_exact_variables:
            return solve_exact(spec.problem, inst, time_limit_s=limit.time_limit_s,
                               mip_gap=limit.mip_gap)  # fmt: skip
        if spec.problem in ("p_median", "mclp"):
            return solve_heuristic(spec.problem, inst, time_limit_s=limit.time_limit_s,
                                   target_gap=max(limit.mip_gap, 1e-4))  # fmt: skip
    except SolverError as exc:
        raise SolverError(f"{key}: {exc}; relax min_spacing_km, required_sites or k") from None
    raise ConfigError(
        f"{key}: {size:,} variables, above solver.max_exact_variables"
        f" ({limit.max_exact_variables:,}), and {spec.problem} has no heuristic here; choose"
        " fewer candidates (candidates.top_n) or raise the limit"
    )


def _site_table(
    name: str,
    spec: AllocationSpec,
    solution: Solution,
    sites: gpd.GeoDataFrame,
    site_rows: np.ndarray,
    assigned: np.ndarray,
    t: np.ndarray,
    weight: np.ndarray,
) -> pd.DataFrame:
    """One row per chosen site: what it serves and how far."""
    total = weight.sum()
    out = []
    for c, row in zip(solution.chosen, site_rows, strict=True):
        mine = assigned == c
        served = weight[mine]
        minutes = t[mine]
        covered = mine & (t <= spec.within_min) if spec.within_min is not None else mine
        out.append(
            {
                "problem": name,
                "site_id": str(sites["site_id"].iloc[row]),
                "place": str(sites["place"].iloc[row]) if "place" in sites else "",
                "suitability": float(sites["suitability"].iloc[row]),
                "rank": float(sites["rank"].iloc[row]),
                "demand_served": float(served.sum()),
                "mean_min": float(np.average(minutes, weights=served)) if served.sum() > 0
                else np.nan,
                "worst_min": float(minutes.max()) if len(minutes) else np.nan,
                "coverage_share": float(weight[covered].sum() / total),
            }
        )  # fmt: skip
    return pd.DataFrame(out)
