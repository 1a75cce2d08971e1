"""PROMETHEE II net outranking flows, in O(n log n) per criterion.

Brans & Vincke (1985): for criteria j with weights w_j and a preference function P_j of
the score difference d, ``pi(a, b) = sum_j w_j P_j(s_aj - s_bj)`` and the net flow
``phi(a) = (1 / (n - 1)) sum_b [pi(a, b) - pi(b, a)]``, n the compared sites. Because the
flow is linear in the weights, ``phi = sum_j w_j phi_j`` with per-criterion flows that do not
depend on the weights: they are computed once (sorted scores and prefix sums, no n x n
table) and every weight vector, including thousands of Monte Carlo draws, is one matrix
product.

Preference functions (Brans, Vincke & Mareschal 1986 types I, III and V):
``usual`` P = 1 if d > 0; ``v_shape`` P = d / p up to p, then 1; ``linear`` P = 0 up to q,
(d - q) / (p - q) up to p, then 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from sitesel._typing import BoolArray, FloatArray
from sitesel.config._base import Strict
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods.registry import AggregationMethod, PerDraws, Prepared, Scene


@dataclass(frozen=True)
class Preference:
    """A criterion's preference function; ``q`` and ``p`` on the score scale (0-1)."""

    type: Literal["usual", "v_shape", "linear"] = "usual"
    q: float = 0.0
    p: float = 0.0

    def thresholds(self) -> tuple[float, float]:
        """(q, p) with P = 1 for d > p and partial preference for q < d <= p."""
        if self.type == "usual":
            return 0.0, 0.0
        if self.type == "v_shape":
            return 0.0, self.p
        return self.q, self.p


def _preference_sums(pool: FloatArray, y: FloatArray, q: float, p: float) -> FloatArray:
    """``sum_b P(y - x_b)`` over the pool values x, for each y."""
    x = np.sort(pool)
    prefix = np.r_[0.0, np.cumsum(x)]
    full = np.searchsorted(x, y - p, side="left")  # x_b < y - p: d > p
    if p <= q:
        return np.asarray(full, dtype=np.float64)
    hi = np.searchsorted(x, y - q, side="left")  # x_b < y - q: d > q
    count = hi - full
    sum_x = prefix[hi] - prefix[full]
    partial = ((y - q) * count - sum_x) / (p - q)
    return np.asarray(full + partial, dtype=np.float64)


def criterion_flows(
    scores: FloatArray, preference: Preference, pool: npt.NDArray[np.bool_]
) -> FloatArray:
    """Net flow of one criterion for every site, compared with the ``pool`` sites.

    >>> s = np.array([0.1, 0.5, 0.9])
    >>> criterion_flows(s, Preference(), np.array([True, True, True])).tolist()
    [-1.0, 0.0, 1.0]
    """
    q, p = preference.thresholds()
    x = scores[pool]
    n = len(x)
    if n < 2:
        return np.zeros(len(scores))
    plus = _preference_sums(x, scores, q, p)  # a over b
    minus = _preference_sums(-x, -scores, q, p)  # b over a: P(x_b - y)
    return np.asarray((plus - minus) / (n - 1), dtype=np.float64)


def net_flows(
    scores: FloatArray, preferences: list[Preference], pool: npt.NDArray[np.bool_]
) -> FloatArray:
    """``(n_sites, m)`` per-criterion net flows; ``flows @ w`` is PROMETHEE II's phi.

    Sites outside the pool get flows against the pool (so they can be shown, not ranked).
    """
    s = np.nan_to_num(scores, nan=0.0)
    return np.column_stack(
        [criterion_flows(s[:, j], preferences[j], pool) for j in range(s.shape[1])]
    )


class PreferenceSpec(Strict):
    """PROMETHEE preference function of one criterion, thresholds on the 0-1 score scale."""

    type: Literal["usual", "v_shape", "linear"] = "usual"
    q: float = Field(default=0.0, ge=0, le=1, description="linear: indifference threshold.")
    p: float | None = Field(
        default=None, ge=0, le=1, description="v_shape, linear: strict preference threshold."
    )

    @model_validator(mode="after")
    def _thresholds(self) -> PreferenceSpec:
        if self.type != "usual" and not self.p:
            raise ValueError(f"a {self.type} preference function needs p > 0")
        if self.type == "linear" and self.p is not None and self.q >= self.p:
            raise ValueError(f"linear needs q < p, found q {self.q:g} and p {self.p:g}")
        return self

    def preference(self) -> Preference:
        """The preference function this section describes."""
        return Preference(self.type, self.q, self.p or 0.0)


class PrometheeSpec(AggregationSpec):
    """PROMETHEE II and a preference function per criterion (``usual`` when not given)."""

    method: Literal["promethee_ii"]
    preferences: dict[str, PreferenceSpec] = Field(
        default_factory=dict,
        description="promethee_ii: preference function per criterion (usual when omitted).",
    )

    def problems(self, scored: list[str]) -> list[str]:
        """Each preference must name a scored criterion."""
        return [
            f"aggregation.preferences.{name}: not a weighted criterion (one of {', '.join(scored)})"
            for name in self.preferences
            if name not in scored
        ]

    def of(self, names: Sequence[str]) -> list[Preference]:
        """The preference function of each criterion named, in that order."""
        default = PreferenceSpec()
        return [self.preferences.get(n, default).preference() for n in names]


def prepare(
    scores: FloatArray, spec: PrometheeSpec, pool: BoolArray, names: Sequence[str]
) -> Prepared:
    """The per-criterion net flows (they do not depend on the weights)."""
    return {"flows": net_flows(scores, spec.of(names), pool)}


def combine(prepared: Prepared, spec: PrometheeSpec, pool: BoolArray) -> PerDraws:
    """``(phi + 1) / 2`` for each weight vector, ``phi = flows @ w``."""
    flows = prepared["flows"]
    return lambda w: np.asarray((w @ flows.T + 1.0) / 2.0, dtype=np.float64)


def describe(spec: PrometheeSpec, scene: Scene) -> dict[str, Any]:
    """Every scored criterion's preference function, the defaults included."""
    return {
        "preferences": {
            n: {"type": p.type, "q": p.q, "p": p.p}
            for n, p in zip(scene.names, spec.of(scene.names), strict=True)
        }
    }


PROMETHEE_II = AggregationMethod(
    spec=PrometheeSpec,
    label="PROMETHEE II",
    prepare=prepare,
    combine=combine,
    describe=describe,
    page_kernel=True,
    page_terms="flows",
)
