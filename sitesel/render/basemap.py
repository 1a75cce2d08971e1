"""What the meeting map and the compare map share: an offline Folium page and its basemap.

A map without CDN links (Leaflet and sitesel's style inlined), the DEM's hillshade as the
basemap, and the page's HTML with Folium's random element ids numbered, so the same map
gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import folium
from branca.element import Element

from sitesel.render import assets
from sitesel.render.hillshade import shaded_relief
from sitesel.render.mapdata import Elevation


class Verbatim(Element):
    """HTML put into the page as it is.

    branca's ``Element(text)`` compiles its text as a Jinja template: the inlined Leaflet
    and the site data (3 s of template lexing for 77,000 sites) would be parsed for ``{{``
    and ``{%``, and a place or road name, or a run's title, holding them would be evaluated
    or break the page.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        """The text, untouched."""
        return self._text


def offline_map() -> folium.Map:
    """A Folium map without CDN links: Leaflet and sitesel's style are inlined."""
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    fmap.default_js = []
    fmap.default_css = []
    root: Any = fmap.get_root()
    root.header.add_child(Verbatim(assets.inline_style(assets.leaflet_css())), name="leaflet_css")
    root.header.add_child(Verbatim(assets.inline_style(assets.sitesel_css())), name="sitesel_css")
    root.header.add_child(Verbatim(assets.inline_script(assets.leaflet_js())), name="leaflet_js")
    return fmap


def add_hillshade(
    fmap: folium.Map,
    elevation: Elevation,
    crs: Any,
    *,
    tint: bool,
    name: str = "Hillshade (from the DEM, offline)",
) -> None:
    """The DEM's shaded relief as the offline basemap layer (``name`` in the layer list)."""
    relief = shaded_relief(elevation.elevation_m, elevation.transform, crs, tint=tint)
    add_image(fmap, relief, name=name, pixelated=False, zindex=1)


def add_image(fmap: folium.Map, image: Any, *, name: str, pixelated: bool, zindex: int) -> None:
    """An RGBA image in WGS84 (``rgba``, ``south_west``, ``north_east``) as a map layer."""
    folium.raster_layers.ImageOverlay(
        image.rgba,
        bounds=[list(image.south_west), list(image.north_east)],
        name=name,
        mercator_project=False,
        pixelated=pixelated,
        zindex=zindex,
    ).add_to(fmap)


_FOLIUM_ID = re.compile(r"(?<=[a-z]_)[0-9a-f]{32}(?![0-9a-f])")


def map_html(fmap: folium.Map) -> str:
    """The page of a map, with folium's random element ids numbered in order instead.

    Folium names every element ``<kind>_<uuid4 hex>``; numbering them by first appearance
    makes the same map give the same bytes, run after run.
    """
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"{numbers.setdefault(match[0], len(numbers) + 1):032d}"

    return _FOLIUM_ID.sub(number, fmap.get_root().render())


def save_map(fmap: folium.Map, path: Path) -> None:
    """Write a map's page (UTF-8), with stable element ids."""
    path.write_text(map_html(fmap), encoding="utf-8")
