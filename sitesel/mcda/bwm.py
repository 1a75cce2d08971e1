"""Best-Worst Method weights (Rezaei 2015, Omega 53; linear model, Rezaei 2016, Omega 64).

The decision maker names the best (most important) and the worst criterion and gives two
vectors on the 1-9 scale: best-to-others ``a_Bj`` (how much more important the best is than
j) and others-to-worst ``a_jW``. The linear model finds the weights minimising the largest
deviation ``xi`` from the judgments:

    min xi  s.t.  |w_B - a_Bj w_j| <= xi,  |w_j - a_jW w_W| <= xi,  sum w = 1,  w >= 0,

a linear programme with a unique solution (solved with scipy's HiGHS). ``xi`` is the
model's consistency indicator (0: fully consistent). The input-based consistency ratio of
Liang, Brunelli & Rezaei (2020, Omega 96) needs no optimisation:
``CR = max_j |a_Bj a_jW - a_BW| / (a_BW^2 - a_BW)`` (0 when ``a_BW = 1``), each term saying
how far the path best -> j -> worst disagrees with the direct best -> worst judgment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sitesel._typing import FloatArray


@dataclass(frozen=True)
class BwmResult:
    """Weights, the linear model's ``xi`` and the input-based consistency ratio."""

    weights: FloatArray
    xi: float
    consistency_ratio: float
    worst_pair: str  # the criterion whose two judgments disagree most with a_BW


def input_consistency_ratio(
    best_to_others: FloatArray, others_to_worst: FloatArray, best: int, worst: int
) -> tuple[float, int]:
    """Liang et al. (2020) input-based CR and the criterion with the largest term.

    >>> input_consistency_ratio(np.array([1.0, 2, 4]), np.array([4.0, 2, 1]), 0, 2)
    (0.0, 0)
    """
    a_bw = float(best_to_others[worst])
    if a_bw <= 1:
        return 0.0, best
    terms = np.abs(best_to_others * others_to_worst - a_bw) / (a_bw * a_bw - a_bw)
    k = int(np.argmax(terms))
    return float(terms[k]), k


def bwm_weights(
    criteria: Sequence[str],
    best: str,
    worst: str,
    best_to_others: Mapping[str, float],
    others_to_worst: Mapping[str, float],
) -> BwmResult:
    """Weights of the linear BWM.

    Examples
    --------
    Judgments consistent with weights (0.5, 0.25, 0.125, 0.125) give them back exactly:

    >>> r = bwm_weights("abcd", "a", "d", {"a": 1, "b": 2, "c": 4, "d": 4},
    ...                 {"a": 4, "b": 2, "c": 1, "d": 1})
    >>> r.weights.round(6).tolist(), round(r.xi, 9), r.consistency_ratio
    ([0.5, 0.25, 0.125, 0.125], 0.0, 0.0)
    """
    n = len(criteria)
    b, w = list(criteria).index(best), list(criteria).index(worst)
    a_b = np.array([float(best_to_others[c]) for c in criteria])
    a_w = np.array([float(others_to_worst[c]) for c in criteria])
    rows, rhs = [], []
    for j in range(n):  # variables: w_0 .. w_{n-1}, xi
        for sign in (1.0, -1.0):
            row = np.zeros(n + 1)
            row[b] += sign
            row[j] -= sign * a_b[j]
            row[n] = -1.0
            rows.append(row)
            row = np.zeros(n + 1)
            row[j] += sign
            row[w] -= sign * a_w[j]
            row[n] = -1.0
            rows.append(row)
            rhs += [0.0, 0.0]
    from scipy.optimize import linprog  # imported when used: scipy.optimize takes ~0.1 s

    cost = np.zeros(n + 1)
    cost[n] = 1.0
    solved = linprog(
        cost,
        A_ub=np.array(rows),
        b_ub=np.array(rhs),
        A_eq=np.r_[np.ones(n), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * (n + 1),
        method="highs",
    )
    if not solved.success:  # pragma: no cover - the programme is always feasible
        raise ValueError(f"the BWM linear programme failed: {solved.message}")
    weights = np.clip(solved.x[:n], 0.0, None)
    cr, k = input_consistency_ratio(a_b, a_w, b, w)
    return BwmResult(
        weights=np.asarray(weights / weights.sum(), dtype=np.float64),
        xi=float(solved.x[n]),
        consistency_ratio=cr,
        worst_pair=str(list(criteria)[k]),
    )
