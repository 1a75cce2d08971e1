"""The one place that wires a validated config to the domain functions.

config -> layers (loaded once, one CRS) -> criteria (raw values) -> constraints ->
value functions (scores) -> weighted sum -> ranking. Writing outputs and maps is left to
:mod:`sitesel.io` and :mod:`sitesel.render`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from sitesel._typing import Dem, FloatArray
from sitesel.config.catalog import Catalog, check_references
from sitesel.config.scoring import (
    AreaCriterion,
    Config,
    Criterion,
    DistanceCriterion,
    ElevationCriterion,
    GravityCriterion,
    LinearValue,
    NetworkSpec,
    OpportunitiesCriterion,
    Selection,
    SigmoidValue,
    SlopeCriterion,
    StepValue,
    TravelTimeCriterion,
    ValueFunction,
)
from sitesel.criteria import UNITS
from sitesel.criteria.network import travel_time_min
from sitesel.criteria.parcel import area_ha
from sitesel.criteria.proximity import distance_km
from sitesel.criteria.terrain import slope_deg, zonal_stats
from sitesel.data.loader import LayerLoader
from sitesel.data.sites import hex_grid, parcel_sites
from sitesel.data.study_area import study_area_polygon
from sitesel.data.vector import select
from sitesel.decision import aggregation as aggregate
from sitesel.decision import constraints
from sitesel.decision import value_functions as transforms
from sitesel.decision.weights import resolve_weights, weight_vector
from sitesel.errors import ConfigError, CrsError, LayerError, NoSuitableSiteError
from sitesel.network import accessibility
from sitesel.network.graph import RoutingGraph, connectivity_report
from sitesel.network.scenarios import build_network
from sitesel.pipeline import analyses
from sitesel.result import RunResult

log = logging.getLogger(__name__)

LAYER_KINDS_BY_KEY: dict[str, set[str]] = {
    "study_area.": {"area", "points", "parcels"},
    "sites.parcels.": {"parcels", "area"},
    "network.roads": {"roads"},
    "network.scenarios.": {"area", "parcels"},
    "dem.": {"dem"},
    "criteria.": {"points", "roads", "area", "parcels"},
}


@contextmanager
def _stage(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - start, 3)
    log.info("stage %s: %.2f s", name, timings[name])


def check_config(config: Config, config_path: Path, catalog: Catalog, catalog_path: Path) -> None:
    """Check the config against its catalog (layer names and kinds); raise once."""
    check_references(
        catalog, catalog_path, config.layer_references(), config_path, LAYER_KINDS_BY_KEY
    )


def working_crs(config: Config, area_features: gpd.GeoDataFrame, config_path: Path) -> pyproj.CRS:
    """The configured CRS, or the UTM zone of the study area for ``auto``."""
    if config.working_crs == "auto":
        return pyproj.CRS.from_user_input(area_features.estimate_utm_crs())
    try:
        crs = pyproj.CRS.from_user_input(config.working_crs)
    except pyproj.exceptions.CRSError:
        raise ConfigError(
            f"{config_path}: working_crs: expected 'auto' or a CRS such as EPSG:32643,"
            f" found {config.working_crs!r}"
        ) from None
    if not crs.is_projected:
        raise CrsError(
            f"{config_path}: working_crs: expected a projected CRS in metres,"
            f" found {crs.name} (geographic)"
        )
    return crs


def _selected(loader: LayerLoader, sel: Selection, key: str, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    return select(
        loader.frame(sel.layer, crs), where=sel.where, minimum=sel.min, layer=sel.layer, key=key
    )


def _target_xy_points(features: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Points standing for targets: points as they are, line vertices, polygon centroids."""
    geoms = features.geometry
    lines = geoms.geom_type.isin(["LineString", "MultiLineString"])
    parts = [geoms[~lines].centroid.to_numpy()]
    if lines.any():
        parts.append(shapely.points(shapely.get_coordinates(geoms[lines].to_numpy())))
    return gpd.GeoSeries(np.concatenate(parts), crs=features.crs)


def _score(values: FloatArray, fn: ValueFunction) -> FloatArray:
    if isinstance(fn, LinearValue):
        return transforms.linear(values, low=fn.low, high=fn.high, direction=fn.direction)
    if isinstance(fn, StepValue):
        return transforms.step(values, breaks=fn.breaks, scores=fn.scores)
    if isinstance(fn, SigmoidValue):
        return transforms.sigmoid(
            values, midpoint=fn.midpoint, width=fn.width, direction=fn.direction
        )
    raise TypeError(f"unknown value function {fn!r}")


def _order_weights(config: Config, n: int) -> FloatArray | None:
    spec = config.aggregation
    if spec.method != "owa":
        return None
    if spec.order_weights is not None:
        v = np.asarray(spec.order_weights, dtype=np.float64)
        return np.asarray(v / v.sum(), dtype=np.float64)
    return aggregate.owa_order_weights(n, spec.andness or 0.5)


def _network_value(
    crit: TravelTimeCriterion | OpportunitiesCriterion | GravityCriterion,
    name: str,
    sites: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    graph: RoutingGraph,
    net: NetworkSpec,
) -> FloatArray:
    """Raw value of a network criterion for every site."""
    points = _target_xy_points(targets)
    speed, max_m = net.offroad_speed_kmh, net.max_offroad_km * 1000
    if isinstance(crit, TravelTimeCriterion):
        return travel_time_min(
            sites.geometry, points, graph=graph, offroad_speed_kmh=speed, max_offroad_m=max_m
        )
    weights = np.ones(len(targets))
    if crit.weight_column is not None:
        if crit.weight_column not in targets:
            raise LayerError(
                f"criteria.{name}.weight_column: layer {crit.to.layer!r} has no column"
                f" {crit.weight_column!r}"
            )
        weights = pd.to_numeric(targets[crit.weight_column], errors="coerce").fillna(0).to_numpy()
    if len(points) != len(targets):  # line targets became vertices: count each line once
        raise LayerError(f"criteria.{name}.to: {crit.kind} needs point or polygon targets")
    if isinstance(crit, OpportunitiesCriterion):
        decay, limit = accessibility.step_decay(crit.within_min)
    else:
        d = crit.decay
        decay, limit = {
            "step": lambda: accessibility.step_decay(d.cutoff_min or 0),
            "linear": lambda: accessibility.linear_decay(d.cutoff_min or 0),
            "exponential": lambda: accessibility.exponential_decay(d.half_life_min or 0),
            "gaussian": lambda: accessibility.gaussian_decay(d.sigma_min or 0),
        }[d.function]()
    centroids = sites.geometry.centroid
    return accessibility.access(
        graph,
        np.column_stack([points.x, points.y]),
        weights,
        np.column_stack([centroids.x, centroids.y]),
        decay=decay,
        limit_min=limit,
        offroad_speed_kmh=speed,
        max_offroad_m=max_m,
    )


def _unit(crit: Criterion) -> str:
    if isinstance(crit, SlopeCriterion) and crit.stat == "share_below":
        return UNITS["slope_share_below"]
    return UNITS[crit.kind]


def _terrain_values(config: Config, sites: gpd.GeoSeries, dem: Dem) -> dict[str, FloatArray]:
    """Raw values of every slope and elevation criterion from one zonal-statistics pass."""
    slope = slope_deg(dem.elevation_m, dem.cell_size_m)
    grids = {"elevation": dem.elevation_m, "slope": slope}
    for crit in config.criteria.values():
        if isinstance(crit, SlopeCriterion) and crit.threshold_deg is not None:
            below = np.where(np.isnan(slope), np.nan, (slope < crit.threshold_deg).astype(float))
            grids[f"below{crit.threshold_deg:g}"] = below
    stats = zonal_stats(sites, grids, transform=dem.transform, stats=["mean", "min", "max"])
    out: dict[str, FloatArray] = {}
    for name, crit in config.criteria.items():
        if isinstance(crit, SlopeCriterion):
            if crit.stat == "share_below":
                out[name] = stats[f"below{crit.threshold_deg:g}_mean"]
            else:
                out[name] = stats[f"slope_{crit.stat}"]
        elif isinstance(crit, ElevationCriterion):
            out[name] = stats[f"elevation_{crit.stat}"]
    return out


def run(
    config: Config,
    *,
    config_path: Path,
    catalog: Catalog,
    catalog_path: Path,
    data_dir: Path,
    offline: bool = False,
) -> RunResult:
    """Score and rank the candidate sites of a config.

    Parameters
    ----------
    config
        The validated scoring config.
    config_path
        Its file, for messages.
    catalog, catalog_path
        The layer catalog and its file.
    data_dir
        Where layer files are (and downloads go).
    offline
        Never download.

    Returns
    -------
    RunResult
        Sites with raw values, scores, suitability and rank, plus what the map shows.

    Raises
    ------
    SiteselError
        For any problem with the config, the catalog or the data.
    """
    assert config.name is not None  # load_config fills it
    check_config(config, config_path, catalog, catalog_path)
    report = resolve_weights(config, config_path)  # refuse inconsistent AHP before any work
    timings: dict[str, float] = {}
    loader = LayerLoader(catalog, data_dir, offline=offline)
    with _stage(timings, "fetch"):
        loader.fetch([layer for _, layer in config.layer_references()])

    with _stage(timings, "study_area"):
        native = select(
            loader.frame(config.study_area.layer),
            where=config.study_area.where,
            minimum=config.study_area.min,
            layer=config.study_area.layer,
            key="study_area",
        )
        crs = working_crs(config, native, config_path)
        area = study_area_polygon(
            native.to_crs(crs), buffer_m=config.study_area.buffer_km * 1000, key="study_area"
        )
        log.info("study area: %.0f km2 in %s", area.area / 1e6, crs.name)

    with _stage(timings, "sites"):
        if config.sites.grid is not None:
            sites = hex_grid(area, cell_area_ha=config.sites.grid.area_ha, crs=crs)
            outside = np.zeros(len(sites), dtype=bool)
        else:
            assert config.sites.parcels is not None  # one of the two, by validation
            spec = config.sites.parcels
            sites = parcel_sites(
                loader.frame(spec.layer, crs), id_column=spec.id_column, layer=spec.layer
            )
            outside = ~shapely.contains_xy(
                area, sites.centroid.x.to_numpy(), sites.centroid.y.to_numpy()
            )
        sites = sites.assign(area_ha=area_ha(sites.geometry))

    result = RunResult(
        name=config.name,
        crs=crs,
        area=area,
        sites=sites,
        criteria_units={n: _unit(c) for n, c in config.criteria.items()},
        weights=report.weights,
        weight_report=report,
        timings_s=timings,
    )
    raw: dict[str, FloatArray] = {}

    dem = None
    if config.dem is not None:
        with _stage(timings, "dem"):
            net = config.network
            uses_roads = net is not None and (
                net.grade is not None
                or any(c.above_m is not None for sc in net.scenarios.values() for c in sc.close)
            )
            # Grades and closures by elevation need heights along the roads beyond the area.
            margin_m = net.margin_km * 1000 if uses_roads and net is not None else 5_000.0
            dem = loader.dem(
                config.dem.layer,
                crs=crs,
                area=area,
                resolution_m=config.dem.resolution_m,
                margin_m=margin_m,
            )
            result.dem = dem

    network = None
    if config.network is not None:
        net = config.network
        with _stage(timings, "road_graph"):
            roads, snap = loader.roads(
                net.roads,
                crs=crs,
                keep_within=area.buffer(net.margin_km * 1000),
                snap_tolerance_m=net.snap_tolerance_m,
            )
            result.roads, result.snap = roads, snap
            result.connectivity = connectivity_report(roads)
            log.info("road graph: %s", result.connectivity.summary())
        with _stage(timings, "travel_times"):
            areas = {
                (sname, k): study_area_polygon(
                    _selected(loader, rule.within, f"network.scenarios.{sname}.close[{k}]", crs),
                    buffer_m=0,
                    key=f"network.scenarios.{sname}.close[{k}].within",
                )
                for sname, sc in net.scenarios.items()
                for k, rule in enumerate(sc.close)
                if rule.within is not None
            }
            network = build_network(roads, net, dem=dem, closure_areas=areas)
            result.closed_edges = network.closed

    nan_reasons: dict[str, str] = {}
    notes = np.full(len(sites), "", dtype=object)
    with _stage(timings, "criteria"):
        for name, crit in config.criteria.items():
            if isinstance(crit, TravelTimeCriterion | OpportunitiesCriterion | GravityCriterion):
                assert network is not None and config.network is not None
                targets = _selected(loader, crit.to, f"criteria.{name}.to", crs)
                result.targets[name] = targets
                raw[name] = _network_value(
                    crit, name, sites, targets, network.graphs[crit.scenario], config.network
                )
                scenario = f" with the roads of scenario {crit.scenario}" if crit.scenario else ""
                why = f"{name}: cannot reach {crit.to.layer} by road{scenario}"
                if crit.unreachable == "exclude":
                    nan_reasons[name] = why
                else:
                    cut_off = np.isnan(raw[name])
                    notes[cut_off] = [f"{n}; {why}, scored 0".lstrip("; ") for n in notes[cut_off]]
            elif isinstance(crit, DistanceCriterion):
                targets = _selected(loader, crit.to, f"criteria.{name}.to", crs)
                result.targets[name] = targets
                raw[name] = distance_km(sites.geometry, targets.geometry)
            elif isinstance(crit, AreaCriterion):
                raw[name] = sites["area_ha"].to_numpy()
        if dem is not None:
            raw.update(_terrain_values(config, sites.geometry, dem))

    with _stage(timings, "scoring"):
        scored = config.scored
        rules = [constraints.Rule(*c.parts, reason=c.reason) for c in config.constraints]
        required = {n: nan_reasons.get(n, f"no value for {n}") for n in scored}
        required = {
            n: why
            for n, why in required.items()
            if getattr(config.criteria[n], "unreachable", "exclude") == "exclude"
        }
        reasons = constraints.exclusion_reasons(
            len(sites), raw=raw, rules=rules, required=required, outside_area=outside
        )
        excluded = reasons != ""
        scores = {
            n: np.nan_to_num(_score(raw[n], config.criteria[n].value), nan=0.0)  # type: ignore[arg-type]
            if n not in required
            else _score(raw[n], config.criteria[n].value)  # type: ignore[arg-type]
            for n in scored
        }
        matrix = np.column_stack([scores[n] for n in scored])
        w = weight_vector(report, scored)
        aggregator = functools.partial(
            aggregate.aggregate,
            matrix,
            method=config.aggregation.method,
            order_weights=_order_weights(config, len(scored)),
            candidates=~excluded,
        )
        suitability = aggregator(w)
        rank = aggregate.rank_sites(suitability, excluded, sites["site_id"].tolist())
        columns: dict[str, object] = {
            "excluded": excluded,
            "exclusion_reason": reasons,
            "notes": notes,
        }
        columns |= {f"raw__{n}": raw[n] for n in config.criteria}
        columns |= {f"score__{n}": s for n, s in scores.items()}
        columns |= {f"contribution__{n}": w[k] * matrix[:, k] for k, n in enumerate(scored)}
        columns |= {
            "limiting_criterion": aggregate.limiting_criterion(matrix, scored),
            "suitability": suitability,
            "rank": rank.to_numpy(),
        }
        result.sites = sites.assign(**columns)
    if not (~excluded).any():
        counts: dict[str, int] = {}
        for text in reasons:
            for reason in str(text).split("; "):
                counts[reason] = counts.get(reason, 0) + 1
        common = ", ".join(f"{r} ({n})" for r, n in sorted(counts.items(), key=lambda x: -x[1])[:3])
        raise NoSuitableSiteError(
            f"{config_path}: constraints: all {len(sites)} sites are excluded (most common"
            f" reasons: {common}); relax the constraints or enlarge the study area"
        )
    analyses.run_analyses(
        result,
        config=config,
        config_path=config_path,
        aggregator=aggregator,
        weights=w,
        scored=scored,
        report=report,
        timings=timings,
    )
    result.input_sha256 = dict(sorted(loader.file_sha256.items()))
    log.info(
        "%d sites, %d excluded, best %s (suitability %.3f)",
        len(sites),
        int(excluded.sum()),
        result.sites.loc[rank == 1, "site_id"].iloc[0],
        float(np.nanmax(suitability[~excluded])),
    )
    return result
