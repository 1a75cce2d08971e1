"""p-median and MCLP too large for an exact programme: heuristic answers with proven bounds.

The answer: greedy addition (each step the site that improves the objective most), then
vertex substitution (Teitz & Bart 1968): swap a chosen site for an unchosen one while
that improves the objective, best swap first, until no swap helps or time runs out.

The bound: Lagrangian relaxation (Daskin 1995, ch. 6; Galvão 1980) by subgradient
optimisation. For the p-median, relaxing "each demand point is served once" with
multipliers ``lambda`` gives ``L = sum(lambda) + sum of the k smallest rho_j`` with
``rho_j = sum_i min(0, w_i d_ij - lambda_i)``, a lower bound for any ``lambda``. For MCLP,
relaxing ``z_i <= sum_{j covers i} y_j`` with ``mu >= 0`` gives ``sum_i max(0, w_i -
mu_i)`` plus the k largest ``sum_{i covered by j} mu_i``, an upper bound. The spacing
rule is left out of the bounds (a relaxation stays a bound). The gap reported is between
the answer and the best bound found.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse

from sitesel._typing import FloatArray, IntArray
from sitesel.allocation.problems import Instance, Solution
from sitesel.allocation.solvers import solver
from sitesel.config.allocation import AllocationSpec

UNREACHABLE = 1e15
"""Stands for the cost of an unreachable pair, so arithmetic stays finite."""


def solve_heuristic(
    problem: str, inst: Instance, *, time_limit_s: float, target_gap: float
) -> Solution:
    """Greedy plus vertex substitution, and a Lagrangian bound (p-median or MCLP)."""
    start = time.perf_counter()
    deadline = start + time_limit_s
    allowed = _conflicts(inst)
    if problem == "p_median":
        cost = _weighted_cost(inst)
        chosen = _greedy(cost, inst, allowed, _median_gain)
        chosen = _substitute(cost, inst, allowed, chosen, _median_value, deadline)
        bound, found = _median_bound(cost, inst, chosen, allowed, deadline, target_gap)
        if _median_value(cost, found) < _median_value(cost, chosen):  # the bound's answer
            chosen = _substitute(cost, inst, allowed, found, _median_value, deadline)
        objective = float(_median_value(cost, chosen))
    elif problem == "mclp":
        cover = np.where(inst.covers, inst.weight[:, None], 0.0)
        bonus = inst.site_bonus
        chosen = _greedy(cover, inst, allowed, lambda m, ch: _cover_gain(m, ch) + bonus)
        chosen = _substitute(cover, inst, allowed, chosen, _cover_value, deadline, bonus)
        bound, found = _cover_bound(inst, cover, chosen, allowed, deadline, target_gap)
        if _cover_value(cover, found) + bonus[found].sum() > (
            _cover_value(cover, chosen) + bonus[chosen].sum()
        ):
            chosen = _substitute(cover, inst, allowed, found, _cover_value, deadline, bonus)
        objective = float(_cover_value(cover, chosen) + bonus[chosen].sum())
    else:
        raise ValueError(f"no heuristic for {problem}")
    return Solution(
        chosen=np.sort(chosen),
        objective=objective,
        bound=bound,
        solver="greedy + vertex substitution, Lagrangian bound",
        seconds=time.perf_counter() - start,
    )


def _weighted_cost(inst: Instance) -> FloatArray:
    finite = np.isfinite(inst.minutes)
    minutes = np.where(finite, inst.minutes, 0) * inst.time_factor[None, :]
    return np.where(finite, inst.weight[:, None] * minutes, UNREACHABLE)


def _conflicts(inst: Instance) -> sparse.csr_matrix:
    n = inst.minutes.shape[1]
    a, b = inst.conflicts.T if len(inst.conflicts) else (np.empty(0, int), np.empty(0, int))
    data = np.ones(2 * len(a))
    return sparse.csr_matrix((data, (np.r_[a, b], np.r_[b, a])), shape=(n, n))


def _open(conflicts: sparse.csr_matrix, chosen: IntArray, n: int) -> np.ndarray:
    """Candidates that may join ``chosen``: not chosen, not too close to a chosen one."""
    ok = np.ones(n, dtype=bool)
    ok[chosen] = False
    if conflicts.nnz and len(chosen):
        ok &= np.asarray(conflicts[chosen].sum(axis=0)).ravel() == 0
    return ok


def _median_value(cost: FloatArray, chosen: IntArray) -> float:
    return float(cost[:, chosen].min(axis=1).sum()) if len(chosen) else np.inf


def _cover_value(cover: FloatArray, chosen: IntArray) -> float:
    return float(cover[:, chosen].max(axis=1).sum()) if len(chosen) else 0.0


def _median_gain(cost: FloatArray, chosen: IntArray) -> FloatArray:
    current = cost[:, chosen].min(axis=1) if len(chosen) else np.full(len(cost), UNREACHABLE)
    return np.asarray(np.maximum(current[:, None] - cost, 0).sum(axis=0), dtype=np.float64)


def _cover_gain(cover: FloatArray, chosen: IntArray) -> FloatArray:
    current = cover[:, chosen].max(axis=1) if len(chosen) else np.zeros(len(cover))
    return np.asarray(np.maximum(cover - current[:, None], 0).sum(axis=0), dtype=np.float64)


def _greedy(matrix: FloatArray, inst: Instance, conflicts: sparse.csr_matrix, gain) -> IntArray:  # type: ignore[no-untyped-def]
    chosen = np.asarray(inst.required, dtype=np.int64)
    n = matrix.shape[1]
    while len(chosen) < inst.k:
        ok = _open(conflicts, chosen, n)
        if not ok.any():
            break
        g = np.where(ok, gain(matrix, chosen), -np.inf)
        chosen = np.append(chosen, int(np.argmax(g)))
    return chosen


def _substitute(  # type: ignore[no-untyped-def]
    matrix: FloatArray,
    inst: Instance,
    conflicts: sparse.csr_matrix,
    chosen: IntArray,
    value,
    deadline: float,
    bonus: FloatArray | None = None,
) -> IntArray:
    """Best-improvement swaps of non-required sites until none helps (or time is up).

    ``bonus`` (MCLP with suitability): each candidate's worth when chosen, added.
    """
    minimise = value is _median_value
    extra = np.zeros(matrix.shape[1]) if bonus is None else bonus
    best = value(matrix, chosen) + (0.0 if minimise else float(extra[chosen].sum()))
    required = set(np.asarray(inst.required).tolist())
    n = matrix.shape[1]
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for f in [c for c in chosen.tolist() if c not in required]:
            rest = np.array([c for c in chosen.tolist() if c != f], dtype=np.int64)
            ok = _open(conflicts, rest, n)
            if minimise:
                base = (
                    matrix[:, rest].min(axis=1) if len(rest) else np.full(len(matrix), UNREACHABLE)
                )
                totals = np.minimum(base[:, None], matrix).sum(axis=0)
                totals = np.where(ok, totals, np.inf)
                j = int(np.argmin(totals))
                better = totals[j] < best - 1e-9 * max(abs(best), 1)
            else:
                base = matrix[:, rest].max(axis=1) if len(rest) else np.zeros(len(matrix))
                totals = np.maximum(base[:, None], matrix).sum(axis=0)
                totals = totals + extra + float(extra[rest].sum())
                totals = np.where(ok, totals, -np.inf)
                j = int(np.argmax(totals))
                better = totals[j] > best + 1e-9 * max(abs(best), 1)
            if better:
                chosen, best, improved = np.append(rest, j), float(totals[j]), True
            if time.perf_counter() >= deadline:
                break
    return chosen


def _top_k(values: FloatArray, required: IntArray, k: int, smallest: bool) -> IntArray:
    """The required columns plus the k - r best others."""
    rest = np.setdiff1d(np.arange(len(values)), required)
    free = k - len(required)
    if free <= 0:
        return np.asarray(required, dtype=np.int64)
    order = np.argsort(values[rest] if smallest else -values[rest], kind="stable")[:free]
    return np.concatenate([np.asarray(required, dtype=np.int64), rest[order]])


def _feasible(chosen: IntArray, conflicts: sparse.csr_matrix) -> bool:
    """Whether no two of ``chosen`` are too close together."""
    return not conflicts.nnz or conflicts[chosen][:, chosen].nnz == 0


def _median_bound(
    cost: FloatArray,
    inst: Instance,
    chosen: IntArray,
    conflicts: sparse.csr_matrix,
    deadline: float,
    target_gap: float,
) -> tuple[float, IntArray]:
    """Best Lagrangian lower bound of the p-median, and the best answer met on the way.

    Each step's open sites are also an answer (a Lagrangian heuristic); the best one found
    tightens the step size and may beat the substitution's.
    """
    best_set = chosen
    upper = _median_value(cost, chosen)
    part = np.partition(cost, 1, axis=1) if cost.shape[1] > 1 else cost
    lam = part[:, min(1, cost.shape[1] - 1)].copy()  # the second nearest: a good start
    best, theta, stale = -np.inf, 2.0, 0
    for _ in range(2000):
        reduced = np.minimum(cost - lam[:, None], 0.0)
        rho = reduced.sum(axis=0)
        open_ = _top_k(rho, inst.required, inst.k, smallest=True)
        value = float(lam.sum() + rho[open_].sum())
        primal = _median_value(cost, open_)
        if primal < upper and _feasible(open_, conflicts):
            upper, best_set = primal, open_
        if not np.isfinite(best) or value > best + 1e-9 * max(abs(best), 1):
            best, stale = value, 0
        else:
            stale += 1
            if stale >= 20:
                theta, stale = theta / 2, 0
        if (upper - best) <= target_gap * abs(upper) or theta < 1e-6:
            break
        if time.perf_counter() > deadline:
            break
        grad = 1.0 - (reduced[:, open_] < 0).sum(axis=1)
        norm = float(grad @ grad)
        if norm == 0:
            best = max(best, value)
            break
        lam = lam + theta * (upper - value) / norm * grad
    return min(best, upper), best_set


def _cover_bound(
    inst: Instance,
    weighted: FloatArray,
    chosen: IntArray,
    conflicts: sparse.csr_matrix,
    deadline: float,
    target_gap: float,
) -> tuple[float, IntArray]:
    """Best Lagrangian upper bound of the MCLP, and the best answer met on the way."""
    best_set = chosen
    bonus = inst.site_bonus
    lower = _cover_value(weighted, chosen) + float(bonus[chosen].sum())
    cover = inst.covers.astype(np.float64)
    w = inst.weight
    mu = w / 2
    best, theta, stale = np.inf, 2.0, 0
    for _ in range(2000):
        score = mu @ cover + bonus
        open_ = _top_k(score, inst.required, inst.k, smallest=False)
        value = float(np.maximum(w - mu, 0).sum() + score[open_].sum())
        primal = _cover_value(weighted, open_) + float(bonus[open_].sum())
        if primal > lower and _feasible(open_, conflicts):
            lower, best_set = primal, open_
        if not np.isfinite(best) or value < best - 1e-9 * max(abs(best), 1):
            best, stale = value, 0
        else:
            stale += 1
            if stale >= 20:
                theta, stale = theta / 2, 0
        if (best - lower) <= target_gap * max(abs(lower), 1e-12) or theta < 1e-6:
            break
        if time.perf_counter() > deadline:
            break
        grad = cover[:, open_].sum(axis=1) - (w > mu)
        norm = float(grad @ grad)
        if norm == 0:
            break
        mu = np.maximum(mu - theta * (value - lower) / norm * grad, 0.0)
    return max(best, lower), best_set


@solver("heuristic", problems=frozenset({"p_median", "mclp"}), fits=lambda spec, inst: True,
        order=1)  # fmt: skip
def heuristic_answer(spec: AllocationSpec, inst: Instance) -> Solution:
    """Greedy plus substitution with a Lagrangian bound, for programmes too large."""
    limit = spec.solver
    return solve_heuristic(spec.problem, inst, time_limit_s=limit.time_limit_s,
                           target_gap=max(limit.mip_gap, 1e-4))  # fmt: skip
