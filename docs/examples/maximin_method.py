"""An aggregation method in one module: the maximin (a site is as good as its worst score).

The example of ``docs/DESIGN.md``: a method needs its spec model (the ``method:`` literal
and its keys) and an :class:`~sitesel.mcda.methods.AggregationMethod`. Put the module in
``sitesel/mcda/methods/`` to ship it, or register it from another package under the
entry-point group ``sitesel.aggregations``; ``tests/mcda/test_method_plugin.py`` does the
latter with this very file. The map shows sitesel's values for it (its sliders stay off)
until the page's script learns it (``render/static/js/ranking.js``, ``page_kernel=True``).

Only criteria with a weight above ``min_weight`` count, and always the heaviest (weights
otherwise do not matter to a maximin: it is OWA's fully risk-averse end, ANDness 1, with
the weights only choosing which criteria take part).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from sitesel._typing import BoolArray
from sitesel.config.decision import AggregationSpec
from sitesel.mcda.methods.registry import (
    AggregationMethod,
    PerDraws,
    Prepared,
    scores_as_they_are,
)


class MaximinSpec(AggregationSpec):
    """The maximin and the weight below which a criterion does not count."""

    method: Literal["maximin"]
    min_weight: float = Field(default=0.0, ge=0, lt=1, description="maximin: weights at or"
                              " below this do not count.")  # fmt: skip


def combine(prepared: Prepared, spec: MaximinSpec, pool: BoolArray) -> PerDraws:
    """Each site's lowest score among the criteria that count, for each weight vector."""
    s = prepared["scores"]

    def per_draws(w: np.ndarray) -> np.ndarray:
        heaviest = w == w.max(axis=1, keepdims=True)  # counts whatever min_weight says
        counts = ((w > spec.min_weight) | heaviest)[:, None, :]  # (draws, 1, m)
        return np.asarray(np.where(counts, s[None, :, :], np.inf).min(axis=2), dtype=float)

    return per_draws


MAXIMIN = AggregationMethod(
    spec=MaximinSpec, label="maximin", prepare=scores_as_they_are, combine=combine
)
