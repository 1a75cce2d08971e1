"""The road network section: which roads, at what speeds.

With grades (slower uphill), closures (a pass shut in winter) and scenarios (a new road).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    Field,
    PositiveFloat,
    model_validator,
)

from sitesel.config._base import Selection, Strict
from sitesel.config.plausible import plausible


class NetworkSpec(Strict):
    """The road network used for travel times."""

    roads: str = Field(description="Name of a roads layer in the catalog.")
    speeds_kmh: dict[str, PositiveFloat] = Field(
        default_factory=dict,
        description="Road class -> speed in km/h.",
        json_schema_extra=plausible(2, 130, "km/h"),
    )
    default_speed_kmh: PositiveFloat = Field(
        default=20.0,
        description="Speed of classes not listed in speeds_kmh.",
        json_schema_extra=plausible(2, 130, "km/h"),
    )
    offroad_speed_kmh: PositiveFloat = Field(
        default=5.0,
        description="Speed from a site (or target) to the nearest road.",
        json_schema_extra=plausible(1, 40, "km/h"),
    )
    snap_tolerance_m: Annotated[float, Field(ge=0)] | dict[str, Annotated[float, Field(ge=0)]] = (
        Field(
            default=50.0,
            description="Metres, or per road class ({NH: 150, default: 50}): facing loose ends"
            " of one road are joined end to end within it, other loose ends to the nearest road.",
            json_schema_extra=plausible(0, 1000, "m"),
        )
    )
    max_offroad_km: PositiveFloat = Field(
        default=10.0,
        description="Longest site-to-road leg; farther sites are unreachable.",
        json_schema_extra=plausible(0.05, 50, "km"),
    )
    margin_km: float = Field(
        default=30.0,
        ge=0,
        description="Roads this far outside the study area are kept.",
        json_schema_extra=plausible(0, 300, "km"),
    )
    use_maxspeed: bool = Field(
        default=True, description="Use plausible OSM maxspeed tags over class speeds."
    )
    grade: GradeSpec | None = Field(default=None, description="Grade-aware speeds (needs dem:).")
    scenarios: dict[str, ScenarioSpec] = Field(
        default_factory=dict, description="Named closure scenarios, e.g. winter."
    )

    @property
    def needs_road_heights(self) -> bool:
        """Whether roads are sampled on the DEM (for grades or closures by elevation)."""
        return self.grade is not None or self.closes_above_elevation

    @property
    def closes_above_elevation(self) -> bool:
        """Whether a scenario closes roads above an elevation (which needs the DEM)."""
        return any(c.above_m is not None for sc in self.scenarios.values() for c in sc.close)


class GradeSpec(Strict):
    """Slow traffic on grades sampled from the DEM: speed x (1 - k x grade %), at least floor."""

    uphill_per_pct: float = Field(
        default=0.03,
        ge=0,
        description="Speed lost per % uphill.",
        json_schema_extra=plausible(0, 0.2, "per %"),
    )
    downhill_per_pct: float = Field(
        default=0.01,
        ge=0,
        description="Speed lost per % down.",
        json_schema_extra=plausible(0, 0.2, "per %"),
    )
    floor: float = Field(default=0.3, gt=0, le=1, description="Lowest speed factor.")
    sample_m: PositiveFloat = Field(default=50.0, description="Grade sampling interval.")


class ClosureSpec(Strict):
    """Roads a scenario closes: give exactly one of the keys."""

    road_name_matches: str | None = Field(
        default=None, description="Regular expression on road names (case-insensitive)."
    )
    above_m: float | None = Field(
        default=None, description="Roads reaching above this elevation (needs dem:)."
    )
    within: Selection | None = Field(default=None, description="Roads touching these polygons.")

    @model_validator(mode="after")
    def _one(self) -> ClosureSpec:
        keys = ("road_name_matches", "above_m", "within")
        if sum(getattr(self, k) is not None for k in keys) != 1:
            raise ValueError("give exactly one of road_name_matches, above_m or within")
        if self.road_name_matches is not None:
            try:
                re.compile(self.road_name_matches)
            except re.error as exc:
                raise ValueError(f"road_name_matches is not a regular expression: {exc}") from None
        return self


class ScenarioSpec(Strict):
    """A network scenario (e.g. winter): which roads are closed."""

    close: list[ClosureSpec] = Field(default_factory=list)
