"""The zone engine: every zone of every rule, and how much of each site lies in it.

A zone is a rule's features (a park, a lake) or the land within a distance of them (a
highway's building line, a town's built-up disc). Features are first cut to the sites'
box grown by the rule's reach, so a national park of thousands of km2 costs what its part
near the study costs; an invalid polygon near the study is repaired before it is cut. The
measures the records carry come from here: the largest share of a site in one zone, the
distance to the nearest feature.

Pure functions over shapely geometry arrays in one projected CRS (metres).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from sitesel._typing import FloatArray, IntArray
from sitesel.data.vector import repair_polygons
from sitesel.errors import LayerError

Bounds = tuple[float, float, float, float]
Geoms = npt.NDArray[np.object_]


def clip_to_reach(features: Geoms, bounds: Bounds, reach_m: float) -> Geoms:
    """Features cut to the sites' bounds grown by ``reach_m``: only what can matter is kept.

    A metre more than the reach is kept, so a feature exactly at the reach still counts:

    >>> big = np.array([shapely.box(-1e6, -1e6, 1e6, 1e6)])
    >>> shapely.bounds(clip_to_reach(big, (0, 0, 10, 10), 5)).tolist()
    [[-6.0, -6.0, 16.0, 16.0]]
    """
    xmin, ymin, xmax, ymax = bounds
    pad = reach_m + 1.0
    return np.asarray(
        shapely.clip_by_rect(features, xmin - pad, ymin - pad, xmax + pad, ymax + pad),
        dtype=object,
    )


def near(
    features: Geoms, names: Sequence[str], bounds: Bounds, reach_m: float, *, layer: str
) -> Geoms:
    """Features cut to the sites' box grown by ``reach_m``; invalid polygons near it repaired.

    The repair comes first (GEOS cuts an invalid ring into nonsense), and only for
    features whose box meets the reach: a broken polygon across the country is no concern
    of this study.
    """
    xmin, ymin, xmax, ymax = bounds
    box = np.asarray(shapely.bounds(features)).reshape(-1, 4)
    pad = reach_m + 1.0
    meets = (
        (box[:, 0] <= xmax + pad) & (box[:, 2] >= xmin - pad)
        & (box[:, 1] <= ymax + pad) & (box[:, 3] >= ymin - pad)
    )  # fmt: skip
    features = np.asarray(features, dtype=object).copy()
    if meets.any():
        near_names = [names[int(i)] for i in np.flatnonzero(meets)]
        features[meets] = repair_polygons(features[meets], near_names, layer=layer)
    return clip_to_reach(features, bounds, reach_m)


def buffered(features: Geoms, distance_m: float) -> Geoms:
    """The land within ``distance_m`` of each feature (the features when 0)."""
    if distance_m <= 0:
        return np.asarray(features, dtype=object)
    return np.asarray(shapely.buffer(features, distance_m, quad_segs=16), dtype=object)


def bounded_zones(
    features: Geoms,
    radius_m: FloatArray,
    names: list[str],
    near_geom: BaseGeometry,
    *,
    key: str,
) -> tuple[Geoms, list[str]]:
    """Each feature's zone (itself buffered by its own radius), cut to where the sites are.

    Whatever a radius is (a footprint typed 1,000 times too wide), the geometry built stays
    the size of the sites' box: features whose zone cannot reach the box are dropped, a
    zone that covers the whole box is the box (one is enough: the first, by name order),
    and the others are cut to it. GEOS failures name the key.

    >>> geoms, kept = bounded_zones(np.array([shapely.Point(0, 0), shapely.Point(50, 0),
    ...     shapely.Point(9e6, 0)]), np.array([1e7, 2.0, 1.0]), ["a", "b", "c"],
    ...     shapely.box(0, 0, 100, 100), key="k")
    >>> kept, [g.bounds for g in geoms][0]
    (['a', 'b'], (-1.0, -1.0, 101.0, 101.0))
    """
    box = shapely.box(*shapely.bounds(near_geom)).buffer(1.0, join_style="mitre")
    xmin, ymin, xmax, ymax = shapely.bounds(box)
    diagonal = float(np.hypot(xmax - xmin, ymax - ymin))
    try:
        gap = shapely.distance(features, box)
        reach = gap <= radius_m
        covers = reach & (radius_m >= gap + diagonal)
        covers &= shapely.get_type_id(features) == 0  # a point's disc: exactly known
        first_cover = np.flatnonzero(covers)[:1]
        partial = np.flatnonzero(reach & ~covers)
        grown = shapely.buffer(features[partial], radius_m[partial], quad_segs=16)
        cut = shapely.intersection(grown, box)
        keep = ~shapely.is_empty(cut)
        geoms = np.concatenate([np.array([box] * len(first_cover), dtype=object), cut[keep]])
        rows = np.concatenate([first_cover, partial[keep]])
    except shapely.errors.GEOSException as exc:
        raise LayerError(f"{key}: the zones could not be built ({exc})") from None
    return np.asarray(geoms, dtype=object), [names[r] for r in rows]


def shown(zones: Geoms, bounds: Bounds) -> tuple[Geoms, npt.NDArray[np.bool_]]:
    """The zones cut to the sites' box, and which are not empty: what the map draws.

    A 20 km height zone or a park's 10 km band reaches far beyond the sites; only the part
    where they are is drawn and stored.
    """
    cut = np.asarray(shapely.clip_by_rect(zones, *bounds), dtype=object)
    keep = ~shapely.is_empty(cut) & (shapely.area(cut) > 0)
    return cut, np.asarray(keep, dtype=bool)


def largest_overlaps(sites: Geoms, zones: Geoms) -> tuple[FloatArray, IntArray]:
    """Per site, the largest share of its area inside one zone, and that zone (-1: none).

    >>> sites = np.array([shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)])
    >>> share, zone = largest_overlaps(sites, np.array([shapely.box(5, 0, 50, 10)]))
    >>> share.tolist(), zone.tolist()
    ([0.5, 1.0], [0, 0])
    """
    share = np.zeros(len(sites))
    which = np.full(len(sites), -1, dtype=np.int64)
    if len(sites) == 0 or len(zones) == 0:
        return share, which
    # The tree holds the sites and the zones query it: shapely prepares the query
    # geometry, so each big zone (a park of thousands of vertices) is prepared once.
    tree = shapely.STRtree(sites)
    z_idx, s_idx = tree.query(zones, predicate="intersects")
    if len(s_idx) == 0:
        return share, which
    # A site wholly inside a zone needs no intersection (a park cut against every site
    # inside it cost seconds at district scale).
    inside = np.zeros(len(s_idx), dtype=bool)
    within_z, within_s = tree.query(zones, predicate="contains")
    if len(within_s):
        n = len(sites)
        inside = np.isin(z_idx * n + s_idx, within_z * n + within_s)
    overlap = np.ones(len(s_idx))
    cut = ~inside
    overlap[cut] = shapely.area(shapely.intersection(sites[s_idx[cut]], zones[z_idx[cut]]))
    overlap[cut] = overlap[cut] / shapely.area(sites[s_idx[cut]])
    return _best_per_site(len(sites), s_idx, z_idx, overlap, fill=0.0, largest=True)


def nearest_within(sites: Geoms, features: Geoms, distance_m: float) -> tuple[FloatArray, IntArray]:
    """Per site, the distance to the nearest feature within ``distance_m`` and which one.

    Sites with no feature that near get ``inf`` and -1. Distances are between the
    geometries (0 for a site touching a feature), not their centres.

    >>> sites = np.array([shapely.box(0, 0, 10, 10), shapely.box(100, 0, 110, 10)])
    >>> d, k = nearest_within(sites, np.array([shapely.Point(15, 5)]), 50)
    >>> d.tolist(), k.tolist()
    ([5.0, inf], [0, -1])
    """
    dist = np.full(len(sites), np.inf)
    which = np.full(len(sites), -1, dtype=np.int64)
    if len(sites) == 0 or len(features) == 0:
        return dist, which
    f_idx, s_idx = shapely.STRtree(sites).query(features, predicate="dwithin", distance=distance_m)
    if len(s_idx) == 0:
        return dist, which
    found = shapely.distance(sites[s_idx], features[f_idx])
    return _best_per_site(len(sites), s_idx, f_idx, found, fill=np.inf, largest=False)


def _best_per_site(
    n_sites: int,
    s_idx: IntArray,
    f_idx: IntArray,
    value: FloatArray,
    *,
    fill: float,
    largest: bool,
) -> tuple[FloatArray, IntArray]:
    """Per site, the best ``value`` among its (site, feature) pairs and that feature.

    Sites without a pair get ``fill`` and -1; ``largest`` picks the largest value, else
    the smallest.
    """
    best = np.full(n_sites, fill)
    which = np.full(n_sites, -1, dtype=np.int64)
    if len(s_idx) == 0:
        return best, which
    order = np.lexsort((-value if largest else value, s_idx))  # the best first in each site
    s_idx, f_idx, value = s_idx[order], f_idx[order], value[order]
    first = np.r_[True, s_idx[1:] != s_idx[:-1]]
    best[s_idx[first]] = value[first]
    which[s_idx[first]] = f_idx[first]
    return best, which
