"""Checks of a study's named targets before a run: on the road network, on liveable ground.

A target such as a sub-district headquarters point can lie on a mountain or kilometres
from any road; travel times to it then include long off-road legs and the ranking pulls
towards the wrong place. ``sitesel validate`` reports such targets as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from sitesel._typing import Dem
from sitesel.config import Config
from sitesel.config.criteria import NetworkCriterionSpec, selections
from sitesel.data.loader import LayerLoader
from sitesel.pipeline.inputs import StudyArea, selected
from sitesel.terrain.zonal import slope_deg
from sitesel.units import M_PER_KM

OFF_ROAD_WARN_M = 1_000.0
"""A network target farther than this from any road is reached by a long off-road leg."""

HIGHEST_SETTLEMENT_M = 4_700.0
"""Above India's highest permanent villages (Komic and Korzok, about 4,590 m) plus a DEM
error margin: a town target higher than this is probably not at the town."""

STEEPEST_TOWN_DEG = 25.0
"""Mean slope of a ~1 km DEM cell above which a town centre is implausible."""


@dataclass(frozen=True)
class TargetPoint:
    """One point target of a criterion, in the working CRS."""

    criterion: str
    name: str
    x: float
    y: float


def point_targets(config: Config, loader: LayerLoader, area: StudyArea) -> list[TargetPoint]:
    """The point targets (and polygon targets' representative points) of every criterion.

    Line targets (a highway network) are skipped: they are roads themselves.
    """
    out: list[TargetPoint] = []
    for name, spec in config.criteria.items():
        for key, sel in selections(spec).items():
            features = selected(loader, sel, f"criteria.{name}.{key}", area.crs)
            kept = features[~features.geom_type.isin(["LineString", "MultiLineString"])]
            if kept.empty:
                continue
            column = loader.spec(sel.layer).name_column
            names = kept[column].astype(str) if column in kept else [sel.layer] * len(kept)
            points = kept.geometry.representative_point()
            out += [
                TargetPoint(name, str(n), float(p.x), float(p.y))
                for n, p in zip(names, points, strict=True)
            ]
    return out


def off_road_problems(
    targets: list[TargetPoint], roads: gpd.GeoSeries, limit_m: float = OFF_ROAD_WARN_M
) -> list[tuple[TargetPoint, str]]:
    """Targets farther than ``limit_m`` from the nearest road, with what is wrong.

    >>> roads = gpd.GeoSeries([shapely.LineString([(0, 0), (10_000, 0)])])
    >>> [why for _, why in off_road_problems([TargetPoint("t", "Camp", 500, 2_500)], roads)]
    ['2.5 km from the nearest road']
    >>> off_road_problems([TargetPoint("t", "Camp", 500, 900)], roads)
    []
    """
    if not targets or roads.empty:
        return []
    points = shapely.points([(t.x, t.y) for t in targets])
    _, dist_m = shapely.STRtree(roads.to_numpy()).query_nearest(
        points, return_distance=True, all_matches=False
    )
    return [
        (t, f"{d / 1000:.1f} km from the nearest road")
        for t, d in zip(targets, dist_m, strict=True)
        if d > limit_m
    ]


def terrain_problems(targets: list[TargetPoint], dem: Dem) -> list[tuple[TargetPoint, str]]:
    """Targets on ground no town stands on (too high or too steep), with what is wrong."""
    if not targets:
        return []
    slope = slope_deg(dem.elevation_m, abs(dem.transform.a))
    cols, rows = ~dem.transform * (
        np.array([t.x for t in targets]),
        np.array([t.y for t in targets]),
    )
    rows, cols = np.floor(rows).astype(int), np.floor(cols).astype(int)
    inside = (rows >= 0) & (rows < slope.shape[0]) & (cols >= 0) & (cols < slope.shape[1])
    out = []
    for k in np.flatnonzero(inside):
        height_m = float(dem.elevation_m[rows[k], cols[k]])
        problems = []
        if np.isfinite(height_m) and height_m > HIGHEST_SETTLEMENT_M:
            problems.append(
                f"at {height_m:,.0f} m (towns stand below {HIGHEST_SETTLEMENT_M:,.0f} m)"
            )
        if slope[rows[k], cols[k]] > STEEPEST_TOWN_DEG:
            problems.append(f"on a {slope[rows[k], cols[k]]:.0f} degree slope")
        if problems:
            out.append((targets[k], " and ".join(problems)))
    return out


def summarise(problems: list[tuple[TargetPoint, str]], what: str, examples: int = 3) -> list[str]:
    """One warning per criterion: each target when few, else a count and examples.

    >>> p = [(TargetPoint("t", f"V{k}", 0, 0), "far") for k in range(5)]
    >>> summarise(p, "off the road network")
    ['criteria.t: 5 targets off the road network, e.g. V0 (far); V1 (far); V2 (far)']
    >>> summarise(p[:1], "off the road network")
    ['criteria.t: target V0 off the road network: far']
    """
    by_criterion: dict[str, list[tuple[TargetPoint, str]]] = {}
    for target, why in problems:
        by_criterion.setdefault(target.criterion, []).append((target, why))
    out = []
    for criterion, found in by_criterion.items():
        if len(found) == 1:
            target, why = found[0]
            out.append(f"criteria.{criterion}: target {target.name} {what}: {why}")
            continue
        listed = "; ".join(f"{t.name} ({why})" for t, why in found[:examples])
        out.append(f"criteria.{criterion}: {len(found)} targets {what}, e.g. {listed}")
    return out


def target_warnings(
    config: Config, loader: LayerLoader, area: StudyArea, dem: Dem | None
) -> list[str]:
    """Warnings about the targets of network criteria (off-road) and of all (terrain)."""
    targets = point_targets(config, loader, area)
    if not targets:
        return []
    warnings: list[str] = []
    net = config.network
    networked = {n for n, spec in config.criteria.items() if isinstance(spec, NetworkCriterionSpec)}
    if net is not None and networked and loader.spec(net.roads).format != "overpass":
        roads = loader.frame(net.roads, area.crs).geometry
        reach = area.polygon.buffer(net.margin_km * M_PER_KM)  # where the network is built
        routed = [
            t
            for t in targets
            if t.criterion in networked and reach.contains(shapely.Point(t.x, t.y))
        ]
        far = off_road_problems(routed, roads)
        far.sort(key=lambda p: -float(p[1].split()[0]))  # farthest first
        warnings += summarise(far, "off the road network")
    if dem is not None:
        warnings += summarise(
            terrain_problems(targets, dem), "on implausible ground for a settlement"
        )
    return warnings
