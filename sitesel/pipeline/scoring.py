"""The scoring stages: raw values by criterion family, then exclusions, scores and ranks.

Constraints and missing values exclude sites; value functions turn raw values into scores,
the aggregation method into suitability, and the ranking breaks ties by site id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np

from sitesel._typing import BoolArray, FloatArray
from sitesel.config import Config
from sitesel.config.constraints import ConstraintSpec
from sitesel.criteria import CriterionContext, family_of
from sitesel.data.hex_lattice import lattice_subset
from sitesel.errors import NoSuitableSiteError
from sitesel.exclusions.records import Records
from sitesel.exclusions.text import counts, joined
from sitesel.exclusions.thresholds import (
    Threshold,
    missing_records,
    outside_records,
    threshold_records,
)
from sitesel.mcda import aggregation
from sitesel.mcda.methods import Scene, method_of
from sitesel.mcda.value_functions import apply_value_function
from sitesel.mcda.weights import WeightReport, weight_vector, with_objective

Aggregator = Callable[[FloatArray], FloatArray]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Measured:
    """Raw values of every criterion, why a value may be missing, and the targets."""

    raw: dict[str, FloatArray]
    missing_reasons: dict[str, str]
    targets: dict[str, gpd.GeoDataFrame]
    evaluated: dict[str, BoolArray] = field(default_factory=dict)  # absent: all sites
    components: dict[str, FloatArray] = field(default_factory=dict)  # component__<c>__<part>
    notes: dict[str, str] = field(default_factory=dict)  # criterion -> note on all its values


@dataclass(frozen=True)
class Scored:
    """Every output column of the sites, and what the analyses need to rescore them."""

    columns: dict[str, object]
    excluded: BoolArray
    aggregator: Aggregator  # weights -> suitability of the candidate (not excluded) sites
    weights: FloatArray
    aggregation: dict[str, Any]
    report: WeightReport  # with objective weights from the candidates' scores
    records: Records  # every exclusion and flag, one record per site and rule


def measure(
    config: Config, ctx: CriterionContext, outside: BoolArray, taken: BoolArray
) -> Measured:
    """Raw values of every criterion, computed by its family, excluding early.

    Criteria are computed in phases, cheapest first (:func:`phases`). After each phase the
    constraints decided by the criteria so far (and the study area and the land the land
    stage took, ``taken``) are applied, and the next phase is computed only for the sites
    still in play. A site excluded early keeps the values that excluded it and has no value
    (NaN) for later criteria; ``evaluated`` records which sites each criterion was
    computed for.
    """
    raw: dict[str, FloatArray] = {}
    reasons: dict[str, str] = {}
    targets: dict[str, gpd.GeoDataFrame] = {}
    evaluated: dict[str, BoolArray] = {}
    components: dict[str, FloatArray] = {}
    notes: dict[str, str] = {}
    in_play = np.ones(len(ctx.sites), dtype=bool)
    for phase in phases(config):
        if raw:
            so_far = Measured(raw=raw, missing_reasons=reasons, targets=targets)
            records = value_records(config, so_far, outside, only=set(raw))
            in_play = ~(records.mask(len(in_play)) | taken)
            log.info("%d of %d sites in play for %s", in_play.sum(), len(in_play), phase)
        sub = ctx if in_play.all() else _subset_context(ctx, in_play)
        for name in phase:
            spec = config.criteria[name]
            values = family_of(spec).compute(spec, name, sub)
            full = np.full(len(in_play), np.nan)
            full[in_play] = np.asarray(values.raw, dtype=np.float64)
            raw[name] = full
            evaluated[name] = in_play
            if values.missing_reason is not None:
                reasons[name] = values.missing_reason
            if values.targets is not None:
                targets[name] = values.targets
            for part, part_values in (values.components or {}).items():
                column = np.full(len(in_play), np.nan)
                column[in_play] = part_values
                components[f"component__{name}__{part}"] = column
            if values.note is not None:
                notes[name] = values.note
    raw = {n: raw[n] for n in config.criteria}  # config order: the output columns
    return Measured(
        raw=raw, missing_reasons=reasons, targets=targets, evaluated=evaluated,
        components=components, notes=notes,
    )  # fmt: skip


def phases(config: Config) -> list[list[str]]:
    """Criteria in the order they are computed, cheapest first.

    Terrain (one zonal pass serves them all), then the other criteria off the road network
    (distances, area), then the network criteria.
    """
    network = [n for n, s in config.criteria.items() if "network" in s.requires]
    terrain = [n for n, s in config.criteria.items() if s.requires == {"dem"}]
    other = [n for n in config.criteria if n not in network and n not in terrain]
    return [p for p in (terrain, other, network) if p]


def _subset_context(ctx: CriterionContext, keep: BoolArray) -> CriterionContext:
    return CriterionContext(
        sites=ctx.sites[keep],
        select=ctx.select,
        network=ctx.network,
        network_spec=ctx.network_spec,
        dem=ctx.dem,
        node_times=ctx.node_times,
        dems=ctx.dems,
        lattice=lattice_subset(ctx.lattice, keep),
    )


def _notes(config: Config, measured: Measured, n_sites: int) -> np.ndarray:
    """Per-site notes: criteria that had no value and scored 0 instead of excluding."""
    notes = np.full(n_sites, "", dtype=object)
    for name, spec in config.criteria.items():
        if spec.scores_missing_as_zero():
            why = measured.missing_reasons.get(name, f"no value for {name}")
            cut_off = np.isnan(measured.raw[name]) & measured.evaluated.get(
                name, np.ones(n_sites, dtype=bool)
            )
            notes[cut_off] = [f"{n}; {why}, scored 0".lstrip("; ") for n in notes[cut_off]]
    return notes


def value_records(
    config: Config, measured: Measured, outside: BoolArray, only: set[str] | None = None
) -> Records:
    """The exclusions by value: outside the study area, missing values, thresholds.

    With ``only``, the thresholds and required criteria among those computed so far.
    """
    rules = [
        (f"constraints[{i}]", Threshold(*c.parts, reason=c.reason))
        for i, c in enumerate(config.constraints)
        if isinstance(c, ConstraintSpec) and (only is None or c.parts[0] in only)
    ]
    required = {
        n: measured.missing_reasons.get(n, f"no value for {n}")
        for n in config.scored
        if not config.criteria[n].scores_missing_as_zero() and (only is None or n in only)
    }
    return (
        outside_records(outside)
        + missing_records(measured.raw, required, measured.evaluated)
        + threshold_records(measured.raw, rules)
    )


def score(
    config: Config,
    sites: gpd.GeoDataFrame,
    measured: Measured,
    report: WeightReport,
    outside: BoolArray,
    land: Records,
) -> Scored:
    """Exclusions, scores, suitability, rank, contributions and limiting criterion.

    ``land`` holds the land stage's records (setbacks, rules, land layers): they follow
    the exclusions by value in each site's reasons.
    """
    scored = config.scored
    records = value_records(config, measured, outside) + land
    excluded = records.mask(len(sites))
    reasons = joined(records, "exclude", len(sites))
    scores = {}
    for n in scored:
        fn = config.criteria[n].value
        assert fn is not None  # scored criteria have a value function
        s = apply_value_function(measured.raw[n], fn)
        scores[n] = np.nan_to_num(s, nan=0.0) if config.criteria[n].scores_missing_as_zero() else s
    matrix = np.column_stack([scores[n] for n in scored])
    report = with_objective(report, np.nan_to_num(matrix[~excluded], nan=0.0), scored)
    w = weight_vector(report, scored)
    # One preparation (a PROMETHEE's pairwise flows, ...): every site's suitability, and
    # the candidates' for rescoring (robustness: excluded sites never compete).
    aggregator, in_play = aggregation.make_aggregators(
        matrix, config.aggregation, candidates=~excluded, names=scored
    )
    suitability = aggregator(w)
    if not (~excluded).any():
        in_play = aggregator
    rank = aggregation.rank_sites(suitability, excluded, sites["site_id"].tolist())
    columns: dict[str, object] = {
        "excluded": excluded,
        "exclusion_reason": reasons,
        "notes": _notes(config, measured, len(sites)),
    }
    columns |= {f"raw__{n}": measured.raw[n] for n in config.criteria}
    columns |= measured.components
    columns |= {f"score__{n}": s for n, s in scores.items()}
    columns |= {f"contribution__{n}": w[k] * matrix[:, k] for k, n in enumerate(scored)}
    columns |= {
        "limiting_criterion": aggregation.limiting_criterion(matrix, scored),
        "suitability": suitability,
        "rank": rank.to_numpy(),
    }
    about = aggregation_report(config, matrix, w, ~excluded, sites["site_id"].tolist())
    return Scored(
        columns=columns,
        excluded=excluded,
        aggregator=in_play,
        weights=w,
        aggregation=about,
        report=report,
        records=records,
    )


def aggregation_report(
    config: Config,
    matrix: FloatArray,
    weights: FloatArray,
    candidates: BoolArray,
    site_ids: list[str],
) -> dict[str, Any]:
    """The aggregation as configured, with what the method says of this run.

    The method's ``describe``: OWA's ORness, VIKOR's conditions, PROMETHEE's preference
    functions.
    """
    spec = config.aggregation
    method = method_of(spec.method)
    out: dict[str, Any] = {"method": spec.method} | spec.model_dump(exclude={"method"})
    if method.describe is not None:
        scene = Scene(matrix, weights, candidates, site_ids, config.scored)
        out |= method.describe(spec, scene)
    return out


def refuse_if_all_excluded(records: Records, n_sites: int, source: str) -> None:
    """Stop with the most common reasons when no site is left to rank.

    Raises
    ------
    NoSuitableSiteError
        If every site is excluded.
    """
    if not records.mask(n_sites).all():
        return
    common = ", ".join(f"{r} ({n})" for r, n in counts(records, "exclude").head(3).items())
    raise NoSuitableSiteError(
        f"{source}: constraints: all {n_sites} sites are excluded (most common"
        f" reasons: {common}); relax the constraints or enlarge the study area"
    )
