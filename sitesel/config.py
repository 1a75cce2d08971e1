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

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, model_validator

from sitesel._validation import read_yaml_mapping, validate_mapping

ACRE_HA = 0.40468564224
"""One international acre in hectares."""

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


class TravelTimeCriterion(_CriterionBase):
    """Network travel time (minutes) to the nearest of the selected targets."""

    kind: Literal["travel_time"]
    to: Selection


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
    TravelTimeCriterion | DistanceCriterion | SlopeCriterion | ElevationCriterion | AreaCriterion,
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
    map: MapSpec = Field(default_factory=MapSpec)

    @model_validator(mode="after")
    def _cross_references(self) -> Config:
        problems = []
        for name, crit in self.criteria.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                problems.append(f"criterion name {name!r} must be letters, digits and _")
            if isinstance(crit, TravelTimeCriterion) and self.network is None:
                problems.append(f"criterion {name!r} (travel_time) needs a network: section")
            if isinstance(crit, SlopeCriterion | ElevationCriterion) and self.dem is None:
                problems.append(f"criterion {name!r} ({crit.kind}) needs a dem: section")
        if not any(c.weight is not None for c in self.criteria.values()):
            problems.append("at least one criterion needs a weight")
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
        for name, crit in self.criteria.items():
            if isinstance(crit, TravelTimeCriterion | DistanceCriterion):
                refs.append((f"criteria.{name}.to.layer", crit.to.layer))
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
