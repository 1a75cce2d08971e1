"""The scoring stages: raw values by criterion family, then exclusions, scores and ranks.

Constraints and missing values exclude sites; value functions turn raw values into scores,
the aggregation method into suitability, and the ranking breaks ties by site id.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel._typing import BoolArray, FloatArray
from sitesel.config import Config
from sitesel.config.scoring import ConstraintSpec
from sitesel.criteria import CriterionContext, family_of
from sitesel.decision import aggregation, constraints
from sitesel.decision.value_functions import apply_value_function
from sitesel.decision.weights import WeightReport, weight_vector
from sitesel.errors import NoSuitableSiteError

Aggregator = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class Measured:
    """Raw values of every criterion, why a value may be missing, and the targets."""

    raw: dict[str, FloatArray]
    missing_reasons: dict[str, str]
    targets: dict[str, gpd.GeoDataFrame]


@dataclass(frozen=True)
class Scored:
    """Every output column of the sites, and what the analyses need to rescore them."""

    columns: dict[str, object]
    excluded: BoolArray
    aggregator: Aggregator
    weights: FloatArray


def measure(config: Config, ctx: CriterionContext) -> Measured:
    """Raw values of every criterion, computed by its family, in config order."""
    raw: dict[str, FloatArray] = {}
    reasons: dict[str, str] = {}
    targets: dict[str, gpd.GeoDataFrame] = {}
    for name, spec in config.criteria.items():
        values = family_of(spec).compute(spec, name, ctx)
        raw[name] = np.asarray(values.raw, dtype=np.float64)
        if values.missing_reason is not None:
            reasons[name] = values.missing_reason
        if values.targets is not None:
            targets[name] = values.targets
    return Measured(raw=raw, missing_reasons=reasons, targets=targets)


def _notes(config: Config, measured: Measured, n_sites: int) -> np.ndarray:
    """Per-site notes: criteria that had no value and scored 0 instead of excluding."""
    notes = np.full(n_sites, "", dtype=object)
    for name, spec in config.criteria.items():
        if spec.scores_missing_as_zero():
            why = measured.missing_reasons.get(name, f"no value for {name}")
            cut_off = np.isnan(measured.raw[name])
            notes[cut_off] = [f"{n}; {why}, scored 0".lstrip("; ") for n in notes[cut_off]]
    return notes


def _order_weights(config: Config, n: int) -> FloatArray | None:
    spec = config.aggregation
    if spec.method != "owa":
        return None
    if spec.order_weights is not None:
        v = np.asarray(spec.order_weights, dtype=np.float64)
        return np.asarray(v / v.sum(), dtype=np.float64)
    return aggregation.owa_order_weights(n, spec.andness or 0.5)


def exclusions(
    config: Config, measured: Measured, outside: BoolArray, zones: list[np.ndarray]
) -> np.ndarray:
    """Why each site is excluded ("" when kept): constraints, missing values, outside."""
    rules = [
        constraints.Rule(*c.parts, reason=c.reason)
        for c in config.constraints
        if isinstance(c, ConstraintSpec)
    ]
    required = {
        n: measured.missing_reasons.get(n, f"no value for {n}")
        for n in config.scored
        if not config.criteria[n].scores_missing_as_zero()
    }
    return constraints.exclusion_reasons(
        len(outside),
        raw=measured.raw,
        rules=rules,
        required=required,
        outside_area=outside,
        zones=zones,
    )


def score(
    config: Config,
    sites: gpd.GeoDataFrame,
    measured: Measured,
    report: WeightReport,
    outside: BoolArray,
    zones: list[np.ndarray],
) -> Scored:
    """Exclusions, scores, suitability, rank, contributions and limiting criterion."""
    scored = config.scored
    reasons = exclusions(config, measured, outside, zones)
    excluded = reasons != ""
    scores = {}
    for n in scored:
        fn = config.criteria[n].value
        assert fn is not None  # scored criteria have a value function
        s = apply_value_function(measured.raw[n], fn)
        scores[n] = np.nan_to_num(s, nan=0.0) if config.criteria[n].scores_missing_as_zero() else s
    matrix = np.column_stack([scores[n] for n in scored])
    w = weight_vector(report, scored)
    aggregator = functools.partial(
        aggregation.aggregate,
        matrix,
        method=config.aggregation.method,
        order_weights=_order_weights(config, len(scored)),
        candidates=~excluded,
    )
    suitability = aggregator(w)
    rank = aggregation.rank_sites(suitability, excluded, sites["site_id"].tolist())
    columns: dict[str, object] = {
        "excluded": excluded,
        "exclusion_reason": reasons,
        "notes": _notes(config, measured, len(sites)),
    }
    columns |= {f"raw__{n}": measured.raw[n] for n in config.criteria}
    columns |= {f"score__{n}": s for n, s in scores.items()}
    columns |= {f"contribution__{n}": w[k] * matrix[:, k] for k, n in enumerate(scored)}
    columns |= {
        "limiting_criterion": aggregation.limiting_criterion(matrix, scored),
        "suitability": suitability,
        "rank": rank.to_numpy(),
    }
    return Scored(columns=columns, excluded=excluded, aggregator=aggregator, weights=w)


def refuse_if_all_excluded(reasons: pd.Series, source: str) -> None:
    """Stop with the most common reasons when no site is left to rank.

    Raises
    ------
    NoSuitableSiteError
        If every site has an exclusion reason.
    """
    if (reasons == "").any():
        return
    counts = reasons.str.split("; ").explode().value_counts(sort=False)
    common = ", ".join(f"{r} ({n})" for r, n in sorted(counts.items(), key=lambda x: -x[1])[:3])
    raise NoSuitableSiteError(
        f"{source}: constraints: all {len(reasons)} sites are excluded (most common"
        f" reasons: {common}); relax the constraints or enlarge the study area"
    )
