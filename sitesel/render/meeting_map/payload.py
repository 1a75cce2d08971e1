"""Pack a map's data into compact JSON for the page's script.

Coordinates are quantised to 1e-5 degrees (about 1 m) and delta-encoded per ring, after
simplifying geometry to display scale: a 50,000-site map stays a few megabytes. Text from
data (road and place names) travels as JSON strings and is put on the page with
``textContent`` by the script, so markup in a name shows as text and runs nothing.
"""

from __future__ import annotations

import json
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sitesel.data.hex_lattice import hex_lattice
from sitesel.exclusions import text as record_text
from sitesel.exclusions.records import Records
from sitesel.render.classes import map_classes, score_classes
from sitesel.render.mapdata import MapData
from sitesel.render.meeting_map.image_picks import image_order, pack_picks, utm_lattice
from sitesel.render.meeting_map.live_image import live_candidates, pack_live_image
from sitesel.render.meeting_map.page_method import PageMethod, aggregation_payload, page_method
from sitesel.render.site_image import vector_sites

WGS84 = "EPSG:4326"
SCALE = 100_000  # 1e-5 degrees, about 1 m
SIMPLIFY_M = 5.0  # finer than a pixel at the zoom a 40 ha site fills the screen
ZONE_SIMPLIFY_M = 25.0  # zones (parks, bands, setbacks): their data is ~1 km accurate anyway
EXTRA_FIELDS = (
    ("p_rank1", "P(rank 1) under weight uncertainty"),
    ("rank_p05", "rank, 5th percentile"),
    ("rank_p95", "rank, 95th percentile"),
    ("region", "region"),
    ("scheme_eligible", "meets the scheme's land rule"),
    ("scheme_reason", "scheme"),
    ("scheme_partner", "joined with parcel"),
    ("scheme_link", "joined how"),
    ("notes", "notes"),
    ("flags", "land flags"),
    ("dem_resolution_m", "terrain from a DEM of (m)"),
)
"""Optional run columns shown on the site card when present."""


def _nullable(values: np.ndarray, digits: int) -> list[float | None]:
    """Rounded values, None where not finite (JSON has no NaN).

    >>> _nullable(np.array([0.123456, np.nan, 2.0]), 4)
    [0.1235, None, 2.0]
    """
    out: list[float | None] = np.round(values, digits).tolist()
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        out[i] = None
    return out


def encode_lines(geoms: np.ndarray) -> list[list[list[int]]]:
    """Per geometry, per part (a ring or a line): ``[x0, y0, dx1, dy1, ...]`` in 1e-5 deg.

    Polygon holes are dropped (sites are drawn as filled outlines). Closing points of rings
    are dropped: Leaflet closes polygons itself.

    >>> import shapely
    >>> encode_lines(np.array([shapely.LineString([(77.5, 34.1), (77.50002, 34.10001)])]))
    [[[7750000, 3410000, 2, 1]]]
    """
    parts, owner = shapely.get_parts(geoms, return_index=True)
    is_polygon = shapely.get_type_id(parts) == 3
    lines = np.where(is_polygon, shapely.get_exterior_ring(parts), parts)
    coords, line_idx = shapely.get_coordinates(lines, return_index=True)
    ints = np.round(coords * SCALE).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, line_idx[1:] != line_idx[:-1]])
    deltas = np.diff(ints, axis=0, prepend=ints[:1])
    deltas[starts] = ints[starts]
    out: list[list[list[int]]] = [[] for _ in range(len(geoms))]
    bounds = np.r_[starts, len(ints)]
    for k in range(len(starts)):
        chunk = deltas[bounds[k] : bounds[k + 1]]
        if is_polygon[line_idx[bounds[k]]] and len(chunk) > 3:
            chunk = chunk[:-1]
        out[owner[line_idx[bounds[k]]]].append(chunk.ravel().tolist())
    return out


def _display(geoms: gpd.GeoSeries, tolerance_m: float = SIMPLIFY_M) -> np.ndarray:
    """Simplified in the projected CRS (to ``tolerance_m``), then in degrees.

    Lines by plain Douglas-Peucker: a road cannot become an invalid polygon, and keeping
    topology cost 15 times as long (0.16 s for Leh's roads, the same vertices to 0.02 %).
    """
    simple = geoms
    if geoms.crs and geoms.crs.is_projected:
        lines = bool(geoms.geom_type.isin(["LineString", "MultiLineString"]).all())
        simple = geoms.simplify(tolerance_m, preserve_topology=not lines)
    return np.asarray(gpd.GeoSeries(simple, crs=geoms.crs).to_crs(WGS84).to_numpy())


def _extras(sites: gpd.GeoDataFrame, records: Records) -> dict[str, Any]:
    """Optional columns (robustness, regions, scheme, flags) as text for the site card.

    A column of few distinct texts (flags, scheme reasons) is sent once per text, with
    each site's index into them: ``{"u": texts, "i": indices}``.
    """
    extras: dict[str, Any] = {}
    components = [
        (c, "cost: " + c.split("__")[-1].replace("_", " ") + " (Rs crore)")
        for c in sites.columns
        if c.startswith("component__")
    ]
    for column, label in (*EXTRA_FIELDS, *components):
        if column == "flags" and column in sites:
            extras[label] = _flags(sites, records)
            continue
        if column in sites:
            values = sites[column]
            if pd.api.types.is_bool_dtype(values):
                extras[label] = ["yes" if v else "no" for v in values]
            elif pd.api.types.is_numeric_dtype(values):
                extras[label] = [
                    "" if not math.isfinite(float(v)) else f"{float(v):.3g}" for v in values
                ]
            else:
                texts = values.fillna("").astype(str)
                codes, uniques = pd.factorize(texts)
                extras[label] = (
                    {"u": uniques.tolist(), "i": codes.tolist()}
                    if len(uniques) * 4 < len(texts)
                    else texts.tolist()
                )
    return extras


def pack(data: MapData) -> dict[str, Any]:
    """The JSON-ready payload the page's script reads.

    Above ``data.max_vector_sites`` only the sites :func:`vector_sites` picks are in it;
    ``counts`` then gives the exclusion counts over all sites. Candidates left out are in
    ``image`` (:mod:`~sitesel.render.meeting_map.live_image`) when the method scores each
    site on its own; otherwise ``live`` is false: the page cannot re-rank without them.
    """
    vector = vector_sites(data.sites, data.max_vector_sites)
    sites = data.sites[vector]
    criteria = [
        {
            "name": name,
            "label": data.label(name),
            "unit": unit,
            "weight": data.weights.get(name, 0.0),
            "weighted": name in data.weights,
        }
        for name, unit in data.units.items()
    ]
    payload: dict[str, Any] = {
        "name": data.name,
        "top_n": data.top_n,
        "criteria": criteria,
        **_site_columns(sites, criteria),
        "sites": encode_lines(_display(sites.geometry)),
        "area": encode_lines(_display(data.area)),
    }
    payload["extras"] = _extras(sites, data.records.subset(vector))
    if data.routes is not None and len(data.routes):
        payload["routes"] = _routes(data, sites)
    method = page_method(data)
    payload["aggregation"] = _aggregation(method, vector)
    live = live_candidates(data, vector, method.terms is not None)
    payload |= _left_out(data.sites, vector, live, data.records)
    if not method.reranks:  # the page shows sitesel's values
        payload["suitability"] = _nullable(sites["suitability"].to_numpy(float), 6)
    if not vector.all():  # the image's sites: painted live, and found under a click
        payload["image"] = _image(data, vector, live, criteria, method)
    suit_classes = map_classes(
        data.sites["suitability"].to_numpy(dtype=float), data.sites["excluded"]
    )
    payload["classes"] = {
        "suitability": {"edges": suit_classes.edges, "colours": suit_classes.colours},
        "score": {"edges": score_classes().edges, "colours": score_classes().colours},
    }
    if data.roads is not None and len(data.roads):
        payload["roads"] = {
            "class": data.roads["road_class"].astype(str).tolist(),
            "name": data.roads["name"].fillna("").astype(str).tolist(),
            "lines": encode_lines(_display(data.roads.geometry)),
        }
    if data.targets is not None and len(data.targets):
        payload["targets"] = _targets(data)
    if data.places is not None and len(data.places):
        payload["places"] = _places(data)
    payload |= _context_layers(data)
    return payload


MANY_TARGETS = 25
"""A criterion with more targets than this (habitations) shows only those inside the study
area, in a layer that is off by default; fewer (towns, an airport) are labelled."""
PLACE_LABELS = 30
"""At most this many towns are labelled, the most populous first."""


def _targets(data: MapData) -> dict[str, Any]:
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


def _places(data: MapData) -> dict[str, Any]:
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


def _image(
    data: MapData,
    vector: np.ndarray,
    live: np.ndarray,
    criteria: list[dict[str, Any]],
    method: PageMethod,
) -> dict[str, Any]:
    """The image's index raster, live terms and picks (:mod:`.image_picks`).

    Candidates are found under a click by the index raster; excluded sites by lattice
    arithmetic when the grid allows it (else they are not in the picks).
    """
    excluded = data.sites["excluded"].to_numpy(dtype=bool)
    order = image_order(vector, live, excluded)
    indexed = order[: int((~excluded[order]).sum())]
    lattice = None
    if len(indexed) < len(order):
        found = data.lattice or hex_lattice(data.sites.geometry.to_numpy())
        lattice = utm_lattice(found, data.sites.crs, data.sites["site_id"])
    terms = method.terms if method.terms is not None else method.scores
    image = pack_live_image(data, indexed, live, terms)
    in_terms = bool(live.any()) and method.terms_are_scores  # the picks need not repeat them
    picked = order if lattice is not None else indexed
    image["picks"] = pack_picks(data.sites, picked, criteria, in_terms)
    if lattice is not None:
        image["picks"]["lattice"] = lattice
    return image


def _site_columns(sites: gpd.GeoDataFrame, criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-site arrays: ids, names, exclusions, area, raw values, scores and ranks."""
    rank = sites["rank"].to_numpy(dtype=float)
    return {
        "ids": sites["site_id"].astype(str).tolist(),
        "place": sites["place"].fillna("").astype(str).tolist() if "place" in sites else None,
        "excluded": sites["excluded"].astype(bool).astype(int).tolist(),
        "reason": sites["exclusion_reason"].fillna("").astype(str).tolist(),
        "area_ha": _nullable(sites["area_ha"].to_numpy(dtype=float), 2),
        "raw": [_nullable(sites[f"raw__{c['name']}"].to_numpy(float), 4) for c in criteria],
        "score": [
            _nullable(sites[f"score__{c['name']}"].to_numpy(float), 6) if c["weighted"] else None
            for c in criteria
        ],
        "rank": [None if not math.isfinite(r) else int(r) for r in rank],
    }


def _left_out(
    sites: gpd.GeoDataFrame, vector: np.ndarray, live: np.ndarray, records: Records
) -> dict[str, Any]:
    """Counts over all sites, and whether the page can re-rank, when some are an image.

    The page can re-rank when every candidate is a vector site or painted live.
    """
    if vector.all():
        return {}
    excluded = sites["excluded"].to_numpy(dtype=bool)
    counts = record_text.counts(records, "exclude")
    reranks = bool((vector | live)[~excluded].all())
    out: dict[str, Any] = {
        "counts": {
            "sites": len(sites),
            "excluded": int(excluded.sum()),
            "reasons": {str(k): int(v) for k, v in counts.items()},
        },
        "live": reranks,
    }
    if not reranks:
        out["suitability"] = _nullable(sites.loc[vector, "suitability"].to_numpy(float), 6)
    return out


def _aggregation(method: PageMethod, vector: np.ndarray) -> dict[str, Any]:
    """What the page needs to re-rank as sitesel does (PROMETHEE: the per-criterion flows)."""
    out = aggregation_payload(method)
    if method.terms is not None and method.method is not None and not method.terms_are_scores:
        terms = method.terms
        out[str(method.method.page_terms)] = [
            _nullable(terms[vector, k], 9) for k in range(terms.shape[1])
        ]
    return out


def _context_layers(data: MapData) -> dict[str, Any]:
    """Taken land and road repairs: layers a planner switches on to see why."""
    out: dict[str, Any] = {}
    taken = data.taken_land
    if taken is not None and len(taken):
        action = taken["action"] if "action" in taken else pd.Series("exclude", index=taken.index)
        out["taken"] = {
            "reason": taken["reason"].fillna("").astype(str).tolist(),
            "action": action.fillna("exclude").astype(str).tolist(),
            "polys": encode_lines(_display(taken.geometry, ZONE_SIMPLIFY_M)),
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


def _flags(sites: gpd.GeoDataFrame, records: Records) -> dict[str, Any]:
    """The land flags of the ranked sites, each as a kind of flag and its measure.

    "6.5 km from Hemis National Park: eco-sensitive band ..." is sent as the kind (the text
    without its leading distance, once for all sites) and "6.5 km from": the flags of 4,844
    sites would otherwise be a megabyte of near-repeats. Excluded sites' flags stay in the
    tables (their card says why they are excluded).
    """
    kinds: dict[str, int] = {}
    per_site: list[list[list[Any]]] = []
    ranked = ~sites["excluded"].astype(bool).to_numpy()
    for pairs, keep in zip(record_text.per_site(records, "flag", len(sites)), ranked, strict=True):
        mine: list[list[Any]] = []
        for prefix, kind in pairs if keep else []:
            mine.append([kinds.setdefault(kind, len(kinds)), prefix])
        per_site.append(mine)
    return {"kinds": list(kinds), "sites": per_site}


def _routes(data: MapData, sites: gpd.GeoDataFrame) -> dict[str, Any]:
    """The stored routes of the drawn sites: per site index, its routes to the targets.

    Drawn only when a site is selected, so the page stays small; the same lines as the
    dossier (``sitesel report``) draws.
    """
    assert data.routes is not None
    index = {sid: k for k, sid in enumerate(sites["site_id"].astype(str))}
    routes = data.routes[data.routes["site_id"].astype(str).isin(index)]
    lines = encode_lines(_display(routes.geometry))
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
    sites = data.sites.set_index(data.sites["site_id"].astype(str))
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
                "places": chosen["place"].fillna("").astype(str).tolist(),
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


def to_script_json(payload: dict[str, Any]) -> str:
    """JSON safe to embed in a ``<script type="application/json">`` element."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c")  # "<" only occurs inside JSON strings
