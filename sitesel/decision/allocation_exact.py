"""The four location problems as mixed-integer programmes, solved by HiGHS through scipy.

Variables: ``y_j`` (candidate j chosen), and per problem ``x_ij`` (demand i served by j,
only for pairs within the matrix's cutoff), ``z_i`` (demand i covered) or ``W`` (the
longest time). Formulations as in ReVelle & Swain (1970), Church & ReVelle (1974),
Toregas et al. (1971) and Daskin (1995, ch. 5), the forms spopt builds with PuLP.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from sitesel._typing import FloatArray
from sitesel.decision.allocation import SENSE, Instance, Problem, Solution
from sitesel.errors import SolverError


def variables(problem: Problem, inst: Instance) -> int:
    """How many variables the programme has (to choose between exact and heuristic)."""
    n_d, n_c = (int(v) for v in inst.minutes.shape)
    if problem in ("p_median", "p_center"):
        return n_c + int(np.isfinite(inst.minutes).sum()) + int(problem == "p_center")
    if problem == "mclp":
        return n_c + n_d
    return n_c


def solve_exact(
    problem: Problem, inst: Instance, *, time_limit_s: float, mip_gap: float
) -> Solution:
    """Solve one problem to optimality (or to ``mip_gap``) with HiGHS.

    Raises
    ------
    SolverError
        If the programme is infeasible or no solution is found within the time limit.
    """
    start = time.perf_counter()
    c, constraints, integrality, bounds, n_c = _programme(problem, inst)
    res = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=bounds,
        options={"time_limit": time_limit_s, "mip_rel_gap": mip_gap, "disp": False},
    )
    if res.x is None:
        raise SolverError(f"{problem}: HiGHS found no feasible answer ({res.message})")
    chosen = np.flatnonzero(res.x[:n_c] > 0.5).astype(np.int64)
    sign = -1.0 if SENSE[problem] == "max" else 1.0
    objective = sign * float(res.fun)
    bound = sign * float(getattr(res, "mip_dual_bound", res.fun))
    if res.status == 0 and getattr(res, "mip_gap", 0.0) <= mip_gap:
        bound = objective if mip_gap == 0 else bound
    return Solution(
        chosen=chosen,
        objective=objective,
        bound=bound,
        solver="HiGHS MIP, optimal" if res.status == 0 else f"HiGHS MIP, stopped: {res.message}",
        seconds=time.perf_counter() - start,
    )


def _programme(
    problem: Problem, inst: Instance
) -> tuple[FloatArray, list[LinearConstraint], FloatArray, Bounds, int]:
    """Objective, constraints, integrality and bounds; the first n_c variables are y."""
    n_d, n_c = inst.minutes.shape
    rows: list[sparse.spmatrix] = []
    lower: list[FloatArray] = []
    upper: list[FloatArray] = []

    def add(matrix: sparse.spmatrix, lo: FloatArray | float, hi: FloatArray | float) -> None:
        m = matrix.shape[0]
        rows.append(sparse.csr_matrix(matrix))
        lower.append(np.broadcast_to(np.asarray(lo, dtype=float), (m,)).copy())
        upper.append(np.broadcast_to(np.asarray(hi, dtype=float), (m,)).copy())

    if problem in ("p_median", "p_center"):
        d_idx, c_idx = np.nonzero(np.isfinite(inst.minutes))
        n_x = len(d_idx)
        extra = 1 if problem == "p_center" else 0
        n = n_c + n_x + extra
        x = n_c + np.arange(n_x)
        # each demand point served once
        add(sparse.coo_matrix((np.ones(n_x), (d_idx, x)), shape=(n_d, n)), 1, 1)
        # served only by a chosen site: x_ij - y_j <= 0
        pair = np.arange(n_x)
        add(
            sparse.coo_matrix(
                (np.r_[np.ones(n_x), -np.ones(n_x)], (np.r_[pair, pair], np.r_[x, c_idx])),
                shape=(n_x, n),
            ),
            -np.inf,
            0,
        )
        minutes = inst.minutes[d_idx, c_idx]
        c = np.zeros(n)
        if problem == "p_median":
            c[x] = inst.weight[d_idx] * minutes * inst.time_factor[c_idx]
        else:  # sum_j d_ij x_ij - W <= 0 for every i
            c[-1] = 1.0
            add(
                sparse.coo_matrix(
                    (np.r_[minutes, -np.ones(n_d)], (np.r_[d_idx, np.arange(n_d)],
                     np.r_[x, np.full(n_d, n - 1)])),
                    shape=(n_d, n),
                ),
                -np.inf,
                0,
            )  # fmt: skip
        integrality = np.r_[np.ones(n_c), np.zeros(n_x + extra)]
        hi = np.r_[np.ones(n_c + n_x), np.full(extra, np.inf)]
    elif problem == "mclp":
        n = n_c + n_d
        d_idx, c_idx = np.nonzero(inst.covers)
        # z_i - sum_{j covers i} y_j <= 0
        add(
            sparse.coo_matrix(
                (np.r_[np.ones(n_d), -np.ones(len(d_idx))],
                 (np.r_[np.arange(n_d), d_idx], np.r_[n_c + np.arange(n_d), c_idx])),
                shape=(n_d, n),
            ),
            -np.inf,
            0,
        )  # fmt: skip
        c = np.r_[-inst.site_bonus, -inst.weight]
        integrality = np.r_[np.ones(n_c), np.zeros(n_d)]
        hi = np.ones(n)
    else:  # lscp: every coverable point covered, fewest sites
        n = n_c
        coverable = inst.covers.any(axis=1)
        d_idx, c_idx = np.nonzero(inst.covers[coverable])
        add(
            sparse.coo_matrix(
                (np.ones(len(d_idx)), (d_idx, c_idx)), shape=(int(coverable.sum()), n)
            ),
            1,
            np.inf,
        )
        c = np.ones(n)
        integrality = np.ones(n)
        hi = np.ones(n)
    if problem != "lscp":  # exactly k sites
        add(sparse.coo_matrix((np.ones(n_c), (np.zeros(n_c), np.arange(n_c))), shape=(1, n)),
            inst.k, inst.k)  # fmt: skip
    if len(inst.conflicts):  # y_a + y_b <= 1
        m = len(inst.conflicts)
        add(
            sparse.coo_matrix(
                (np.ones(2 * m), (np.repeat(np.arange(m), 2), inst.conflicts.ravel())),
                shape=(m, n),
            ),
            -np.inf,
            1,
        )
    lo = np.zeros(n)
    lo[inst.required] = 1.0
    constraint = LinearConstraint(sparse.vstack(rows).tocsr(), np.concatenate(lower),
                                  np.concatenate(upper))  # fmt: skip
    return c, [constraint], integrality, Bounds(lo, hi), n_c
