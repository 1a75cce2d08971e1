"""A problem's data from the travel-time matrix, and which demand points it serves.

The matrix holds the minutes from each demand point to each candidate within the cutoff
(``inf`` beyond); a T that covers nothing, or a cutoff that reaches no candidate, is
refused; the spacing rule becomes pairs of candidates too close to be chosen together.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from sitesel.allocation.problems import Instance
from sitesel.config.allocation import AllocationSpec
from sitesel.errors import ConfigError
from sitesel.units import M_PER_KM


def build_instance(
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


def covered(spec: AllocationSpec, assigned: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Demand points assigned to a site, within T where the problem has one."""
    within = t <= (spec.within_min if spec.within_min is not None else np.inf)
    return within & (assigned >= 0)


def uncovered(
    spec: AllocationSpec, minutes: np.ndarray, names: np.ndarray, ids: np.ndarray
) -> list[str]:
    """Demand points no candidate reaches (within T, or within the cutoff): named."""
    limit = spec.within_min if spec.within_min is not None else spec.cutoff
    alone = ~(minutes <= limit).any(axis=1)
    return [str(n) or str(i) for n, i in zip(names[alone], ids[alone], strict=True)]
