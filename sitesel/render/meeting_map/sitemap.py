"""The meeting map: a self-contained Folium page that works with no network.

Folium supplies the page, the map, the layer switcher and the hillshade overlay; Leaflet
and sitesel's own script are inlined (:mod:`sitesel.render.assets`), and the run's data
travels as one JSON element read by that script (:mod:`sitesel.render.meeting_map.payload`).
"""

from __future__ import annotations

import html
from typing import Any

import folium
import numpy as np
from branca.element import MacroElement
from jinja2 import Template
from matplotlib.colors import to_rgba

from sitesel.language import grouped, translator
from sitesel.render import assets
from sitesel.render.basemap import Verbatim, add_hillshade, add_image, offline_map
from sitesel.render.classes import map_classes
from sitesel.render.fonts import font_face_css, needs_devanagari
from sitesel.render.mapdata import MapData
from sitesel.render.meeting_map.encoding import to_script_json
from sitesel.render.meeting_map.live_image import live_candidates
from sitesel.render.meeting_map.page_method import weighs_per_site
from sitesel.render.meeting_map.payload import pack
from sitesel.render.site_image import site_image, vector_sites

DATA_ELEMENT_ID = "sitesel-data"
ONLINE_LAYERS = (
    ("OpenStreetMap", "OpenStreetMap (needs internet)", None),
    (
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Satellite, Esri World Imagery (needs internet)",
        "Tiles: Esri, Maxar, Earthstar Geographics",
    ),
)


class _SitesLayer(MacroElement):
    """Calls ``sitesel_init`` once the map and its layer control exist."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        sitesel_init({{ this.map_name }}, {{ this.control_name }}, {{ this.data_id|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, control_name: str, data_id: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SitesLayer"
        self.map_name = map_name
        self.control_name = control_name
        self.data_id = data_id


def _title_block(data: MapData) -> str:
    t = translator(data.language)
    weights = ", ".join(f"{data.label(name)} {100 * w:.0f}%" for name, w in data.weights.items())
    run = t("Run {date} · weights: {weights}", date=data.run_date, weights=weights)
    lines = [
        f"<h1>sitesel: {html.escape(data.name)}</h1>",
        f"<div>{html.escape(data.description)}</div>" if data.description else "",
        f"<div>{html.escape(run)}</div>",
        f"<div>{html.escape(t('Data: {sources}', sources='; '.join(data.sources)))}</div>"
        if data.sources
        else "",
    ]
    return '<div class="sitesel-panel sitesel-title">' + "".join(lines) + "</div>"


def site_map(data: MapData) -> folium.Map:
    """Build the self-contained map of a run.

    Parameters
    ----------
    data
        What to show.

    Returns
    -------
    folium.Map
        ``.save(path)`` writes one HTML file that needs no network to display.
    """
    fmap = offline_map()
    root: Any = fmap.get_root()
    root.header.add_child(Verbatim(assets.inline_script(assets.sitesel_js())), name="sitesel_js")
    t = translator(data.language)
    if data.elevation is not None:
        add_hillshade(fmap, data.elevation, data.sites.crs, tint=data.elevation_tint,
                      name=t("Hillshade (from the DEM, offline)"))  # fmt: skip
    _add_left_out_sites(fmap, data)
    for tiles, name, attr in ONLINE_LAYERS:
        folium.TileLayer(tiles, name=t(name), attr=attr, overlay=True, show=False).add_to(fmap)
    control = folium.LayerControl(position="topleft", collapsed=True)
    control.add_to(fmap)
    packed = to_script_json(pack(data))
    title = _title_block(data)
    if needs_devanagari(packed + title):  # the font travels with the page
        root.header.add_child(Verbatim(f"<style>{font_face_css(packed + title)}</style>"))
    root.html.add_child(
        Verbatim(f'<script type="application/json" id="{DATA_ELEMENT_ID}">{packed}</script>')
    )
    root.html.add_child(Verbatim(title))
    _SitesLayer(fmap.get_name(), control.get_name(), DATA_ELEMENT_ID).add_to(fmap)
    return fmap


EXCLUDED_RGBA = (158, 158, 158, 190)  # the vector sites: #9e9e9e at fill opacity 0.75


def _add_left_out_sites(fmap: folium.Map, data: MapData) -> None:
    """The sites a big map does not draw as vectors, as one image layer.

    It lies above the hillshade and below the vector sites: excluded sites grey, and the
    candidates the page cannot recolour (TOPSIS, VIKOR) in their suitability class; the
    page paints the others (:mod:`~sitesel.render.meeting_map.live_image`).
    """
    vector = vector_sites(data.sites, data.max_vector_sites)
    if vector.all():
        return
    sites = data.sites
    classes = map_classes(sites["suitability"].to_numpy(float), sites["excluded"])
    palette = np.array([[int(255 * c) for c in to_rgba(h, 0.75)] for h in classes.colours])
    rgba = palette[classes.index(sites["suitability"].to_numpy(float))]
    rgba[sites["excluded"].to_numpy(bool)] = EXCLUDED_RGBA
    drawn = vector | live_candidates(data, vector, weighs_per_site(data))  # the page paints
    rgba[drawn] = 0
    image = site_image(data.site_web_index(), rgba)
    rest = sites[~drawn]
    excluded = int(rest["excluded"].sum())
    t = translator(data.language)
    name = t("Excluded sites ({n}, as an image)", n=grouped(excluded))
    if excluded < len(rest):
        name = t("Sites beyond the first {n} (as an image)", n=grouped(int(vector.sum())))
    add_image(fmap, image, name=name, pixelated=True, zindex=2)
