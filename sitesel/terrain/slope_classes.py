"""A site's terrain in figures: heights, slope, and its area by slope class, on one DEM.

The dossier (``sitesel report``) shows each top site's terrain as a small histogram of its
area by slope class, beside its lowest, mean and highest ground
(:mod:`sitesel.terrain.profile` computes them on the finest DEM of the run).

Slope classes are those of the FAO *Guidelines for soil description*, 4th edition (2006),
table "Classification of slope gradient", in percent, its four classes below 2 % merged
into one ("flat to very gently sloping"). Cited as the guidelines are commonly cited, not
re-read here (no copy of the text on this machine): verified: false.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel._typing import Dem, FloatArray, IntArray
from sitesel.data.hex_lattice import HexLattice
from sitesel.terrain.zonal import coverage_fractions, slope_deg, weighted_stats

SLOPE_CLASS_EDGES_PCT: tuple[float, ...] = (0.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0)
"""Lower edges of the slope classes in percent (the last class is open above)."""
SLOPE_CLASS_NAMES: tuple[str, ...] = (
    "flat to very gently sloping",
    "gently sloping",
    "sloping",
    "strongly sloping",
    "moderately steep",
    "steep",
    "very steep",
)


def slope_class_columns() -> list[str]:
    """The ``terrain`` layer's share column of each slope class, e.g. ``share_slope_2_5pct``.

    >>> slope_class_columns()[:2], slope_class_columns()[-1]
    (['share_slope_0_2pct', 'share_slope_2_5pct'], 'share_slope_60pct_up')
    """
    edges = SLOPE_CLASS_EDGES_PCT
    names = [f"share_slope_{lo:g}_{hi:g}pct" for lo, hi in itertools.pairwise(edges)]
    return [*names, f"share_slope_{edges[-1]:g}pct_up"]


def slope_class_shares(
    slope_pct: FloatArray, site: IntArray, fraction: FloatArray, n_sites: int
) -> FloatArray:
    """Share of each site's area (with a slope value) in each slope class.

    Parameters
    ----------
    slope_pct
        Slope of each (site, cell) pair's cell in percent, NaN where unknown.
    site, fraction
        The pairs' site index and covered share of the cell (:func:`coverage_fractions`).
    n_sites
        How many sites.

    Returns
    -------
    numpy.ndarray
        ``(n_sites, classes)``; each row sums to 1, or is NaN where the site has no slope.

    >>> shares = slope_class_shares(np.array([1.0, 3.0, 70.0, np.nan]), np.array([0, 0, 0, 1]),
    ...                             np.array([1.0, 0.5, 0.5, 1.0]), 2)
    >>> shares[0].round(2).tolist(), bool(np.isnan(shares[1]).all())
    ([0.5, 0.25, 0.0, 0.0, 0.0, 0.0, 0.25], True)
    """
    ok = np.isfinite(slope_pct) & (fraction > 0)
    classes = np.searchsorted(SLOPE_CLASS_EDGES_PCT, slope_pct[ok], side="right") - 1
    n_classes = len(SLOPE_CLASS_EDGES_PCT)
    flat = site[ok] * n_classes + np.clip(classes, 0, n_classes - 1)
    area = np.bincount(flat, weights=fraction[ok], minlength=n_sites * n_classes)
    area = area.reshape(n_sites, n_classes)
    total = area.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(total > 0, area / total, np.nan), dtype=np.float64)


def profile_on_dem(
    sites: gpd.GeoSeries, dem: Dem, lattice: HexLattice | None = None
) -> pd.DataFrame:
    """Heights, slope and slope-class shares of ``sites`` over one DEM (in its CRS).

    Returns
    -------
    pandas.DataFrame
        One row per site: ``elevation_min_m``, ``elevation_mean_m``, ``elevation_max_m``,
        ``slope_mean_deg``, ``slope_max_deg`` (coverage-weighted means; min and max over the
        cells the site touches) and the :func:`slope_class_columns`.
    """
    n = len(sites)
    site, cell, fraction = coverage_fractions(sites, dem.elevation_m.shape, dem.transform, lattice)
    height = dem.elevation_m.ravel()[cell]
    slope = slope_deg(dem.elevation_m, dem.cell_size_m).ravel()[cell]
    columns: dict[str, FloatArray] = {}
    for name, values in (("elevation", height), ("slope", slope)):
        stats = weighted_stats(values, site, fraction, n)
        unit = "m" if name == "elevation" else "deg"
        keep = ("min", "mean", "max") if name == "elevation" else ("mean", "max")
        columns.update({f"{name}_{s}_{unit}": stats[s] for s in keep})
    shares = slope_class_shares(np.tan(np.deg2rad(slope)) * 100, site, fraction, n)
    columns.update(dict(zip(slope_class_columns(), shares.T, strict=True)))
    return pd.DataFrame(columns)
