"""Which ranked sites may be chosen: the best N, those above a suitability, the required.

Required sites (an existing cluster) join the candidates whatever their rank, and must be
ranked; a k the candidates cannot meet is refused.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from sitesel.config.allocation import AllocationSpec
from sitesel.errors import ConfigError


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


def check_k(spec: AllocationSpec, n_candidates: int, key: str) -> None:
    """Refuse a k the candidates (or the required sites) make impossible."""
    if spec.k is not None and spec.k > n_candidates:
        raise ConfigError(
            f"{key}.k: {spec.k} sites asked for, but only {n_candidates} candidates; lower k or"
            " widen the candidates"
        )
    if spec.k is not None and len(spec.required_sites) > spec.k:
        raise ConfigError(f"{key}.required_sites: {len(spec.required_sites)} sites, more than k")
