"""Elevation of each site from the DEM."""

from __future__ import annotations

from typing import ClassVar, Literal

from sitesel.config import CriterionSpec
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import criterion


class ElevationCriterion(CriterionSpec):
    """Elevation of the site from the DEM (metres above sea level)."""

    requires: ClassVar[frozenset[str]] = frozenset({"dem"})
    kind: Literal["elevation"]
    stat: Literal["mean", "min", "max"] = "mean"


@criterion(ElevationCriterion, unit="m", label="Elevation")
def elevation(spec: ElevationCriterion, name: str, ctx: CriterionContext) -> CriterionValues:
    """Coverage-weighted mean, min or max height of each site."""
    zonal = ctx.zonal
    return CriterionValues(zonal.of("elevation", lambda part: part.dem.elevation_m)[spec.stat])
