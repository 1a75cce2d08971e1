"""JavaScript and CSS inlined into maps, taken from installed packages at render time.

Folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs, so its maps show a
blank page without a connection. sitesel maps use only Leaflet, read from the
``xstatic-leaflet`` package, plus sitesel's own script and style (``static/``), and inline
all of them, so a map opens fully from a USB stick in a meeting room with no network.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib import resources
from pathlib import Path

import xstatic.pkg.leaflet as xstatic_leaflet

from sitesel.render.palette import palette_js
from sitesel.render.units_text import units_js

LEAFLET_VERSION: str = xstatic_leaflet.VERSION


def _leaflet_file(name: str) -> str:
    return (Path(xstatic_leaflet.BASE_DIR) / name).read_text(encoding="utf-8")


def static_text(name: str) -> str:
    """A file of the package's ``static/`` folder (``js/main.js``) as text."""
    path = resources.files("sitesel.render").joinpath("static", *name.split("/"))
    return path.read_text(encoding="utf-8")


@cache
def leaflet_js() -> str:
    """Leaflet's minified script (without its source-map comment, which would be fetched)."""
    return _leaflet_file("leaflet.js").replace("//# sourceMappingURL=leaflet.js.map", "")


@cache
def leaflet_css() -> str:
    """Leaflet's stylesheet, its images (layer switcher, default marker) inlined."""
    css = _leaflet_file("leaflet.css")
    for image in ("layers-2x.png", "layers.png", "marker-icon.png"):
        data = (Path(xstatic_leaflet.BASE_DIR) / "images" / image).read_bytes()
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url({uri})")
    return css


SCRIPT_MODULES: tuple[str, ...] = (
    "format",  # DOM elements, numbers with units, packed lines and arrays
    "ranking",  # suitability and ranks as sitesel ranks (each method)
    "legend",  # fixed classes, the sites' colours, the legend panel
    "context_layers",  # study area, roads, targets, towns, land zones, road repairs
    "allocation",  # location problems: chosen sites and their demand
    "utm",  # a point in the sites' UTM zone, and the hexagon of sitesel's grid there
    "image",  # a big map's image layer: live repaint, and the site under a click
    "card",  # the site card
    "routes",  # the selected site's routes
    "panels",  # top sites, exclusions, weight sliders, north arrow
    "badges",  # rank badges that never overlap
    "print",  # A4 / A3 landscape
    "main",  # sitesel_init: the shared state, the modules in order, window.sitesel
)
"""The map script's modules (``static/js/<name>.js``), in the order the page needs them."""


@cache
def sitesel_js() -> str:
    """The interactive sites layer: the palette and units, then the :data:`SCRIPT_MODULES`.

    One script, as the page inlines it: each module defines one ``sitesel_<name>``
    function (``format``: a ``sitesel_format`` object) and ``main.js``'s ``sitesel_init``
    calls them with the state they share.
    """
    modules = [
        f"/* ---- {name}.js ---- */\n" + static_text(f"js/{name}.js") for name in SCRIPT_MODULES
    ]
    return '"use strict";\n' + palette_js() + units_js() + "\n".join(modules)


@cache
def sitesel_css() -> str:
    """Style of sitesel's panels, legend and site card."""
    return static_text("sitesel.css")


def inline_script(code: str) -> str:
    """A ``<script>`` element holding ``code`` (``</script`` inside is escaped)."""
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"


def inline_style(css: str) -> str:
    """A ``<style>`` element holding ``css``."""
    return "<style>" + css.replace("</style", "<\\/style") + "</style>"
