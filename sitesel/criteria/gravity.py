"""Gravity accessibility: each opportunity weighted by a decay of its travel time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat, model_validator

from sitesel.config import Strict
from sitesel.config.plausible import plausible
from sitesel.criteria._network import AccessibilitySpec, accessibility_values
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.registry import criterion
from sitesel.network import accessibility

_PARAMETER = {
    "step": "cutoff_min",
    "linear": "cutoff_min",
    "exponential": "half_life_min",
    "gaussian": "sigma_min",
}


class DecaySpec(Strict):
    """Decay: step or linear (cutoff_min), exponential (half_life_min), gaussian (sigma_min)."""

    function: Literal["step", "linear", "exponential", "gaussian"]
    cutoff_min: PositiveFloat | None = Field(
        default=None, json_schema_extra=plausible(1, 600, "min")
    )
    half_life_min: PositiveFloat | None = Field(
        default=None, json_schema_extra=plausible(1, 600, "min")
    )
    sigma_min: PositiveFloat | None = Field(
        default=None, json_schema_extra=plausible(1, 600, "min")
    )

    @model_validator(mode="after")
    def _parameter(self) -> DecaySpec:
        needed = _PARAMETER[self.function]
        given = [k for k in ("cutoff_min", "half_life_min", "sigma_min") if getattr(self, k)]
        if given != [needed]:
            raise ValueError(f"decay {self.function} takes {needed} (only)")
        return self

    def decay(self) -> tuple[accessibility.Decay, float]:
        """The decay function and the time beyond which it counts nothing."""
        parameter = float(getattr(self, _PARAMETER[self.function]))
        make = {
            "step": accessibility.step_decay,
            "linear": accessibility.linear_decay,
            "exponential": accessibility.exponential_decay,
            "gaussian": accessibility.gaussian_decay,
        }[self.function]
        return make(parameter)


class GravityCriterion(AccessibilitySpec):
    """Gravity access: sum of opportunity weight x decay(travel time)."""

    kind: Literal["gravity"]
    decay: DecaySpec

    def reach_min(self) -> float:
        """Targets count up to where the decay is cut off."""
        return self.decay.decay()[1]


@criterion(GravityCriterion, unit="access", label="Gravity access")
def gravity(spec: GravityCriterion, name: str, ctx: CriterionContext) -> CriterionValues:
    """Sum over the targets of ``weight x decay(travel time)``."""
    decay, limit_min = spec.decay.decay()
    return accessibility_values(spec, name, ctx, decay=decay, limit_min=limit_min)
