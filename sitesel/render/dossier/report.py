"""The dossier of the shortlisted sites: one printable page per site, offline, one file.

Each page has a location map (:mod:`~sitesel.render.dossier.location_map`: the DEM's hillshade,
the site, the roads, the towns and the routes to each travel-time target, drawn as SVG in
metres of the working CRS, so a route's drawn length is its length), the routes with their
km, minutes and roads, the criteria (raw value, score, weight, contribution), the terrain
(heights and a slope-class histogram on the finest DEM), the land status (exclusion,
flags), the scheme, robustness, the cost breakdown, the allocation role and the run's
provenance. An index lists the sites with a one-line comparison. A4 portrait in print;
the page has no controls to hide.
"""

from __future__ import annotations

import html
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel.exclusions.text import texts
from sitesel.render.dossier.location_map import location_svg
from sitesel.render.palette import ROUTE_COLOURS
from sitesel.render.units_text import raw_text
from sitesel.result import Result
from sitesel.terrain.slope_classes import (
    SLOPE_CLASS_EDGES_PCT,
    SLOPE_CLASS_NAMES,
    slope_class_columns,
)
from sitesel.units import ACRE_HA

CSS = """
body { font: 12px/1.4 "Helvetica Neue", Arial, sans-serif; margin: 16px; color: #111; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 10px 0 4px; }
h3 { font-size: 13px; margin: 8px 0 3px; }
table { border-collapse: collapse; margin: 2px 0 6px; }
th, td { border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
.site { page-break-before: always; break-before: page; }
.map { width: 100%; max-width: 640px; height: auto; border: 1px solid #999; }
.flags li { color: #8c2d04; } .muted { color: #666; }
@page { size: A4 portrait; margin: 10mm; }
@media print { body { margin: 0; font-size: 10px; } .map { width: 105mm; float: right;
  margin: 0 0 4mm 4mm; } h1 { font-size: 15px; } h2 { font-size: 12px; margin: 6px 0 2px; }
  th, td { padding: 1px 4px; } }
"""


def report_html(result: Result, site_ids: list[str]) -> str:
    """The dossier of ``site_ids`` (best first) as one self-contained HTML page."""
    sites = result.sites.set_index(result.sites["site_id"].astype(str))
    meta = result.manifest
    flags = _flag_texts(result)
    rows = []
    for sid in site_ids:
        s = sites.loc[sid]
        rows.append(
            f'<tr><td><a href="#site-{_e(sid)}">{_e(s.get("place") or sid)}</a></td>'
            f"<td>{_e(sid)}</td><td>{_rank(s)}</td><td>{_num(s.get('suitability'), 3)}</td>"
            f"<td>{_minutes_line(result, sid)}</td><td>{_num(s.get('area_ha'), 1)} ha</td>"
            f"<td>{len(flags.get(sid, []))}</td></tr>"
        )
    index = (
        f"<h1>sitesel dossier: {_e(result.name)}</h1>"
        f"<div class='muted'>{_e(meta.description)} · run {_e(meta.run_date)} · sitesel"
        f" {_e(meta.sitesel_version)}</div><h2>Sites</h2><table><tr><th>site</th><th>id</th>"
        "<th>rank</th><th>suitability</th><th>minutes by road</th><th>area</th><th>flags</th>"
        "</tr>" + "".join(rows) + "</table>"
    )
    pages = "".join(_site_page(result, sites, sid, flags.get(sid, [])) for sid in site_ids)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>sitesel dossier: {_e(result.name)}</title><style>{CSS}</style></head>"
        f"<body>{index}{pages}</body></html>"
    )


def _site_page(result: Result, sites: pd.DataFrame, sid: str, flags: list[str]) -> str:
    meta = result.manifest
    s = sites.loc[sid]
    parts = [
        f"<section class='site' id='site-{_e(sid)}'>",
        f"<h1>{_e(s.get('place') or sid)}</h1>",
        f"<div class='muted'>site {_e(sid)} · {_rank(s)} · suitability"
        f" {_num(s.get('suitability'), 3)} · {_num(s.get('area_ha'), 1)} ha</div>",
        location_svg(result, s.geometry, _routes_of(result, sid)),
        _routes_section(result, sid),
        _criteria_section(result, s),
        _terrain_section(result, s, sid),
        _land_section(result, s, flags),
        _scheme_section(result, sites, s),
        _robustness_section(result, s, sid),
        _cost_section(s),
        _allocation_section(result, sid),
        "<h2>Provenance</h2><table>"
        f"<tr><td>config</td><td>{_e(meta.config.path)}<br><span class='muted'>sha256"
        f" {_e(meta.config.sha256)}</span></td></tr>"
        f"<tr><td>catalog</td><td>{_e(meta.catalog.path)}<br><span class='muted'>sha256"
        f" {_e(meta.catalog.sha256)}</span></td></tr>"
        f"<tr><td>data files</td><td>{len(meta.inputs_sha256)} (sha256 in manifest.json)</td></tr>"
        f"<tr><td>run</td><td>{_e(meta.run_date)}, sitesel {_e(meta.sitesel_version)}</td></tr>"
        f"<tr><td>sources</td><td>{_e('; '.join(meta.attribution))}</td></tr></table>",
        "</section>",
    ]
    return "".join(parts)


def _routes_of(result: Result, sid: str) -> pd.DataFrame:
    routes = result.routes
    if routes is None or routes.empty:
        return pd.DataFrame()
    return routes[routes["site_id"].astype(str) == sid]


def _minutes_line(result: Result, sid: str) -> str:
    mine = _routes_of(result, sid)
    labels = result.manifest.criteria_labels
    return "; ".join(
        f"{_e(labels.get(r.criterion, r.criterion))}: {raw_text(r.minutes, 'min')}"
        for r in mine.itertuples()
        if not r.scenario
    )


def _routes_section(result: Result, sid: str) -> str:
    mine = _routes_of(result, sid)
    if mine.empty:
        return (
            "<h2>Routes</h2><p class='muted'>No route stored (the site is not among the run's"
            " top sites, or the study has no travel-time criterion).</p>"
        )
    labels = result.manifest.criteria_labels
    rows = "".join(
        f"<tr><td><span style='color:{ROUTE_COLOURS[k % len(ROUTE_COLOURS)]}'>■</span>"
        f" {_e(labels.get(r.criterion, r.criterion))}"
        f"{' (' + _e(r.scenario) + ')' if r.scenario else ''}</td>"
        f"<td>{raw_text(r.km, 'km')}</td><td>{raw_text(r.minutes, 'min')}</td><td>{_e(r.roads)}"
        f"<br><span class='muted'>{_e(getattr(r, 'road_names', ''))}</span></td></tr>"
        for k, r in enumerate(mine.itertuples())
    )
    return (
        "<h2>Routes</h2><table class='routes'><tr><th>to</th><th>length</th><th>time</th>"
        f"<th>roads</th></tr>{rows}</table>"
    )


def _criteria_section(result: Result, s: pd.Series) -> str:
    meta = result.manifest
    rows = []
    for name in meta.criteria:
        unit = meta.criteria_units.get(name, "")
        weight = meta.weights.get(name)
        rows.append(
            f"<tr><td>{_e(meta.criteria_labels.get(name, name))}</td>"
            f"<td>{_e(raw_text(_float(s.get(f'raw__{name}')), unit))}</td>"
            f"<td>{_num(s.get(f'score__{name}'), 2)}</td>"
            f"<td>{'-' if weight is None else f'{100 * weight:.0f}%'}</td>"
            f"<td>{_num(s.get(f'contribution__{name}'), 3)}</td></tr>"
        )
    return (
        "<h2>Criteria</h2><table class='criteria'><tr><th>criterion</th><th>raw value</th>"
        "<th>score</th><th>weight</th><th>contribution</th></tr>" + "".join(rows) + "</table>"
        f"<div class='muted'>Data: {_e('; '.join(meta.attribution))}</div>"
    )


def _terrain_section(result: Result, s: pd.Series, sid: str) -> str:
    """Heights, slope and the slope-class histogram on the site's finest DEM, when profiled."""
    terrain = result.terrain
    row = None
    if terrain is not None and len(terrain):
        mine = terrain[terrain["site_id"].astype(str) == sid]
        row = mine.iloc[0] if len(mine) else None
    if row is None:
        dem, res = s.get("dem_layer"), s.get("dem_resolution_m")
        source = f"{_e(dem)} ({_num(res, 0)} m cells)" if isinstance(dem, str) and dem else ""
        values = [
            (c.removeprefix("raw__"), s[c])
            for c in s.index
            if c.startswith("raw__") and (c.endswith("_deg") or c.endswith("_m"))
        ]
        rows = "".join(f"<tr><td>{_e(n)}</td><td>{_num(v, 2)}</td></tr>" for n, v in values)
        note = (
            "no terrain profile: the run profiles its shortlist (the best map.top_n sites and"
            " those its location problems chose)"
            + (f"; the criteria came from {source}" if source else "")
        )
        return f"<h2>Terrain</h2><div class='muted'>{note}</div><table>{rows}</table>"
    return (
        f"<h2>Terrain</h2><div>from {_e(row['dem_layer'])} ({_num(row['dem_resolution_m'], 0)}"
        " m cells), the finest DEM of the run covering the site</div><table class='terrain'>"
        f"<tr><td>elevation</td><td>{_num(row['elevation_min_m'], 0)} to"
        f" {_num(row['elevation_max_m'], 0)} m (mean {_num(row['elevation_mean_m'], 0)} m)</td>"
        f"</tr><tr><td>slope</td><td>mean {_num(row['slope_mean_deg'], 1)}°, steepest cell"
        f" {_num(row['slope_max_deg'], 1)}°</td></tr></table>" + _slope_histogram(row)
    )


def _slope_histogram(row: pd.Series) -> str:
    """The site's area by slope class as horizontal SVG bars, labelled with their shares."""
    columns = slope_class_columns()
    if not any(_finite(row[c]) for c in columns):
        return "<div class='muted'>no slope values under the site on this DEM (a hole)</div>"
    edges = [*SLOPE_CLASS_EDGES_PCT, None]
    bar_w, row_h, label_w = 160.0, 14.0, 190.0
    parts = []
    for k, (column, name) in enumerate(zip(columns, SLOPE_CLASS_NAMES, strict=True)):
        share = float(row[column]) if _finite(row[column]) else 0.0
        lo, hi = edges[k], edges[k + 1]
        span = f"{lo:g}-{hi:g} %" if hi is not None else f"over {lo:g} %"
        y = k * row_h
        parts.append(
            f"<text x='0' y='{y + 10:.0f}' font-size='9'>{_e(span)} {_e(name)}</text>"
            f"<rect class='slope-bar' data-share='{share:.4f}' x='{label_w:.0f}' y='{y + 2:.0f}'"
            f" width='{share * bar_w:.1f}' height='{row_h - 4:.0f}' fill='#8c6d31'/>"
            f"<text x='{label_w + share * bar_w + 3:.1f}' y='{y + 10:.0f}' font-size='9'>"
            f"{100 * share:.0f} %</text>"
        )
    height = len(columns) * row_h
    return (
        f"<svg class='slope-histogram' width='{label_w + bar_w + 40:.0f}' height='{height:.0f}'"
        " xmlns='http://www.w3.org/2000/svg' role='img' aria-label='area by slope class'>"
        + "".join(parts)
        + "</svg><div class='muted'>share of the site's area by slope class (FAO slope"
        " gradient classes, percent)</div>"
    )


def _flag_texts(result: Result) -> dict[str, list[str]]:
    """Each site's land flags, from the run's records, in their order."""
    ids = result.sites["site_id"].astype(str).to_numpy()
    out: dict[str, list[str]] = {}
    for hits in result.records.of("flag"):
        for site, text in zip(hits.site, texts(hits), strict=True):
            out.setdefault(str(ids[site]), []).append(str(text))
    return out


def _land_section(result: Result, s: pd.Series, flags: list[str]) -> str:
    reason = s.get("exclusion_reason")
    status = (
        f"<p><b>Excluded:</b> {_e(reason)}</p>"
        if isinstance(reason, str) and reason
        else "<p>Passes every constraint and land rule of the run.</p>"
    )
    flag_list = (
        "<ul class='flags'>" + "".join(f"<li>{_e(f)}</li>" for f in flags) + "</ul>"
        if flags
        else "<p class='muted'>No land flag.</p>"
    )
    land = result.manifest.land or {}
    packs = ", ".join(p.get("name", "") for p in land.get("rule_packs", []))
    checked = "; ".join(result.manifest.constraints)
    return (
        f"<h2>Land status</h2>{status}<h3>Flags (the site still ranks)</h3>{flag_list}"
        f"<div class='muted'>Constraints: {_e(checked) or 'none'}. Rule packs:"
        f" {_e(packs) or 'none'}.</div>"
    )


def _scheme_section(result: Result, sites: pd.DataFrame, s: pd.Series) -> str:
    """Eligible or not, and why: the land it offers against the scheme's minimum."""
    if "scheme_eligible" not in s.index:
        return ""
    scheme = result.manifest.scheme or {}
    ok = bool(s.get("scheme_eligible"))
    why = str(s.get("scheme_reason") or "")
    partner = str(s.get("scheme_partner") or "")
    link = str(s.get("scheme_link") or "")
    area_ha = float(s.get("area_ha") or 0.0)
    if partner and partner in sites.index:
        area_ha += float(sites.loc[partner].get("area_ha") or 0.0)
    name, variant = scheme.get("name", "the scheme"), scheme.get("variant", "")
    minimum = scheme.get("min_area_acres")
    offered = f"{area_ha:,.1f} ha ({area_ha / ACRE_HA:,.1f} acres)"
    if partner:
        offered += f" with parcel {_e(partner)} ({_e(link)})"
    against = (
        f" against the {minimum:g} acres {_e(name)} asks"
        + (f" ({_e(_words(variant))})" if variant else "")
        if minimum is not None
        else ""
    )
    verdict = "Eligible" if ok else "Not eligible"
    detail = f"{verdict}: {offered}{against}" + (f"; {_e(why)}" if why else "") + "."
    source = scheme.get("source")
    return (
        "<h2>Scheme</h2><p>"
        + detail
        + "</p>"
        + (f"<div class='muted'>{_e(source)}</div>" if source else "")
    )


def _words(key: str) -> str:
    """A config key as words, abbreviations kept upper case.

    >>> _words("hill_state_or_ut")
    'hill state or UT'
    """
    return " ".join(w.upper() if w in {"ut", "ne", "sez"} else w for w in key.split("_"))


def _robustness_section(result: Result, s: pd.Series, sid: str) -> str:
    bits = []
    for col, label in (("p_rank1", "P(rank 1)"), ("p_top10", "P(top 10)")):
        if col in s.index:
            bits.append(f"{label} {_num(s.get(col), 3)}")
    if "rank_p05" in s.index:
        bits.append(f"rank range (5th-95th percentile) {_num(s.get('rank_p05'), 0)}"
                    f"-{_num(s.get('rank_p95'), 0)}")  # fmt: skip
    stable = ""
    if result.manifest.stability and float(s.get("rank") or 0) == 1:
        changes = [
            f"{_e(r.criterion)} {r.smallest_change:+.3f}"
            for r in result.manifest.stability
            if r.smallest_change is not None
        ]
        stable = "<div>Weight change that would displace it: " + ", ".join(changes) + "</div>"
    return "<h2>Robustness</h2><div>" + (" · ".join(bits) or "not computed") + "</div>" + stable


def _cost_section(s: pd.Series) -> str:
    parts = [c for c in s.index if c.startswith("component__")]
    if not parts:
        return ""
    rows = "".join(
        f"<tr><td>{_e(c.split('__')[-1].replace('_', ' '))}</td>"
        f"<td>{'unknown' if not _finite(s[c]) else f'Rs {float(s[c]):,.2f} crore'}</td></tr>"
        for c in parts
    )
    return f"<h2>Cost to make it usable</h2><table>{rows}</table>"


def _allocation_section(result: Result, sid: str) -> str:
    table = result.allocation
    if table is None or table.empty:
        return ""
    mine = table[table["site_id"].astype(str) == sid]
    if mine.empty:
        return "<h2>Allocation</h2><p class='muted'>Not chosen by the run's location problems.</p>"
    drawn = {
        p: (r.get("robustness") or {}).get("draws") for p, r in result.manifest.allocation.items()
    }
    shares = mine["chosen_share"] if "chosen_share" in mine else pd.Series(np.nan, mine.index)

    def again(problem: str, share: float) -> str:
        if not _finite(share) or not drawn.get(problem):
            return "not re-solved"
        return f"{_num(share * 100, 0)}% of {drawn[problem]} weight draws"

    rows = "".join(
        f"<tr><td>{_e(r.problem)}</td><td>{r.demand_served:,.0f}</td>"
        f"<td>{_num(r.mean_min, 1)} min</td><td>{_num(r.coverage_share * 100, 0)}%</td>"
        f"<td>{again(str(r.problem), share)}</td></tr>"
        for r, share in zip(mine.itertuples(), shares, strict=True)
    )
    return (
        "<h2>Allocation role</h2><table><tr><th>problem</th><th>demand served</th>"
        f"<th>mean time</th><th>coverage share</th><th>chosen again</th></tr>{rows}</table>"
    )


def _e(value: Any) -> str:
    return html.escape(str(value) if value is not None else "")


def _finite(value: Any) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


def _float(value: Any) -> float | None:
    return float(value) if _finite(value) else None


def _num(value: Any, digits: int) -> str:
    return f"{float(value):,.{digits}f}" if _finite(value) else "-"


def _rank(s: pd.Series) -> str:
    rank = s.get("rank")
    return f"rank {int(rank)}" if _finite(rank) else "excluded"


def site_order(sites: gpd.GeoDataFrame) -> list[str]:
    """Site ids, best-ranked first (excluded sites after, by id)."""
    ranked = sites.assign(_r=pd.to_numeric(sites["rank"], errors="coerce"))
    ordered = ranked.sort_values(["_r", "site_id"], kind="mergesort", na_position="last")
    return [str(s) for s in ordered["site_id"]]
