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

from sitesel._typing import FloatArray, IntArray
from sitesel.errors import LayerError
from sitesel.network.gaps import Repair, Tolerance, dangling_ends, end_to_end_pairs, tolerance_of
from sitesel.network.graph import RoadEdges
from sitesel.network.lines import split_line

log = logging.getLogger(__name__)

CONNECTOR_NAME = "(gap joined)"


@dataclass(frozen=True)
class SnapReport:
    """What cleaning a line layer changed."""

    n_input_lines: int
    n_noded_pieces: int
    n_dangles_joined: int
    connector_length_m: float
    n_gaps_closed: int = 0
    gap_length_m: float = 0.0
    repairs: tuple[Repair, ...] = ()


def road_edges_from_lines(
    lines: gpd.GeoDataFrame,
    *,
    class_column: str | None,
    name_column: str | None = None,
    snap_tolerance_m: Tolerance,
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
        Metres, or ``{class: m, "default": m}``: two loose ends of the same class or name
        facing each other within it are joined end to end first; other loose ends are
        joined to the nearest road within it. 0 turns repairs off.
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
    pieces, edges, gaps = _close_gaps(node_xy, pieces, edges, snap_tolerance_m)
    node_xy, pieces, edges, snaps = _join_dangles(node_xy, pieces, edges, snap_tolerance_m)
    edges["length_m"] = shapely.length(pieces)
    edges["oneway"] = False
    gdf = gpd.GeoDataFrame(edges, geometry=pieces, crs=lines.crs)
    report = _report(len(geoms), n_pieces, gaps, snaps)
    log.info(
        "layer %s: %d lines noded into %d pieces; %d gaps closed end to end (%.0f m);"
        " %d loose ends joined to a road (%.0f m)",
        *(layer, report.n_input_lines, n_pieces, len(gaps), report.gap_length_m),
        *(len(snaps), report.connector_length_m),
    )
    return RoadEdges(node_xy=node_xy, edges=gdf), report


def _report(n_lines: int, n_pieces: int, gaps: list[Repair], snaps: list[Repair]) -> SnapReport:
    return SnapReport(
        n_input_lines=n_lines,
        n_noded_pieces=n_pieces,
        n_dangles_joined=len(snaps),
        connector_length_m=float(sum(r.gap_m for r in snaps)),
        n_gaps_closed=len(gaps),
        gap_length_m=float(sum(r.gap_m for r in gaps)),
        repairs=tuple(gaps + snaps),
    )


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


def _close_gaps(
    node_xy: FloatArray, pieces: np.ndarray, edges: pd.DataFrame, tolerance: Tolerance
) -> tuple[np.ndarray, pd.DataFrame, list[Repair]]:
    """Join facing loose ends of the same road end to end (see :mod:`.gaps`)."""
    pairs = end_to_end_pairs(node_xy, pieces, edges, tolerance)
    if not pairs:
        return pieces, edges, []
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    at_a, at_b = _attributes_at(edges, a), _attributes_at(edges, b)
    repairs = [
        Repair("end_to_end", float(node_xy[i, 0]), float(node_xy[i, 1]), gap, ca, na, cb, nb)
        for i, gap, (ca, na), (cb, nb) in zip(a, (p[2] for p in pairs), at_a, at_b, strict=True)
    ]
    rows = pd.DataFrame(
        {"u": a, "v": b, "road_class": [c for c, _ in at_a], "name": CONNECTOR_NAME}
    )
    lines = shapely.linestrings(np.stack([node_xy[a], node_xy[b]], axis=1))
    edges = pd.concat([edges, rows], ignore_index=True)
    edges[["u", "v"]] = edges[["u", "v"]].astype(np.int64)
    return np.concatenate([pieces, lines]), edges, repairs


def _attributes_at(edges: pd.DataFrame, nodes: IntArray) -> list[tuple[str, str]]:
    """Class and name of the (single) edge at each loose end."""
    by_node = pd.concat(
        [edges.set_index("u")[["road_class", "name"]], edges.set_index("v")[["road_class", "name"]]]
    )
    by_node = by_node[~by_node.index.duplicated()]
    found = by_node.reindex(nodes)
    return list(zip(found["road_class"].astype(str), found["name"].astype(str), strict=True))


def _join_dangles(
    node_xy: FloatArray,
    pieces: np.ndarray,
    edges: pd.DataFrame,
    tolerance: Tolerance,
) -> tuple[FloatArray, np.ndarray, pd.DataFrame, list[Repair]]:
    """Connect each dangling end to the nearest point of another piece within tolerance."""
    u = edges["u"].to_numpy()
    v = edges["v"].to_numpy()
    dangles, rows = dangling_ends(edges, len(node_xy))
    tol = tolerance_of(tolerance, edges["road_class"].iloc[rows])
    if len(dangles) == 0 or tol.max() <= 0:
        return node_xy, pieces, edges, []
    points = shapely.points(node_xy[dangles])
    tree = shapely.STRtree(pieces)
    d_idx, p_idx = tree.query(points, predicate="dwithin", distance=float(tol.max()))
    own = (u[p_idx] == dangles[d_idx]) | (v[p_idx] == dangles[d_idx])
    d_idx, p_idx = d_idx[~own], p_idx[~own]
    gap = shapely.distance(points[d_idx], pieces[p_idx])
    near = gap <= tol[d_idx]
    d_idx, p_idx, gap = d_idx[near], p_idx[near], gap[near]
    if len(d_idx) == 0:
        return node_xy, pieces, edges, []
    order = np.lexsort((gap, d_idx))
    d_idx, p_idx, gap = d_idx[order], p_idx[order], gap[order]
    first = np.ones(len(d_idx), dtype=bool)
    first[1:] = d_idx[1:] != d_idx[:-1]
    d_idx, p_idx, gap = d_idx[first], p_idx[first], gap[first]
    along = shapely.line_locate_point(pieces[p_idx], points[d_idx])
    repairs = [
        Repair("to_road", *_xy(node_xy, dangles[d]), float(g), *at, str(cls), str(nm))
        for d, g, at, cls, nm in zip(
            d_idx, gap, _attributes_at(edges, dangles[d_idx]),
            edges["road_class"].to_numpy()[p_idx], edges["name"].to_numpy()[p_idx], strict=True,
        )
    ]  # fmt: skip
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
            "road_class": [c for c, _ in _attributes_at(edges, dangle_nodes)],
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
    return node_xy, all_pieces, edges, repairs


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
        out.pieces.extend(split_line(geom, bounds))
        for i in range(len(bounds) - 1):
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


def _xy(node_xy: FloatArray, node: int) -> tuple[float, float]:
    return float(node_xy[node, 0]), float(node_xy[node, 1])
