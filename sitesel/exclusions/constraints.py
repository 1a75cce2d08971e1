"""Hard exclusions: masks over sites, each with a reason a planner can read."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from sitesel._typing import FloatArray

_OPS: dict[str, Callable[[FloatArray, float], npt.NDArray[np.bool_]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

REASON_SEPARATOR = "; "
"""Between the reasons of a site excluded for several."""


@dataclass(frozen=True)
class Rule:
    """Exclude a site when ``raw[criterion] <op> threshold``."""

    criterion: str
    op: str
    threshold: float
    reason: str | None = None

    def describe(self) -> str:
        """The rule's reason, or the rule itself."""
        return self.reason or f"{self.criterion} {self.op} {self.threshold:g}"


@dataclass(frozen=True)
class Exclusions:
    """What excludes sites: constraint rules, missing values, the study area, taken land.

    Attributes
    ----------
    raw
        Criterion name -> raw values.
    rules
        Constraints to apply.
    required
        Criteria that must have a value (the weighted ones): a NaN excludes the site, with
        the mapped reason (``"no value for <criterion>"`` for a plain list).
    outside_area
        Sites lying outside the study area.
    zones
        Reasons from land-use exclusions (:func:`zone_reasons`), one string per site.
    evaluated
        Criterion -> the sites it was computed for (all when absent): a site excluded
        before a criterion was computed has no value for it and no reason from it.

    Examples
    --------
    >>> import numpy as np
    >>> found = Exclusions(raw={"slope": np.array([2.0, 20.0, np.nan])},
    ...     rules=[Rule("slope", ">", 15, "too steep")], required=["slope"])
    >>> found.reasons(3).tolist(), found.mask(3).tolist()
    (['', 'too steep', 'no value for slope'], [False, True, True])
    """

    raw: Mapping[str, FloatArray]
    rules: Sequence[Rule] = ()
    required: Mapping[str, str] | Sequence[str] = ()
    outside_area: npt.NDArray[np.bool_] | None = None
    zones: Sequence[npt.NDArray[np.object_]] = ()
    evaluated: Mapping[str, npt.NDArray[np.bool_]] | None = None

    def reasons(self, n_sites: int) -> npt.NDArray[np.object_]:
        """Why each site is excluded: ``""`` for kept sites, else reasons joined by "; "."""
        checks = self._checks()
        reasons = np.full(n_sites, "", dtype=object)
        if checks and n_sites:
            hits = np.column_stack([hit for hit, _ in checks])
            reasons = _joined(hits, [text for _, text in checks])
        for zone in self.zones:
            for i in np.flatnonzero(zone != ""):
                joined = f"{reasons[i]}{REASON_SEPARATOR}{zone[i]}"
                reasons[i] = joined if reasons[i] else str(zone[i])
        return reasons

    def mask(self, n_sites: int) -> npt.NDArray[np.bool_]:
        """Which sites :meth:`reasons` excludes, without writing the reasons."""
        excluded = np.zeros(n_sites, dtype=bool)
        for hit, _ in self._checks():
            excluded |= hit
        for zone in self.zones:
            excluded |= zone != ""
        return excluded

    def _checks(self) -> list[tuple[npt.NDArray[np.bool_], str]]:
        """Each reason a site can be excluded for, with the sites it excludes, in order."""
        checks: list[tuple[npt.NDArray[np.bool_], str]] = []
        if self.outside_area is not None:
            checks.append((np.asarray(self.outside_area, dtype=bool), "outside the study area"))
        checks += _missing_values(self.raw, self.required, self.evaluated or {})
        checks += [(_rule_hits(self.raw[r.criterion], r), r.describe()) for r in self.rules]
        return checks


def _joined(hits: npt.NDArray[np.bool_], texts: list[str]) -> npt.NDArray[np.object_]:
    """Per row of ``hits``, the texts of its true columns joined by "; ".

    One string per combination of reasons rather than per site: a district's 383k sites
    share a handful of combinations.
    """
    packed = np.ascontiguousarray(np.packbits(hits, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()  # a row: one value
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    combos = [
        REASON_SEPARATOR.join(t for t, h in zip(texts, hits[i], strict=True) if h) for i in first
    ]
    return np.array(combos, dtype=object)[inverse.reshape(-1)]


def reason_counts(reasons: pd.Series) -> pd.Series:
    """How many sites each single reason excludes (a site can have several), most first.

    Ties are ordered by the reason's text. The joined strings are counted first, then
    split: a district's 383k sites share a handful of them.

    >>> reason_counts(pd.Series(["steep", "", "steep; far", "far"])).to_dict()
    {'far': 2, 'steep': 2}
    """
    counts: dict[str, int] = {}
    for text, n in reasons[reasons != ""].value_counts(sort=False).items():
        for reason in str(text).split(REASON_SEPARATOR):
            counts[reason] = counts.get(reason, 0) + int(n)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return pd.Series(dict(ordered), dtype="int64")


def _missing_values(
    raw: Mapping[str, FloatArray],
    required: Mapping[str, str] | Sequence[str],
    evaluated: Mapping[str, npt.NDArray[np.bool_]],
) -> list[tuple[npt.NDArray[np.bool_], str]]:
    """Sites without a value for a required criterion (where it was computed), and why."""
    why = required if isinstance(required, Mapping) else {n: f"no value for {n}" for n in required}
    out = []
    for name, text in why.items():
        missing = np.isnan(raw[name])
        if name in evaluated:
            missing &= evaluated[name]
        out.append((missing, text))
    return out


def _rule_hits(values: FloatArray, rule: Rule) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        return np.asarray(_OPS[rule.op](values, rule.threshold) & ~np.isnan(values))


def zone_reasons(
    sites: gpd.GeoSeries,
    zones: gpd.GeoSeries,
    names: Sequence[str],
    *,
    max_share: float,
    label: str,
) -> npt.NDArray[np.object_]:
    """Why each site lies on taken land: ``"<label> <zone name>"`` or ``""``.

    A site is excluded when more than ``max_share`` of its area overlaps the zones; the
    reason names the zone it overlaps most.

    >>> import shapely
    >>> sites = gpd.GeoSeries([shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)])
    >>> zones = gpd.GeoSeries([shapely.box(5, 0, 50, 1)])
    >>> zone_reasons(sites, zones, ["runway"], max_share=0.08, label="on").tolist()
    ['', 'on runway']
    """
    out = np.full(len(sites), "", dtype=object)
    if len(zones) == 0:
        return out
    site_geoms, zone_geoms = sites.to_numpy(), zones.to_numpy()
    s_idx, z_idx = shapely.STRtree(zone_geoms).query(site_geoms, predicate="intersects")
    if len(s_idx) == 0:
        return out
    share = shapely.area(shapely.intersection(site_geoms[s_idx], zone_geoms[z_idx]))
    share = share / shapely.area(site_geoms[s_idx])
    order = np.lexsort((-share, s_idx))  # largest overlap first within each site
    s_idx, z_idx, share = s_idx[order], z_idx[order], share[order]
    first = np.r_[True, s_idx[1:] != s_idx[:-1]]
    hit = first & (share > max_share)
    out[s_idx[hit]] = [f"{label} {names[z]}".strip() for z in z_idx[hit]]
    return out
