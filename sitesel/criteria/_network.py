"""Helpers shared by the network criterion families (travel time, opportunities, gravity)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pydantic import Field

from sitesel._typing import FloatArray
from sitesel.config import NetworkCriterionSpec, Selection
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.data.numbers import parse_counts
from sitesel.errors import LayerError
from sitesel.network.accessibility import Decay, access
from sitesel.units import M_PER_KM


def xy(points: gpd.GeoSeries) -> FloatArray:
    """``(n, 2)`` coordinates of points."""
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])


def target_points(features: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Points standing for targets: points as they are, line vertices, polygon centroids."""
    geoms = features.geometry
    lines = geoms.geom_type.isin(["LineString", "MultiLineString"])
    parts = [geoms[~lines].centroid.to_numpy()]
    if lines.any():
        parts.append(shapely.points(shapely.get_coordinates(geoms[lines].to_numpy())))
    return gpd.GeoSeries(np.concatenate(parts), crs=features.crs)


def unreachable_reason(spec: NetworkCriterionSpec, name: str, to: Selection) -> str:
    """Why a site has no value: it cannot reach any target with the scenario's roads."""
    scenario = f" with the roads of scenario {spec.scenario}" if spec.scenario else ""
    return f"{name}: cannot reach {to.layer} by road{scenario}"


def opportunity_weights(
    targets: gpd.GeoDataFrame, column: str | None, *, name: str, to: Selection, kind: str
) -> tuple[FloatArray, FloatArray]:
    """Opportunity locations and weights (a column's numbers, or 1 each).

    Raises
    ------
    LayerError
        If the column is missing, or the targets are lines (counted once per vertex).
    """
    if column is not None and column not in targets:
        raise LayerError(
            f"criteria.{name}.weight_column: layer {to.layer!r} has no column {column!r}"
        )
    points = target_points(targets)
    if len(points) != len(targets):
        raise LayerError(f"criteria.{name}.to: {kind} needs point or polygon targets")
    if column is None:
        return xy(points), np.ones(len(targets))
    what = f"criteria.{name}.weight_column: layer {to.layer!r}, column {column!r}"
    weights = parse_counts(targets[column], what=what).to_numpy(dtype=float)
    return xy(points), weights


class AccessibilitySpec(NetworkCriterionSpec):
    """Opportunities (people, facilities) counted by their travel time from each site."""

    to: Selection
    weight_column: str | None = Field(
        default=None, description="Column counted (e.g. population); else each counts 1."
    )


def accessibility_values(
    spec: AccessibilitySpec, name: str, ctx: CriterionContext, *, decay: Decay, limit_min: float
) -> CriterionValues:
    """Sum over the targets of ``weight x decay(travel time)`` for every site."""
    to = spec.to
    targets = ctx.select(to, f"criteria.{name}.to")
    kind = spec.kind_name()
    points, weights = opportunity_weights(targets, spec.weight_column, name=name, to=to, kind=kind)
    graph, net = ctx.graph(spec.scenario)
    raw = access(
        graph,
        points,
        weights,
        xy(ctx.sites.geometry.centroid),
        decay=decay,
        limit_min=limit_min,
        offroad_speed_kmh=net.offroad_speed_kmh,
        max_offroad_m=net.max_offroad_km * M_PER_KM,
    )
    return CriterionValues(raw, unreachable_reason(spec, name, to), targets)
