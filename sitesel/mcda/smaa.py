"""SMAA-2 descriptive measures from the Monte Carlo weight draws (Lahdelma & Salminen 2001).

- **Rank acceptability index** ``b_i^r``: the share of weight draws in which site i has
  rank r (here for the top ranks).
- **Central weight vector** ``w_i^c``: the mean of the draws in which site i ranks first,
  the typical preferences that make it the best choice.
- **Confidence factor** ``p_i^c``: the probability that site i ranks first when the weights
  are its central weight vector. SMAA-2 takes it over uncertain criterion values; sitesel's
  scores are exact, so it is 1 when the site is first at its central weights and 0 when
  another site is (the central weights of a site that wins in scattered corners of the
  weight space may favour someone else).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sitesel._typing import FloatArray
from sitesel.mcda.robustness import Aggregator, top_site_per_draw


@dataclass(frozen=True)
class SmaaSite:
    """SMAA-2 measures of one site that ranks first in some draws."""

    site_id: str
    acceptability: list[float]  # b^1 .. b^k
    central_weights: list[float]
    confidence_factor: float


def smaa2(
    ranks: npt.NDArray[np.int32],
    draws: FloatArray,
    *,
    candidate_index: npt.NDArray[np.intp],
    aggregator: Aggregator,
    candidates: npt.NDArray[np.bool_],
    site_ids: Sequence[str],
    top_k: int,
    max_sites: int = 20,
) -> list[SmaaSite]:
    """Rank acceptabilities, central weights and confidence of the sites that can lead.

    Parameters
    ----------
    ranks
        ``(n_draws, n_candidates)`` rank of each candidate in each draw (1 = best).
    draws
        ``(n_draws, n_criteria)`` the weight vectors, normalised.
    candidate_index
        Site index of each candidate column.
    aggregator, candidates, site_ids
        To rescore at the central weights (ties by site id, as the ranking breaks them).
    top_k
        Ranks 1..top_k get an acceptability index.
    max_sites
        At most this many sites, the most often first.

    Returns
    -------
    list of SmaaSite
        Sites with ``b^1 > 0``, by decreasing ``b^1`` then id.
    """
    d = len(draws)
    first = np.argmax(ranks == 1, axis=1)  # the rank-1 candidate column of each draw
    wins = np.bincount(first, minlength=ranks.shape[1])
    ids = np.asarray(site_ids, dtype=object)[candidate_index]
    leaders = [c for c in np.lexsort((ids, -wins)) if wins[c] > 0][:max_sites]
    if not leaders:
        return []
    central = np.zeros((ranks.shape[1], draws.shape[1]))
    np.add.at(central, first, draws)
    central = central[leaders] / wins[leaders][:, None]
    top = top_site_per_draw(aggregator(central), candidates, site_ids)
    acceptability = np.stack(
        [(ranks[:, leaders] == r).sum(axis=0) / d for r in range(1, top_k + 1)]
    )
    return [
        SmaaSite(
            site_id=str(ids[c]),
            acceptability=[round(float(b), 6) for b in acceptability[:, k]],
            central_weights=[round(float(w), 6) for w in central[k]],
            confidence_factor=float(top[k] == candidate_index[c]),
        )
        for k, c in enumerate(leaders)
    ]
