"""Write everything a run produces, all or nothing: tables, GeoPackage, manifest and map."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import geopandas as gpd

from sitesel import io, render
from sitesel.catalog import Catalog
from sitesel.config import Config
from sitesel.pipeline import RunResult

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
    """What a run used and produced, so that it can be reproduced and compared."""
    excluded = result.sites["excluded"].to_numpy(dtype=bool)
    attributions = sorted(
        {spec.attribution or spec.licence or "" for spec in catalog.layers.values()} - {""}
    )
    return {
        "name": result.name,
        "config": {"path": str(config_path), "sha256": io.file_sha256(config_path)},
        "catalog": {"path": str(catalog_path), "sha256": io.file_sha256(catalog_path)},
        "data_dir": str(data_dir),
        "inputs_sha256": result.input_sha256,
        "working_crs": result.crs.to_string(),
        "weights": result.weights,
        "criteria_units": result.criteria_units,
        "constraints": [c.exclude_if for c in config.constraints],
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
    """Write ``sites.gpkg``, ``ranking.csv``, ``manifest.json`` and the HTML map atomically.

    Returns
    -------
    dict
        Output name -> path written.
    """
    destinations = {
        "sites": out_dir / "sites.gpkg",
        "ranking": out_dir / "ranking.csv",
        "manifest": out_dir / "manifest.json",
        "map": map_path,
    }
    start = time.perf_counter()
    name_columns = {}
    for crit_name, crit in config.criteria.items():
        layer = getattr(getattr(crit, "to", None), "layer", None)
        if layer is not None and catalog.layers[layer].name_column:
            name_columns[crit_name] = catalog.layers[layer].name_column or ""
    meta = manifest(
        result,
        config=config,
        config_path=config_path,
        catalog=catalog,
        catalog_path=catalog_path,
        data_dir=data_dir,
    )
    weights = ", ".join(f"{k} {v:.2f}" for k, v in result.weights.items())
    fmap = render.site_map(
        result.sites,
        title=f"sitesel: {result.name}"
        + (f" - {config.description}" if config.description else ""),
        subtitle=f"weights: {weights}",
        units=result.criteria_units,
        weights=result.weights,
        area=gpd.GeoSeries([result.area], crs=result.crs),
        roads=result.roads,
        targets=result.targets,
        target_name_columns=name_columns,
        top_n=config.map.top_n,
    )
    with io.staged_outputs(destinations) as staged:
        io.write_sites_gpkg(result.sites, staged["sites"])
        io.write_table_csv(io.ranking_table(result.sites), staged["ranking"])
        fmap.save(str(staged["map"]))
        meta["timings_s"]["write"] = round(time.perf_counter() - start, 3)
        io.write_json(meta, staged["manifest"])
    for name, path in destinations.items():
        log.info("wrote %s: %s", name, path)
    return destinations
