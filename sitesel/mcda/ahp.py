"""Criterion weights: rank-order formulas and AHP pairwise comparison (single and group).

AHP (Saaty 1980): weights are the principal eigenvector of the reciprocal comparison
matrix; the consistency index is ``CI = (lambda_max - n) / (n - 1)`` and the consistency
ratio ``CR = CI / RI(n)``, with Saaty's random index, accepted below Saaty's limit for
the matrix size (:func:`cr_limit`). The repair hint for a judgment ``a_ij`` is the value the
*other* judgments imply: the geometric mean of ``a_ik * a_kj`` over every third criterion k
(the paths i -> k -> j), rounded to the 1-9 scale; the judgment furthest from it (in log
terms) is the one to revisit first. (``w_i / w_j`` from the derived weights is biased
towards the judgment itself, which shaped those weights.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sitesel._typing import FloatArray

RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
"""Saaty's random consistency index by matrix size (Saaty 1980, Table 1.7)."""

MAX_AHP_CRITERIA = max(RANDOM_INDEX)


def cr_limit(n: int) -> float:
    """Saaty's acceptable consistency ratio for an n x n matrix.

    0.05 for n = 3, 0.08 for n = 4 and 0.10 from n = 5 (Saaty 1994, *Fundamentals of
    Decision Making and Priority Theory*, p. 80); a 2 x 2 matrix is always consistent.

    >>> [cr_limit(n) for n in (2, 3, 4, 5, 9)]
    [inf, 0.05, 0.08, 0.1, 0.1]
    """
    if n <= 2:
        return float("inf")
    return {3: 0.05, 4: 0.08}.get(n, 0.10)


SAATY_SCALE = np.array(
    [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]
)


def rank_order_weights(n: int, method: str) -> FloatArray:
    """Weights for criteria ranked 1 (most important) to ``n``.

    ``rank_sum``: ``(n - r + 1) / sum``; ``reciprocal``: ``(1 / r) / sum``;
    ``centroid`` (rank-order centroid): ``(1 / n) * sum_{k=r}^{n} 1 / k``.

    >>> rank_order_weights(3, "centroid").round(4).tolist()
    [0.6111, 0.2778, 0.1111]
    >>> rank_order_weights(4, "rank_sum").tolist()
    [0.4, 0.3, 0.2, 0.1]
    """
    r = np.arange(1, n + 1, dtype=float)
    if method == "rank_sum":
        w = n - r + 1
    elif method == "reciprocal":
        w = 1 / r
    elif method == "centroid":
        w = np.array([np.sum(1 / r[k:]) for k in range(n)]) / n
    else:
        raise ValueError(f"unknown rank-order method {method!r}")
    return np.asarray(w / w.sum(), dtype=np.float64)


def comparison_matrix(
    criteria: Sequence[str], judgments: Mapping[str, Mapping[str, float]]
) -> FloatArray:
    """Reciprocal comparison matrix from judgments.

    ``{a: {b: value}}`` means "a is value times as important as b". Each pair once, in
    either direction; the diagonal is 1.

    Raises
    ------
    ValueError
        Naming every missing, repeated, unknown or non-positive judgment.
    """
    index = {c: i for i, c in enumerate(criteria)}
    n = len(criteria)
    a = np.full((n, n), np.nan)
    np.fill_diagonal(a, 1.0)
    problems = []
    for row, cols in judgments.items():
        for col, value in cols.items():
            if row not in index or col not in index:
                unknown = row if row not in index else col
                problems.append(f"{row} vs {col}: {unknown!r} is not a scored criterion")
                continue
            i, j = index[row], index[col]
            if i == j:
                problems.append(f"{row} vs itself: leave the diagonal out")
            elif not np.isnan(a[i, j]):
                problems.append(f"{row} vs {col}: given twice")
            elif not value > 0:
                problems.append(f"{row} vs {col}: must be positive (1/9 .. 9), found {value}")
            else:
                a[i, j], a[j, i] = value, 1 / value
    missing = [
        f"{criteria[i]} vs {criteria[j]}"
        for i in range(n)
        for j in range(i + 1, n)
        if np.isnan(a[i, j])
    ]
    if missing:
        problems.append("missing judgments: " + ", ".join(missing))
    if problems:
        raise ValueError("; ".join(problems))
    return a


@dataclass(frozen=True)
class Judgment:
    """One pairwise judgment and how far it is from consistency with the weights."""

    row: str
    col: str
    value: float
    consistent_value: float  # implied by the other judgments (geometric mean of paths)
    deviation: float  # |ln(value / consistent_value)|

    @property
    def nearest_saaty(self) -> str:
        """The consistent value rounded to the 1-9 scale, written as planners write it."""
        v = float(SAATY_SCALE[np.argmin(np.abs(np.log(SAATY_SCALE / self.consistent_value)))])
        return str(round(v)) if v >= 1 else f"1/{round(1 / v)}"


@dataclass(frozen=True)
class AhpResult:
    """Weights and consistency of one comparison matrix."""

    criteria: list[str]
    weights: FloatArray
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    judgments: list[Judgment] = field(default_factory=list)

    def weight_map(self) -> dict[str, float]:
        """Criterion -> weight."""
        return {c: float(w) for c, w in zip(self.criteria, self.weights, strict=True)}


def principal_eigenvector(a: FloatArray) -> tuple[FloatArray, float]:
    """Normalised principal eigenvector (sums to 1) and its eigenvalue."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    return np.asarray(w / w.sum(), dtype=np.float64), float(values[k].real)


def implied_judgments(a: FloatArray) -> FloatArray:
    """What the other judgments say each ``a_ij`` should be.

    ``exp(mean_k ln(a_ik * a_kj))`` over every k other than i and j; for a 2 x 2 matrix
    there is no other path and each judgment implies itself.

    >>> a = np.array([[1, 2, 8], [1 / 2, 1, 2], [1 / 8, 1 / 2, 1]])
    >>> round(float(implied_judgments(a)[0, 2]), 6)  # a_01 * a_12 = 2 * 2, not the 8 given
    4.0
    """
    n = a.shape[0]
    if n < 3:
        return np.asarray(a, dtype=np.float64)
    log_a = np.log(a)
    paths = log_a[:, :, None] + log_a[None, :, :]  # [i, k, j] = ln a_ik + ln a_kj
    total = paths.sum(axis=1) - 2 * log_a  # drop k = i and k = j (each adds ln a_ij)
    return np.asarray(np.exp(total / (n - 2)), dtype=np.float64)


def ahp(criteria: Sequence[str], a: FloatArray) -> AhpResult:
    """Eigenvector weights, CI, CR and the judgments ranked by inconsistency.

    >>> r = ahp(["a", "b", "c"], np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]))
    >>> r.weights.round(3).tolist(), round(r.consistency_ratio, 3)
    ([0.637, 0.258, 0.105], 0.033)
    """
    n = len(criteria)
    if n > MAX_AHP_CRITERIA:
        raise ValueError(f"AHP takes at most {MAX_AHP_CRITERIA} criteria, got {n}")
    w, lam = principal_eigenvector(a)
    ci = max((lam - n) / (n - 1), 0.0) if n > 2 else 0.0
    cr = ci / RANDOM_INDEX[n] if RANDOM_INDEX[n] > 0 else 0.0
    implied = implied_judgments(a)
    judgments = [
        Judgment(
            row=criteria[i],
            col=criteria[j],
            value=float(a[i, j]),
            consistent_value=float(implied[i, j]),
            deviation=float(abs(np.log(a[i, j] / implied[i, j]))),
        )
        for i in range(n)
        for j in range(i + 1, n)
    ]
    judgments.sort(key=lambda jd: -jd.deviation)
    return AhpResult(list(criteria), w, lam, ci, cr, judgments)


def group_matrix(matrices: Sequence[FloatArray]) -> FloatArray:
    """Element-wise geometric mean of several participants' matrices (stays reciprocal)."""
    return np.asarray(np.exp(np.mean(np.log(np.stack(matrices)), axis=0)), dtype=np.float64)


def perturbed_ahp_weights(
    a: FloatArray, *, sigma: float, draws: int, max_cr: float, rng: np.random.Generator
) -> FloatArray:
    """Weights from random perturbations of the judgments that stay acceptably consistent.

    Each upper-triangle judgment is multiplied by ``exp(N(0, sigma))`` (reciprocals follow);
    draws whose CR exceeds ``max_cr`` are rejected and redrawn.

    Returns
    -------
    numpy.ndarray
        ``(draws, n)`` weight vectors.
    """
    n = a.shape[0]
    iu = np.triu_indices(n, 1)
    out: list[FloatArray] = []
    ri = RANDOM_INDEX[n]
    for _ in range(100):
        batch = np.repeat(a[None], draws, axis=0)
        factors = np.exp(rng.normal(0.0, sigma, size=(draws, len(iu[0]))))
        batch[:, iu[0], iu[1]] *= factors
        batch[:, iu[1], iu[0]] = 1 / batch[:, iu[0], iu[1]]
        values, vectors = np.linalg.eig(batch)
        k = np.argmax(values.real, axis=1)
        lam = values.real[np.arange(draws), k]
        w = np.abs(vectors.real[np.arange(draws), :, k])
        w /= w.sum(axis=1, keepdims=True)
        cr = ((lam - n) / (n - 1) / ri) if ri > 0 else np.zeros(draws)
        out.extend(w[cr <= max_cr])
        if len(out) >= draws:
            return np.asarray(out[:draws], dtype=np.float64)
    raise ValueError(
        f"fewer than {draws} perturbed judgment sets stay under CR {max_cr}; lower judgment_sigma"
    )
