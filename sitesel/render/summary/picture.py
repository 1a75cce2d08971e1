"""A static PNG for meeting minutes: the top sites on the hillshade, and their table."""

from __future__ import annotations

import textwrap
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sitesel.render.classes import Classes, map_classes
from sitesel.render.hillshade import hillshade
from sitesel.render.mapdata import MapData
from sitesel.render.site_image import SUMMARY_PX, coloured

TABLE_ROWS = 10


def write_summary_png(data: MapData, path: Path, *, dpi: int = 130) -> None:
    """Draw the top sites over the hillshade beside a ranking table, and save as PNG.

    Parameters
    ----------
    data
        The run's map data.
    path
        Where to write the PNG.
    dpi
        Resolution.
    """
    # Names, labels and sources come from configs and data: "$" is text, never math mode.
    with matplotlib.rc_context({"text.parse_math": False}):
        # A bare Figure (no pyplot: no window machinery to import) with fixed axes boxes:
        # tight_layout would draw the whole figure once more just to measure it.
        fig = Figure(figsize=(15, 7.5))
        ax_map = fig.add_axes((0.01, 0.06, 0.5, 0.86))
        ax_table = fig.add_axes((0.53, 0.06, 0.46, 0.86))
        top = _draw_map(ax_map, data)
        _draw_table(ax_table, data, top)
        # Wrapped here: matplotlib's own wrap=True parses "$" as math whatever parse_math says.
        credits = textwrap.fill(f"Run {data.run_date}. Data: {'; '.join(data.sources)}", 260)
        fig.text(0.01, 0.01, credits, fontsize=6)
        fig.savefig(path, dpi=dpi, format="png", pil_kwargs={"compress_level": 3})


def _draw_hillshade(ax: Axes, data: MapData) -> None:
    if data.elevation is None:
        return
    elev = data.elevation
    rows, cols = elev.elevation_m.shape
    t = elev.transform
    extent = (t.c, t.c + cols * t.a, t.f + rows * t.e, t.f)
    shade = hillshade(elev.elevation_m, abs(t.a))
    ax.imshow(shade, cmap="Greys_r", extent=extent, vmin=0, vmax=1, alpha=0.8)


def draw_sites_raster(ax: Axes, data: MapData, excluded: np.ndarray, classes: Classes) -> None:
    """Sites coloured by class (excluded grey), drawn from the map's site raster.

    At most :data:`~sitesel.render.site_image.SUMMARY_PX` pixels across: one image, not a
    patch per polygon (which took 2.6 s for Leh's 4,844 sites and 93 s for a district).
    """
    raster = data.site_raster()
    step = max(1, int(np.ceil(max(raster.index.shape) / SUMMARY_PX)))
    index = raster.index[::step, ::step]
    left, _, _, top = raster.extent
    cell = raster.transform.a * step
    code = np.where(
        excluded, len(classes.colours), classes.index(data.sites["suitability"].to_numpy())
    )
    palette = np.asarray([to_rgba(c, 0.85) for c in classes.colours] + [to_rgba("#9e9e9e", 0.35)])
    palette = np.round(255 * palette).astype(np.uint8)  # bytes, not floats: an eighth the memory
    rows, cols = index.shape
    ax.imshow(
        coloured(index, palette[code]),
        extent=(left, left + cols * cell, top - rows * cell, top),
        zorder=2,
    )


def _draw_boundary(ax: Axes, area: gpd.GeoDataFrame) -> None:
    """The study area's outline as one dashed line collection.

    Not ``GeoSeries.plot``: it asks the canvas for a redraw, a second full draw of the figure.
    """
    lines = shapely.get_parts(area.boundary.to_numpy())
    outline = [shapely.get_coordinates(line) for line in lines]
    ax.add_collection(
        LineCollection(outline, colors="black", linewidths=1, linestyles="--", zorder=3)
    )


def _draw_map(ax: Axes, data: MapData) -> gpd.GeoDataFrame:
    """Sites by suitability over the hillshade, the top ones numbered; returns the top."""
    sites = data.sites
    _draw_hillshade(ax, data)
    excluded = sites["excluded"].to_numpy(dtype=bool)
    ranked = sites[~excluded]
    classes = map_classes(sites["suitability"].to_numpy(dtype=float), excluded)
    draw_sites_raster(ax, data, excluded, classes)
    handles = [
        Patch(color=c, label=lab) for c, lab in zip(classes.colours, classes.labels(), strict=True)
    ]
    handles.append(Patch(color="#9e9e9e", alpha=0.35, label="excluded"))
    ax.legend(handles=handles[::-1], title="suitability", loc="lower left", fontsize=7)
    _draw_boundary(ax, data.area)
    top = ranked.sort_values("rank").head(TABLE_ROWS)
    badge = {"boxstyle": "circle,pad=0.2", "fc": "#08306b", "ec": "white"}
    for _, site in top.iterrows():
        c = site.geometry.centroid
        ax.annotate(
            str(int(site["rank"])), (c.x, c.y), ha="center", va="center", fontsize=8,
            color="white", fontweight="bold", bbox=badge,
        )  # fmt: skip
    xmin, ymin, xmax, ymax = data.area.total_bounds
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_title(
        f"{data.name}: top {TABLE_ROWS} of {len(ranked)} ranked sites"
        + f" ({int(excluded.sum())} excluded)"
    )
    ax.set_axis_off()
    return top


def _named(site: pd.Series) -> bool:
    """Whether the site has a place name (missing reads as NaN or None in a frame)."""
    place = site.get("place")
    return isinstance(place, str) and place != ""


def _draw_table(ax: Axes, data: MapData, top: gpd.GeoDataFrame) -> None:
    """The top sites' ranks, ids, suitability and raw values, and the weights."""
    names = list(data.weights)
    header = ["rank", "site", "suit."] + [textwrap.fill(data.label(n), 12) for n in names]
    cells = [
        [
            str(int(s["rank"])),
            textwrap.fill(str(s["place"] if _named(s) else s["site_id"]), 12),
            f"{s['suitability']:.3f}",
        ]
        + [_short(s[f"raw__{n}"]) for n in names]
        for _, s in top.iterrows()
    ]
    ax.axis("off")
    table = ax.table(
        cellText=cells or [[""] * len(header)], colLabels=header, loc="upper center",
        cellLoc="center",
    )  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 2.2)
    # A row fits two lines of text; header labels wrap to more (e.g. "Distance to a national
    # or state highway (km)": four), so the header row grows to hold its longest label.
    header_lines = max(label.count("\n") + 1 for label in header)
    for col in range(len(header)):
        cell = table[0, col]
        cell.set_height(cell.get_height() * max(1.0, header_lines / 2))
    weights = ", ".join(f"{data.label(n)} {100 * w:.0f}%" for n, w in data.weights.items())
    ax.set_title(textwrap.fill(f"Weights: {weights}", 110), fontsize=9)


def _short(value: float) -> str:
    if not np.isfinite(value):
        return "-"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:,.0f}"
