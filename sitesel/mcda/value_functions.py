"""Value functions: raw criterion values -> scores in [0, 1]. Pure numpy; NaN stays NaN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy.special import expit

from sitesel._typing import FloatArray
from sitesel.config.criteria import LinearValue, StepValue, ValueFunction

Direction = Literal["benefit", "cost"]


def linear(x: FloatArray, *, low: float, high: float, direction: Direction) -> FloatArray:
    """Linear between ``low`` and ``high``, clamped to [0, 1] outside.

    >>> import numpy as np
    >>> linear(np.array([0.0, 15, 30, 60]), low=10, high=30, direction="cost").tolist()
    [1.0, 0.75, 0.0, 0.0]
    """
    rising = np.clip((x - low) / (high - low), 0.0, 1.0)
    return rising if direction == "benefit" else 1.0 - rising


def step(x: FloatArray, *, breaks: Sequence[float], scores: Sequence[float]) -> FloatArray:
    """Score by classes delimited by ``breaks``.

    ``x < breaks[0]`` scores ``scores[0]``, ``breaks[0] <= x < breaks[1]`` scores
    ``scores[1]``, ..., ``x >= breaks[-1]`` scores ``scores[-1]``.

    >>> import numpy as np
    >>> step(np.array([2.0, 5, 9, 20]), breaks=[5, 10], scores=[1, 0.5, 0]).tolist()
    [1.0, 0.5, 0.5, 0.0]
    """
    classes = np.searchsorted(np.asarray(breaks, dtype=float), x, side="right")
    out = np.asarray(scores, dtype=float)[np.minimum(classes, len(scores) - 1)]
    return np.where(np.isnan(x), np.nan, out)


def sigmoid(x: FloatArray, *, midpoint: float, width: float, direction: Direction) -> FloatArray:
    """Logistic curve: 0.5 at ``midpoint``, 0.27 and 0.73 at ``midpoint -/+ width / 2``.

    >>> import numpy as np
    >>> sigmoid(np.array([30.0]), midpoint=30, width=10, direction="cost").tolist()
    [0.5]
    """
    rising = np.asarray(expit((x - midpoint) / (width / 2)), dtype=np.float64)  # no overflow
    return rising if direction == "benefit" else 1.0 - rising


def apply_value_function(values: FloatArray, spec: ValueFunction) -> FloatArray:
    """Scores in [0, 1] from raw values, by the value function a config describes."""
    if isinstance(spec, LinearValue):
        return linear(values, low=spec.low, high=spec.high, direction=spec.direction)
    if isinstance(spec, StepValue):
        return step(values, breaks=spec.breaks, scores=spec.scores)
    return sigmoid(values, midpoint=spec.midpoint, width=spec.width, direction=spec.direction)
