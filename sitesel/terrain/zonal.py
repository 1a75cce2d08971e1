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
import shapely
from affine import Affine
from exactextract import exact_extract
from exactextract.raster import NumPyRasterSource

from sitesel._typing import Dem, FloatArray, IntArray
from sitesel.data.hex_lattice import HexLattice, hex_lattice
from sitesel.terrain._wkb_features import WkbFeatureSource
from sitesel.terrain.hex_coverage import MAX_CANDIDATE_CELLS, candidate_cells, hex_coverage


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
    polygons = WkbFeatureSource(np.asarray(sites.values), wkt)
    frame = exact_extract(sources, polygons, stats, output="pandas")
    if len(grids) == 1:  # exactextract leaves out the raster name with a single raster
        (name,) = grids
        frame = frame.rename(columns={s: f"{name}_{s}" for s in stats})
    return {col: frame[col].to_numpy(dtype=float) for col in frame.columns}


STATS = ["mean", "min", "max"]
MAX_COVERAGE_PAIRS = 20_000_000
"""Above this many (site, cell) pairs (about 480 MB of them) each grid's statistics are
streamed by exactextract instead of reusing stored pairs: at 30 m cells a district of
40 ha sites would hold 1.7 * 10^8 pairs; on a synthetic 10^8-cell DEM with 10,000 sites
stored pairs took 17 s against 7 s streamed (benchmarks/zonal_stats.py)."""


class ZonalStats:
    """Mean, min and max of DEM-derived grids over each site, each grid computed once.

    Which cells each site covers, and by what fraction, is found once (one exactextract
    pass over the DEM's grid); every grid's statistics are then weighted sums over those
    cells in numpy, so a second terrain criterion costs almost nothing.

    Parameters
    ----------
    sites
        Site polygons in the DEM's CRS.
    dem
        The elevation grid.
    lattice
        The sites' hexagon lattice when the caller has it (found once per run), else it
        is looked for here.
    """

    def __init__(self, sites: gpd.GeoSeries, dem: Dem, lattice: HexLattice | None = None) -> None:
        self.sites = sites
        self.dem = dem
        self.lattice = lattice
        self._cache: dict[str, dict[str, FloatArray]] = {}

    @cached_property
    def slope_deg(self) -> FloatArray:
        """Slope of every DEM cell in degrees."""
        return slope_deg(self.dem.elevation_m, self.dem.cell_size_m)

    @cached_property
    def _coverage(self) -> tuple[IntArray, IntArray, FloatArray]:
        """Site index, flat cell index and covered fraction of every (site, cell) pair."""
        return coverage_fractions(
            self.sites, self.dem.elevation_m.shape, self.dem.transform, self.lattice
        )

    @cached_property
    def streaming(self) -> bool:
        """Whether the (site, cell) pairs would be too many to hold (a fine DEM)."""
        cell_m2 = abs(self.dem.transform.a * self.dem.transform.e)
        return float(self.sites.area.sum()) / cell_m2 > MAX_COVERAGE_PAIRS

    def platform_cut_m3(self, max_grade_pct: float = 0.0, min_cells: float = 0.0) -> FloatArray:
        """Cut (= fill) volume to grade each site to a balanced platform.

        The platform is a plane through the site's coverage-weighted mean point: level
        (``max_grade_pct`` 0), or tilted along the ground's best-fit gradient, at most
        ``max_grade_pct``. Cut equals fill because the plane passes through the mean height.
        NaN where the site covers fewer than ``min_cells`` cells with a height (one ~1 km
        cell under a 40 ha site says nothing of the earthwork).
        """
        site, cell, fraction = self._coverage
        cols = self.dem.elevation_m.shape[1]
        z = self.dem.elevation_m.ravel()[cell]
        ok = np.isfinite(z) & (fraction > 0)
        site, cell, z, w = site[ok], cell[ok], z[ok], fraction[ok]
        t = self.dem.transform
        x = t.c + (cell % cols + 0.5) * t.a
        y = t.f + (cell // cols + 0.5) * t.e
        n = len(self.sites)

        def total(values: FloatArray) -> FloatArray:
            return np.asarray(np.bincount(site, weights=values, minlength=n), dtype=np.float64)

        weight = total(w)
        with np.errstate(invalid="ignore", divide="ignore"):
            mx, my, mz = total(w * x) / weight, total(w * y) / weight, total(w * z) / weight
            dx, dy, dz = x - mx[site], y - my[site], z - mz[site]
            sxx, sxy, syy = total(w * dx * dx), total(w * dx * dy), total(w * dy * dy)
            sxz, syz = total(w * dx * dz), total(w * dy * dz)
            det = sxx * syy - sxy**2
            gx = np.where(det > 0, (syy * sxz - sxy * syz) / det, 0.0)
            gy = np.where(det > 0, (sxx * syz - sxy * sxz) / det, 0.0)
            grade = np.hypot(gx, gy)
            keep = np.where(grade > 0, np.minimum(1.0, max_grade_pct / 100 / grade), 0.0)
        design = gx[site] * keep[site] * dx + gy[site] * keep[site] * dy
        cell_m2 = abs(t.a * t.e)
        volume = total(np.abs(dz - design) * w * cell_m2) / 2
        enough = (weight > 0) & (weight >= min_cells)
        return np.asarray(np.where(enough, volume, np.nan), dtype=np.float64)

    def of(self, name: str, grid: Callable[[], FloatArray]) -> dict[str, FloatArray]:
        """``{"mean": ..., "min": ..., "max": ...}`` of the grid ``grid()`` called ``name``."""
        if name in self._cache:
            return self._cache[name]
        if self.streaming:
            found = zonal_stats(
                self.sites, {name: grid()}, transform=self.dem.transform, stats=STATS
            )
            self._cache[name] = {stat: found[f"{name}_{stat}"] for stat in STATS}
        else:
            site, cell, fraction = self._coverage
            self._cache[name] = weighted_stats(
                grid().ravel()[cell], site, fraction, len(self.sites)
            )
        return self._cache[name]


def coverage_fractions(
    sites: gpd.GeoSeries,
    shape: tuple[int, int],
    transform: Affine,
    lattice: HexLattice | None = None,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Which cells of a grid each site covers, and the covered fraction of each cell.

    Sites of whole grid cells (:func:`grid_aligned_blocks`) and sitesel's hexagons on a
    grid not much finer than them (:mod:`~sitesel.terrain.hex_coverage`) need no zonal
    geometry; other polygons go through exactextract.

    Returns
    -------
    tuple
        Site index, flat (row-major) cell index and fraction, one entry per pair.
    """
    aligned = grid_aligned_blocks(np.asarray(sites.values), shape, transform)
    if aligned is not None:
        return aligned
    north_up = transform.b == transform.d == 0 and transform.a > 0 and transform.e < 0
    if lattice is None and north_up:  # found once by the sites stage when it can be
        lattice = hex_lattice(np.asarray(sites.values))
    lattice = lattice if north_up else None
    if lattice is not None and candidate_cells(lattice.side, transform) <= MAX_CANDIDATE_CELLS:
        return hex_coverage(lattice, shape, transform)  # sitesel's hexagons: closed form
    return exactextract_coverage(sites, shape, transform)


def exactextract_coverage(
    sites: gpd.GeoSeries, shape: tuple[int, int], transform: Affine
) -> tuple[IntArray, IntArray, FloatArray]:
    """:func:`coverage_fractions` of any polygons, by exactextract."""
    rows, cols = shape
    xmin, ymax = transform.c, transform.f
    xmax, ymin = xmin + cols * transform.a, ymax + rows * transform.e
    wkt = sites.crs.to_wkt() if sites.crs is not None else None
    source = NumPyRasterSource(np.zeros(shape), xmin, ymin, xmax, ymax, name="grid", srs_wkt=wkt)
    polygons = WkbFeatureSource(np.asarray(sites.values), wkt)
    frame = exact_extract(source, polygons, ["cell_id", "coverage"], output="pandas")
    counts = frame["cell_id"].map(len).to_numpy()
    site = np.repeat(np.arange(len(frame)), counts)
    cell = np.concatenate([*frame["cell_id"].to_numpy(), np.empty(0)]).astype(np.int64)
    fraction = np.concatenate([*frame["coverage"].to_numpy(), np.empty(0)]).astype(np.float64)
    return site, cell, fraction


def grid_aligned_blocks(
    geoms: np.ndarray, shape: tuple[int, int], transform: Affine
) -> tuple[IntArray, IntArray, FloatArray] | None:
    """Coverage of sites that are rectangles of whole grid cells, without zonal geometry.

    When every site is an axis-aligned rectangle whose edges lie on the grid's lines
    (``sites.grid.shape: dem_square``, or such parcels), each covers whole cells only:
    the pairs are the cells of its block, each with fraction 1, as exactextract would
    find them. Returns None when any site is not such a rectangle.

    >>> import shapely
    >>> from affine import Affine
    >>> site, cell, frac = grid_aligned_blocks(
    ...     np.array([shapely.box(0, 0, 20, 10), shapely.box(20, 10, 30, 20)]),
    ...     (2, 3), Affine(10, 0, 0, 0, -10, 20))
    >>> site.tolist(), cell.tolist(), frac.tolist()
    ([0, 0, 1], [3, 4, 2], [1.0, 1.0, 1.0])
    """
    rows, cols = shape
    if transform.b or transform.d or transform.a <= 0 or transform.e >= 0 or len(geoms) == 0:
        return None
    xmin, ymin, xmax, ymax = shapely.bounds(geoms).T
    if not np.allclose(shapely.area(geoms), (xmax - xmin) * (ymax - ymin), rtol=1e-9):
        return None
    if not np.all(shapely.get_num_coordinates(geoms) == 5):
        return None
    edges = np.stack(
        [
            (xmin - transform.c) / transform.a,
            (xmax - transform.c) / transform.a,
            (ymax - transform.f) / transform.e,
            (ymin - transform.f) / transform.e,
        ]
    )
    index = np.round(edges)
    if not np.allclose(edges, index, atol=1e-6):
        return None
    c0, c1, r0, r1 = index.astype(np.int64)
    if c0.min() < 0 or r0.min() < 0 or c1.max() > cols or r1.max() > rows or (c1 <= c0).any():
        return None
    width, counts = c1 - c0, (c1 - c0) * (r1 - r0)
    site = np.repeat(np.arange(len(geoms)), counts)
    within = np.arange(len(site)) - np.repeat(np.cumsum(counts) - counts, counts)
    cell = (r0[site] + within // width[site]) * cols + c0[site] + within % width[site]
    return site, cell, np.ones(len(site))


def weighted_stats(
    values: FloatArray, site: IntArray, fraction: FloatArray, n_sites: int
) -> dict[str, FloatArray]:
    """Coverage-weighted mean, and min and max, of cell values per site (NaN cells skipped).

    >>> s = weighted_stats(np.array([1.0, 3.0, np.nan]), np.array([0, 0, 1]),
    ...                    np.array([1.0, 0.5, 1.0]), 2)
    >>> [round(float(v), 4) for v in s["mean"]], s["min"].tolist(), s["max"].tolist()
    ([1.6667, nan], [1.0, nan], [3.0, nan])
    """
    ok = ~np.isnan(values) & (fraction > 0)
    site, values, fraction = site[ok], values[ok], fraction[ok]
    weight = np.bincount(site, weights=fraction, minlength=n_sites)
    total = np.bincount(site, weights=values * fraction, minlength=n_sites)
    low = np.full(n_sites, np.inf)
    high = np.full(n_sites, -np.inf)
    np.minimum.at(low, site, values)
    np.maximum.at(high, site, values)
    empty = weight == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / weight
    return {
        "mean": np.where(empty, np.nan, mean),
        "min": np.where(empty, np.nan, low),
        "max": np.where(empty, np.nan, high),
    }
