"""Load catalog layers by name: find or fetch their files, read them once, reproject once."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from sitesel._typing import Dem
from sitesel.config.catalog import Catalog, LayerSpec
from sitesel.data.dem import DEFAULT_MAX_CELLS, load_dem
from sitesel.data.fetch import check_download_address, ensure_files, file_requests, target_path
from sitesel.data.gdal import refuse_references, without_network
from sitesel.data.lock import LockFile
from sitesel.data.osm import (
    road_edges_from_osm_xml,
    road_edges_from_overpass,
    road_edges_from_pbf,
)
from sitesel.data.points import read_points_csv, read_runways_csv
from sitesel.data.read_errors import reading
from sitesel.data.tiles import tile_requests
from sitesel.data.vector import read_vector
from sitesel.errors import CoverageError, LayerNotFoundError
from sitesel.network.gaps import Tolerance
from sitesel.network.graph import RoadEdges, edges_sha256, subset_edges
from sitesel.network.repair import SnapReport, road_edges_from_lines

log = logging.getLogger(__name__)


class LayerLoader:
    """Reads catalog layers from a data directory, each at most once.

    Parameters
    ----------
    catalog
        The layer catalog.
    data_dir
        Where layer files live (and where downloads are cached).
    offline
        Never download; a missing file is an error.
    lock
        The catalog's lock file: downloads without a catalog checksum (and Overpass
        answers) are pinned there on first use and checked after (:mod:`.lock`).
    """

    def __init__(
        self,
        catalog: Catalog,
        data_dir: Path,
        *,
        offline: bool = False,
        lock: LockFile | None = None,
    ) -> None:
        self.catalog = catalog
        self.data_dir = data_dir
        self.offline = offline
        self.lock = lock
        self.file_sha256: dict[str, str] = {}
        self._frames: dict[tuple[str, str], gpd.GeoDataFrame] = {}

    def fetch(self, names: list[str]) -> None:
        """Make sure every file of the named layers is local (downloading if allowed)."""
        hashes = ensure_files(
            file_requests(self.catalog, names), self.data_dir, offline=self.offline,
            lock=self.lock,
        )  # fmt: skip
        self.file_sha256.update(hashes)
        for name in dict.fromkeys(names):
            if not self.spec(name).allow_references:
                for path in self._paths(name):
                    refuse_references(path, layer=name)

    def _paths(self, name: str) -> list[Path]:
        return [self.data_dir / src.path for src in self.catalog.layers[name].sources]

    def available(self, name: str) -> bool:
        """Whether the catalog has the layer and its files are here (nothing is fetched)."""
        return name in self.catalog.layers and all(p.is_file() for p in self._paths(name))

    def feature_count(self, name: str) -> int:
        """How many features (or table rows) a fetched layer holds, without reading them.

        A CSV's data lines are counted (a header line, no line breaks inside values); other
        files ask GDAL, which counts without reading geometries.
        """
        (path,) = self._paths(name)[:1]
        spec = self.spec(name)
        if spec.format in ("csv", "runways_csv"):
            with path.open("rb") as f:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
            with path.open("rb") as f:
                f.seek(max(path.stat().st_size - 1, 0))
                unterminated = f.read(1) not in (b"\n", b"")
            return max(lines + int(unterminated) - 1, 0)
        with without_network(self.offline), reading(name, path):
            info = pyogrio.read_info(path, force_feature_count=True)
        return int(info["features"])

    def spec(self, name: str) -> LayerSpec:
        """The catalog entry of a layer."""
        return self.catalog.layers[name]

    def frame(self, name: str, crs: pyproj.CRS | None = None) -> gpd.GeoDataFrame:
        """A vector or point layer as a GeoDataFrame, in ``crs`` when given."""
        key = (name, "native")
        if key not in self._frames:
            spec = self.spec(name)
            (path,) = self._paths(name)[:1]
            with reading(name, path):
                gdf = self._read_frame(name, spec, path)
            self._frames[key] = gdf
        gdf = self._frames[key]
        if crs is None:
            return gdf
        key_crs = (name, crs.to_string())
        if key_crs not in self._frames:
            self._frames[key_crs] = gdf.to_crs(crs)
        return self._frames[key_crs]

    def _read_frame(self, name: str, spec: LayerSpec, path: Path) -> gpd.GeoDataFrame:
        """A vector or table layer read by the reader its format needs."""
        if spec.format == "csv":
            assert spec.x_column is not None and spec.y_column is not None  # catalog-checked
            return read_points_csv(
                path, x_column=spec.x_column, y_column=spec.y_column, crs=spec.crs, layer=name
            )
        if spec.format == "runways_csv":
            return read_runways_csv(path, layer=name, geometry=spec.runway_geometry)
        with without_network(self.offline):
            return read_vector(path, layer=name, crs=spec.crs)

    def roads(
        self,
        name: str,
        *,
        crs: pyproj.CRS,
        keep_within: BaseGeometry,
        snap_tolerance_m: Tolerance,
    ) -> tuple[RoadEdges, SnapReport | None]:
        """A roads layer as a routable graph, limited to roads touching ``keep_within``."""
        spec = self.spec(name)
        if spec.format == "overpass":
            return self._overpass(name, crs, keep_within), None
        if spec.format in {"osm_pbf", "osm_xml"}:
            (path,) = self._paths(name)[:1]
            reader = road_edges_from_pbf if spec.format == "osm_pbf" else road_edges_from_osm_xml
            with reading(name, path):
                roads = reader(path, crs=crs, layer=name)
            shapely.prepare(keep_within)
            inside = shapely.intersects(keep_within, roads.edges.geometry.to_numpy())
            return subset_edges(roads, np.asarray(inside, dtype=bool)), None
        lines = self.frame(name, crs)
        lines = lines[lines.intersects(keep_within)]
        return road_edges_from_lines(
            lines,
            class_column=spec.class_column,
            name_column=spec.name_column,
            snap_tolerance_m=snap_tolerance_m,
            layer=name,
        )

    def _overpass(self, name: str, crs: pyproj.CRS, keep_within: BaseGeometry) -> RoadEdges:
        """Roads from Overpass over the area's bounds, the answer pinned in the lock file.

        Raises
        ------
        LayerNotFoundError
            Offline, when the answer is not in osmnx's cache (it is not known then).
        """
        spec = self.spec(name)
        if self.offline:
            raise LayerNotFoundError(
                f"layer {name!r} is fetched from Overpass (OpenStreetMap) and cannot be read"
                " offline; run without --offline, or use a road file of the data folder"
            )
        wgs84 = gpd.GeoSeries([keep_within], crs=crs).to_crs("EPSG:4326")
        bbox = tuple(round(float(v), 4) for v in wgs84.total_bounds)
        if spec.endpoint is not None:
            check_download_address(spec.endpoint, allow_http=spec.allow_http,
                                   allow_private=False)  # fmt: skip
        roads = road_edges_from_overpass(
            (bbox[0], bbox[1], bbox[2], bbox[3]),
            crs=crs,
            network_type=spec.network_type,
            cache_dir=self.data_dir / "osmnx_cache",
            layer=name,
            overpass_url=spec.endpoint,
        )
        if self.lock is not None:
            key = f"overpass:{name}:{','.join(f'{v:.4f}' for v in bbox)}"
            self.lock.check(key, edges_sha256(roads), f"layer {name}: the Overpass answer")
        return roads

    def _tiles(
        self,
        name: str,
        crs: pyproj.CRS,
        area: BaseGeometry,
        margin_m: float,
        optional: bool = False,
    ) -> list[Path]:
        """Fetch (if needed) the tiles of a tile-set layer over the area plus margin."""
        spec = self.spec(name)
        assert spec.tiles is not None  # a dem layer has path, files or tiles
        wanted = gpd.GeoSeries([area.buffer(margin_m)], crs=crs).to_crs("EPSG:4326")
        west, south, east, north = wanted.total_bounds.tolist()
        requests = tile_requests(
            spec.tiles, layer=name, bounds_lonlat=(west, south, east, north),
            allow_http=spec.allow_http,
        )  # fmt: skip
        if not requests:
            raise CoverageError(
                f"layer {name!r}: no tile of the set covers the study area and its margin"
                f" ({west:.3f}, {south:.3f}, {east:.3f}, {north:.3f})"
            )
        self.file_sha256.update(
            ensure_files(
                requests, self.data_dir, offline=self.offline, lock=self.lock, optional=optional
            )
        )
        paths = [target_path(r, self.data_dir) for r in requests]
        if not spec.allow_references:
            for path in paths:
                refuse_references(path, layer=name)
        return paths

    def dem(
        self,
        name: str,
        *,
        crs: pyproj.CRS,
        area: BaseGeometry,
        resolution_m: float | None,
        margin_m: float = 5_000.0,
        partial: bool = False,
        max_cells: int = DEFAULT_MAX_CELLS,
        optional: bool = False,
    ) -> Dem:
        """A DEM layer mosaicked and reprojected around ``area``.

        ``partial``: the layer may cover only part of the area (a finer DEM of a stack);
        ``optional``: it serves only if all its tiles can be had (no retries: the first
        missing tile ends the attempt). The layer's ``vertical_offset_m`` is added to every
        height.
        """
        xmin, ymin, xmax, ymax = shapely.bounds(area).tolist()
        paths = self._paths(name) or self._tiles(name, crs, area, margin_m, optional)
        spec = self.spec(name)
        with without_network(self.offline), reading(name, ", ".join(map(str, paths[:3]))):
            dem = load_dem(
                paths,
                dst_crs=crs,
                area_bounds=(xmin, ymin, xmax, ymax),
                margin_m=margin_m,
                resolution_m=resolution_m,
                layer=name,
                crs=spec.crs,
                partial=partial,
                max_cells=max_cells,
            )
        if spec.vertical_offset_m:
            dem = replace(dem, elevation_m=dem.elevation_m + spec.vertical_offset_m)
        return dem
