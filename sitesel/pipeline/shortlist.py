"""The shortlist: the sites a run describes in full (routes, terrain profile) for the dossier.

The ``map.top_n`` best-ranked sites, and every site a location problem chose: a p-median
or covering answer often takes sites ranked far below the top (Leh's LSCP chooses the
sites ranked 13, 15 and 229), and the committee asks for their dossiers too.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np

from sitesel._typing import IntArray


def shortlist_rows(sites: gpd.GeoDataFrame, top_n: int, chosen: Iterable[str] = ()) -> IntArray:
    """Row positions of the shortlist: the best ``top_n`` by rank, then the chosen sites.

    >>> import pandas as pd
    >>> sites = gpd.GeoDataFrame({"site_id": ["a", "b", "c", "d"], "rank": [2, 1, None, 3]})
    >>> shortlist_rows(sites, 2, chosen=["d", "b", "zz"]).tolist()
    [1, 0, 3]
    """
    rank = sites["rank"].to_numpy(dtype=float, na_value=np.nan)
    top = np.flatnonzero(rank <= top_n)
    top = top[np.argsort(rank[top], kind="stable")]
    wanted = set(chosen)
    ids = sites["site_id"].astype(str).to_numpy()
    extra = [k for k in np.flatnonzero(np.isin(ids, list(wanted))) if k not in set(top)]
    extra.sort(key=lambda k: (np.nan_to_num(rank[k], nan=np.inf), ids[k]))
    return np.asarray([*top, *extra], dtype=np.int64)
