"""Combine criterion scores into suitability, and rank sites."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from sitesel.network import FloatArray


def normalised_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights scaled to sum to 1.

    >>> normalised_weights({"a": 3, "b": 1})
    {'a': 0.75, 'b': 0.25}
    """
    total = float(sum(weights.values()))
    if total <= 0:
        raise ValueError("weights must sum to a positive number")
    return {name: float(w) / total for name, w in weights.items()}


def weighted_sum(scores: Mapping[str, FloatArray], weights: Mapping[str, float]) -> FloatArray:
    """Suitability as the weighted sum of scores (weights normalised to sum to 1)."""
    norm = normalised_weights(weights)
    total = np.sum([norm[name] * scores[name] for name in norm], axis=0)
    return np.asarray(total, dtype=np.float64)


def rank_sites(
    suitability: FloatArray,
    excluded: npt.NDArray[np.bool_],
    site_id: Sequence[str],
) -> pd.Series:
    """Rank 1 = highest suitability; ties broken by site id; excluded sites get no rank.

    >>> import numpy as np
    >>> rank_sites(np.array([0.5, 0.9, 0.5, 1.0]), np.array([False, False, False, True]),
    ...            ["b", "c", "a", "d"]).tolist()
    [3, 1, 2, <NA>]
    """
    order = pd.DataFrame(
        {"neg": -np.asarray(suitability), "site_id": list(site_id), "pos": np.arange(len(site_id))}
    )
    kept = order[~np.asarray(excluded)].sort_values(["neg", "site_id"], kind="mergesort")
    ranks = pd.Series(pd.NA, index=range(len(site_id)), dtype="Int64")
    ranks.iloc[kept["pos"].to_numpy()] = np.arange(1, len(kept) + 1)
    return ranks
