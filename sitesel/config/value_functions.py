"""Value function models: how a criterion's raw value becomes a score in [0, 1]."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveFloat, model_validator

from sitesel.config._base import Strict


class LinearValue(Strict):
    """Linear between ``low`` and ``high``, clamped outside them."""

    type: Literal["linear"]
    low: float
    high: float
    direction: Literal["benefit", "cost"] = Field(
        description="benefit: more is better (high -> 1); cost: less is better (low -> 1)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> LinearValue:
        if not self.low < self.high:
            raise ValueError(f"low must be less than high (low={self.low}, high={self.high})")
        return self


class StepValue(Strict):
    """Classes: values below ``breaks[0]`` score ``scores[0]``, and so on."""

    type: Literal["step"]
    breaks: list[float] = Field(min_length=1)
    scores: list[Annotated[float, Field(ge=0, le=1)]]

    @model_validator(mode="after")
    def _shape(self) -> StepValue:
        if any(not a < b for a, b in zip(self.breaks[:-1], self.breaks[1:], strict=True)):
            raise ValueError("breaks must increase strictly")
        if len(self.scores) != len(self.breaks) + 1:
            raise ValueError(
                f"scores needs one more entry than breaks ({len(self.breaks) + 1}),"
                f" has {len(self.scores)}"
            )
        return self


class SigmoidValue(Strict):
    """Logistic curve through 0.5 at ``midpoint``; ``width`` is the 0.27-0.73 span."""

    type: Literal["sigmoid"]
    midpoint: float
    width: PositiveFloat
    direction: Literal["benefit", "cost"]


ValueFunction = Annotated[LinearValue | StepValue | SigmoidValue, Field(discriminator="type")]
