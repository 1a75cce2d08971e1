"""Combine criterion scores into suitability, and rank sites.

The arithmetic of each method lives in its module of :mod:`sitesel.mcda.methods`; this
module prepares a method once and applies it to one weight vector or a batch of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sitesel._typing import FloatArray
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods import DEFAULT_METHOD, method_of

__all__ = [
    "aggregate",
    "limiting_criterion",
    "make_aggregator",
    "make_aggregators",
    "rank_sites",
]


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


_CHUNK_CELLS = 20_000_000  # draws x sites x criteria held at once by OWA, TOPSIS, VIKOR


def make_aggregator(
    scores: FloatArray,
    spec: AggregationSpec,
    *,
    candidates: npt.NDArray[np.bool_] | None = None,
    names: Sequence[str] | None = None,
) -> Callable[[FloatArray], FloatArray]:
    """A function from weights to suitability, with the weight-free work done once.

    Parameters
    ----------
    scores
        ``(n_sites, n_criteria)`` scores in [0, 1] (benefit: higher is better).
    spec
        The aggregation section: one of the methods of :mod:`sitesel.mcda.methods`.
    candidates
        The sites compared by TOPSIS, VIKOR and PROMETHEE (ideals, flows); all if None.
    names
        The criteria's names (the columns of ``scores``), for methods whose keys name
        criteria; ``c0, c1, ...`` if None.

    Returns
    -------
    callable
        Weights ``(n_criteria,)`` or ``(n_draws, n_criteria)`` (each normalised to sum to
        1) to suitability ``(n_sites,)`` or ``(n_draws, n_sites)``.
    """
    return make_aggregators(scores, spec, candidates=candidates, names=names)[0]


def make_aggregators(
    scores: FloatArray,
    spec: AggregationSpec,
    *,
    candidates: npt.NDArray[np.bool_] | None = None,
    names: Sequence[str] | None = None,
) -> tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], FloatArray]]:
    """Two aggregators from one preparation: over every site, and over the candidates only.

    The relative methods' weight-free work (TOPSIS's normalisation, VIKOR's regret terms,
    PROMETHEE's pairwise flows) is done once over all sites against the candidates; the
    second aggregator reads the candidates' rows of it, which is what rescoring (Monte
    Carlo, stability) needs: the same numbers as the first for those rows.

    >>> from sitesel.mcda.methods.topsis import TopsisSpec
    >>> s = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    >>> every, kept = make_aggregators(s, TopsisSpec(method="topsis"),
    ...                                candidates=np.array([1, 0, 1], bool))
    >>> w = np.array([0.5, 0.5])
    >>> bool(np.allclose(every(w)[[0, 2]], kept(w)))
    True
    """
    method = method_of(spec.method)
    s = np.asarray(scores, dtype=float)
    pool = np.ones(len(s), bool) if candidates is None or not candidates.any() else candidates
    columns = list(names) if names is not None else [f"c{j}" for j in range(s.shape[1])]
    prepared = method.prepare(s, spec, pool, columns)
    rows = np.flatnonzero(pool)
    mine = {k: v[rows] for k, v in prepared.items()}
    return (
        _chunked(method.combine(prepared, spec, pool), s.size),
        _chunked(method.combine(mine, spec, pool[rows]), len(rows) * s.shape[1]),
    )


def _chunked(
    per_draws: Callable[[FloatArray], FloatArray], cells: int
) -> Callable[[FloatArray], FloatArray]:
    """Weights (one vector or a batch), normalised, through ``per_draws`` in chunks."""

    def aggregator(weights: FloatArray) -> FloatArray:
        w = np.atleast_2d(np.asarray(weights, dtype=float))
        w = w / w.sum(axis=1, keepdims=True)
        step = max(1, _CHUNK_CELLS // max(1, cells))
        out = np.concatenate([per_draws(w[k : k + step]) for k in range(0, len(w), step)])
        return np.asarray(out[0] if np.ndim(weights) == 1 else out, dtype=np.float64)

    return aggregator


def aggregate(
    scores: FloatArray,
    weights: FloatArray,
    *,
    method: str = DEFAULT_METHOD,
    candidates: npt.NDArray[np.bool_] | None = None,
    **params: Any,
) -> FloatArray:
    """Combine criterion scores into suitability, for one or many weight vectors.

    A shorthand for :func:`make_aggregator`: ``params`` are the method's config keys
    (``andness=0.7``; arrays are taken as lists; PROMETHEE's ``preferences`` keyed
    ``c0, c1, ...``).

    Examples
    --------
    >>> s = np.array([[1.0, 0.0], [0.5, 0.5]])
    >>> aggregate(s, np.array([0.5, 0.5])).tolist()
    [0.5, 0.5]
    >>> aggregate(s, np.array([0.5, 0.5]), method="weighted_product").tolist()
    [0.0, 0.5]
    >>> aggregate(s, np.array([0.5, 0.5]), method="topsis").tolist()
    [0.5, 0.5]
    >>> aggregate(s, np.array([1.0, 0.0]), method="weighted_product").tolist()  # 0 ** 0 = 1
    [1.0, 0.5]
    """
    keys = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in params.items()}
    spec = method_of(method).spec.model_validate({"method": method, **keys})
    return make_aggregator(scores, spec, candidates=candidates)(weights)


def limiting_criterion(scores: FloatArray, names: Sequence[str]) -> npt.NDArray[np.object_]:
    """Name of each site's lowest-scoring weighted criterion ("" where scores are missing).

    >>> limiting_criterion(np.array([[0.9, 0.2], [0.1, 0.5]]), ["a", "b"]).tolist()
    ['b', 'a']
    """
    s = np.asarray(scores, dtype=float)
    known = ~np.isnan(s).all(axis=1)
    idx = np.argmin(np.where(np.isnan(s), np.inf, s), axis=1)
    out = np.array(names, dtype=object)[idx]
    return np.where(known, out, "")
