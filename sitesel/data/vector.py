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
import numpy.typing as npt
import pandas as pd
import pyogrio
import pyproj
import shapely

from sitesel.data.numbers import parse_coordinates, parse_numbers, spreadsheet_row
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
    expect_blanks: bool = False,
) -> gpd.GeoDataFrame:
    """Turn a table with coordinate columns into points, dropping rows without coordinates.

    Rows left out are named in a warning, unless ``expect_blanks`` (a source known to hold
    such rows, as OurAirports' small strips): then in the log only.

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
    x = parse_coordinates(table[x_column], axis="x", what=f"layer {layer!r}: {x_column}")
    y = parse_coordinates(table[y_column], axis="y", what=f"layer {layer!r}: {y_column}")
    keep = x.notna() & y.notna()
    if (~keep).any():
        rows = ", ".join(spreadsheet_row(label) for label in table.index[~keep.to_numpy()][:5])
        log.log(
            logging.INFO if expect_blanks else logging.WARNING,
            "layer %s: %d row(s) of %s without coordinates left out (%s%s)",
            *(layer, int((~keep).sum()), path.name, rows, " ..." if (~keep).sum() > 5 else ""),
        )
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
        mask &= _matches(gdf[column], wanted)
    for column, lowest in minimum.items():
        numbers = parse_numbers(gdf[column], what=f"{key}.min.{column}: layer {layer!r}")
        mask &= (numbers >= lowest).to_numpy()
    selected = gdf[mask]
    if selected.empty:
        conditions = [f"{c} in {v!r}" for c, v in where.items()]
        conditions += [f"{c} >= {v}" for c, v in minimum.items()]
        has = [f"{c} has {values_text(gdf[c])}" for c in where]
        has += [f"{c} reaches {parse_numbers(gdf[c], what=c).max():g}" for c in minimum]
        raise EmptyLayerError(
            f"{key}: no feature of layer {layer!r} has {' and '.join(conditions)}"
            f" ({'; '.join(has)})"
        )
    return selected


def _accepted(wanted: Scalar | Sequence[Scalar]) -> list[Scalar]:
    return list(wanted) if isinstance(wanted, list | tuple) else [wanted]  # type: ignore[list-item]


def _matches(series: pd.Series, wanted: Scalar | Sequence[Scalar]) -> npt.NDArray[np.bool_]:
    """Which values of a column are among the accepted ones (as text for a text column)."""
    values = _accepted(wanted)
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        return np.asarray(series.astype(str).isin([str(v) for v in values]).to_numpy(), dtype=bool)
    return np.asarray(series.isin(values).to_numpy(), dtype=bool)


def values_text(series: pd.Series, limit: int = 12) -> str:
    """The values a column holds, most frequent first, for a message.

    >>> values_text(pd.Series(["NH", "SH", "NH", None, "MDR"]))
    'NH, MDR, SH'
    >>> values_text(pd.Series([None]))
    'no values'
    """
    counts = series.dropna().astype(str).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    if counts.empty:
        return "no values"
    shown = ", ".join(counts.index[:limit])
    return shown if len(counts) <= limit else f"{shown} and {len(counts) - limit} more"


def unknown_values(
    gdf: gpd.GeoDataFrame, where: Mapping[str, Scalar | Sequence[Scalar]]
) -> dict[str, list[Scalar]]:
    """Per ``where`` column, the accepted values that no feature of the layer has.

    A value a layer never holds is a slip (``National Highway`` where the layer says
    ``NH``), whatever the study area: a selection with one selects less than it says.

    >>> frame = gpd.GeoDataFrame({"c": ["NH", "SH"]}, geometry=[None, None])
    >>> unknown_values(frame, {"c": ["NH", "National Highway"]})
    {'c': ['National Highway']}
    """
    out: dict[str, list[Scalar]] = {}
    for column, wanted in where.items():
        if column not in gdf.columns:
            continue
        missing = [v for v in _accepted(wanted) if not _matches(gdf[column], [v]).any()]
        if missing:
            out[column] = missing
    return out


def repair_polygons(
    geoms: npt.NDArray[np.object_], names: Sequence[str], *, layer: str, what: str = "feature"
) -> npt.NDArray[np.object_]:
    """Invalid polygons (self-intersecting rings, ...) repaired by ``make_valid``.

    Only the polygonal parts of a repair are kept (a bow-tie's two triangles, not the
    point where they touch); a repair that leaves no area gives an empty polygon. Lines
    and points are left as they are. The repaired features are named in a warning.

    >>> bow = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    >>> fixed = repair_polygons(np.array([bow, shapely.box(0, 0, 1, 1)]), ["a", "b"], layer="x")
    >>> [round(g.area, 1) for g in fixed], bool(shapely.is_valid(fixed).all())
    ([50.0, 1.0], True)
    """
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])  # Polygon, MultiPolygon
    invalid = np.flatnonzero(polygonal & ~shapely.is_valid(geoms))
    if len(invalid) == 0:
        return geoms
    parts, index = shapely.get_parts(shapely.make_valid(geoms[invalid]), return_index=True)
    keep = np.isin(shapely.get_type_id(parts), [3, 6])
    fixed = [shapely.union_all(parts[keep & (index == k)]) for k in range(len(invalid))]
    out = np.asarray(geoms, dtype=object).copy()
    out[invalid] = [shapely.Polygon() if g.is_empty else g for g in fixed]
    shown = ", ".join(str(names[i]) for i in invalid[:10]) + (" ..." if len(invalid) > 10 else "")
    log.warning(
        "layer %s: %d %s(s) had invalid geometry and were repaired with make_valid: %s",
        *(layer, len(invalid), what, shown),
    )
    return out
