"""Read vector layers (any OGR format, zipped or not) and select features by attribute."""

from __future__ import annotations

import difflib
import logging
import unicodedata
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj

from sitesel.errors import CrsError, EmptyLayerError, LayerError

log = logging.getLogger(__name__)

Scalar = str | int | float | bool


def read_vector(path: Path, *, layer: str, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file with pyogrio and make sure it has a CRS and features.

    Parameters
    ----------
    path
        Any file GDAL reads (``.zip`` shapefiles included).
    layer
        The catalog layer name, for messages.
    crs
        CRS to assign when the file declares none.

    Returns
    -------
    geopandas.GeoDataFrame
        The features, with their CRS.

    Raises
    ------
    LayerError
        If the file cannot be read.
    CrsError
        If the file has no CRS and none is given.
    EmptyLayerError
        If it has no features.
    """
    if path.suffix.lower() == ".zip" and not _is_whole_zip(path):
        raise LayerError(
            f"layer {layer!r}: {path} is not a complete zip archive (truncated or damaged);"
            " download it again or restore it from its source"
        )
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise LayerError(f"layer {layer!r}: cannot read {path}: {exc}") from None
    return _checked(gdf, path=path, layer=layer, crs=crs)


def _is_whole_zip(path: Path) -> bool:
    """Whether a zip archive opens and every member's CRC checks."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return False


def points_from_table(
    table: pd.DataFrame,
    *,
    x_column: str,
    y_column: str,
    crs: str,
    path: Path,
    layer: str,
) -> gpd.GeoDataFrame:
    """Turn a table with coordinate columns into points, dropping rows without coordinates.

    Raises
    ------
    LayerError
        If a coordinate column is missing.
    """
    for key, column in (("x_column", x_column), ("y_column", y_column)):
        if column not in table.columns:
            raise LayerError(
                f"layer {layer!r}: {path.name} has no column {column!r} ({key} in the catalog);"
                f" it has {', '.join(map(str, table.columns))}"
            )
    x = pd.to_numeric(table[x_column], errors="coerce")
    y = pd.to_numeric(table[y_column], errors="coerce")
    keep = x.notna() & y.notna()
    if (~keep).any():
        log.info("layer %s: %d rows without coordinates dropped", layer, int((~keep).sum()))
    table = table.loc[keep]
    gdf = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(x[keep], y[keep]), crs=crs)
    return _checked(gdf, path=path, layer=layer, crs=crs)


def _checked(gdf: gpd.GeoDataFrame, *, path: Path, layer: str, crs: str | None) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        if crs is None:
            raise CrsError(
                f"layer {layer!r}: {path.name} has no CRS; set crs: (e.g. EPSG:4326) for this"
                " layer in the layer catalog"
            )
        try:
            gdf = gdf.set_crs(pyproj.CRS.from_user_input(crs))
        except pyproj.exceptions.CRSError:
            raise CrsError(f"layer {layer!r}: crs {crs!r} in the catalog is not a CRS") from None
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if gdf.empty:
        raise EmptyLayerError(f"layer {layer!r}: {path.name} has no features with a geometry")
    return gdf


def _folded(text: str) -> str:
    """Text without case, accents or repeated spaces, for matching place names."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def select_place(
    gdf: gpd.GeoDataFrame, name: str, *, name_column: str | None, layer: str, key: str
) -> gpd.GeoDataFrame:
    """The one feature called ``name``; case, accents and spacing are ignored.

    "ramgarh" finds Rāmgarh.
    Where several features share the name, the most populous is taken when the layer has a
    ``population`` column and one of them stands out (ten times the next); otherwise the
    choice is left to the planner.

    Raises
    ------
    LayerError
        If the layer has no name column, the name is missing (listing near matches) or
        ambiguous (listing the candidates with their coordinates).
    """
    if name_column is None or name_column not in gdf.columns:
        raise LayerError(f"{key}.place: layer {layer!r} has no name_column in the catalog")
    names = gdf[name_column].astype(str)
    found = gdf[names.map(_folded) == _folded(name)]
    if found.empty:
        near = difflib.get_close_matches(name, sorted(set(names)), n=5, cutoff=0.6)
        hint = f"; near matches: {', '.join(near)}" if near else ""
        raise LayerError(f"{key}.place: no place called {name!r} in layer {layer!r}{hint}")
    if len(found) > 1 and "population" in found.columns:
        pop = pd.to_numeric(found["population"], errors="coerce").fillna(0).sort_values()
        if pop.iloc[-1] >= 10 * max(pop.iloc[-2], 1):
            return found.loc[[pop.index[-1]]]
    if len(found) > 1:
        where = "; ".join(
            f"{n} at {p.x:.3f}, {p.y:.3f}"
            for n, p in zip(found[name_column], found.to_crs(4326).geometry, strict=True)
        )
        raise LayerError(
            f"{key}.place: {len(found)} places in layer {layer!r} are called {name!r} ({where});"
            " pick one with where: on another column"
        )
    return found


def select(
    gdf: gpd.GeoDataFrame,
    *,
    where: Mapping[str, Scalar | Sequence[Scalar]],
    minimum: Mapping[str, float],
    layer: str,
    key: str,
) -> gpd.GeoDataFrame:
    """Keep the features that meet every condition.

    Parameters
    ----------
    gdf
        The layer.
    where
        Column -> accepted value or list of values (compared as text when the column is
        text, so ``7`` matches ``"7"``).
    minimum
        Column -> minimum value, inclusive.
    layer
        The layer name, for messages.
    key
        The config key that made the selection, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        The selected features.

    Raises
    ------
    LayerError
        If a column does not exist.
    EmptyLayerError
        If no feature is left.
    """
    mask = np.ones(len(gdf), dtype=bool)
    for column in {**where, **minimum}:
        if column not in gdf.columns:
            raise LayerError(
                f"{key}: layer {layer!r} has no column {column!r};"
                f" it has {', '.join(c for c in gdf.columns if c != 'geometry')}"
            )
    for column, wanted in where.items():
        values = list(wanted) if isinstance(wanted, list | tuple) else [wanted]
        series = gdf[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            mask &= series.astype(str).isin([str(v) for v in values]).to_numpy()
        else:
            mask &= series.isin(values).to_numpy()
    for column, lowest in minimum.items():
        mask &= (pd.to_numeric(gdf[column], errors="coerce") >= lowest).to_numpy()
    selected = gdf[mask]
    if selected.empty:
        conditions = [f"{c} in {v!r}" for c, v in where.items()]
        conditions += [f"{c} >= {v}" for c, v in minimum.items()]
        raise EmptyLayerError(
            f"{key}: no feature of layer {layer!r} has {' and '.join(conditions)}"
        )
    return selected
