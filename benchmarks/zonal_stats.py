"""Per-site terrain statistics: sitesel against exactextract, rasterstats and a bincount.

Two cases, each side the median of 3 runs:
- real: the 100 km Leh study's 40 ha hexagons (77,000 of them, a grid around Leh town,
  34.1642 N 77.5848 E from GeoNames) on the DTED0 tiles of the shared data folder
  reprojected to UTM 43N (~840 m cells): sites smaller than a cell, sitesel's case;
- synthetic: 10,000 sites on a 10^8-cell DEM (10 m cells; ~2 GB RAM): many cells a site.

sitesel weights each cell by the share of it a site covers: for its own hexagons on a
grid not much finer than them in closed form (sitesel.terrain.hex_coverage), else through
exactextract. References on the same in-memory slope grid: exactextract's own
coverage-weighted mean (the same statistic, one polygon at a time), ``rasterstats.
zonal_stats`` (what a user reaches for) and "rasterize once, then numpy.bincount". The last
two count cell centres only: a site smaller than a cell may get no cell at all (counted as
``sites_without_value``).

    python benchmarks/zonal_stats.py           # both cases
    python benchmarks/zonal_stats.py --quick   # real data, 25 km; synthetic 2k sites, 4*10^6 cells
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import rasterstats
import shapely
from _common import median_of, report
from affine import Affine
from rasterio.features import rasterize
from rasterio.transform import from_origin

from sitesel._typing import Dem
from sitesel.data.dem import load_dem
from sitesel.data.sites import hex_grid
from sitesel.terrain.zonal import ZonalStats, slope_deg, zonal_stats


def synthetic_dem(cells_per_side: int, cell_m: float, seed: int) -> np.ndarray:
    """Smooth hills plus noise, float32, in metres."""
    rng = np.random.default_rng(seed)
    axis = np.linspace(0, 8 * math.pi, cells_per_side, dtype=np.float32)
    hills = 3500 + 300 * np.sin(axis)[:, None] * np.cos(axis / 1.7)[None, :]
    return (hills + rng.normal(0, 2, (cells_per_side, cells_per_side))).astype(np.float32)


def rasterstats_means(sites: gpd.GeoSeries, grid: np.ndarray, transform: Affine) -> np.ndarray:
    """rasterstats on the in-memory grid: a window and a mask per polygon."""
    stats = rasterstats.zonal_stats(
        list(sites), grid, affine=transform, stats=["mean"], nodata=np.nan
    )
    return np.array([np.nan if s["mean"] is None else s["mean"] for s in stats])


def ours(sites: gpd.GeoSeries, grid: np.ndarray, transform: Affine) -> np.ndarray:
    """sitesel's terrain path: coverage fractions (closed form for its hexagons, else
    exactextract's), stored (site, cell) pairs and coverage-weighted means, or
    exactextract's own streamed mean for a fine DEM."""
    dem = Dem(elevation_m=grid, transform=transform, crs=pyproj.CRS.from_epsg(32643))
    return ZonalStats(sites, dem).of("slope", lambda: grid)["mean"]


def exactextract_means(sites: gpd.GeoSeries, grid: np.ndarray, transform: Affine) -> np.ndarray:
    """exactextract's coverage-weighted mean, computed by exactextract per polygon."""
    return zonal_stats(sites, {"slope": grid}, transform=transform, stats=["mean"])["slope_mean"]


def rasterize_bincount_means(sites: gpd.GeoSeries, grid: np.ndarray, transform) -> np.ndarray:
    """Rasterize every site once (cell centres), then one bincount: no partial cells."""
    labels = rasterize(
        ((geom, i + 1) for i, geom in enumerate(sites)),
        out_shape=grid.shape,
        transform=transform,
        fill=0,
        dtype="int32",
    ).ravel()
    total = np.bincount(labels, weights=grid.ravel(), minlength=len(sites) + 1)
    count = np.bincount(labels, minlength=len(sites) + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total / count)[1:]


def compare(label: str, sites: gpd.GeoSeries, slope: np.ndarray, transform: Affine) -> None:
    """Time sitesel and both references on the same sites and slope grid."""
    size = f"{label}: {len(sites)} sites x {slope.size:.1e} cells"
    fast_s, fast = median_of(lambda: ours(sites, slope, transform))
    for name, fn in (
        ("exactextract mean", exactextract_means),
        ("rasterstats.zonal_stats", rasterstats_means),
        ("rasterize_once_bincount", rasterize_bincount_means),
    ):
        ref_s, ref = median_of(lambda fn=fn: fn(sites, slope, transform))
        both = np.isfinite(ref) & np.isfinite(fast)
        report(
            "zonal_mean_slope",
            size,
            fast_s,
            name,
            ref_s,
            sites_without_value=int((~np.isfinite(ref)).sum()),
            max_abs_difference_deg=round(float(np.max(np.abs(fast[both] - ref[both]))), 4),
        )


def real_case(buffer_km: float) -> None:
    """Hexagons of 40.47 ha within ``buffer_km`` of Leh on the reprojected DTED0 tiles."""
    data = Path(os.environ.get("SITESEL_DATA_DIR", Path(__file__).parents[2] / "shared/data"))
    crs = pyproj.CRS.from_epsg(32643)
    x, y = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(77.5848, 34.1642)
    area = shapely.Point(x, y).buffer(buffer_km * 1000)
    dem = load_dem(
        sorted((data / "ladakh" / "dem_dted0").glob("*/*.dt0")),
        dst_crs=crs,
        area_bounds=area.bounds,
        margin_m=2000,
        resolution_m=None,
        layer="dem_dted0",
    )
    sites = hex_grid(area, cell_area_ha=40.47, crs=crs).geometry
    slope = slope_deg(dem.elevation_m, dem.cell_size_m)
    compare(f"Leh {buffer_km:g} km, DTED0", sites, slope, dem.transform)


def synthetic_case(side: int, n_sites: int) -> None:
    """Hexagons filling a synthetic DEM of ``side`` x ``side`` 10 m cells."""
    cell_m = 10.0
    dem = synthetic_dem(side, cell_m, seed=0)
    transform = from_origin(0, side * cell_m, cell_m, cell_m)
    extent_m = side * cell_m
    area = shapely.box(0, 0, extent_m, extent_m).buffer(-extent_m * 0.05)  # hexes stay inside
    sites = hex_grid(area, cell_area_ha=area.area / n_sites / 10_000, crs="EPSG:32643").geometry
    slope_s, slope = median_of(lambda: slope_deg(dem, cell_m))
    report("slope_grid", f"{side * side:.0e} cells", slope_s, "none", None)
    compare("synthetic", sites, slope, transform)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    real_case(25 if args.quick else 100)
    if args.quick:
        synthetic_case(2_000, 2_000)
    else:
        synthetic_case(10_000, 10_000)


if __name__ == "__main__":
    main()
