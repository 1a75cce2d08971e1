"""p-median at scale: sitesel's heuristic with its Lagrangian bound against spopt.

Random plane instances (demand and candidates uniform on a 100 x 100 square, minutes =
distance, demand weights 1-500, seeded). sitesel solves with greedy + vertex substitution
and proves its gap with a Lagrangian lower bound (target 0.5 %); spopt's PMedian (PuLP
building the full assignment model, CBC solving it) is timed on the same instance where
it fits in the time given; its optimum is the reference for our objective.

    python benchmarks/allocation.py          # 500x100 (both), 2,000x400, 5,000x1,000
    python benchmarks/allocation.py --quick  # 500x100 only
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _common import report

from sitesel.allocation.heuristic import solve_heuristic
from sitesel.allocation.problems import Instance


def instance(n_candidates: int, n_demand: int, seed: int = 7) -> Instance:
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 100, (n_demand, 2))
    sites = rng.uniform(0, 100, (n_candidates, 2))
    minutes = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return Instance(minutes=minutes, weight=rng.integers(1, 500, n_demand).astype(float), k=5)


def spopt_seconds(inst: Instance, limit_s: float) -> tuple[float, float]:
    """Wall time of spopt's PMedian (model building and CBC) and its objective."""
    import pulp
    from spopt.locate import PMedian

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model = PMedian.from_cost_matrix(inst.minutes, inst.weight, p_facilities=inst.k)
        model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit_s))
    return time.perf_counter() - start, float(pulp.value(model.problem.objective))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = [(500, 100)] if args.quick else [(500, 100), (2000, 400), (5000, 1000)]
    for n_c, n_d in sizes:
        inst = instance(n_c, n_d)
        start = time.perf_counter()
        ours = solve_heuristic("p_median", inst, time_limit_s=10, target_gap=0.005)
        seconds = time.perf_counter() - start
        ref_s, ref_obj = (None, None)
        if n_c * n_d <= 200_000:  # CBC took over 10 minutes at 2,000 x 400 (800k variables)
            ref_s, ref_obj = spopt_seconds(inst, limit_s=300)
        report(
            "p-median k=5",
            f"{n_c} candidates x {n_d} demand",
            seconds,
            "spopt PMedian (PuLP + CBC)" if ref_s else "spopt not run (over 10 min at 800k vars)",
            ref_s,
            objective=round(ours.objective, 3),
            lower_bound=round(ours.bound, 3),
            gap_pct=round(100 * ours.gap, 3),
            spopt_objective=None if ref_obj is None else round(ref_obj, 3),
        )


if __name__ == "__main__":
    main()
