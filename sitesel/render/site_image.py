"""Sites drawn as one image: for the summary PNG, and for maps too big to draw site by site.

A map of a whole district holds hundreds of thousands of sites; drawn as vector polygons
the page weighs 140 MB and takes half a minute to open. Above ``max_vector_sites`` the map
keeps the candidates as vectors (they carry the card, the ranking and the live weights)
and draws the other sites, nearly all of them excluded, as one image in Web Mercator.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from affine import Affine
from rasterio import features
from rasterio.warp import Resampling

from sitesel._typing import BoolArray
from sitesel.data.hex_lattice import HexLattice, hex_index, hex_lattice
from sitesel.render.hillshade import WebImage, to_web_mercator

MAX_IMAGE_PX = 4096
"""Longest side of a site image; a browser handles a 4096 px image overlay comfortably."""
SUMMARY_PX = 1600
"""Pixels across the study at least (what the summary PNG draws)."""
PX_PER_SITE = 4
"""Pixels across one site when the image size allows it."""
LATTICE_MIN_SITES = 20_000
"""From this many sites, a hexagon grid's raster is computed by arithmetic
(:mod:`~sitesel.data.hex_lattice`: 1.7 s for the district's 383k hexagons against 5.7 s
rasterising); below it, rasterising is quicker (0.1 s for Leh's 4,844)."""


def polygons_as_geojson(geoms: np.ndarray) -> list[Any]:
    """GeoJSON-like dicts of (multi)polygons, built from one vectorised coordinate dump.

    rasterio reads each shape's ``__geo_interface__``, which shapely builds point by point
    (7 s for 77,000 hexagons); slicing one ``to_ragged_array`` dump takes 1 s. Anything
    that is not all (multi)polygons is passed through as shapely geometries.

    >>> polygons_as_geojson(np.array([shapely.box(0, 0, 1, 1)]))[0]["coordinates"][0][:2]
    [[1.0, 0.0], [1.0, 1.0]]
    """
    try:
        kind, coords, offsets = shapely.to_ragged_array(geoms)
    except ValueError:
        return list(geoms)
    if kind not in (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON):
        return list(geoms)
    xy = coords.tolist()
    bounds = [o.tolist() for o in offsets]
    rings = [xy[a:b] for a, b in itertools.pairwise(bounds[0])]
    polygons = [rings[a:b] for a, b in itertools.pairwise(bounds[1])]
    if kind == shapely.GeometryType.POLYGON:
        return [{"type": "Polygon", "coordinates": p} for p in polygons]
    return [
        {"type": "MultiPolygon", "coordinates": polygons[a:b]}
        for a, b in itertools.pairwise(bounds[2])
    ]


def vector_sites(sites: gpd.GeoDataFrame, max_vector_sites: int) -> BoolArray:
    """Which sites a map draws as vectors.

    All of them up to ``max_vector_sites``; above that, the candidates (not excluded), or,
    when they too are more, the best-ranked of them.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"excluded": [True, False, False, True], "rank": [None, 2, 1, None]})
    >>> vector_sites(t, 4).tolist(), vector_sites(t, 3).tolist(), vector_sites(t, 1).tolist()
    ([True, True, True, True], [False, True, True, False], [False, False, True, False])
    """
    n = len(sites)
    if n <= max_vector_sites:
        return np.ones(n, dtype=bool)
    rank = sites["rank"].to_numpy(dtype=float)
    keep = ~sites["excluded"].to_numpy(dtype=bool) & np.isfinite(rank)
    if keep.sum() > max_vector_sites:
        keep &= rank <= np.sort(rank[keep])[max_vector_sites - 1]
    return np.asarray(keep, dtype=bool)


@dataclass(frozen=True)
class SiteRaster:
    """Which site covers each pixel: 0 for none, k + 1 for site k (north-up, sites' CRS)."""

    index: npt.NDArray[np.int32]
    transform: Affine
    crs: Any

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(left, right, bottom, top)``, as matplotlib's ``imshow`` takes it."""
        rows, cols = self.index.shape
        t = self.transform
        return (t.c, t.c + cols * t.a, t.f + rows * t.e, t.f)


def rasterise_sites(geoms: gpd.GeoSeries, lattice: HexLattice | None = None) -> SiteRaster:
    """Every site burnt once into an index raster, shared by the summary and the map.

    The pixel is fine enough for :data:`SUMMARY_PX` pixels across the study, and for about
    :data:`PX_PER_SITE` pixels per site when that needs more, up to :data:`MAX_IMAGE_PX`.
    """
    xmin, ymin, xmax, ymax = geoms.total_bounds
    extent_m = max(xmax - xmin, ymax - ymin, 1e-9)
    site_m = float(np.sqrt(np.median(geoms.area.to_numpy()))) if len(geoms) else extent_m
    cell = min(extent_m / SUMMARY_PX, max(site_m / PX_PER_SITE, extent_m / MAX_IMAGE_PX))
    width = max(1, int(np.ceil((xmax - xmin) / cell)))
    height = max(1, int(np.ceil((ymax - ymin) / cell)))
    transform = Affine(cell, 0, xmin, 0, -cell, ymax)
    if lattice is None or len(lattice.col) != len(geoms):  # not passed on: look for it
        lattice = hex_lattice(geoms.to_numpy()) if len(geoms) >= LATTICE_MIN_SITES else None
    if lattice is not None:  # sitesel's hexagon grid: by arithmetic
        index = hex_index(lattice, transform, (height, width))
        return SiteRaster(index=index, transform=transform, crs=geoms.crs)
    index = features.rasterize(
        zip(polygons_as_geojson(geoms.to_numpy()), range(1, len(geoms) + 1), strict=True),
        out_shape=(height, width),
        transform=transform,
        fill=0,
        dtype="int32",
    )
    return SiteRaster(index=index, transform=transform, crs=geoms.crs)


def coloured(index: npt.NDArray[np.int32], rgba: np.ndarray) -> np.ndarray:
    """An index raster in the sites' colours (one RGBA row per site; no site: clear)."""
    rgba = np.asarray(rgba)
    palette = np.vstack([np.zeros((1, 4), dtype=rgba.dtype), rgba])
    return palette[index]


@dataclass(frozen=True)
class WebIndex:
    """The site raster in Web Mercator, with its south-west and north-east corners (lat, lon)."""

    index: npt.NDArray[np.int32]
    south_west: tuple[float, float]
    north_east: tuple[float, float]


def web_index(raster: SiteRaster) -> WebIndex:
    """The site raster reprojected to Web Mercator, what the map's images are painted from.

    By nearest neighbour, so no pixel mixes two sites.
    """
    (merc,), south_west, north_east = to_web_mercator(
        raster.index[None], raster.transform, raster.crs, resampling=Resampling.nearest, nodata=0
    )
    return WebIndex(merc, south_west, north_east)


def site_image(web: WebIndex, rgba: np.ndarray) -> WebImage:
    """The sites in Web Mercator, in their colours (one RGBA row per site)."""
    return WebImage(
        rgba=coloured(web.index, np.asarray(rgba, dtype=np.uint8)),
        south_west=web.south_west,
        north_east=web.north_east,
    )
