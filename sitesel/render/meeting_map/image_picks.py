"""What a click on a big map's image finds: the site under the pixel, and its card's values.

Above ``max_vector_sites`` the sites not drawn as shapes are images: the live candidates
the page repaints, the candidates it cannot recolour (TOPSIS, VIKOR) and the excluded
sites. The page finds the site under a click in two ways:

- candidates by the image's index raster (which site covers each pixel,
  :mod:`~sitesel.render.meeting_map.live_image`), live ones numbered first;
- excluded sites of sitesel's hexagon grid in a UTM working CRS (the default) by
  arithmetic: the page projects the click to UTM and takes the nearest lattice centre
  (:mod:`~sitesel.data.hex_lattice`), so the district's 380,000 excluded sites need no
  index pixels (which would add ~3 MB to its 4 MB page). Excluded sites of other grids or
  CRSs are not clickable; their values are in ``sites.gpkg``.

For each such site the page gets what its card shows, as on a small map: its id, why it is
excluded, its area and suitability, and each criterion's raw value and score, quantised
to 1/65,534 of each one's range (a travel time spanning 300 minutes: 0.005 min). Excluded
sites carry no values (their reason says why), hexagon ids (``H<col>_<row>``) travel as
lattice steps, and the live candidates' scores are not sent twice.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj

from sitesel.data.hex_lattice import HexLattice
from sitesel.render.meeting_map.live_image import deflated, quantised

MAX_LATTICE_INDEX = 2**30
"""Largest lattice column or row sent as steps: a step between two is stored as int32."""


def image_order(vector: np.ndarray, live: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Positions of the image's sites: live candidates, other candidates, excluded sites.

    >>> vector = np.array([True, False, False, False, False])
    >>> image_order(vector, live=np.array([0, 0, 1, 0, 0], bool),
    ...             excluded=np.array([0, 0, 0, 1, 0], bool)).tolist()
    [2, 1, 4, 3]
    """
    other = ~vector & ~live & ~excluded
    return np.concatenate(
        [np.flatnonzero(live), np.flatnonzero(other), np.flatnonzero(~vector & excluded)]
    )


def utm_lattice(
    lattice: HexLattice | None, crs: pyproj.CRS | None, ids: pd.Series
) -> dict[str, Any] | None:
    """How the page finds a hexagon by arithmetic: ``side`` (m), UTM ``zone``, ``south``.

    None unless the sites are sitesel's hexagon grid, named by their lattice indices, in a
    WGS 84 UTM zone (EPSG:326zz or 327zz), the one projection the page computes.

    >>> from sitesel.data.sites import hex_grid
    >>> import shapely
    >>> area = shapely.box(500_000, 3_800_000, 503_000, 3_802_000)
    >>> grid = hex_grid(area, cell_area_ha=40, crs="EPSG:32643")
    >>> from sitesel.data.hex_lattice import hex_lattice
    >>> found = utm_lattice(hex_lattice(grid.geometry.to_numpy()), grid.crs, grid.site_id)
    >>> round(found["side"], 3), found["zone"], found["south"]
    (392.377, 43, False)
    """
    epsg = crs.to_epsg() if crs is not None else None
    if lattice is None or epsg is None or not (32601 <= epsg <= 32660 or 32701 <= epsg <= 32760):
        return None
    expected = "H" + pd.Series(lattice.col).astype(str) + "_" + pd.Series(lattice.row).astype(str)
    if not expected.equals(ids.astype(str).reset_index(drop=True)):
        return None
    return {"side": lattice.side, "zone": epsg % 100, "south": epsg > 32700}


def sorted_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` by hashing, not sorting every value.

    A district's 382,976 reasons hold 141 distinct texts: only those are sorted.

    >>> u, c = sorted_codes(np.array(["b", "", "a", "b"], dtype=object))
    >>> u.tolist(), c.tolist()
    (['', 'a', 'b'], [2, 0, 1, 2])
    """
    codes, distinct = pd.factorize(values)
    distinct = np.asarray(distinct, dtype=object)
    order = np.argsort(distinct, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    return distinct[order], position[codes]


def pack_picks(
    sites: gpd.GeoDataFrame,
    order: np.ndarray,
    criteria: list[dict[str, Any]],
    scores_in_terms: bool = False,
    reasons: npt.NDArray[np.object_] | None = None,
) -> dict[str, Any]:
    """The card values of the image's sites, in ``order`` (:func:`image_order`).

    ``scores_in_terms``: the live image's terms are the scores (every method but
    PROMETHEE II) and every candidate of the image is live, so ``score`` is ``"terms"``
    instead of a second copy (the excluded sites have none). ``reasons``: every site's
    exclusion reasons in the map's language (the run's ``exclusion_reason`` by default).

    Returns
    -------
    dict
        ``count``; ``ids`` (``{"col", "row"}``: deflated int32 steps of the lattice indices,
        or ``{"json"}``: the ids as a JSON array, deflated); ``reason`` (``{"u"``: the
        distinct exclusion reasons, ``"code"``: deflated uint32 index per site, 0 for
        none``}``); ``area_ha``; ``suitability`` and, per criterion, ``raw`` and ``score``
        (weighted criteria only, else None), quantised as
        :func:`~sitesel.render.meeting_map.live_image.quantised` with excluded sites missing.
    """
    picked = sites.iloc[order]
    excluded = picked["excluded"].to_numpy(dtype=bool)
    if reasons is None:
        reasons = picked["exclusion_reason"].fillna("").astype(str).to_numpy()
    else:
        reasons = np.asarray(reasons, dtype=object)[order].astype(str)
    unique, code = sorted_codes(np.where(excluded, reasons, ""))
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
    """The ids, as lattice steps when all are sitesel hexagon ids, else as a JSON array."""
    steps = _hex_steps(ids.tolist())
    if steps is not None:
        col, row = steps
        return {
            "col": deflated(np.diff(col, prepend=0).astype("<i4")),
            "row": deflated(np.diff(row, prepend=0).astype("<i4")),
        }
    text = json.dumps(ids.tolist(), ensure_ascii=False).encode("utf-8")  # any character
    return {"json": deflated(np.frombuffer(text, dtype=np.uint8))}


def _hex_steps(ids: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """Each id's lattice column and row, if all are written as sitesel writes a hexagon's.

    That is ``H{col}_{row}`` with decimal integers; else None.

    Each id is read and written back: only the ids that come back unchanged count, so
    ``H01_2``, ``H+1_2`` or ``H1_0_2`` (which ``int`` would read) make the ids plain text.
    """
    if not ids:
        return None
    cols, rows = np.empty(len(ids), dtype=np.int64), np.empty(len(ids), dtype=np.int64)
    for k, sid in enumerate(ids):
        col, _, row = sid[1:].partition("_")
        try:
            c, r = int(col), int(row)
        except ValueError:
            return None
        if f"H{c}_{r}" != sid:
            return None
        if max(abs(c), abs(r)) >= MAX_LATTICE_INDEX:
            return None
        cols[k], rows[k] = c, r
    return cols, rows
