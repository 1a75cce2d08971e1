"""The input stages: study area and working CRS, candidate sites, DEM, road network."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from sitesel._typing import BoolArray, Dem
from sitesel.config import Config, NetworkSpec, Selection
from sitesel.config._base import PLACES_LAYER
from sitesel.criteria.area import area_ha
from sitesel.data.hex_lattice import HexLattice, hex_lattice
from sitesel.data.loader import LayerLoader
from sitesel.data.place_names import describe_locations
from sitesel.data.sites import dem_square_grid, hex_grid, parcel_sites
from sitesel.data.study_area import study_area_polygon, utm_crs
from sitesel.data.vector import select, select_place
from sitesel.errors import ConfigError, CoverageError, CrsError, LayerNotFoundError
from sitesel.network.graph import ConnectivityReport, RoadEdges, connectivity_report
from sitesel.network.repair import SnapReport
from sitesel.network.scenarios import NetworkModel, build_network
from sitesel.units import M_PER_KM

log = logging.getLogger(__name__)

DEM_MARGIN_M = 5_000.0
"""DEM kept around the study area when no road needs heights (slopes at its edge)."""


@dataclass(frozen=True)
class StudyArea:
    """The study area polygon in the working CRS."""

    crs: pyproj.CRS
    polygon: BaseGeometry


@dataclass(frozen=True)
class Sites:
    """Candidate sites (``site_id``, ``area_ha``, polygon) and those outside the area.

    ``lattice`` is their hexagon lattice when they are sitesel's grid: found once here and
    passed on to the terrain statistics and the map's site raster.
    """

    frame: gpd.GeoDataFrame
    outside: BoolArray
    lattice: HexLattice | None = None


@dataclass(frozen=True)
class Network:
    """The road graph, how it was repaired, how connected it is, and its routing graphs."""

    roads: RoadEdges
    snap: SnapReport | None
    connectivity: ConnectivityReport
    model: NetworkModel


def selected(
    loader: LayerLoader, sel: Selection, key: str, crs: pyproj.CRS | None = None
) -> gpd.GeoDataFrame:
    """Features of a selection (``where``, ``min``, ``place``), in ``crs`` when given."""
    frame = select(
        loader.frame(sel.layer, crs), where=sel.where, minimum=sel.min, layer=sel.layer, key=key
    )
    if sel.place is None:
        return frame
    name_column = loader.spec(sel.layer).name_column
    return select_place(frame, sel.place, name_column=name_column, layer=sel.layer, key=key)


def working_crs(config: Config, area_features: gpd.GeoDataFrame, config_path: Path) -> pyproj.CRS:
    """The configured CRS, or the UTM zone of the study area for ``auto``."""
    if config.working_crs == "auto":
        try:
            return utm_crs(area_features)
        except CrsError as exc:
            raise CrsError(f"{config_path}: {exc}") from None
    try:
        crs = pyproj.CRS.from_user_input(config.working_crs)
    except pyproj.exceptions.CRSError:
        raise ConfigError(
            f"{config_path}: working_crs: expected 'auto' or a CRS such as EPSG:32643,"
            f" found {config.working_crs!r}"
        ) from None
    if not crs.is_projected:
        raise CrsError(
            f"{config_path}: working_crs: expected a projected CRS in metres,"
            f" found {crs.name} (geographic)"
        )
    return crs


def study_area(config: Config, loader: LayerLoader, config_path: Path) -> StudyArea:
    """The selected features, in the working CRS, merged and buffered."""
    spec = config.study_area
    if spec.bbox_lonlat is not None:
        native = gpd.GeoDataFrame(geometry=[shapely.box(*spec.bbox_lonlat)], crs="EPSG:4326")
    else:
        native = selected(loader, spec, "study_area")
    crs = working_crs(config, native, config_path)
    polygon = study_area_polygon(
        native.to_crs(crs), buffer_m=spec.buffer_km * M_PER_KM, key="study_area"
    )
    log.info("study area: %.0f km2 in %s", polygon.area / 1e6, crs.name)
    return StudyArea(crs=crs, polygon=polygon)


def candidate_sites(
    config: Config, loader: LayerLoader, area: StudyArea, dem: Dem | None = None
) -> Sites:
    """A grid over the area, or the catalog's parcels (flagging those outside).

    The grid is of hexagons, or of squares of whole DEM cells (``shape: dem_square``).
    """
    grid = config.sites.grid
    if grid is not None and grid.shape == "dem_square":
        assert dem is not None  # the config requires a dem: section
        frame = dem_square_grid(
            area.polygon,
            cell_area_ha=grid.area_ha,
            transform=dem.transform,
            shape=dem.elevation_m.shape,
            crs=area.crs,
            max_cells=grid.max_cells,
        )
        outside = np.zeros(len(frame), dtype=bool)
    elif grid is not None:
        frame = hex_grid(
            area.polygon, cell_area_ha=grid.area_ha, crs=area.crs, max_cells=grid.max_cells
        )
        outside = np.zeros(len(frame), dtype=bool)
    else:
        spec = config.sites.parcels
        assert spec is not None  # one of the two, by validation
        frame = parcel_sites(
            loader.frame(spec.layer, area.crs), id_column=spec.id_column, layer=spec.layer
        )
        centroids = frame.centroid
        outside = ~shapely.contains_xy(area.polygon, centroids.x.to_numpy(), centroids.y.to_numpy())
    lattice = hex_lattice(np.asarray(frame.geometry.values)) if grid is not None else None
    return Sites(
        frame=frame.assign(area_ha=area_ha(frame.geometry)), outside=outside, lattice=lattice
    )


def elevation(config: Config, loader: LayerLoader, area: StudyArea) -> Dem | None:
    """The DEM covering the study area (wider when roads beyond it need heights).

    With a stack of DEMs (``dem.layers``) this is the last, covering one.
    """
    if config.dem is None:
        return None
    net = config.network
    margin_m = net.margin_km * M_PER_KM if net and net.needs_road_heights else DEM_MARGIN_M
    return loader.dem(
        config.dem.base,
        crs=area.crs,
        area=area.polygon,
        resolution_m=config.dem.resolution_m,
        margin_m=margin_m,
        max_cells=config.dem.max_cells,
    )


def dem_stack(
    config: Config, loader: LayerLoader, area: StudyArea, base: Dem | None
) -> dict[str, Dem]:
    """Every DEM of the stack by layer name, finest first, the covering one last.

    A finer DEM is read only where it covers the study area (plus a margin for slopes at
    its edge); one that covers none of it is left out with a warning. Empty for a study
    with one DEM.

    Raises
    ------
    CrsError
        If the stack's DEMs come in different CRSs (as gdalbuildvrt, sitesel does not
        mix them silently: reproject one to the other's CRS first).
    """
    if config.dem is None or base is None or len(config.dem.stack) == 1:
        return {}
    stack: dict[str, Dem] = {}
    for name in config.dem.stack[:-1]:
        try:
            stack[name] = loader.dem(
                name, crs=area.crs, area=area.polygon, resolution_m=None,
                margin_m=DEM_MARGIN_M, partial=True, max_cells=config.dem.max_cells,
                optional=name in config.dem.when_available,
            )  # fmt: skip
        except CoverageError:
            log.warning("dem.layers: %s covers no part of the study area; not used", name)
        except LayerNotFoundError as exc:
            if name not in config.dem.when_available:
                raise
            # Named in dem.when_available: the planner chose to go on without it. Said at
            # info level (sitesel -v run ...); validate lists it and the manifest's dem
            # sources show what was used.
            log.info("dem.layers: %s is not available here, not used (%s)", name, exc)
    stack[config.dem.base] = base
    crses = {n: d.source_crs for n, d in stack.items()}
    if len({c for c in crses.values() if c is not None}) > 1:
        listed = ", ".join(f"{n} in {c}" for n, c in crses.items())
        raise CrsError(
            f"dem.layers: the DEMs are in different CRSs ({listed}); reproject them to one"
            " CRS (e.g. gdalwarp -t_srs EPSG:4326) so heights are compared on one grid"
        )
    return stack


def road_network(
    net: NetworkSpec, loader: LayerLoader, area: StudyArea, dem: Dem | None
) -> Network:
    """The roads within the margin as a repaired graph, timed per scenario."""
    roads, snap = loader.roads(
        net.roads,
        crs=area.crs,
        keep_within=area.polygon.buffer(net.margin_km * M_PER_KM),
        snap_tolerance_m=net.snap_tolerance_m,
    )
    connectivity = connectivity_report(roads)
    log.info("road graph: %s", connectivity.summary())
    closure_areas = {
        (name, k): study_area_polygon(
            selected(loader, rule.within, f"network.scenarios.{name}.close[{k}]", area.crs),
            buffer_m=0,
            key=f"network.scenarios.{name}.close[{k}].within",
        )
        for name, scenario in net.scenarios.items()
        for k, rule in enumerate(scenario.close)
        if rule.within is not None
    }
    model = build_network(roads, net, dem=dem, closure_areas=closure_areas)
    return Network(roads=roads, snap=snap, connectivity=connectivity, model=model)


PLACES_MARGIN_M = 10_000.0
"""Places this far outside the study area still name sites and label the map."""


def nearby_places(loader: LayerLoader, area: StudyArea) -> gpd.GeoDataFrame | None:
    """Populated places (``name``, ``population``, point) around the study area.

    From the catalog's ``places`` layer when its file is here (nothing is downloaded for
    it); None otherwise.
    """
    if not loader.available(PLACES_LAYER):
        return None
    spec = loader.spec(PLACES_LAYER)
    frame = loader.frame(PLACES_LAYER, area.crs)
    near = frame[frame.intersects(area.polygon.buffer(PLACES_MARGIN_M))]
    names = near[spec.name_column] if spec.name_column in near else pd.Series("", index=near.index)
    population = (
        pd.to_numeric(near[spec.population_column], errors="coerce")
        if spec.population_column and spec.population_column in near
        else pd.Series(np.nan, index=near.index)
    )
    return gpd.GeoDataFrame(
        {"name": names.astype(str).to_numpy(), "population": population.to_numpy(dtype=float)},
        geometry=near.geometry.representative_point().to_numpy(),
        crs=area.crs,
    ).reset_index(drop=True)


def site_names(sites: gpd.GeoDataFrame, places: gpd.GeoDataFrame | None) -> np.ndarray:
    """Each site's location in words ("2 km NE of Choglamsar"), "" without places."""
    if places is None or places.empty:
        return np.full(len(sites), "", dtype=object)
    centres = sites.geometry.centroid.to_numpy()
    words = describe_locations(
        centres,
        places.geometry.to_numpy(),
        places["name"].tolist(),
        places["population"].to_numpy(dtype=float),
    )
    return np.asarray(words, dtype=object)
