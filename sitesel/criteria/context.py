"""What a criterion family's compute function receives, and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np

from sitesel._typing import Dem, FloatArray
from sitesel.config import NetworkSpec, Selection
from sitesel.data.hex_lattice import HexLattice
from sitesel.errors import ConfigError
from sitesel.network.graph import RoutingGraph
from sitesel.network.scenarios import NetworkModel
from sitesel.terrain.dem_stack import StackedZonalStats

Select = Callable[[Selection, str], gpd.GeoDataFrame]
"""Features chosen by a selection, in the working CRS; the second argument is the YAML key."""


@dataclass(frozen=True)
class CriterionValues:
    """A criterion's raw values for every site.

    Attributes
    ----------
    raw
        One value per site in the family's unit; NaN where unknown.
    missing_reason
        Why a site has no value, as planners read it (the exclusion reason or the note);
        ``"no value for <criterion>"`` when None.
    targets
        Features the criterion measured against, shown on the map.
    components
        Parts of the raw value, one array per part in the same unit (the cost of the
        access road, the grading, ...): ``component__<criterion>__<part>`` columns.
    note
        What a planner should know of every site's value (a component left unknown).
    """

    raw: FloatArray
    missing_reason: str | None = None
    targets: gpd.GeoDataFrame | None = None
    components: dict[str, FloatArray] | None = None
    note: str | None = None


@dataclass
class CriterionContext:
    """Everything a criterion may measure with, loaded once per run.

    Attributes
    ----------
    sites
        Candidate sites (polygons, working CRS, with ``site_id`` and ``area_ha``).
    select
        Loads the features a selection names (layers come from the catalog).
    network
        Edge times and the routing graph of each scenario, when the config has roads.
    network_spec
        The config's ``network`` section (off-road speed and reach).
    dem
        The elevation grid around the study area, when the config has one (the last,
        covering DEM of a stack).
    dems
        Every DEM of the stack by layer name, finest first (empty: ``dem`` alone). The
        sites' ``dem_layer`` column says which one each site's terrain comes from.
    lattice
        The sites' hexagon lattice (sitesel's grid), found once by the sites stage; None
        for other sites (or when not passed on: it is then looked for where needed).
    node_times
        Per travel-time criterion, minutes from each node of its graph to the nearest
        target, when found beforehand on the whole network (a cluster tile's graph is a
        piece of it: :mod:`sitesel.pipeline.cluster`).
    """

    sites: gpd.GeoDataFrame
    select: Select
    network: NetworkModel | None = None
    network_spec: NetworkSpec | None = None
    dem: Dem | None = None
    node_times: dict[str, FloatArray] = field(default_factory=dict)
    dems: dict[str, Dem] = field(default_factory=dict)
    lattice: HexLattice | None = None
    _zonal: StackedZonalStats | None = field(default=None, init=False, repr=False)

    def graph(self, scenario: str | None) -> tuple[RoutingGraph, NetworkSpec]:
        """The routing graph of a scenario (all roads open for None) and the network spec."""
        if self.network is None or self.network_spec is None:
            raise ConfigError("a network criterion needs a network: section")
        return self.network.graphs[scenario], self.network_spec

    @property
    def zonal(self) -> StackedZonalStats:
        """Per-site statistics of DEM-derived grids, each grid computed once per DEM."""
        if self.dem is None:
            raise ConfigError("a terrain criterion needs a dem: section")
        if self._zonal is None:
            if len(self.dems) > 1 and "dem_layer" in self.sites:
                index = {name: k for k, name in enumerate(self.dems)}
                source = np.array([index[n] for n in self.sites["dem_layer"]], dtype=np.int64)
                stack = list(self.dems.values())
                self._zonal = StackedZonalStats(self.sites.geometry, stack, source, self.lattice)
            else:
                self._zonal = StackedZonalStats(
                    self.sites.geometry, [self.dem], lattice=self.lattice
                )
        return self._zonal
