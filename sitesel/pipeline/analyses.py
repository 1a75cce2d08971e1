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

from sitesel._typing import BoolArray, FloatArray
from sitesel.config import Config
from sitesel.exclusions import scheme as scheme_rules
from sitesel.exclusions.records import Records
from sitesel.exclusions.text import joined
from sitesel.mcda import regions, robustness, smaa
from sitesel.mcda.weight_draws import monte_carlo_record, weight_draws
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
    draws = weight_draws(mc, config, config_path, weights, report)
    out.draws = draws
    stats = robustness.monte_carlo(
        aggregator, draws, candidates=everyone, site_ids=ids, top_k=mc.top_k
    )
    out.columns = robustness.per_site_columns(stats, in_play, len(site_ids))
    leaders = smaa.smaa2(
        stats.ranks,
        draws / draws.sum(axis=1, keepdims=True),
        candidate_index=stats.candidate_index,
        aggregator=aggregator,
        candidates=everyone,
        site_ids=ids,
        top_k=mc.top_k,
    )
    out.monte_carlo = monte_carlo_record(mc, config.scored, leaders)
    return out


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
        rule, out.scheme = scheme_rules.scheme_rule(config.scheme, config_path)
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
    out.table = (
        scheme_rules.eligible_regions(table, rule, roads)
        if rule is not None and len(table)
        else table
    )
    log.info("%d regions of suitability >= %g", len(table), config.regions.min_suitability)
    return out
