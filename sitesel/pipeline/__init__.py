"""The one place that wires a validated config to the domain functions, stage by stage.

The stages and their order, with what each needs and gives and why it runs where it does,
are declared in :mod:`~sitesel.pipeline.stages` (the timer holds the run to that order).
Each stage is a small function with typed inputs and outputs (:mod:`~.inputs`,
:mod:`~.land`, :mod:`~.scoring`, :mod:`~.analyses`, :mod:`~.allocation`, :mod:`~.routes`);
writing outputs is left to :mod:`sitesel.outputs`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from sitesel._typing import BoolArray, Dem, FloatArray
from sitesel.config import Catalog, Config, check_references
from sitesel.criteria import CriterionContext
from sitesel.criteria.checks import threshold_problems
from sitesel.data.fetch import sha256_of
from sitesel.data.loader import LayerLoader
from sitesel.data.lock import LockFile
from sitesel.errors import ConfigError
from sitesel.exclusions.packs import ActiveRule, active_rules, land_record
from sitesel.exclusions.records import Records
from sitesel.exclusions.text import joined
from sitesel.manifest import Manifest
from sitesel.mcda.weights import WeightReport, resolve_weights
from sitesel.pipeline import inputs, land, scoring
from sitesel.pipeline.allocation import (
    Allocation,
    check_demand_sizes,
    run_allocation,
    suitability_under_draws,
)
from sitesel.pipeline.analyses import Regions, Robustness, run_regions, run_robustness
from sitesel.pipeline.cluster import ClusterSpec, cluster_client, measure_on_cluster
from sitesel.pipeline.input_cache import InputCache, inputs_key
from sitesel.pipeline.record import RunSources, build_manifest, targets_frame
from sitesel.pipeline.shortlist import Shortlist, describe_shortlist
from sitesel.pipeline.timing import Progress, Timings
from sitesel.result import Result
from sitesel.terrain.dem_stack import terrain_sources

log = logging.getLogger(__name__)

LAYER_KINDS_BY_KEY: dict[str, set[str]] = {
    "study_area.": {"area", "points", "parcels"},
    "sites.parcels.": {"parcels", "area"},
    "network.roads": {"roads"},
    "network.scenarios.": {"area", "parcels"},
    "dem.": {"dem"},
    "criteria.": {"points", "roads", "area", "parcels"},
    "constraints[": {"points", "roads", "area", "parcels"},
    "land.layers.": {"points", "roads", "area", "parcels"},
    "land.include_only.": {"area", "parcels"},
    "land.exclude[": {"area", "parcels"},
    "allocation.": {"points"},
}

__all__ = ["Checked", "RunSources", "check", "run"]


@dataclass(frozen=True)
class Checked:
    """What checking a config before any work found: the weights and the land rules.

    Attributes
    ----------
    report
        The resolved weights (AHP consistency, BWM, objective weights).
    rules
        The rule packs' rules that apply to this study, bound to their layers.
    packs
        A record of every pack read, for the manifest.
    """

    report: WeightReport
    rules: list[ActiveRule]
    packs: list[dict[str, Any]]

    @property
    def rule_layers(self) -> list[str]:
        """The layers the land rules read."""
        return [r.selection.layer for r in self.rules]


def check(config: Config, config_path: Path, catalog: Catalog, catalog_path: Path) -> Checked:
    """Check the config against its catalog, resolve the weights and bind the land rules.

    The packs are read (and hashed) here, once a run.

    Raises
    ------
    ConfigError
        For unknown layers or wrong kinds, incomplete or inconsistent AHP judgments, a
        missing or invalid rule pack, implausible thresholds.
    """
    check_references(
        catalog, catalog_path, config.layer_references(), config_path, LAYER_KINDS_BY_KEY
    )
    implausible = threshold_problems(config, str(config_path))
    if implausible:
        raise ConfigError("; ".join(implausible))
    rules, packs = active_rules(config, config_path, catalog, catalog_path)
    for name, spec in config.criteria.items():
        spec.preflight(name, config_path)  # a criterion's own files read before any work
    return Checked(resolve_weights(config, config_path), rules, packs)


@dataclass(frozen=True)
class _Inputs:
    """What the input stages loaded: area, sites, DEM and road network."""

    area: inputs.StudyArea
    sites: inputs.Sites
    dem: Dem | None
    network: inputs.Network | None
    places: gpd.GeoDataFrame | None
    dems: dict[str, Dem]  # a stack's DEMs, finest first; empty with one DEM

    def terrain_dems(self, config: Config) -> dict[str, Dem]:
        """Every DEM by layer name, finest first (the stack, or the one DEM)."""
        if self.dems or self.dem is None or config.dem is None:
            return self.dems
        return {config.dem.base: self.dem}

    def unused_dems(self, config: Config) -> set[str]:
        """The stack's DEMs used where available that were not (their tiles missing)."""
        if config.dem is None or not self.dems:
            return set(config.dem.when_available) if config.dem else set()
        return set(config.dem.when_available) - set(self.dems)

    @property
    def dem_record(self) -> list[dict[str, Any]]:
        """The stack as the manifest records it: each DEM's cell size and its sites."""
        if not self.dems:
            return []
        used = self.sites.frame["dem_layer"].value_counts()
        return [
            {"layer": n, "resolution_m": round(d.cell_size_m, 1), "sites": int(used.get(n, 0))}
            for n, d in self.dems.items()
        ]


def _load_inputs(
    config: Config,
    config_path: Path,
    loader: LayerLoader,
    t: Timings,
    cache: InputCache | None,
    rule_layers: list[str],
) -> _Inputs:
    with t.stage("fetch"):
        loader.fetch([layer for _, layer in config.layer_references()] + rule_layers)
        check_demand_sizes(config, loader.feature_count, str(config_path))
    if cache is None:
        return _read_inputs(config, config_path, loader, t)
    key = inputs_key(config, config_path, loader)
    return cache.get("inputs", key, lambda: _read_inputs(config, config_path, loader, t), loader)


def _read_inputs(config: Config, config_path: Path, loader: LayerLoader, t: Timings) -> _Inputs:
    with t.stage("study_area"):
        area = inputs.study_area(config, loader, config_path)
    with t.stage("dem"):
        dem = inputs.elevation(config, loader, area)
        dems = inputs.dem_stack(config, loader, area, dem)
    with t.stage("sites"):
        sites = inputs.candidate_sites(config, loader, area, dem)
        places = inputs.nearby_places(loader, area)
        named = sites.frame.copy()
        named.insert(1, "place", inputs.site_names(named, places))
        if dems:
            named = named.assign(**terrain_sources(named, dems, sites.lattice))
        sites = replace(sites, frame=named)
    network = None
    if config.network is not None:
        with t.stage("road_graph"):
            network = inputs.road_network(config.network, loader, area, dem)
    return _Inputs(area=area, sites=sites, dem=dem, network=network, places=places, dems=dems)


def _land(
    config: Config,
    config_path: Path,
    loader: LayerLoader,
    got: _Inputs,
    cache: InputCache | None,
    rules: list[ActiveRule],
) -> land.Land:
    """What setbacks, land rules and land layers decide for the sites.

    A ``sitesel watch`` session keeps it while the constraints, the land section and the
    rule packs are unchanged.
    """

    def load() -> land.Land:
        return land.land(config, config_path, loader, got.area, got.sites.frame, rules)

    if cache is None:
        return load()
    packs = sorted({(str(r.pack), sha256_of(r.pack)) for r in rules})
    key = inputs_key(config, config_path, loader) + repr((config.constraints, config.land, packs))
    return cache.get("taken_land", key, load, loader)


def _measure(
    config: Config,
    ctx: CriterionContext,
    outside: BoolArray,
    taken: BoolArray,
    cluster: ClusterSpec | None,
) -> scoring.Measured:
    """The criteria stage, here or on a dask cluster (same values)."""
    if cluster is None:
        return scoring.measure(config, ctx, outside, taken)
    with cluster_client(cluster) as client:
        return measure_on_cluster(client, config, ctx, outside, taken)


def _context(config: Config, loader: LayerLoader, got: _Inputs) -> CriterionContext:
    crs = got.area.crs
    return CriterionContext(
        sites=got.sites.frame,
        select=lambda sel, key: inputs.selected(loader, sel, key, crs),
        network=got.network.model if got.network is not None else None,
        network_spec=config.network,
        dem=got.dem,
        dems=got.dems,
        lattice=got.sites.lattice,
    )


def _analyse(
    config: Config,
    config_path: Path,
    frame: gpd.GeoDataFrame,
    scored: scoring.Scored,
    got: _Inputs,
    t: Timings,
) -> tuple[gpd.GeoDataFrame, Robustness, Regions]:
    """The robustness and regions stages: their columns added to the sites."""
    with t.stage("robustness"):
        robust = run_robustness(
            config,
            config_path,
            aggregator=scored.aggregator,
            weights=scored.weights,
            report=scored.report,
            candidates=~scored.excluded,
            site_ids=frame["site_id"].tolist(),
        )
        frame = frame.assign(**robust.columns)
    with t.stage("regions"):
        road_lines = None if got.network is None else got.network.roads.edges
        regions = run_regions(config, config_path, frame, road_lines)
        frame = frame.assign(**regions.columns)
    return frame, robust, regions


def _loader(src: RunSources, *, offline: bool, refresh: bool) -> LayerLoader:
    """The run's layer loader, with the catalog's lock file (:mod:`sitesel.data.lock`)."""
    lock = LockFile.beside(src.catalog_path, refresh=refresh)
    return LayerLoader(src.catalog, src.data_dir, offline=offline, lock=lock)


def _describe(
    config: Config,
    frame: gpd.GeoDataFrame,
    got: _Inputs,
    targets: dict[str, gpd.GeoDataFrame],
    allocation: Allocation | None,
    t: Timings,
) -> Shortlist:
    """The routes and terrain stages over the shortlist (:mod:`.shortlist`)."""
    return describe_shortlist(
        config, frame, None if got.network is None else got.network.model, targets,
        got.area.crs, got.terrain_dems(config), got.sites.lattice, allocation, t,
    )  # fmt: skip


def _score(
    config: Config,
    frame: gpd.GeoDataFrame,
    measured: scoring.Measured,
    report: WeightReport,
    outside: BoolArray,
    land_records: Records,
) -> tuple[scoring.Scored, np.ndarray | None]:
    """The scoring stage, and the land rules' flags of each site (None without land rules)."""
    scored = scoring.score(config, frame, measured, report, outside, land_records)
    flags = None if config.land is None else joined(scored.records, "flag", len(frame))
    log.info("%d sites, %d excluded", len(frame), int(scored.excluded.sum()))
    return scored, flags


def _allocate(
    config: Config,
    config_path: Path,
    loader: LayerLoader,
    got: _Inputs,
    frame: gpd.GeoDataFrame,
    scored: scoring.Scored,
    draws: FloatArray | None,
) -> Allocation | None:
    """The location problems over the ranked sites, re-solved under the weight draws."""
    return run_allocation(
        config, frame, None if got.network is None else got.network.model,
        lambda sel, key: inputs.selected(loader, sel, key, got.area.crs), str(config_path),
        got.area.polygon,
        suitability_under_draws(config, scored.aggregator, ~scored.excluded, draws),
    )  # fmt: skip


def run(
    src: RunSources,
    *,
    offline: bool = False,
    progress: Progress | None = None,
    cluster: ClusterSpec | None = None,
    cache: InputCache | None = None,
    refresh: bool = False,
) -> Result:
    """Score and rank the candidate sites of a config, stage by stage (:mod:`.stages`).

    Parameters
    ----------
    src
        The validated config, its catalog and the data directory.
    offline, progress, cluster, cache, refresh
        Never download; called as each stage starts; compute the criteria on this dask
        cluster; inputs kept from a session's earlier runs; accept data the lock pinned.

    Raises
    ------
    SiteselError
        For any problem with the config, the catalog or the data.
    """
    config, config_path = src.config, src.config_path
    t = Timings(progress)  # the stages, in the order pipeline/stages.py declares
    with t.stage("check"):  # before any work
        checked = check(config, config_path, src.catalog, src.catalog_path)
    loader = _loader(src, offline=offline, refresh=refresh)
    got = _load_inputs(config, config_path, loader, t, cache, checked.rule_layers)
    frame, outside = got.sites.frame, got.sites.outside
    with t.stage("taken_land"):
        taken = _land(config, config_path, loader, got, cache, checked.rules)
    with t.stage("criteria"):
        measured = _measure(config, _context(config, loader, got), outside,
                            taken.records.mask(len(frame)), cluster)  # fmt: skip
    with t.stage("scoring"):
        scored, flags = _score(config, frame, measured, checked.report, outside, taken.records)
        frame = frame.assign(**_with_flags(scored.columns, flags))
    scoring.refuse_if_all_excluded(scored.records, len(frame), str(config_path))
    frame, robust, regions = _analyse(config, config_path, frame, scored, got, t)
    with t.stage("allocation"):
        allocation = _allocate(config, config_path, loader, got, frame, scored, robust.draws)
    described = _describe(config, frame, got, measured.targets, allocation, t)
    targets = targets_frame(measured.targets, src, got.area.crs)
    flagged = None if flags is None else int((flags != "").sum())
    manifest = build_manifest(
        src, crs=got.area.crs, sites=frame, report=scored.report, robust=robust, regions=regions,
        network=got.network, targets=targets, inputs_sha256=loader.file_sha256,
        timings_s=t.seconds, aggregation=scored.aggregation,
        land=land_record(config, checked.packs, flagged, counts=taken.counts, dems=got.dem_record),
        allocation=None if allocation is None else allocation.records,
        criteria_notes=measured.notes, extra_layers=checked.rule_layers,
        unused_layers=got.unused_dems(config),
    )  # fmt: skip
    records = scored.records + regions.records
    return _result(config, manifest, frame, got, regions, targets, taken, allocation, described,
                   records)  # fmt: skip


def _with_flags(columns: dict[str, object], flags: np.ndarray | None) -> dict[str, object]:
    """The scored columns with ``flags`` (the land rules' marks) after ``notes``."""
    if flags is None:
        return columns
    out: dict[str, object] = {}
    for name, values in columns.items():
        out[name] = values
        if name == "notes":
            out["flags"] = flags
    return out


def _result(
    config: Config,
    manifest: Manifest,
    frame: gpd.GeoDataFrame,
    got: _Inputs,
    regions: Regions,
    targets: gpd.GeoDataFrame,
    taken: land.Land,
    allocation: Allocation | None,
    described: Shortlist,
    records: Records,
) -> Result:
    roads = None if got.network is None else got.network.roads.edges
    return Result(
        manifest=manifest,
        sites=frame,
        area=gpd.GeoSeries([got.area.polygon], crs=got.area.crs),
        regions=regions.table,
        roads=None if roads is None else roads[["road_class", "name", "geometry"]],
        targets=targets,
        dem=got.dem,
        taken_land=taken.zones if len(taken.zones) else None,
        places=got.places,
        allocation=None if allocation is None else allocation.sites,
        allocation_demand=None if allocation is None else allocation.demand,
        allocation_matrix=None if allocation is None else allocation.matrix,
        routes=described.routes,
        terrain=described.terrain,
        terrain_dem=described.terrain_dem,
        lattice=got.sites.lattice,
        records=records,
        kinds={name: spec.kind_name() for name, spec in config.criteria.items()},
    )
