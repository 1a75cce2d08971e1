"""Slope of each site from the DEM: mean or max in degrees, or the share of flat land."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, PositiveFloat, model_validator

from sitesel._typing import FloatArray
from sitesel.config import CriterionSpec
from sitesel.config.plausible import plausible
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import criterion
from sitesel.terrain.zonal import ZonalStats


class SlopeCriterion(CriterionSpec):
    """Slope of the site from the DEM: mean or max in degrees, or share of area below."""

    requires: ClassVar[frozenset[str]] = frozenset({"dem"})
    kind: Literal["slope"]
    stat: Literal["mean", "max", "share_below"] = "mean"
    threshold_deg: PositiveFloat | None = Field(
        default=None,
        description="For stat share_below: the slope limit in degrees.",
        json_schema_extra=plausible(0.5, 45, "degrees"),
    )

    @model_validator(mode="after")
    def _threshold(self) -> SlopeCriterion:
        if (self.stat == "share_below") != (self.threshold_deg is not None):
            raise ValueError("threshold_deg is required with stat share_below, and only then")
        return self


def _unit(spec: SlopeCriterion) -> str:
    return "share" if spec.stat == "share_below" else "deg"


@criterion(SlopeCriterion, unit=_unit, label="Slope")
def slope(spec: SlopeCriterion, name: str, ctx: CriterionContext) -> CriterionValues:
    """Coverage-weighted slope statistic, or the share of the site below the threshold."""
    zonal = ctx.zonal
    if spec.threshold_deg is None:
        return CriterionValues(zonal.of("slope", lambda part: part.slope_deg)[spec.stat])
    threshold = spec.threshold_deg

    def below(part: ZonalStats) -> FloatArray:
        grid = part.slope_deg
        return np.where(np.isnan(grid), np.nan, (grid < threshold).astype(float))

    return CriterionValues(zonal.of(f"below{threshold:g}", below)["mean"])
