"""The decision-support stages of a run: weight robustness, regions, scheme eligibility.

Wires the config to :mod:`sitesel.mcda.robustness` and :mod:`sitesel.mcda.regions`
and gives the sites' extra columns (``p_rank1``, ``p_top<k>``, ``rank_p05``,
``rank_p95``, ``region``, ``scheme_eligible``, ``scheme_reason``, ``scheme_partner``,
``scheme_link``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt

from sitesel._typing import BoolArray, FloatArray
from sitesel.config import Config, load_scheme
from sitesel.config.decision import MonteCarloSpec
from sitesel.errors import ConfigError
from sitesel.exclusions import scheme as scheme_rules
from sitesel.exclusions.records import Records
from sitesel.exclusions.text import joined
from sitesel.mcda import ahp, regions, robustness, smaa
from sitesel.mcda.weights import WeightReport
from sitesel.pipeline.scoring import Aggregator

log = logging.getLogger(__name__)


@dataclass
class Robustness:
    """Stability intervals, Monte Carlo columns and how the draws were made."""

    stability: list[robustness.StabilityInterval] = field(default_factory=list)
    columns: dict[str, object] = field(default_factory=dict)
    monte_carlo: dict[str, Any] | None = None
    draws: FloatArray | None = None  # the Monte Carlo weight draws, (n_draws, n_criteria)


@dataclass
class Regions:
    """Scheme eligibility columns and records, the region table, the scheme's description."""

    columns: dict[str, object] = field(default_factory=dict)
    table: gpd.GeoDataFrame | None = None
    scheme: dict[str, Any] | None = None
    records: Records = field(default_factory=Records)


def _weight_draws(
    mc: MonteCarloSpec, config: Config, config_path: Path, weights: FloatArray, report: WeightReport
) -> FloatArray:
    rng = np.random.default_rng(mc.seed)
    if mc.method != "ahp_judgments":
        return robustness.dirichlet_weights(
            weights, concentration=mc.concentration, draws=mc.draws, rng=rng
        )
    if report.matrix is None or config.weighting.ahp is None:
        raise ConfigError(
            f"{config_path}: robustness.monte_carlo.method: ahp_judgments needs"
            " weighting.method ahp; use dirichlet"
        )
    try:
        draws = ahp.perturbed_ahp_weights(
            report.matrix,
            sigma=mc.judgment_sigma,
            draws=mc.draws,
            max_cr=report.max_consistency_ratio or float("inf"),
            rng=rng,
        )
    except ValueError as exc:
        raise ConfigError(f"{config_path}: robustness.monte_carlo: {exc}") from None
    if report.objective is not None:  # combined weighting: each draw combined the same way
        objective = np.array([report.objective_weights[report.objective][n] for n in config.scored])
        draws = draws * objective
        draws /= np.where(draws.sum(axis=1, keepdims=True) > 0, draws.sum(axis=1, keepdims=True), 1)
    return draws


def run_robustness(
    config: Config,
    config_path: Path,
    *,
    aggregator: Aggregator,
    weights: FloatArray,
    report: WeightReport,
    candidates: BoolArray,
    site_ids: list[str],
) -> Robustness:
    """One-at-a-time stability intervals and Monte Carlo ranks, as the config asks.

    Only the candidate sites are rescored (an excluded site never competes): ``aggregator``
    scores the candidates alone, in the order of ``np.flatnonzero(candidates)``; the
    per-site columns are NaN for excluded sites.
    """
    spec, out = config.robustness, Robustness()
    if spec is None or candidates.sum() < 2:
        return out
    in_play = np.flatnonzero(candidates)
    ids = [site_ids[i] for i in in_play]
    everyone = np.ones(len(in_play), dtype=bool)
    if spec.one_at_a_time and len(config.scored) >= 2:
        out.stability = robustness.stability_intervals(
            aggregator, weights, config.scored, candidates=everyone, site_ids=ids
        )
    mc = spec.monte_carlo
    if mc is None:
        return out
    draws = _weight_draws(mc, config, config_path, weights, report)
    out.draws = draws
    stats = robustness.monte_carlo(
        aggregator, draws, candidates=everyone, site_ids=ids, top_k=mc.top_k
    )
    out.columns = _per_site_columns(stats, in_play, len(site_ids))
    leaders = smaa.smaa2(
        stats.ranks,
        draws / draws.sum(axis=1, keepdims=True),
        candidate_index=stats.candidate_index,
        aggregator=aggregator,
        candidates=everyone,
        site_ids=ids,
        top_k=mc.top_k,
    )
    out.monte_carlo = _monte_carlo_record(mc, config.scored, leaders)
    return out


def _per_site_columns(
    stats: robustness.MonteCarloResult, in_play: npt.NDArray[np.intp], n_sites: int
) -> dict[str, object]:
    """The Monte Carlo columns for every site: NaN where a site was not in play."""

    def per_site(values: FloatArray) -> FloatArray:
        full = np.full(n_sites, np.nan)
        full[in_play] = values
        return full

    return {
        "p_rank1": per_site(stats.p_rank1),
        f"p_top{stats.top_k}": per_site(stats.p_top_k),
        "rank_p05": per_site(stats.rank_p05),
        "rank_p95": per_site(stats.rank_p95),
    }


def _monte_carlo_record(
    mc: MonteCarloSpec, scored: list[str], leaders: list[smaa.SmaaSite]
) -> dict[str, Any]:
    """How the draws were made, and the SMAA-2 leaders, for the manifest."""
    dirichlet = mc.method == "dirichlet"
    return {
        "method": mc.method,
        "draws": mc.draws,
        "seed": mc.seed,
        "top_k": mc.top_k,
        "concentration": mc.concentration if dirichlet else None,
        "judgment_sigma": None if dirichlet else mc.judgment_sigma,
        "smaa": {"criteria": list(scored), "sites": [vars(site) for site in leaders]},
    }


def _scheme_rule(
    config: Config, config_path: Path
) -> tuple[scheme_rules.SchemeRule, dict[str, Any]]:
    assert config.scheme is not None
    scheme, variant, path = load_scheme(config.scheme, config_path)
    rule = scheme_rules.SchemeRule(
        name=f"{scheme.name} ({config.scheme.variant})",
        min_area_acres=variant.min_area_acres,
        max_parts=variant.max_parts,
        max_gap_km=variant.max_gap_km,
        road_corridor_m=variant.road_corridor_m,
    )
    about = {
        "name": scheme.name,
        "variant": config.scheme.variant,
        "file": str(path),
        "source": scheme.source,
        **variant.model_dump(),
    }
    return rule, about


def _eligible_regions(
    table: gpd.GeoDataFrame, rule: scheme_rules.SchemeRule, roads: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    ok, reason, partner = scheme_rules.region_eligibility(table, rule, roads)
    return table.assign(eligible=ok, eligibility_reason=reason, partner_region=partner)


def run_regions(
    config: Config,
    config_path: Path,
    sites: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame | None = None,
) -> Regions:
    """Scheme eligibility of each site, and contiguous regions of good sites.

    ``roads`` (the study's road lines) decide which parcels are separated only by a road.
    """
    out = Regions()
    candidates = ~sites["excluded"].to_numpy(dtype=bool)
    rule = None
    if config.scheme is not None:
        rule, out.scheme = _scheme_rule(config, config_path)
        ids = sites["site_id"].tolist()
        area_ha = sites["area_ha"].to_numpy(dtype=float)
        ok, partner, link = scheme_rules.eligibility(
            sites.geometry, area_ha, candidates, rule, roads
        )
        out.records = scheme_rules.scheme_records(ok, area_ha, candidates, rule)
        out.columns = {
            "scheme_eligible": ok & candidates,
            "scheme_reason": joined(out.records, "ineligible", len(sites)),
            "scheme_partner": np.array(
                [ids[int(p)] if p != "" else "" for p in partner], dtype=object
            ),
            "scheme_link": link,
        }
    if config.regions is None:
        return out
    suitability = sites["suitability"].to_numpy(dtype=float)
    labels = regions.find_regions(
        sites,
        suitability=suitability,
        excluded=~candidates,
        min_suitability=config.regions.min_suitability,
        gap_m=config.regions.gap_m,
    )
    out.columns["region"] = labels
    table = regions.region_table(sites, labels, suitability)
    out.table = _eligible_regions(table, rule, roads) if rule is not None and len(table) else table
    log.info("%d regions of suitability >= %g", len(table), config.regions.min_suitability)
    return out
