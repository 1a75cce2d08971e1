"""sitesel/_geometry.py: pairs of geometries within a distance, by hand on a line of points."""

from __future__ import annotations

import numpy as np
import shapely

from sitesel._geometry import pairs_within

# Five points along a line at 0, 1, 2, 3 and 10 km.
POINTS = shapely.points([(0, 0), (1000, 0), (2000, 0), (3000, 0), (10_000, 0)])


def _pairs(*args, **kwargs):
    a, b = pairs_within(POINTS, *args, **kwargs)
    return list(zip(a.tolist(), b.tolist(), strict=True))


def test_every_pair_within_the_distance_once_lower_index_first():
    assert _pairs(1500.0) == [(0, 1), (1, 2), (2, 3)]
    assert _pairs(2000.0) == [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)]  # the limit counts


def test_only_the_seekers_pairs_with_the_pool():
    assert _pairs(1500.0, seekers=np.array([0])) == [(0, 1)]
    assert _pairs(1500.0, seekers=np.array([3])) == [(2, 3)]
    assert _pairs(1500.0, pool=np.array([0, 2, 3])) == [(2, 3)]
    assert _pairs(7500.0, pool=np.array([3, 4]), seekers=np.array([4])) == [(3, 4)]
