"""The colours the meeting map and the dossier share: roads, routes, zones, allocation.

One table, so a route is the same blue on the map and in the report. The map's script reads
it as ``SITESEL_PALETTE`` (:func:`sitesel.render.assets.sitesel_js` writes it into the page).
"""

from __future__ import annotations

import json
from typing import Any

EXCLUDED = "#9e9e9e"
"""Excluded sites (grey)."""
ROAD_COLOURS: dict[str, str] = {
    "NH": "#b2182b", "SH": "#d6604d", "MDR": "#f4a582", "motorway": "#b2182b",
    "trunk": "#b2182b", "primary": "#d6604d", "secondary": "#f4a582",
}  # fmt: skip
"""Main road classes (PMGSY's NH, SH, MDR; OSM's motorway to secondary); others grey."""
OTHER_ROAD = "#555"
ROUTE_COLOURS: list[str] = ["#2166ac", "#762a83", "#1b7837", "#8c510a", "#01665e"]
"""Routes and targets, one colour per travel-time criterion, in the criteria's order."""
ALLOCATION_COLOURS: list[str] = [
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4",
]  # fmt: skip
"""A location problem's chosen sites (ColorBrewer Dark2, then a blue)."""
ZONE_STYLES: dict[str, dict[str, Any]] = {
    "exclude": {"title": "Excluded land", "colour": "#7f0000", "fill": 0.25, "dash": "3"},
    "setback": {"title": "Excluded land", "colour": "#7f0000", "fill": 0.25, "dash": "3"},
    "flag": {
        "title": "Flagged land (sites still rank)", "colour": "#e08214", "fill": 0.08,
        "dash": "6 4",
    },
    "include_only": {
        "title": "Land bank (sites must lie inside)", "colour": "#1a9850", "fill": 0.1,
        "dash": "",
    },
}  # fmt: skip
"""Land zones by what they do: excluded land (constraints, exclude and setback rules),
flagged zones (sites there still rank), and a land bank sites must stay inside."""


def palette_js() -> str:
    """The palette as the script's ``SITESEL_PALETTE`` constant.

    >>> palette_js().startswith('const SITESEL_PALETTE = {"excluded": "#9e9e9e"')
    True
    """
    table = {
        "excluded": EXCLUDED,
        "roads": ROAD_COLOURS,
        "other_road": OTHER_ROAD,
        "routes": ROUTE_COLOURS,
        "allocation": ALLOCATION_COLOURS,
        "zones": ZONE_STYLES,
    }
    return f"const SITESEL_PALETTE = {json.dumps(table)};\n"
