"""Combine criterion scores into suitability, and rank sites."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from sitesel._typing import FloatArray


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


AGGREGATIONS = ("weighted_sum", "weighted_product", "owa", "topsis")
_CHUNK_CELLS = 20_000_000  # draws x sites x criteria held at once by OWA and TOPSIS


def owa_order_weights(n: int, andness: float) -> FloatArray:
    """Order weights from an ANDness in [0, 1] with the RIM quantifier ``Q(r) = r**q``.

    ANDness 0 is OR (the best score decides), 0.5 is the plain weighted average, 1 is AND
    (the worst score decides); ``q = andness / (1 - andness)`` (Yager 1996). Order
    weights apply to scores sorted from best to worst.

    >>> owa_order_weights(4, 0.5).tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> owa_order_weights(3, 1.0).tolist(), owa_order_weights(3, 0.0).tolist()
    ([0.0, 0.0, 1.0], [1.0, 0.0, 0.0])
    """
    if andness >= 1:
        return np.asarray(np.eye(n)[-1], dtype=np.float64)
    if andness <= 0:
        return np.asarray(np.eye(n)[0], dtype=np.float64)
    q = andness / (1 - andness)
    r = np.arange(n + 1) / n
    return np.asarray(np.diff(r**q), dtype=np.float64)


def aggregate(
    scores: FloatArray,
    weights: FloatArray,
    *,
    method: str = "weighted_sum",
    order_weights: FloatArray | None = None,
    candidates: npt.NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Combine criterion scores into suitability, for one or many weight vectors.

    Parameters
    ----------
    scores
        ``(n_sites, n_criteria)`` scores in [0, 1].
    weights
        ``(n_criteria,)`` or ``(n_draws, n_criteria)``; each vector is normalised.
    method
        ``weighted_sum``; ``weighted_product`` (weighted geometric mean: a zero score
        vetoes the site); ``owa`` (ordered weighted average, Malczewski 2006: criterion
        weights and ``order_weights`` on the scores sorted best to worst); ``topsis``
        (relative closeness to the ideal and anti-ideal weighted scores among the
        ``candidates``).
    order_weights
        For ``owa``: one weight per rank position.
    candidates
        For ``topsis``: the sites the ideal and anti-ideal are taken from (all if None).

    Returns
    -------
    numpy.ndarray
        ``(n_sites,)``, or ``(n_draws, n_sites)`` for several weight vectors.

    Examples
    --------
    >>> s = np.array([[1.0, 0.0], [0.5, 0.5]])
    >>> aggregate(s, np.array([0.5, 0.5])).tolist()
    [0.5, 0.5]
    >>> aggregate(s, np.array([0.5, 0.5]), method="weighted_product").tolist()
    [0.0, 0.5]
    >>> aggregate(s, np.array([0.5, 0.5]), method="topsis").tolist()
    [0.5, 0.5]
    """
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    w = w / w.sum(axis=1, keepdims=True)
    out = _aggregate_draws(np.asarray(scores, dtype=float), w, method, order_weights, candidates)
    return np.asarray(out[0] if np.ndim(weights) == 1 else out, dtype=np.float64)


def _aggregate_draws(
    s: FloatArray,
    w: FloatArray,
    method: str,
    order_weights: FloatArray | None,
    candidates: npt.NDArray[np.bool_] | None,
) -> FloatArray:
    """``(n_draws, n_sites)`` suitability for normalised weights ``(n_draws, n_criteria)``."""
    if method == "weighted_sum":
        return np.asarray(w @ s.T, dtype=np.float64)
    if method == "weighted_product":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.exp(w @ np.log(s).T), dtype=np.float64)
    if method not in ("owa", "topsis"):
        raise ValueError(f"unknown aggregation {method!r}; use one of {', '.join(AGGREGATIONS)}")
    step = max(1, _CHUNK_CELLS // max(1, s.size))
    parts = [
        _owa(s, w[k : k + step], order_weights)
        if method == "owa"
        else _topsis(s, w[k : k + step], candidates)
        for k in range(0, len(w), step)
    ]
    return np.concatenate(parts, axis=0)


def _owa(s: FloatArray, w: FloatArray, order_weights: FloatArray | None) -> FloatArray:
    m = s.shape[1]
    v = np.full(m, 1 / m) if order_weights is None else np.asarray(order_weights, dtype=float)
    order = np.argsort(-np.nan_to_num(s, nan=-1.0), axis=1, kind="stable")
    z = np.take_along_axis(s, order, axis=1)  # (n, m) best first
    u = w[:, order]  # (d, n, m) criterion weights in each site's order
    uv = u * v
    return np.asarray((uv * z).sum(axis=2) / uv.sum(axis=2), dtype=np.float64)


def _topsis(s: FloatArray, w: FloatArray, candidates: npt.NDArray[np.bool_] | None) -> FloatArray:
    v = w[:, None, :] * s[None, :, :]  # (d, n, m)
    # No candidate left (all excluded): ideals from every site, so nothing fails here and
    # the pipeline can say why every site was excluded.
    pool = v if candidates is None or not candidates.any() else v[:, candidates, :]
    ideal = np.nanmax(pool, axis=1, keepdims=True)
    anti = np.nanmin(pool, axis=1, keepdims=True)
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
