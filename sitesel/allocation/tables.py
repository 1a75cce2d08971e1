"""What a problem's answer writes: a row per chosen site, the matrix used, long form."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel.allocation.problems import Solution
from sitesel.config.allocation import AllocationSpec


def site_table(
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


def sparse_matrix(
    name: str, minutes: np.ndarray, cand_ids: np.ndarray, demand_ids: np.ndarray
) -> pd.DataFrame:
    """The pairs within the cutoff, long form: a reviewer can re-solve with another solver."""
    d_idx, c_idx = np.nonzero(np.isfinite(minutes))
    return pd.DataFrame(
        {"problem": name, "candidate": cand_ids[c_idx], "demand": demand_ids[d_idx],
         "minutes": minutes[d_idx, c_idx]}
    )  # fmt: skip
