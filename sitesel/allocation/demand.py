"""The demand of a location problem: points in (or near) the study area, with a weight.

The weight is a count (people, employees) read as an Indian office writes it
(:func:`~sitesel.data.numbers.parse_counts`): a blank is no demand, a negative one is
refused; demand that adds up to nothing is refused too.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from sitesel.config.allocation import AllocationSpec
from sitesel.data.numbers import parse_counts
from sitesel.errors import ConfigError
from sitesel.units import M_PER_KM

NAME_COLUMNS = ("name", "HAB_NAME", "NAME", "FAC_DESC")
"""Where a demand point's name is looked for, in order."""


def demand_points(
    frame: gpd.GeoDataFrame, spec: AllocationSpec, key: str, area: BaseGeometry
) -> tuple[gpd.GeoSeries, np.ndarray, np.ndarray, np.ndarray]:
    """The demand points in (or near) the study area, their weights, names and ids."""
    reach = (
        area.buffer(spec.demand.within_area_km * M_PER_KM) if spec.demand.within_area_km else area
    )
    frame = frame[frame.intersects(reach)]
    if frame.empty:
        raise ConfigError(
            f"{key}.demand: no point of layer {spec.demand.layer!r} lies in the study area"
            " (or within demand.within_area_km of it)"
        )
    points = frame.geometry.representative_point()
    if spec.demand.weight_column is None:
        weight = np.ones(len(frame))
    elif spec.demand.weight_column not in frame:
        raise ConfigError(
            f"{key}.demand.weight_column: layer {spec.demand.layer!r} has no column"
            f" {spec.demand.weight_column!r}"
        )
    else:
        what = f"{key}.demand.weight_column: layer {spec.demand.layer!r}, column"
        weight = parse_counts(  # a blank is no demand; a negative one is refused
            frame[spec.demand.weight_column], what=f"{what} {spec.demand.weight_column!r}"
        ).to_numpy(dtype=float)
    if not weight.sum() > 0:
        raise ConfigError(f"{key}.demand: the demand adds up to 0; nothing to serve")
    name_col = next((c for c in NAME_COLUMNS if c in frame), None)
    names = (
        frame[name_col].fillna("").astype(str).to_numpy()
        if name_col
        else np.full(len(frame), "", dtype=object)
    )
    ids = np.array([f"{spec.demand.layer}:{i}" for i in frame.index], dtype=object)
    return points, weight, names, ids
