"""Difference map of two runs: each site coloured by how far its rank moved."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel._typing import FloatArray
from sitesel.render.basemap import Verbatim, add_hillshade, offline_map
from sitesel.render.mapdata import Elevation
from sitesel.render.palette import OTHER_ROAD, ROAD_COLOURS

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


SUIT_COLOURS = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]
"""Suitability in fifths, low to high: the A and B views of the toggle."""


@dataclass(frozen=True)
class Context:
    """What the meeting map shows besides the sites, for the comparison map too."""

    roads: gpd.GeoDataFrame | None = None  # road_class, geometry
    places: gpd.GeoDataFrame | None = None  # name, population, point
    suitability_a: pd.Series | None = None  # by site_id
    suitability_b: pd.Series | None = None
    entering: list[str] = field(default_factory=list)  # site ids, best first
    leaving: list[str] = field(default_factory=list)
    top_k: int = 10


def _suit_colour(value: float) -> str:
    if not np.isfinite(value):
        return UNRANKED
    return SUIT_COLOURS[min(4, int(value * 5))]


def difference_map(
    sites: gpd.GeoDataFrame,
    ranks: pd.DataFrame,
    *,
    title: str,
    label_a: str,
    label_b: str,
    elevation: Elevation | None = None,
    context: Context | None = None,
) -> folium.Map:
    """Sites coloured by rank change from run A to run B (blue rose, red fell, grey unranked).

    Parameters
    ----------
    sites
        ``site_id`` and geometry (either run's sites).
    ranks
        ``site_id``, ``rank_a``, ``rank_b`` (NaN where a run excludes the site); with
        ``common_a``, ``common_b`` (ranks among the sites both rank), ``class`` and
        ``why`` (:func:`sitesel.mcda.compare.compare_rankings`' ``sites``) the change
        is counted among the common sites, and a site ranked in one run only has a class
        (and colour) of its own, its card saying why.
    title, label_a, label_b
        Shown in the title block and tooltips.
    elevation
        The DEM for the same hillshade basemap as the run's map.
    context
        Roads, towns, each run's suitability (the A / B views of the toggle) and the sites
        entering and leaving the top k (marked, named and listed in a table).
    """
    ctx = context or Context()
    frame = sites[["site_id", "geometry"]].merge(ranks, on="site_id", how="left")
    common = "common_a" in frame
    first, second = ("common_a", "common_b") if common else ("rank_a", "rank_b")
    change = (frame[first] - frame[second]).to_numpy(dtype=float)
    kinds = frame["class"].fillna("").tolist() if "class" in frame else [""] * len(frame)
    edges = change_edges(change)
    properties = _card_properties(frame, change, label_a, label_b)
    geometry = frame.geometry.to_crs("EPSG:4326").simplify(0.00005).to_numpy()
    views = {
        "Rank change, A to B": [_colour(c, edges, k) for c, k in zip(change, kinds, strict=True)]
    }
    ids = frame["site_id"].astype(str)
    for label, series in ((label_a, ctx.suitability_a), (label_b, ctx.suitability_b)):
        if series is not None:
            values = ids.map(series).to_numpy(dtype=float)
            views[label.replace("rank in", "suitability in")] = [_suit_colour(v) for v in values]
    fmap = offline_map()
    if elevation is not None:
        add_hillshade(fmap, elevation, sites.crs, tint=True)
    _add_views(fmap, views, properties, geometry)
    _add_roads(fmap, ctx.roads)
    _add_towns(fmap, ctx.places)
    movers = _add_movers(fmap, frame, ctx)
    west, south, east, north = gpd.GeoSeries(geometry, crs="EPSG:4326").total_bounds
    fmap.fit_bounds([[south, west], [north, east]])
    folium.LayerControl(position="topleft", collapsed=False).add_to(fmap)
    _add_title_and_legend(fmap, title, label_a, label_b, edges, movers)
    return fmap


def _add_views(
    fmap: folium.Map,
    views: dict[str, list[str]],
    properties: dict[str, Any],
    geometry: np.ndarray,
) -> None:
    """One base layer per view (its colour per site), the first shown; the cards' fields."""
    fields = list(properties)
    for k, (name, colours) in enumerate(views.items()):
        shown = gpd.GeoDataFrame(properties | {"_colour": colours}, geometry=geometry,
                                 crs="EPSG:4326")  # fmt: skip
        group = folium.FeatureGroup(name=name, overlay=False, show=k == 0)
        folium.GeoJson(
            shown,
            style_function=lambda f: {
                "fillColor": f["properties"]["_colour"],
                "color": "#555",
                "weight": 0.3,
                "fillOpacity": 0.85,
            },
            tooltip=folium.GeoJsonTooltip(fields=fields),
        ).add_to(group)
        group.add_to(fmap)


def _card_properties(
    frame: pd.DataFrame, change: FloatArray, label_a: str, label_b: str
) -> dict[str, Any]:
    """What each site's tooltip lists: name, both ranks, the change and why."""

    def text(v: float) -> str:
        return "excluded" if np.isnan(v) else str(int(v))

    ids = frame["site_id"].astype(str)
    places = frame["place"].fillna("").astype(str) if "place" in frame else [""] * len(ids)
    why = frame["why"].fillna("").astype(str).tolist() if "why" in frame else [""] * len(frame)
    return {
        "Site": [html.escape(f"{p} ({i})" if p else i) for i, p in zip(ids, places, strict=True)],
        label_a: frame["rank_a"].map(text),
        label_b: frame["rank_b"].map(text),
        "Change among the sites both rank": [
            ("+" if c > 0 else "") + text(c) if np.isfinite(c) else "-" for c in change
        ],
        "Why": [html.escape(w) or "-" for w in why],
    }


def _add_roads(fmap: folium.Map, roads: gpd.GeoDataFrame | None) -> None:
    """The main roads as on the meeting map (others thin and grey)."""
    if roads is None or roads.empty:
        return
    lines = gpd.GeoDataFrame(
        {"road_class": roads["road_class"].fillna("").astype(str).to_numpy()},
        geometry=roads.geometry.to_crs("EPSG:4326").simplify(0.0001).to_numpy(),
        crs="EPSG:4326",
    )
    group = folium.FeatureGroup(name="Roads", show=True)
    folium.GeoJson(
        lines,
        style_function=lambda f: {
            "color": ROAD_COLOURS.get(f["properties"]["road_class"], OTHER_ROAD),
            "weight": 2.5 if f["properties"]["road_class"] in ROAD_COLOURS else 0.8,
            "opacity": 0.9,
        },
    ).add_to(group)
    group.add_to(fmap)


def _add_towns(fmap: folium.Map, places: gpd.GeoDataFrame | None) -> None:
    """Town names, as labels (no marker)."""
    if places is None or places.empty:
        return
    group = folium.FeatureGroup(name="Towns (GeoNames)", show=True)
    points = places.geometry.to_crs("EPSG:4326")
    for name, point in zip(places["name"].astype(str), points, strict=True):
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(html=f'<div class="sitesel-town">{html.escape(name)}</div>'),
        ).add_to(group)
    group.add_to(fmap)


def _add_movers(
    fmap: folium.Map, frame: gpd.GeoDataFrame, ctx: Context
) -> list[tuple[str, str, str, str, str]]:
    """Mark and name the sites entering and leaving the top k; return the table's rows."""
    rows: list[tuple[str, str, str, str, str]] = []
    if not ctx.entering and not ctx.leaving:
        return rows
    by_id = frame.set_index(frame["site_id"].astype(str))
    centres = gpd.GeoSeries(by_id.geometry.centroid, crs=frame.crs).to_crs("EPSG:4326")
    group = folium.FeatureGroup(name=f"Entering and leaving the top {ctx.top_k}", show=True)
    for kind, ids, symbol, colour in (
        ("enters", ctx.entering, "\u25b2 in", ONLY_B),
        ("leaves", ctx.leaving, "\u25bc out", ONLY_A),
    ):
        for site in ids:
            if site not in by_id.index:
                continue
            row = by_id.loc[site]
            place = row.get("place")
            place = place if isinstance(place, str) else ""  # NaN where a run has no name
            name = f"{place} ({site})" if place else site
            point = centres.loc[site]
            label = (
                f'<div class="sitesel-mover" style="background:{colour}">{symbol}: '
                f"{html.escape(place or site)}</div>"
            )
            folium.Marker([point.y, point.x], icon=folium.DivIcon(html=label)).add_to(group)
            suit_a = (
                ctx.suitability_a.get(site, np.nan) if ctx.suitability_a is not None else np.nan
            )
            suit_b = (
                ctx.suitability_b.get(site, np.nan) if ctx.suitability_b is not None else np.nan
            )
            rows.append(
                (kind, name, _fmt_rank(row.get("rank_a")), _fmt_rank(row.get("rank_b")),
                 f"{_fmt_suit(suit_a)} / {_fmt_suit(suit_b)}")
            )  # fmt: skip
    group.add_to(fmap)
    return rows


def _fmt_rank(value: Any) -> str:
    return "-" if value is None or not np.isfinite(float(value)) else str(int(value))


def _fmt_suit(value: Any) -> str:
    return "-" if value is None or not np.isfinite(float(value)) else f"{float(value):.3f}"


def _legend_html(edges: tuple[int, int]) -> str:
    """The legend of rank changes (and of the A / B views), as HTML."""
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
    legend += (
        "<div><small>The A / B views: suitability in fifths, red low, green high</small></div>"
    )
    return legend


def _movers_html(movers: list[tuple[str, str, str, str, str]]) -> str:
    """The table of sites entering and leaving the top k, as HTML ("" if none)."""
    table = ""
    if movers:
        table = (
            '<div class="sitesel-panel sitesel-movers"><b>Entering and leaving the top</b>'
            '<table class="sitesel-top-table"><tr><th></th><th>site</th><th>rank A</th>'
            "<th>rank B</th><th>suitability A / B</th></tr>"
            + "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                for row in movers
            )
            + "</table></div>"
        )
    return table


def _add_title_and_legend(
    fmap: folium.Map,
    title: str,
    label_a: str,
    label_b: str,
    edges: tuple[int, int],
    movers: list[tuple[str, str, str, str, str]],
) -> None:
    """The title block, the colour legend of rank changes, the movers' table, print CSS."""
    legend = _legend_html(edges)
    table = _movers_html(movers)
    root: Any = fmap.get_root()
    root.html.add_child(
        Verbatim(
            '<div class="sitesel-panel sitesel-title"><h1>' + html.escape(title) + "</h1>"
            f"<div>{html.escape(label_a)} vs {html.escape(label_b)}</div></div>"
            '<div class="sitesel-panel sitesel-compare-legend">'
            + legend
            + "</div>"
            + table
            + "<style>"
            ".sitesel-compare-legend{position:fixed;bottom:20px;right:10px;z-index:1000}"
            ".sitesel-movers{position:fixed;bottom:20px;left:10px;z-index:1000;max-width:460px}"
            ".sitesel-mover{color:#fff;font:bold 11px sans-serif;padding:1px 5px;"
            "border-radius:3px;white-space:nowrap;width:auto!important;display:inline-block}"
            "@media print{@page{size:A3 landscape;margin:0}"
            "html,body{width:420mm;height:297mm;overflow:hidden}"
            ".folium-map{position:absolute!important;width:420mm!important;height:297mm!important}"
            ".leaflet-control-layers,.leaflet-control-zoom{display:none!important}"
            ".sitesel-title,.sitesel-compare-legend,.sitesel-movers{position:absolute}}"
            "</style>"
        )
    )
