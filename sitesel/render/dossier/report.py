"""The dossier of the shortlisted sites: one printable page per site, offline, one file.

Each page has a location map (:mod:`~sitesel.render.dossier.location_map`: the DEM's hillshade,
the site, the roads, the towns and the routes to each travel-time target, drawn as SVG in
metres of the working CRS, so a route's drawn length is its length), the routes with their
km, minutes and roads, the criteria (raw value, score, weight, contribution), the terrain
(heights and a slope-class histogram on the finest DEM), the land status (exclusion,
flags), the scheme, robustness, the cost breakdown, the allocation role and the run's
provenance (:mod:`~sitesel.render.dossier.sections`). An index lists the sites with a
one-line comparison. A4 portrait in print; the page has no controls to hide.

In Hindi (``lang="hi"``) every word is the catalog's, reasons and flags are written again
from the run's records and places read back (:mod:`sitesel.language.records`), and Noto
Sans Devanagari travels with the page, subset to its text.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from sitesel.exclusions.records import Records
from sitesel.exclusions.text import joined, texts
from sitesel.language import translator
from sitesel.language.records import localised_place
from sitesel.render.dossier.cells import Say, as_float, e, known_text, num, rank_text
from sitesel.render.dossier.location_map import location_svg
from sitesel.render.dossier.sections import (
    allocation_section,
    cost_section,
    robustness_section,
    scheme_section,
    terrain_section,
)
from sitesel.render.fonts import font_face_css, needs_devanagari
from sitesel.render.palette import ROUTE_COLOURS
from sitesel.render.units_text import raw_text
from sitesel.result import Result

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


def report_html(result: Result, site_ids: list[str], lang: str = "en") -> str:
    """The dossier of ``site_ids`` (best first) as one self-contained HTML page."""
    t = translator(lang)
    sites = result.sites.set_index(result.sites["site_id"].astype(str))
    shown = sites.index.isin(site_ids)  # the records of these sites only (a district has
    records = result.records.subset(shown)  # millions)
    if lang != "en":  # the run's own words in the language (the English are its columns)
        sites = sites.copy()
        sites.loc[shown, "exclusion_reason"] = joined(records, "exclude", int(shown.sum()), lang)
        if "place" in sites:
            sites.loc[shown, "place"] = [
                localised_place(known_text(p), lang) for p in sites.loc[shown, "place"]
            ]
    meta = result.manifest
    flags = _flag_texts(records, sites.index[shown], lang)
    rows = []
    for sid in site_ids:
        s = sites.loc[sid]
        rows.append(
            f'<tr><td><a href="#site-{e(sid)}">{e(known_text(s.get("place")) or sid)}</a></td>'
            f"<td>{e(sid)}</td><td>{rank_text(s, t)}</td><td>{num(s.get('suitability'), 3)}</td>"
            f"<td>{_minutes_line(result, sid)}</td><td>{num(s.get('area_ha'), 1)} ha</td>"
            f"<td>{len(flags.get(sid, []))}</td></tr>"
        )
    head = "".join(
        f"<th>{t(h)}</th>"
        for h in ("site", "id", "rank", "suitability", "minutes by road", "area", "flags")
    )
    title = t("sitesel dossier: {name}", name=e(result.name))
    index = (
        f"<h1>{title}</h1><div class='muted'>{e(meta.description)} · "
        + t("run {date}", date=e(meta.run_date))
        + f" · sitesel {e(meta.sitesel_version)}</div><h2>{t('Sites')}</h2>"
        f"<table><tr>{head}</tr>" + "".join(rows) + "</table>"
    )
    pages = "".join(_site_page(result, sites, sid, flags.get(sid, []), t) for sid in site_ids)
    body = f"{index}{pages}"
    fonts = font_face_css(body) if needs_devanagari(body) else ""
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{CSS}{fonts}</style></head><body>{body}</body></html>"
    )


def _site_page(result: Result, sites: pd.DataFrame, sid: str, flags: list[str], t: Say) -> str:
    s = sites.loc[sid]
    summary = t("site {id}", id=e(sid)) + f" · {rank_text(s, t)} · " + t("suitability")
    parts = [
        f"<section class='site' id='site-{e(sid)}'>",
        f"<h1>{e(known_text(s.get('place')) or sid)}</h1>",
        f"<div class='muted'>{summary} {num(s.get('suitability'), 3)} ·"
        f" {num(s.get('area_ha'), 1)} ha</div>",
        location_svg(result, s.geometry, _routes_of(result, sid)),
        _routes_section(result, sid, t),
        _criteria_section(result, s, t),
        terrain_section(result, s, sid, t),
        _land_section(result, s, flags, t),
        scheme_section(result, sites, s, t),
        robustness_section(result, s, t),
        cost_section(s, t),
        allocation_section(result, sid, t),
        _provenance(result, t),
        "</section>",
    ]
    return "".join(parts)


def _provenance(result: Result, t: Say) -> str:
    meta = result.manifest
    return (
        f"<h2>{t('Provenance')}</h2><table>"
        f"<tr><td>{t('config')}</td><td>{e(meta.config.path)}<br><span class='muted'>sha256"
        f" {e(meta.config.sha256)}</span></td></tr>"
        f"<tr><td>{t('catalog')}</td><td>{e(meta.catalog.path)}<br><span class='muted'>sha256"
        f" {e(meta.catalog.sha256)}</span></td></tr>"
        f"<tr><td>{t('data files')}</td><td>"
        + t("{n} (sha256 in manifest.json)", n=len(meta.inputs_sha256))
        + f"</td></tr><tr><td>{t('run')}</td><td>{e(meta.run_date)}, sitesel"
        f" {e(meta.sitesel_version)}</td></tr>"
        f"<tr><td>{t('sources')}</td><td>{e('; '.join(meta.attribution))}</td></tr></table>"
    )


def _routes_of(result: Result, sid: str) -> pd.DataFrame:
    routes = result.routes
    if routes is None or routes.empty:
        return pd.DataFrame()
    return routes[routes["site_id"].astype(str) == sid]


def _minutes_line(result: Result, sid: str) -> str:
    mine = _routes_of(result, sid)
    labels = result.manifest.criteria_labels
    return "; ".join(
        f"{e(labels.get(r.criterion, r.criterion))}: {raw_text(r.minutes, 'min')}"
        for r in mine.itertuples()
        if not r.scenario
    )


def _routes_section(result: Result, sid: str, t: Say) -> str:
    mine = _routes_of(result, sid)
    if mine.empty:
        note = t(
            "No route stored (the site is not among the run's top sites, or the study has no"
            " travel-time criterion)."
        )
        return f"<h2>{t('Routes')}</h2><p class='muted'>{note}</p>"
    labels = result.manifest.criteria_labels
    rows = "".join(
        f"<tr><td><span style='color:{ROUTE_COLOURS[k % len(ROUTE_COLOURS)]}'>■</span>"
        f" {e(labels.get(r.criterion, r.criterion))}"
        f"{' (' + e(r.scenario) + ')' if r.scenario else ''}</td>"
        f"<td>{raw_text(r.km, 'km')}</td><td>{raw_text(r.minutes, 'min')}</td><td>{e(r.roads)}"
        f"<br><span class='muted'>{e(getattr(r, 'road_names', ''))}</span></td></tr>"
        for k, r in enumerate(mine.itertuples())
    )
    head = "".join(f"<th>{t(h)}</th>" for h in ("to", "length", "time", "roads"))
    return f"<h2>{t('Routes')}</h2><table class='routes'><tr>{head}</tr>{rows}</table>"


def _criteria_section(result: Result, s: pd.Series, t: Say) -> str:
    meta = result.manifest
    rows = []
    for name in meta.criteria:
        unit = meta.criteria_units.get(name, "")
        weight = meta.weights.get(name)
        rows.append(
            f"<tr><td>{e(meta.criteria_labels.get(name, name))}</td>"
            f"<td>{e(raw_text(as_float(s.get(f'raw__{name}')), unit))}</td>"
            f"<td>{num(s.get(f'score__{name}'), 2)}</td>"
            f"<td>{'-' if weight is None else f'{100 * weight:.0f}%'}</td>"
            f"<td>{num(s.get(f'contribution__{name}'), 3)}</td></tr>"
        )
    head = "".join(
        f"<th>{t(h)}</th>" for h in ("criterion", "raw value", "score", "weight", "contribution")
    )
    return (
        f"<h2>{t('Criteria')}</h2><table class='criteria'><tr>{head}</tr>"
        + "".join(rows)
        + f"</table><div class='muted'>{t('Data:')} {e('; '.join(meta.attribution))}</div>"
    )


def _flag_texts(records: Records, ids: pd.Index, lang: str) -> dict[str, list[str]]:
    """Each site's land flags, from its records (numbered as ``ids``), in their order."""
    out: dict[str, list[str]] = {}
    for hits in records.of("flag"):
        for site, text in zip(hits.site, texts(hits, lang), strict=True):
            out.setdefault(str(ids[site]), []).append(str(text))
    return out


def _land_section(result: Result, s: pd.Series, flags: list[str], t: Say) -> str:
    reason = s.get("exclusion_reason")
    status = (
        f"<p><b>{t('Excluded:')}</b> {e(reason)}</p>"
        if isinstance(reason, str) and reason
        else f"<p>{t('Passes every constraint and land rule of the run.')}</p>"
    )
    flag_list = (
        "<ul class='flags'>" + "".join(f"<li>{e(f)}</li>" for f in flags) + "</ul>"
        if flags
        else f"<p class='muted'>{t('No land flag.')}</p>"
    )
    land = result.manifest.land or {}
    packs = ", ".join(p.get("name", "") for p in land.get("rule_packs", []))
    checked = "; ".join(result.manifest.constraints)
    return (
        f"<h2>{t('Land status')}</h2>{status}<h3>{t('Flags (the site still ranks)')}</h3>"
        f"{flag_list}<div class='muted'>{t('Constraints:')} {e(checked) or t('none')}. "
        f"{t('Rule packs:')} {e(packs) or t('none')}.</div>"
    )


def site_order(sites: gpd.GeoDataFrame) -> list[str]:
    """Site ids, best-ranked first (excluded sites after, by id)."""
    ranked = sites.assign(_r=pd.to_numeric(sites["rank"], errors="coerce"))
    ordered = ranked.sort_values(["_r", "site_id"], kind="mergesort", na_position="last")
    return [str(s) for s in ordered["site_id"]]
