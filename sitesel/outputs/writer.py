"""Write everything a run produced, all or nothing.

A run folder holds ``ranking.csv``, ``exclusions.csv`` (one row per site and rule that
excludes or flags it: :mod:`sitesel.exclusions`), ``sites.gpkg`` (layers ``sites``
(``sites.parquet`` above :data:`~sitesel.outputs.files.LARGE_RUN_SITES` sites), ``roads``,
``targets``, ``study_area``, ``regions``, ``taken_land``, ``places``, ``routes``,
``terrain``), ``elevation.tif`` (the DEM around the study area, for the hillshade),
``elevation_top_sites.tif`` (a stack's finest DEM around the top sites, for the dossier),
``manifest.json``, ``summary.png``
and the robustness, SMAA-2 and region tables; the HTML map goes to ``maps/``.
:func:`~sitesel.outputs.reader.read_run` reads the folder back.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sitesel.data.fetch import sha256_of
from sitesel.outputs import files
from sitesel.outputs.maps import map_data, write_map
from sitesel.outputs.render_process import (
    RenderProcess,
    abandon_summary,
    draw_summary,
    finish_summary,
)
from sitesel.outputs.staging import staged_outputs
from sitesel.render.mapdata import MapData
from sitesel.result import FLOAT_DECIMALS, Result, centroids_lon_lat

log = logging.getLogger(__name__)


RUN_FILES = frozenset(
    {
        "sites.gpkg", "ranking.csv", "exclusions.csv", "summary.png", "manifest.json",
        "elevation.tif",
        "elevation_top_sites.tif", "stability.csv", "robustness.csv", "smaa.csv", "regions.csv",
        "sites.parquet", "allocation.csv", "allocation_demand.csv", "allocation_matrix.csv",
    }
)  # fmt: skip
"""Every file a run may write into its folder: a new run replaces or drops them all (other
files there, such as the dossier, are kept)."""


def destinations(result: Result, out_dir: Path, map_path: Path) -> dict[str, Path]:
    """Output name -> path of every file a run writes."""
    out = {
        "sites": out_dir / "sites.gpkg",
        "ranking": out_dir / "ranking.csv",
        "exclusions": out_dir / "exclusions.csv",
        "summary": out_dir / "summary.png",
        "manifest": out_dir / "manifest.json",
        "map": map_path,
    }
    if result.dem is not None:
        out["elevation"] = out_dir / "elevation.tif"
    if result.terrain_dem is not None:
        out["elevation_top_sites"] = out_dir / "elevation_top_sites.tif"
    if result.manifest.stability:
        out["stability"] = out_dir / "stability.csv"
    if result.manifest.monte_carlo is not None:
        out["robustness"] = out_dir / "robustness.csv"
        out["smaa"] = out_dir / "smaa.csv"
    if result.regions is not None:
        out["regions"] = out_dir / "regions.csv"
    if len(result.sites) > files.LARGE_RUN_SITES:
        out["sites_parquet"] = out_dir / "sites.parquet"
    if result.allocation is not None:
        out["allocation"] = out_dir / "allocation.csv"
    if result.allocation_demand is not None:
        out["allocation_demand"] = out_dir / "allocation_demand.csv"
    if result.allocation_matrix is not None:
        out["allocation_matrix"] = out_dir / "allocation_matrix.csv"
    return out


def _write_geopackage(result: Result, path: Path) -> None:
    if len(result.sites) <= files.LARGE_RUN_SITES:  # larger: sites.parquet
        files.write_sites_gpkg(result.sites, result.centroids_lon_lat, path)
    layers: dict[str, gpd.GeoDataFrame] = {
        "study_area": gpd.GeoDataFrame(geometry=result.area, crs=result.crs)
    }
    if result.roads is not None:
        layers["roads"] = gpd.GeoDataFrame(result.roads, crs=result.crs)
    optional = {
        "targets": result.targets, "regions": result.regions, "taken_land": result.taken_land,
        "places": result.places, "allocation_demand": result.allocation_demand,
        "routes": result.routes, "terrain": result.terrain,
    }  # fmt: skip
    layers |= {name: frame for name, frame in optional.items() if frame is not None and len(frame)}
    for layer, frame in layers.items():
        frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")


def _write_tables(result: Result, staged: dict[str, Path]) -> None:
    ranking = result.ranking
    files.write_table_csv(ranking, staged["ranking"])
    files.write_table_csv(result.exclusions_table, staged["exclusions"])
    if "stability" in staged:
        files.write_table_csv(files.stability_table(result.manifest.stability), staged["stability"])
    if "robustness" in staged:
        files.write_table_csv(files.robustness_table(ranking), staged["robustness"])
        files.write_table_csv(files.smaa_table(result.manifest.monte_carlo), staged["smaa"])
    if result.regions is not None:
        files.write_table_csv(files.regions_table(result.regions), staged["regions"])
    if result.allocation is not None:
        files.write_table_csv(result.allocation.round(FLOAT_DECIMALS), staged["allocation"])
    if result.allocation_demand is not None:
        demand = result.allocation_demand
        lon, lat = centroids_lon_lat(demand)
        table = pd.DataFrame(demand.drop(columns="geometry")).assign(lon=lon, lat=lat)
        files.write_table_csv(table.round(FLOAT_DECIMALS), staged["allocation_demand"])
    if result.allocation_matrix is not None:
        matrix = result.allocation_matrix.round(FLOAT_DECIMALS)
        files.write_table_csv(matrix, staged["allocation_matrix"])


def _write_files(result: Result, data: MapData, staged: dict[str, Path]) -> None:
    """Everything but the summary PNG and the manifest."""
    with files.fixed_gpkg_time():
        _write_geopackage(result, staged["sites"])
    if "sites_parquet" in staged:
        files.write_sites_parquet(result.sites, result.centroids_lon_lat, staged["sites_parquet"])
    _write_tables(result, staged)
    if result.dem is not None:
        dem = result.dem
        files.write_elevation_tif(dem.elevation_m, dem.transform, result.crs, staged["elevation"])
    if result.terrain_dem is not None:
        fine = result.terrain_dem
        files.write_elevation_tif(
            fine.elevation_m, fine.transform, result.crs, staged["elevation_top_sites"]
        )
    write_map(data, staged["map"])


def _listed(path: Path, out_dir: Path) -> str:
    """An output's path as the manifest lists it: relative to the run folder when inside."""
    try:
        return path.resolve().relative_to(out_dir.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def write_run(
    result: Result,
    *,
    out_dir: Path,
    map_path: Path,
    lock: bool = True,
    renderer: RenderProcess | None = None,
) -> dict[str, Path]:
    """Write every output of a run atomically (all files, or none).

    ``lock=False`` when the caller already holds the output folder's lock. With a
    ``renderer``, the summary PNG is drawn there while the other files are written here.

    Returns
    -------
    dict
        Output name -> path written.

    Raises
    ------
    OutputError
        If an output cannot be written; earlier outputs are left as they were.
    """
    start = time.perf_counter()
    targets = destinations(result, out_dir, map_path)
    data = map_data(result)
    with staged_outputs(
        targets, anchor=out_dir, lock=lock, last="manifest", folder=out_dir, owned=RUN_FILES
    ) as staged:
        started = draw_summary(data, staged["summary"], renderer)
        try:
            _write_files(result, data, staged)
        except BaseException:
            abandon_summary(started, renderer)  # before the staging folder goes
            raise
        finish_summary(started, renderer, data, staged["summary"])
        timings = result.manifest.timings_s | {"write": round(time.perf_counter() - start, 3)}
        outputs = {
            name: {"file": _listed(targets[name], out_dir), "sha256": sha256_of(path)}
            for name, path in staged.items()
            if name != "manifest"
        }
        manifest = result.manifest.model_copy(update={"timings_s": timings, "outputs": outputs})
        staged["manifest"].write_text(manifest.to_json(), encoding="utf-8")
    for name, path in targets.items():
        log.info("wrote %s: %s", name, path)
    return targets
