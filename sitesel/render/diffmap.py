"""Difference map of two runs: each site coloured by how far its rank moved."""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel.render.mapdata import Elevation
from sitesel.render.sitemap import Verbatim, add_hillshade, offline_map

ROSE = ["#c6dbef", "#6baed6", "#08519c"]
FELL = ["#fcbba1", "#fb6a4a", "#a50f15"]
SAME = "#f7f7f7"
UNRANKED = "#9e9e9e"
ONLY_A = "#762a83"  # ranked in A only: B excludes it
ONLY_B = "#1b7837"  # ranked in B only: A excludes it


def change_edges(change: np.ndarray) -> tuple[int, int]:
    """Two whole-place thresholds of rank change for the legend.

    A third and two thirds of the 95th percentile of the absolute change (at least 1, 2).

    >>> change_edges(np.array([1.0, -30, 60, np.nan]))
    (19, 38)
    """
    finite = np.abs(change[np.isfinite(change)])
    scale = float(np.percentile(finite, 95)) if finite.size else 3.0
    low = max(1, round(scale / 3))
    return low, max(low + 1, round(2 * scale / 3))


def _colour(change: float, edges: tuple[int, int], kind: str = "ranked in both") -> str:
    if kind == "ranked in A only":
        return ONLY_A
    if kind == "ranked in B only":
        return ONLY_B
    if np.isnan(change):
        return UNRANKED
    if change == 0:
        return SAME
    k = 0 if abs(change) <= edges[0] else 1 if abs(change) <= edges[1] else 2
    return (ROSE if change > 0 else FELL)[k]


def difference_map(
    sites: gpd.GeoDataFrame,
    ranks: pd.DataFrame,
    *,
    title: str,
    label_a: str,
    label_b: str,
    elevation: Elevation | None = None,
) -> folium.Map:
    """Sites coloured by rank change from run A to run B (blue rose, red fell, grey unranked).

    Parameters
    ----------
    sites
        ``site_id`` and geometry (either run's sites).
    ranks
        ``site_id``, ``rank_a``, ``rank_b`` (NaN where a run excludes the site); with
        ``common_a``, ``common_b`` (ranks among the sites both rank), ``class`` and
        ``why`` (:func:`sitesel.decision.compare.compare_rankings`' ``sites``) the change
        is counted among the common sites, and a site ranked in one run only has a class
        (and colour) of its own, its card saying why.
    title, label_a, label_b
        Shown in the title block and tooltips.
    elevation
        The DEM for the same hillshade basemap as the run's map.
    """
    frame = sites[["site_id", "geometry"]].merge(ranks, on="site_id", how="left")
    common = "common_a" in frame
    first, second = ("common_a", "common_b") if common else ("rank_a", "rank_b")
    change = (frame[first] - frame[second]).to_numpy(dtype=float)
    kinds = frame["class"].fillna("").tolist() if "class" in frame else [""] * len(frame)
    why = frame["why"].fillna("").astype(str).tolist() if "why" in frame else [""] * len(frame)
    edges = change_edges(change)

    def text(v: float) -> str:
        return "excluded" if np.isnan(v) else str(int(v))

    shown = gpd.GeoDataFrame(
        {
            "Site": frame["site_id"].astype(str).map(html.escape),
            label_a: frame["rank_a"].map(text),
            label_b: frame["rank_b"].map(text),
            "Change among the sites both rank": [
                ("+" if c > 0 else "") + text(c) if np.isfinite(c) else "-" for c in change
            ],
            "Why": [html.escape(w) or "-" for w in why],
            "_colour": [_colour(c, edges, k) for c, k in zip(change, kinds, strict=True)],
        },
        geometry=frame.geometry.to_crs("EPSG:4326").simplify(0.00005).to_numpy(),
        crs="EPSG:4326",
    )
    fmap = offline_map()
    if elevation is not None:
        add_hillshade(fmap, elevation, sites.crs, tint=True)
    layer = folium.GeoJson(
        shown,
        name="Rank change",
        style_function=lambda f: {
            "fillColor": f["properties"]["_colour"],
            "color": "#555",
            "weight": 0.3,
            "fillOpacity": 0.85,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["Site", label_a, label_b, "Change among the sites both rank", "Why"]
        ),
    )
    layer.add_to(fmap)
    west, south, east, north = shown.total_bounds
    fmap.fit_bounds([[south, west], [north, east]])
    folium.LayerControl(position="topleft", collapsed=True).add_to(fmap)
    _add_title_and_legend(fmap, title, label_a, label_b, edges)
    return fmap


def _add_title_and_legend(
    fmap: folium.Map, title: str, label_a: str, label_b: str, edges: tuple[int, int]
) -> None:
    """The title block and the colour legend of rank changes, in places."""
    low, high = edges
    legend = (
        "<b>Rank change, A to B</b><br><small>among the sites both runs rank</small>"
        + "".join(
            f'<div class="sitesel-legend-row"><span class="sitesel-swatch" style="background:{c}">'
            f"</span><span>{html.escape(t)}</span></div>"
            for c, t in [
                (ROSE[2], f"rose more than {high} places"),
                (ROSE[1], f"rose {low + 1}\u2013{high}"),
                (ROSE[0], f"rose 1\u2013{low}"),
                (SAME, "same rank"),
                (FELL[0], f"fell 1\u2013{low}"),
                (FELL[1], f"fell {low + 1}\u2013{high}"),
                (FELL[2], f"fell more than {high} places"),
                (ONLY_A, "ranked in A only (B excludes it)"),
                (ONLY_B, "ranked in B only (A excludes it)"),
                (UNRANKED, "excluded in both"),
            ]
        )
    )
    root: Any = fmap.get_root()
    root.html.add_child(
        Verbatim(
            '<div class="sitesel-panel sitesel-title"><h1>' + html.escape(title) + "</h1>"
            f"<div>{html.escape(label_a)} vs {html.escape(label_b)}</div></div>"
            '<div class="sitesel-panel" style="position:fixed;bottom:20px;right:10px;z-index:1000">'
            + legend
            + "</div>"
        )
    )
