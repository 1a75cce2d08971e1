"""The base models of criterion specs; each family adds its own keys in ``sitesel.criteria``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

from pydantic import Field, PositiveFloat, model_validator

from sitesel.config._base import Selection, Strict
from sitesel.config.value_functions import ValueFunction


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
