"""A dossier page's location map: the site, the ground, the roads, the towns, its routes.

Drawn as SVG in metres of the working CRS (one unit, one metre), so a route's drawn length
is its length, over the hillshade of the run's base grid and, where the run kept it, of
the finest DEM around the top sites (``elevation_top_sites.tif``).
"""

from __future__ import annotations

import base64
import html
import io
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely
from PIL import Image

from sitesel._typing import Dem
from sitesel.render.hillshade import hillshade
from sitesel.render.palette import OTHER_ROAD, ROAD_COLOURS, ROUTE_COLOURS
from sitesel.result import LOCATION_WINDOW_M, Result


class _Window(NamedTuple):
    """A location map's square in the working CRS; SVG units are metres from its top left."""

    xmin: float
    ymin: float
    xmax: float
    ymax: float

    @property
    def box(self) -> shapely.Geometry:
        return shapely.box(self.xmin, self.ymin, self.xmax, self.ymax)

    def path(self, geom: shapely.Geometry) -> str:
        """SVG path data of a line or a polygon's outline (M/L commands, in metres)."""
        out = []
        for part in shapely.get_parts(
            shapely.get_exterior_ring(geom) if geom.geom_type == "Polygon" else geom
        ):
            coords = shapely.get_coordinates(part)
            if len(coords) >= 2:
                out.append(
                    "M" + " L".join(f"{x - self.xmin:.1f},{self.ymax - y:.1f}" for x, y in coords)
                )
        return " ".join(out)


def location_svg(result: Result, site: shapely.Geometry, routes: pd.DataFrame) -> str:
    """The site, its hillshade, roads, towns and routes, in metres (the SVG's units).

    Parameters
    ----------
    result
        The run (its DEMs, roads and places).
    site
        The site's polygon, in the working CRS.
    routes
        The site's routes (``criterion``, ``km``, ``scenario``, lines), from the run.
    """
    c = site.centroid
    half = LOCATION_WINDOW_M
    w = _Window(c.x - half, c.y - half, c.x + half, c.y + half)
    size = 2 * half
    outline = (
        f"<path class='site-outline' d='{w.path(site)} Z' stroke='#000' stroke-width='20'"
        " fill='#ffd700' fill-opacity='0.5'/>"
    )
    scale = (
        f"<path d='M200,{size - 200} L1200,{size - 200}' stroke='#000' stroke-width='30'/>"
        f"<text x='200' y='{size - 260}' font-size='180'>1 km</text>"
    )
    north = f"<text x='{size - 400}' y='400' font-size='300' font-weight='bold'>N ↑</text>"
    layers = [
        _hillshade_image(result, w), _road_paths(result, w), _route_paths(routes, w), outline,
        _town_labels(result, w), scale, north,
    ]  # fmt: skip
    return (
        f"<svg class='map' viewBox='0 0 {size:.0f} {size:.0f}' data-metres-per-unit='1'"
        f" xmlns='http://www.w3.org/2000/svg'>" + "".join(layers) + "</svg>"
    )


def _road_paths(result: Result, w: _Window) -> str:
    """The run's roads in the window, main classes wide and in their colour."""
    if result.roads is None:
        return ""
    near = result.roads[result.roads.intersects(w.box)]
    out = []
    for cls, geom in zip(near["road_class"].astype(str), near.geometry, strict=True):
        colour, width = ROAD_COLOURS.get(cls, OTHER_ROAD), 18 if cls in ROAD_COLOURS else 8
        out.append(
            f"<path d='{w.path(geom)}' stroke='{colour}' stroke-width='{width}' fill='none'/>"
        )
    return "".join(out)


def _route_paths(routes: pd.DataFrame, w: _Window) -> str:
    """The site's routes, one colour per target (a scenario's dashed), with their km."""
    out = []
    for k, r in enumerate(routes.itertuples()):
        colour = ROUTE_COLOURS[k % len(ROUTE_COLOURS)]
        dash = " stroke-dasharray='60 40'" if r.scenario else ""
        out.append(
            f"<path class='route' data-criterion='{html.escape(str(r.criterion))}' data-km='{r.km}'"
            f" d='{w.path(r.geometry)}' stroke='{colour}' stroke-width='30' fill='none'"
            f" stroke-opacity='0.85'{dash}/>"
        )
    return "".join(out)


def _town_labels(result: Result, w: _Window) -> str:
    """Names of the places inside the window, haloed in white."""
    if result.places is None:
        return ""
    box = w.box
    return "".join(
        f"<text x='{p.x - w.xmin:.0f}' y='{w.ymax - p.y:.0f}' font-size='200' font-weight='600'"
        f" stroke='#fff' stroke-width='40' paint-order='stroke'>{html.escape(name)}</text>"
        for name, p in zip(result.places["name"].astype(str), result.places.geometry, strict=True)
        if box.contains(p)
    )


def _hillshade_image(result: Result, w: _Window) -> str:
    """The hillshade over the window, as embedded PNGs (empty without a DEM).

    The run's base grid first, then the finer DEM it kept around the top sites over it,
    transparent where that one has no height.
    """
    grids = [d for d in (result.dem, result.terrain_dem) if d is not None]
    return "".join(_shaded_window(d, w) for d in grids)


def _shaded_window(dem: Dem, w: _Window) -> str:
    xmin, ymin, xmax, ymax = w
    t = dem.transform
    rows, cols = dem.elevation_m.shape
    c0, c1 = int(np.floor((xmin - t.c) / t.a)), int(np.ceil((xmax - t.c) / t.a))
    r0, r1 = int(np.floor((ymax - t.f) / t.e)), int(np.ceil((ymin - t.f) / t.e))
    c0, r0 = max(c0, 0), max(r0, 0)
    c1, r1 = min(c1, cols), min(r1, rows)
    if c1 - c0 < 2 or r1 - r0 < 2:
        return ""
    window = dem.elevation_m[r0:r1, c0:c1]
    if not np.isfinite(window).any():
        return ""
    shade = hillshade(window, dem.cell_size_m)
    grey = (np.nan_to_num(shade, nan=1.0) * 200 + 40).astype(np.uint8)
    alpha = np.where(np.isfinite(window), 255, 0).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(np.dstack([grey, alpha]), mode="LA").save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    x0, y0 = t.c + c0 * t.a - xmin, ymax - (t.f + r0 * t.e)
    w, h = (c1 - c0) * t.a, (r1 - r0) * -t.e
    return (
        f"<image class='hillshade' data-cell-m='{dem.cell_size_m:.1f}' x='{x0:.1f}'"
        f" y='{y0:.1f}' width='{w:.1f}' height='{h:.1f}' preserveAspectRatio='none'"
        f" href='data:image/png;base64,{data}' opacity='0.8'/>"
    )
