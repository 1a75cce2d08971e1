"""The decision-support stages of a run: weight robustness, regions, scheme eligibility.

Wires the config to :mod:`sitesel.robustness` and :mod:`sitesel.regions` and adds their
columns to the run's sites (``p_rank1``, ``p_top<k>``, ``rank_p05``, ``rank_p95``,
``region``, ``scheme_eligible``, ``scheme_reason``, ``scheme_partner``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sitesel._typing import FloatArray
from sitesel.config.scoring import Config, load_scheme
from sitesel.decision import ahp as weighting
from sitesel.decision import regions as regions_mod
from sitesel.decision import robustness
from sitesel.decision.weights import WeightReport
from sitesel.errors import ConfigError
from sitesel.result import RunResult

log = logging.getLogger(__name__)


def _timed(timings: dict[str, float], name: str, start: float) -> None:
    timings[name] = round(time.perf_counter() - start, 3)
    log.info("stage %s: %.2f s", name, timings[name])


def run_analyses(
    result: RunResult,
    *,
    config: Config,
    config_path: Path,
    aggregator: Callable[[FloatArray], FloatArray],
    weights: FloatArray,
    scored: list[str],
    report: WeightReport,
    timings: dict[str, float],
) -> None:
    """Run the analyses the config asks for, adding columns and tables to ``result``."""
    sites = result.sites
    candidates = ~sites["excluded"].to_numpy(dtype=bool)
    ids = sites["site_id"].tolist()
    spec = config.robustness
    if spec is not None and candidates.sum() >= 2:
        start = time.perf_counter()
        if spec.one_at_a_time and len(scored) >= 2:
            result.stability = robustness.stability_intervals(
                aggregator, weights, scored, candidates=candidates, site_ids=ids
            )
        if spec.monte_carlo is not None:
            mc = spec.monte_carlo
            rng = np.random.default_rng(mc.seed)
            if mc.method == "ahp_judgments":
                if report.matrix is None:
                    raise ConfigError(
                        f"{config_path}: robustness.monte_carlo.method: ahp_judgments needs"
                        " weighting.method ahp; use dirichlet"
                    )
                try:
                    draws = weighting.perturbed_ahp_weights(
                        report.matrix,
                        sigma=mc.judgment_sigma,
                        draws=mc.draws,
                        max_cr=config.weighting.ahp.max_consistency_ratio,  # type: ignore[union-attr]
                        rng=rng,
                    )
                except ValueError as exc:
                    raise ConfigError(f"{config_path}: robustness.monte_carlo: {exc}") from None
            else:
                draws = robustness.dirichlet_weights(
                    weights, concentration=mc.concentration, draws=mc.draws, rng=rng
                )
            stats = robustness.monte_carlo(
                aggregator, draws, candidates=candidates, site_ids=ids, top_k=mc.top_k
            )
            result.sites = result.sites.assign(
                **{
                    "p_rank1": stats.p_rank1,
                    f"p_top{mc.top_k}": stats.p_top_k,
                    "rank_p05": stats.rank_p05,
                    "rank_p95": stats.rank_p95,
                }
            )
            result.monte_carlo = {
                "method": mc.method,
                "draws": mc.draws,
                "seed": mc.seed,
                "top_k": mc.top_k,
                "concentration": mc.concentration if mc.method == "dirichlet" else None,
                "judgment_sigma": mc.judgment_sigma if mc.method == "ahp_judgments" else None,
            }
        _timed(timings, "robustness", start)

    rule = None
    if config.scheme is not None:
        scheme, variant, path = load_scheme(config.scheme, config_path)
        rule = regions_mod.SchemeRule(
            name=f"{scheme.name} ({config.scheme.variant})",
            min_area_acres=variant.min_area_acres,
            max_parts=variant.max_parts,
            max_gap_km=variant.max_gap_km,
        )
        result.scheme = {
            "name": scheme.name,
            "variant": config.scheme.variant,
            "file": str(path),
            "source": scheme.source,
            **variant.model_dump(),
        }
    if config.regions is None and rule is None:
        return
    start = time.perf_counter()
    sites = result.sites
    suitability = sites["suitability"].to_numpy(dtype=float)
    if rule is not None:
        ok, reason, partner = regions_mod.eligibility(
            sites.geometry, sites["area_ha"].to_numpy(dtype=float), candidates, rule
        )
        partner_ids = np.array([ids[int(p)] if p != "" else "" for p in partner], dtype=object)
        result.sites = result.sites.assign(
            scheme_eligible=ok & candidates,
            scheme_reason=np.where(candidates, reason, ""),
            scheme_partner=partner_ids,
        )
    if config.regions is not None:
        labels = regions_mod.find_regions(
            sites,
            suitability=suitability,
            excluded=~candidates,
            min_suitability=config.regions.min_suitability,
            gap_m=config.regions.gap_m,
        )
        result.sites = result.sites.assign(region=labels)
        table = regions_mod.region_table(sites, labels, suitability)
        if rule is not None and len(table):
            ok, reason, partner = regions_mod.eligibility(
                table.geometry,
                table["area_ha"].to_numpy(dtype=float),
                np.ones(len(table), dtype=bool),
                rule,
            )
            table["eligible"] = ok
            table["eligibility_reason"] = reason
            table["partner_region"] = [
                int(table["region"].iloc[int(p)]) if p != "" else None for p in partner
            ]
        result.regions = table
        log.info("%d regions of suitability >= %g", len(table), config.regions.min_suitability)
    _timed(timings, "regions", start)
