"""Terrain from several DEMs in order of preference: each site from the finest that covers it.

A study may name a fine raster that covers part of it (30 m SRTM around Leh) before a
coarse one that covers it all (~1 km DTED0). A site takes its terrain from the first DEM
whose slope grid has a value under every part of the site (so its slope is computed with
real neighbours, and a hole in the fine raster sends the sites over it to the next DEM);
the last DEM serves the rest. Each part's statistics come from :class:`ZonalStats`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np

from sitesel._typing import Dem, FloatArray, IntArray
from sitesel.data.hex_lattice import HexLattice, lattice_subset
from sitesel.terrain.zonal import ZonalStats, coverage_fractions, slope_deg

FULL_COVER = 0.999
"""Share of a site that a DEM's valid cells must cover for the site to use that DEM."""


def assign_dems(
    sites: gpd.GeoSeries, dems: Sequence[Dem], lattice: HexLattice | None = None
) -> IntArray:
    """Which DEM of the stack (finest first) each site's terrain comes from.

    Parameters
    ----------
    sites
        Site polygons in the DEMs' CRS.
    dems
        The stack, in order of preference; the last serves every site the others do not
        fully cover.

    Returns
    -------
    numpy.ndarray
        One index into ``dems`` per site.
    """
    source = np.full(len(sites), len(dems) - 1, dtype=np.int64)
    geoms = np.asarray(sites.values)
    for k, dem in enumerate(dems[:-1]):
        open_ = np.flatnonzero(source == len(dems) - 1)
        if len(open_) == 0:
            break
        xmin, ymin, xmax, ymax = dem.bounds
        b = sites.iloc[open_].bounds.to_numpy()
        inside = (b[:, 0] >= xmin) & (b[:, 1] >= ymin) & (b[:, 2] <= xmax) & (b[:, 3] <= ymax)
        candidates = open_[inside]
        if len(candidates) == 0:
            continue
        covered = covered_share(geoms[candidates], dem, lattice_subset(lattice, candidates))
        source[candidates[covered >= FULL_COVER]] = k
    return source


def covered_share(geoms: np.ndarray, dem: Dem, lattice: HexLattice | None = None) -> FloatArray:
    """Share of each site's area over cells of the DEM that have a slope value."""
    site, cell, fraction = coverage_fractions(
        gpd.GeoSeries(geoms, crs=dem.crs), dem.elevation_m.shape, dem.transform, lattice
    )
    valid = ~np.isnan(slope_deg(dem.elevation_m, dem.cell_size_m)).ravel()[cell]
    cell_m2 = abs(dem.transform.a * dem.transform.e)
    area = np.bincount(site[valid], weights=fraction[valid], minlength=len(geoms)) * cell_m2
    return np.asarray(area / np.array([g.area for g in geoms]), dtype=np.float64)


class StackedZonalStats:
    """Per-site terrain statistics, each site's from its own DEM of the stack.

    Parameters
    ----------
    sites
        Site polygons in the DEMs' CRS.
    dems
        The stack, finest first.
    source
        Per site, the index of its DEM (:func:`assign_dems`); all the last when None.
    lattice
        The sites' hexagon lattice, when known (found once per run).
    """

    def __init__(
        self,
        sites: gpd.GeoSeries,
        dems: Sequence[Dem],
        source: IntArray | None = None,
        lattice: HexLattice | None = None,
    ) -> None:
        self.sites = sites
        self.dems = list(dems)
        self.source = (
            np.full(len(sites), len(dems) - 1, dtype=np.int64) if source is None else source
        )
        self._rows = [np.flatnonzero(self.source == k) for k in range(len(self.dems))]
        self.parts = [
            ZonalStats(sites.iloc[rows], dem, lattice_subset(lattice, rows)) if len(rows) else None
            for rows, dem in zip(self._rows, self.dems, strict=True)
        ]

    @property
    def dem(self) -> Dem:
        """The DEM that covers the study area (the last of the stack)."""
        return self.dems[-1]

    def platform_cut_m3(self, max_grade_pct: float = 0.0, min_cells: float = 0.0) -> FloatArray:
        """Cut (= fill) volume to grade each site to a balanced platform, on its own DEM.

        See :meth:`ZonalStats.platform_cut_m3`.
        """
        out = np.full(len(self.sites), np.nan)
        for rows, part in zip(self._rows, self.parts, strict=True):
            if part is not None:
                out[rows] = part.platform_cut_m3(max_grade_pct, min_cells)
        return out

    def of(self, name: str, grid: Callable[[ZonalStats], FloatArray]) -> dict[str, FloatArray]:
        """``{"mean": ..., "min": ..., "max": ...}`` of ``grid(part)`` over each site.

        ``grid`` receives each DEM's :class:`ZonalStats` (its ``dem`` and ``slope_deg``)
        and returns the grid called ``name`` on that DEM.
        """
        out: dict[str, FloatArray] = {}
        for rows, part in zip(self._rows, self.parts, strict=True):
            if part is None:
                continue
            found = part.of(name, lambda p=part: grid(p))  # type: ignore[misc]
            for stat, values in found.items():
                out.setdefault(stat, np.full(len(self.sites), np.nan))[rows] = values
        return out


def terrain_sources(
    sites: gpd.GeoDataFrame, stack: dict[str, Dem], lattice: HexLattice | None = None
) -> dict[str, np.ndarray]:
    """Per site, which DEM its terrain comes from and that DEM's cell size in metres."""
    names = list(stack)
    source = assign_dems(sites.geometry, list(stack.values()), lattice)
    resolution = np.array([stack[n].cell_size_m for n in names])[source]
    return {
        "dem_layer": np.asarray(names, dtype=object)[source],
        "dem_resolution_m": np.round(resolution, 1),
    }
