"""Land rules applied to sites: exclusion by overlap with a zone, flags by distance.

Pure functions over geometry arrays in one projected CRS (metres). A rule's zone is the
features themselves (``exclude``), or the features buffered by a distance (``setback``); a
site is excluded when more of its area than the rule's ``max_share`` lies in the zone, and
flagged when a smaller, non-zero share does. A ``flag`` rule marks every site within a
distance of the features, with that distance. Reasons are the rule's template filled with
the nearest or most-overlapping feature's name, followed by the rule's citation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from sitesel._typing import FloatArray, IntArray
from sitesel.config.templates import fill, parse_template

Action = Literal["exclude", "setback", "flag"]

FLAG_SEPARATOR = "; "
"""Between the flags of a site that carries several."""


@dataclass(frozen=True)
class RuleText:
    """What a rule says to a planner: its reason template and its citation."""

    reason: str
    citation: str

    def render(self, name: str, distance_m: float = 0.0, share: float = 0.0) -> str:
        """The reason filled for one feature, with the citation in brackets.

        >>> RuleText("inside {name}", "WPA 1972, s. 35").render("Hemis NP")
        'inside Hemis NP (WPA 1972, s. 35)'
        >>> RuleText("{distance_km} km from {name}", "x").render("P", distance_m=7240)
        '7.2 km from P (x)'
        """
        text = fill(
            parse_template(self.reason),
            {
                "name": name,
                "distance_m": distance_m,
                "distance_km": distance_m / 1000.0,
                "share_pct": 100.0 * share,
            },
        )
        return f"{text} ({self.citation})" if self.citation else text


@dataclass(frozen=True)
class RuleOutcome:
    """Per site: why a rule excludes it, and what it flags ("" where nothing)."""

    excluded: npt.NDArray[np.object_]
    flagged: npt.NDArray[np.object_]


def clip_to_reach(
    features: npt.NDArray[np.object_], bounds: tuple[float, float, float, float], reach_m: float
) -> npt.NDArray[np.object_]:
    """Features cut to the sites' bounds grown by ``reach_m``: only what can matter is kept.

    A national park of thousands of km2 around a 50 km study area is cut to the study's
    box before any buffer is built, so a rule's geometry work is bounded by the study, not
    by the size of the features.

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


def largest_overlaps(
    sites: npt.NDArray[np.object_], zones: npt.NDArray[np.object_]
) -> tuple[FloatArray, IntArray]:
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


def nearest_within(
    sites: npt.NDArray[np.object_], features: npt.NDArray[np.object_], distance_m: float
) -> tuple[FloatArray, IntArray]:
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


def apply_rule(
    sites: npt.NDArray[np.object_],
    features: npt.NDArray[np.object_],
    names: Sequence[str],
    *,
    action: Action,
    distance_m: float,
    max_share: float,
    text: RuleText,
) -> tuple[RuleOutcome, npt.NDArray[np.object_]]:
    """Apply one rule to every site.

    Parameters
    ----------
    sites
        Site polygons.
    features
        The rule's features (polygons, lines or points), already cut to reach
        (:func:`clip_to_reach`); empty geometries match no site.
    names
        One name per feature, for the reasons.
    action
        ``exclude`` (inside the features), ``setback`` (within ``distance_m`` of them) or
        ``flag`` (within ``distance_m``; the site still ranks).
    distance_m
        The setback or flag distance.
    max_share
        ``exclude`` and ``setback``: the share of a site that may lie in the zone; a
        larger share excludes it, a smaller non-zero one flags it.
    text
        The rule's reason template and citation.

    Returns
    -------
    tuple
        The outcome per site, and the rule's zones (the features or their buffers), one
        per feature (empty where a feature is), for the map.

    Examples
    --------
    >>> sites = np.array([shapely.box(0, 0, 10, 10), shapely.box(30, 0, 40, 10)])
    >>> runway = np.array([shapely.LineString([(0, 20), (40, 20)])])
    >>> out, _ = apply_rule(sites, runway, ["VILH"], action="setback", distance_m=15,
    ...     max_share=0.0, text=RuleText("within {distance_m} m of {name}", ""))
    >>> out.excluded.tolist()
    ['within 15 m of VILH', 'within 15 m of VILH']
    """
    n = len(sites)
    excluded = np.full(n, "", dtype=object)
    flagged = np.full(n, "", dtype=object)
    if action == "flag":
        dist, which = nearest_within(sites, features, distance_m)
        for i in np.flatnonzero(which >= 0):
            flagged[i] = text.render(names[which[i]], distance_m=float(dist[i]))
        zones = shapely.buffer(features, distance_m, quad_segs=16) if distance_m > 0 else features
        return RuleOutcome(excluded, flagged), np.asarray(zones, dtype=object)
    zones = shapely.buffer(features, distance_m, quad_segs=16) if action == "setback" else features
    zones = np.asarray(zones, dtype=object)
    share, which = largest_overlaps(sites, zones)
    hit = which >= 0
    out = hit & (share > max_share)
    for i in np.flatnonzero(out):
        excluded[i] = text.render(names[which[i]], distance_m=distance_m, share=float(share[i]))
    for i in np.flatnonzero(hit & ~out & (share > 0)):
        flagged[i] = f"{100 * share[i]:.0f} % " + text.render(
            names[which[i]], distance_m=distance_m, share=float(share[i])
        )
    return RuleOutcome(excluded, flagged), zones


def join_flags(columns: Sequence[npt.NDArray[np.object_]], n_sites: int) -> npt.NDArray[np.object_]:
    """Each site's flags from several rules, joined by "; " in rule order.

    >>> join_flags([np.array(["a", ""], dtype=object), np.array(["b", "c"], dtype=object)], 2)
    array(['a; b', 'c'], dtype=object)
    """
    out = np.full(n_sites, "", dtype=object)
    for column in columns:
        for i in np.flatnonzero(column != ""):
            out[i] = f"{out[i]}{FLAG_SEPARATOR}{column[i]}" if out[i] else column[i]
    return out


MEASURE = re.compile(r"^[\d.,]+ ?(km|m|%) (from (the )?)?")
"""The distance or share a flag starts with ("6.5 km from ", "12 % "): its measure."""


def flag_counts(flags: pd.Series) -> pd.Series:
    """How many sites carry each kind of flag, distances and shares left out, most first.

    >>> flag_counts(pd.Series(["6.5 km from Hemis: band", "3 km from Hemis: band; 12 % x",
    ...                        ""])).to_dict()
    {'Hemis: band': 2, 'x': 1}
    """
    counts: dict[str, int] = {}
    for text, n in flags[flags.fillna("") != ""].value_counts(sort=False).items():
        for flag in str(text).split(FLAG_SEPARATOR):
            kind = MEASURE.sub("", flag)
            counts[kind] = counts.get(kind, 0) + int(n)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return pd.Series(dict(ordered), dtype="int64")
