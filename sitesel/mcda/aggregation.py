"""Combine criterion scores into suitability, and rank sites."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from sitesel._typing import FloatArray
from sitesel.mcda.owa import owa, owa_order_weights, quantifier
from sitesel.mcda.promethee import Preference, net_flows
from sitesel.mcda.vikor import regret_terms, s_r_q

__all__ = [
    "AGGREGATIONS",
    "AggregationParams",
    "aggregate",
    "limiting_criterion",
    "make_aggregator",
    "owa_order_weights",
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


AGGREGATIONS = (
    "weighted_sum",
    "weighted_product",
    "owa",
    "topsis",
    "vikor",
    "promethee_ii",
)
_CHUNK_CELLS = 20_000_000  # draws x sites x criteria held at once by OWA, TOPSIS, VIKOR
_LOG_ZERO = -1e300  # log(0) that stays finite: 0 * _LOG_ZERO = 0 (a zero weight vetoes nothing)


@dataclass(frozen=True)
class AggregationParams:
    """The parameters of the aggregation methods (each uses its own).

    Attributes
    ----------
    order_weights, andness
        ``owa``: explicit order weights (best score first) or an ANDness in [0, 1].
    normalisation
        ``topsis``: ``min_max`` (the value-function scores as they are) or ``vector``
        (each criterion's scores divided by their Euclidean norm over the candidates,
        Hwang & Yoon 1981).
    v
        ``vikor``: weight of group utility against individual regret.
    preferences
        ``promethee_ii``: one preference function per criterion (``usual`` if None).
    """

    order_weights: FloatArray | None = None
    andness: float | None = None
    normalisation: Literal["min_max", "vector"] = "min_max"
    v: float = 0.5
    preferences: tuple[Preference, ...] | None = None


def make_aggregator(
    scores: FloatArray,
    *,
    method: str = "weighted_sum",
    params: AggregationParams | None = None,
    candidates: npt.NDArray[np.bool_] | None = None,
) -> Callable[[FloatArray], FloatArray]:
    """A function from weights to suitability, with the weight-free work done once.

    Parameters
    ----------
    scores
        ``(n_sites, n_criteria)`` scores in [0, 1] (benefit: higher is better).
    method
        One of :data:`AGGREGATIONS`: ``weighted_sum``; ``weighted_product`` (weighted
        geometric mean: a zero score vetoes the site unless its weight is zero); ``owa``
        (Malczewski 2006, :mod:`sitesel.mcda.owa`); ``topsis`` (relative closeness to
        the ideal and anti-ideal among the candidates); ``vikor`` (``1 - Q``,
        :mod:`sitesel.mcda.vikor`); ``promethee_ii`` (``(phi + 1) / 2`` from the net
        outranking flow phi, :mod:`sitesel.mcda.promethee`).
    params
        Method parameters.
    candidates
        The sites compared by TOPSIS, VIKOR and PROMETHEE (ideals, flows); all if None.

    Returns
    -------
    callable
        Weights ``(n_criteria,)`` or ``(n_draws, n_criteria)`` (each normalised to sum to
        1) to suitability ``(n_sites,)`` or ``(n_draws, n_sites)``.
    """
    return make_aggregators(scores, method=method, params=params, candidates=candidates)[0]


def make_aggregators(
    scores: FloatArray,
    *,
    method: str = "weighted_sum",
    params: AggregationParams | None = None,
    candidates: npt.NDArray[np.bool_] | None = None,
) -> tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], FloatArray]]:
    """Two aggregators from one preparation: over every site, and over the candidates only.

    The relative methods' weight-free work (TOPSIS's normalisation, VIKOR's regret terms,
    PROMETHEE's pairwise flows) is done once over all sites against the candidates; the
    second aggregator reads the candidates' rows of it, which is what rescoring (Monte
    Carlo, stability) needs: the same numbers as the first for those rows.

    >>> s = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    >>> every, kept = make_aggregators(s, method="topsis", candidates=np.array([1, 0, 1], bool))
    >>> w = np.array([0.5, 0.5])
    >>> bool(np.allclose(every(w)[[0, 2]], kept(w)))
    True
    """
    if method not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {method!r}; use one of {', '.join(AGGREGATIONS)}")
    s = np.asarray(scores, dtype=float)
    par = params or AggregationParams()
    pool = np.ones(len(s), bool) if candidates is None or not candidates.any() else candidates
    prepared = _prepare(s, method, par, pool)
    rows = np.flatnonzero(pool)
    mine = {k: v[rows] for k, v in prepared.items()}
    return (
        _chunked(_per_draws(prepared, method, par, pool), s.size),
        _chunked(_per_draws(mine, method, par, pool[rows]), len(rows) * s.shape[1]),
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


def _prepare(
    s: FloatArray, method: str, par: AggregationParams, pool: npt.NDArray[np.bool_]
) -> dict[str, FloatArray]:
    """The weight-free arrays of a method, one row per site (computed once)."""
    if method == "weighted_product":
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.where(s > 0, np.log(np.where(s > 0, s, 1.0)), _LOG_ZERO)
        return {"log": np.where(np.isnan(s), np.nan, log_s)}
    if method == "topsis":
        return {"m": _vector_normalised(s, pool) if par.normalisation == "vector" else s}
    if method == "vikor":
        return {"terms": regret_terms(s, pool)}
    if method == "promethee_ii":
        prefs = list(par.preferences or [Preference()] * s.shape[1])
        return {"flows": net_flows(s, prefs, pool)}
    return {"s": s}


def _per_draws(
    prep: dict[str, FloatArray], method: str, par: AggregationParams, pool: npt.NDArray[np.bool_]
) -> Callable[[FloatArray], FloatArray]:
    """The method as ``(n_draws, m)`` normalised weights -> ``(n_draws, n_sites)``."""
    if method == "weighted_sum":
        s = prep["s"]
        return lambda w: np.asarray(w @ s.T, dtype=np.float64)
    if method == "weighted_product":
        log_s = prep["log"]
        return lambda w: np.asarray(np.exp(w @ log_s.T), dtype=np.float64)
    if method == "owa":
        q = quantifier(andness=par.andness, order_weights=par.order_weights)
        return lambda w: owa(prep["s"], w, q)
    if method == "topsis":
        return lambda w: _topsis(prep["m"], w, pool)
    if method == "vikor":
        terms = prep["terms"]
        return lambda w: np.clip(1.0 - s_r_q(terms, w, par.v, pool)[2], 0.0, 1.0)
    flows = prep["flows"]
    return lambda w: np.asarray((w @ flows.T + 1.0) / 2.0, dtype=np.float64)


def aggregate(
    scores: FloatArray,
    weights: FloatArray,
    *,
    method: str = "weighted_sum",
    candidates: npt.NDArray[np.bool_] | None = None,
    order_weights: FloatArray | None = None,
    **params: Any,
) -> FloatArray:
    """Combine criterion scores into suitability, for one or many weight vectors.

    A shorthand for :func:`make_aggregator` (``order_weights`` and the other keywords are
    :class:`AggregationParams` fields).

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
    par = AggregationParams(order_weights=order_weights, **params)
    return make_aggregator(scores, method=method, params=par, candidates=candidates)(weights)


def _vector_normalised(s: FloatArray, pool: npt.NDArray[np.bool_]) -> FloatArray:
    norm = np.sqrt(np.nansum(s[pool] ** 2, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(norm > 0, s / norm, 0.0), dtype=np.float64)


def _topsis(s: FloatArray, w: FloatArray, pool: npt.NDArray[np.bool_]) -> FloatArray:
    v = w[:, None, :] * s[None, :, :]  # (d, n, m)
    candidates = v[:, pool, :]
    ideal = np.nanmax(candidates, axis=1, keepdims=True)
    anti = np.nanmin(candidates, axis=1, keepdims=True)
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=2))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=2))
    with np.errstate(invalid="ignore"):
        closeness = d_minus / (d_plus + d_minus)
    return np.asarray(np.where(d_plus + d_minus == 0, 1.0, closeness), dtype=np.float64)


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
