"""The area of each site."""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np

from sitesel._typing import FloatArray
from sitesel.config import CriterionSpec
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import criterion
from sitesel.units import M2_PER_HA


class AreaCriterion(CriterionSpec):
    """Area of the site in hectares."""

    kind: Literal["area"]


@criterion(AreaCriterion, unit="ha", label="Area")
def area(spec: AreaCriterion, name: str, ctx: CriterionContext) -> CriterionValues:
    """Area of each site in hectares."""
    return CriterionValues(area_ha(ctx.sites.geometry))


def area_ha(sites: gpd.GeoSeries) -> FloatArray:
    """Area of each site in hectares (the working CRS is projected, in metres)."""
    return np.asarray(sites.area.to_numpy() / M2_PER_HA, dtype=np.float64)
