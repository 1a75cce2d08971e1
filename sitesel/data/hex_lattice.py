"""sitesel's hexagon grid recognised from its polygons, and its pixels found by arithmetic.

:func:`sitesel.data.sites.hex_grid` lays flat-topped regular hexagons of side s on a
lattice: column c at x = 1.5 s c, row r at y = sqrt(3) s (r + 1/2 if c is odd). Knowing a
set of sites is that lattice lets the renderers and the terrain statistics skip
per-polygon geometry. Here: a pixel centre lies in the hexagon whose centre is nearest
(hexagons are the lattice's Voronoi cells), and that centre is in column floor(x / 1.5 s)
or the next, at the row nearest in y. For a district's 383k hexagons this takes about a
second, against 7 s for rasterio's ``rasterize`` (which checks and converts every polygon
in Python first).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import shapely
from affine import Affine

ROWS_PER_CHUNK = 256
"""Pixel rows computed at once (bounds the temporary arrays to a few tens of MB)."""
_DEGREES = np.deg2rad(np.arange(0, 360, 60))


class HexLattice(NamedTuple):
    """Hexagons of side ``side`` at lattice ``col``, ``row``, centred at ``x``, ``y``."""

    side: float
    col: npt.NDArray[np.int64]
    row: npt.NDArray[np.int64]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]


def lattice_subset(lattice: HexLattice | None, rows: np.ndarray) -> HexLattice | None:
    """The lattice of a subset of its sites (``rows``: positions or a boolean mask).

    >>> lat = HexLattice(1.0, np.array([0, 1, 2]), np.array([5, 6, 7]), np.zeros(3), np.zeros(3))
    >>> lattice_subset(lat, np.array([True, False, True])).col.tolist()
    [0, 2]
    """
    if lattice is None:
        return None
    return HexLattice(
        lattice.side, lattice.col[rows], lattice.row[rows], lattice.x[rows], lattice.y[rows]
    )


def hex_lattice(geoms: np.ndarray) -> HexLattice | None:
    """The lattice of the polygons, if they are sitesel's hexagon grid.

    Returns None unless every geometry is a hexagon of the same side, with vertices as
    :func:`~sitesel.data.sites.hex_grid` makes them, centred on that side's lattice.

    >>> from sitesel.data.sites import hex_grid
    >>> grid = hex_grid(shapely.box(0, 0, 3000, 2000), cell_area_ha=40, crs="EPSG:32643")
    >>> side, col, row, _, _ = hex_lattice(grid.geometry.to_numpy())
    >>> round(side, 3), grid.site_id[0] == f"H{col[0]}_{row[0]}"
    (392.377, True)
    >>> hex_lattice(np.array([shapely.box(0, 0, 1, 1)])) is None
    True
    """
    if len(geoms) == 0 or not (shapely.get_type_id(geoms) == 3).all():
        return None
    if (shapely.get_num_interior_rings(geoms) != 0).any():
        return None
    if (shapely.get_num_coordinates(geoms) != 7).any():
        return None
    ring = shapely.get_coordinates(geoms).reshape(-1, 7, 2)[:, :6]
    centre = ring.mean(axis=1)
    side = float(np.hypot(*(ring[0, 0] - centre[0])))
    expected = np.stack([np.cos(_DEGREES), np.sin(_DEGREES)], axis=-1) * side
    tolerance = 1e-6 * max(side, 1.0)
    if side <= 0 or not np.allclose(ring - centre[:, None, :], expected, rtol=0, atol=tolerance):
        return None
    dx, dy = 1.5 * side, np.sqrt(3) * side
    col = centre[:, 0] / dx
    col_int = np.rint(col).astype(np.int64)
    row = (centre[:, 1] - np.where(col_int % 2 == 1, dy / 2, 0.0)) / dy
    row_int = np.rint(row).astype(np.int64)
    whole = np.allclose(col, col_int, rtol=0, atol=1e-6)
    if not (whole and np.allclose(row, row_int, rtol=0, atol=1e-6)):
        return None
    return HexLattice(side, col_int, row_int, centre[:, 0], centre[:, 1])


def hex_index(
    lattice: HexLattice, transform: Affine, shape: tuple[int, int]
) -> npt.NDArray[np.int32]:
    """An index raster (0: no site, k + 1: site k) of the lattice's hexagons.

    ``transform`` is north-up; each pixel takes the hexagon holding its centre.
    """
    side, col, row = lattice.side, lattice.col, lattice.row
    c0, r0 = int(col.min()) - 1, int(row.min()) - 1
    lookup = np.zeros((int(col.max()) - c0 + 3, int(row.max()) - r0 + 3), dtype=np.int32)
    lookup[col - c0, row - r0] = np.arange(1, len(col) + 1, dtype=np.int32)
    height, width = shape
    xs = transform.c + (np.arange(width) + 0.5) * transform.a
    index = np.zeros(shape, dtype=np.int32)
    for start in range(0, height, ROWS_PER_CHUNK):
        stop = min(start + ROWS_PER_CHUNK, height)
        ys = transform.f + (np.arange(start, stop) + 0.5) * transform.e
        x, y = np.meshgrid(xs, ys)
        index[start:stop] = _nearest_site(x, y, side, lookup, c0, r0)
    return index


def _nearest_site(
    x: np.ndarray, y: np.ndarray, side: float, lookup: np.ndarray, c0: int, r0: int
) -> np.ndarray:
    """The lookup value of the lattice hexagon holding each point (0 off the lookup)."""
    dx, dy = 1.5 * side, np.sqrt(3) * side
    best_d2 = np.full(x.shape, np.inf)
    best_c = np.zeros(x.shape, dtype=np.int64)
    best_r = np.zeros(x.shape, dtype=np.int64)
    first = np.floor(x / dx).astype(np.int64)
    for c in (first, first + 1):
        offset = np.where(c % 2 == 1, dy / 2, 0.0)
        r = np.rint((y - offset) / dy).astype(np.int64)
        d2 = (x - c * dx) ** 2 + (y - offset - r * dy) ** 2
        nearer = d2 < best_d2
        best_d2 = np.where(nearer, d2, best_d2)
        best_c = np.where(nearer, c, best_c)
        best_r = np.where(nearer, r, best_r)
    i, j = best_c - c0, best_r - r0
    inside = (i >= 0) & (i < lookup.shape[0]) & (j >= 0) & (j < lookup.shape[1])
    out = np.zeros(x.shape, dtype=np.int32)
    out[inside] = lookup[i[inside], j[inside]]
    return out
