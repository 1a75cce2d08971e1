"""Per-site terrain statistics by exact zonal statistics, shared by the terrain criteria.

Zonal statistics use exactextract, which weights each DEM cell by the fraction of it a
site covers. With a ~1 km DEM and 40 ha sites (smaller than one cell) a rasterize-and-count
approach would give many sites no cell at all; coverage weighting gives every site a value.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import geopandas as gpd
import numpy as np
from affine import Affine
from exactextract import exact_extract
from exactextract.raster import NumPyRasterSource

from sitesel._typing import Dem, FloatArray

STATS = ("mean", "min", "max")


def slope_deg(elevation_m: FloatArray, cell_size_m: float) -> FloatArray:
    """Slope of each cell in degrees, from central differences (one-sided at edges).

    Parameters
    ----------
    elevation_m
        Heights on a square grid, NaN where unknown.
    cell_size_m
        Cell width and height in metres.

    Returns
    -------
    numpy.ndarray
        Slope in degrees, same shape.

    Examples
    --------
    A plane rising 1 m per metre eastwards slopes at 45 degrees everywhere:

    >>> import numpy as np
    >>> plane = np.tile(np.arange(4.0) * 30, (3, 1))
    >>> slope_deg(plane, 30.0).round(6).tolist()[1]
    [45.0, 45.0, 45.0, 45.0]
    """
    dz_dy, dz_dx = np.gradient(elevation_m, cell_size_m)
    return np.asarray(np.degrees(np.arctan(np.hypot(dz_dx, dz_dy))), dtype=np.float64)


def zonal_stats(
    sites: gpd.GeoSeries,
    grids: dict[str, FloatArray],
    *,
    transform: Affine,
    stats: list[str],
) -> dict[str, FloatArray]:
    """Coverage-weighted statistics of several aligned grids over each site.

    Parameters
    ----------
    sites
        Site polygons, in the grids' CRS.
    grids
        Name -> 2-D array, all on the grid described by ``transform``; NaN is nodata.
    transform
        Affine transform of the grids (north-up).
    stats
        exactextract operations (``mean``, ``min``, ``max``, ...).

    Returns
    -------
    dict
        ``"<name>_<stat>"`` -> one value per site (NaN where a site covers no data).
    """
    rows, cols = next(iter(grids.values())).shape
    xmin, ymax = transform.c, transform.f
    xmax, ymin = xmin + cols * transform.a, ymax + rows * transform.e
    wkt = sites.crs.to_wkt() if sites.crs is not None else None
    sources = [
        NumPyRasterSource(
            np.ascontiguousarray(grid), xmin, ymin, xmax, ymax, name=name, srs_wkt=wkt
        )
        for name, grid in grids.items()
    ]
    frame = exact_extract(
        sources, gpd.GeoDataFrame(geometry=sites.reset_index(drop=True)), stats, output="pandas"
    )
    if len(grids) == 1:  # exactextract leaves out the raster name with a single raster
        (name,) = grids
        frame = frame.rename(columns={s: f"{name}_{s}" for s in stats})
    return {col: frame[col].to_numpy(dtype=float) for col in frame.columns}


class ZonalStats:
    """Mean, min and max of DEM-derived grids over each site, each grid computed once.

    Parameters
    ----------
    sites
        Site polygons in the DEM's CRS.
    dem
        The elevation grid.
    """

    def __init__(self, sites: gpd.GeoSeries, dem: Dem) -> None:
        self.sites = sites
        self.dem = dem
        self._cache: dict[str, dict[str, FloatArray]] = {}

    @cached_property
    def slope_deg(self) -> FloatArray:
        """Slope of every DEM cell in degrees."""
        return slope_deg(self.dem.elevation_m, self.dem.cell_size_m)

    def of(self, name: str, grid: Callable[[], FloatArray]) -> dict[str, FloatArray]:
        """``{"mean": ..., "min": ..., "max": ...}`` of the grid ``grid()`` called ``name``."""
        if name not in self._cache:
            values = zonal_stats(
                self.sites, {name: grid()}, transform=self.dem.transform, stats=list(STATS)
            )
            self._cache[name] = {stat: values[f"{name}_{stat}"] for stat in STATS}
        return self._cache[name]
