"""Pack a map's data into compact JSON for the page's script.

Coordinates are quantised to 1e-5 degrees (about 1 m) and delta-encoded per ring, after
simplifying geometry to display scale: a 50,000-site map stays a few megabytes. Text from
data (road and place names) travels as JSON strings and is put on the page with
``textContent`` by the script, so markup in a name shows as text and runs nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel.data.hex_lattice import hex_lattice
from sitesel.exclusions import text as record_text
from sitesel.exclusions.records import Records
from sitesel.language import messages, translator
from sitesel.language.records import localised_place
from sitesel.render.classes import map_classes, score_classes
from sitesel.render.mapdata import MapData
from sitesel.render.meeting_map.context_layers import (
    context_layers,
    places_payload,
    routes_payload,
    targets_payload,
)
from sitesel.render.meeting_map.encoding import (
    display,
    encode_lines,
    nullable,
)
from sitesel.render.meeting_map.image_picks import image_order, pack_picks, utm_lattice
from sitesel.render.meeting_map.live_image import live_candidates, pack_live_image
from sitesel.render.meeting_map.page_method import PageMethod, aggregation_payload, page_method
from sitesel.render.site_image import vector_sites

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


def _extras(
    sites: gpd.GeoDataFrame, records: Records, t: Callable[..., str], lang: str
) -> dict[str, Any]:
    """Optional columns (robustness, regions, scheme, flags) as text for the site card.

    A column of few distinct texts (flags, scheme reasons) is sent once per text, with
    each site's index into them: ``{"u": texts, "i": indices}``.
    """
    extras: dict[str, Any] = {}
    components = [
        (c, t("cost: {part} (Rs crore)", part=c.split("__")[-1].replace("_", " ")))
        for c in sites.columns
        if c.startswith("component__")
    ]
    fields = [(c, t(label)) for c, label in EXTRA_FIELDS]
    for column, label in (*fields, *components):
        if column == "flags" and column in sites:
            extras[label] = _flags(sites, records, lang)
            continue
        if column in sites:
            values = sites[column]
            if pd.api.types.is_bool_dtype(values):
                extras[label] = [t("yes") if v else t("no") for v in values]
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
    criteria = _criteria(data)
    records = data.records.subset(vector)  # the vector sites' reasons and flags
    payload: dict[str, Any] = {
        "name": data.name,
        "top_n": data.top_n,
        "criteria": criteria,
        **_site_columns(sites, criteria),
        **_words(sites, records, data.language),
        "sites": encode_lines(display(sites.geometry)),
        "area": encode_lines(display(data.area)),
    }
    t = translator(data.language)
    payload["extras"] = _extras(sites, records, t, data.language)
    if data.routes is not None and len(data.routes):
        payload["routes"] = routes_payload(data, sites)
    method = page_method(data)
    payload["aggregation"] = _aggregation(method, vector)
    payload["aggregation"]["label"] = t(payload["aggregation"]["label"])
    if data.language != "en":  # the page's words in the map's language
        payload["messages"] = messages(data.language)
    live = live_candidates(data, vector, method.terms is not None)
    payload |= _left_out(data.sites, vector, live, data.records, data.language)
    if not method.reranks:  # the page shows sitesel's values
        payload["suitability"] = nullable(sites["suitability"].to_numpy(float), 6)
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
            "lines": encode_lines(display(data.roads.geometry)),
        }
    if data.targets is not None and len(data.targets):
        payload["targets"] = targets_payload(data)
    if data.places is not None and len(data.places):
        payload["places"] = places_payload(data)
    payload |= context_layers(data)
    return payload


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
    reasons = (
        None
        if data.language == "en"
        else record_text.joined(data.records, "exclude", len(data.sites), data.language)
    )
    image["picks"] = pack_picks(data.sites, picked, criteria, in_terms, reasons)
    if lattice is not None:
        image["picks"]["lattice"] = lattice
    return image


def _criteria(data: MapData) -> list[dict[str, Any]]:
    """Each criterion's name, label, unit and weight, as the sliders and cards show them."""
    return [
        {
            "name": name,
            "label": data.label(name),
            "unit": unit,
            "weight": data.weights.get(name, 0.0),
            "weighted": name in data.weights,
        }
        for name, unit in data.units.items()
    ]


def _site_columns(sites: gpd.GeoDataFrame, criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-site arrays: ids, names, exclusions, area, raw values, scores and ranks."""
    rank = sites["rank"].to_numpy(dtype=float)
    return {
        "ids": sites["site_id"].astype(str).tolist(),
        "excluded": sites["excluded"].astype(bool).astype(int).tolist(),
        "area_ha": nullable(sites["area_ha"].to_numpy(dtype=float), 2),
        "raw": [nullable(sites[f"raw__{c['name']}"].to_numpy(float), 4) for c in criteria],
        "score": [
            nullable(sites[f"score__{c['name']}"].to_numpy(float), 6) if c["weighted"] else None
            for c in criteria
        ],
        "rank": [None if not math.isfinite(r) else int(r) for r in rank],
    }


def _words(sites: gpd.GeoDataFrame, records: Records, lang: str) -> dict[str, Any]:
    """Each site's place and exclusion reasons, in the map's language.

    In English, the run's own columns; in another language, the places read back and the
    reasons written again from the records (:mod:`sitesel.language.records`).
    """
    places = sites["place"].fillna("").astype(str).tolist() if "place" in sites else None
    if lang == "en":
        reasons = sites["exclusion_reason"].fillna("").astype(str).tolist()
    else:
        places = None if places is None else [localised_place(p, lang) for p in places]
        reasons = [str(r) for r in record_text.joined(records, "exclude", len(sites), lang)]
    return {"place": places, "reason": reasons}


def _left_out(
    sites: gpd.GeoDataFrame, vector: np.ndarray, live: np.ndarray, records: Records, lang: str
) -> dict[str, Any]:
    """Counts over all sites, and whether the page can re-rank, when some are an image.

    The page can re-rank when every candidate is a vector site or painted live.
    """
    if vector.all():
        return {}
    excluded = sites["excluded"].to_numpy(dtype=bool)
    counts = record_text.counts(records, "exclude", lang=lang)
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
        out["suitability"] = nullable(sites.loc[vector, "suitability"].to_numpy(float), 6)
    return out


def _aggregation(method: PageMethod, vector: np.ndarray) -> dict[str, Any]:
    """What the page needs to re-rank as sitesel does (PROMETHEE: the per-criterion flows)."""
    out = aggregation_payload(method)
    if method.terms is not None and method.method is not None and not method.terms_are_scores:
        terms = method.terms
        out[str(method.method.page_terms)] = [
            nullable(terms[vector, k], 9) for k in range(terms.shape[1])
        ]
    return out


def _flags(sites: gpd.GeoDataFrame, records: Records, lang: str) -> dict[str, Any]:
    """The land flags of the ranked sites, each as a kind of flag and its measure.

    "6.5 km from Hemis National Park: eco-sensitive band ..." is sent as the kind (the text
    without its leading distance, once for all sites) and "6.5 km from": the flags of 4,844
    sites would otherwise be a megabyte of near-repeats. Excluded sites' flags stay in the
    tables (their card says why they are excluded).
    """
    kinds: dict[str, int] = {}
    per_site: list[list[list[Any]]] = []
    ranked = ~sites["excluded"].astype(bool).to_numpy()
    pairs_of = record_text.per_site(records, "flag", len(sites), lang)
    for pairs, keep in zip(pairs_of, ranked, strict=True):
        mine: list[list[Any]] = []
        for prefix, kind in pairs if keep else []:
            mine.append([kinds.setdefault(kind, len(kinds)), prefix])
        per_site.append(mine)
    return {"kinds": list(kinds), "sites": per_site}
