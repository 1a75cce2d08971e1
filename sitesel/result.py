"""What a run produced.

The sites with every output column, and what the map and reports show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pyproj
from shapely.geometry.base import BaseGeometry

from sitesel._typing import Dem
from sitesel.decision.robustness import StabilityInterval
from sitesel.decision.weights import WeightReport
from sitesel.network.graph import ConnectivityReport, RoadEdges
from sitesel.network.repair import SnapReport


@dataclass
class RunResult:
    """Everything a run produced, for the writers and the map."""

    name: str
    crs: pyproj.CRS
    area: BaseGeometry
    sites: gpd.GeoDataFrame
    criteria_units: dict[str, str]
    weights: dict[str, float]
    roads: RoadEdges | None = None
    connectivity: ConnectivityReport | None = None
    snap: SnapReport | None = None
    targets: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    dem: Dem | None = None
    weight_report: WeightReport | None = None
    stability: list[StabilityInterval] = field(default_factory=list)
    monte_carlo: dict[str, object] | None = None
    regions: gpd.GeoDataFrame | None = None
    scheme: dict[str, object] | None = None
    closed_edges: dict[str, int] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    input_sha256: dict[str, str] = field(default_factory=dict)
