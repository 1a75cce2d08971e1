"""How often each site is chosen again when the weights are drawn anew.

A problem with suitability in its objective (``suitability_weight``) is re-solved with the
candidates' suitability under each of the robustness stage's Monte Carlo weight draws; the
share of draws choosing a site says how much its place in the answer owes to the weights.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from sitesel._typing import FloatArray
from sitesel.allocation.heuristic import solve_heuristic
from sitesel.allocation.problems import Instance
from sitesel.config.allocation import AllocationSpec
from sitesel.errors import SolverError

DRAW_TIME_LIMIT_S = 2.0
"""Each re-solve: the heuristic, at most this long."""


def chosen_share(
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


def share_record(share: FloatArray, cand_ids: np.ndarray, drawn: int) -> dict[str, Any]:
    """The manifest's record of the draws: every site chosen at least once, most often first."""
    order = np.argsort(-share, kind="stable")
    return {
        "draws": drawn,
        "solver": "greedy + vertex substitution (each draw)",
        "chosen_share": {
            str(cand_ids[i]): round(float(share[i]), 4) for i in order if share[i] > 0
        },
    }
