"""sitesel as a library: load a config, run a study, read a run folder back.

The CLI is a thin layer over these functions; a notebook uses them directly::

    import sitesel
    config = sitesel.load_config("configs/leh.yaml")
    result = sitesel.run(config, data_dir="../shared/data", offline=True)
    result.ranking.head()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from sitesel._typing import Dem
from sitesel.config import Config, load_catalog, load_scheme
from sitesel.data.fetch import default_data_dir, file_requests
from sitesel.data.loader import LayerLoader
from sitesel.data.tiles import tile_requests
from sitesel.errors import ConfigError, LayerNotFoundError, SiteselError
from sitesel.mcda.compare import Comparison, compare_rankings
from sitesel.mcda.weights import WeightReport
from sitesel.outputs.maps import map_data
from sitesel.outputs.reader import read_run
from sitesel.outputs.render_process import RenderProcess
from sitesel.outputs.staging import check_writable, output_lock
from sitesel.outputs.writer import write_run
from sitesel.pipeline import RunSources, check, inputs
from sitesel.pipeline import run as run_pipeline
from sitesel.pipeline.cluster import parse_cluster
from sitesel.pipeline.input_cache import InputCache
from sitesel.pipeline.registries import load_study_config
from sitesel.pipeline.target_checks import target_warnings
from sitesel.pipeline.timing import Progress
from sitesel.render import save_map
from sitesel.render.compare_map.diffmap import Context, difference_map
from sitesel.result import Result
from sitesel.units import M_PER_KM

__all__ = [
    "StudyConfig",
    "compare_runs",
    "load_config",
    "read_run",
    "run",
    "run_and_write",
    "validate",
]


@dataclass(frozen=True)
class StudyConfig:
    """A validated scoring config, with the files it came from."""

    config: Config
    path: Path
    catalog_path: Path

    @property
    def name(self) -> str:
        """The run name (the file name when the config gives none)."""
        assert self.config.name is not None  # load_config fills it
        return self.config.name


def load_config(path: str | Path) -> StudyConfig:
    """Read and validate a scoring config, with every registered criterion family and method.

    Raises
    ------
    ConfigError
        With one line naming the file, each wrong key, what was expected and what was found.
    """
    config, catalog_path = load_study_config(path)
    return StudyConfig(config=config, path=Path(path), catalog_path=catalog_path)


def _sources(study: StudyConfig, data_dir: str | Path | None) -> RunSources:
    return RunSources(
        config=study.config,
        config_path=study.path,
        catalog=load_catalog(study.catalog_path),
        catalog_path=study.catalog_path,
        data_dir=Path(data_dir) if data_dir is not None else default_data_dir(),
    )


def run(
    config: StudyConfig | str | Path,
    *,
    data_dir: str | Path | None = None,
    offline: bool = False,
    progress: Progress | None = None,
    cluster: str | None = None,
    cache: InputCache | None = None,
    refresh: bool = False,
) -> Result:
    """Score and rank a study's sites (nothing is written).

    Parameters
    ----------
    config
        A loaded config, or the path of one.
    data_dir
        Where layer files are (and downloads go); the default data directory when None.
    offline
        Never download.
    progress
        Called with each stage's name as it starts.
    cluster
        ``local:N`` or ``tcp://host:port``: compute the criteria on a dask cluster.
    cache
        Inputs kept between the runs of a session (``sitesel watch``).
    refresh
        Accept data that changed since the catalog's lock file pinned it (re-download it
        and rewrite the lock: :mod:`sitesel.data.lock`).
    """
    study = config if isinstance(config, StudyConfig) else load_config(config)
    spec = None if cluster is None else parse_cluster(cluster)
    return run_pipeline(
        _sources(study, data_dir), offline=offline, progress=progress, cluster=spec, cache=cache,
        refresh=refresh,
    )  # fmt: skip


def run_and_write(
    config: StudyConfig | str | Path,
    *,
    data_dir: str | Path | None = None,
    offline: bool = False,
    out_dir: Path | None = None,
    map_path: Path | None = None,
    progress: Progress | None = None,
    cluster: str | None = None,
    cache: InputCache | None = None,
    renderer: RenderProcess | None = None,
    refresh: bool = False,
) -> tuple[Result, dict[str, Path]]:
    """Score a study and write its outputs (all or nothing): ``sitesel run``.

    ``out_dir`` defaults to ``out/<name>``, ``map_path`` to ``maps/<name>.html``; a
    ``renderer`` (:func:`~sitesel.outputs.render_process.render_process`) draws the summary
    PNG beside the other writing.
    """
    study = config if isinstance(config, StudyConfig) else load_config(config)
    out_dir = out_dir if out_dir is not None else Path("out") / study.name
    map_path = map_path if map_path is not None else Path("maps") / f"{study.name}.html"
    check_writable([out_dir.parent, map_path.parent])  # before the work, not after
    with output_lock(out_dir):  # a second run into the same folder stops here, at once
        result = run(
            study, data_dir=data_dir, offline=offline, progress=progress, cluster=cluster,
            cache=cache, refresh=refresh,
        )  # fmt: skip
        written = write_run(
            result, out_dir=out_dir, map_path=map_path, lock=False, renderer=renderer
        )
        return result, written


@dataclass(frozen=True)
class Validation:
    """What ``sitesel validate`` found: the config and the files it needs."""

    study: StudyConfig
    files_needed: int
    files_to_download: int
    warnings: list[str] = field(default_factory=list)
    """Doubts about the inputs that do not stop a run (e.g. a target far off the roads)."""
    downloads: list[str] = field(default_factory=list)
    """What a run online will fetch: files, DEM tiles, Overpass answers (one line each)."""


def validate(path: str | Path, *, data_dir: str | Path | None = None) -> Validation:
    """Check a config, its catalog, scheme and weights, and which files are present.

    Raises
    ------
    SiteselError
        For the first kind of problem found (each message lists every instance of it).
    """
    study = load_config(path)
    src = _sources(study, data_dir)
    rules = check(study.config, study.path, src.catalog, src.catalog_path).rules
    if study.config.scheme is not None:
        load_scheme(study.config.scheme, study.path)
    layers = [name for _, name in study.config.layer_references()]
    requests = file_requests(src.catalog, layers + [r.selection.layer for r in rules])
    absent = [r for r in requests if not (src.data_dir / r.path).is_file()]
    unobtainable = [r for r in absent if r.url is None]
    if unobtainable:
        listed = "; ".join(f"{r.layer}: {r.path}" for r in unobtainable)
        raise LayerNotFoundError(
            f"missing in data directory {src.data_dir} and without a public address in"
            f" {src.catalog_path.name}: {listed}"
        )
    later = _later_downloads(src)
    fetched = [f"{r.layer}: {r.path} from {r.url}" for r in absent] + [text for _, text in later]
    optional = set(study.config.dem.when_available) if study.config.dem else set()
    # The inputs are read here only when everything a run needs is on disk; a DEM used
    # where available is not needed (an offline run goes on without it).
    needed_later = [layer for layer, _ in later if layer not in optional]
    warnings = [] if absent or needed_later else _check_inputs(src)
    return Validation(
        study=study,
        files_needed=len(requests),
        files_to_download=len(fetched),
        warnings=warnings,
        downloads=fetched,
    )


def _later_downloads(src: RunSources) -> list[tuple[str, str]]:
    """What a run fetches once it knows the study area: DEM tiles, Overpass answers.

    Each as (layer name, what and from where). Empty when the study area cannot be read
    here (its files are to be downloaded too).
    """
    config = src.config
    loader = LayerLoader(src.catalog, src.data_dir, offline=True)
    try:
        area = inputs.study_area(config, loader, src.config_path)
    except SiteselError:
        return []
    net = config.network
    reach = area.polygon.buffer(net.margin_km * M_PER_KM if net else 5_000.0)
    west, south, east, north = gpd.GeoSeries([reach], crs=area.crs).to_crs(4326).total_bounds
    out: list[tuple[str, str]] = []
    if net is not None and src.catalog.layers[net.roads].format == "overpass":
        bbox = f"{west:.3f},{south:.3f},{east:.3f},{north:.3f}"
        out.append((net.roads, f"{net.roads}: OpenStreetMap roads over {bbox} from Overpass"))
    for name in config.dem.stack if config.dem else []:
        tiles = src.catalog.layers[name].tiles
        if tiles is None:
            continue
        wanted = tile_requests(tiles, layer=name, bounds_lonlat=(west, south, east, north))
        out += [
            (name, f"{name}: {r.path} from {r.url}")
            for r in wanted
            if not (src.data_dir / r.path).is_file()
        ]
    return out


def _check_inputs(src: RunSources) -> list[str]:
    """Read the study area, its DEM and the targets (offline): coverage gaps and doubts.

    Returns
    -------
    list of str
        Warnings about targets off the road network or on implausible terrain.

    Raises
    ------
    CoverageError, LayerNotFoundError
        Quoting the study area's bounds, or naming the tiles that are missing.
    """
    config = src.config
    loader = LayerLoader(src.catalog, src.data_dir, offline=True)
    area = inputs.study_area(config, loader, src.config_path)
    dem = inputs.elevation(config, loader, area)
    stack = inputs.dem_stack(config, loader, area, dem)
    named = stack or ({} if dem is None or config.dem is None else {config.dem.base: dem})
    return dem_resolution_warnings(config, named) + target_warnings(config, loader, area, dem)


MIN_DEM_CELLS_PER_SITE = 4.0
"""Fewer DEM cells under a site than this and its slope is read from land around it."""


def dem_resolution_warnings(config: Config, dems: dict[str, Dem]) -> list[str]:
    """Warn for each DEM whose cells are too coarse for the study's grid cells.

    A 40 ha site over ~1 km cells (DTED0) holds about half a cell: its slope is that of
    the land around it, a lower bound in mountains.
    """
    grid = config.sites.grid
    if grid is None or not dems:
        return []
    site_m2 = grid.area_ha * 10_000
    out = []
    names = list(dems)
    for name, dem in dems.items():
        cells = site_m2 / dem.cell_size_m**2
        if cells >= MIN_DEM_CELLS_PER_SITE:
            continue
        which = "a site" if name == names[0] else f"a site beyond {', '.join(names[:-1])}"
        out.append(
            f"dem: {which} ({grid.area_ha:.1f} ha) holds {cells:.1f} cells of {name}"
            f" ({dem.cell_size_m:.0f} m); its terrain is read from the land around it"
            " (slopes are a lower bound): name a finer DEM first in dem.layers"
        )
    return out


def write_report(
    run_dir: str | Path,
    *,
    top: int | None = None,
    sites: str | None = None,
    out: Path | None = None,
    language: str | None = None,
) -> tuple[Path, list[str]]:
    """The dossier of a run's shortlisted sites: ``<out>/index.html`` (all or nothing).

    In ``language`` (``en``, ``hi``), by default the run's ``map.language``.

    Raises
    ------
    ConfigError
        For ``--top`` below 1, both ``--top`` and ``--sites``, or an unknown site id.
    OutputError
        For a folder that is not a complete run.
    """
    from sitesel.outputs.staging import staged_outputs
    from sitesel.render.dossier.report import report_html, site_order

    if top is not None and sites is not None:
        raise ConfigError("--top and --sites: give one of them")
    if top is not None and top < 1:
        raise ConfigError(f"--top: expected a number of sites of at least 1, found {top}")
    result = read_run(Path(run_dir))
    order = site_order(result.sites)
    if sites is not None:
        chosen = [s.strip() for s in sites.split(",") if s.strip()]
        unknown = [s for s in chosen if s not in set(order)]
        if unknown or not chosen:
            raise ConfigError(
                f"--sites: {', '.join(map(repr, unknown)) or 'no id'} is not a site of run"
                f" {result.name!r} (ids look like {order[0]!r}; ranking.csv lists them)"
            )
    else:
        ranked = result.sites["rank"].notna().sum()
        chosen = order[: min(top or 5, int(ranked) or len(order))]
    target = (out or Path(run_dir) / "report") / "index.html"
    with staged_outputs({"report": target}) as staged:
        lang = language or result.manifest.language
        staged["report"].write_text(report_html(result, chosen, lang), encoding="utf-8")
    return target, chosen


def _top_ids(table: pd.DataFrame, k: int, *, exclude: list[str] | None = None) -> list[str]:
    """The ids of a ranking's top k, best first (less those in ``exclude``)."""
    top = table[table["rank"] <= k].sort_values("rank", kind="mergesort")["site_id"]
    return [str(s) for s in top if str(s) not in set(exclude or [])]


def write_map_again(
    run_dir: str | Path,
    *,
    map_path: Path | None = None,
    png: Path | None = None,
    language: str | None = None,
) -> tuple[str, list[Path]]:
    """Draw a run folder's map again (and the summary PNG, given ``png``): ``sitesel map``.

    ``language`` (``en``, ``hi``) overrides the run's ``map.language``. Returns the run's
    name and the files written (all or nothing).
    """
    from sitesel.outputs.maps import write_map
    from sitesel.outputs.staging import staged_outputs
    from sitesel.render.summary.picture import write_summary_png

    data = map_data(read_run(Path(run_dir)))
    if language is not None:
        data.language = language
    target = map_path if map_path is not None else Path("maps") / f"{data.name}.html"
    destinations = {"map": target} | ({"png": png} if png is not None else {})
    with staged_outputs(destinations) as staged:
        write_map(data, staged["map"])
        if png is not None:
            write_summary_png(data, staged["png"])
    return data.name, list(destinations.values())


def weights_of(path: str | Path) -> tuple[WeightReport, pd.DataFrame]:
    """A config's weights and how they were derived (``sitesel weights``).

    For a run folder, the weights it used and its SMAA-2 leaders (``place`` added).
    """
    from sitesel.mcda.weights import resolve_weights
    from sitesel.outputs.run_files.smaa import smaa_table

    path = Path(path)
    if not path.is_dir():
        study = load_config(path)
        return resolve_weights(study.config, path), pd.DataFrame()
    run = read_run(path)
    report = WeightReport.from_json(run.manifest.weighting or {})
    smaa = smaa_table(run.manifest.monte_carlo)
    if len(smaa) and "place" in run.sites:
        places = run.sites.set_index(run.sites["site_id"].astype(str))["place"]
        smaa.insert(0, "place", smaa["site_id"].astype(str).map(places).fillna(""))
    return report, smaa


def run_or_read(path: Path, data_dir: Path | None, offline: bool, side: str) -> Result:
    """A run folder read back, or a config run into ``out/compare/<side>_<name>/``.

    Its own folder (and ``maps/compare/<side>_<name>.html``): comparing never overwrites
    the outputs of a plain `sitesel run`, nor A the outputs of B when both share a name.
    """
    if path.is_dir():
        return read_run(path)
    study = load_config(path)
    out = Path("out") / "compare" / f"{side}_{study.name}"
    map_path = Path("maps") / "compare" / f"{side}_{study.name}.html"
    result, _ = run_and_write(
        study, data_dir=data_dir, offline=offline, out_dir=out, map_path=map_path
    )
    return result


def compare_runs(
    a: Result, b: Result, *, top_k: int, map_path: Path | None = None
) -> tuple[Comparison, Path]:
    """Compare two runs and write the difference map (``maps/compare_<A>_<B>.html``)."""
    from sitesel.outputs.staging import staged_outputs

    tables = [r.ranking.astype({"rank": float}) for r in (a, b)]  # excluded: NaN
    for result, table in zip((a, b), tables, strict=True):
        if "rank" not in table:
            raise ConfigError(f"run {result.name!r} has no ranking to compare")
    comparison = compare_rankings(
        tables[0], tables[1], weights_a=a.weights, weights_b=b.weights, top_k=top_k
    )
    assert comparison.sites is not None
    data_b = map_data(b)
    sites_b = data_b.sites[["site_id", "geometry"]]
    sites_a = a.sites[["site_id", "geometry"]].to_crs(sites_b.crs)
    shown = pd.concat([sites_b, sites_a[~sites_a["site_id"].isin(sites_b["site_id"])]])
    ranked = [t.dropna(subset=["rank"]) for t in tables]
    context = Context(
        roads=b.roads,
        places=b.places,
        suitability_a=a.sites.set_index(a.sites["site_id"].astype(str))["suitability"],
        suitability_b=b.sites.set_index(b.sites["site_id"].astype(str))["suitability"],
        entering=_top_ids(ranked[1], top_k, exclude=_top_ids(ranked[0], top_k)),
        leaving=_top_ids(ranked[0], top_k, exclude=_top_ids(ranked[1], top_k)),
        top_k=top_k,
    )
    fmap = difference_map(
        gpd.GeoDataFrame(shown, crs=sites_b.crs),
        comparison.sites,
        title=f"sitesel: {a.name} vs {b.name}",
        label_a=f"rank in {a.name}",
        label_b=f"rank in {b.name}",
        elevation=data_b.elevation,
        context=context,
    )
    target = map_path or Path("maps") / f"compare_{a.name}_{b.name}.html"
    with staged_outputs({"map": target}) as staged:
        save_map(fmap, staged["map"])
    return comparison, target
