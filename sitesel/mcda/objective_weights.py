"""Objective criterion weights from the candidate sites' scores: entropy and CRITIC.

- **Entropy** (Shannon; Zeleny 1982; Hwang & Yoon 1981): a criterion on which the sites
  differ more carries more information. ``p_ij = x_ij / sum_i x_ij``, ``E_j = -sum_i p_ij ln
  p_ij / ln n`` (``0 ln 0 = 0``), ``w_j`` proportional to ``1 - E_j``.
- **CRITIC** (Diakoulaki, Mavrotas & Papayannakis 1995): contrast and conflict. Scores are
  min-max normalised, ``C_j = sigma_j * sum_k (1 - r_jk)`` with the sample standard deviation
  and Pearson correlations, ``w_j`` proportional to ``C_j``.
- **Combined**: a committee's (subjective) weights multiplied by objective ones and
  renormalised, ``w_j = s_j o_j / sum_k s_k o_k`` (the multiplicative synthesis used in
  siting studies that mix AHP with entropy).
"""

from __future__ import annotations

import numpy as np

from sitesel._typing import FloatArray

OBJECTIVE_METHODS = ("entropy", "critic")


def entropy_weights(scores: FloatArray) -> FloatArray:
    """Entropy weights of the columns of ``scores`` (sites x criteria, non-negative).

    >>> entropy_weights(np.array([[1.0, 0.2], [1.0, 0.9], [1.0, 0.5]])).round(3).tolist()
    [0.0, 1.0]
    """
    x = np.asarray(scores, dtype=float)
    n = x.shape[0]
    if n < 2:
        return np.full(x.shape[1], 1 / x.shape[1])
    total = x.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(total > 0, x / total, 1 / n)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    diversity = 1 + plogp.sum(axis=0) / np.log(n)
    return _normalised(diversity)


def critic_weights(scores: FloatArray) -> FloatArray:
    """CRITIC weights of the columns of ``scores`` (sites x criteria).

    >>> w = critic_weights(np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.4], [1.0, 1.0, 0.0]]))
    >>> bool(w[2] > w[0] == w[1])  # the third conflicts with both others
    True
    """
    x = np.asarray(scores, dtype=float)
    if len(x) < 2:
        return np.full(x.shape[1], 1 / x.shape[1])
    lo, hi = x.min(axis=0), x.max(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(hi > lo, (x - lo) / (hi - lo), 0.0)
    sigma = z.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.nan_to_num(np.corrcoef(z, rowvar=False), nan=0.0)
    r = np.atleast_2d(r)
    return _normalised(sigma * (1 - r).sum(axis=0))


def objective_weights(scores: FloatArray, method: str) -> FloatArray:
    """Entropy or CRITIC weights by name."""
    if method == "entropy":
        return entropy_weights(scores)
    if method == "critic":
        return critic_weights(scores)
    raise ValueError(f"unknown objective weighting {method!r}; use entropy or critic")


def combined_weights(subjective: FloatArray, objective: FloatArray) -> FloatArray:
    """``s_j o_j / sum_k s_k o_k``; the subjective weights alone if every product is 0.

    >>> combined_weights(np.array([0.5, 0.5]), np.array([0.8, 0.2])).tolist()
    [0.8, 0.2]
    """
    product = np.asarray(subjective, dtype=float) * np.asarray(objective, dtype=float)
    return _normalised(product) if product.sum() > 0 else _normalised(np.asarray(subjective))


def _normalised(x: FloatArray) -> FloatArray:
    total = float(np.sum(x))
    if not total > 0:
        return np.full(len(x), 1 / len(x))
    return np.asarray(x / total, dtype=np.float64)
