"""How robust the ranking is to the weights.

- **One at a time**: each criterion's weight is moved over [0, 1] (the others rescaled to
  keep the sum) and we find the weight interval within which the current number one stays
  number one: its *weight stability interval*.
- **Monte Carlo**: weight vectors are drawn around the configured ones (Dirichlet with a
  concentration, or perturbed AHP judgments), every draw is ranked, and each site gets
  P(rank 1), P(top k) and its 5th-95th percentile rank. All draws are scored in one
  matrix product (or a few chunks), never a per-draw Python loop over sites.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sitesel._typing import FloatArray

Aggregator = Callable[[FloatArray], FloatArray]
"""Weights ``(n_criteria,)`` or ``(n_draws, n_criteria)`` -> suitability per site."""


def ranks_per_draw(
    suitability: FloatArray, candidates: npt.NDArray[np.bool_], site_ids: Sequence[str]
) -> npt.NDArray[np.int32]:
    """Rank of each candidate in each draw (1 = best, ties by site id); 0 for the others.

    Parameters
    ----------
    suitability
        ``(n_draws, n_sites)``.
    candidates
        Sites that are ranked (not excluded).
    site_ids
        For the tie-break.

    Returns
    -------
    numpy.ndarray
        ``(n_draws, n_sites)`` int32.
    """
    cand = np.flatnonzero(candidates)
    by_id = cand[np.argsort(np.asarray(site_ids, dtype=object)[cand], kind="stable")]
    order = np.argsort(-suitability[:, by_id], axis=1, kind="stable")
    ranks = np.zeros(suitability.shape, dtype=np.int32)
    positions = np.empty_like(order)
    np.put_along_axis(positions, order, np.arange(1, len(by_id) + 1)[None, :], axis=1)
    ranks[:, by_id] = positions
    return ranks


def top_site_per_draw(
    suitability: FloatArray, candidates: npt.NDArray[np.bool_], site_ids: Sequence[str]
) -> npt.NDArray[np.intp]:
    """Index of the rank-1 site of each draw, in linear time (no sort).

    The highest suitability wins; ties go to the smallest site id.

    >>> top_site_per_draw(np.array([[0.5, 0.5, 0.1]]), np.array([True] * 3), ["b", "a", "c"])
    array([1])
    """
    # An excluded site never competes, nor does one without a value (NaN).
    suit = np.where(candidates[None, :] & np.isfinite(suitability), suitability, -np.inf)
    best = suit.max(axis=1, keepdims=True)
    id_rank = np.empty(len(site_ids), dtype=np.int64)
    id_rank[np.argsort(np.asarray(site_ids, dtype=object), kind="stable")] = np.arange(
        len(site_ids)
    )
    tied = np.where(suit == best, id_rank[None, :], np.iinfo(np.int64).max)
    return np.asarray(np.argmin(tied, axis=1), dtype=np.intp)


def dirichlet_weights(
    weights: FloatArray, *, concentration: float, draws: int, rng: np.random.Generator
) -> FloatArray:
    """Weight vectors drawn from Dirichlet(concentration * weights).

    Their mean is ``weights``; a larger concentration keeps draws closer to them.
    """
    return np.asarray(rng.dirichlet(concentration * np.asarray(weights), size=draws))


@dataclass(frozen=True)
class MonteCarloResult:
    """Per-site rank statistics over the draws (NaN for excluded sites)."""

    p_rank1: FloatArray
    p_top_k: FloatArray
    rank_p05: FloatArray
    rank_p95: FloatArray
    top_k: int
    draws: int
    ranks: npt.NDArray[np.int32]  # (n_draws, n_candidates), for SMAA-2
    candidate_index: npt.NDArray[np.intp]


def monte_carlo(
    aggregator: Aggregator,
    weight_draws: FloatArray,
    *,
    candidates: npt.NDArray[np.bool_],
    site_ids: Sequence[str],
    top_k: int,
    chunk: int = 250,
) -> MonteCarloResult:
    """Rank every draw and summarise each site's ranks.

    Parameters
    ----------
    aggregator
        Scores all sites for a batch of weight vectors.
    weight_draws
        ``(n_draws, n_criteria)``.
    candidates, site_ids
        Which sites are ranked; ids break ties.
    top_k
        For ``p_top_k``.
    chunk
        Draws scored and ranked at once (bounds memory).
    """
    n = len(site_ids)
    d = len(weight_draws)
    rank1 = np.zeros(n)
    topk = np.zeros(n)
    all_ranks = np.zeros((d, int(candidates.sum())), dtype=np.int32)
    cand = np.flatnonzero(candidates)
    for start in range(0, d, chunk):
        suit = aggregator(weight_draws[start : start + chunk])
        ranks = ranks_per_draw(suit, candidates, site_ids)
        rank1 += (ranks == 1).sum(axis=0)
        topk += ((ranks >= 1) & (ranks <= top_k)).sum(axis=0)
        all_ranks[start : start + chunk] = ranks[:, cand]
    p05 = np.full(n, np.nan)
    p95 = np.full(n, np.nan)
    p05[cand], p95[cand] = np.percentile(all_ranks, [5, 95], axis=0, method="nearest")
    nan_out = np.where(candidates, 1.0, np.nan)
    return MonteCarloResult(
        p_rank1=rank1 / d * nan_out,
        p_top_k=topk / d * nan_out,
        rank_p05=p05,
        rank_p95=p95,
        top_k=top_k,
        draws=d,
        ranks=all_ranks,
        candidate_index=cand,
    )


@dataclass(frozen=True)
class StabilityInterval:
    """Weight range of one criterion within which the current top site stays on top."""

    criterion: str
    weight: float
    lower: float | None  # None: stays on top down to weight 0
    upper: float | None  # None: stays on top up to weight 1
    lower_challenger: str | None
    upper_challenger: str | None

    @property
    def smallest_change(self) -> float | None:
        """The smallest change of this weight that dethrones the top site (None: none does)."""
        gaps = [self.weight - self.lower] if self.lower is not None else []
        gaps += [self.upper - self.weight] if self.upper is not None else []
        return min(gaps) if gaps else None


def _with_weight(weights: FloatArray, j: int, t: FloatArray) -> FloatArray:
    """Weight vectors with criterion j at each t, the others rescaled to sum to 1 - t."""
    others = np.delete(np.arange(len(weights)), j)
    rest = weights[others].sum()
    out = np.empty((len(t), len(weights)))
    out[:, j] = t
    out[:, others] = (
        weights[others][None, :] * ((1 - t) / rest)[:, None]
        if rest > 0
        else ((1 - t) / len(others))[:, None]
    )
    return out


def stability_intervals(
    aggregator: Aggregator,
    weights: FloatArray,
    names: Sequence[str],
    *,
    candidates: npt.NDArray[np.bool_],
    site_ids: Sequence[str],
    steps: int = 400,
    tolerance: float = 1e-6,
) -> list[StabilityInterval]:
    """One-at-a-time weight stability interval of every criterion.

    The weight is scanned over ``steps`` points of [0, 1] and each change of the top site
    nearest the configured weight is located to ``tolerance`` by bisection.
    """
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    ids = np.asarray(site_ids, dtype=object)

    def winners(t: FloatArray) -> npt.NDArray[np.intp]:
        return top_site_per_draw(aggregator(_with_weight(w, j, t)), candidates, site_ids)

    out = []
    for j, name in enumerate(names):
        if len(w) < 2:
            out.append(StabilityInterval(name, float(w[j]), None, None, None, None))
            continue
        top = winners(np.array([w[j]]))[0]
        grid = np.linspace(0.0, 1.0, steps + 1)
        win = winners(grid)
        bounds: list[tuple[float | None, str | None]] = []
        for side in (-1, 1):
            inside = grid[(grid <= w[j]) if side < 0 else (grid >= w[j])]
            changed = inside[win[np.searchsorted(grid, inside)] != top]
            if len(changed) == 0:
                bounds.append((None, None))
                continue
            far = changed.max() if side < 0 else changed.min()
            near = float(w[j])
            while abs(far - near) > tolerance:
                mid = (far + near) / 2
                if winners(np.array([mid]))[0] == top:
                    near = mid
                else:
                    far = mid
            bounds.append((float(far), str(ids[winners(np.array([far]))[0]])))
        (lo, lo_site), (hi, hi_site) = bounds
        out.append(StabilityInterval(name, float(w[j]), lo, hi, lo_site, hi_site))
    return out


def per_site_columns(
    stats: MonteCarloResult, in_play: npt.NDArray[np.intp], n_sites: int
) -> dict[str, object]:
    """The Monte Carlo columns for every site: NaN where a site was not in play."""

    def per_site(values: FloatArray) -> FloatArray:
        full = np.full(n_sites, np.nan)
        full[in_play] = values
        return full

    return {
        "p_rank1": per_site(stats.p_rank1),
        f"p_top{stats.top_k}": per_site(stats.p_top_k),
        "rank_p05": per_site(stats.rank_p05),
        "rank_p95": per_site(stats.rank_p95),
    }
