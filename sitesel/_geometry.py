"""Geometry shared by the analyses: which parcels lie within a distance of each other."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

TOUCH_M = 0.01
"""Parcels this close touch (shared edges of generated cells may differ by rounding)."""


def pairs_within(
    geoms: npt.NDArray[np.object_],
    distance_m: float,
    pool: npt.NDArray[np.intp] | None = None,
    seekers: npt.NDArray[np.intp] | None = None,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Unordered pairs ``a < b`` (indices into ``geoms``) within ``distance_m``.

    Each of ``seekers`` is paired with each of ``pool``; both default to all of ``geoms``.
    """
    pool = np.arange(len(geoms)) if pool is None else pool
    seekers = pool if seekers is None else seekers
    tree = shapely.STRtree(geoms[pool])
    i, j = tree.query(geoms[seekers], predicate="dwithin", distance=max(distance_m, TOUCH_M))
    a, b = seekers[i], pool[j]
    a, b = np.minimum(a, b), np.maximum(a, b)
    pairs = np.unique(np.c_[a, b][a < b], axis=0)
    return pairs[:, 0], pairs[:, 1]
