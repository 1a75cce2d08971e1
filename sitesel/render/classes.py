"""Fixed suitability classes shared by the HTML map and ``summary.png``.

Classes are 0.1 wide, from the floor of the lowest ranked suitability to the ceiling of the
highest at the configured weights; a class no site falls in is merged into the one above,
so the legend has no empty class. The classes stay fixed when a slider moves: sites change
colour, the legend does not (values beyond the ends take the end classes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from sitesel._typing import FloatArray

STEP = 0.1
RAMP = "RdYlGn"


@dataclass(frozen=True)
class Classes:
    """Class edges (``len(colours) + 1``, increasing) and a colour per class."""

    edges: list[float]
    colours: list[str]

    def labels(self) -> list[str]:
        """``"0.6-0.7"`` style labels, lowest class first."""
        return [
            f"{a:.1f}\u2013{b:.1f}" for a, b in zip(self.edges[:-1], self.edges[1:], strict=True)
        ]

    def index(self, values: FloatArray) -> np.ndarray:
        """Class of each value (clamped to the end classes)."""
        inner = np.asarray(self.edges[1:-1])
        return np.searchsorted(inner, np.asarray(values), side="right")


def suitability_classes(values: FloatArray) -> Classes:
    """0.1-wide classes over the finite ``values`` with no empty class.

    >>> suitability_classes(np.array([0.42, 0.55, 0.57, 0.81])).edges
    [0.4, 0.5, 0.6, 0.9]
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return Classes([0.0, 1.0], [to_hex(colormaps[RAMP](1.0))])
    lo = math.floor(round(v.min() / STEP, 9)) * STEP
    hi = max(math.ceil(round(v.max() / STEP, 9)) * STEP, lo + STEP)
    edges = [round(lo + k * STEP, 10) for k in range(round((hi - lo) / STEP) + 1)]
    counts = np.histogram(np.clip(v, lo, hi), bins=edges)[0]
    kept = [edges[0]] + [edges[k + 1] for k in range(len(counts)) if counts[k] > 0]
    kept[-1] = edges[-1]
    kept = sorted(set(kept))
    if len(kept) < 2:
        kept = [edges[0], edges[-1]]
    k = len(kept) - 1
    ramp = colormaps[RAMP]
    colours = [to_hex(ramp(0.1 + 0.8 * (j / (k - 1) if k > 1 else 1.0))) for j in range(k)]
    return Classes([round(e, 10) for e in kept], colours)


def score_classes() -> Classes:
    """Five fixed classes of a criterion score, 0-0.2 ... 0.8-1."""
    ramp = colormaps[RAMP]
    return Classes([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], [to_hex(ramp(0.1 + 0.2 * j)) for j in range(5)])


def map_classes(suitability: FloatArray, excluded: np.ndarray) -> Classes:
    """The suitability classes of a run: from its ranked (not excluded) sites."""
    return suitability_classes(np.asarray(suitability, dtype=float)[~np.asarray(excluded, bool)])
