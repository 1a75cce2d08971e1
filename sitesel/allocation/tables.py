"""What a problem's answer writes.

A row per chosen site, the matrix used (long form), and the manifest's record of the problem.
"""

from __future__ import annotations

from typing import Any

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


def problem_record(
    spec: AllocationSpec,
    solution: Solution,
    chosen_ids: np.ndarray,
    *,
    candidates: int,
    weight: np.ndarray,
    served: np.ndarray,
    covered: np.ndarray,
    uncovered: list[str],
    robustness: dict[str, Any] | None,
) -> dict[str, Any]:
    """A location problem as the manifest records it: as posed, as solved, as covered."""
    return {
        "problem": spec.problem,
        "k": spec.k if spec.k is not None else len(solution.chosen),
        "within_min": spec.within_min,
        "cutoff_min": spec.cutoff,
        "min_spacing_km": spec.min_spacing_km,
        "suitability_weight": spec.suitability_weight,
        "required_sites": list(spec.required_sites),
        "candidates": candidates,
        "demand_points": len(weight),
        "demand_total": float(weight.sum()),
        "demand_unreached": int((~served).sum()),
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "solver": solution.solver,
        "seconds": round(solution.seconds, 3),
        "chosen": chosen_ids.tolist(),
        "coverage_share": float(weight[covered].sum() / weight.sum()),
        "uncovered": uncovered,
        "robustness": robustness,
    }
