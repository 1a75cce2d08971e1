"""VIKOR, the compromise ranking of Opricovic & Tzeng (2004), on benefit-oriented scores.

``S`` (group utility) and ``R`` (individual regret) per site, from the best and worst
score of each criterion among the compared sites; ``Q = v (S - S*) / (S- - S*) + (1 - v)
(R - R*) / (R- - R*)``, lower is better. sitesel reports ``suitability = 1 - Q`` so that
higher is better, as for every method. The compromise solution is accepted when the
leader has an *acceptable advantage* (``Q(a2) - Q(a1) >= 1 / (J - 1)``) and *acceptable
stability* (it also leads by S or by R); otherwise VIKOR proposes a compromise set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from sitesel._typing import BoolArray, FloatArray
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods.registry import AggregationMethod, PerDraws, Prepared, Scene


class VikorSpec(AggregationSpec):
    """VIKOR and the weight of group utility."""

    method: Literal["vikor"]
    v: float = Field(
        default=0.5, ge=0, le=1, description="vikor: weight of group utility against regret."
    )


def _ratio(x: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(span > 0, (x - lo) / span, 0.0), dtype=np.float64)


def regret_terms(scores: FloatArray, pool: npt.NDArray[np.bool_]) -> FloatArray:
    """``(f*_j - f_ij) / (f*_j - f-_j)`` per site and criterion (0 where a criterion is flat)."""
    ref = scores[pool] if pool.any() else scores
    best, worst = np.nanmax(ref, axis=0), np.nanmin(ref, axis=0)
    span = best - worst
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(span > 0, (best - scores) / span, 0.0)
    return np.asarray(terms, dtype=np.float64)


def s_r_q(
    terms: FloatArray, weights: FloatArray, v: float, pool: npt.NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """S, R and Q ``(n_draws, n_sites)`` for weight vectors ``(n_draws, m)``."""
    weighted = weights[:, None, :] * terms[None, :, :]
    s, r = weighted.sum(axis=2), weighted.max(axis=2)
    ref = pool if pool.any() else np.ones(terms.shape[0], bool)
    s_best, s_worst = s[:, ref].min(axis=1, keepdims=True), s[:, ref].max(axis=1, keepdims=True)
    r_best, r_worst = r[:, ref].min(axis=1, keepdims=True), r[:, ref].max(axis=1, keepdims=True)
    q = v * _ratio(s, s_best, s_worst) + (1 - v) * _ratio(r, r_best, r_worst)
    return s, r, q


def vikor_suitability(
    scores: FloatArray, weights: FloatArray, v: float, pool: npt.NDArray[np.bool_]
) -> FloatArray:
    """``1 - Q`` (clipped to [0, 1] for sites outside the pool) for each weight vector."""
    _, _, q = s_r_q(regret_terms(scores, pool), weights, v, pool)
    return np.asarray(np.clip(1.0 - q, 0.0, 1.0), dtype=np.float64)


@dataclass(frozen=True)
class VikorConditions:
    """Whether VIKOR's compromise leader is accepted, and the compromise set if not."""

    v: float
    dq: float
    acceptable_advantage: bool
    acceptable_stability: bool
    compromise_set: list[str]

    def as_json(self) -> dict[str, object]:
        """Plain JSON types for the manifest."""
        return {
            "v": self.v,
            "dq": round(self.dq, 6),
            "acceptable_advantage": self.acceptable_advantage,
            "acceptable_stability": self.acceptable_stability,
            "compromise_set": self.compromise_set,
        }


def vikor_conditions(
    scores: FloatArray,
    weights: FloatArray,
    v: float,
    pool: npt.NDArray[np.bool_],
    site_ids: Sequence[str],
    max_listed: int = 20,
) -> VikorConditions:
    """Check the two conditions at one weight vector (Opricovic & Tzeng 2004, section 3).

    C1, acceptable advantage: ``Q(a2) - Q(a1) >= DQ = 1 / (J - 1)``. C2, acceptable
    stability: a1 is also best by S or by R. If C1 fails the compromise set is every site
    with ``Q(a) - Q(a1) < DQ``; if only C2 fails it is a1 and a2. The set lists at most
    ``max_listed`` ids, best first.
    """
    idx = np.flatnonzero(pool)
    s, r, q = (
        x[0, idx] for x in s_r_q(regret_terms(scores, pool), np.atleast_2d(weights), v, pool)
    )
    ids = np.asarray(site_ids, dtype=object)[idx]
    order = np.lexsort((ids, q))
    j = len(idx)
    dq = 1 / (j - 1) if j > 1 else 0.0
    if j < 2:
        return VikorConditions(v, dq, True, True, [str(i) for i in ids[order]])
    a1, a2 = order[0], order[1]
    advantage = bool(q[a2] - q[a1] >= dq - 1e-12)
    stability = bool(s[a1] <= s.min() + 1e-12 or r[a1] <= r.min() + 1e-12)
    if not advantage:
        members = order[q[order] - q[a1] < dq - 1e-12]
    elif not stability:
        members = order[:2]
    else:
        members = order[:1]
    return VikorConditions(v, dq, advantage, stability, [str(i) for i in ids[members[:max_listed]]])


def prepare(scores: FloatArray, spec: VikorSpec, pool: BoolArray, names: Sequence[str]) -> Prepared:
    """The regret terms against the pool's best and worst scores."""
    return {"terms": regret_terms(scores, pool)}


def combine(prepared: Prepared, spec: VikorSpec, pool: BoolArray) -> PerDraws:
    """``1 - Q``, clipped to [0, 1], for each weight vector."""
    terms = prepared["terms"]
    return lambda w: np.clip(1.0 - s_r_q(terms, w, spec.v, pool)[2], 0.0, 1.0)


def describe(spec: VikorSpec, scene: Scene) -> dict[str, Any]:
    """The acceptance conditions at the run's weights, and the compromise set."""
    if not scene.candidates.any():
        return {}
    found = vikor_conditions(scene.scores, scene.weights, spec.v, scene.candidates,
                             scene.site_ids)  # fmt: skip
    return found.as_json()


VIKOR = AggregationMethod(
    spec=VikorSpec,
    label="VIKOR",
    prepare=prepare,
    combine=combine,
    describe=describe,
    page_kernel=True,
)
