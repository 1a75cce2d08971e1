"""Accessibility measures: opportunities reachable within a time, and gravity access.

The vocabulary of accessibility studies (access, pandana): each opportunity (people in a
habitation, a facility) counts ``weight * f(t)``, where ``t`` is the travel time from the
site and ``f`` a decay function. Cumulative opportunities are the step decay.

Cost: one Dijkstra per distinct graph node holding opportunities, bounded by the time
cutoff, on the reversed graph (times *to* the opportunity); the result is read at the
distinct nodes where sites join the graph. It grows with the number of opportunity nodes
and the size of the graph within the cutoff, not with sites x opportunities.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse import csgraph

from sitesel._typing import FloatArray, IntArray
from sitesel.network.graph import RoutingGraph
from sitesel.units import m_per_min

Decay = Callable[[FloatArray], FloatArray]
_TAIL = 1e-3  # exponential and gaussian decays are cut where they fall below this


def step_decay(cutoff_min: float) -> tuple[Decay, float]:
    """1 within the cutoff, 0 beyond (cumulative opportunities).

    >>> f, limit = step_decay(30)
    >>> f(np.array([0.0, 30.0, 30.1])).tolist(), limit
    ([1.0, 1.0, 0.0], 30)
    """
    return (lambda t: np.where(t <= cutoff_min, 1.0, 0.0)), cutoff_min


def linear_decay(cutoff_min: float) -> tuple[Decay, float]:
    """Falls linearly from 1 at 0 minutes to 0 at the cutoff."""
    return (lambda t: np.clip(1.0 - t / cutoff_min, 0.0, 1.0)), cutoff_min


def exponential_decay(half_life_min: float) -> tuple[Decay, float]:
    """Halves every ``half_life_min`` minutes.

    >>> f, _ = exponential_decay(20)
    >>> f(np.array([0.0, 20.0, 40.0])).tolist()
    [1.0, 0.5, 0.25]
    """
    rate = np.log(2) / half_life_min
    return (lambda t: np.exp(-rate * t)), float(np.log(1 / _TAIL) / rate)


def gaussian_decay(sigma_min: float) -> tuple[Decay, float]:
    """``exp(-t**2 / (2 sigma**2))``."""
    return (
        (lambda t: np.exp(-(t**2) / (2 * sigma_min**2))),
        float(sigma_min * np.sqrt(2 * np.log(1 / _TAIL))),
    )


def access(
    graph: RoutingGraph,
    opportunities_xy: FloatArray,
    weights: FloatArray,
    origins_xy: FloatArray,
    *,
    decay: Decay,
    limit_min: float,
    offroad_speed_kmh: float,
    max_offroad_m: float,
    bin_min: float = 0.25,
    chunk_cells: int = 4_000_000,
) -> FloatArray:
    """Sum of ``weight * decay(t)`` over opportunities reachable from each origin.

    Origins and opportunities join the graph at their nearest node (off-road legs at
    ``offroad_speed_kmh``, at most ``max_offroad_m``); ``t`` includes both legs.

    Times are exact to ``bin_min`` (see the module's note on cost).

    Returns
    -------
    numpy.ndarray
        One value per origin; NaN where an origin joins no node.

    Examples
    --------
    A 10-minute road; 100 people at its far end: within 15 minutes from the near end,
    but not within 5.

    >>> from scipy import sparse
    >>> g = RoutingGraph(sparse.csr_matrix(([10.0, 10.0], ([0, 1], [1, 0])), shape=(2, 2)),
    ...                  np.array([[0.0, 0.0], [5000.0, 0.0]]))
    >>> def within(t):
    ...     f, lim = step_decay(t)
    ...     return access(g, np.array([[5000.0, 0.0]]), np.array([100.0]),
    ...                   np.array([[0.0, 0.0]]), decay=f, limit_min=lim,
    ...                   offroad_speed_kmh=5, max_offroad_m=100).tolist()
    >>> within(15), within(5)
    ([100.0], [0.0])
    """
    metres_per_min = m_per_min(offroad_speed_kmh)
    d_o, n_o = graph.access(opportunities_xy, k=1, max_offroad_m=max_offroad_m)
    keep = np.isfinite(d_o[:, 0]) & (weights != 0)
    opp_node, opp_leg, opp_weight = n_o[keep, 0], d_o[keep, 0] / metres_per_min, weights[keep]
    d_s, n_s = graph.access(origins_xy, k=1, max_offroad_m=max_offroad_m)
    joined = np.isfinite(d_s[:, 0])
    out = np.where(joined, 0.0, np.nan)
    if not keep.any() or not joined.any():
        return np.asarray(out, dtype=np.float64)
    site_nodes, site_index = np.unique(n_s[joined, 0], return_inverse=True)
    site_leg = d_s[joined, 0] / metres_per_min
    n_bins = int(np.ceil(limit_min / bin_min)) + 1
    hist = _arrival_histograms(
        graph, site_nodes, opp_node, opp_leg, opp_weight,
        limit_min=limit_min, bin_min=bin_min, n_bins=n_bins, chunk_cells=chunk_cells,
    )  # fmt: skip
    values = _read_histograms(hist, site_index, site_leg, decay, limit_min, bin_min)
    out[joined] = values
    return np.asarray(out, dtype=np.float64)


def _arrival_histograms(
    graph: RoutingGraph,
    site_nodes: IntArray,
    opp_node: IntArray,
    opp_leg: FloatArray,
    opp_weight: FloatArray,
    *,
    limit_min: float,
    bin_min: float,
    n_bins: int,
    chunk_cells: int,
) -> FloatArray:
    """Opportunity weight arriving at each site node, by ``bin_min`` bins of travel time.

    One cut-off Dijkstra per distinct opportunity node on the reversed graph, in chunks
    of at most ``chunk_cells`` distances held at once.
    """
    hist = np.zeros((len(site_nodes), n_bins))
    sources, source_of = np.unique(opp_node, return_inverse=True)
    order = np.argsort(source_of, kind="stable")
    bounds = np.searchsorted(source_of[order], np.arange(len(sources) + 1))
    step = max(1, chunk_cells // max(graph.n_nodes, 1))
    flat = hist.ravel()
    for start in range(0, len(sources), step):
        chunk = sources[start : start + step]
        times = csgraph.dijkstra(graph.reverse, directed=True, indices=chunk, limit=limit_min)
        at_sites = times[:, site_nodes]  # minutes from each site node to each source node
        points = order[bounds[start] : bounds[start + len(chunk)]]
        t = at_sites[source_of[points] - start] + opp_leg[points, None]  # (points, site nodes)
        ok = t <= limit_min
        rows, cols = np.nonzero(ok)
        bins = np.floor(t[rows, cols] / bin_min).astype(np.int64)
        flat += np.bincount(
            cols * n_bins + bins, weights=opp_weight[points[rows]], minlength=flat.size
        )
    return hist


def _read_histograms(
    hist: FloatArray,
    site_index: IntArray,
    site_leg: FloatArray,
    decay: Decay,
    limit_min: float,
    bin_min: float,
) -> FloatArray:
    """Each origin's sum of ``weight x decay(t)``: its node's histogram, shifted by its leg."""
    centres = (np.arange(hist.shape[1]) + 0.5) * bin_min
    values = np.empty(len(site_leg))
    for lo in range(0, len(site_leg), 20_000):  # origins x bins, in slices
        arrival = centres[None, :] + site_leg[lo : lo + 20_000, None]
        kernel = np.where(arrival <= limit_min + bin_min / 2, decay(arrival), 0.0)
        values[lo : lo + 20_000] = (hist[site_index[lo : lo + 20_000]] * kernel).sum(axis=1)
    return values
