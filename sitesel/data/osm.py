"""OpenStreetMap roads from a PBF extract, an XML file or Overpass.

``.osm.pbf`` extracts are read with pyosmium; ``.osm`` XML files and Overpass downloads go
through osmnx. All become the same :class:`~sitesel.network.RoadEdges`.

OSM ways share node ids where roads meet, so no geometric noding is needed (and bridges
do not become junctions): ways are split at every node used by more than one way. Every
edge is a directed arc; two-way roads get one arc each way, as in osmnx.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from sitesel.errors import EmptyLayerError, LayerError
from sitesel.network.graph import RoadEdges

if TYPE_CHECKING:  # networkx comes with osmnx, which is imported only when used
    import networkx as nx

log = logging.getLogger(__name__)

DRIVABLE_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    }
)
_NO_ACCESS = frozenset({"no", "private"})
_ONEWAY_YES = frozenset({"yes", "true", "1"})


@dataclass
class _Way:
    node_ids: list[int]
    highway: str
    name: str
    direction: int  # 0 two-way, 1 forward only, -1 backward only
    maxspeed: str = ""


@dataclass
class _WayCollector:
    ways: list[_Way] = field(default_factory=list)
    lonlat: dict[int, tuple[float, float]] = field(default_factory=dict)


def way_direction(tags: Mapping[str, str]) -> int:
    """Driving direction of a way from its tags: 0 both, 1 forward only, -1 backward only.

    >>> way_direction({"highway": "primary", "oneway": "yes"})
    1
    >>> way_direction({"highway": "motorway"})
    1
    >>> way_direction({"highway": "residential", "oneway": "-1"})
    -1
    >>> way_direction({"highway": "primary", "junction": "roundabout", "oneway": "no"})
    0
    """
    oneway = tags.get("oneway", "").lower()
    if oneway == "-1" or oneway == "reverse":
        return -1
    if oneway in _ONEWAY_YES:
        return 1
    if oneway == "no":
        return 0
    if tags.get("highway") in {"motorway"} or tags.get("junction") in {"roundabout", "circular"}:
        return 1
    return 0


def is_drivable(tags: Mapping[str, str]) -> bool:
    """Whether a way is a road a truck may use (the osmnx ``drive`` idea, simplified)."""
    return (
        tags.get("highway") in DRIVABLE_HIGHWAYS
        and tags.get("area") != "yes"
        and tags.get("access") not in _NO_ACCESS
        and tags.get("motor_vehicle") not in _NO_ACCESS
        and tags.get("service") not in {"parking_aisle", "driveway"}
    )


def road_edges_from_pbf(path: Path, *, crs: pyproj.CRS, layer: str) -> RoadEdges:
    """Drivable roads of an OSM file (``.osm.pbf``, ``.osm`` or ``.osm.bz2``) via pyosmium.

    Parameters
    ----------
    path
        The OSM file.
    crs
        The working CRS (projected, metres).
    layer
        The catalog layer name, for messages.

    Returns
    -------
    RoadEdges
        Directed arcs with ``road_class`` = the ``highway`` tag.
    """
    import osmium  # imported when used: most studies read no OSM file

    collected = _WayCollector()
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        processor = processor.with_locations()
        for way in processor.with_filter(osmium.filter.EntityFilter(osmium.osm.WAY)).with_filter(
            osmium.filter.KeyFilter("highway")
        ):
            if not isinstance(way, osmium.osm.Way):
                continue
            tags = dict(way.tags)
            if not is_drivable(tags):
                continue
            # A clipped extract lacks some nodes: split the way there, never bridge the gap.
            runs: list[list[int]] = [[]]
            for node in way.nodes:
                if not node.location.valid():
                    runs.append([])
                    continue
                runs[-1].append(node.ref)
                collected.lonlat[node.ref] = (node.location.lon, node.location.lat)
            direction = way_direction(tags)
            collected.ways.extend(
                _Way(
                    run, tags["highway"], tags.get("name", ""), direction, tags.get("maxspeed", "")
                )
                for run in runs
                if len(run) >= 2
            )
    except RuntimeError as exc:
        raise LayerError(f"layer {layer!r}: cannot read {path} as OSM data: {exc}") from None
    return _edges_from_ways(collected, crs=crs, layer=layer, path=path)


def _edges_from_ways(
    collected: _WayCollector, *, crs: pyproj.CRS, layer: str, path: Path
) -> RoadEdges:
    if not collected.ways:
        raise EmptyLayerError(f"layer {layer!r}: {path.name} has no drivable highway ways")
    uses = pd.Series(
        np.concatenate([np.asarray(w.node_ids, dtype=np.int64) for w in collected.ways])
    ).value_counts()
    shared = set(uses.index[uses.to_numpy() > 1].tolist())
    osm_ids = np.fromiter(collected.lonlat.keys(), dtype=np.int64)
    lonlat = np.array(list(collected.lonlat.values()), dtype=float)
    to_crs = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_crs.transform(lonlat[:, 0], lonlat[:, 1])
    index = {int(osm): i for i, osm in enumerate(osm_ids)}
    xy = np.column_stack([x, y])

    rows: list[tuple[int, int, str, str, str]] = []
    coords: list[np.ndarray] = []
    for way in collected.ways:
        idx = [index[n] for n in way.node_ids]
        start = 0
        for pos in range(1, len(idx)):
            if pos == len(idx) - 1 or way.node_ids[pos] in shared:
                piece = idx[start : pos + 1]
                start = pos
                if way.direction >= 0:
                    rows.append((piece[0], piece[-1], way.highway, way.name, way.maxspeed))
                    coords.append(xy[piece])
                if way.direction <= 0:
                    rows.append((piece[-1], piece[0], way.highway, way.name, way.maxspeed))
                    coords.append(xy[piece[::-1]])
    return _compact(rows, coords, xy, crs)


def _compact(
    rows: list[tuple[int, int, str, str, str]],
    coords: Iterable[np.ndarray],
    xy: np.ndarray,
    crs: pyproj.CRS,
) -> RoadEdges:
    """Keep only nodes that edges use, renumbered 0..n-1."""
    table = pd.DataFrame(rows, columns=["u", "v", "road_class", "name", "maxspeed"])
    parts = list(coords)
    sizes = np.fromiter((len(c) for c in parts), dtype=np.int64, count=len(parts))
    geoms = shapely.linestrings(
        np.concatenate(parts), indices=np.repeat(np.arange(len(parts)), sizes)
    )
    used, inverse = np.unique(table[["u", "v"]].to_numpy().ravel(), return_inverse=True)
    table[["u", "v"]] = inverse.reshape(-1, 2).astype(np.int64)
    table["length_m"] = shapely.length(geoms)
    table["oneway"] = True
    return RoadEdges(node_xy=xy[used], edges=gpd.GeoDataFrame(table, geometry=geoms, crs=crs))


def road_edges_from_osmnx(graph: nx.MultiDiGraph, *, crs: pyproj.CRS) -> RoadEdges:
    """Convert an osmnx graph (from Overpass or ``graph_from_xml``) to :class:`RoadEdges`.

    Parameters
    ----------
    graph
        An unprojected osmnx graph; two-way streets already hold one edge per direction.
    crs
        The working CRS.

    Returns
    -------
    RoadEdges
        Directed arcs with ``road_class`` = the first ``highway`` value of each edge.
    """
    import osmnx as ox  # imported when used: osmnx (and scikit-learn) take ~1.5 s to import

    projected = ox.projection.project_graph(graph, to_crs=crs)
    nodes, edges = ox.convert.graph_to_gdfs(projected, nodes=True, edges=True)
    edges = edges.reset_index()
    position = pd.Series(np.arange(len(nodes)), index=nodes.index)
    table = pd.DataFrame(
        {
            "u": position.loc[edges["u"]].to_numpy(dtype=np.int64),
            "v": position.loc[edges["v"]].to_numpy(dtype=np.int64),
            "road_class": edges["highway"].map(_first).astype(str).to_numpy(),
            "name": edges.get("name", pd.Series("", index=edges.index))
            .map(_first)
            .fillna("")
            .astype(str)
            .to_numpy(),
            "maxspeed": edges.get("maxspeed", pd.Series("", index=edges.index))
            .map(_first)
            .fillna("")
            .astype(str)
            .to_numpy(),
        }
    )
    table["length_m"] = edges.geometry.length.to_numpy()
    table["oneway"] = True
    node_xy = np.column_stack([nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy()])
    return RoadEdges(
        node_xy=node_xy, edges=gpd.GeoDataFrame(table, geometry=edges.geometry.to_numpy(), crs=crs)
    )


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) else value


def drivable_subgraph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Keep the edges :func:`is_drivable` accepts (``graph_from_xml`` keeps every way)."""
    keep = [
        (u, v, k)
        for u, v, k, data in graph.edges(keys=True, data=True)
        if is_drivable({key: str(_first(val)) for key, val in data.items() if key != "geometry"})
    ]
    return graph.edge_subgraph(keep).copy()


def road_edges_from_osm_xml(path: Path, *, crs: pyproj.CRS, layer: str) -> RoadEdges:
    """Drivable roads of an ``.osm`` XML file through ``osmnx.graph_from_xml``."""
    import osmnx as ox

    try:
        graph = ox.graph.graph_from_xml(path, simplify=False, retain_all=True)
    except (OSError, ValueError) as exc:
        raise LayerError(f"layer {layer!r}: cannot read {path} as OSM XML: {exc}") from None
    # Filter before simplifying, so a footpath's junction does not split a road.
    graph = drivable_subgraph(graph)
    if graph.number_of_edges() == 0:
        raise EmptyLayerError(f"layer {layer!r}: {path.name} has no drivable highway ways")
    return road_edges_from_osmnx(ox.simplification.simplify_graph(graph), crs=crs)


@contextmanager
def osmnx_settings(**overrides: object) -> Iterator[None]:
    """Set some of ``osmnx.settings`` for the enclosed block only, then restore them."""
    import osmnx as ox

    saved = {name: getattr(ox.settings, name) for name in overrides}
    try:
        for name, value in overrides.items():
            setattr(ox.settings, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(ox.settings, name, value)


def road_edges_from_overpass(
    bbox_lonlat: tuple[float, float, float, float],
    *,
    crs: pyproj.CRS,
    network_type: str,
    cache_dir: Path,
    layer: str,
    overpass_url: str | None = None,
) -> RoadEdges:
    """Roads in a bounding box downloaded by osmnx from Overpass (responses cached).

    osmnx's settings are changed only for the call (its cache folder, and the Overpass
    address when given) and restored afterwards.

    Parameters
    ----------
    bbox_lonlat
        ``(west, south, east, north)`` in degrees.
    crs
        The working CRS.
    network_type
        osmnx network type (``drive``, ``all``, ...).
    cache_dir
        Where osmnx caches Overpass responses.
    layer
        The catalog layer name, for messages.
    overpass_url
        Overpass API address; osmnx's default when None.
    """
    import osmnx as ox

    from sitesel.data.fetch import download_timeout_s

    overrides: dict[str, object] = {
        "use_cache": True, "cache_folder": str(cache_dir), "requests_timeout": download_timeout_s(),
    }  # fmt: skip
    if overpass_url is not None:
        overrides["overpass_url"] = overpass_url
        overrides["overpass_rate_limit"] = False  # a mirror or replay has no status page
    try:
        with osmnx_settings(**overrides):
            graph = ox.graph.graph_from_bbox(
                bbox_lonlat, network_type=network_type, simplify=True, retain_all=True
            )
    except (OSError, ValueError) as exc:  # osmnx's InsufficientResponseError is a ValueError
        raise LayerError(f"layer {layer!r}: Overpass download failed: {exc}") from None
    return road_edges_from_osmnx(graph, crs=crs)
