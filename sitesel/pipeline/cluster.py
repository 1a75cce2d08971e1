"""The criteria stage of a big study on a dask.distributed cluster.

``sitesel run CONFIG --cluster local:N`` (a LocalCluster of N worker processes on this
machine) or ``--cluster tcp://host:8786`` (a running scheduler) splits the sites into
tiles, computes every criterion of each tile on the workers and puts the values back in
site order. A site's values depend only on the site and on the shared inputs (the DEM,
the road network, the targets), never on which other sites share its tile, so the
result, and ``ranking.csv``, equal a single-process run's.

What each worker receives once (broadcast): the config (as JSON, validated again there),
the targets each criterion selects (read on this machine, so workers need no data
folder) and the DEM. Each tile gets its own piece of the road network
(:mod:`sitesel.network.tiling`): the nodes within a margin that covers the longest travel
time its criteria count, at the network's fastest speed, plus the off-road legs; travel
times to targets come as per-node times found once here on the whole network. A network
criterion without a time bound (a plugin's) makes every worker get the whole network.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from sitesel._typing import BoolArray, Dem, FloatArray
from sitesel.config import Config, NetworkCriterionSpec, NetworkSpec, Selection
from sitesel.config.criteria import selections
from sitesel.criteria import CriterionContext
from sitesel.criteria.travel_time import TravelTimeCriterion, target_node_times
from sitesel.errors import ConfigError
from sitesel.network.scenarios import NetworkModel
from sitesel.network.tiling import (
    TileMargin,
    fastest_displacement_kmh,
    network_piece,
    node_times_of_piece,
    tile_margin,
)
from sitesel.pipeline.registries import study_config_model
from sitesel.pipeline.scoring import Measured, measure
from sitesel.units import M_PER_KM

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 20
"""How long to wait for a scheduler given by address."""
TILES_PER_WORKER = 4
"""Tiles per worker: enough to even out tiles of unequal cost."""
_LOCAL = re.compile(r"^local:(\d+)$")


@dataclass(frozen=True)
class ClusterSpec:
    """A LocalCluster of ``workers`` processes, or the scheduler at ``address``."""

    workers: int = 0
    address: str | None = None

    def __str__(self) -> str:
        return self.address or f"local:{self.workers}"


def parse_cluster(text: str) -> ClusterSpec:
    """``local:N`` or ``tcp://host:port`` as a :class:`ClusterSpec`.

    >>> parse_cluster("local:2"), parse_cluster("tcp://10.0.0.5:8786").address
    (ClusterSpec(workers=2, address=None), 'tcp://10.0.0.5:8786')
    """
    local = _LOCAL.match(text.strip())
    if local and int(local[1]) >= 1:
        return ClusterSpec(workers=int(local[1]))
    if re.match(r"^(tcp|tls)://[^\s/:]+:\d+$", text.strip()):
        return ClusterSpec(address=text.strip())
    raise ConfigError(
        f"--cluster: expected local:N (N worker processes here) or tcp://host:port (a running"
        f" dask scheduler), found {text!r}"
    )


@contextmanager
def cluster_client(spec: ClusterSpec) -> Iterator[Any]:
    """A ``distributed.Client`` for the spec, closed (with its LocalCluster) on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(
            "--cluster needs dask.distributed, which is not installed here:"
            " pip install 'sitesel[cluster]'"
        ) from None
    if spec.address is not None:
        try:
            client = Client(spec.address, timeout=f"{CONNECT_TIMEOUT_S}s")  # type: ignore[no-untyped-call]
        except OSError as exc:
            raise ConfigError(
                f"--cluster {spec.address}: no dask scheduler answered ({exc}); start one with"
                " `dask scheduler` and workers with `dask worker <address>`, or use local:N"
            ) from None
        with client:
            yield client
        return
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=spec.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


class Preselected:
    """The targets each criterion selects, read once on the main machine.

    Stands in for :attr:`CriterionContext.select` on the workers: criteria ask for their
    targets by YAML key (``criteria.<name>.to``).
    """

    def __init__(self, frames: dict[str, gpd.GeoDataFrame]) -> None:
        self.frames = frames

    def __call__(self, selection: Selection, key: str) -> gpd.GeoDataFrame:
        """The features read for ``key``."""
        if key not in self.frames:
            raise ConfigError(f"{key}: this selection was not read before the cluster run")
        return self.frames[key]


def preselect(config: Config, ctx: CriterionContext) -> Preselected:
    """Read the features of every selection of every criterion (``to``, ``upgrade.to``)."""
    frames = {}
    for name, spec in config.criteria.items():
        for path, selection in selections(spec).items():
            key = f"criteria.{name}.{path}"
            frames[key] = ctx.select(selection, key)
    return Preselected(frames)


def tiles(sites: gpd.GeoSeries, count: int) -> list[np.ndarray]:
    """Site indices in ``count`` compact tiles: strips of equal size, west to east.

    >>> import shapely
    >>> g = gpd.GeoSeries(shapely.points([3, 1, 2, 0], [0, 0, 0, 0]))
    >>> [t.tolist() for t in tiles(g, 2)]
    [[1, 3], [0, 2]]
    """
    x = sites.centroid.x.to_numpy() if len(sites) else np.empty(0)
    order = np.argsort(x, kind="stable")
    return [np.sort(part) for part in np.array_split(order, max(1, count)) if len(part)]


def _measure_tile(
    config_json: dict[str, Any],
    sites: gpd.GeoDataFrame,
    select: Preselected,
    network: NetworkModel | None,
    network_spec: NetworkSpec | None,
    dem: Dem | None,
    outside: BoolArray,
    taken: BoolArray,
    node_times: dict[str, FloatArray],
    dems: dict[str, Dem] | None = None,
) -> Measured:
    """Runs on a worker: the criteria of one tile of sites."""
    config = study_config_model().model_validate(config_json)
    ctx = CriterionContext(
        sites=sites, select=select, network=network, network_spec=network_spec, dem=dem,
        node_times=node_times, dems=dems or {},
    )  # fmt: skip
    return measure(config, ctx, outside, taken)


@dataclass(frozen=True)
class NetworkPlan:
    """How the network reaches the workers: in pieces with ``margin``, or whole (None)."""

    margin: TileMargin | None
    node_times: dict[str, FloatArray]


def plan_network(config: Config, ctx: CriterionContext) -> NetworkPlan:
    """Pieces of the network per tile when every network criterion allows it.

    Travel times to targets get their per-node times here, once on the whole network;
    criteria counting what lies within a time bound the margin. A network criterion with
    neither (a plugin's) sends the whole network to every worker.
    """
    if ctx.network is None or ctx.network_spec is None:
        return NetworkPlan(None, {})
    reach: dict[str, float] = {}
    times: dict[str, FloatArray] = {}
    for name, spec in config.criteria.items():
        if isinstance(spec, TravelTimeCriterion):
            times[name] = target_node_times(spec, name, ctx)
        elif isinstance(spec, NetworkCriterionSpec):
            minutes = spec.reach_min()
            if minutes is None:
                log.info("network sent whole to each worker: criteria.%s has no time bound", name)
                return NetworkPlan(None, {})
            reach[name] = minutes
    speed = max(fastest_displacement_kmh(g) for g in ctx.network.graphs.values())
    margin = tile_margin(reach, speed, ctx.network_spec.max_offroad_km * M_PER_KM)
    log.info("network in pieces, %s", margin.describe())
    return NetworkPlan(margin, times)


def measure_on_cluster(
    client: Any,
    config: Config,
    ctx: CriterionContext,
    outside: BoolArray,
    taken: BoolArray,
) -> Measured:
    """Criteria of every site, computed tile by tile on the cluster's workers.

    The same as :func:`~sitesel.pipeline.scoring.measure`, merged back in site order.
    """
    workers = max(1, len(client.scheduler_info()["workers"]))
    parts = tiles(ctx.sites.geometry, workers * TILES_PER_WORKER)
    log.info("criteria of %d sites in %d tiles on %d workers", len(ctx.sites), len(parts), workers)
    select = preselect(config, ctx)
    plan = plan_network(config, ctx)
    inputs = {
        "config": config.model_dump(mode="json"),
        "select": select,
        "network": ctx.network if plan.margin is None else None,
        "dem": ctx.dem,
        "dems": ctx.dems or None,
    }
    sent = client.scatter({k: v for k, v in inputs.items() if v is not None}, broadcast=True)
    shared = {key: sent.get(key) for key in inputs}  # a config without roads or DEM: None
    futures = []
    for idx in parts:
        sites = ctx.sites.iloc[idx]
        network, node_times = shared["network"], plan.node_times
        if plan.margin is not None and ctx.network is not None:
            bounds = tuple(sites.total_bounds.tolist())
            network, nodes = network_piece(ctx.network, bounds, plan.margin.margin_m)
            node_times = node_times_of_piece(plan.node_times, nodes)
        args: list[Any] = [shared["config"], sites, shared["select"], network, ctx.network_spec]
        args += [shared["dem"], outside[idx], taken[idx], node_times]
        args += [shared["dems"]]
        futures.append(client.submit(_measure_tile, *args, pure=False))
    return merge_tiles(client.gather(futures), parts, len(ctx.sites), list(config.criteria))


def merge_tiles(
    results: list[Measured], parts: list[np.ndarray], n_sites: int, names: list[str]
) -> Measured:
    """The tiles' values put back in site order (criteria in config order)."""
    raw = {name: np.full(n_sites, np.nan) for name in names}
    evaluated = {name: np.zeros(n_sites, dtype=bool) for name in names}
    reasons: dict[str, str] = {}
    targets: dict[str, gpd.GeoDataFrame] = {}
    components: dict[str, FloatArray] = {}
    notes: dict[str, str] = {}
    for result, idx in zip(results, parts, strict=True):
        for name in names:
            raw[name][idx] = result.raw[name]
            evaluated[name][idx] = result.evaluated.get(name, np.ones(len(idx), dtype=bool))
        for name, why in result.missing_reasons.items():
            reasons.setdefault(name, why)
        for name, frame in result.targets.items():
            targets.setdefault(name, frame)
        for column, values in result.components.items():
            components.setdefault(column, np.full(n_sites, np.nan))[idx] = values
        notes.update(result.notes)
    return Measured(
        raw=raw, missing_reasons=reasons, targets=targets, evaluated=evaluated,
        components=components, notes=notes,
    )  # fmt: skip
