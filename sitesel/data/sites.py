"""Candidate sites: a generated grid (hexagons, or squares of DEM cells), or parcels."""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from affine import Affine
from shapely.geometry.base import BaseGeometry

from sitesel._typing import IntArray
from sitesel.data.vector import repair_polygons
from sitesel.errors import ConfigError, EmptyLayerError, LayerError
from sitesel.units import M2_PER_HA

log = logging.getLogger(__name__)


def hexagon_side_m(cell_area_ha: float) -> float:
    """Side length of a regular hexagon of the given area.

    >>> round(hexagon_side_m(3 * math.sqrt(3) / 2 / M2_PER_HA), 9)
    1.0
    """
    return math.sqrt(2 * cell_area_ha * M2_PER_HA / (3 * math.sqrt(3)))


DEFAULT_MAX_CELLS = 2_000_000
"""Most grid cells a study may ask for unless its config raises ``sites.grid.max_cells``."""


def hex_grid(
    area: BaseGeometry,
    *,
    cell_area_ha: float,
    crs: pyproj.CRS,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> gpd.GeoDataFrame:
    """Flat-topped hexagons of ``cell_area_ha`` whose centre lies in ``area``.

    Parameters
    ----------
    area
        The study area in a projected CRS (metres).
    cell_area_ha
        Area of each cell in hectares.
    crs
        The CRS of ``area``.
    max_cells
        Refuse (before building anything) a grid whose bounding box holds more cells.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``site_id`` (``"H<col>_<row>"``, stable for a given area and cell size)
        and the hexagon geometry.

    Raises
    ------
    EmptyLayerError
        If no cell centre falls in the area (cells larger than the area).
    ConfigError
        If the grid would hold more than ``max_cells`` cells.
    """
    side = hexagon_side_m(cell_area_ha)
    dx, dy = 1.5 * side, math.sqrt(3) * side
    xmin, ymin, xmax, ymax = area.bounds
    _refuse_too_many(area, dx, dy, cell_area_ha, max_cells)
    cols = np.arange(math.floor(xmin / dx) - 1, math.ceil(xmax / dx) + 2)
    rows = np.arange(math.floor(ymin / dy) - 1, math.ceil(ymax / dy) + 2)
    col_idx, row_idx = np.meshgrid(cols, rows, indexing="ij")
    cx = col_idx.ravel() * dx
    cy = row_idx.ravel() * dy + np.where(col_idx.ravel() % 2 == 1, dy / 2, 0.0)
    shapely.prepare(area)
    inside = shapely.contains_xy(area, cx, cy)
    cx, cy = cx[inside], cy[inside]
    if len(cx) == 0:
        raise EmptyLayerError(
            f"sites.grid: no cell of {cell_area_ha:.1f} ha has its centre in the study area;"
            " use smaller cells or a larger study area"
        )
    angles = np.deg2rad(np.arange(0, 360, 60))
    ring = np.stack(
        [cx[:, None] + side * np.cos(angles), cy[:, None] + side * np.sin(angles)], axis=-1
    )
    polygons = shapely.polygons(ring)
    ids = _hex_ids(col_idx.ravel()[inside], row_idx.ravel()[inside])
    log.info("grid: %d hexagons of %.1f ha", len(ids), cell_area_ha)
    return gpd.GeoDataFrame({"site_id": ids}, geometry=polygons, crs=crs)


def _hex_ids(cols: IntArray, rows: IntArray) -> list[str]:
    """``"H<col>_<row>"`` per cell, formatted from Python ints (numpy's take twice as long)."""
    return [f"H{c}_{r}" for c, r in zip(cols.tolist(), rows.tolist(), strict=True)]


def dem_square_grid(
    area: BaseGeometry,
    *,
    cell_area_ha: float,
    transform: Affine,
    shape: tuple[int, int],
    crs: pyproj.CRS,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> gpd.GeoDataFrame:
    """Squares of k x k whole DEM cells whose centre lies in ``area``.

    k is the smallest whole number giving at least ``cell_area_ha``. A site thus covers
    whole DEM cells only, and its terrain statistics need no zonal geometry.

    Parameters
    ----------
    area
        The study area, in the DEM's projected CRS.
    cell_area_ha
        Smallest area of a cell in hectares.
    transform, shape
        The DEM grid (north-up, square cells) and its rows and columns.
    crs, max_cells
        The CRS of ``area`` and the DEM; refuse a grid with more cells than this.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id`` (``"Q<col>_<row>"``, from the DEM window's corner) and the square.

    Raises
    ------
    ConfigError
        If the DEM's cells are not square and north-up, or the grid is too big.
    EmptyLayerError
        If no square has its centre in the area.
    """
    size_m, k = _square_of_dem_cells(transform, cell_area_ha)
    rows, cols = shape[0] // k, shape[1] // k
    if rows * cols > max_cells:
        raise ConfigError(
            f"sites.grid: {rows * cols:,} squares of {(k * size_m) ** 2 / M2_PER_HA:g} ha are"
            f" more than max_cells ({max_cells:,}); use larger cells or a smaller study area,"
            " or raise sites.grid.max_cells if this machine has the memory"
        )
    col_idx, row_idx = (g.ravel() for g in np.meshgrid(range(cols), range(rows), indexing="ij"))
    side = k * size_m
    x0, y1 = transform.c + col_idx * side, transform.f - row_idx * side
    shapely.prepare(area)
    inside = shapely.contains_xy(area, x0 + side / 2, y1 - side / 2)
    if not inside.any():
        raise EmptyLayerError(
            f"sites.grid: no square of {side:.0f} m has its centre in the study area;"
            " use smaller cells or a larger study area"
        )
    x0, y1 = x0[inside], y1[inside]
    squares = shapely.box(x0, y1 - side, x0 + side, y1)
    ids = [f"Q{c}_{r}" for c, r in zip(col_idx[inside], row_idx[inside], strict=True)]
    log.info("grid: %d squares of %d x %d DEM cells (%.1f ha)", len(ids), k, k, side**2 / 1e4)
    return gpd.GeoDataFrame({"site_id": ids}, geometry=squares, crs=crs)


def _square_of_dem_cells(transform: Affine, cell_area_ha: float) -> tuple[float, int]:
    """The DEM's cell size and the k of the smallest k x k square reaching the area.

    >>> _square_of_dem_cells(Affine(300, 0, 0, 0, -300, 0), 40.47)
    (300.0, 3)
    """
    size_m = transform.a
    if transform.b or transform.d or not math.isclose(-transform.e, size_m, rel_tol=1e-9):
        raise ConfigError(
            "sites.grid.shape dem_square: the DEM's cells are not square and north-up here;"
            " set dem.resolution_m so it is resampled to square cells"
        )
    return size_m, max(1, math.ceil(math.sqrt(cell_area_ha * M2_PER_HA) / size_m - 1e-9))


def _refuse_too_many(
    area: BaseGeometry, dx: float, dy: float, cell_area_ha: float, max_cells: int
) -> None:
    """Refuse a grid whose bounding box holds more than ``max_cells`` cells."""
    xmin, ymin, xmax, ymax = area.bounds
    needed = (math.ceil(xmax / dx) - math.floor(xmin / dx) + 3) * (
        math.ceil(ymax / dy) - math.floor(ymin / dy) + 3
    )
    if needed > max_cells:
        raise ConfigError(
            f"sites.grid: a study area of {area.area / 1e6:,.0f} km2 in cells of"
            f" {cell_area_ha:g} ha needs about {needed:,} cells, more than max_cells"
            f" ({max_cells:,}); use larger cells or a smaller study area, or raise"
            " sites.grid.max_cells if this machine has the memory"
        )


def parcel_sites(
    parcels: gpd.GeoDataFrame, *, id_column: str | None, layer: str
) -> gpd.GeoDataFrame:
    """Candidate sites from a polygon layer (already in the working CRS).

    Parameters
    ----------
    parcels
        Polygon features.
    id_column
        Column holding a unique parcel id; ``"P<row>"`` when None.
    layer
        The catalog layer name, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``site_id`` and geometry.

    Raises
    ------
    LayerError
        If the layer has no polygons, the id column is missing or ids repeat.
    """
    polys = parcels[parcels.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.empty:
        raise EmptyLayerError(f"layer {layer!r}: has no polygons to use as parcels")
    if id_column is None:
        ids = [f"P{i}" for i in range(len(polys))]
    else:
        if id_column not in polys.columns:
            raise LayerError(
                f"sites.parcels.id_column: layer {layer!r} has no column {id_column!r}"
            )
        ids = polys[id_column].astype(str).tolist()
        if len(set(ids)) != len(ids):
            raise LayerError(
                f"sites.parcels.id_column: column {id_column!r} of layer {layer!r} has"
                " repeated values; parcel ids must be unique"
            )
    geoms = repair_polygons(polys.geometry.to_numpy(), ids, layer=layer, what="parcel")
    empty = [ids[i] for i in np.flatnonzero(shapely.is_empty(geoms) | (shapely.area(geoms) <= 0))]
    if empty:
        raise LayerError(
            f"layer {layer!r}: parcels {', '.join(empty[:10])} have invalid geometry with no area"
            " left after repair; fix or remove them"
        )
    return gpd.GeoDataFrame({"site_id": ids}, geometry=geoms, crs=polys.crs)
