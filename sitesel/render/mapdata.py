"""Everything a map shows, gathered from a run in memory or from a run's output folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from affine import Affine

from sitesel.data.hex_lattice import HexLattice
from sitesel.exclusions.records import Records
from sitesel.render.site_image import SiteRaster, WebIndex, rasterise_sites, web_index


@dataclass(frozen=True)
class Elevation:
    """A DEM grid for the hillshade basemap."""

    elevation_m: npt.NDArray[np.float64]
    transform: Affine


@dataclass
class MapData:
    """The content of a map.

    Attributes
    ----------
    name
        Run (config) name.
    sites
        Sites with ``site_id``, ``area_ha``, ``excluded``, ``exclusion_reason``,
        ``raw__*``, ``score__*``, ``suitability`` and ``rank``, in a projected CRS.
    units
        Criterion -> unit of its raw value, in display order.
    weights
        Weighted criterion -> normalised weight.
    area
        The study area outline.
    description
        One line about the run.
    run_date
        When the run was made (ISO 8601).
    sources
        Attribution of each data source.
    roads
        ``road_class``, ``name`` and line geometry.
    targets
        ``criterion``, ``name`` and geometry of each criterion's targets.
    elevation
        DEM for the hillshade, in the sites' CRS.
    top_n
        How many top sites carry their rank.
    elevation_tint
        Colour the hillshade by elevation.
    taken_land
        Land excluded by ``exclude_within`` constraints: ``reason`` and polygon.
    places
        Towns around the study area (``name``, ``population``), labelled on the map.
    labels
        Criterion -> readable label ("Travel time to Leh (min)").
    aggregation
        The manifest's aggregation record (``method`` and its parameters), so the page
        re-ranks with the method the table used.
    max_vector_sites
        Above this many sites the map draws the excluded ones as an image.
    language
        The page's language (``en``, ``hi``: :mod:`sitesel.language`).
    repairs
        Joins made in the road layer (``kind``, ``lon``, ``lat``, ``gap_m``, ``joined``),
        as the manifest lists them.
    records
        The run's exclusions and flags (:mod:`sitesel.exclusions`): the cards' flags and
        the counts of a big map's excluded sites are written from them.
    """

    name: str
    sites: gpd.GeoDataFrame
    units: dict[str, str]
    weights: dict[str, float]
    area: gpd.GeoSeries
    description: str = ""
    run_date: str = ""
    sources: list[str] = field(default_factory=list)
    roads: gpd.GeoDataFrame | None = None
    targets: gpd.GeoDataFrame | None = None
    elevation: Elevation | None = None
    top_n: int = 10
    elevation_tint: bool = True
    max_vector_sites: int = 50_000
    language: str = "en"
    taken_land: gpd.GeoDataFrame | None = None
    repairs: list[dict[str, Any]] = field(default_factory=list)
    aggregation: dict[str, Any] | None = None
    labels: dict[str, str] = field(default_factory=dict)
    places: gpd.GeoDataFrame | None = None
    allocation: pd.DataFrame | None = None
    allocation_demand: gpd.GeoDataFrame | None = None
    allocation_records: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes: gpd.GeoDataFrame | None = None
    lattice: HexLattice | None = None  # the sites' hexagon lattice, when the run found it
    records: Records = field(default_factory=Records)

    _site_raster: SiteRaster | None = field(default=None, init=False, repr=False, compare=False)
    _web_index: WebIndex | None = field(default=None, init=False, repr=False, compare=False)

    def site_raster(self) -> SiteRaster:
        """The sites burnt into one index raster (made once, for the PNG and the map)."""
        if self._site_raster is None:
            self._site_raster = rasterise_sites(self.sites.geometry, self.lattice)
        return self._site_raster

    def site_web_index(self) -> WebIndex:
        """The site raster in Web Mercator (made once, for the map's two site images)."""
        if self._web_index is None:
            self._web_index = web_index(self.site_raster())
        return self._web_index

    def label(self, name: str) -> str:
        """A criterion's readable label (its name when none is known)."""
        return self.labels.get(name, name)
