"""Cumulative opportunities: people or facilities reachable within a travel time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat

from sitesel.config.plausible import plausible
from sitesel.criteria._network import AccessibilitySpec, accessibility_values
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import criterion
from sitesel.network.accessibility import step_decay


class OpportunitiesCriterion(AccessibilitySpec):
    """Opportunities (people, facilities) reachable within a travel time."""

    kind: Literal["opportunities"]
    within_min: PositiveFloat = Field(
        description="Targets count up to this many minutes away.",
        json_schema_extra=plausible(1, 600, "min"),
    )

    def reach_min(self) -> float:
        """Targets count up to ``within_min`` away."""
        return step_decay(self.within_min)[1]


@criterion(OpportunitiesCriterion, unit="reachable", label="Reachable")
def opportunities(
    spec: OpportunitiesCriterion, name: str, ctx: CriterionContext
) -> CriterionValues:
    """Sum of ``weight_column`` over the targets reachable within ``within_min``."""
    decay, limit_min = step_decay(spec.within_min)
    return accessibility_values(spec, name, ctx, decay=decay, limit_min=limit_min)
