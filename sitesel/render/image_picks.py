"""What a click on a big map's image finds: the site under the pixel, and its card's values.

Above ``max_vector_sites`` the sites not drawn as vectors are images (the live candidates
the page repaints, the excluded sites and the candidates it cannot recolour). The image's
index raster already says which site covers each pixel (:mod:`~sitesel.render.live_image`,
live candidates numbered first); this module packs, for each site of the image, what its
card shows as on a small map: its id, why it is excluded, its suitability, and each
criterion's raw value and score, the numbers quantised to 1/65,534 of each one's range
(a travel time spanning 300 minutes: 0.005 min). Excluded sites carry no values (their
reason, and the values in ``sites.gpkg``, say why), which keeps a district's 380,000
excluded sites to a few bytes each; ids of sitesel's hexagon grid (``H<col>_<row>``)
travel as their lattice columns and rows, a fraction of the text.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sitesel.render.live_image import deflated, quantised

HEX_ID = r"^H(-?\d+)_(-?\d+)$"
"""The id :func:`sitesel.data.sites.hex_grid` gives a hexagon: its lattice column and row."""


def image_order(vector: np.ndarray, live: np.ndarray) -> np.ndarray:
    """Positions of the image's sites: the live candidates first, then the others.

    >>> vector = np.array([True, False, False, False])
    >>> image_order(vector, live=np.array([False, False, True, False])).tolist()
    [2, 1, 3]
    """
    rest = ~vector & ~live
    return np.concatenate([np.flatnonzero(live), np.flatnonzero(rest)])


def pack_picks(
    sites: gpd.GeoDataFrame,
    order: np.ndarray,
    criteria: list[dict[str, Any]],
    scores_in_terms: bool = False,
) -> dict[str, Any]:
    """The card values of the image's sites, in ``order`` (:func:`image_order`).

    ``scores_in_terms``: the live image's terms are the scores (every method but
    PROMETHEE II) and every candidate of the image is live, so ``score`` is ``"terms"``
    instead of a second copy (the excluded sites have none).

    Returns
    -------
    dict
        ``count``; ``ids`` (``{"col", "row"}``: deflated int32 steps of the lattice indices,
        or ``{"text"}``: the ids joined by newlines, deflated); ``reason`` (``{"u"``: the
        distinct exclusion reasons, ``"code"``: deflated uint32 index per site, 0 for
        none``}``); ``area_ha``; ``suitability`` and, per criterion, ``raw`` and ``score`` (weighted
        criteria only, else None), quantised as :func:`~sitesel.render.live_image.quantised`
        with excluded sites missing.
    """
    picked = sites.iloc[order]
    excluded = picked["excluded"].to_numpy(dtype=bool)
    reasons = picked["exclusion_reason"].fillna("").astype(str).to_numpy()
    unique, code = np.unique(np.where(excluded, reasons, ""), return_inverse=True)
    if "" not in unique:
        unique, code = np.concatenate([[""], unique]), code + 1

    def values(column: str, of_excluded: bool = False) -> dict[str, Any]:
        v = picked[column].to_numpy(dtype=float)
        return quantised(v if of_excluded else np.where(excluded, np.nan, v))

    return {
        "count": len(picked),
        "ids": _ids(picked["site_id"].astype(str)),
        "reason": {"u": unique.tolist(), "code": deflated(code.astype("<u4"))},
        "area_ha": values("area_ha", of_excluded=True),
        "suitability": values("suitability"),
        "raw": [values(f"raw__{c['name']}") for c in criteria],
        "score": "terms"
        if scores_in_terms
        else [values(f"score__{c['name']}") if c["weighted"] else None for c in criteria],
    }


def _ids(ids: pd.Series) -> dict[str, str]:
    """The ids, as lattice steps when all are sitesel hexagon ids, else as text."""
    parts = ids.str.extract(HEX_ID)
    if len(ids) and parts.notna().all().all():
        col, row = (parts[k].astype(np.int64).to_numpy() for k in (0, 1))
        if ("H" + pd.Series(col).astype(str) + "_" + pd.Series(row).astype(str)).equals(
            ids.reset_index(drop=True)
        ):
            return {
                "col": deflated(np.diff(col, prepend=0).astype("<i4")),
                "row": deflated(np.diff(row, prepend=0).astype("<i4")),
            }
    return {"text": deflated(np.frombuffer("\n".join(ids).encode("utf-8"), dtype=np.uint8))}
