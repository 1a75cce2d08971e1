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
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import (
    BeforeValidator,
    Field,
    create_model,
    model_validator,
)

from sitesel.config._base import RunName, Strict, name_problem
from sitesel.config._yaml import read_yaml_mapping, validate_mapping
from sitesel.config.allocation import AllocationSpec
from sitesel.config.constraints import Constraint, ConstraintSpec, ExcludeWithinSpec
from sitesel.config.criteria import CriterionSpec, selections
from sitesel.config.decision import (
    AggregationSpec,
    RegionsSpec,
    RobustnessSpec,
    SchemeSpec,
    WeightingSpec,
)
from sitesel.config.land import LandSpec
from sitesel.config.network import NetworkSpec
from sitesel.config.plausible import range_problems, widen_problems
from sitesel.config.study import DemSpec, MapSpec, SitesSpec, StudyAreaSpec
from sitesel.errors import ConfigError

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
