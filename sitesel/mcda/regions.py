"""Contiguous regions of good sites.

A region is a connected group of non-excluded sites whose suitability reaches a
threshold, where two sites are connected when they touch or lie within a gap tolerance
(TerrSet's contiguity, ArcGIS's Locate Regions). Whether a region holds land enough for a
scheme is :mod:`sitesel.exclusions.scheme`'s to say.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from sitesel._geometry import pairs_within
from sitesel._typing import FloatArray
from sitesel.units import ACRE_HA


def find_regions(
    sites: gpd.GeoDataFrame,
    *,
    suitability: FloatArray,
    excluded: npt.NDArray[np.bool_],
    min_suitability: float,
    gap_m: float,
) -> npt.NDArray[np.int64]:
    """Label each site with its region (1, 2, ... by decreasing mean suitability); 0 = none.

    Only non-excluded sites with suitability >= ``min_suitability`` join a region.

    Parameters
    ----------
    sites
        Site polygons (projected CRS).
    suitability
        Per site.
    excluded
        Per site; excluded sites never join a region.
    min_suitability
        Threshold.
    gap_m
        Sites closer than this are neighbours (0: they must touch).
    """
    member = ~excluded & (np.nan_to_num(suitability, nan=-np.inf) >= min_suitability)
    idx = np.flatnonzero(member)
    labels = np.zeros(len(sites), dtype=np.int64)
    if len(idx) == 0:
        return labels
    a, b = pairs_within(sites.geometry.to_numpy()[idx], gap_m)
    graph = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(len(idx), len(idx)))
    _, comp = csgraph.connected_components(graph, directed=False)
    area = sites.geometry.area.to_numpy()[idx]
    frame = pd.DataFrame({"comp": comp, "wsuit": suitability[idx] * area, "area": area})
    stats = frame.groupby("comp").sum()
    mean = stats["wsuit"] / stats["area"]
    order = pd.DataFrame({"mean": -mean, "area": -stats["area"]}).sort_values(
        ["mean", "area"], kind="mergesort"
    )
    new_label = pd.Series(np.arange(1, len(order) + 1), index=order.index)
    labels[idx] = new_label.loc[comp].to_numpy()
    return labels


def region_table(
    sites: gpd.GeoDataFrame, labels: npt.NDArray[np.int64], suitability: FloatArray
) -> gpd.GeoDataFrame:
    """One row per region: area (ha, acres), area-weighted mean suitability, members, outline."""
    in_region = labels > 0
    frame = gpd.GeoDataFrame(
        {
            "region": labels[in_region],
            "site_id": sites["site_id"].to_numpy()[in_region],
            "area_ha": sites.geometry.area.to_numpy()[in_region] / 10_000,
            "suitability": suitability[in_region],
        },
        geometry=sites.geometry.to_numpy()[in_region],
        crs=sites.crs,
    )
    frame["wsuit"] = frame["suitability"] * frame["area_ha"]
    grouped = frame.dissolve(
        by="region",
        aggfunc={"site_id": lambda s: ";".join(sorted(s)), "area_ha": "sum", "wsuit": "sum"},
    )
    table = gpd.GeoDataFrame(
        {
            "region": grouped.index.to_numpy(),
            "n_sites": frame.groupby("region").size().loc[grouped.index].to_numpy(),
            "area_ha": grouped["area_ha"].to_numpy(),
            "area_acres": grouped["area_ha"].to_numpy() / ACRE_HA,
            "mean_suitability": (grouped["wsuit"] / grouped["area_ha"]).to_numpy(),
            "members": grouped["site_id"].to_numpy(),
        },
        geometry=grouped.geometry.to_numpy(),
        crs=sites.crs,
    )
    return table.reset_index(drop=True)
