"""The dossier's sections on what a site is: terrain, scheme, robustness, cost, allocation.

Each takes the run, the site's row and a translator ``t``; the words are the catalog's
(:mod:`sitesel.language`), the numbers grouped the Indian way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sitesel.render.dossier.cells import Say, e, finite, num
from sitesel.result import Result
from sitesel.terrain.slope_classes import (
    SLOPE_CLASS_EDGES_PCT,
    SLOPE_CLASS_NAMES,
    slope_class_columns,
)
from sitesel.units import ACRE_HA


def terrain_section(result: Result, s: pd.Series, sid: str, t: Say) -> str:
    """Heights, slope and the slope-class histogram on the site's finest DEM, when profiled."""
    terrain = result.terrain
    row = None
    if terrain is not None and len(terrain):
        mine = terrain[terrain["site_id"].astype(str) == sid]
        row = mine.iloc[0] if len(mine) else None
    if row is None:
        return _unprofiled(s, t)
    source = t(
        "from {dem} ({m} m cells), the finest DEM of the run covering the site",
        dem=e(row["dem_layer"]),
        m=num(row["dem_resolution_m"], 0),
    )
    heights = t(
        "{low} to {high} m (mean {mean} m)",
        low=num(row["elevation_min_m"], 0),
        high=num(row["elevation_max_m"], 0),
        mean=num(row["elevation_mean_m"], 0),
    )
    slopes = t(
        "mean {mean}°, steepest cell {max}°",
        mean=num(row["slope_mean_deg"], 1),
        max=num(row["slope_max_deg"], 1),
    )
    return (
        f"<h2>{t('Terrain')}</h2><div>{source}</div><table class='terrain'>"
        f"<tr><td>{t('elevation')}</td><td>{heights}</td></tr>"
        f"<tr><td>{t('slope')}</td><td>{slopes}</td></tr></table>" + slope_histogram(row, t)
    )


def _unprofiled(s: pd.Series, t: Say) -> str:
    """A site off the shortlist: the terrain criteria the run computed for it."""
    dem, res = s.get("dem_layer"), s.get("dem_resolution_m")
    source = f"{e(dem)} ({num(res, 0)} m cells)" if isinstance(dem, str) and dem else ""
    values = [
        (c.removeprefix("raw__"), s[c])
        for c in s.index
        if c.startswith("raw__") and (c.endswith("_deg") or c.endswith("_m"))
    ]
    rows = "".join(f"<tr><td>{e(n)}</td><td>{num(v, 2)}</td></tr>" for n, v in values)
    note = t(
        "no terrain profile: the run profiles its shortlist (the best map.top_n sites and"
        " those its location problems chose)"
    ) + (t("; the criteria came from {source}", source=source) if source else "")
    return f"<h2>{t('Terrain')}</h2><div class='muted'>{note}</div><table>{rows}</table>"


def slope_histogram(row: pd.Series, t: Say) -> str:
    """The site's area by slope class as horizontal SVG bars, labelled with their shares."""
    columns = slope_class_columns()
    if not any(finite(row[c]) for c in columns):
        return (
            f"<div class='muted'>{t('no slope values under the site on this DEM (a hole)')}</div>"
        )
    edges = [*SLOPE_CLASS_EDGES_PCT, None]
    bar_w, row_h, label_w = 160.0, 14.0, 190.0
    parts = []
    for k, (column, name) in enumerate(zip(columns, SLOPE_CLASS_NAMES, strict=True)):
        share = float(row[column]) if finite(row[column]) else 0.0
        lo, hi = edges[k], edges[k + 1]
        span = f"{lo:g}-{hi:g} %" if hi is not None else t("over {pct} %", pct=f"{lo:g}")
        y = k * row_h
        parts.append(
            f"<text x='0' y='{y + 10:.0f}' font-size='9'>{e(span)} {e(t(name))}</text>"
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
        + "</svg><div class='muted'>"
        + t("share of the site's area by slope class (FAO slope gradient classes, percent)")
        + "</div>"
    )


def scheme_section(result: Result, sites: pd.DataFrame, s: pd.Series, t: Say) -> str:
    """Eligible or not, and why: the land it offers against the scheme's minimum."""
    if "scheme_eligible" not in s.index:
        return ""
    scheme = result.manifest.scheme or {}
    why = str(s.get("scheme_reason") or "")
    partner = str(s.get("scheme_partner") or "")
    area_ha = float(s.get("area_ha") or 0.0)
    if partner and partner in sites.index:
        area_ha += float(sites.loc[partner].get("area_ha") or 0.0)
    offered = t("{ha} ha ({acres} acres)", ha=num(area_ha, 1), acres=num(area_ha / ACRE_HA, 1))
    if partner:
        offered += " " + t("with parcel {id} ({link})", id=e(partner),
                           link=e(s.get("scheme_link") or ""))  # fmt: skip
    minimum, variant = scheme.get("min_area_acres"), scheme.get("variant", "")
    against = ""
    if minimum is not None:
        against = " " + t("against the {acres} acres {scheme} asks", acres=f"{minimum:g}",
                          scheme=e(scheme.get("name", "the scheme")))  # fmt: skip
        against += f" ({e(words(variant))})" if variant else ""
    verdict = t("Eligible") if bool(s.get("scheme_eligible")) else t("Not eligible")
    detail = f"{verdict}: {offered}{against}" + (f"; {e(why)}" if why else "") + "."
    source = scheme.get("source")
    return f"<h2>{t('Scheme')}</h2><p>{detail}</p>" + (
        f"<div class='muted'>{e(source)}</div>" if source else ""
    )


def words(key: str) -> str:
    """A config key as words, abbreviations kept upper case.

    >>> words("hill_state_or_ut")
    'hill state or UT'
    """
    return " ".join(w.upper() if w in {"ut", "ne", "sez"} else w for w in key.split("_"))


def robustness_section(result: Result, s: pd.Series, t: Say) -> str:
    """How sure the rank is under weight uncertainty, and what would displace rank 1."""
    bits = []
    for col, label in (("p_rank1", "P(rank 1)"), ("p_top10", "P(top 10)")):
        if col in s.index:
            bits.append(f"{label} {num(s.get(col), 3)}")
    if "rank_p05" in s.index:
        bits.append(t("rank range (5th-95th percentile) {low}-{high}",
                      low=num(s.get("rank_p05"), 0), high=num(s.get("rank_p95"), 0)))  # fmt: skip
    stable = ""
    rank = s.get("rank")  # missing (pd.NA) for an excluded site
    if result.manifest.stability and finite(rank) and float(rank) == 1:
        changes = [
            f"{e(r.criterion)} {r.smallest_change:+.3f}"
            for r in result.manifest.stability
            if r.smallest_change is not None
        ]
        stable = f"<div>{t('Weight change that would displace it:')} {', '.join(changes)}</div>"
    shown = " · ".join(bits) or t("not computed")
    return f"<h2>{t('Robustness')}</h2><div>{shown}</div>{stable}"


def cost_section(s: pd.Series, t: Say) -> str:
    """The cost parts of making the site usable, in crore rupees ("unknown" where unpriced)."""
    parts = [c for c in s.index if c.startswith("component__")]
    if not parts:
        return ""
    rows = "".join(
        f"<tr><td>{e(t(c.split('__')[-1].replace('_', ' ')))}</td><td>"
        + (t("unknown") if not finite(s[c]) else t("Rs {amount} crore", amount=num(s[c], 2)))
        + "</td></tr>"
        for c in parts
    )
    return f"<h2>{t('Cost to make it usable')}</h2><table>{rows}</table>"


def allocation_section(result: Result, sid: str, t: Say) -> str:
    """The site's role in the run's location problems, and how often re-solving keeps it."""
    table = result.allocation
    if table is None or table.empty:
        return ""
    mine = table[table["site_id"].astype(str) == sid]
    if mine.empty:
        note = t("Not chosen by the run's location problems.")
        return f"<h2>{t('Allocation role')}</h2><p class='muted'>{note}</p>"
    drawn = {
        p: (r.get("robustness") or {}).get("draws") for p, r in result.manifest.allocation.items()
    }
    shares = mine["chosen_share"] if "chosen_share" in mine else pd.Series(np.nan, mine.index)

    def again(problem: str, share: float) -> str:
        if not finite(share) or not drawn.get(problem):
            return t("not re-solved")
        return t("{pct}% of {n} weight draws", pct=num(share * 100, 0), n=drawn[problem])

    rows = "".join(
        f"<tr><td>{e(r.problem)}</td><td>{num(r.demand_served, 0)}</td>"
        f"<td>{num(r.mean_min, 1)} {t('min')}</td><td>{num(r.coverage_share * 100, 0)}%</td>"
        f"<td>{again(str(r.problem), share)}</td></tr>"
        for r, share in zip(mine.itertuples(), shares, strict=True)
    )
    head = "".join(
        f"<th>{t(h)}</th>"
        for h in ("problem", "demand served", "mean time", "coverage share", "chosen again")
    )
    return f"<h2>{t('Allocation role')}</h2><table><tr>{head}</tr>{rows}</table>"
