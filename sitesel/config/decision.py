"""Decision-support sections of a scoring config: weighting, aggregation, robustness, regions.

Also the scheme files (``schemes/*.yaml``) the ``scheme:`` section names: a scheme's land
rule as data, with variants.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BeforeValidator, Field, PositiveFloat, model_validator

from sitesel.config._base import Strict
from sitesel.config._yaml import read_yaml_mapping, validate_mapping
from sitesel.config.plausible import plausible
from sitesel.errors import ConfigError


def _judgment_value(value: object) -> float:
    """A Saaty judgment: a number, or a fraction written as text ("1/3")."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?))?\s*", value)
        if match is None:
            raise ValueError(f"expected a number or a fraction such as 1/3, found {value!r}")
        number = float(match[1]) / (float(match[2]) if match[2] else 1.0)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise ValueError(f"expected a number or a fraction such as 1/3, found {value!r}")
    if not 1 / 9 - 1e-9 <= number <= 9 + 1e-9:
        raise ValueError(f"judgments run from 1/9 to 9 (Saaty's scale), found {value!r}")
    return number


Judgment = Annotated[float, BeforeValidator(_judgment_value)]
Judgments = dict[str, dict[str, Judgment]]


class RankOrderSpec(Strict):
    """Weights from a ranking of the scored criteria, most important first."""

    method: Literal["rank_sum", "reciprocal", "centroid"] = "centroid"
    ranking: list[str] = Field(min_length=1)


class ParticipantSpec(Strict):
    """One committee member's pairwise judgments."""

    name: str
    judgments: Judgments


class AhpSpec(Strict):
    """Pairwise comparison (Saaty 1-9): ``a: {b: 3}`` reads "a is 3 times as important as b".

    Give each pair once (the upper triangle); ``judgments`` for one matrix, or
    ``participants`` for a group (combined by the element-wise geometric mean).
    """

    judgments: Judgments | None = None
    participants: list[ParticipantSpec] | None = Field(default=None, min_length=1)
    max_consistency_ratio: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Refuse weights whose CR exceeds this; default Saaty's limit for the"
        " matrix size (0.05 for 3 criteria, 0.08 for 4, 0.10 from 5).",
    )
    inconsistent_participants: Literal["reject", "drop", "keep"] = Field(
        default="reject",
        description="A participant whose own CR exceeds the limit: stop (reject), leave"
        " them out of the group with a warning (drop), or keep them in the geometric mean.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> AhpSpec:
        if (self.judgments is None) == (self.participants is None):
            raise ValueError("give exactly one of judgments or participants")
        return self


BwmValue = Annotated[float, Field(ge=1, le=9)]


class BwmSpec(Strict):
    """Best-Worst Method judgments (Rezaei 2015), on the 1-9 scale.

    ``best_to_others``: how much more important ``best`` is than each criterion (1 for
    itself); ``others_to_worst``: how much more important each criterion is than ``worst``
    (1 for itself). Both give the best-to-worst judgment, which must agree.
    """

    best: str
    worst: str
    best_to_others: dict[str, BwmValue]
    others_to_worst: dict[str, BwmValue]
    max_consistency_ratio: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Refuse judgments whose input-based CR (Liang et al. 2020) exceeds this.",
    )

    @model_validator(mode="after")
    def _agree(self) -> BwmSpec:
        problems = []
        if self.best_to_others.get(self.best, 1) != 1:
            problems.append(f"best_to_others.{self.best} must be 1 (the best against itself)")
        if self.others_to_worst.get(self.worst, 1) != 1:
            problems.append(f"others_to_worst.{self.worst} must be 1 (the worst against itself)")
        a_bw = self.best_to_others.get(self.worst)
        b_aw = self.others_to_worst.get(self.best)
        if a_bw is not None and b_aw is not None and a_bw != b_aw:
            problems.append(
                f"best_to_others.{self.worst} ({a_bw:g}) and others_to_worst.{self.best}"
                f" ({b_aw:g}) are the same judgment (best over worst) and must agree"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class WeightingSpec(Strict):
    """How criterion weights are set.

    ``direct`` (each criterion's ``weight``), ``rank_order``, ``ahp`` or ``bwm``; or objective
    weights from the candidate sites' scores, ``entropy`` or ``critic``. ``objective``
    multiplies the committee's weights by objective ones (a combined weighting).
    """

    method: Literal["direct", "rank_order", "ahp", "bwm", "entropy", "critic"] = "direct"
    rank_order: RankOrderSpec | None = None
    ahp: AhpSpec | None = None
    bwm: BwmSpec | None = None
    objective: Literal["entropy", "critic"] | None = Field(
        default=None,
        description="Combine the weights with entropy or CRITIC weights of the candidate"
        " sites' scores (w = s * o, renormalised).",
    )

    @model_validator(mode="after")
    def _section(self) -> WeightingSpec:
        if self.method == "rank_order" and self.rank_order is None:
            raise ValueError("method rank_order needs a rank_order: section")
        if self.method == "ahp" and self.ahp is None:
            raise ValueError("method ahp needs an ahp: section")
        if self.method == "bwm" and self.bwm is None:
            raise ValueError("method bwm needs a bwm: section")
        if self.method in ("entropy", "critic") and self.objective is not None:
            raise ValueError(f"method {self.method} is objective already; drop objective:")
        return self


class AggregationSpec(Strict):
    """How scores combine into suitability: the base of every method's own section.

    Each aggregation method (:mod:`sitesel.mcda.methods`) subclasses it with a ``method``
    literal and its own keys; the config accepts exactly the registered methods (a union
    on ``method``, ``weighted_sum`` when the key is left out).
    """

    method: str

    @classmethod
    def method_name(cls) -> str:
        """The ``method:`` that selects this spec in YAML (its ``method`` field's literal)."""
        (name,) = get_args(cls.model_fields["method"].annotation)
        return str(name)

    def problems(self, scored: list[str]) -> list[str]:
        """What is wrong with this section given the scored criteria (none by default).

        A method whose keys name criteria or count them overrides this.
        """
        return []


class MonteCarloSpec(Strict):
    """Random weight vectors around the configured ones."""

    draws: int = Field(default=1000, ge=10, le=100_000)
    method: Literal["dirichlet", "ahp_judgments"] = "dirichlet"
    concentration: PositiveFloat = Field(
        default=100.0, description="dirichlet: larger keeps draws closer to the weights."
    )
    judgment_sigma: PositiveFloat = Field(
        default=0.2, description="ahp_judgments: spread of log-normal judgment noise."
    )
    seed: int = 0
    top_k: int = Field(default=10, ge=1)


class RobustnessSpec(Strict):
    """Robustness analyses of the ranking."""

    one_at_a_time: bool = True
    monte_carlo: MonteCarloSpec | None = None


class RegionsSpec(Strict):
    """Contiguous regions of good sites."""

    min_suitability: float = Field(ge=0, le=1)
    gap_m: float = Field(
        default=0.0,
        ge=0,
        description="Sites this close count as adjacent.",
        json_schema_extra=plausible(0, 5_000, "m"),
    )


class SchemeSpec(Strict):
    """Eligibility rules of a scheme, read from a scheme file (``schemes/*.yaml``)."""

    file: Path = Field(description="Scheme file, relative to this config.")
    variant: str


class SchemeVariant(Strict):
    """One variant of a scheme's land rule."""

    min_area_acres: PositiveFloat
    max_parts: int = Field(default=1, ge=1, le=2)
    max_gap_km: float = Field(default=0.0, ge=0)
    road_corridor_m: float = Field(default=0.0, ge=0, le=1000)
    """Parcels up to this far apart join when a road of the network runs between them."""


class SchemeFile(Strict):
    """A scheme file: a name, where the rules come from, and its variants."""

    name: str
    source: str | None = None
    variants: dict[str, SchemeVariant] = Field(min_length=1)


def load_scheme(spec: SchemeSpec, config_path: Path) -> tuple[SchemeFile, SchemeVariant, Path]:
    """Read the scheme file a config names and pick its variant.

    Raises
    ------
    ConfigError
        If the file is invalid or has no such variant.
    """
    path = (config_path.parent / spec.file).resolve()
    if not path.is_file():
        raise ConfigError(
            f"{config_path}: scheme.file: {spec.file} resolves to {path}, which is not a file"
            " (paths in a config are relative to the config file)"
        )
    scheme = validate_mapping(SchemeFile, read_yaml_mapping(path), path)
    if spec.variant not in scheme.variants:
        raise ConfigError(
            f"{config_path}: scheme.variant: expected one of {', '.join(scheme.variants)}"
            f" (from {path.name}), found {spec.variant!r}"
        )
    return scheme, scheme.variants[spec.variant], path
