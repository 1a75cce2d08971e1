"""The routes stage: the way from each top site to each travel-time target, kept in the run.

The meeting map and the dossier (``sitesel report``) draw the same lines: the run stores
them (``routes`` in ``sites.gpkg``) for the shortlist (:mod:`~sitesel.pipeline.shortlist`:
the ``map.top_n`` best and the sites location problems chose), one per site and
travel-time criterion (its scenario's roads: the winter route where it differs).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from sitesel.config import Config
from sitesel.criteria._network import target_points, xy
from sitesel.criteria.travel_time import TravelTimeCriterion
from sitesel.network.routes import routes_to_targets
from sitesel.network.scenarios import NetworkModel
from sitesel.units import M_PER_KM

ROUTE_COLUMNS = ["site_id", "criterion", "scenario", "minutes", "km", "roads", "road_names"]


def top_routes(
    config: Config,
    top: gpd.GeoDataFrame,
    network: NetworkModel | None,
    targets: dict[str, gpd.GeoDataFrame],
    crs: pyproj.CRS,
) -> gpd.GeoDataFrame | None:
    """The routes of the shortlisted sites ``top`` to every travel-time criterion's targets."""
    net = config.network
    if network is None or net is None or network.roads is None or top.empty:
        return None
    centres = xy(top.geometry.centroid)
    rows, geoms = [], []
    for name, spec in config.criteria.items():
        if not isinstance(spec, TravelTimeCriterion) or name not in targets:
            continue
        routes = routes_to_targets(
            network.graphs[spec.scenario], network.roads, network.forward_min,
            network.backward_min, xy(target_points(targets[name])), centres,
            offroad_speed_kmh=net.offroad_speed_kmh, max_offroad_m=net.max_offroad_km * M_PER_KM,
        )  # fmt: skip
        for site_id, route in zip(top["site_id"].astype(str), routes, strict=True):
            if route is None:
                continue
            rows.append(
                [site_id, name, spec.scenario or "", round(route.minutes, 2),
                 round(route.metres / M_PER_KM, 3), route.summary(),
                 route.summary(named=True)]
            )  # fmt: skip
            geoms.append(route.geometry)
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=ROUTE_COLUMNS)
    # A scenario's route is kept where it differs from the open roads' way to the same site
    # (the winter route over another pass), not where it is the same drive.
    plain = frame[frame["scenario"] == ""]
    same = frame.merge(plain, on=["site_id", "minutes", "km", "roads"], suffixes=("", "_p"))
    repeated = set(
        same.loc[same["scenario"] != "", "criterion"]
        + "|"
        + same.loc[same["scenario"] != "", "site_id"]
    )
    keep = ~(frame["criterion"] + "|" + frame["site_id"]).isin(repeated).to_numpy()
    frame = frame[keep].reset_index(drop=True)
    geoms = [g for g, k in zip(geoms, keep, strict=True) if k]
    return gpd.GeoDataFrame(frame, geometry=np.asarray(geoms, dtype=object), crs=crs)
