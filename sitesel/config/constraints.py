"""Constraints: exclusions by value (``exclude_if``) and setbacks (``exclude_within``).

Both become records of :mod:`sitesel.exclusions`; ``exclude_within`` is a shorthand for a
setback rule around selected features.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import (
    Discriminator,
    Field,
    PositiveFloat,
    Tag,
    model_validator,
)

from sitesel.config._base import Selection, Strict
from sitesel.config._messages import describe_pattern
from sitesel.config.plausible import plausible

_CONSTRAINT_RE = re.compile(
    r"^\s*(?P<criterion>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op><=|>=|<|>|==|!=)\s*"
    r"(?P<threshold>[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*$"
)


class ConstraintSpec(Strict):
    """Exclude a site when a criterion's raw value meets a condition.

    ``exclude_if`` reads ``"<criterion> <op> <number>"``, e.g. ``"slope_mean > 15"``;
    the number is in the criterion's unit.
    """

    exclude_if: str = Field(
        pattern=describe_pattern(
            _CONSTRAINT_RE.pattern,
            "'<criterion> <operator> <number>', e.g. 'slope_mean_deg > 15' (operators < <= >"
            " >= == !=)",
        )
    )

    @model_validator(mode="after")
    def _finite(self) -> ConstraintSpec:
        if not math.isfinite(self.parts[2]):
            raise ValueError(f"the threshold must be a finite number, found {self.parts[2]}")
        return self

    reason: str | None = Field(default=None, description="Shown to planners; generated if omitted.")

    @property
    def parts(self) -> tuple[str, str, float]:
        """The criterion name, operator and threshold of ``exclude_if``."""
        match = _CONSTRAINT_RE.match(self.exclude_if)
        assert match is not None  # guaranteed by the field's pattern
        return match["criterion"], match["op"], float(match["threshold"])


class FootprintSpec(Strict):
    """Built-up land around settlement points: a disc holding the population at a density."""

    population_column: str = Field(default="population", description="People at the point.")
    people_per_km2: PositiveFloat = Field(
        default=5_000.0,
        description="Density of the built-up area; radius = sqrt(people / density / pi).",
        json_schema_extra=plausible(100, 100_000, "people per km2"),
    )


class ZoneSpec(Strict):
    """Land taken by a layer's features: within a distance, or a settlement's footprint."""

    to: Selection
    distance_m: float = Field(
        default=0.0,
        ge=0,
        description="Buffer around each feature.",
        json_schema_extra=plausible(0, 50_000, "m"),
    )
    footprint: FootprintSpec | None = Field(
        default=None, description="Points: a disc sized by population (plus distance_m)."
    )
    max_share: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="Share of a site's area that may overlap before it is excluded.",
    )


class ExcludeWithinSpec(Strict):
    """Exclude sites on (or near) land a layer marks as taken: a runway, a town, a park."""

    exclude_within: ZoneSpec
    reason: str | None = Field(
        default=None, description="Shown to planners; names the feature when omitted."
    )

    def describe(self) -> str:
        """The rule in words, for the manifest."""
        z = self.exclude_within
        size = "footprint" if z.footprint is not None else f"{z.distance_m:g} m"
        return f"within {size} of {z.to.layer}" + (f" {z.to.place}" if z.to.place else "")


def _constraint_kind(value: Any) -> str:
    """Which constraint a YAML entry is: ``exclude_within`` if it has that key."""
    # The tags are not YAML keys, so error messages name only the keys a planner wrote.
    if isinstance(value, dict):
        return "zone rule" if "exclude_within" in value else "value rule"
    return "zone rule" if isinstance(value, ExcludeWithinSpec) else "value rule"


Constraint = Annotated[
    Annotated[ConstraintSpec, Tag("value rule")] | Annotated[ExcludeWithinSpec, Tag("zone rule")],
    Discriminator(_constraint_kind),
]
