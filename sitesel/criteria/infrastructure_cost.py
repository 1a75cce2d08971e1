"""What it costs to make a site usable, in rupees crore, component by component.

- **access road**: the straight leg from the site's edge to the nearest road of the network
  (0 when a road touches the site), at the rate of the terrain class it crosses (IRC's
  cross-slope classes: the mean slope of 16 points along the leg on the site's DEM);
- **road upgrade**: along the fastest route from the site to the named target, the km of
  each road class below the required standard, at that class's upgrade rate;
- **site grading**: a balanced platform on the finest DEM that covers the site: a plane
  through the site's mean point, level or tilted along the ground's best-fit fall by at
  most ``platform_grade_pct``; cut volume (= fill volume) = half the sum over cells of
  |height - platform| x covered area, at the earthwork rate for both cut and fill;
- **power** and **water**: the straight distance to the nearest feature of a named layer, at
  a rate per km; *unknown* (NaN, with a note) when the config names no such layer.

The total is the sum of the components known for the study (a component with no layer is
left out, and the note says so); a site missing a component the others have (its grading on
a DEM too coarse to tell) has no total. Each component is a column of its own.
Rates come from a rates file (:mod:`sitesel.config.rates`), brought to its price year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import shapely
from pydantic import Field, field_validator

from sitesel._typing import Dem, FloatArray
from sitesel.config import NetworkCriterionSpec, Selection
from sitesel.config._base import Strict
from sitesel.config.rates import (
    INR_PER_CRORE,
    TERRAIN_CLASSES,
    TERRAIN_UPPER_PCT,
    RateOverride,
    RatesFile,
    load_rates,
    rate_inr,
    unit_of_key,
)
from sitesel.criteria._network import target_points, xy
from sitesel.criteria.context import CriterionContext, CriterionValues
from sitesel.criteria.distance import distance_km, nearest_parts
from sitesel.criteria.registry import criterion
from sitesel.data.fetch import sha256_of
from sitesel.errors import ConfigError
from sitesel.network.route_classes import arc_edges, class_metres_to_targets
from sitesel.network.shortest_paths import best_entries, node_times_to_targets
from sitesel.terrain.zonal import slope_deg
from sitesel.units import M_PER_KM, m_per_min

COMPONENTS = ("access_road", "road_upgrade", "site_grading", "power", "water")
MIN_GRADING_CELLS = 4.0
"""A site over fewer DEM cells than this has its grading unknown (NaN), not 0."""
LEG_SAMPLE_M = 30.0
LEG_SAMPLES = 16


class UpgradeSpec(Strict):
    """The road upgrade component: the route to a target, and the classes that need none."""

    to: Selection
    standard: list[str] = Field(
        min_length=1,
        description="Road classes already good enough (e.g. NH, SH, MDR); others on the"
        " route are upgraded at their rate.",
    )


class InfrastructureCostCriterion(NetworkCriterionSpec):
    """Cost of making a site usable (rupees crore): access road, upgrade, grading, utilities."""

    requires: ClassVar[frozenset[str]] = frozenset({"network"})  # a dem: section is used if given
    kind: Literal["infrastructure_cost"]
    rates: Path = Field(description="The rates file, relative to this config.")
    rate_overrides: dict[str, RateOverride] = Field(
        default_factory=dict,
        description="Rate key (e.g. access_road_per_km.hilly) -> {value: rupees in the rate's"
        " year, unit: INR/km or INR/m3}.",
    )
    region: str | None = Field(
        default=None, description="A region of the rates file's region_factors (e.g. hill)."
    )
    upgrade: UpgradeSpec | None = Field(default=None, description="Omit: no upgrade component.")
    power: Selection | None = Field(default=None, description="Substations or power lines.")
    water: Selection | None = Field(default=None, description="Water sources (rivers, schemes).")
    developable_share: float = Field(
        default=1.0, gt=0, le=1, description="Share of the site graded into a platform."
    )
    platform_grade_pct: float = Field(
        default=2.0,
        ge=0,
        le=10,
        description="Steepest gradient the platform may keep along the ground's fall"
        " (0: dead level). 2 % drains a factory yard: a planning choice, not a norm.",
    )

    @field_validator("rate_overrides")
    @classmethod
    def _units_fit_keys(cls, overrides: dict[str, RateOverride]) -> dict[str, RateOverride]:
        for key, override in overrides.items():
            if override.unit != unit_of_key(key):
                raise ValueError(
                    f"{key}: {override.unit} is not the unit of a rate {key.split('.')[0]}"
                    f" ({unit_of_key(key)})"
                )
        return overrides

    def preflight(self, name: str, config_path: Path) -> None:
        """The rates file read and checked before any work."""
        self.load_rates(name, config_path)

    def provenance(self, name: str) -> dict[str, Any]:
        """The rates file: path, sha256, name, price year and the config's overrides."""
        rates = self.load_rates(name)
        return {
            "file": str(self.rates),
            "sha256": sha256_of(self.rates),
            "name": rates.name,
            "price_year": rates.price_year,
            "overrides": dict(self.rate_overrides),
        }

    def load_rates(self, name: str, config_path: Path | None = None) -> RatesFile:
        """The rates file with the overrides applied (one-line errors naming the key).

        ``rates`` is relative to the config until :func:`~sitesel.config.load_config`
        makes it absolute; ``config_path`` names the config in messages.
        """
        key = (
            f"criteria.{name}.rates"
            if config_path is None
            else f"{config_path}: criteria.{name}.rates"
        )
        return load_rates(
            self.rates, overrides=dict(self.rate_overrides), key=key, region=self.region
        )


def terrain_class(slope_pct: FloatArray) -> np.ndarray:
    """IRC terrain class (index into ``plain, rolling, hilly, steep``) of cross slopes in %.

    >>> terrain_class(np.array([3.0, 10.0, 30.0, 75.0])).tolist()
    [0, 1, 2, 3]
    """
    return np.searchsorted(np.asarray(TERRAIN_UPPER_PCT), slope_pct, side="right")


def cost_range(ranked: FloatArray) -> str:
    """The ranked sites' costs in words: their range and median, over those priced.

    >>> cost_range(np.array([20.23, np.nan, 345.2, 144.7]))
    'Rs 20.2 to 345.2 crore (median 144.7) over 3 ranked sites'
    >>> cost_range(np.array([np.nan]))
    'no ranked site has every component'
    """
    known = ranked[np.isfinite(ranked)]
    if not len(known):
        return "no ranked site has every component"
    return (
        f"Rs {known.min():,.1f} to {known.max():,.1f} crore (median {np.median(known):,.1f})"
        f" over {len(known):,} ranked sites"
    )


@criterion(
    InfrastructureCostCriterion, unit="crore", label="Infrastructure cost", summary=cost_range
)
def infrastructure_cost(
    spec: InfrastructureCostCriterion, name: str, ctx: CriterionContext
) -> CriterionValues:
    """Total and component costs of each site, in rupees crore of the rates' price year."""
    rates = spec.load_rates(name)
    net = ctx.network
    if net is None or net.roads is None:
        raise ConfigError(f"criteria.{name}: needs the whole road network (not a cluster tile)")
    sites = ctx.sites.geometry
    crore = {c: np.full(len(sites), np.nan) for c in COMPONENTS}
    site_geoms = np.asarray(sites.to_numpy())
    # Each site's straight access leg to its nearest road: its length is priced, its
    # terrain sets the rate (one nearest-road search for both).
    site_idx, nearest, dist_m = nearest_parts(site_geoms, np.asarray(net.roads.edges.geometry))
    leg_m = np.full(len(sites), np.nan)
    leg_m[site_idx] = dist_m
    notes = []
    by_class = rates.access_road_per_km
    per_km = np.array(
        [rate_inr(rates, by_class[c], region=spec.region) for c in TERRAIN_CLASSES]  # type: ignore[index]
    )
    if ctx.dem is None:
        leg_class = np.zeros(len(sites), dtype=np.int64)
        notes.append("access roads priced as plain terrain and site grading unknown (no dem:)")
    else:
        zonal = ctx.zonal
        legs = shapely.shortest_line(site_geoms[site_idx], nearest)
        leg_class = _leg_terrain(site_geoms, site_idx, legs, zonal.dems, zonal.source)
        volume = zonal.platform_cut_m3(spec.platform_grade_pct, MIN_GRADING_CELLS)
        earth = rate_inr(rates, rates.earthwork_per_m3, region=spec.region)
        # cut and fill, each of the volume
        crore["site_grading"] = 2 * volume * spec.developable_share * earth / INR_PER_CRORE
    crore["access_road"] = leg_m / M_PER_KM * per_km[leg_class] / INR_PER_CRORE
    if spec.upgrade is not None:
        crore["road_upgrade"] = _upgrade(spec, name, ctx, rates)
    utilities, unknown = _utility_lines(spec, name, ctx, rates)
    crore |= utilities
    notes += unknown
    coarse = int(np.isnan(crore["site_grading"]).sum())
    if ctx.dem is not None and coarse:
        notes.append(
            f"site grading unknown for {coarse} sites over fewer than"
            f" {MIN_GRADING_CELLS:g} DEM cells (their total is empty)"
        )
    # What the study can cost, decided by the config (never by the values: a cluster tile
    # of sites on a coarse DEM must add up as the whole run does).
    priced = {
        "access_road": True,
        "road_upgrade": spec.upgrade is not None,
        "site_grading": ctx.dem is not None,
        "power": spec.power is not None and rates.power_line_per_km is not None,
        "water": spec.water is not None and rates.water_pipeline_per_km is not None,
    }
    total = np.sum([crore[c] for c in COMPONENTS if priced[c]], axis=0)
    return CriterionValues(
        raw=np.asarray(total, dtype=np.float64),
        missing_reason=f"{name}: no route to the upgrade target or no terrain under the site",
        components=crore,
        note="; ".join(notes) or None,
    )


def _utility_lines(
    spec: InfrastructureCostCriterion, name: str, ctx: CriterionContext, rates: RatesFile
) -> tuple[dict[str, FloatArray], list[str]]:
    """Power and water lines to each site (crore), and notes for those that cannot be priced."""
    crore: dict[str, FloatArray] = {}
    notes: list[str] = []
    for component, selection, rate in (
        ("power", spec.power, rates.power_line_per_km),
        ("water", spec.water, rates.water_pipeline_per_km),
    ):
        if selection is None or rate is None:
            why = "no layer named" if selection is None else f"no rate in {spec.rates.name}"
            notes.append(f"{component} cost unknown ({why})")
            continue
        features = ctx.select(selection, f"criteria.{name}.{component}")
        km = distance_km(ctx.sites.geometry, features.geometry)
        crore[component] = km * rate_inr(rates, rate, region=spec.region) / INR_PER_CRORE
    return crore, notes


def _leg_terrain(
    sites: np.ndarray, site_idx: np.ndarray, legs: np.ndarray, dems: list[Dem], source: np.ndarray
) -> np.ndarray:
    """Terrain class of each site's straight leg to the nearest road (the site's own DEM).

    ``legs[i]`` is the leg of site ``site_idx[i]``. The mean slope over ``LEG_SAMPLES``
    points spread along the leg (the site's centre when the leg is shorter than
    ``LEG_SAMPLE_M``), on the DEM the site's terrain uses.
    """
    short = shapely.length(legs) < LEG_SAMPLE_M
    fractions = np.linspace(0.0, 1.0, LEG_SAMPLES)
    points = shapely.line_interpolate_point(
        np.repeat(legs, LEG_SAMPLES), np.tile(fractions, len(legs)), normalized=True
    )
    xy = shapely.get_coordinates(points).reshape(len(legs), LEG_SAMPLES, 2)
    centres = shapely.get_coordinates(shapely.centroid(sites[site_idx]))
    xy[short] = centres[short][:, None, :]
    out = np.zeros(len(sites), dtype=np.int64)
    for k, dem in enumerate(dems):
        mine = np.flatnonzero(source[site_idx] == k)
        if len(mine) == 0:
            continue
        slope_pct = 100 * np.tan(np.radians(slope_deg(dem.elevation_m, dem.cell_size_m)))
        t, (rows, cols) = dem.transform, slope_pct.shape
        col = np.floor((xy[mine, :, 0] - t.c) / t.a).astype(np.int64)
        row = np.floor((xy[mine, :, 1] - t.f) / t.e).astype(np.int64)
        inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
        values = np.where(inside, slope_pct[np.clip(row, 0, rows - 1), np.clip(col, 0, cols - 1)],
                          np.nan)  # fmt: skip
        finite = np.isfinite(values)
        count = finite.sum(axis=1)
        total = np.where(finite, values, 0.0).sum(axis=1)
        mean = np.divide(total, count, out=np.zeros(len(mine)), where=count > 0)
        out[site_idx[mine]] = terrain_class(mean)
    return out


def _upgrade(
    spec: InfrastructureCostCriterion, name: str, ctx: CriterionContext, rates: RatesFile
) -> FloatArray:
    """Crore to upgrade the below-standard roads on each site's fastest route to the target."""
    assert spec.upgrade is not None and ctx.network is not None and ctx.network.roads is not None
    graph, net = ctx.graph(spec.scenario)
    roads = ctx.network.roads
    classes = roads.edges["road_class"].fillna("").astype(str).to_numpy()
    names, edge_class = np.unique(classes, return_inverse=True)
    below = [c for c in names if c not in spec.upgrade.standard]
    missing = [c for c in below if c not in rates.road_upgrade_per_km]
    points = xy(target_points(ctx.select(spec.upgrade.to, f"criteria.{name}.upgrade.to")))
    reach_m = net.max_offroad_km * M_PER_KM
    dist_t, node_t = graph.access(points, k=4, max_offroad_m=reach_m)
    joined = np.isfinite(dist_t)
    # Closed edges of a scenario have no arc in its graph, so no route uses them.
    edges_of_arc = arc_edges(roads, ctx.network.forward_min, ctx.network.backward_min)
    metres, _ = class_metres_to_targets(
        graph, edges_of_arc, edge_class, roads.edges["length_m"].to_numpy(dtype=float),
        len(names), node_t[joined], dist_t[joined] / m_per_min(net.offroad_speed_kmh),
    )  # fmt: skip
    node_time = node_times_to_targets(
        graph, points, offroad_speed_kmh=net.offroad_speed_kmh, max_offroad_m=reach_m
    )
    _, entry = best_entries(  # where each site joins the network, as travel times choose
        graph, node_time, xy(ctx.sites.geometry.centroid),
        offroad_speed_kmh=net.offroad_speed_kmh, max_offroad_m=reach_m,
    )  # fmt: skip
    used = metres[np.maximum(entry, 0)]
    crossed = [c for c in missing if (used[entry >= 0][:, list(names).index(c)] > 0).any()]
    if crossed:
        raise ConfigError(
            f"criteria.{name}.upgrade: routes cross road class {', '.join(map(repr, crossed))},"
            f" which has no rate in {spec.rates.name} (road_upgrade_per_km) and is not in"
            " upgrade.standard; add a rate or list it as standard"
        )
    per_m = np.array(
        [
            rate_inr(rates, rates.road_upgrade_per_km[c], region=spec.region) / M_PER_KM
            if c in below and c in rates.road_upgrade_per_km
            else 0.0
            for c in names
        ]
    )
    out = used @ per_m / INR_PER_CRORE
    return np.where(entry >= 0, out, np.nan)
