"""The scoring config: what planners edit (study area, sites, network, criteria, weights).

The YAML file is parsed and validated here, once; the rest of sitesel receives plain,
typed values. Unknown keys are errors (``extra="forbid"``), so a misspelt key never
silently falls back to a default.

Criterion specs are not listed here: each criterion family (``sitesel.criteria``) brings
its own model, and :func:`config_model` builds the config model whose ``criteria`` accept
exactly the registered kinds (a discriminated union on ``kind``), which also gives
``sitesel schema`` every family's keys. Where data comes from lives in the layer catalog
(:mod:`sitesel.config.catalog`), the kedro split between data and tunable parameters.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    PositiveFloat,
    Tag,
    create_model,
    model_validator,
)

from sitesel.config._base import RunName, Selection, Strict, name_problem
from sitesel.config._messages import describe_pattern
from sitesel.config._yaml import read_yaml_mapping, validate_mapping
from sitesel.config.allocation import AllocationSpec
from sitesel.config.criteria import CriterionSpec, selections
from sitesel.config.decision import (
    AggregationSpec,
    RegionsSpec,
    RobustnessSpec,
    SchemeSpec,
    WeightingSpec,
)
from sitesel.config.land import LandSpec
from sitesel.config.plausible import plausible, range_problems, widen_problems
from sitesel.errors import ConfigError
from sitesel.units import ACRE_HA


class StudyAreaSpec(Selection):
    """The study area: the union of the selected features, buffered."""

    buffer_km: float = Field(
        default=0.0,
        ge=0,
        description="Buffer around the selection.",
        json_schema_extra=plausible(0, 300, "km"),
    )


class GridSpec(Strict):
    """A generated grid of cells covering the study area.

    ``shape: hexagon`` (the default) gives hexagons of exactly the cell area. ``shape:
    dem_square`` gives squares made of whole DEM cells (k x k, the smallest k reaching the
    cell area), so each site's terrain statistics are read from the DEM cells it holds
    without zonal geometry: faster at district scale, at the DEM's resolution.
    """

    shape: Literal["hexagon", "dem_square"] = Field(
        default="hexagon", description="hexagon, or dem_square (squares of whole DEM cells)."
    )
    cell_area_acres: PositiveFloat | None = Field(
        default=None,
        description="Area of one cell in acres (EMC 2.0 counts acres).",
        json_schema_extra=plausible(1, 50_000, "acres"),
    )
    cell_area_ha: PositiveFloat | None = Field(
        default=None,
        description="Area of one cell in ha.",
        json_schema_extra=plausible(0.4, 20_000, "ha"),
    )
    max_cells: int = Field(
        default=2_000_000, ge=1, description="Refuse a grid of more cells (memory guard)."
    )

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


class ParcelSpec(Strict):
    """Candidate sites read from a polygon layer of the catalog."""

    layer: str
    id_column: str | None = Field(
        default=None, description="Column holding the parcel id; row numbers when omitted."
    )


class SitesSpec(Strict):
    """Where the candidate sites come from: exactly one of ``grid`` or ``parcels``."""

    grid: GridSpec | None = None
    parcels: ParcelSpec | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SitesSpec:
        if (self.grid is None) == (self.parcels is None):
            raise ValueError("give exactly one of grid or parcels")
        return self


class NetworkSpec(Strict):
    """The road network used for travel times."""

    roads: str = Field(description="Name of a roads layer in the catalog.")
    speeds_kmh: dict[str, PositiveFloat] = Field(
        default_factory=dict,
        description="Road class -> speed in km/h.",
        json_schema_extra=plausible(2, 130, "km/h"),
    )
    default_speed_kmh: PositiveFloat = Field(
        default=20.0,
        description="Speed of classes not listed in speeds_kmh.",
        json_schema_extra=plausible(2, 130, "km/h"),
    )
    offroad_speed_kmh: PositiveFloat = Field(
        default=5.0,
        description="Speed from a site (or target) to the nearest road.",
        json_schema_extra=plausible(1, 40, "km/h"),
    )
    snap_tolerance_m: Annotated[float, Field(ge=0)] | dict[str, Annotated[float, Field(ge=0)]] = (
        Field(
            default=50.0,
            description="Metres, or per road class ({NH: 150, default: 50}): facing loose ends"
            " of one road are joined end to end within it, other loose ends to the nearest road.",
            json_schema_extra=plausible(0, 1000, "m"),
        )
    )
    max_offroad_km: PositiveFloat = Field(
        default=10.0,
        description="Longest site-to-road leg; farther sites are unreachable.",
        json_schema_extra=plausible(0.05, 50, "km"),
    )
    margin_km: float = Field(
        default=30.0,
        ge=0,
        description="Roads this far outside the study area are kept.",
        json_schema_extra=plausible(0, 300, "km"),
    )
    use_maxspeed: bool = Field(
        default=True, description="Use plausible OSM maxspeed tags over class speeds."
    )
    grade: GradeSpec | None = Field(default=None, description="Grade-aware speeds (needs dem:).")
    scenarios: dict[str, ScenarioSpec] = Field(
        default_factory=dict, description="Named closure scenarios, e.g. winter."
    )

    @property
    def needs_road_heights(self) -> bool:
        """Whether roads are sampled on the DEM (for grades or closures by elevation)."""
        return self.grade is not None or self.closes_above_elevation

    @property
    def closes_above_elevation(self) -> bool:
        """Whether a scenario closes roads above an elevation (which needs the DEM)."""
        return any(c.above_m is not None for sc in self.scenarios.values() for c in sc.close)


class GradeSpec(Strict):
    """Slow traffic on grades sampled from the DEM: speed x (1 - k x grade %), at least floor."""

    uphill_per_pct: float = Field(
        default=0.03,
        ge=0,
        description="Speed lost per % uphill.",
        json_schema_extra=plausible(0, 0.2, "per %"),
    )
    downhill_per_pct: float = Field(
        default=0.01,
        ge=0,
        description="Speed lost per % down.",
        json_schema_extra=plausible(0, 0.2, "per %"),
    )
    floor: float = Field(default=0.3, gt=0, le=1, description="Lowest speed factor.")
    sample_m: PositiveFloat = Field(default=50.0, description="Grade sampling interval.")


class ClosureSpec(Strict):
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


class ScenarioSpec(Strict):
    """A network scenario (e.g. winter): which roads are closed."""

    close: list[ClosureSpec] = Field(default_factory=list)


class DemSpec(Strict):
    """The elevation models used by terrain criteria: one, or several in order of preference.

    With ``layers: [fine, coarse]`` each site's terrain comes from the first DEM whose
    heights cover the whole site (the 30 m raster around Leh where it reaches, the ~1 km
    tiles beyond); the last must cover the study area and also serves road grades, the
    hillshade and ``dem_square`` grids.
    """

    layer: str | None = Field(default=None, description="Name of a dem layer in the catalog.")
    layers: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Several dem layers, finest first; the last must cover the study area.",
    )
    resolution_m: PositiveFloat | None = Field(
        default=None,
        description="Cell size of the last (covering) DEM after reprojection; the source's"
        " when omitted. Finer DEMs keep their own.",
        json_schema_extra=plausible(5, 5_000, "m"),
    )
    max_cells: int = Field(
        default=50_000_000,
        ge=1,
        description="Refuse a DEM of more cells (a memory guard: 50 million cells hold 400 MB"
        " of heights), checked before it is read.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> DemSpec:
        if (self.layer is None) == (self.layers is None):
            raise ValueError("give exactly one of layer (one DEM) or layers (finest first)")
        if self.layers is not None and len(set(self.layers)) != len(self.layers):
            raise ValueError(f"layers names a DEM twice: {', '.join(self.layers)}")
        return self

    @property
    def stack(self) -> list[str]:
        """The DEM layers, finest first; the last covers the study area."""
        return list(self.layers) if self.layers is not None else [str(self.layer)]

    @property
    def base(self) -> str:
        """The DEM that covers the study area (the last of the stack)."""
        return self.stack[-1]


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


class MapSpec(Strict):
    """What the HTML map shows."""

    top_n: int = Field(default=10, ge=0, description="How many top sites carry their rank.")
    elevation_tint: bool = Field(
        default=True, description="Colour the hillshade basemap by elevation."
    )
    max_vector_sites: int = Field(
        default=50_000,
        ge=1,
        description="Above this many sites the map draws excluded sites as one image; if "
        "candidates alone are more, the best-ranked stay vectors and the rest are an image "
        "the sliders repaint (TOPSIS, VIKOR: the run's colours, sliders off).",
    )


_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Config(Strict):
    """A scoring config (``configs/*.yaml``); use :func:`config_model` for its criteria."""

    name: RunName | None = Field(
        default=None,
        description="Run name, in any script (it names out/<name>/ and maps/<name>.html);"
        " the file name when omitted.",
    )
    description: str | None = None
    catalog: Path = Field(description="Layer catalog, relative to this file.")
    working_crs: str = Field(
        default="auto", description="'auto' picks the UTM zone of the study area; or 'EPSG:nnnn'."
    )
    study_area: StudyAreaSpec
    sites: SitesSpec
    network: NetworkSpec | None = None
    dem: DemSpec | None = None
    criteria: dict[str, CriterionSpec] = Field(min_length=1)
    constraints: list[Constraint] = Field(default_factory=list)
    weighting: WeightingSpec = Field(default_factory=WeightingSpec)
    aggregation: AggregationSpec  # one of the registered methods' specs: config_model
    robustness: RobustnessSpec | None = None
    regions: RegionsSpec | None = None
    scheme: SchemeSpec | None = None
    land: LandSpec | None = Field(
        default=None, description="Land rules (rule packs) and the planner's own land layers."
    )
    allocation: dict[str, AllocationSpec] = Field(
        default_factory=dict,
        description="Location problems over the ranked sites, by name (e.g. cfc_mclp).",
    )
    map: MapSpec = Field(default_factory=MapSpec)
    widen_ranges: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description="Key -> [low, high]: a plausible range this study needs wider.",
    )

    @property
    def scored(self) -> list[str]:
        """Criteria with a value function: the ones that make up suitability."""
        return [n for n, c in self.criteria.items() if c.value is not None]

    @model_validator(mode="after")
    def _cross_references(self) -> Config:
        problems = (
            self._criterion_problems()
            + self._section_problems()
            + self._weighting_problems()
            + self._constraint_problems()
            + self.aggregation.problems(self.scored)
            + self._allocation_problems()
        )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _criterion_problems(self) -> list[str]:
        problems = []
        sections = {"network": self.network, "dem": self.dem}
        for name, crit in self.criteria.items():
            if not _NAME_RE.fullmatch(name):
                problems.append(f"criterion name {name!r} must be letters, digits and _")
            problems += [
                f"criterion {name!r} ({crit.kind_name()}) needs a {section}: section"
                for section in sorted(crit.requires)
                if sections.get(section) is None
            ]
            scenario = getattr(crit, "scenario", None)
            if self.network is not None and scenario not in (None, *self.network.scenarios):
                known = ", ".join(self.network.scenarios) or "none defined"
                problems.append(
                    f"criteria.{name}.scenario: {scenario!r} is not among"
                    f" network.scenarios ({known})"
                )
        return problems

    def _allocation_problems(self) -> list[str]:
        problems = []
        for name, spec in self.allocation.items():
            if not _NAME_RE.fullmatch(name):
                problems.append(f"allocation name {name!r} must be letters, digits and _")
            if self.network is None:
                problems.append(f"allocation.{name} needs a network: section (travel times)")
            elif spec.scenario not in (None, *self.network.scenarios):
                known = ", ".join(self.network.scenarios) or "none defined"
                problems.append(
                    f"allocation.{name}.scenario: {spec.scenario!r} is not among"
                    f" network.scenarios ({known})"
                )
        return problems

    def _section_problems(self) -> list[str]:
        grid = self.sites.grid
        if grid is not None and grid.shape == "dem_square" and self.dem is None:
            return ["sites.grid.shape dem_square needs a dem: section"]
        if self.network is None or self.dem is not None:
            return []
        problems = []
        if self.network.grade is not None:
            problems.append("network.grade needs a dem: section")
        if self.network.closes_above_elevation:
            problems.append("a closure with above_m needs a dem: section")
        return problems

    def _weighting_problems(self) -> list[str]:
        scored, method = self.scored, self.weighting.method
        problems = []
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
        if method == "rank_order" and rank_order and sorted(rank_order.ranking) != sorted(scored):
            problems.append(
                f"weighting.rank_order.ranking must list each scored criterion once"
                f" ({', '.join(scored)}), found {', '.join(rank_order.ranking)}"
            )
        bwm = self.weighting.bwm
        if method == "bwm" and bwm is not None:
            for key, given in (
                ("best_to_others", bwm.best_to_others),
                ("others_to_worst", bwm.others_to_worst),
            ):
                if sorted(given) != sorted(scored):
                    problems.append(
                        f"weighting.bwm.{key} must give each scored criterion once"
                        f" ({', '.join(scored)}), found {', '.join(given) or 'none'}"
                    )
            problems += [
                f"weighting.bwm.{key}: {name!r} is not a scored criterion ({', '.join(scored)})"
                for key, name in (("best", bwm.best), ("worst", bwm.worst))
                if name not in scored
            ]
        return problems

    def _constraint_problems(self) -> list[str]:
        return [
            f"constraints[{i}] names criterion {constraint.parts[0]!r}, which is not among"
            f" criteria ({', '.join(self.criteria)})"
            for i, constraint in enumerate(self.constraints)
            if isinstance(constraint, ConstraintSpec) and constraint.parts[0] not in self.criteria
        ]

    def layer_references(self) -> list[tuple[str, str]]:
        """Every catalog layer this config names, as ``(yaml key, layer name)`` pairs."""
        refs = [("study_area.layer", self.study_area.layer)]
        if self.sites.parcels is not None:
            refs.append(("sites.parcels.layer", self.sites.parcels.layer))
        if self.network is not None:
            refs.append(("network.roads", self.network.roads))
        if self.dem is not None:
            refs += (
                [("dem.layer", self.dem.base)]
                if self.dem.layers is None
                else [(f"dem.layers[{i}]", name) for i, name in enumerate(self.dem.layers)]
            )
        if self.network is not None:
            for sname, scenario in self.network.scenarios.items():
                refs += [
                    (f"network.scenarios.{sname}.close[{i}].within.layer", c.within.layer)
                    for i, c in enumerate(scenario.close)
                    if c.within is not None
                ]
        for name, crit in self.criteria.items():
            refs += [
                (f"criteria.{name}.{key}.layer", sel.layer) for key, sel in selections(crit).items()
            ]
        refs += [
            (f"constraints[{i}].exclude_within.to.layer", c.exclude_within.to.layer)
            for i, c in enumerate(self.constraints)
            if isinstance(c, ExcludeWithinSpec)
        ]
        refs += [
            (f"allocation.{n}.demand.layer", a.demand.layer) for n, a in self.allocation.items()
        ]
        if self.land is not None:
            refs += [(f"land.layers.{k}.layer", sel.layer) for k, sel in self.land.layers.items()]
            if self.land.include_only is not None:
                refs.append(("land.include_only.layer", self.land.include_only.layer))
            refs += [(f"land.exclude[{i}].layer", x.layer) for i, x in enumerate(self.land.exclude)]
        return refs


def _relative_files_resolved(config: Config, path: Path) -> Config:
    """The config with each criterion's file paths (a rates file) made absolute.

    Paths in a config are relative to the config file; criteria receive them resolved.
    """
    criteria = {}
    for name, spec in config.criteria.items():
        files = {
            key: (path.parent / value).resolve()
            for key, value in spec
            if isinstance(value, Path) and not value.is_absolute()
        }
        criteria[name] = spec.model_copy(update=files) if files else spec
    return config.model_copy(update={"criteria": criteria})


@functools.cache
def config_model(
    specs: tuple[type[CriterionSpec], ...], methods: tuple[type[AggregationSpec], ...]
) -> type[Config]:
    """The config model whose ``criteria`` and ``aggregation`` accept exactly these specs.

    Parameters
    ----------
    specs
        One spec model per criterion family, each with a distinct ``kind`` literal.
    methods
        One spec model per aggregation method, each with a distinct ``method`` literal;
        the first is the default (the section, or its ``method:``, left out).

    Returns
    -------
    type
        A subclass of :class:`Config` (cached per tuple of specs).
    """
    if not specs:
        raise ValueError("no criterion family is registered")
    if not methods:
        raise ValueError("no aggregation method is registered")
    member: Any = Annotated[Union[specs], Field(discriminator="kind")]  # noqa: UP007
    default = methods[0]
    method: Any = Annotated[
        Union[methods],  # noqa: UP007
        Field(discriminator="method"),
        BeforeValidator(functools.partial(_with_method, default.method_name())),
    ]
    model = create_model(
        "Config",
        __base__=Config,
        __module__=__name__,
        criteria=(dict[str, member], Field(min_length=1)),
        aggregation=(method, Field(default_factory=lambda: default(method=default.method_name()))),
    )
    model.__doc__ = Config.__doc__
    return model


def _with_method(default: str, value: object) -> object:
    """An aggregation section without ``method:`` is the default method's."""
    if isinstance(value, dict) and "method" not in value:
        return {"method": default, **value}
    return value


def load_config(
    path: str | Path,
    *,
    criteria: Sequence[type[CriterionSpec]],
    methods: Sequence[type[AggregationSpec]],
) -> tuple[Config, Path]:
    """Read and validate a scoring config.

    Parameters
    ----------
    path
        The YAML file.
    criteria
        The criterion spec models to accept (``sitesel.criteria.spec_models()``).
    methods
        The aggregation spec models to accept, the default first
        (``sitesel.mcda.methods.spec_models()``).

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
    config = validate_mapping(
        config_model(tuple(criteria), tuple(methods)), read_yaml_mapping(path), path
    )
    implausible = widen_problems(config, config.widen_ranges) or range_problems(
        config, config.widen_ranges
    )
    if implausible:
        raise ConfigError(f"{path}: " + "; ".join(implausible))
    if config.name is None:
        problem = name_problem(path.stem)
        if problem is not None:
            raise ConfigError(
                f"{path}: name: the file name {path.stem!r} cannot name the outputs ({problem});"
                " give name: in the config"
            )
        config = config.model_copy(update={"name": unicodedata.normalize("NFC", path.stem)})
    config = _relative_files_resolved(config, path)
    catalog_path = (path.parent / config.catalog).resolve()
    if not catalog_path.is_file():
        raise ConfigError(
            f"{path}: catalog: {config.catalog} resolves to {catalog_path}, which is not a file"
            " (paths in a config are relative to the config file; give the catalog's path from"
            " there, or an absolute one)"
        )
    return config, catalog_path
