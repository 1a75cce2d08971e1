"""The base models of criterion specs, and their value functions.

Each family adds its own keys in ``sitesel.criteria``; a value function says how a
criterion's raw value becomes a score in [0, 1].
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import Field, PositiveFloat, model_validator

from sitesel.config._base import Selection, Strict


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


class CriterionSpec(Strict):
    """What every criterion has: a kind, an optional weight and value function.

    A criterion family subclasses this (or :class:`NetworkCriterionSpec`) with a
    ``kind: Literal["..."]`` field and its own keys; ``requires`` names the config sections
    it needs (``network``, ``dem``).
    """

    requires: ClassVar[frozenset[str]] = frozenset()

    weight: PositiveFloat | None = Field(
        default=None,
        description="Relative importance (> 0). Omit to report the raw value only.",
    )
    value: ValueFunction | None = Field(
        default=None, description="Maps the raw value to a score in [0, 1]."
    )
    label: str | None = Field(
        default=None,
        max_length=80,
        description="Readable name on the map, legend and tables, e.g. 'Travel time to Leh"
        " (min)'; derived from the kind and target when omitted.",
    )

    @model_validator(mode="after")
    def _weight_needs_value(self) -> CriterionSpec:
        if self.weight is not None and self.value is None:
            raise ValueError("a weighted criterion needs a value function (value:)")
        return self

    @classmethod
    def kind_name(cls) -> str:
        """The ``kind:`` that selects this spec in YAML (its ``kind`` field's literal)."""
        (kind,) = get_args(cls.model_fields["kind"].annotation)
        return str(kind)

    def scores_missing_as_zero(self) -> bool:
        """Whether a site without a value scores 0 (with a note) instead of being excluded."""
        return False

    def preflight(self, name: str, config_path: Path) -> None:
        """Check what the spec names beyond the catalog (a rates file) before any work.

        A family whose spec reads files of its own overrides this; ``ConfigError`` names
        the file and the key.
        """
        del name, config_path  # nothing to check by default

    def provenance(self, name: str) -> dict[str, Any] | None:
        """What the manifest records of the spec's own files (path, sha256, ...), or None."""
        del name
        return None


class NetworkCriterionSpec(CriterionSpec):
    """A criterion measured over the road network (needs a ``network:`` section)."""

    requires: ClassVar[frozenset[str]] = frozenset({"network"})
    scenario: str | None = Field(
        default=None, description="Network scenario; all roads open when omitted."
    )
    unreachable: Literal["exclude", "score_zero"] = Field(
        default="exclude", description="What a site that cannot reach any target gets."
    )

    def scores_missing_as_zero(self) -> bool:
        """Whether a site without a value scores 0 (with a note) instead of being excluded."""
        return self.unreachable == "score_zero"

    def reach_min(self) -> float | None:
        """The longest travel time the criterion counts; None when it has no such bound.

        The road network's margin must cover it (:mod:`sitesel.network.margin`).
        """
        return None


def selections(spec: Strict) -> dict[str, Selection]:
    """The spec's keys that select features from a catalog layer (e.g. ``to``).

    Nested ones are named by their path (``upgrade.to``).
    """
    out: dict[str, Selection] = {}
    for key, value in spec:
        if isinstance(value, Selection):
            out[key] = value
        elif isinstance(value, Strict):
            out |= {f"{key}.{inner}": sel for inner, sel in selections(value).items()}
    return out
