"""Folium map of a run.

Sites by suitability, excluded sites with their reason, top ranks, and roads and targets
as layers a planner can switch on and off.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import branca.colormap as cm
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sitesel.network import RoadEdges

WGS84 = "EPSG:4326"
EXCLUDED_COLOUR = "#9e9e9e"
SUITABILITY_COLOURS = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]
ROAD_COLOURS = {
    "NH": "#b2182b",
    "SH": "#ef8a62",
    "MDR": "#f4a582",
    "motorway": "#b2182b",
    "trunk": "#b2182b",
    "primary": "#ef8a62",
    "secondary": "#f4a582",
}
ROAD_DEFAULT_COLOUR = "#636363"
TARGET_COLOURS = ["#2166ac", "#762a83", "#1b7837", "#8c510a", "#01665e"]
DISPLAY_TOLERANCE_DEG = 0.0001  # ~10 m: finer detail is invisible at site scale


def _fmt(value: object, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "no value"
    if isinstance(value, float | np.floating):
        number = float(value)
        text = f"{number:,.3f}" if abs(number) < 10 else f"{number:,.1f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def _site_properties(
    sites: gpd.GeoDataFrame, units: Mapping[str, str], weights: Mapping[str, float]
) -> pd.DataFrame:
    """Text columns shown in each site's tooltip and popup (escaped: data is text)."""
    props = pd.DataFrame(index=sites.index)
    props["Site"] = sites["site_id"].map(html.escape)
    props["Rank"] = sites["rank"].map(lambda r: "excluded" if pd.isna(r) else str(int(r)))
    props["Suitability"] = sites["suitability"].map(_fmt)
    props["Area"] = sites["area_ha"].map(lambda a: _fmt(a, "ha"))
    props["Excluded because"] = sites["exclusion_reason"].map(lambda r: html.escape(r) or "-")
    for name, unit in units.items():
        raw = sites[f"raw__{name}"].map(lambda v, u=unit: _fmt(v, u))
        if name in weights:
            score = sites[f"score__{name}"].map(_fmt)
            props[name] = raw + " (score " + score + f", weight {weights[name]:.2f})"
        else:
            props[name] = raw + " (not weighted)"
    return props


def _display_geometry(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    wgs = geoms.to_crs(WGS84).simplify(DISPLAY_TOLERANCE_DEG / 2)
    return gpd.GeoSeries(shapely.set_precision(wgs.to_numpy(), 1e-6), crs=WGS84)


def _add_sites(
    fmap: folium.Map,
    sites: gpd.GeoDataFrame,
    units: Mapping[str, str],
    weights: Mapping[str, float],
) -> cm.LinearColormap:
    kept = ~sites["excluded"].to_numpy(dtype=bool)
    values = sites.loc[kept, "suitability"].to_numpy(dtype=float)
    vmin, vmax = (float(values.min()), float(values.max())) if kept.any() else (0.0, 1.0)
    if vmax <= vmin:
        vmax = vmin + 1e-9
    colormap = cm.LinearColormap(SUITABILITY_COLOURS, vmin=vmin, vmax=vmax)
    colormap.caption = "Suitability (weighted sum of scores; excluded sites in grey)"
    props = _site_properties(sites, units, weights)
    fill = [
        colormap(float(s)) if keep else EXCLUDED_COLOUR
        for s, keep in zip(sites["suitability"].to_numpy(dtype=float), kept, strict=True)
    ]
    frame = gpd.GeoDataFrame(
        props.assign(_fill=fill), geometry=_display_geometry(sites.geometry), crs=WGS84
    )
    fields = [c for c in props.columns]
    folium.GeoJson(
        frame,
        name="Sites by suitability",
        style_function=lambda f: {
            "fillColor": f["properties"]["_fill"],
            "color": f["properties"]["_fill"],
            "weight": 0.5,
            "fillOpacity": 0.7,
        },
        highlight_function=lambda f: {"weight": 2, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["Site", "Rank", "Suitability", "Excluded because"]),
        popup=folium.GeoJsonPopup(fields=fields, aliases=fields),
        smooth_factor=1.0,
    ).add_to(fmap)
    colormap.add_to(fmap)
    return colormap


def _add_top_ranks(fmap: folium.Map, sites: gpd.GeoDataFrame, top_n: int) -> None:
    top = sites[sites["rank"].notna() & (sites["rank"] <= top_n)].sort_values("rank")
    group = folium.FeatureGroup(name=f"Top {top_n} sites", show=True)
    points = top.geometry.centroid.to_crs(WGS84)
    for (_, site), point in zip(top.iterrows(), points, strict=True):
        rank = int(site["rank"])
        folium.Marker(
            [point.y, point.x],
            icon=folium.DivIcon(
                html=(
                    '<div style="background:#08306b;color:#fff;border-radius:50%;width:22px;'
                    'height:22px;line-height:22px;text-align:center;font:bold 12px sans-serif">'
                    f"{rank}</div>"
                ),
                icon_size=(22, 22),
                icon_anchor=(11, 11),
            ),
            tooltip=f"Rank {rank}: {html.escape(str(site['site_id']))}",
        ).add_to(group)
    group.add_to(fmap)


def _add_roads(fmap: folium.Map, roads: RoadEdges) -> None:
    edges = roads.edges
    frame = gpd.GeoDataFrame(
        {
            "Class": edges["road_class"].astype(str).map(html.escape),
            "Name": edges["name"].astype(str).map(html.escape) if "name" in edges else "",
        },
        geometry=_display_geometry(edges.geometry),
        crs=WGS84,
    )
    folium.GeoJson(
        frame,
        name="Roads",
        style_function=lambda f: {
            "color": ROAD_COLOURS.get(f["properties"]["Class"], ROAD_DEFAULT_COLOUR),
            "weight": 3 if f["properties"]["Class"] in ROAD_COLOURS else 1.5,
        },
        tooltip=folium.GeoJsonTooltip(fields=["Class", "Name"]),
    ).add_to(fmap)


def _add_targets(
    fmap: folium.Map, targets: Mapping[str, gpd.GeoDataFrame], name_columns: Mapping[str, str]
) -> None:
    for i, (criterion, features) in enumerate(targets.items()):
        colour = TARGET_COLOURS[i % len(TARGET_COLOURS)]
        group = folium.FeatureGroup(name=f"Targets: {html.escape(criterion)}", show=True)
        column = name_columns.get(criterion)
        wgs = features.to_crs(WGS84)
        if not wgs.geom_type.isin(["Point", "MultiPoint"]).all():
            folium.GeoJson(
                gpd.GeoDataFrame(geometry=_display_geometry(features.geometry)),
                style_function=lambda f, c=colour: {"color": c, "weight": 4, "opacity": 0.8},
            ).add_to(group)
        else:
            for _, row in wgs.iterrows():
                label = str(row[column]) if column and column in row else criterion
                point = row.geometry.centroid
                folium.CircleMarker(
                    [point.y, point.x],
                    radius=7,
                    color=colour,
                    fill=True,
                    fill_opacity=0.9,
                    tooltip=html.escape(label),
                ).add_to(group)
        group.add_to(fmap)


def _add_title(fmap: folium.Map, title: str, subtitle: str) -> None:
    block = (
        '<div style="position:fixed;top:10px;left:50px;z-index:9999;background:#fff;'
        "padding:6px 10px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.4);"
        'font:13px sans-serif"><b>'
        + html.escape(title)
        + "</b><br>"
        + html.escape(subtitle)
        + "</div>"
    )
    root: Any = fmap.get_root()  # a branca Figure, whose .html holds the page body
    root.html.add_child(folium.Element(block))


def site_map(
    sites: gpd.GeoDataFrame,
    *,
    title: str,
    subtitle: str,
    units: Mapping[str, str],
    weights: Mapping[str, float],
    area: gpd.GeoSeries,
    roads: RoadEdges | None = None,
    targets: Mapping[str, gpd.GeoDataFrame] | None = None,
    target_name_columns: Mapping[str, str] | None = None,
    top_n: int = 10,
) -> folium.Map:
    """Build the Folium map of a run.

    Parameters
    ----------
    sites
        Sites with ``site_id``, ``area_ha``, ``excluded``, ``exclusion_reason``,
        ``raw__*``, ``score__*``, ``suitability`` and ``rank``.
    title, subtitle
        Shown in the title block.
    units
        Criterion -> unit of its raw value.
    weights
        Normalised weights of the weighted criteria.
    area
        The study area outline.
    roads
        The road graph, drawn as a layer.
    targets
        Criterion -> its target features, drawn as layers.
    target_name_columns
        Criterion -> column naming each target.
    top_n
        How many top sites carry their rank.

    Returns
    -------
    folium.Map
        The map; ``.save(path)`` writes HTML.
    """
    outline = area.to_crs(WGS84)
    west, south, east, north = outline.total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)").add_to(fmap)
    folium.GeoJson(
        gpd.GeoDataFrame(geometry=outline),
        name="Study area",
        style_function=lambda f: {"color": "#000000", "weight": 2, "fill": False, "dashArray": "6"},
    ).add_to(fmap)
    if roads is not None:
        _add_roads(fmap, roads)
    _add_sites(fmap, sites, units, weights)
    if targets:
        _add_targets(fmap, targets, target_name_columns or {})
    _add_top_ranks(fmap, sites, top_n)
    _add_title(fmap, title, subtitle)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
