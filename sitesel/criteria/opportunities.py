"""Cumulative opportunities: people or facilities reachable within a travel time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat

from sitesel.config import NetworkCriterionSpec, Selection
from sitesel.criteria._network import accessibility_values
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import criterion
from sitesel.network.accessibility import step_decay


class OpportunitiesCriterion(NetworkCriterionSpec):
    """Opportunities (people, facilities) reachable within a travel time."""

    kind: Literal["opportunities"]
    to: Selection
    weight_column: str | None = Field(
        default=None, description="Column counted (e.g. population); else each counts 1."
    )
    within_min: PositiveFloat


@criterion(OpportunitiesCriterion, unit="reachable", label="Reachable")
def opportunities(
    spec: OpportunitiesCriterion, name: str, ctx: CriterionContext
) -> CriterionValues:
    """Sum of ``weight_column`` over the targets reachable within ``within_min``."""
    decay, limit_min = step_decay(spec.within_min)
    return accessibility_values(
        spec,
        name,
        ctx,
        to=spec.to,
        weight_column=spec.weight_column,
        decay=decay,
        limit_min=limit_min,
    )
