"""Monte Carlo rank robustness: vectorised draws vs a per-draw loop.

sitesel scores a chunk of weight draws in one matrix product and ranks them with one
``argsort``; the reference scores and ranks one draw at a time with sitesel's own
``aggregate`` and ``rank_sites`` (measured on the first 100 draws, scaled to all).

    python benchmarks/monte_carlo.py           # 2,000 draws x 20k and 50k sites
    python benchmarks/monte_carlo.py --quick   # 1,000 draws x 10k sites
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np
from _common import report

from sitesel.decision.aggregation import aggregate, rank_sites
from sitesel.decision.robustness import dirichlet_weights, monte_carlo, stability_intervals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    cases = [(10_000, 1_000)] if args.quick else [(20_000, 2_000), (50_000, 2_000)]
    names = ["a", "b", "c", "d", "e"]
    for n_sites, n_draws in cases:
        rng = np.random.default_rng(0)
        scores = rng.random((n_sites, len(names)))
        excluded = rng.random(n_sites) < 0.3
        ids = [f"s{i:06d}" for i in range(n_sites)]
        w = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
        draws = dirichlet_weights(w, concentration=50, draws=n_draws, rng=rng)

        start = time.perf_counter()
        monte_carlo(
            functools.partial(aggregate, scores),
            draws,
            candidates=~excluded,
            site_ids=ids,
            top_k=10,
        )
        fast = time.perf_counter() - start

        sample = min(100, n_draws)
        start = time.perf_counter()
        for k in range(sample):
            suit = aggregate(scores, draws[k])
            rank_sites(suit, excluded, ids)
        loop = (time.perf_counter() - start) * n_draws / sample
        report(
            "monte_carlo_ranks",
            f"{n_draws} draws x {n_sites} sites",
            fast,
            "per_draw_loop_extrapolated",
            loop,
            loop_draws_measured=sample,
        )

        start = time.perf_counter()
        stability_intervals(
            functools.partial(aggregate, scores), w, names, candidates=~excluded, site_ids=ids
        )
        report(
            "stability_intervals",
            f"{len(names)} criteria x {n_sites} sites",
            time.perf_counter() - start,
            "monte_carlo_ranks",
            fast,
        )


if __name__ == "__main__":
    main()
