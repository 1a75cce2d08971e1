"""Ordered weighted averaging with criterion weights, as GIS siting studies use it.

Malczewski (2006), "Ordered weighted averaging with fuzzy quantifiers: GIS-based
multicriteria evaluation for land-use suitability analysis", IJAEOG 8(4): for each site the
scores are sorted best first, the criterion importance weights ``u`` are reordered with
them, and the order weights come from a regular increasing monotone (RIM) quantifier
``Q``: ``v_j = Q(u_1 + ... + u_j) - Q(u_1 + ... + u_{j-1})``. Suitability is
``sum_j v_j z_j``. With ``Q(p) = p**alpha`` (Yager 1996), ``alpha = andness / (1 - andness)``:
andness 0 is OR (the best score decides), 0.5 the weighted average, 1 AND (the worst
decides). Given explicit order weights instead, ``Q`` is the piecewise-linear quantifier
through their cumulative sums, so equal criterion weights reproduce them exactly.

Each site's realised ORness, ``sum_j (m - j) / (m - 1) * v_j``, depends on its own
ordering of the criterion weights; :func:`realised_orness` reports it so the manifest can
show it beside the configured ``1 - andness``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from sitesel._typing import BoolArray, FloatArray
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods.registry import (
    AggregationMethod,
    PerDraws,
    Prepared,
    Scene,
    scores_as_they_are,
)

Quantifier = Callable[[FloatArray], FloatArray]


def owa_order_weights(n: int, andness: float) -> FloatArray:
    """Yager's order weights for ``n`` equally important criteria, from an ANDness.

    >>> owa_order_weights(4, 0.5).tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> owa_order_weights(3, 1.0).tolist(), owa_order_weights(3, 0.0).tolist()
    ([0.0, 0.0, 1.0], [1.0, 0.0, 0.0])
    """
    q = quantifier(andness=andness)
    return np.asarray(np.diff(q(np.arange(n + 1) / n)), dtype=np.float64)


def quantifier(
    *, andness: float | None = None, order_weights: FloatArray | None = None
) -> Quantifier:
    """The RIM quantifier ``Q`` of an ANDness (``p**alpha``) or of explicit order weights."""
    if order_weights is not None:
        v = np.asarray(order_weights, dtype=float)
        knots = np.r_[0.0, np.cumsum(v / v.sum())]
        knots[-1] = 1.0
        positions = np.linspace(0.0, 1.0, len(v) + 1)
        return lambda p: np.asarray(np.interp(p, positions, knots), dtype=np.float64)
    a = 0.5 if andness is None else float(andness)
    if a <= 0:
        return lambda p: np.asarray(p > 0, dtype=np.float64)
    if a >= 1:
        return lambda p: np.asarray(p >= 1, dtype=np.float64)
    alpha = a / (1 - a)
    return lambda p: np.asarray(np.power(np.clip(p, 0.0, 1.0), alpha), dtype=np.float64)


def site_order_weights(
    scores: FloatArray, weights: FloatArray, q: Quantifier
) -> tuple[FloatArray, FloatArray]:
    """Each site's sorted scores and order weights for each weight vector.

    Parameters
    ----------
    scores
        ``(n_sites, m)``.
    weights
        ``(n_draws, m)``, each summing to 1.
    q
        The quantifier.

    Returns
    -------
    tuple
        ``z`` ``(n_sites, m)`` scores best first, and ``v`` ``(n_draws, n_sites, m)``.
    """
    order = np.argsort(-np.nan_to_num(scores, nan=-1.0), axis=1, kind="stable")
    z = np.take_along_axis(scores, order, axis=1)
    u = weights[:, order]  # (d, n, m): criterion weights in each site's order
    cum = np.cumsum(u, axis=2)
    cum[..., -1] = 1.0  # exactly: an AND quantifier must give the last position its weight
    before = cum - u
    return z, q(cum) - q(np.clip(before, 0.0, 1.0))


def owa(scores: FloatArray, weights: FloatArray, q: Quantifier) -> FloatArray:
    """``(n_draws, n_sites)`` OWA suitability (Malczewski 2006) for normalised weights.

    >>> s = np.array([[0.2, 0.8]])
    >>> owa(s, np.array([[0.5, 0.5]]), quantifier(andness=1.0)).tolist()  # AND: the worst
    [[0.2]]
    >>> owa(s, np.array([[0.7, 0.3]]), quantifier(andness=0.5)).round(6).tolist()
    [[0.38]]
    """
    z, v = site_order_weights(scores, weights, q)
    return np.asarray((v * z[None, :, :]).sum(axis=2), dtype=np.float64)


def orness(order_weights: FloatArray) -> FloatArray:
    """Yager's ORness ``sum_j (m - j) / (m - 1) v_j`` of order weights (last axis, best first).

    >>> orness(np.array([1.0, 0.0, 0.0])).item(), orness(owa_order_weights(3, 0.5)).item()
    (1.0, 0.5)
    """
    v = np.asarray(order_weights, dtype=float)
    m = v.shape[-1]
    if m < 2:
        return np.asarray(np.full(v.shape[:-1], 0.5), dtype=np.float64)
    position = (m - 1 - np.arange(m)) / (m - 1)
    return np.asarray((v * position).sum(axis=-1), dtype=np.float64)


def realised_orness(scores: FloatArray, weights: FloatArray, q: Quantifier) -> FloatArray:
    """Each site's ORness at one weight vector: that of its own order weights.

    >>> s = np.array([[0.9, 0.1], [0.1, 0.9]])
    >>> realised_orness(s, np.array([0.5, 0.5]), quantifier(andness=0.5)).tolist()
    [0.5, 0.5]
    >>> realised_orness(s, np.array([0.8, 0.2]), quantifier(andness=0.5)).tolist()
    [0.8, 0.2]
    """
    _, v = site_order_weights(scores, np.atleast_2d(weights), q)
    return orness(v[0])


class OwaSpec(AggregationSpec):
    """Ordered weighted averaging: exactly one of ``order_weights`` or ``andness``."""

    method: Literal["owa"]
    order_weights: list[Annotated[float, Field(ge=0)]] | None = Field(
        default=None, description="owa: one weight per rank position, best score first."
    )
    andness: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="owa: 0 = OR (best score decides), 0.5 = average, 1 = AND (worst decides).",
    )

    @model_validator(mode="after")
    def _one_of(self) -> OwaSpec:
        if (self.order_weights is not None) + (self.andness is not None) != 1:
            raise ValueError("owa needs exactly one of order_weights or andness")
        if self.order_weights is not None and not sum(self.order_weights) > 0:
            raise ValueError("order_weights must not all be zero")
        return self

    def problems(self, scored: list[str]) -> list[str]:
        """Order weights must count the scored criteria."""
        if self.order_weights is None or len(self.order_weights) == len(scored):
            return []
        return [
            f"aggregation.order_weights needs one weight per scored criterion"
            f" ({len(scored)}), found {len(self.order_weights)}"
        ]

    def quantifier(self) -> Quantifier:
        """The RIM quantifier this section describes."""
        order = None if self.order_weights is None else np.asarray(self.order_weights)
        return quantifier(andness=self.andness, order_weights=order)


def combine(prepared: Prepared, spec: OwaSpec, pool: BoolArray) -> PerDraws:
    """OWA suitability for each weight vector."""
    q = spec.quantifier()
    return lambda w: owa(prepared["scores"], w, q)


def describe(spec: OwaSpec, scene: Scene) -> dict[str, Any]:
    """OWA's ORness figures: the quantifier's, equal weights', the candidates' realised.

    The quantifier's ORness is ``1 - andness``; the realised ORness of the candidates is
    given by its mean, min and max.
    """
    if not scene.candidates.any():
        return {}
    out: dict[str, Any] = {}
    q = spec.quantifier()
    m = len(scene.weights)
    if spec.andness is not None:  # orness of Q(p) = p ** alpha: 1 / (1 + alpha)
        out["quantifier_orness"] = round(1 - spec.andness, 6)
    equal = np.diff(q(np.arange(m + 1) / m))  # order weights of equal criterion weights
    out["configured_orness"] = round(float(orness(equal)), 6)
    realised = realised_orness(scene.scores[scene.candidates], scene.weights, q)
    out["realised_orness"] = {
        "mean": round(float(realised.mean()), 6),
        "min": round(float(realised.min()), 6),
        "max": round(float(realised.max()), 6),
    }
    return out


OWA = AggregationMethod(
    spec=OwaSpec,
    label="ordered weighted average",
    prepare=scores_as_they_are,
    combine=combine,
    describe=describe,
    page_kernel=True,
    page_terms="scores",
)
