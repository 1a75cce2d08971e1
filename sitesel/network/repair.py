"""Turn any line layer (PMGSY DRRP, a national road file) into a routable road graph.

Official line data is rarely topologically clean: roads cross without sharing a vertex
and end a few metres short of the road they join. :func:`road_edges_from_lines`

1. nodes the lines at every crossing (``shapely.node``), so crossing roads connect;
2. gives each noded piece the attributes of the line it came from;
3. joins every dangling end to the nearest other road within a tolerance, splitting that
   road where the connector lands;

and returns a :class:`~sitesel.network.RoadEdges` with the road class and length of each
edge, and counts of what it changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.ops import substring

from sitesel._typing import FloatArray, IntArray
from sitesel.errors import LayerError
from sitesel.network.graph import RoadEdges

log = logging.getLogger(__name__)

CONNECTOR_NAME = "(gap joined)"


@dataclass(frozen=True)
class SnapReport:
    """What cleaning a line layer changed."""

    n_input_lines: int
    n_noded_pieces: int
    n_dangles_joined: int
    connector_length_m: float


def road_edges_from_lines(
    lines: gpd.GeoDataFrame,
    *,
    class_column: str | None,
    name_column: str | None = None,
    snap_tolerance_m: float,
    layer: str = "roads",
) -> tuple[RoadEdges, SnapReport]:
    """Build a routable graph from road centrelines in a projected CRS.

    Parameters
    ----------
    lines
        (Multi)LineStrings in a projected CRS with metre units.
    class_column
        Column holding the road class (``RoadCatego`` for PMGSY, ``highway`` for OSM);
        every edge gets class ``"road"`` when None.
    name_column
        Column holding the road name, kept on the edges when given.
    snap_tolerance_m
        Dangling ends within this distance of another road are joined to it; 0 turns
        snapping off.
    layer
        The catalog layer name, for messages.

    Returns
    -------
    tuple
        The graph (every edge two-way) and a :class:`SnapReport`.

    Raises
    ------
    LayerError
        If the layer holds no lines, or a named column is missing.
    """
    geoms, attrs = _lines_and_attributes(lines, class_column, name_column, layer)
    pieces = _node(geoms)
    source = _source_line(pieces, geoms)
    node_xy, u, v = _endpoint_nodes(pieces)
    edges = attrs.iloc[source].reset_index(drop=True)
    edges.insert(0, "u", u)
    edges.insert(1, "v", v)
    n_pieces = len(pieces)
    if snap_tolerance_m > 0:
        node_xy, pieces, edges, n_joined, connector_m = _join_dangles(
            node_xy, pieces, edges, snap_tolerance_m
        )
    else:
        n_joined, connector_m = 0, 0.0
    edges["length_m"] = shapely.length(pieces)
    edges["oneway"] = False
    gdf = gpd.GeoDataFrame(edges, geometry=pieces, crs=lines.crs)
    report = SnapReport(len(geoms), n_pieces, n_joined, connector_m)
    log.info(
        "layer %s: %d lines noded into %d pieces; %d dangling ends joined (%.0f m of connectors)",
        *(layer, report.n_input_lines, n_pieces, n_joined, connector_m),
    )
    return RoadEdges(node_xy=node_xy, edges=gdf), report


def _lines_and_attributes(
    lines: gpd.GeoDataFrame, class_column: str | None, name_column: str | None, layer: str
) -> tuple[np.ndarray, pd.DataFrame]:
    """2-D single lines, and each one's road class and name.

    Raises
    ------
    LayerError
        If a named column is missing, or there is no line at all.
    """
    for key, column in (("class_column", class_column), ("name_column", name_column)):
        if column is not None and column not in lines.columns:
            raise LayerError(
                f"layer {layer!r}: no column {column!r} ({key} in the catalog); it has"
                f" {', '.join(c for c in lines.columns if c != 'geometry')}"
            )
    lines = lines[lines.geom_type.isin(["LineString", "MultiLineString"])].explode(
        index_parts=False
    )
    if lines.empty:
        raise LayerError(f"layer {layer!r}: has no line features to build a road graph from")
    geoms = shapely.force_2d(lines.geometry.to_numpy())
    attrs = pd.DataFrame(
        {
            "road_class": lines[class_column].astype(str).to_numpy()
            if class_column
            else np.full(len(lines), "road", dtype=object),
            "name": lines[name_column].astype(str).to_numpy() if name_column else "",
        }
    )

    return geoms, attrs


def _node(geoms: np.ndarray) -> np.ndarray:
    """Split lines at every crossing and shared vertex; drop zero-length pieces."""
    noded = shapely.node(shapely.multilinestrings(geoms))
    pieces = shapely.get_parts(noded)
    return np.asarray(pieces[shapely.length(pieces) > 1e-6])


def _source_line(pieces: np.ndarray, geoms: np.ndarray) -> IntArray:
    """Index of the input line each noded piece lies on."""
    mid = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    tree = shapely.STRtree(geoms)
    piece_idx, line_idx = tree.query_nearest(mid, all_matches=False)
    source = np.zeros(len(pieces), dtype=np.int64)
    source[piece_idx] = line_idx
    return source


def _endpoint_nodes(pieces: np.ndarray) -> tuple[FloatArray, IntArray, IntArray]:
    """Nodes at piece endpoints (equal within 1 mm), and each piece's end nodes."""
    starts = shapely.get_coordinates(shapely.get_point(pieces, 0))
    ends = shapely.get_coordinates(shapely.get_point(pieces, -1))
    ends_xy = np.vstack([starts, ends])
    keys = np.round(ends_xy * 1000).astype(np.int64)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    node_xy = ends_xy[first]
    n = len(pieces)
    return node_xy, inverse[:n].astype(np.int64), inverse[n:].astype(np.int64)


def _join_dangles(
    node_xy: FloatArray,
    pieces: np.ndarray,
    edges: pd.DataFrame,
    tolerance_m: float,
) -> tuple[FloatArray, np.ndarray, pd.DataFrame, int, float]:
    """Connect each dangling end to the nearest point of another piece within tolerance."""
    u = edges["u"].to_numpy()
    v = edges["v"].to_numpy()
    degree = np.bincount(np.concatenate([u, v]), minlength=len(node_xy))
    dangles = np.flatnonzero(degree == 1)
    if len(dangles) == 0:
        return node_xy, pieces, edges, 0, 0.0
    points = shapely.points(node_xy[dangles])
    tree = shapely.STRtree(pieces)
    d_idx, p_idx = tree.query(points, predicate="dwithin", distance=tolerance_m)
    own = (u[p_idx] == dangles[d_idx]) | (v[p_idx] == dangles[d_idx])
    d_idx, p_idx = d_idx[~own], p_idx[~own]
    if len(d_idx) == 0:
        return node_xy, pieces, edges, 0, 0.0
    gap = shapely.distance(points[d_idx], pieces[p_idx])
    order = np.lexsort((gap, d_idx))
    d_idx, p_idx, gap = d_idx[order], p_idx[order], gap[order]
    first = np.ones(len(d_idx), dtype=bool)
    first[1:] = d_idx[1:] != d_idx[:-1]
    d_idx, p_idx, gap = d_idx[first], p_idx[first], gap[first]
    along = shapely.line_locate_point(pieces[p_idx], points[d_idx])
    split = _split_at_landings(node_xy, pieces, edges, p_idx, along)
    node_xy = split.node_xy
    dangle_nodes = dangles[d_idx]
    connectors = shapely.linestrings(
        np.stack([node_xy[dangle_nodes], node_xy[split.landing]], axis=1)
    )
    connector_rows = pd.DataFrame(
        {
            "u": dangle_nodes,
            "v": split.landing,
            "road_class": _class_at_node(edges, dangle_nodes),
            "name": CONNECTOR_NAME,
        }
    )
    keep = split.keep_piece
    edges = pd.concat(
        [edges[keep], pd.DataFrame(split.rows, columns=edges.columns), connector_rows],
        ignore_index=True,
    )
    edges[["u", "v"]] = edges[["u", "v"]].astype(np.int64)
    all_pieces = np.concatenate([pieces[keep], np.array(split.pieces, dtype=object), connectors])
    return node_xy, all_pieces, edges, len(d_idx), float(gap.sum())


@dataclass
class _Split:
    """Pieces split where connectors land: new nodes, pieces and rows, and landing nodes."""

    node_xy: FloatArray
    landing: IntArray
    keep_piece: npt.NDArray[np.bool_]
    pieces: list[shapely.LineString] = field(default_factory=list)
    rows: list[dict[str, object]] = field(default_factory=list)


def _split_at_landings(
    node_xy: FloatArray, pieces: np.ndarray, edges: pd.DataFrame, p_idx: IntArray, along: FloatArray
) -> _Split:
    """Landing points at a piece's ends join its end nodes; others split the piece there."""
    new_xy: list[FloatArray] = [node_xy]
    out = _Split(node_xy, np.empty(len(p_idx), dtype=np.int64), np.ones(len(pieces), bool))
    for piece in np.unique(p_idx):
        hits = np.flatnonzero(p_idx == piece)
        geom, row = pieces[piece], edges.iloc[piece]
        length = geom.length
        inner = (along[hits] > 1e-3) & (along[hits] < length - 1e-3)
        out.landing[hits] = np.where(along[hits] <= 1e-3, row["u"], row["v"])
        if not inner.any():
            continue
        positions = np.unique(np.round(along[hits][inner], 3))
        next_node = sum(len(xy) for xy in new_xy)
        cut_nodes = np.arange(next_node, next_node + len(positions))
        new_xy.append(shapely.get_coordinates(shapely.line_interpolate_point(geom, positions)))
        rounded = np.round(along[hits][inner], 3)
        out.landing[hits[inner]] = cut_nodes[np.searchsorted(positions, rounded)]
        bounds = np.concatenate([[0.0], positions, [length]])
        ends = np.concatenate([[row["u"]], cut_nodes, [row["v"]]])
        for i in range(len(bounds) - 1):
            out.pieces.append(substring(geom, bounds[i], bounds[i + 1]))
            out.rows.append(
                {
                    "u": ends[i],
                    "v": ends[i + 1],
                    "road_class": row["road_class"],
                    "name": row["name"],
                }
            )
        out.keep_piece[piece] = False
    out.node_xy = np.vstack(new_xy)
    return out


def _class_at_node(edges: pd.DataFrame, nodes: IntArray) -> np.ndarray:
    """Road class of the (single) edge at each dangling node: the connector continues it."""
    at_u = pd.Series(edges["road_class"].to_numpy(), index=edges["u"].to_numpy())
    at_v = pd.Series(edges["road_class"].to_numpy(), index=edges["v"].to_numpy())
    by_node = pd.concat([at_u, at_v])
    by_node = by_node[~by_node.index.duplicated()]
    return np.asarray(by_node.reindex(nodes).to_numpy())
