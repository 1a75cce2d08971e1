"""The weighted product: the weighted geometric mean ``prod_j s_j ** w_j``.

A zero score vetoes the site unless its criterion's weight is zero (``0 ** 0 = 1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from sitesel._typing import BoolArray, FloatArray
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods.registry import AggregationMethod, PerDraws, Prepared

LOG_ZERO = -1e300
"""log(0) that stays finite: ``0 * LOG_ZERO = 0``, so a zero weight vetoes nothing."""


class WeightedProductSpec(AggregationSpec):
    """The weighted product: no keys of its own."""

    method: Literal["weighted_product"]


def prepare(
    scores: FloatArray, spec: WeightedProductSpec, pool: BoolArray, names: Sequence[str]
) -> Prepared:
    """The scores and their logarithms (:data:`LOG_ZERO` for zero, NaN kept)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.where(scores > 0, np.log(np.where(scores > 0, scores, 1.0)), LOG_ZERO)
    return {"scores": scores, "log": np.where(np.isnan(scores), np.nan, log_s)}


def combine(prepared: Prepared, spec: WeightedProductSpec, pool: BoolArray) -> PerDraws:
    """Suitability ``exp(w @ log s)`` for each weight vector."""
    log_s = prepared["log"]
    return lambda w: np.asarray(np.exp(w @ log_s.T), dtype=np.float64)


WEIGHTED_PRODUCT = AggregationMethod(
    spec=WeightedProductSpec,
    label="weighted product",
    prepare=prepare,
    combine=combine,
    page_kernel=True,
    page_terms="scores",
)
