"""Per-site terrain statistics: exactextract (what sitesel uses) vs a per-polygon loop.

Two references: the rasterstats-style loop (for each site, take the window under its
bounding box from the in-memory grid, rasterize the polygon into a mask, average the
masked cells) and "rasterize once, then numpy.bincount" (cell centres only: a site smaller
than a cell may get no cell at all, which is why sitesel uses exactextract's coverage
fractions instead).

    python benchmarks/zonal_stats.py           # 10k sites on a 10^8-cell DEM (~2 GB RAM)
    python benchmarks/zonal_stats.py --quick   # 2k sites on a 4*10^6-cell DEM
"""

from __future__ import annotations

import argparse
import math

import geopandas as gpd
import numpy as np
import shapely
from _common import best_of, report
from rasterio.features import geometry_mask, rasterize
from rasterio.transform import from_origin
from rasterio.windows import from_bounds

from sitesel.criteria.zonal import slope_deg, zonal_stats
from sitesel.data.sites import hex_grid


def synthetic_dem(cells_per_side: int, cell_m: float, seed: int) -> np.ndarray:
    """Smooth hills plus noise, float32, in metres."""
    rng = np.random.default_rng(seed)
    axis = np.linspace(0, 8 * math.pi, cells_per_side, dtype=np.float32)
    hills = 3500 + 300 * np.sin(axis)[:, None] * np.cos(axis / 1.7)[None, :]
    return (hills + rng.normal(0, 2, (cells_per_side, cells_per_side))).astype(np.float32)


def loop_means(sites: gpd.GeoSeries, grid: np.ndarray, transform) -> np.ndarray:
    out = np.full(len(sites), np.nan)
    for i, geom in enumerate(sites):
        window = from_bounds(*geom.bounds, transform=transform).round_offsets().round_lengths()
        r0, c0 = int(window.row_off), int(window.col_off)
        block = grid[r0 : r0 + int(window.height), c0 : c0 + int(window.width)]
        mask = geometry_mask(
            [geom],
            out_shape=block.shape,
            invert=True,
            transform=transform * transform.translation(c0, r0),
        )
        if mask.any():
            out[i] = float(block[mask].mean())
    return out


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    side, n_sites = (2_000, 2_000) if args.quick else (10_000, 10_000)
    cell_m = 10.0
    dem = synthetic_dem(side, cell_m, seed=0)
    transform = from_origin(0, side * cell_m, cell_m, cell_m)
    extent_m = side * cell_m
    # Hexagons sized so that n_sites of them fill the DEM.
    area = shapely.box(0, 0, extent_m, extent_m).buffer(-extent_m * 0.05)  # hexes stay inside
    cell_ha = area.area / n_sites / 10_000
    sites = hex_grid(area, cell_area_ha=cell_ha, crs="EPSG:32643").geometry

    slope_s, slope = best_of(lambda: slope_deg(dem, cell_m), 1)
    fast_s, fast = best_of(
        lambda: zonal_stats(sites, {"slope": slope}, transform=transform, stats=["mean"]), 2
    )
    loop_s, slow = best_of(lambda: loop_means(sites, slope, transform), 1)
    bin_s, binned = best_of(lambda: rasterize_bincount_means(sites, slope, transform), 2)
    size = f"{len(sites)} sites x {side * side:.0e} cells"
    for name, ref_s, ref in (
        ("per_polygon_loop", loop_s, slow),
        ("rasterize_once_bincount", bin_s, binned),
    ):
        agree = float(np.nanmax(np.abs(fast["slope_mean"] - ref)))
        report(
            "zonal_stats_exactextract",
            size,
            fast_s,
            name,
            ref_s,
            max_abs_difference_deg=round(agree, 4),
        )
    report("slope_grid", f"{side * side:.0e} cells", slope_s, "none", 0.0)


if __name__ == "__main__":
    main()
