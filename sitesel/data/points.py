"""Point layers from tables: places with population (GeoNames), airport runways (OurAirports)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sitesel.data.vector import points_from_table
from sitesel.errors import LayerError

WGS84 = "EPSG:4326"
_RUNWAY_COLUMNS = ("le_latitude_deg", "le_longitude_deg", "he_latitude_deg", "he_longitude_deg")


def _read_csv(path: Path, *, layer: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, low_memory=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise LayerError(f"layer {layer!r}: cannot read {path} as CSV: {exc}") from None


def read_points_csv(
    path: Path, *, x_column: str, y_column: str, crs: str | None, layer: str
) -> gpd.GeoDataFrame:
    """Read a CSV of points with coordinate columns (lon/lat in WGS84 unless ``crs``).

    Parameters
    ----------
    path
        The CSV file.
    x_column, y_column
        Coordinate columns.
    crs
        CRS of the coordinates; WGS84 when None.
    layer
        The catalog layer name, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        One point per row that has both coordinates.
    """
    table = _read_csv(path, layer=layer)
    return points_from_table(
        table, x_column=x_column, y_column=y_column, crs=crs or WGS84, path=path, layer=layer
    )


def read_runways_csv(
    path: Path, *, layer: str, geometry: Literal["midpoint", "line"] = "midpoint"
) -> gpd.GeoDataFrame:
    """Read OurAirports' ``runways.csv``: one feature per open runway.

    Runways without coordinates for both ends (small strips) and closed runways are
    dropped. ``airport_ident`` (the ICAO code, e.g. ``VILH`` for Leh) is kept for selection.

    Parameters
    ----------
    path
        The CSV file.
    layer
        The catalog layer name, for messages.
    geometry
        ``midpoint``: a point at the middle of the runway (a travel-time target);
        ``line``: the runway's centreline from one threshold to the other (``le_*`` to
        ``he_*``), for setbacks that must cover its whole length.

    Returns
    -------
    geopandas.GeoDataFrame
        Runway midpoints or centrelines in WGS84.
    """
    table = _read_csv(path, layer=layer)
    absent = [c for c in (*_RUNWAY_COLUMNS, "airport_ident") if c not in table.columns]
    if absent:
        raise LayerError(
            f"layer {layer!r}: {path.name} is not an OurAirports runways file"
            f" (missing columns {', '.join(absent)})"
        )
    if "closed" in table.columns:
        table = table[pd.to_numeric(table["closed"], errors="coerce").fillna(0) == 0]
    if geometry == "line":
        return _runway_lines(table, path=path, layer=layer)
    table = table.assign(
        mid_lat=(table["le_latitude_deg"] + table["he_latitude_deg"]) / 2,
        mid_lon=(table["le_longitude_deg"] + table["he_longitude_deg"]) / 2,
    )
    return points_from_table(
        table, x_column="mid_lon", y_column="mid_lat", crs=WGS84, path=path, layer=layer,
        expect_blanks=True,
    )  # fmt: skip


def _runway_lines(table: pd.DataFrame, *, path: Path, layer: str) -> gpd.GeoDataFrame:
    """Runway centrelines from the two thresholds' coordinates (rows lacking one dropped)."""
    ends = table[list(_RUNWAY_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    ok = ends.notna().all(axis=1).to_numpy()
    le_lat, le_lon, he_lat, he_lon = ends[ok].to_numpy(dtype=float).T
    valid = (np.abs(np.r_[le_lat, he_lat]) <= 90).all() and (
        np.abs(np.r_[le_lon, he_lon]) <= 180
    ).all()
    if not valid:
        raise LayerError(
            f"layer {layer!r}: {path.name} has runway ends outside -90..90 latitude or"
            " -180..180 longitude; check the coordinate columns"
        )
    coords = np.stack([np.c_[le_lon, le_lat], np.c_[he_lon, he_lat]], axis=1)
    lines = shapely.linestrings(coords)
    return gpd.GeoDataFrame(table[ok].reset_index(drop=True), geometry=np.asarray(lines), crs=WGS84)
