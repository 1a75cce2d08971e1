"""Read a run folder back into a :class:`~sitesel.result.Result` (for maps and notebooks)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import rasterio

from sitesel._typing import Dem
from sitesel.data.fetch import sha256_of
from sitesel.data.read_errors import READER_ERRORS, cause
from sitesel.errors import OutputError
from sitesel.exclusions.records import MEASURES, Records, from_table
from sitesel.manifest import Manifest, read_manifest
from sitesel.result import Result


def _layer(gpkg: Path, layers: set[str], name: str) -> gpd.GeoDataFrame | None:
    return gpd.read_file(gpkg, layer=name, engine="pyogrio") if name in layers else None


def _dem(tif: Path, crs: pyproj.CRS) -> Dem | None:
    if not tif.is_file():
        return None
    with rasterio.open(tif) as src:
        grid = src.read(1, masked=True).filled(float("nan")).astype("float64")
        return Dem(elevation_m=grid, transform=src.transform, crs=crs)


def read_run(run_dir: str | Path) -> Result:
    """The result of an earlier ``sitesel run``, from its output folder.

    Parameters
    ----------
    run_dir
        The ``--out`` folder of a run (holding ``manifest.json`` and ``sites.gpkg``).

    Raises
    ------
    OutputError
        If the folder does not hold a complete sitesel run.
    """
    run_dir = Path(run_dir)
    gpkg = run_dir / "sites.gpkg"
    for required in (run_dir / "manifest.json", gpkg):
        if not required.is_file():
            raise OutputError(
                f"{run_dir}: not a sitesel run folder (no {required.name}); give the --out"
                " folder of a `sitesel run`"
            )
    manifest = read_manifest(run_dir / "manifest.json")
    check_complete(run_dir, manifest)
    parquet = run_dir / "sites.parquet"
    try:
        layers = {name for name, _ in pyogrio.list_layers(gpkg)}
        sites = (
            gpd.read_parquet(parquet)
            if parquet.is_file()
            else gpd.read_file(gpkg, layer="sites", engine="pyogrio")
        )
        area = gpd.read_file(gpkg, layer="study_area", engine="pyogrio").geometry
    except READER_ERRORS as exc:
        damaged = parquet if parquet.is_file() else gpkg
        raise OutputError(
            f"{damaged}: not a complete run {'GeoParquet' if damaged == parquet else 'GeoPackage'}"
            f" ({cause(exc)}); rerun `sitesel run`"
        ) from None
    sites["rank"] = sites["rank"].astype("Int64")
    sites = sites.drop(columns=["lon", "lat"], errors="ignore")  # ranking_table adds them
    crs = pyproj.CRS.from_user_input(manifest.working_crs)
    return Result(
        manifest=manifest,
        sites=sites,
        area=area,
        regions=_layer(gpkg, layers, "regions"),
        roads=_layer(gpkg, layers, "roads"),
        targets=_layer(gpkg, layers, "targets"),
        dem=_dem(run_dir / "elevation.tif", crs),
        taken_land=_layer(gpkg, layers, "taken_land"),
        places=_layer(gpkg, layers, "places"),
        allocation=_allocation_table(run_dir / "allocation.csv"),
        allocation_demand=_layer(gpkg, layers, "allocation_demand"),
        allocation_matrix=_allocation_table(run_dir / "allocation_matrix.csv"),
        routes=_layer(gpkg, layers, "routes"),
        terrain=_layer(gpkg, layers, "terrain"),
        terrain_dem=_dem(run_dir / "elevation_top_sites.tif", crs),
        records=_records(run_dir, manifest, sites),
    )


def check_complete(run_dir: Path, manifest: Manifest) -> None:
    """Refuse a folder whose files are not the ones its manifest lists (a mixed set).

    The manifest is moved into place last and lists every output with its sha256: a file
    that differs, or is missing, means a run stopped while moving its outputs in (or a
    file was replaced by hand). Files outside the run folder (the map) are not checked.

    Raises
    ------
    OutputError
        Naming the first file that differs.
    """
    for name, entry in manifest.outputs.items():
        path = run_dir / entry["file"]
        if Path(entry["file"]).is_absolute() or name == "map":
            continue
        if not path.is_file():
            raise OutputError(
                f"{run_dir}: {entry['file']} is listed in manifest.json but missing: the folder"
                " is not a complete run (a run stopped while moving its outputs in?); rerun"
                " `sitesel run`"
            )
        if sha256_of(path) != entry["sha256"]:
            raise OutputError(
                f"{run_dir}: {entry['file']} is not the file manifest.json lists (sha256"
                " differs): the folder mixes the outputs of two runs, or the file was edited;"
                " rerun `sitesel run`"
            )


EXCLUSION_TEXT = ("site_id", "rule", "kind", "action", "feature", "template", "citation")


def read_records(path: Path, site_ids: list[str]) -> Records:
    """The records of an ``exclusions.csv``, numbered by ``site_ids``' order.

    Text columns are read as text (a feature named "NA" or "1" stays that name); an empty
    measure is missing.
    """
    blanks = {m: [""] for m in MEASURES}
    text = dict.fromkeys(EXCLUSION_TEXT, str)
    table = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=blanks)
    return from_table(table, site_ids)


def _records(run_dir: Path, manifest: Manifest, sites: gpd.GeoDataFrame) -> Records:
    """The run's exclusions and flags, from ``exclusions.csv``.

    Raises
    ------
    OutputError
        For a folder an earlier sitesel wrote, without the table.
    """
    if "exclusions" not in manifest.outputs:
        raise OutputError(
            f"{run_dir}: written by an earlier sitesel, without exclusions.csv (the records"
            " its reasons and flags are written from); rerun `sitesel run`"
        )
    path = run_dir / manifest.outputs["exclusions"]["file"]
    try:
        return read_records(path, sites["site_id"].astype(str).tolist())
    except (OSError, ValueError, KeyError) as exc:
        raise OutputError(
            f"{path}: not a sitesel exclusions table ({exc}); rerun `sitesel run`"
        ) from None


def _allocation_table(path: Path) -> pd.DataFrame | None:
    """``allocation.csv`` (or the matrix) when the run has one."""
    if not path.is_file():
        return None
    text = {c: str for c in ("problem", "site_id", "place", "candidate", "demand")}
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=text)
