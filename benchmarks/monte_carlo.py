"""Monte Carlo rank robustness: vectorised draws vs the loop an analyst would write.

sitesel scores a chunk of weight draws in one matrix product and ranks them with one
``argsort``. The reference is plain numpy, one draw at a time: the weighted sum of the
candidates' scores, a stable ``argsort``, and the same statistics (P(rank 1), P(top 10),
5th and 95th rank percentiles), run over every draw. Both sides are the median of 3 runs,
and their P(rank 1) must agree.

    python benchmarks/monte_carlo.py           # 2,000 draws x 20k and 50k sites
    python benchmarks/monte_carlo.py --quick   # 1,000 draws x 10k sites
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np
from _common import median_of, report

from sitesel.mcda.aggregation import aggregate
from sitesel.mcda.robustness import dirichlet_weights, monte_carlo, stability_intervals


def numpy_loop(pool: np.ndarray, draws: np.ndarray, *, top_k: int) -> np.ndarray:
    """One draw at a time: weighted sum, stable argsort, rank statistics; P(rank 1)."""
    n = len(pool)
    first, top = np.zeros(n), np.zeros(n)
    ranks = np.empty((len(draws), n), dtype=np.int32)
    for k, w in enumerate(draws):
        order = np.argsort(-(pool @ w), kind="stable")
        ranks[k, order] = np.arange(1, n + 1)
        first[order[0]] += 1
        top[order[:top_k]] += 1
    np.percentile(ranks, [5, 95], axis=0)
    return first / len(draws)


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

        # As the pipeline calls it: the candidates' scores only (excluded sites are never
        # rescored), ties broken by site id.
        pool, pool_ids = scores[~excluded], [i for i, x in zip(ids, excluded, strict=True) if not x]
        fast, ours = median_of(
            functools.partial(
                monte_carlo,
                functools.partial(aggregate, pool),
                draws,
                candidates=np.ones(len(pool), dtype=bool),
                site_ids=pool_ids,
                top_k=10,
            )
        )
        loop, p_rank1 = median_of(functools.partial(numpy_loop, pool, draws, top_k=10))
        assert np.allclose(ours.p_rank1, p_rank1)
        report(
            "monte_carlo_ranks",
            f"{n_draws} draws x {n_sites} sites",
            fast,
            "numpy loop over every draw",
            loop,
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
