"""The weighted sum (weighted linear combination): ``sum_j w_j s_j``.

The default method, and what ArcGIS's Suitability Modeler and TerrSet's WLC compute.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sitesel._typing import BoolArray
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods.registry import (
    AggregationMethod,
    PerDraws,
    Prepared,
    scores_as_they_are,
)


class WeightedSumSpec(AggregationSpec):
    """The weighted sum: no keys of its own."""

    method: Literal["weighted_sum"] = "weighted_sum"


def combine(prepared: Prepared, spec: WeightedSumSpec, pool: BoolArray) -> PerDraws:
    """Suitability ``w @ s`` for each weight vector."""
    s = prepared["scores"]
    return lambda w: np.asarray(w @ s.T, dtype=np.float64)


WEIGHTED_SUM = AggregationMethod(
    spec=WeightedSumSpec,
    label="weighted sum",
    prepare=scores_as_they_are,
    combine=combine,
    page_kernel=True,
    page_terms="scores",
)
