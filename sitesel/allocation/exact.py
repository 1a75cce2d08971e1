"""The four location problems as mixed-integer programmes, solved by HiGHS through scipy.

Variables: ``y_j`` (candidate j chosen), and per problem ``x_ij`` (demand i served by j,
only for pairs within the matrix's cutoff), ``z_i`` (demand i covered) or ``W`` (the
longest time). Formulations as in ReVelle & Swain (1970), Church & ReVelle (1974),
Toregas et al. (1971) and Daskin (1995, ch. 5), the forms spopt builds with PuLP.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from sitesel._typing import FloatArray
from sitesel.allocation.problems import SENSE, Instance, Problem, Solution, variables
from sitesel.allocation.solvers import solver
from sitesel.config.allocation import AllocationSpec
from sitesel.errors import SolverError


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


class _Rows:
    """Constraint rows gathered block by block: ``lower <= A x <= upper``."""

    def __init__(self, n_vars: int) -> None:
        self.n_vars = n_vars
        self._blocks: list[sparse.csr_matrix] = []
        self._lower: list[FloatArray] = []
        self._upper: list[FloatArray] = []

    def add(
        self,
        values: FloatArray,
        rows: npt.NDArray[np.integer],
        cols: npt.NDArray[np.integer],
        n_rows: int,
        lo: FloatArray | float,
        hi: FloatArray | float,
    ) -> None:
        """A block of ``n_rows`` rows from its non-zero entries, with its bounds."""
        shape = (n_rows, self.n_vars)
        self._blocks.append(sparse.csr_matrix(sparse.coo_matrix((values, (rows, cols)), shape)))
        self._lower.append(np.broadcast_to(np.asarray(lo, dtype=float), (n_rows,)).copy())
        self._upper.append(np.broadcast_to(np.asarray(hi, dtype=float), (n_rows,)).copy())

    def constraint(self) -> LinearConstraint:
        matrix = sparse.vstack(self._blocks).tocsr()
        return LinearConstraint(matrix, np.concatenate(self._lower), np.concatenate(self._upper))


_Parts = tuple[FloatArray, FloatArray, FloatArray, _Rows]  # objective, integrality, upper, rows


def _assignment_parts(problem: Problem, inst: Instance) -> _Parts:
    """p-median and p-centre: y, then x_ij for the pairs within the cutoff (and W)."""
    n_d, n_c = inst.minutes.shape
    d_idx, c_idx = np.nonzero(np.isfinite(inst.minutes))
    n_x = len(d_idx)
    extra = 1 if problem == "p_center" else 0
    rows = _Rows(n_c + n_x + extra)
    x = n_c + np.arange(n_x)
    rows.add(np.ones(n_x), d_idx, x, n_d, 1, 1)  # each demand point served once
    pair = np.arange(n_x)  # served only by a chosen site: x_ij - y_j <= 0
    rows.add(np.r_[np.ones(n_x), -np.ones(n_x)], np.r_[pair, pair], np.r_[x, c_idx], n_x,
             -np.inf, 0)  # fmt: skip
    minutes = inst.minutes[d_idx, c_idx]
    c = np.zeros(rows.n_vars)
    if problem == "p_median":
        c[x] = inst.weight[d_idx] * minutes * inst.time_factor[c_idx]
    else:  # sum_j d_ij x_ij - W <= 0 for every i
        c[-1] = 1.0
        rows.add(np.r_[minutes, -np.ones(n_d)], np.r_[d_idx, np.arange(n_d)],
                 np.r_[x, np.full(n_d, rows.n_vars - 1)], n_d, -np.inf, 0)  # fmt: skip
    integrality = np.r_[np.ones(n_c), np.zeros(n_x + extra)]
    return c, integrality, np.r_[np.ones(n_c + n_x), np.full(extra, np.inf)], rows


def _covering_parts(problem: Problem, inst: Instance) -> _Parts:
    """MCLP: y, then z_i (demand i covered); z_i - sum_{j covers i} y_j <= 0."""
    n_d, n_c = inst.minutes.shape
    rows = _Rows(n_c + n_d)
    d_idx, c_idx = np.nonzero(inst.covers)
    rows.add(np.r_[np.ones(n_d), -np.ones(len(d_idx))], np.r_[np.arange(n_d), d_idx],
             np.r_[n_c + np.arange(n_d), c_idx], n_d, -np.inf, 0)  # fmt: skip
    c = np.r_[-inst.site_bonus, -inst.weight]
    return c, np.r_[np.ones(n_c), np.zeros(n_d)], np.ones(rows.n_vars), rows


def _set_covering_parts(problem: Problem, inst: Instance) -> _Parts:
    """LSCP: y only; every coverable point covered at least once, fewest sites."""
    n_c = inst.minutes.shape[1]
    rows = _Rows(n_c)
    coverable = inst.covers.any(axis=1)
    d_idx, c_idx = np.nonzero(inst.covers[coverable])
    rows.add(np.ones(len(d_idx)), d_idx, c_idx, int(coverable.sum()), 1, np.inf)
    return np.ones(n_c), np.ones(n_c), np.ones(n_c), rows


_PARTS = {
    "p_median": _assignment_parts,
    "p_center": _assignment_parts,
    "mclp": _covering_parts,
    "lscp": _set_covering_parts,
}


def _programme(
    problem: Problem, inst: Instance
) -> tuple[FloatArray, list[LinearConstraint], FloatArray, Bounds, int]:
    """Objective, constraints, integrality and bounds; the first n_c variables are y."""
    n_c = inst.minutes.shape[1]
    c, integrality, hi, rows = _PARTS[problem](problem, inst)
    if problem != "lscp":  # exactly k sites
        rows.add(np.ones(n_c), np.zeros(n_c, dtype=np.int64), np.arange(n_c), 1, inst.k, inst.k)
    if len(inst.conflicts):  # y_a + y_b <= 1
        m = len(inst.conflicts)
        rows.add(np.ones(2 * m), np.repeat(np.arange(m), 2), inst.conflicts.ravel(), m,
                 -np.inf, 1)  # fmt: skip
    lo = np.zeros(rows.n_vars)
    lo[inst.required] = 1.0
    return c, [rows.constraint()], integrality, Bounds(lo, hi), n_c


ALL_PROBLEMS = frozenset({"p_median", "mclp", "lscp", "p_center"})


def _small_enough(spec: AllocationSpec, inst: Instance) -> bool:
    return variables(spec.problem, inst) <= spec.solver.max_exact_variables


@solver("exact", problems=ALL_PROBLEMS, fits=_small_enough, order=0)
def exact_answer(spec: AllocationSpec, inst: Instance) -> Solution:
    """The optimum (or one within ``solver.mip_gap``), by HiGHS."""
    limit = spec.solver
    return solve_exact(spec.problem, inst, time_limit_s=limit.time_limit_s, mip_gap=limit.mip_gap)
