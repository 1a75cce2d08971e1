"""Difference map of two runs: each site coloured by how far its rank moved."""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element

from sitesel.render.sitemap import offline_map

ROSE = ["#c6dbef", "#6baed6", "#08519c"]
FELL = ["#fcbba1", "#fb6a4a", "#a50f15"]
SAME = "#f7f7f7"
UNRANKED = "#9e9e9e"


def _colour(change: float, scale: float) -> str:
    if np.isnan(change):
        return UNRANKED
    if change == 0:
        return SAME
    k = min(2, int(3 * abs(change) / max(scale, 1)))
    return (ROSE if change > 0 else FELL)[k]


def difference_map(
    sites: gpd.GeoDataFrame, ranks: pd.DataFrame, *, title: str, label_a: str, label_b: str
) -> folium.Map:
    """Sites coloured by rank change from run A to run B (blue rose, red fell, grey unranked).

    Parameters
    ----------
    sites
        ``site_id`` and geometry (either run's sites).
    ranks
        ``site_id``, ``rank_a``, ``rank_b`` (NaN where a run excludes the site).
    title, label_a, label_b
        Shown in the title block and tooltips.
    """
    frame = sites[["site_id", "geometry"]].merge(ranks, on="site_id", how="left")
    change = (frame["rank_a"] - frame["rank_b"]).to_numpy(dtype=float)
    scale = float(np.nanpercentile(np.abs(change), 95)) if np.isfinite(change).any() else 1.0

    def text(v: float) -> str:
        return "excluded" if np.isnan(v) else str(int(v))

    shown = gpd.GeoDataFrame(
        {
            "Site": frame["site_id"].astype(str).map(html.escape),
            label_a: frame["rank_a"].map(text),
            label_b: frame["rank_b"].map(text),
            "Change": [("+" if c > 0 else "") + text(c) if np.isfinite(c) else "-" for c in change],
            "_colour": [_colour(c, scale) for c in change],
        },
        geometry=frame.geometry.to_crs("EPSG:4326").simplify(0.00005).to_numpy(),
        crs="EPSG:4326",
    )
    fmap = offline_map()
    layer = folium.GeoJson(
        shown,
        name="Rank change",
        style_function=lambda f: {
            "fillColor": f["properties"]["_colour"],
            "color": "#555",
            "weight": 0.3,
            "fillOpacity": 0.85,
        },
        tooltip=folium.GeoJsonTooltip(fields=["Site", label_a, label_b, "Change"]),
    )
    layer.add_to(fmap)
    west, south, east, north = shown.total_bounds
    fmap.fit_bounds([[south, west], [north, east]])
    _add_title_and_legend(fmap, title, label_a, label_b)
    return fmap


def _add_title_and_legend(fmap: folium.Map, title: str, label_a: str, label_b: str) -> None:
    """The title block and the colour legend of rank changes."""
    legend = "".join(
        f'<div class="sitesel-legend-row"><span class="sitesel-swatch" style="background:{c}">'
        f"</span><span>{html.escape(t)}</span></div>"
        for c, t in [
            (ROSE[2], "rose a lot"),
            (ROSE[0], "rose a little"),
            (SAME, "same rank"),
            (FELL[0], "fell a little"),
            (FELL[2], "fell a lot"),
            (UNRANKED, "excluded in a run"),
        ]
    )
    root: Any = fmap.get_root()
    root.html.add_child(
        Element(
            '<div class="sitesel-panel sitesel-title"><h1>' + html.escape(title) + "</h1>"
            f"<div>{html.escape(label_a)} vs {html.escape(label_b)}</div></div>"
            '<div class="sitesel-panel" style="position:fixed;bottom:20px;right:10px;z-index:1000">'
            + legend
            + "</div>"
        )
    )
