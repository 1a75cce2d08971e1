"""What the pipeline records of a run: its manifest and the map's target layer."""

from __future__ import annotations

import datetime as dt
import logging
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj

from sitesel._version import __version__
from sitesel.config import Catalog, Config
from sitesel.config.constraints import ConstraintSpec
from sitesel.config.criteria import NetworkCriterionSpec, selections
from sitesel.criteria import criterion_label, family_of
from sitesel.data.fetch import sha256_of
from sitesel.manifest import (
    FileRecord,
    Manifest,
    RegionsRecord,
    SiteCounts,
    StabilityRecord,
    build_time,
)
from sitesel.mcda.robustness import StabilityInterval
from sitesel.mcda.weights import WeightReport
from sitesel.network.gaps import Repair
from sitesel.network.margin import fastest_kmh, margin_checks
from sitesel.network.shortest_paths import arc_lengths, detours
from sitesel.pipeline.analyses import Regions, Robustness
from sitesel.pipeline.inputs import Network

log = logging.getLogger(__name__)

_PACKAGES = (
    "sitesel", "numpy", "scipy", "pandas", "geopandas", "shapely", "pyproj", "pyogrio",
    "rasterio", "exactextract", "osmnx", "osmium", "folium", "pydantic",
)  # fmt: skip


@dataclass(frozen=True)
class RunSources:
    """Where a run's config, catalog and data came from."""

    config: Config
    config_path: Path
    catalog: Catalog
    catalog_path: Path
    data_dir: Path


def package_versions() -> dict[str, str]:
    """Versions of the packages a result depends on (and GDAL's and Python's)."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    import pyogrio

    versions["gdal"] = pyogrio.__gdal_version_string__
    versions["python"] = platform.python_version()
    return versions


def _stability(intervals: list[StabilityInterval]) -> list[StabilityRecord]:
    return [StabilityRecord(**vars(si), smallest_change=si.smallest_change) for si in intervals]


def _road_graph(
    network: Network | None, crs: pyproj.CRS, targets: gpd.GeoDataFrame, config: Config
) -> dict[str, object] | None:
    if network is None:
        return None
    snap = network.snap
    out: dict[str, object] = {**vars(network.connectivity)}
    if snap is not None:
        out |= {
            "gaps_closed": snap.n_gaps_closed,
            "gap_length_m": round(snap.gap_length_m, 1),
            "dangles_joined": snap.n_dangles_joined,
            "connector_length_m": round(snap.connector_length_m, 1),
            "repairs": _repairs(snap.repairs, crs),
        }
    if config.network is not None:
        out["margin"] = margin_record(network, config.network.margin_km, config)
    out["plausibility"] = checks = plausibility(network, targets)
    for check in checks:
        if check["flagged"]:
            log.warning(
                "by road, %s to %s is %s km against %s km in a straight line: check the road"
                " network (gaps, closures) before trusting the ranking",
                *(check["from"], check["to"], check["road_km"], check["straight_km"]),
            )
    return out


def margin_record(network: Network, margin_km: float, config: Config) -> dict[str, object]:
    """Whether the network's margin covers each time-bounded criterion; warns if not."""
    model = network.model
    length_m = network.roads.edges["length_m"].to_numpy(dtype=float)
    speed_kmh = fastest_kmh(length_m, model.forward_min, model.backward_min)
    reach = {
        name: minutes
        for name, spec in config.criteria.items()
        if isinstance(spec, NetworkCriterionSpec) and (minutes := spec.reach_min()) is not None
    }
    checks = margin_checks(reach, margin_km, speed_kmh)
    for check in checks:
        if check.short:
            log.warning("%s", check.message(speed_kmh))
    return {
        "margin_km": margin_km,
        "fastest_kmh": round(speed_kmh, 1),
        "needed_km": {c.criterion: round(c.needed_km, 1) for c in checks},
        "short": sorted(c.criterion for c in checks if c.short),
    }


def plausibility(network: Network | None, targets: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Road vs straight-line distance between the study's named point targets.

    Criteria whose target is a single point (a town, an airport) take part, by name.
    """
    if network is None or targets.empty:
        return []
    single = targets.groupby("criterion").filter(lambda g: len(g) == 1)
    single = single[single.geom_type == "Point"]
    named = {str(r["name"]): (r.geometry.x, r.geometry.y) for _, r in single.iterrows()}
    if len(named) < 2:
        return []
    model = network.model
    lengths = arc_lengths(network.roads, model.forward_min, model.backward_min)
    return detours(network.roads, model.graphs[None], lengths, named)


def _repairs(repairs: tuple[Repair, ...], crs: pyproj.CRS) -> list[dict[str, object]]:
    """Every join made in the road layer, where (lon, lat) and what it joined."""
    if not repairs:
        return []
    to_wgs84 = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform([r.x for r in repairs], [r.y for r in repairs])
    return [
        {
            "kind": r.kind,
            "lon": round(float(x), 5),
            "lat": round(float(y), 5),
            "gap_m": round(r.gap_m, 1),
            "joined": f"{r.from_class} {r.from_name} -> {r.to_class} {r.to_name}",
        }
        for r, x, y in zip(repairs, lon, lat, strict=True)
    ]


def _attributions(src: RunSources, extra_layers: list[str], unused: set[str]) -> list[str]:
    """The attributions of the layers the run read (not a DEM left out where unavailable)."""
    layers = src.catalog.layers
    used = ({layer for _, layer in src.config.layer_references()} | set(extra_layers)) - unused
    return sorted({layers[n].attribution or layers[n].licence or "" for n in used} - {""})


def _constraint_text(constraint: ConstraintSpec | Any) -> str:
    """A constraint as the manifest lists it: the rule as written, or a setback in words."""
    if isinstance(constraint, ConstraintSpec):
        return constraint.exclude_if
    return str(constraint.describe())


def build_manifest(
    src: RunSources,
    *,
    crs: pyproj.CRS,
    sites: gpd.GeoDataFrame,
    report: WeightReport,
    robust: Robustness,
    regions: Regions,
    network: Network | None,
    targets: gpd.GeoDataFrame,
    inputs_sha256: dict[str, str],
    timings_s: dict[str, float],
    aggregation: dict[str, Any],
    land: dict[str, Any] | None = None,
    extra_layers: list[str] | None = None,
    criteria_notes: dict[str, str] | None = None,
    allocation: dict[str, dict[str, Any]] | None = None,
    unused_layers: set[str] | None = None,
) -> Manifest:
    """The manifest of a finished run (``land``: rule packs, flags and DEMs used).

    ``unused_layers``: layers named but not read (a DEM used where available): no attribution.
    """
    config = src.config
    assert config.name is not None  # load_config fills it
    excluded = int(sites["excluded"].sum())
    return Manifest(
        sitesel_version=__version__,
        name=config.name,
        description=config.description or "",
        run_date=(build_time() or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        config=FileRecord(path=str(src.config_path), sha256=sha256_of(src.config_path)),
        catalog=FileRecord(path=str(src.catalog_path), sha256=sha256_of(src.catalog_path)),
        data_dir=str(src.data_dir),
        inputs_sha256=dict(sorted(inputs_sha256.items())),
        working_crs=crs.to_string(),
        **_criteria_records(config),
        weights=report.weights,
        weighting=report.as_json(),
        aggregation=aggregation,
        stability=_stability(robust.stability),
        monte_carlo=robust.monte_carlo,
        scheme=regions.scheme,
        regions=_regions_record(config, regions),
        constraints=[_constraint_text(c) for c in config.constraints],
        land=land,
        criteria_notes=criteria_notes or {},
        rates=_rates_records(config),
        allocation=allocation or {},
        top_n=config.map.top_n,
        language=config.map.language,
        elevation_tint=config.map.elevation_tint,
        max_vector_sites=config.map.max_vector_sites,
        sites=SiteCounts(total=len(sites), excluded=excluded, ranked=len(sites) - excluded),
        road_graph=_road_graph(network, crs, targets, config),
        timings_s=timings_s,
        versions=package_versions(),
        attribution=_attributions(src, extra_layers or [], unused_layers or set()),
    )


def _rates_records(config: Config) -> dict[str, dict[str, Any]]:
    """What each criterion records of its own files (a cost criterion's rates file)."""
    found = {name: spec.provenance(name) for name, spec in config.criteria.items()}
    return {name: record for name, record in found.items() if record is not None}


def _criteria_records(config: Config) -> dict[str, Any]:
    """Each criterion's unit, label and value function, as the manifest lists them."""
    return {
        "criteria": list(config.criteria),
        "criteria_units": {n: family_of(c).unit_of(c) for n, c in config.criteria.items()},
        "criteria_labels": {n: criterion_label(c) for n, c in config.criteria.items()},
        "value_functions": {
            n: c.value.model_dump(mode="json")
            for n, c in config.criteria.items()
            if c.value is not None
        },
    }


def _regions_record(config: Config, regions: Regions) -> RegionsRecord | None:
    if regions.table is None or config.regions is None:
        return None
    return RegionsRecord(
        count=len(regions.table),
        min_suitability=config.regions.min_suitability,
        gap_m=config.regions.gap_m,
    )


def targets_frame(
    targets: dict[str, gpd.GeoDataFrame], src: RunSources, crs: pyproj.CRS
) -> gpd.GeoDataFrame:
    """Every criterion's point targets in one layer: ``criterion``, ``name``, point.

    One geometry type: polygon targets become their representative points, and line
    targets (a highway network) are left out, being roads already (layer ``roads``).
    """
    frames = []
    for criterion, all_features in targets.items():
        features = all_features[~all_features.geom_type.isin(["LineString", "MultiLineString"])]
        layer = next(iter(selections(src.config.criteria[criterion]).values())).layer
        column = src.catalog.layers[layer].name_column
        names = (
            features[column].astype(str)
            if column and column in features
            else pd.Series(criterion, index=features.index)
        )
        frames.append(
            gpd.GeoDataFrame(
                {"criterion": criterion, "name": names.to_numpy()},
                geometry=features.geometry.representative_point().to_numpy(),
                crs=features.crs,
            )
        )
    if not frames:
        return gpd.GeoDataFrame({"criterion": [], "name": []}, geometry=[], crs=crs)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs)
