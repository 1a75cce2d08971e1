"""File writers of a run folder: tables, GeoPackage, GeoTIFF (staged by :mod:`.staging`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyogrio
import pyproj
import rasterio
from affine import Affine

from sitesel.manifest import build_time
from sitesel.result import FLOAT_DECIMALS

SITES_LAYER = "sites"
FIXED_TIME = "2000-01-01T00:00:00.000Z"
"""GeoPackage timestamps when ``SOURCE_DATE_EPOCH`` is not set: same inputs, same bytes."""


def gpkg_time() -> str:
    """The time a GeoPackage records: ``SOURCE_DATE_EPOCH``'s, else :data:`FIXED_TIME`."""
    when = build_time()
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z") if when else FIXED_TIME


@contextmanager
def fixed_gpkg_time() -> Iterator[None]:
    """GeoPackages written in the block carry a fixed time, not the clock's."""
    stamp = gpkg_time()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


UTF8_BOM = b"\xef\xbb\xbf"
"""The byte-order mark that tells Excel a CSV is UTF-8 (without it Excel on Windows reads
the bytes as the office's ANSI code page, and "Sāhibganj" or any Hindi name comes out
garbled). pandas, QGIS, GDAL and Python's ``utf-8-sig`` skip it."""


def write_table_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV with a byte-order mark, through Arrow's CSV writer.

    The mark makes a double-click open the file in Excel with its place names right (an
    ``.xlsx`` beside it would double the outputs and need openpyxl: the mark costs three
    bytes). Arrow formats numbers in C++ (shortest text that reads back to the same float,
    as pandas does), twelve times faster than ``DataFrame.to_csv``: 1 s instead of 11.5 s
    for a district's 383k x 40 ranking. Text values are quoted (the header only where
    needed), booleans are ``true``/``false``, missing values are empty, lines end in a
    newline; the same table gives the same bytes.
    """
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(table.columns)  # quoted only if needed
    try:
        arrow = pa.Table.from_pandas(table, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a text column holding numbers too
        text = table.select_dtypes(include="object").columns
        arrow = pa.Table.from_pandas(
            table.astype(dict.fromkeys(text, "string")), preserve_index=False
        )
    with path.open("wb") as out:
        out.write(UTF8_BOM + header.getvalue().encode("utf-8"))
        pa_csv.write_csv(
            arrow, out, pa_csv.WriteOptions(include_header=False, quoting_style="needed")
        )


LARGE_RUN_SITES = 100_000
"""Above this many sites, the sites go to GeoParquet (``sites.parquet``) instead of the
GeoPackage: at district scale a GeoPackage layer takes seconds to minutes to write, a
GeoParquet file about a second per million rows."""


LonLat = tuple[np.ndarray, np.ndarray]


def _with_lon_lat(sites: gpd.GeoDataFrame, lon_lat: LonLat) -> gpd.GeoDataFrame:
    out = sites.copy()
    lon, lat = lon_lat
    out.insert(1, "lon", np.round(lon, FLOAT_DECIMALS))
    out.insert(2, "lat", np.round(lat, FLOAT_DECIMALS))
    return out


def write_sites_gpkg(sites: gpd.GeoDataFrame, lon_lat: LonLat, path: Path) -> None:
    """Write the sites (with every output column, centroid lon/lat) as layer ``sites``."""
    out = _with_lon_lat(sites, lon_lat)
    out["rank"] = out["rank"].astype("float64")  # GeoPackage has no nullable integer
    out.to_file(path, layer=SITES_LAYER, driver="GPKG", engine="pyogrio")


def write_sites_parquet(sites: gpd.GeoDataFrame, lon_lat: LonLat, path: Path) -> None:
    """Write the sites (with every output column, centroid lon/lat) as GeoParquet."""
    _with_lon_lat(sites, lon_lat).to_parquet(path, index=False, compression="zstd")


def write_elevation_tif(
    elevation_m: np.ndarray, transform: Affine, crs: pyproj.CRS, path: Path
) -> None:
    """Write a DEM grid as a deflate-compressed float32 GeoTIFF (NaN as nodata)."""
    rows, cols = elevation_m.shape
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=cols,
        height=rows,
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform,
        nodata=float("nan"),
        compress="deflate",
    ) as dst:
        dst.write(elevation_m.astype("float32"), 1)
