"""The map's layers beyond the sites, packed for the page.

Targets, town labels, taken land, road repairs, the shortlist's routes and the location
problems' chosen sites and demand.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sitesel.language.records import localised_place
from sitesel.render.mapdata import MapData
from sitesel.render.meeting_map.encoding import (
    WGS84,
    ZONE_SIMPLIFY_M,
    display,
    encode_lines,
)

MANY_TARGETS = 25
"""A criterion with more targets than this (habitations) shows only those inside the study
area, in a layer that is off by default; fewer (towns, an airport) are labelled."""
PLACE_LABELS = 30
"""At most this many towns are labelled, the most populous first."""


def targets_payload(data: MapData) -> dict[str, Any]:
    """Point targets of each criterion, their names, and which criteria have many."""
    targets = data.targets
    assert targets is not None
    # Line targets (a highway network) are already drawn as roads: mark the others.
    points = targets[~targets.geom_type.isin(["LineString", "MultiLineString"])]
    counts = points["criterion"].value_counts()
    many = points["criterion"].map(counts).to_numpy() > MANY_TARGETS
    inside = points.geometry.intersects(data.area.union_all()).to_numpy()
    points = points[~many | inside]
    lonlat = points.geometry.to_crs(WGS84).representative_point()
    return {
        "criterion": points["criterion"].astype(str).tolist(),
        "label": [data.label(c) for c in points["criterion"].astype(str)],
        "name": points["name"].fillna("").astype(str).tolist(),
        "lonlat": np.round(np.column_stack([lonlat.x, lonlat.y]), 5).tolist(),
        "many": sorted(str(c) for c in counts.index if counts[c] > MANY_TARGETS),
    }


def places_payload(data: MapData) -> dict[str, Any]:
    """The most populous towns in the study area's bounding box, for labels."""
    places = data.places
    assert places is not None
    box = shapely.box(*data.area.total_bounds)
    inside = places[places.geometry.intersects(box)]
    inside = inside.assign(pop=inside["population"].fillna(0)).sort_values(
        ["pop", "name"], ascending=[False, True], kind="mergesort"
    )
    top = inside.head(PLACE_LABELS)
    lonlat = top.geometry.to_crs(WGS84)
    return {
        "name": top["name"].astype(str).tolist(),
        "population": [int(p) for p in top["pop"]],
        "lonlat": np.round(np.column_stack([lonlat.x, lonlat.y]), 5).tolist(),
    }


def context_layers(data: MapData) -> dict[str, Any]:
    """Taken land and road repairs: layers a planner switches on to see why."""
    out: dict[str, Any] = {}
    taken = data.taken_land
    if taken is not None and len(taken):
        action = taken["action"] if "action" in taken else pd.Series("exclude", index=taken.index)
        out["taken"] = {
            "reason": taken["reason"].fillna("").astype(str).tolist(),
            "action": action.fillna("exclude").astype(str).tolist(),
            "polys": encode_lines(display(taken.geometry, ZONE_SIMPLIFY_M)),
        }
    if data.allocation is not None and data.allocation_demand is not None:
        out["allocation"] = _allocation_layers(data)
    if data.repairs:
        out["repairs"] = {
            "lonlat": [[r["lon"], r["lat"]] for r in data.repairs],
            "text": [
                f"{r['kind']}: {r['gap_m']:g} m gap closed, {r['joined']}" for r in data.repairs
            ],
        }
    return out


def routes_payload(data: MapData, sites: gpd.GeoDataFrame) -> dict[str, Any]:
    """The stored routes of the drawn sites: per site index, its routes to the targets.

    Drawn only when a site is selected, so the page stays small; the same lines as the
    dossier (``sitesel report``) draws.
    """
    assert data.routes is not None
    index = {sid: k for k, sid in enumerate(sites["site_id"].astype(str))}
    routes = data.routes[data.routes["site_id"].astype(str).isin(index)]
    lines = encode_lines(display(routes.geometry))
    return {
        "site": [index[s] for s in routes["site_id"].astype(str)],
        "label": [
            data.label(c) + (f" ({s})" if s else "")
            for c, s in zip(routes["criterion"], routes["scenario"].fillna(""), strict=True)
        ],
        "km": [round(float(v), 3) for v in routes["km"]],
        "minutes": [round(float(v), 2) for v in routes["minutes"]],
        "roads": routes["roads"].fillna("").astype(str).tolist(),
        "lines": lines,
    }


def _shares(chosen: pd.DataFrame) -> list[float | None]:
    """Each chosen site's share of the weight draws that chose it again (None: not re-solved)."""
    if "chosen_share" not in chosen:  # a run written before the column existed
        return [None] * len(chosen)
    return [None if pd.isna(v) else round(float(v), 3) for v in chosen["chosen_share"]]


def _allocation_layers(data: MapData) -> list[dict[str, Any]]:
    """Each location problem: its chosen sites and its demand points by assigned site."""
    assert data.allocation is not None and data.allocation_demand is not None
    site_ids = data.sites["site_id"].astype(str)
    chosen_ids = set(data.allocation["site_id"].astype(str))
    sites = data.sites[site_ids.isin(chosen_ids).to_numpy()]  # only the chosen are drawn
    sites = sites.set_index(sites["site_id"].astype(str))
    centres = gpd.GeoSeries(sites.geometry.centroid, crs=data.sites.crs).to_crs(WGS84)
    demand = data.allocation_demand.to_crs(WGS84)
    out = []
    for problem, chosen in data.allocation.groupby("problem", sort=False):
        record = data.allocation_records.get(str(problem), {})
        ids = chosen["site_id"].astype(str).tolist()
        mine = demand[demand["problem"] == problem]
        index = {sid: k for k, sid in enumerate(ids)}
        out.append(
            {
                "name": str(problem),
                "problem": str(record.get("problem", "")),
                "k": record.get("k"),
                "within_min": record.get("within_min"),
                "coverage_share": record.get("coverage_share"),
                "ids": ids,
                "places": [
                    localised_place(p, data.language)
                    for p in chosen["place"].fillna("").astype(str)
                ],
                "draws": (record.get("robustness") or {}).get("draws"),
                "chosen_share": _shares(chosen),
                "lonlat": [
                    [round(float(p.x), 5), round(float(p.y), 5)] for p in centres.loc[ids]
                ],
                "demand": {
                    "lonlat": [[round(float(p.x), 5), round(float(p.y), 5)]
                               for p in mine.geometry],
                    "site": [index.get(str(s), -1) for s in mine["site_id"].fillna("")],
                    "covered": [bool(c) for c in mine["covered"]],
                    "name": mine["name"].fillna("").astype(str).tolist(),
                    "weight": [float(w) for w in mine["weight"]],
                    "minutes": [None if not math.isfinite(float(m)) else round(float(m), 1)
                                for m in mine["minutes"].fillna(np.inf)],
                },
            }
        )  # fmt: skip
    return out
