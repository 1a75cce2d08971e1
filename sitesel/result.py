"""What a run produced: a frozen :class:`Result`, built once by the pipeline or read back.

The same type comes out of :func:`sitesel.run` and :func:`sitesel.read_run`, so a notebook
can score a study or open an earlier run folder and look at it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from sitesel._typing import Dem, FloatArray
from sitesel.data.hex_lattice import HexLattice
from sitesel.exclusions.records import Records, as_table
from sitesel.manifest import Manifest

FLOAT_DECIMALS = 6
"""Floats in the tables are rounded to this many decimals (same inputs, same bytes)."""
LOCATION_WINDOW_M = 4_000.0
"""Half-width of a dossier location map around its site (the run keeps the finest DEM
over the top sites' windows for their hillshade)."""


@dataclass(frozen=True)
class Result:
    """Everything a run produced.

    Attributes
    ----------
    manifest
        What the run used (config, inputs, weights, units, ...).
    sites
        Every site with every output column (``raw__*``, ``score__*``, ``suitability``,
        ``rank``, ...), polygons in the working CRS.
    area
        The study area (one polygon) in the working CRS.
    regions
        Contiguous regions of good sites, when the config asks for them.
    roads
        Road edges (``road_class``, ``name``) for the map, when the config has a network.
    targets
        The features criteria measured against (``criterion``, ``name``).
    dem
        The elevation grid around the study area, when the config has one.
    taken_land
        Land the ``exclude_within`` constraints take (``reason``, polygon), near the sites.
    places
        Populated places around the study area (``name``, ``population``, point).
    allocation
        The location problems' chosen sites (``allocation.csv``), when the config has any.
    allocation_demand
        Each problem's demand points with their assigned site, minutes and coverage.
    allocation_matrix
        The sparse candidate-by-demand minutes each problem used.
    routes
        The top sites' ways to each travel-time target: ``site_id``, ``criterion``,
        ``scenario``, ``minutes``, ``km``, ``roads`` (classes and km), lines.
    terrain
        The top sites' heights, slope and area by slope class on their finest DEM
        (:mod:`sitesel.terrain.profile`), with their polygons.
    terrain_dem
        The finest DEM of a stack over the top sites' location-map windows
        (``elevation_top_sites.tif``), for the dossier's hillshade; None with one DEM.
    records
        Every exclusion and flag of the run, one record per site and rule
        (:mod:`sitesel.exclusions`): what the reasons, flags and counts are written from.
    """

    manifest: Manifest
    sites: gpd.GeoDataFrame
    area: gpd.GeoSeries
    regions: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    targets: gpd.GeoDataFrame | None = None
    dem: Dem | None = None
    taken_land: gpd.GeoDataFrame | None = None
    places: gpd.GeoDataFrame | None = None
    allocation: pd.DataFrame | None = None
    allocation_demand: gpd.GeoDataFrame | None = None
    allocation_matrix: pd.DataFrame | None = None
    routes: gpd.GeoDataFrame | None = None
    terrain: gpd.GeoDataFrame | None = None
    terrain_dem: Dem | None = None
    lattice: HexLattice | None = None  # the sites' hexagon lattice (not written; refound)
    records: Records = field(default_factory=Records)
    kinds: dict[str, str] = field(default_factory=dict)  # criterion -> its family (not written)

    @property
    def exclusions_table(self) -> pd.DataFrame:
        """The records as one table, a row per site and rule (``exclusions.csv``)."""
        return as_table(self.records, self.sites["site_id"].astype(str).tolist())

    @property
    def name(self) -> str:
        """The run's name."""
        return self.manifest.name

    @property
    def crs(self) -> pyproj.CRS:
        """The working CRS."""
        return pyproj.CRS.from_user_input(self.manifest.working_crs)

    @property
    def weights(self) -> dict[str, float]:
        """Normalised weights of the scored criteria."""
        return self.manifest.weights

    @property
    def ranking(self) -> pd.DataFrame:
        """The ranking table (``ranking.csv``): sorted by rank, excluded sites last."""
        return ranking_table(self.sites, self.centroids_lon_lat)

    @cached_property
    def centroids_lon_lat(self) -> tuple[FloatArray, FloatArray]:
        """Each site's centroid in WGS84 (computed once: the tables and layers share it)."""
        return centroids_lon_lat(self.sites)


def centroids_lon_lat(sites: gpd.GeoDataFrame) -> tuple[FloatArray, FloatArray]:
    """Longitude and latitude of each site's centroid.

    Coordinates straight through pyproj: no point geometries built twice (GeoSeries
    ``centroid.to_crs``: 1.5 s for 383k sites, this 0.6 s; the same numbers).
    """
    centroids = shapely.centroid(sites.geometry.to_numpy())
    centroids[shapely.is_empty(centroids)] = None
    x, y = shapely.get_x(centroids), shapely.get_y(centroids)  # NaN where no geometry
    to_wgs84 = pyproj.Transformer.from_crs(sites.crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(x, y)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def ranking_table(
    sites: gpd.GeoDataFrame, lon_lat: tuple[FloatArray, FloatArray] | None = None
) -> pd.DataFrame:
    """The ranking as a plain table: centroid lon/lat in WGS84, sorted by rank, excluded last.

    Floats are rounded to 6 decimals so that the same inputs give the same bytes.
    """
    lon, lat = centroids_lon_lat(sites) if lon_lat is None else lon_lat
    table = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    table.insert(1, "lon", lon)
    table.insert(2, "lat", lat)
    floats = table.select_dtypes(include="float").columns
    table[floats] = table[floats].round(FLOAT_DECIMALS)
    for column in ("rank", "rank_p05", "rank_p95"):
        if column in table:
            table[column] = table[column].astype("Int64")
    table = table.sort_values(["rank", "site_id"], na_position="last", kind="mergesort")
    return table.reset_index(drop=True)
