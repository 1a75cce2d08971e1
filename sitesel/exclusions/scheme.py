"""A scheme's land rule: whether each site (and each region) is big enough, alone or joined.

EMC 2.0 asks for at least 200 acres (100 acres in hill states and UTs such as Ladakh),
and counts two parcels within 0.5 km of each other, or separated only by a road, as one
piece of land. A site too small alone meets the rule with its largest usable partner; one
that does not gets a record (action ``ineligible``) saying what it holds against what the
scheme asks; an excluded site's record says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from sitesel._geometry import TOUCH_M, pairs_within
from sitesel._typing import FloatArray
from sitesel.config import load_scheme
from sitesel.config.decision import SchemeSpec
from sitesel.exclusions.records import Hits, Records, Source, literal
from sitesel.units import ACRE_HA


@dataclass(frozen=True)
class SchemeRule:
    """A land rule of a scheme: minimum area; how many parcels may be joined, how far apart."""

    name: str
    min_area_acres: float
    max_parts: int = 1
    max_gap_km: float = 0.0
    road_corridor_m: float = 0.0
    """Parcels farther apart than ``max_gap_km`` still join when the gap between them is
    at most this wide and a road runs through it ("separated only by a road")."""


class Eligibility(NamedTuple):
    """Per parcel: meets the rule, the partner's index ("" if none), how the two join."""

    eligible: npt.NDArray[np.bool_]
    partner: npt.NDArray[np.object_]
    link: npt.NDArray[np.object_]


def eligibility(
    geoms: gpd.GeoSeries,
    area_ha: FloatArray,
    usable: npt.NDArray[np.bool_],
    rule: SchemeRule,
    roads: gpd.GeoDataFrame | None = None,
) -> Eligibility:
    """Whether each parcel meets the rule alone or joined with one partner.

    A partner lies within ``rule.max_gap_km``, or is separated from the parcel only by a
    road: the gap is at most ``rule.road_corridor_m`` wide and the shortest line across it
    crosses one of ``roads``.

    Parameters
    ----------
    geoms
        Parcels (sites or regions), projected CRS.
    area_ha
        Their areas.
    usable
        Which parcels may be partners (not excluded).
    rule
        The scheme rule.
    roads
        Road lines (optional ``name`` and ``road_class`` columns) in the parcels' CRS.

    Returns
    -------
    Eligibility
        ``eligible``, ``partner`` (index used, or "") and ``link`` (how the two join:
        "0.3 km apart" or "across NH1 (NH)"); :func:`scheme_records` says why not.

    Examples
    --------
    Two 60-acre parcels 300 m apart meet a 100-acre rule together:

    >>> import geopandas as gpd, shapely
    >>> side = (60 * ACRE_HA * 10_000) ** 0.5
    >>> g = gpd.GeoSeries([shapely.box(0, 0, side, side),
    ...                    shapely.box(side + 300, 0, 2 * side + 300, side)])
    >>> rule = SchemeRule("EMC 2.0 (UT)", 100, max_parts=2, max_gap_km=0.5)
    >>> got = eligibility(g, g.area.to_numpy() / 1e4, np.array([True, True]), rule)
    >>> got.eligible.tolist(), got.partner.tolist(), got.link.tolist()
    ([True, True], ['1', '0'], ['0.3 km apart', '0.3 km apart'])
    """
    min_ha = rule.min_area_acres * ACRE_HA
    n = len(area_ha)
    alone = area_ha >= min_ha - 1e-9
    eligible = alone.copy()
    partner = np.full(n, "", dtype=object)
    link = np.full(n, "", dtype=object)
    needs_partner = usable & ~alone
    if rule.max_parts >= 2 and needs_partner.any():
        # Only usable parcels join, and only pairs holding one too small alone matter.
        pool, seekers = np.flatnonzero(usable), np.flatnonzero(needs_partner)
        a, b, how = _joinable_pairs(geoms.to_numpy(), rule, roads, pool, seekers)
        ok = area_ha[a] + area_ha[b] >= min_ha - 1e-9
        _pick_partners(a[ok], b[ok], how[ok], area_ha, alone, eligible, partner, link)
    return Eligibility(eligible, partner, link)


def _joinable_pairs(
    geoms: npt.NDArray[np.object_],
    rule: SchemeRule,
    roads: gpd.GeoDataFrame | None,
    pool: npt.NDArray[np.intp],
    seekers: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """Pairs the rule lets join, and how (gap in km, or the road between).

    Each pair holds one of ``seekers`` and one parcel of ``pool``.
    """
    gap_m = rule.max_gap_km * 1000
    corridor_m = rule.road_corridor_m if roads is not None and len(roads) else 0.0
    a, b = pairs_within(geoms, max(gap_m, corridor_m), pool, seekers)
    dist_m = shapely.distance(geoms[a], geoms[b])
    near = dist_m <= max(gap_m, TOUCH_M)
    how = np.array([f"{d / 1000:.1f} km apart" for d in dist_m], dtype=object)
    if corridor_m > 0 and roads is not None:
        across = np.full(len(a), "", dtype=object)
        gap_lines = shapely.shortest_line(geoms[a], geoms[b])
        line_idx, road_idx = shapely.STRtree(roads.geometry.to_numpy()).query(
            gap_lines, predicate="intersects"
        )
        names = _road_labels(roads)
        for i, r in zip(line_idx[::-1], road_idx[::-1], strict=True):  # first road wins
            across[i] = f"across {names[r]}"
        by_road = (dist_m <= corridor_m) & (across != "")
        how = np.where(by_road, across, how)
        near |= by_road
    return a[near], b[near], how[near]


def _road_labels(roads: gpd.GeoDataFrame) -> list[str]:
    name = roads["name"].fillna("").astype(str) if "name" in roads else None
    cls = roads["road_class"].fillna("").astype(str) if "road_class" in roads else None
    labels = []
    for k in range(len(roads)):
        n = "" if name is None else name.iloc[k]
        c = "" if cls is None else cls.iloc[k]
        labels.append(f"{n} ({c})" if n and c else n or c or "a road")
    return labels


def _pick_partners(
    a: npt.NDArray[np.intp],
    b: npt.NDArray[np.intp],
    how: npt.NDArray[np.object_],
    area_ha: FloatArray,
    alone: npt.NDArray[np.bool_],
    eligible: npt.NDArray[np.bool_],
    partner: npt.NDArray[np.object_],
    link: npt.NDArray[np.object_],
) -> None:
    """Give each parcel too small alone its largest partner among the pairs (in place)."""
    for x, y in ((a, b), (b, a)):
        if len(x) == 0:
            continue
        order = np.lexsort((-area_ha[y], x))
        first = np.r_[True, x[order][1:] != x[order][:-1]]
        for k in order[first]:
            i, j = x[k], y[k]
            if not alone[i] and (partner[i] == "" or area_ha[j] > area_ha[int(partner[i])]):
                partner[i], link[i] = str(j), how[k]
                eligible[i] = True


def shortfall(rule: SchemeRule) -> Source:
    """How a parcel too small for the rule reads: what it holds against what is asked.

    >>> from sitesel.exclusions.text import texts
    >>> rule = SchemeRule("EMC 2.0 (UT)", 100, max_parts=2, max_gap_km=0.5)
    >>> h = Hits(shortfall(rule), "ineligible", np.array([0]), np.array([""], dtype=object),
    ...          {"area_acres": np.array([60.2])})
    >>> texts(h)[0]
    'EMC 2.0 (UT): 60 acres < 100 acres, and no parcel within 0.5 km makes up the rest'
    """
    tail = ""
    if rule.max_parts >= 2:
        road = " or across a road" if rule.road_corridor_m > 0 else ""
        tail = f", and no parcel within {rule.max_gap_km:g} km{road} makes up the rest"
    template = f"{literal(rule.name)}: {{area_acres}} acres < {rule.min_area_acres:g} acres"
    return Source("scheme", "scheme", template + literal(tail))


EXCLUDED = Source("scheme:excluded", "scheme", "the site is excluded")


def scheme_records(
    eligible: npt.NDArray[np.bool_],
    area_ha: FloatArray,
    candidates: npt.NDArray[np.bool_],
    rule: SchemeRule,
) -> Records:
    """A record for each candidate the rule finds too small, and each excluded site."""
    acres = {"area_acres": area_ha / ACRE_HA}
    return Records(
        (
            Hits.where(shortfall(rule), "ineligible", candidates & ~eligible, measures=acres),
            Hits.where(EXCLUDED, "ineligible", ~candidates),
        )
    )


def region_eligibility(
    regions: gpd.GeoDataFrame, rule: SchemeRule, roads: gpd.GeoDataFrame | None = None
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.object_], list[int | None]]:
    """Whether each region holds land the rule accepts, counting its separate parts.

    A region grown with a gap joins separate parcels; the rule counts parcels, not regions:
    cells that touch form one parcel, and at most ``rule.max_parts`` parcels within
    ``rule.max_gap_km`` of each other, or separated only by one of ``roads`` (see
    :func:`eligibility`), count as one piece of land, whichever regions they belong to.

    Returns
    -------
    tuple
        ``eligible``, ``reason`` (why not, or "") and the partner parcel's region (or None)
        for each row of ``regions`` (columns ``region`` and geometry).

    Examples
    --------
    Three 40-acre squares 300 m apart, one region: two of them make 80 acres, not 100.

    >>> import shapely
    >>> side = (40 * ACRE_HA * 10_000) ** 0.5
    >>> squares = [shapely.box(k * (side + 300), 0, k * (side + 300) + side, side)
    ...            for k in range(3)]
    >>> one = gpd.GeoDataFrame({"region": [1]}, geometry=[shapely.MultiPolygon(squares)])
    >>> ok, why, _ = region_eligibility(one, SchemeRule("EMC (UT)", 100, 2, 0.5))
    >>> bool(ok[0]), why[0]
    (False, 'EMC (UT): 80 acres in the best 2 parcels < 100 acres')
    """
    parts = regions[["region", regions.geometry.name]].explode(index_parts=False)
    parts = parts.reset_index(drop=True)
    area_ha = parts.geometry.area.to_numpy() / 10_000
    ok, partner, _ = eligibility(parts.geometry, area_ha, np.ones(len(parts), bool), rule, roads)
    region_of_part = parts["region"].to_numpy()
    table = pd.DataFrame({"region": region_of_part, "ok": ok, "acres": area_ha / ACRE_HA})
    table["partner"] = [region_of_part[int(p)] if p != "" else None for p in partner]
    by_region = table.sort_values("acres", ascending=False, kind="mergesort").groupby(
        "region", sort=False
    )
    best_acres = by_region["acres"].apply(lambda a: a.head(rule.max_parts).sum())
    n_parts = by_region.size().clip(upper=rule.max_parts)
    first_ok = table[table["ok"]].groupby("region", sort=False)["partner"].first()
    order = regions["region"]
    eligible = order.isin(first_ok.index).to_numpy()
    reasons = [
        ""
        if good
        else f"{rule.name}: {best_acres[r]:.0f} acres in the best {n_parts[r]} parcels"
        f" < {rule.min_area_acres:g} acres"
        for r, good in zip(order, eligible, strict=True)
    ]
    partners = [
        None if not good or pd.isna(first_ok[r]) else int(first_ok[r])
        for r, good in zip(order, eligible, strict=True)
    ]
    return eligible, np.array(reasons, dtype=object), partners


def scheme_rule(spec: SchemeSpec, config_path: Path) -> tuple[SchemeRule, dict[str, Any]]:
    """The scheme variant a config names, as a rule, and its description for the manifest.

    Raises
    ------
    ConfigError
        If the scheme file cannot be read or lacks the variant.
    """
    scheme, variant, path = load_scheme(spec, config_path)
    rule = SchemeRule(
        name=f"{scheme.name} ({spec.variant})",
        min_area_acres=variant.min_area_acres,
        max_parts=variant.max_parts,
        max_gap_km=variant.max_gap_km,
        road_corridor_m=variant.road_corridor_m,
    )
    about = {
        "name": scheme.name,
        "variant": spec.variant,
        "file": str(path),
        "source": scheme.source,
        **variant.model_dump(),
    }
    return rule, about


def eligible_regions(
    table: gpd.GeoDataFrame, rule: SchemeRule, roads: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """The region table with each region's eligibility under the scheme's rule."""
    ok, reason, partner = region_eligibility(table, rule, roads)
    return table.assign(eligible=ok, eligibility_reason=reason, partner_region=partner)
