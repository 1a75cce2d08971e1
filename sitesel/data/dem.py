"""Elevation models: GeoTIFF, DTED or HGT, one file or several tiles, in the working CRS."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pyproj
import rasterio
from affine import Affine
from rasterio.errors import RasterioError, RasterioIOError
from rasterio.merge import merge
from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

from sitesel._typing import Bounds, Dem, FloatArray
from sitesel.errors import CoverageError, CrsError, DemSizeError, LayerError

log = logging.getLogger(__name__)

HEIGHT_RANGE_M = (-500.0, 9_000.0)
"""Heights a DEM can hold on Earth (the Dead Sea shore lies at -430 m, Everest's summit at
8,849 m); a value beyond is a void its file does not tag as nodata (-32,767, -9,999, ...)."""

DEFAULT_MAX_CELLS = 50_000_000
"""Cells a DEM may have in memory (400 MB of float64 heights) unless the config allows more."""


def load_dem(
    paths: list[Path],
    *,
    dst_crs: pyproj.CRS,
    area_bounds: Bounds,
    margin_m: float,
    resolution_m: float | None,
    layer: str,
    crs: str | None = None,
    partial: bool = False,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> Dem:
    """Read DEM files, mosaic them, and reproject the part around the study area.

    Parameters
    ----------
    paths
        One raster, or several tiles (GeoTIFF, DTED ``.dt0``, SRTM ``.hgt``: what GDAL reads).
    dst_crs, area_bounds
        The working CRS (projected, metres) and the study area's bounds in it (the DEM
        must cover them).
    margin_m
        Extra border kept around the study area (slopes at its edge get real neighbours).
    resolution_m
        Cell size after reprojection; when None, the source's, in metres.
    layer, crs
        The catalog layer name, for messages; the CRS to assume when a file has none.
    partial
        The DEM may cover part of the study area only (a fine raster of a stack).
    max_cells
        The most cells the source window or the reprojected grid may have (checked first).

    Returns
    -------
    Dem
        Heights in metres (bilinear), nodata as NaN, as are heights outside
        :data:`HEIGHT_RANGE_M` (untagged voids, named in a warning).

    Raises
    ------
    LayerError, CrsError, CoverageError, DemSizeError
        A file cannot be read, has no CRS, the tiles miss the study area, or the DEM
        would have more than ``max_cells`` cells.
    """
    src_crs, want, src, src_transform = _mosaic(
        paths, dst_crs=dst_crs, area_bounds=area_bounds, margin_m=margin_m, layer=layer,
        crs=crs, partial=partial, max_cells=max_cells,
    )  # fmt: skip
    src = _voids_as_nodata(src, layer=layer)
    out, dst_transform = _reproject(
        src, src_transform, src_crs, want, dst_crs, resolution_m, layer=layer, max_cells=max_cells
    )
    height, width = out.shape
    log.info(
        "layer %s: %d file(s) mosaicked, %dx%d cells of %.0f m",
        *(layer, len(paths), width, height, dst_transform.a),
    )
    return Dem(
        elevation_m=out, transform=dst_transform, crs=dst_crs, source_crs=src_crs.to_string()
    )


def _reproject(
    src: FloatArray,
    src_transform: Affine,
    src_crs: pyproj.CRS,
    want: Bounds,
    dst_crs: pyproj.CRS,
    resolution_m: float | None,
    *,
    layer: str,
    max_cells: int,
) -> tuple[FloatArray, Affine]:
    """Heights reprojected (bilinear) to the working CRS, in square cells."""
    rows, cols = src.shape
    dst_transform, width, height = calculate_default_transform(
        src_crs, dst_crs, cols, rows, *want, resolution=resolution_m
    )
    if resolution_m is None:  # square cells of the source's size (its mean, if reprojected)
        size = (
            abs(src_transform.a)
            if src_crs == dst_crs
            else float(np.sqrt(abs(dst_transform.a * dst_transform.e)))
        )
        dst_transform, width, height = calculate_default_transform(
            src_crs, dst_crs, cols, rows, *want, resolution=size
        )
    _check_cells(
        int(width) * int(height), max_cells, layer=layer,
        what=f"reprojected to {abs(dst_transform.a):,.1f} m cells",
    )  # fmt: skip
    out = np.full((height, width), np.nan)
    reproject(
        src,
        out,
        src_transform=src_transform,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=dst_crs,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    return out, dst_transform


def _mosaic(
    paths: list[Path],
    *,
    dst_crs: pyproj.CRS,
    area_bounds: Bounds,
    margin_m: float,
    layer: str,
    crs: str | None,
    partial: bool = False,
    max_cells: int = DEFAULT_MAX_CELLS,
) -> tuple[pyproj.CRS, Bounds, FloatArray, Affine]:
    """The tiles merged over the area plus margin, in their own CRS, nodata as NaN.

    Returns the source CRS, the bounds read (in it), the heights and their transform.
    """
    datasets = []
    try:
        for path in paths:
            try:
                datasets.append(rasterio.open(path))
            except RasterioIOError as exc:
                raise LayerError(
                    f"layer {layer!r}: cannot read {path} as a raster: {exc}"
                ) from None
        src_crs = _common_crs(datasets, paths, layer=layer, assumed=crs)
        xmin, ymin, xmax, ymax = area_bounds
        want = transform_bounds(
            dst_crs, src_crs, xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m
        )
        if partial:
            want = _overlap(datasets, want, layer=layer)
        else:
            _check_coverage(datasets, transform_bounds(dst_crs, src_crs, *area_bounds), layer=layer)
        res_x, res_y = datasets[0].res
        window_cells = ((want[2] - want[0]) / res_x) * ((want[3] - want[1]) / res_y)
        _check_cells(int(window_cells), max_cells, layer=layer, what="read around the study area")
        nodata = datasets[0].nodata
        try:
            mosaic, mosaic_transform = merge(datasets, bounds=want, nodata=nodata, dtype="float64")
        except RasterioError:
            raise LayerError(f"layer {layer!r}: {_unreadable(datasets, paths)}") from None
    finally:
        for ds in datasets:
            ds.close()
    src = mosaic[0]
    if nodata is not None:
        src = np.where(src == nodata, np.nan, src)
    return src_crs, want, src, mosaic_transform


def _check_cells(cells: int, max_cells: int, *, layer: str, what: str) -> None:
    """Refuse a DEM grid of more than ``max_cells`` cells before it is allocated.

    Raises
    ------
    DemSizeError
        Naming the layer, the cells asked for, the memory, the limit and the ways out.
    """
    if cells > max_cells:
        raise DemSizeError(
            f"layer {layer!r}: the DEM {what} would have {cells:,} cells"
            f" ({cells * 8 / 1e9:,.1f} GB of heights), more than dem.max_cells ({max_cells:,});"
            " choose a coarser dem.resolution_m, a smaller study area, or raise dem.max_cells"
        )


def _voids_as_nodata(heights: FloatArray, *, layer: str) -> FloatArray:
    """Heights outside :data:`HEIGHT_RANGE_M` set to NaN, with a warning giving their share.

    >>> _voids_as_nodata(np.array([3500.0, -32742.0, np.nan, 12.0]), layer="x").tolist()
    [3500.0, nan, nan, 12.0]
    """
    low, high = HEIGHT_RANGE_M
    with np.errstate(invalid="ignore"):
        void = np.isfinite(heights) & ((heights < low) | (heights > high)) | np.isinf(heights)
    if not void.any():
        return heights
    share = void.sum() / max(int(np.isfinite(heights).sum() + np.isinf(heights).sum()), 1)
    log.warning(
        "layer %s: %.2f%% of the cells read hold heights outside %g to %g m (voids not tagged"
        " as nodata?); treated as nodata",
        *(layer, 100 * share, low, high),
    )
    return np.where(void, np.nan, heights)


def _unreadable(datasets: list[rasterio.DatasetReader], paths: list[Path]) -> str:
    """Which tile's heights cannot be read (each tile is read in full, on this error path)."""
    for ds, path in zip(datasets, paths, strict=True):
        try:
            ds.read(1)
        except RasterioError as exc:
            return (
                f"the heights of {path} cannot be read ({exc}); the file is truncated or"
                " damaged: download it again or restore it from its source"
            )
    return f"the tiles {', '.join(p.name for p in paths)} cannot be merged"


def _common_crs(
    datasets: list[rasterio.DatasetReader], paths: list[Path], *, layer: str, assumed: str | None
) -> pyproj.CRS:
    crses = set()
    for ds, path in zip(datasets, paths, strict=True):
        if ds.crs is None:
            if assumed is None:
                raise CrsError(
                    f"layer {layer!r}: {path.name} has no CRS; set crs: for this layer in the"
                    " layer catalog"
                )
            crses.add(pyproj.CRS.from_user_input(assumed).to_wkt())
        else:
            crses.add(pyproj.CRS.from_user_input(ds.crs).to_wkt())
    if len(crses) > 1:
        raise CrsError(f"layer {layer!r}: its tiles are in different CRSs; reproject them first")
    return pyproj.CRS.from_wkt(crses.pop())


def _overlap(datasets: list[rasterio.DatasetReader], want: Bounds, *, layer: str) -> Bounds:
    """The part of ``want`` the files cover (in their CRS).

    Raises
    ------
    CoverageError
        If they cover none of it.
    """
    left = max(want[0], min(ds.bounds.left for ds in datasets))
    bottom = max(want[1], min(ds.bounds.bottom for ds in datasets))
    right = min(want[2], max(ds.bounds.right for ds in datasets))
    top = min(want[3], max(ds.bounds.top for ds in datasets))
    if left >= right or bottom >= top:
        raise CoverageError(
            f"layer {layer!r}: the DEM covers no part of the study area and its margin"
        )
    return (left, bottom, right, top)


def _check_coverage(datasets: list[rasterio.DatasetReader], area: Bounds, *, layer: str) -> None:
    left = min(ds.bounds.left for ds in datasets)
    bottom = min(ds.bounds.bottom for ds in datasets)
    right = max(ds.bounds.right for ds in datasets)
    top = max(ds.bounds.top for ds in datasets)
    if area[0] < left or area[1] < bottom or area[2] > right or area[3] > top:
        raise CoverageError(
            f"layer {layer!r}: the DEM (bounds {left:.4f}, {bottom:.4f}, {right:.4f},"
            f" {top:.4f}) does not cover the study area ({area[0]:.4f}, {area[1]:.4f},"
            f" {area[2]:.4f}, {area[3]:.4f}); add tiles or shrink the study area"
        )
