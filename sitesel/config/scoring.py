"""The scoring config: what planners edit (study area, criteria, weights, constraints).

The YAML file is parsed and validated here, once; the rest of sitesel receives plain,
typed values. Unknown keys are errors (``extra="forbid"``), so a misspelt key never
silently falls back to a default. ``sitesel schema`` prints the JSON Schema of
:class:`Config` for editor autocompletion.

Where data comes from is not in this file: it lives in the layer catalog named by
``catalog`` (see :mod:`sitesel.catalog`), the kedro split between data definitions and
tunable parameters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveFloat,
    model_validator,
)

from sitesel.config._yaml import read_yaml_mapping, validate_mapping
from sitesel.errors import ConfigError
from sitesel.units import ACRE_HA

Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Selection(_Strict):
    """Features chosen from a catalog layer by attribute.

    ``where`` keeps features whose column equals the value (or one of a list of values);
    ``min`` keeps features whose column is at least the value. All conditions must hold.
    """

    layer: str = Field(description="Name of a layer in the catalog.")
    where: dict[str, Scalar | list[Scalar]] = Field(
        default_factory=dict, description="Column -> value or list of accepted values."
    )
    min: dict[str, float] = Field(
        default_factory=dict, description="Column -> minimum value (inclusive)."
    )


class StudyAreaSpec(Selection):
    """The study area: the union of the selected features, buffered."""

    buffer_km: float = Field(default=0.0, ge=0, description="Buffer around the selection.")


class GridSpec(_Strict):
    """A generated grid of hexagonal cells covering the study area."""

    cell_area_acres: PositiveFloat | None = Field(
        default=None, description="Area of one cell in acres (EMC 2.0 counts acres)."
    )
    cell_area_ha: PositiveFloat | None = Field(default=None, description="Area of one cell in ha.")

    @model_validator(mode="after")
    def _one_area(self) -> GridSpec:
        if (self.cell_area_acres is None) == (self.cell_area_ha is None):
            raise ValueError("give exactly one of cell_area_acres or cell_area_ha")
        return self

    @property
    def area_ha(self) -> float:
        """Cell area in hectares."""
        if self.cell_area_ha is not None:
            return self.cell_area_ha
        assert self.cell_area_acres is not None  # guaranteed by _one_area
        return self.cell_area_acres * ACRE_HA


class ParcelSpec(_Strict):
    """Candidate sites read from a polygon layer of the catalog."""

    layer: str
    id_column: str | None = Field(
        default=None, description="Column holding the parcel id; row numbers when omitted."
    )


class SitesSpec(_Strict):
    """Where the candidate sites come from: exactly one of ``grid`` or ``parcels``."""

    grid: GridSpec | None = None
    parcels: ParcelSpec | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SitesSpec:
        if (self.grid is None) == (self.parcels is None):
            raise ValueError("give exactly one of grid or parcels")
        return self


class NetworkSpec(_Strict):
    """The road network used for travel times."""

    roads: str = Field(description="Name of a roads layer in the catalog.")
    speeds_kmh: dict[str, PositiveFloat] = Field(
        default_factory=dict, description="Road class -> speed in km/h."
    )
    default_speed_kmh: PositiveFloat = Field(
        default=20.0, description="Speed of classes not listed in speeds_kmh."
    )
    offroad_speed_kmh: PositiveFloat = Field(
        default=5.0, description="Speed from a site (or target) to the nearest road."
    )
    snap_tolerance_m: float = Field(
        default=50.0, ge=0, description="Dangling road ends this close to a road are joined."
    )
    max_offroad_km: PositiveFloat = Field(
        default=10.0, description="Longest site-to-road leg; farther sites are unreachable."
    )
    margin_km: float = Field(
        default=30.0, ge=0, description="Roads this far outside the study area are kept."
    )
    use_maxspeed: bool = Field(
        default=True, description="Use plausible OSM maxspeed tags over class speeds."
    )
    grade: GradeSpec | None = Field(default=None, description="Grade-aware speeds (needs dem:).")
    scenarios: dict[str, ScenarioSpec] = Field(
        default_factory=dict, description="Named closure scenarios, e.g. winter."
    )


class GradeSpec(_Strict):
    """Slow traffic on grades sampled from the DEM: speed x (1 - k x grade %), at least floor."""

    uphill_per_pct: float = Field(default=0.03, ge=0, description="Speed lost per % uphill.")
    downhill_per_pct: float = Field(default=0.01, ge=0, description="Speed lost per % down.")
    floor: float = Field(default=0.3, gt=0, le=1, description="Lowest speed factor.")
    sample_m: PositiveFloat = Field(default=50.0, description="Grade sampling interval.")


class ClosureSpec(_Strict):
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


class ScenarioSpec(_Strict):
    """A network scenario (e.g. winter): which roads are closed."""

    close: list[ClosureSpec] = Field(default_factory=list)


class DemSpec(_Strict):
    """The elevation model used by terrain criteria."""

    layer: str = Field(description="Name of a dem layer in the catalog.")
    resolution_m: PositiveFloat | None = Field(
        default=None, description="Cell size after reprojection; the source's when omitted."
    )


class LinearValue(_Strict):
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


class StepValue(_Strict):
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


class SigmoidValue(_Strict):
    """Logistic curve through 0.5 at ``midpoint``; ``width`` is the 0.27-0.73 span."""

    type: Literal["sigmoid"]
    midpoint: float
    width: PositiveFloat
    direction: Literal["benefit", "cost"]


ValueFunction = Annotated[LinearValue | StepValue | SigmoidValue, Field(discriminator="type")]


class _CriterionBase(_Strict):
    weight: PositiveFloat | None = Field(
        default=None,
        description="Relative importance (> 0). Omit to report the raw value only.",
    )
    value: ValueFunction | None = Field(
        default=None, description="Maps the raw value to a score in [0, 1]."
    )

    @model_validator(mode="after")
    def _weight_needs_value(self) -> _CriterionBase:
        if self.weight is not None and self.value is None:
            raise ValueError("a weighted criterion needs a value function (value:)")
        return self


class _NetworkCriterion(_CriterionBase):
    scenario: str | None = Field(
        default=None, description="Network scenario; all roads open when omitted."
    )
    unreachable: Literal["exclude", "score_zero"] = Field(
        default="exclude", description="What a site that cannot reach any target gets."
    )


class TravelTimeCriterion(_NetworkCriterion):
    """Network travel time (minutes) to the nearest of the selected targets."""

    kind: Literal["travel_time"]
    to: Selection


class OpportunitiesCriterion(_NetworkCriterion):
    """Opportunities (people, facilities) reachable within a travel time."""

    kind: Literal["opportunities"]
    to: Selection
    weight_column: str | None = Field(
        default=None, description="Column counted (e.g. population); else each counts 1."
    )
    within_min: PositiveFloat


class DecaySpec(_Strict):
    """Decay: step or linear (cutoff_min), exponential (half_life_min), gaussian (sigma_min)."""

    function: Literal["step", "linear", "exponential", "gaussian"]
    cutoff_min: PositiveFloat | None = None
    half_life_min: PositiveFloat | None = None
    sigma_min: PositiveFloat | None = None

    @model_validator(mode="after")
    def _parameter(self) -> DecaySpec:
        needed = {
            "step": "cutoff_min",
            "linear": "cutoff_min",
            "exponential": "half_life_min",
            "gaussian": "sigma_min",
        }[self.function]
        given = [k for k in ("cutoff_min", "half_life_min", "sigma_min") if getattr(self, k)]
        if given != [needed]:
            raise ValueError(f"decay {self.function} takes {needed} (only)")
        return self


class GravityCriterion(_NetworkCriterion):
    """Gravity access: sum of opportunity weight x decay(travel time)."""

    kind: Literal["gravity"]
    to: Selection
    weight_column: str | None = None
    decay: DecaySpec


class DistanceCriterion(_CriterionBase):
    """Straight-line distance (km) to the nearest selected point or line."""

    kind: Literal["distance"]
    to: Selection


class SlopeCriterion(_CriterionBase):
    """Slope of the site from the DEM: mean or max in degrees, or share of area below."""

    kind: Literal["slope"]
    stat: Literal["mean", "max", "share_below"] = "mean"
    threshold_deg: PositiveFloat | None = Field(
        default=None, description="For stat share_below: the slope limit in degrees."
    )

    @model_validator(mode="after")
    def _threshold(self) -> SlopeCriterion:
        if (self.stat == "share_below") != (self.threshold_deg is not None):
            raise ValueError("threshold_deg is required with stat share_below, and only then")
        return self


class ElevationCriterion(_CriterionBase):
    """Elevation of the site from the DEM (metres above sea level)."""

    kind: Literal["elevation"]
    stat: Literal["mean", "min", "max"] = "mean"


class AreaCriterion(_CriterionBase):
    """Area of the site in hectares."""

    kind: Literal["area"]


Criterion = Annotated[
    TravelTimeCriterion
    | OpportunitiesCriterion
    | GravityCriterion
    | DistanceCriterion
    | SlopeCriterion
    | ElevationCriterion
    | AreaCriterion,
    Field(discriminator="kind"),
]

_CONSTRAINT_RE = re.compile(
    r"^\s*(?P<criterion>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op><=|>=|<|>|==|!=)\s*"
    r"(?P<threshold>[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*$"
)


class ConstraintSpec(_Strict):
    """Exclude a site when a criterion's raw value meets a condition.

    ``exclude_if`` reads ``"<criterion> <op> <number>"``, e.g. ``"slope_mean > 15"``;
    the number is in the criterion's unit.
    """

    exclude_if: str = Field(pattern=_CONSTRAINT_RE.pattern)
    reason: str | None = Field(default=None, description="Shown to planners; generated if omitted.")

    @property
    def parts(self) -> tuple[str, str, float]:
        """The criterion name, operator and threshold of ``exclude_if``."""
        match = _CONSTRAINT_RE.match(self.exclude_if)
        assert match is not None  # guaranteed by the field's pattern
        return match["criterion"], match["op"], float(match["threshold"])


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


class RankOrderSpec(_Strict):
    """Weights from a ranking of the scored criteria, most important first."""

    method: Literal["rank_sum", "reciprocal", "centroid"] = "centroid"
    ranking: list[str] = Field(min_length=1)


class ParticipantSpec(_Strict):
    """One committee member's pairwise judgments."""

    name: str
    judgments: Judgments


class AhpSpec(_Strict):
    """Pairwise comparison (Saaty 1-9): ``a: {b: 3}`` reads "a is 3 times as important as b".

    Give each pair once (the upper triangle); ``judgments`` for one matrix, or
    ``participants`` for a group (combined by the element-wise geometric mean).
    """

    judgments: Judgments | None = None
    participants: list[ParticipantSpec] | None = Field(default=None, min_length=1)
    max_consistency_ratio: float = Field(
        default=0.10, gt=0, le=1, description="Refuse weights whose CR exceeds this."
    )

    @model_validator(mode="after")
    def _one_source(self) -> AhpSpec:
        if (self.judgments is None) == (self.participants is None):
            raise ValueError("give exactly one of judgments or participants")
        return self


class WeightingSpec(_Strict):
    """How criterion weights are set.

    ``direct`` (each criterion's ``weight``), ``rank_order`` or ``ahp``.
    """

    method: Literal["direct", "rank_order", "ahp"] = "direct"
    rank_order: RankOrderSpec | None = None
    ahp: AhpSpec | None = None

    @model_validator(mode="after")
    def _section(self) -> WeightingSpec:
        if self.method == "rank_order" and self.rank_order is None:
            raise ValueError("method rank_order needs a rank_order: section")
        if self.method == "ahp" and self.ahp is None:
            raise ValueError("method ahp needs an ahp: section")
        return self


class AggregationSpec(_Strict):
    """How scores combine into suitability."""

    method: Literal["weighted_sum", "weighted_product", "owa", "topsis"] = "weighted_sum"
    order_weights: list[Annotated[float, Field(ge=0)]] | None = Field(
        default=None, description="owa: one weight per rank position, best score first."
    )
    andness: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="owa: 0 = OR (best score decides), 0.5 = average, 1 = AND (worst decides).",
    )

    @model_validator(mode="after")
    def _owa(self) -> AggregationSpec:
        given = (self.order_weights is not None) + (self.andness is not None)
        if self.method == "owa" and given != 1:
            raise ValueError("owa needs exactly one of order_weights or andness")
        if self.method != "owa" and given:
            raise ValueError("order_weights and andness go with method owa")
        return self


class MonteCarloSpec(_Strict):
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


class RobustnessSpec(_Strict):
    """Robustness analyses of the ranking."""

    one_at_a_time: bool = True
    monte_carlo: MonteCarloSpec | None = None


class RegionsSpec(_Strict):
    """Contiguous regions of good sites."""

    min_suitability: float = Field(ge=0, le=1)
    gap_m: float = Field(default=0.0, ge=0, description="Sites this close count as adjacent.")


class SchemeSpec(_Strict):
    """Eligibility rules of a scheme, read from a scheme file (``schemes/*.yaml``)."""

    file: Path = Field(description="Scheme file, relative to this config.")
    variant: str


class SchemeVariant(_Strict):
    """One variant of a scheme's land rule."""

    min_area_acres: PositiveFloat
    max_parts: int = Field(default=1, ge=1, le=2)
    max_gap_km: float = Field(default=0.0, ge=0)


class SchemeFile(_Strict):
    """A scheme file: a name, where the rules come from, and its variants."""

    name: str
    source: str | None = None
    variants: dict[str, SchemeVariant] = Field(min_length=1)


class MapSpec(_Strict):
    """What the HTML map shows."""

    top_n: int = Field(default=10, ge=0, description="How many top sites carry their rank.")
    elevation_tint: bool = Field(
        default=True, description="Colour the hillshade basemap by elevation."
    )


class Config(_Strict):
    """A scoring config (``configs/*.yaml``)."""

    name: str | None = Field(default=None, description="Run name; the file name when omitted.")
    description: str | None = None
    catalog: Path = Field(description="Layer catalog, relative to this file.")
    working_crs: str = Field(
        default="auto", description="'auto' picks the UTM zone of the study area; or 'EPSG:nnnn'."
    )
    study_area: StudyAreaSpec
    sites: SitesSpec
    network: NetworkSpec | None = None
    dem: DemSpec | None = None
    criteria: dict[str, Criterion] = Field(min_length=1)
    constraints: list[ConstraintSpec] = Field(default_factory=list)
    weighting: WeightingSpec = Field(default_factory=WeightingSpec)
    aggregation: AggregationSpec = Field(default_factory=AggregationSpec)
    robustness: RobustnessSpec | None = None
    regions: RegionsSpec | None = None
    scheme: SchemeSpec | None = None
    map: MapSpec = Field(default_factory=MapSpec)

    @property
    def scored(self) -> list[str]:
        """Criteria with a value function: the ones that make up suitability."""
        return [n for n, c in self.criteria.items() if c.value is not None]

    @model_validator(mode="after")
    def _cross_references(self) -> Config:
        problems = []
        for name, crit in self.criteria.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                problems.append(f"criterion name {name!r} must be letters, digits and _")
            if isinstance(crit, _NetworkCriterion):
                if self.network is None:
                    problems.append(f"criterion {name!r} ({crit.kind}) needs a network: section")
                elif crit.scenario is not None and crit.scenario not in self.network.scenarios:
                    known = ", ".join(self.network.scenarios) or "none defined"
                    problems.append(
                        f"criteria.{name}.scenario: {crit.scenario!r} is not among"
                        f" network.scenarios ({known})"
                    )
            if isinstance(crit, SlopeCriterion | ElevationCriterion) and self.dem is None:
                problems.append(f"criterion {name!r} ({crit.kind}) needs a dem: section")
        if self.network is not None and self.dem is None:
            if self.network.grade is not None:
                problems.append("network.grade needs a dem: section")
            closures = [c for sc in self.network.scenarios.values() for c in sc.close]
            if any(c.above_m is not None for c in closures):
                problems.append("a closure with above_m needs a dem: section")
        scored = self.scored
        method = self.weighting.method
        if method == "direct":
            if not any(c.weight is not None for c in self.criteria.values()):
                problems.append("at least one criterion needs a weight")
            problems += [
                f"criterion {n!r} has a value function but no weight (give weight:, or drop"
                " value: to report it only)"
                for n in scored
                if self.criteria[n].weight is None
            ]
        else:
            problems += [
                f"criterion {n!r} has weight: but weights come from weighting.{method}; remove it"
                for n, c in self.criteria.items()
                if c.weight is not None
            ]
            if not scored:
                problems.append("no criterion has a value function (value:) to score with")
        rank_order = self.weighting.rank_order
        if (
            method == "rank_order"
            and rank_order is not None
            and sorted(rank_order.ranking) != sorted(scored)
        ):
            problems.append(
                f"weighting.rank_order.ranking must list each scored criterion once"
                f" ({', '.join(scored)}), found {', '.join(rank_order.ranking)}"
            )
        order_weights = self.aggregation.order_weights
        if order_weights is not None and len(order_weights) != len(scored):
            problems.append(
                f"aggregation.order_weights needs one weight per scored criterion"
                f" ({len(scored)}), found {len(order_weights)}"
            )
        for i, constraint in enumerate(self.constraints):
            criterion = constraint.parts[0]
            if criterion not in self.criteria:
                problems.append(
                    f"constraints[{i}] names criterion {criterion!r}, which is not among"
                    f" criteria ({', '.join(self.criteria)})"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def layer_references(self) -> list[tuple[str, str]]:
        """Every catalog layer this config names, as ``(yaml key, layer name)`` pairs."""
        refs = [("study_area.layer", self.study_area.layer)]
        if self.sites.parcels is not None:
            refs.append(("sites.parcels.layer", self.sites.parcels.layer))
        if self.network is not None:
            refs.append(("network.roads", self.network.roads))
        if self.dem is not None:
            refs.append(("dem.layer", self.dem.layer))
        if self.network is not None:
            for sname, scenario in self.network.scenarios.items():
                refs += [
                    (f"network.scenarios.{sname}.close[{i}].within.layer", c.within.layer)
                    for i, c in enumerate(scenario.close)
                    if c.within is not None
                ]
        for name, crit in self.criteria.items():
            to = getattr(crit, "to", None)
            if isinstance(to, Selection):
                refs.append((f"criteria.{name}.to.layer", to.layer))
        return refs


def load_config(path: str | Path) -> tuple[Config, Path]:
    """Read and validate a scoring config.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    tuple
        The validated config and the absolute path of its layer catalog.

    Raises
    ------
    ConfigError
        With one line naming the file, each wrong key, what was expected and what was found.
    """
    path = Path(path)
    config = validate_mapping(Config, read_yaml_mapping(path), path)
    if config.name is None:
        config = config.model_copy(update={"name": path.stem})
    catalog_path = (path.parent / config.catalog).resolve()
    return config, catalog_path


def load_scheme(spec: SchemeSpec, config_path: Path) -> tuple[SchemeFile, SchemeVariant, Path]:
    """Read the scheme file a config names and pick its variant.

    Raises
    ------
    ConfigError
        If the file is invalid or has no such variant.
    """
    path = (config_path.parent / spec.file).resolve()
    scheme = validate_mapping(SchemeFile, read_yaml_mapping(path), path)
    if spec.variant not in scheme.variants:
        raise ConfigError(
            f"{config_path}: scheme.variant: expected one of {', '.join(scheme.variants)}"
            f" (from {path.name}), found {spec.variant!r}"
        )
    return scheme, scheme.variants[spec.variant], path
