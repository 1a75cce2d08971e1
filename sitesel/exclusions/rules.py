"""A rule over features, applied to every site: exclude, set back, or flag.

A rule's zone is its features (``exclude``), or the land within a distance of them
(``setback``, and ``exclude_within`` constraints: a fixed distance or a footprint per
feature); a site is excluded when more of its area than the rule's ``max_share`` lies in
one zone, and flagged when a smaller, non-zero share does. A ``flag`` rule marks every
site within a distance of the features, with that distance. Each record names the feature
that decided: the most-overlapping zone's, or the nearest feature's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from sitesel._typing import FloatArray
from sitesel.exclusions.records import Hits, Records, Source
from sitesel.exclusions.zones import Geoms, buffered, largest_overlaps, nearest_within

Action = Literal["exclude", "setback", "flag"]


def apply_rule(
    sites: Geoms,
    features: Geoms,
    names: Sequence[str],
    *,
    source: Source,
    action: Action,
    distance_m: float,
    max_share: float,
) -> tuple[Records, Geoms]:
    """Apply one rule to every site.

    Parameters
    ----------
    sites
        Site polygons.
    features
        The rule's features (polygons, lines or points), already cut to reach
        (:func:`~sitesel.exclusions.zones.near`); empty geometries match no site.
    names
        One name per feature, for the records.
    source
        The rule, as its records read.
    action
        ``exclude`` (inside the features), ``setback`` (within ``distance_m`` of them) or
        ``flag`` (within ``distance_m``; the site still ranks).
    distance_m
        The setback or flag distance.
    max_share
        ``exclude`` and ``setback``: the share of a site that may lie in the zone; a
        larger share excludes it, a smaller non-zero one flags it.

    Returns
    -------
    tuple
        The records (exclusions, and flags for small shares or within the distance), and
        the rule's zones (the features or their buffers), one per feature, for the map.

    Examples
    --------
    >>> import shapely
    >>> from sitesel.exclusions.text import texts
    >>> sites = np.array([shapely.box(0, 0, 10, 10), shapely.box(30, 0, 40, 10)])
    >>> runway = np.array([shapely.LineString([(0, 20), (40, 20)])])
    >>> found, _ = apply_rule(sites, runway, ["VILH"], action="setback", distance_m=15,
    ...     max_share=0.0, source=Source("runway", "land_rule", "within {distance_m} m of {name}"))
    >>> texts(found.of("exclude")[0]).tolist()
    ['within 15 m of VILH', 'within 15 m of VILH']
    """
    labels = np.asarray([*names, ""], dtype=object)  # -1 (no feature): ""
    if action == "flag":
        dist, which = nearest_within(sites, features, distance_m)
        hits = Hits.where(source, "flag", which >= 0, feature=labels[which],
                          measures={"distance_m": dist})  # fmt: skip
        return Records((hits,)), buffered(features, distance_m)
    zones = buffered(features, distance_m if action == "setback" else 0.0)
    return overlap_records(sites, zones, labels, source=source, distance_m=distance_m,
                           max_share=max_share), zones  # fmt: skip


def overlap_records(
    sites: Geoms,
    zones: Geoms,
    labels: np.ndarray,
    *,
    source: Source,
    distance_m: float,
    max_share: float,
) -> Records:
    """Exclusions where more than ``max_share`` of a site lies in one zone, flags below.

    ``labels`` names each zone, with one more ("") after them for sites in none.
    """
    share, which = largest_overlaps(sites, zones)
    hit = which >= 0
    out = hit & (share > max_share)
    measures: dict[str, FloatArray] = {"distance_m": np.full(len(sites), distance_m),
                                       "share": share}  # fmt: skip
    return Records(
        (
            Hits.where(source, "exclude", out, feature=labels[which], measures=measures),
            Hits.where(source, "flag", hit & ~out & (share > 0), feature=labels[which],
                       measures=measures, partial=True),
        )
    )  # fmt: skip
