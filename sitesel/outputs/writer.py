"""Write everything a run produces, all or nothing, and read a run's folder back for maps.

A run folder holds ``ranking.csv``, ``sites.gpkg`` (layers ``sites``, ``roads``,
``targets``, ``study_area``), ``elevation.tif`` (the DEM around the study area, for the
hillshade), ``manifest.json`` and ``summary.png``; the HTML map goes to ``maps/``.
``sitesel map RUN_DIR`` re-renders the map from the folder alone.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import rasterio

from sitesel.config.catalog import Catalog
from sitesel.config.scoring import Config
from sitesel.data.fetch import sha256_of
from sitesel.errors import OutputError
from sitesel.outputs import files as io
from sitesel.render import Elevation, MapData, site_map
from sitesel.render.summary import write_summary_png
from sitesel.result import RunResult

log = logging.getLogger(__name__)


def manifest(
    result: RunResult,
    *,
    config: Config,
    config_path: Path,
    catalog: Catalog,
    catalog_path: Path,
    data_dir: Path,
) -> dict[str, Any]:
    """What a run used and produced, so that it can be reproduced, compared and re-mapped."""
    excluded = result.sites["excluded"].to_numpy(dtype=bool)
    used = {layer for _, layer in config.layer_references()}
    attributions = sorted(
        {catalog.layers[name].attribution or catalog.layers[name].licence or "" for name in used}
        - {""}
    )
    return {
        "name": result.name,
        "description": config.description or "",
        "run_date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "config": {"path": str(config_path), "sha256": sha256_of(config_path)},
        "catalog": {"path": str(catalog_path), "sha256": sha256_of(catalog_path)},
        "data_dir": str(data_dir),
        "inputs_sha256": result.input_sha256,
        "working_crs": result.crs.to_string(),
        "criteria": list(result.criteria_units),
        "criteria_units": result.criteria_units,
        "weights": result.weights,
        "weighting": result.weight_report.as_json() if result.weight_report else None,
        "aggregation": config.aggregation.model_dump(),
        "stability": [
            {**vars(si), "smallest_change": si.smallest_change} for si in result.stability
        ],
        "monte_carlo": result.monte_carlo,
        "scheme": result.scheme,
        "regions": None
        if result.regions is None
        else {
            "count": len(result.regions),
            "min_suitability": config.regions.min_suitability if config.regions else None,
            "gap_m": config.regions.gap_m if config.regions else None,
        },
        "constraints": [c.exclude_if for c in config.constraints],
        "top_n": config.map.top_n,
        "elevation_tint": config.map.elevation_tint,
        "sites": {
            "total": len(excluded),
            "excluded": int(excluded.sum()),
            "ranked": int((~excluded).sum()),
        },
        "road_graph": None
        if result.connectivity is None
        else {
            **vars(result.connectivity),
            "dangles_joined": result.snap.n_dangles_joined if result.snap else None,
            "connector_length_m": round(result.snap.connector_length_m, 1) if result.snap else None,
        },
        "timings_s": result.timings_s,
        "versions": io.package_versions(),
        "attribution": attributions,
    }


def _targets_frame(result: RunResult, config: Config, catalog: Catalog) -> gpd.GeoDataFrame:
    frames = []
    for criterion, features in result.targets.items():
        layer = getattr(getattr(config.criteria[criterion], "to", None), "layer", "")
        column = catalog.layers[layer].name_column if layer else None
        names = (
            features[column].astype(str)
            if column and column in features
            else pd.Series(criterion, index=features.index)
        )
        frames.append(
            gpd.GeoDataFrame(
                {"criterion": criterion, "name": names.to_numpy()},
                geometry=features.geometry.to_numpy(),
                crs=features.crs,
            )
        )
    if not frames:
        return gpd.GeoDataFrame({"criterion": [], "name": []}, geometry=[], crs=result.crs)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=result.crs)


def map_data(
    result: RunResult, meta: dict[str, Any], *, config: Config, catalog: Catalog
) -> MapData:
    """The map content of a run held in memory."""
    roads = None
    if result.roads is not None:
        roads = result.roads.edges[["road_class", "name", "geometry"]]
    return MapData(
        name=result.name,
        sites=result.sites,
        units=result.criteria_units,
        weights=result.weights,
        area=gpd.GeoSeries([result.area], crs=result.crs),
        description=meta["description"],
        run_date=meta["run_date"],
        sources=meta["attribution"],
        roads=roads,
        targets=_targets_frame(result, config, catalog),
        elevation=None
        if result.dem is None
        else Elevation(result.dem.elevation_m, result.dem.transform),
        top_n=config.map.top_n,
        elevation_tint=config.map.elevation_tint,
    )


def write_map(data: MapData, path: Path) -> None:
    """Render and save the HTML map."""
    site_map(data).save(str(path))


def write_run(
    result: RunResult,
    *,
    config: Config,
    config_path: Path,
    catalog: Catalog,
    catalog_path: Path,
    data_dir: Path,
    out_dir: Path,
    map_path: Path,
) -> dict[str, Path]:
    """Write every output of a run atomically (all files, or none).

    Returns
    -------
    dict
        Output name -> path written.
    """
    start = time.perf_counter()
    destinations = {
        "sites": out_dir / "sites.gpkg",
        "ranking": out_dir / "ranking.csv",
        "summary": out_dir / "summary.png",
        "manifest": out_dir / "manifest.json",
        "map": map_path,
    }
    if result.dem is not None:
        destinations["elevation"] = out_dir / "elevation.tif"
    if result.stability:
        destinations["stability"] = out_dir / "stability.csv"
    if result.monte_carlo is not None:
        destinations["robustness"] = out_dir / "robustness.csv"
    if result.regions is not None:
        destinations["regions"] = out_dir / "regions.csv"
    meta = manifest(
        result,
        config=config,
        config_path=config_path,
        catalog=catalog,
        catalog_path=catalog_path,
        data_dir=data_dir,
    )
    data = map_data(result, meta, config=config, catalog=catalog)
    with io.staged_outputs(destinations) as staged:
        io.write_sites_gpkg(result.sites, staged["sites"])
        gpkg_layers: dict[str, gpd.GeoDataFrame] = {
            "study_area": gpd.GeoDataFrame(geometry=data.area, crs=result.crs)
        }
        if data.roads is not None:
            gpkg_layers["roads"] = gpd.GeoDataFrame(data.roads, crs=result.crs)
        if data.targets is not None and len(data.targets):
            gpkg_layers["targets"] = data.targets
        for layer, frame in gpkg_layers.items():
            frame.to_file(staged["sites"], layer=layer, driver="GPKG", engine="pyogrio")
        ranking = io.ranking_table(result.sites)
        io.write_table_csv(ranking, staged["ranking"])
        if result.stability:
            io.write_table_csv(io.stability_table(result.stability), staged["stability"])
        if result.monte_carlo is not None:
            io.write_table_csv(io.robustness_table(ranking), staged["robustness"])
        if result.regions is not None:
            io.write_table_csv(io.regions_table(result.regions), staged["regions"])
            if len(result.regions):
                result.regions.to_file(
                    staged["sites"], layer="regions", driver="GPKG", engine="pyogrio"
                )
        if data.elevation is not None:
            io.write_elevation_tif(
                data.elevation.elevation_m,
                data.elevation.transform,
                result.crs,
                staged["elevation"],
            )
        write_map(data, staged["map"])
        write_summary_png(data, staged["summary"])
        meta["timings_s"]["write"] = round(time.perf_counter() - start, 3)
        io.write_json(meta, staged["manifest"])
    for name, path in destinations.items():
        log.info("wrote %s: %s", name, path)
    return destinations


def read_map_data(run_dir: Path) -> MapData:
    """The map content of a run, from its output folder.

    Raises
    ------
    OutputError
        If the folder does not hold a complete sitesel run.
    """
    manifest_path = run_dir / "manifest.json"
    gpkg = run_dir / "sites.gpkg"
    for required in (manifest_path, gpkg):
        if not required.is_file():
            raise OutputError(
                f"{run_dir}: not a sitesel run folder (no {required.name}); give the --out"
                " folder of a `sitesel run`"
            )
    meta = json.loads(manifest_path.read_text(encoding="utf-8"))
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    sites = gpd.read_file(gpkg, layer="sites", engine="pyogrio")
    sites["rank"] = sites["rank"].astype("Int64")
    elevation = None
    tif = run_dir / "elevation.tif"
    if tif.is_file():
        with rasterio.open(tif) as src:
            elevation = Elevation(src.read(1, masked=True).filled(float("nan")), src.transform)
    return MapData(
        name=meta["name"],
        sites=sites,
        units={name: meta["criteria_units"][name] for name in meta["criteria"]},
        weights={
            name: meta["weights"][name] for name in meta["criteria"] if name in meta["weights"]
        },
        area=gpd.read_file(gpkg, layer="study_area", engine="pyogrio").geometry,
        description=meta.get("description", ""),
        run_date=meta.get("run_date", ""),
        sources=meta.get("attribution", []),
        roads=gpd.read_file(gpkg, layer="roads", engine="pyogrio") if "roads" in layers else None,
        targets=gpd.read_file(gpkg, layer="targets", engine="pyogrio")
        if "targets" in layers
        else None,
        elevation=elevation,
        top_n=int(meta.get("top_n", 10)),
        elevation_tint=bool(meta.get("elevation_tint", True)),
    )
