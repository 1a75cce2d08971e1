"""A big map's other candidates as an image the page recolours when a weight slider moves.

Above ``max_vector_sites`` candidates, the best-ranked stay vectors and the rest travel as
an index raster (which candidate covers each Web Mercator pixel) plus, per weighted
criterion, one quantised value per candidate: the criterion's score, or for PROMETHEE II
its net flow. The page combines them with the slider weights as sitesel's method does,
for each candidate rather than for each pixel (the same map algebra as per-criterion score
rasters, a candidate's pixels sharing one value, in a fraction of the bytes), and paints
the suitability classes on a canvas. Only methods whose value for a site depends on that
site alone, once the flows are known, can do this; TOPSIS and VIKOR compare each site with
the whole pool, so their big maps keep sitesel's colours and the sliders stay off.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np
import numpy.typing as npt

from sitesel._typing import BoolArray
from sitesel.render.mapdata import MapData

MISSING = 65535
"""The quantised value of a missing (NaN) term; 0 ... 65534 span the terms' range."""


def live_candidates(data: MapData, vector: BoolArray, per_site: bool) -> BoolArray:
    """The candidates a big map paints live in the image: those not drawn as vectors.

    None when every candidate is a vector, or when the page cannot weigh a site on its own
    (``per_site`` False: TOPSIS and VIKOR compare sites with the whole pool, and the page's
    script may lack a method: :func:`~.page_method.weighs_per_site`).
    """
    excluded = data.sites["excluded"].to_numpy(dtype=bool)
    if not per_site:
        return np.zeros(len(excluded), dtype=bool)
    return np.asarray(~excluded & ~vector, dtype=bool)


def pack_live_image(
    data: MapData, order: np.ndarray, live: BoolArray, terms: np.ndarray
) -> dict[str, Any]:
    """The page's part of the image: which site covers each pixel, and the live terms.

    Parameters
    ----------
    data
        The run's map data.
    order
        The image's sites, the live candidates first
        (:func:`~sitesel.render.meeting_map.image_picks.image_order`).
    live
        The candidates to paint, from :func:`live_candidates` (may be none: the index
        still serves clicks).
    terms
        One row per site, one column per weighted criterion in the page's order: what the
        method combines (scores; PROMETHEE II: the net flows).

    Returns
    -------
    dict
        ``width``, ``height``, ``south_west``, ``north_east`` of the Web Mercator image;
        ``sites``, the number of live candidates; ``index``, the image's pixels as
        little-endian uint32 (0: none, j + 1: the j-th site of ``order``, so the live
        candidates are 1 ... ``sites``), deflated and base64-encoded; ``terms``, per
        criterion ``lo``, ``hi`` and ``q``, the live candidates' uint16 quantised values
        likewise packed.
    """
    web = data.site_web_index()
    ordinal = np.zeros(len(live) + 1, dtype=np.uint32)
    ordinal[1 + order] = np.arange(1, len(order) + 1, dtype=np.uint32)
    pixels = ordinal[web.index]
    rows, cols = pixels.shape
    return {
        "width": cols,
        "height": rows,
        "south_west": list(web.south_west),
        "north_east": list(web.north_east),
        "sites": int(live.sum()),
        "index": deflated(pixels.astype("<u4")),
        "terms": [quantised(terms[live, k]) for k in range(terms.shape[1])],
    }


def quantised(values: npt.NDArray[np.float64]) -> dict[str, Any]:
    """uint16 steps between the values' lowest and highest (1/65534 of the range)."""
    finite = np.isfinite(values)
    lo = float(values[finite].min()) if finite.any() else 0.0
    hi = float(values[finite].max()) if finite.any() else 0.0
    span = hi - lo if hi > lo else 1.0
    steps = np.full(values.shape, MISSING, dtype="<u2")
    steps[finite] = np.rint((values[finite] - lo) / span * (MISSING - 1)).astype("<u2")
    return {"lo": lo, "hi": hi, "q": deflated(steps)}


def deflated(array: np.ndarray) -> str:
    """An array's bytes, deflated (zlib) and base64-encoded.

    The page inflates them with the browser's ``DecompressionStream("deflate")``.
    """
    return base64.b64encode(zlib.compress(array.tobytes(), 6)).decode("ascii")
