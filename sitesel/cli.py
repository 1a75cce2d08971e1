"""The ``sitesel`` command: a thin layer over the library.

Every :class:`~sitesel.errors.SiteselError` becomes one line on stderr and exit code 2;
``-v`` shows progress logs, ``-vv`` debug logs and the traceback of an error.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from sitesel.errors import SiteselError

if TYPE_CHECKING:
    from sitesel.outputs.render_process import RenderProcess
    from sitesel.result import Result

app = typer.Typer(
    name="sitesel",
    help="Score and rank candidate sites for manufacturing clusters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no boxes, no "<bool>" after every flag
)
log = logging.getLogger("sitesel")

ConfigArg = Annotated[
    Path,
    typer.Argument(
        help="Scoring config (YAML), e.g. configs/leh.yaml.", show_default=False, metavar="CONFIG"
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder holding layer files (and receiving downloads)."
        " Default: $SITESEL_DATA_DIR, else ../shared/data if present, else ~/.cache/sitesel/data.",
        show_default=False,
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Never download; fail listing missing files.")
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Output folder. Default: out/<config name>/.", show_default=False),
]
MapOpt = Annotated[
    Path | None,
    typer.Option("--map", help="HTML map path. Default: maps/<run name>.html.", show_default=False),
]
VerboseOpt = Annotated[
    int,
    typer.Option("--verbose", "-v", count=True, help="-v: progress; -vv: debug and tracebacks."),
]


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    if verbose < 2:  # third-party chatter (rasterio.merge, osmnx) only when debugging
        for name in ("rasterio", "fiona", "pyogrio", "osmnx", "urllib3", "pooch"):
            logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


def _fail(exc: BaseException, verbose: int, code: int) -> NoReturn:
    _report(exc, verbose)
    raise typer.Exit(code)


def _report(exc: BaseException, verbose: int) -> None:
    """The one-line error of ``exc`` on stderr (and its traceback with ``-v``)."""
    if verbose >= 1:
        log.error("traceback follows", exc_info=exc)
    message = (
        str(exc)
        if isinstance(exc, SiteselError)
        else (f"internal error ({type(exc).__name__}: {exc}); rerun with -v for the traceback")
    )
    typer.echo(f"sitesel: error: {_printable(message)}", err=True)


def _printable(message: str) -> str:
    """One line, whatever the data holds: control characters (a newline in a key) escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)


@contextmanager
def _reported(verbose: int) -> Iterator[None]:
    """Turn errors into one line and an exit code (2 for bad input, 1 for a bug)."""
    try:
        yield
    except typer.Exit:
        raise
    except SiteselError as exc:
        _fail(exc, verbose, 2)
    except Exception as exc:
        _fail(exc, verbose, 1)


@contextmanager
def _stage_display(verbose: int) -> Iterator[Callable[[str], None] | None]:
    """A one-line spinner on stderr naming the running stage, on a terminal only.

    Quiet when stderr is a file or a pipe (CI, logs) and with ``-v`` (the log says it).
    """
    if verbose or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console

    start = time.perf_counter()
    with Console(stderr=True).status("sitesel: starting") as status:

        def show(stage: str) -> None:
            status.update(
                f"sitesel: {stage.replace('_', ' ')} ({time.perf_counter() - start:.0f} s)"
            )

        yield show


@app.command()
def run(
    config_path: ConfigArg,
    out: OutOpt = None,
    map_path: MapOpt = None,
    data_dir: DataDirOpt = None,
    offline: OfflineOpt = False,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            metavar="<local:N|tcp://host:port>",
            help="Compute the criteria on a dask cluster: local:N worker processes here, or"
            " a running scheduler. Same results; needs sitesel[cluster].",
            show_default=False,
        ),
    ] = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Score and rank sites; write sites.gpkg, ranking.csv, manifest.json and the map."""
    _setup_logging(verbose)
    start = time.perf_counter()
    from sitesel.outputs.render_process import render_process

    with _reported(verbose):
        _read_early(config_path)
        # Started next: the render process imports its libraries while this one works.
        with render_process() as renderer, _stage_display(verbose) as progress:
            from sitesel.api import run_and_write

            result, written = run_and_write(
                config_path,
                data_dir=data_dir,
                offline=offline,
                out_dir=out,
                map_path=map_path,
                progress=progress,
                cluster=cluster,
                renderer=renderer,
            )
    _summary(result, written, time.perf_counter() - start)
    typer.echo(f"  open {written['map']} in a browser: it needs no network")


def _read_early(config_path: Path) -> None:
    """Report a missing, unreadable or broken config file at once.

    Reading it takes 0.4 s; validating it needs the library, which takes 2 s to import.
    """
    from sitesel.config import read_yaml_mapping

    read_yaml_mapping(config_path)


def _summary(result: Result, written: dict[str, Path], seconds: float, kept: str = "") -> None:
    """What a run did, in two lines: counts, time, where; why most sites were excluded."""
    counts = result.manifest.sites
    typer.echo(
        f"{result.name}: {counts.total} sites, {counts.ranked} ranked, {seconds:.1f} s{kept};"
        f" wrote {written['ranking'].parent}/ and {written['map']}"
    )
    from sitesel.exclusions.text import counts as record_counts

    common = record_counts(result.records, "exclude").head(3)
    if len(common):
        listed = ", ".join(f"{why} ({n:,})" for why, n in common.items())
        typer.echo(f"  excluded most often: {listed} (a site can fail several)")
    for name, unit in result.manifest.criteria_units.items():
        if unit != "crore":
            continue
        ranked_cost = result.sites.loc[~result.sites["excluded"].astype(bool), f"raw__{name}"]
        known = ranked_cost.dropna()
        span = (
            f"Rs {known.min():,.1f} to {known.max():,.1f} crore (median {known.median():,.1f})"
            f" over {len(known):,} ranked sites"
            if len(known)
            else "no ranked site has every component"
        )
        note = result.manifest.criteria_notes.get(name)
        typer.echo(f"  {name}: {span}" + (f"; {note}" if note else ""))
    for problem, record in result.manifest.allocation.items():
        names = []
        if result.allocation is not None:
            mine = result.allocation[result.allocation["problem"] == problem]
            names = [p or s for p, s in zip(mine["place"], mine["site_id"], strict=True)]
            drawn = (record.get("robustness") or {}).get("draws")
            if drawn:  # how often the weight draws' re-solves chose each site
                names = [f"{n} (in {100 * c:.0f}% of {drawn} draws)"
                         for n, c in zip(names, mine["chosen_share"], strict=True)]  # fmt: skip
        standard = f", T={record['within_min']:g} min" if record.get("within_min") else ""
        covered = f"{100 * record['coverage_share']:.0f}% of demand covered; " if standard else ""
        typer.echo(
            f"  allocation {problem} ({record['problem']}, k={record['k']}{standard}): {covered}"
            f"objective {record['objective']:,.4g}, gap {100 * record['gap']:.2f}%"
            f" ({record['solver']}); sites: {'; '.join(names)}"
        )
        alone = record.get("uncovered") or []
        if alone:
            limit = f"{record['within_min'] or record['cutoff_min']:g} minutes"
            shown = ", ".join(alone[:5]) + (f" and {len(alone) - 5} more" if len(alone) > 5 else "")
            typer.echo(f"    no candidate within {limit} of {len(alone)} demand points: {shown}")
    if "flags" in result.sites:
        ranked = ~result.sites["excluded"].to_numpy(dtype=bool)
        flagged = int((result.records.mask(len(ranked), "flag") & ranked).sum())
        common = record_counts(result.records, "flag", keep=ranked).head(3)
        listed = "; ".join(f"{why} ({n:,})" for why, n in common.items())
        typer.echo(
            f"  land flags: {flagged:,} of {counts.ranked:,} ranked sites carry one"
            + (f"; most often: {listed}" if listed else "")
        )
    packs = (result.manifest.land or {}).get("rule_packs") or []
    idle = [n for p in packs for n, c in p.get("rules", {}).items() if c["features_near"] == 0]
    if idle:
        typer.echo(
            f"  warning: land rules applied to 0 features (none of their layer's within reach"
            f" of the sites): {', '.join(idle)}"
        )


@app.command()
def watch(
    config_path: ConfigArg,
    out: OutOpt = None,
    map_path: MapOpt = None,
    data_dir: DataDirOpt = None,
    offline: OfflineOpt = False,
    runs: Annotated[
        int,
        typer.Option("--runs", help="Stop after this many runs (0: until Ctrl-C).", min=0),
    ] = 0,
    verbose: VerboseOpt = 0,
) -> None:
    """Run a study, then run it again each time its config is saved (Ctrl-C to stop).

    Study area, sites, DEM, roads and taken land are kept between runs while their config
    sections are unchanged, so tuning weights, thresholds and constraints reruns in a few
    seconds. A bad config prints its error and waits for the next save.
    """
    _setup_logging(verbose)
    from sitesel.outputs.render_process import render_process

    with render_process() as renderer:
        _watch(config_path, out, map_path, data_dir, offline, runs, verbose, renderer)


def _watch(
    config_path: Path,
    out: Path | None,
    map_path: Path | None,
    data_dir: Path | None,
    offline: bool,
    runs: int,
    verbose: int,
    renderer: RenderProcess | None,
) -> None:
    from sitesel.api import run_and_write
    from sitesel.pipeline.input_cache import InputCache

    cache, done = InputCache(), 0
    try:
        while True:
            stamp, start = _stamp(config_path), time.perf_counter()
            cache.hits.clear()
            if renderer is not None:
                renderer.restart()  # after a run that failed while writing
            try:
                result, written = run_and_write(
                    config_path, data_dir=data_dir, offline=offline, out_dir=out,
                    map_path=map_path, cache=cache, renderer=renderer,
                )  # fmt: skip
                kept = f" (kept: {', '.join(cache.hits)})" if cache.hits else ""
                _summary(result, written, time.perf_counter() - start, kept)
            except typer.Exit:
                raise
            except Exception as exc:  # reported, and the session goes on
                _report(exc, verbose)
            done += 1
            if runs and done >= runs:
                return
            typer.echo(f"watching {config_path} for changes (Ctrl-C to stop)")
            while _stamp(config_path) == stamp:
                time.sleep(WATCH_POLL_S)
    except KeyboardInterrupt:
        typer.echo("stopped")


WATCH_POLL_S = 0.3
"""How often ``sitesel watch`` looks at the config's modification time."""


def _stamp(path: Path) -> tuple[int, int] | None:
    """The file's modification time and size (None while it is missing)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


@app.command("map")
def map_command(
    run_dir: Annotated[
        Path,
        typer.Argument(
            help="Output folder of a `sitesel run`.", show_default=False, metavar="RUN_DIR"
        ),
    ],
    map_path: MapOpt = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also write the static PNG summary here.", show_default=False),
    ] = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Re-render the HTML map (and optionally the PNG summary) of a run without rescoring."""
    _setup_logging(verbose)
    with _reported(verbose):
        from sitesel.api import read_run
        from sitesel.outputs.maps import map_data, write_map
        from sitesel.outputs.staging import staged_outputs
        from sitesel.render.summary.picture import write_summary_png

        data = map_data(read_run(run_dir))
        target = map_path if map_path is not None else Path("maps") / f"{data.name}.html"
        destinations = {"map": target} | ({"png": png} if png is not None else {})
        with staged_outputs(destinations) as staged:
            write_map(data, staged["map"])
            if png is not None:
                write_summary_png(data, staged["png"])
    typer.echo(f"{data.name}: wrote {', '.join(str(p) for p in destinations.values())}")


@app.command()
def validate(
    config_path: ConfigArg,
    data_dir: DataDirOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Check a config and its layer catalog without running (nothing is downloaded)."""
    _setup_logging(verbose)
    with _reported(verbose):
        _read_early(config_path)
        from sitesel.api import validate as validate_config

        found = validate_config(config_path, data_dir=data_dir)
    config = found.study.config
    note = (
        f"; {found.files_to_download} file(s) will be downloaded" if found.files_to_download else ""
    )
    typer.echo(
        f"{config_path}: valid ({len(config.criteria)} criteria,"
        f" {len(config.constraints)} constraints; catalog {found.study.catalog_path.name},"
        f" {found.files_needed} file(s) needed{note})"
    )
    for warning in found.warnings:
        typer.echo(f"sitesel: warning: {_printable(warning)}", err=True)


@app.command()
def report(
    run_dir: Annotated[
        Path,
        typer.Argument(
            help="Output folder of a `sitesel run`.", show_default=False, metavar="RUN_DIR"
        ),
    ],
    top: Annotated[
        int | None,
        typer.Option("--top", help="The N best-ranked sites (default 5).", show_default=False),
    ] = None,
    sites: Annotated[
        str | None,
        typer.Option("--sites", help="Site ids, comma-separated.", show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder (default RUN_DIR/report/).", show_default=False),
    ] = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Write the dossier of shortlisted sites: one printable page a site, offline."""
    _setup_logging(verbose)
    with _reported(verbose):
        from sitesel.api import write_report

        target, chosen = write_report(run_dir, top=top, sites=sites, out=out)
    typer.echo(f"report of {len(chosen)} sites: {target}")


@app.command()
def weights(
    config_path: Annotated[
        Path,
        typer.Argument(
            help="A scoring config, or a run folder (then with the entropy and CRITIC"
            " weights of its candidate sites beside the weights used).",
            show_default=False,
            metavar="CONFIG_OR_RUN",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Print the criterion weights, how they were derived, and AHP consistency figures."""
    _setup_logging(verbose)
    with _reported(verbose):
        from sitesel.mcda.weights import WeightReport, resolve_weights

        leaders = ""
        if config_path.is_dir():
            from sitesel.api import read_run
            from sitesel.outputs.files import smaa_table

            run = read_run(config_path)
            manifest = run.manifest
            report = WeightReport.from_json(manifest.weighting or {})
            smaa = smaa_table(manifest.monte_carlo)
            if len(smaa) and "place" in run.sites:
                places = run.sites.set_index(run.sites["site_id"].astype(str))["place"]
                smaa.insert(0, "place", smaa["site_id"].astype(str).map(places).fillna(""))
            if len(smaa):
                leaders = "SMAA-2, sites first in some weight draws (smaa.csv has all):\n"
                shown = ["place", "site_id", "b_rank1", "b_rank2", "b_rank3", "confidence_factor"]
                leaders += (
                    smaa[[c for c in shown if c in smaa]]
                    .head(5)
                    .to_string(index=False, float_format="%.3f")
                )
        else:
            from sitesel.api import load_config

            study = load_config(config_path)
            report = resolve_weights(study.config, config_path)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        typer.echo("\n".join(report.lines()))
        if leaders:
            typer.echo(leaders)


def _run_of(path: Path, data_dir: Path | None, offline: bool, side: str) -> Result:
    """A run folder read back, or a config run into ``out/compare/<side>_<name>/``.

    Its own folder (and ``maps/compare/<side>_<name>.html``): comparing never overwrites
    the outputs of a plain `sitesel run`, nor A the outputs of B when both share a name.
    """
    from sitesel.api import load_config, read_run, run_and_write

    if path.is_dir():
        return read_run(path)
    study = load_config(path)
    out = Path("out") / "compare" / f"{side}_{study.name}"
    map_path = Path("maps") / "compare" / f"{side}_{study.name}.html"
    return run_and_write(study, data_dir=data_dir, offline=offline, out_dir=out, map_path=map_path)[
        0
    ]


@app.command()
def compare(
    run_a: Annotated[
        Path, typer.Argument(help="Run folder or config (A).", show_default=False, metavar="A")
    ],
    run_b: Annotated[
        Path, typer.Argument(help="Run folder or config (B).", show_default=False, metavar="B")
    ],
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="Size of the top set.")] = 10,
    map_path: Annotated[
        Path | None,
        typer.Option(
            "--map", help="Difference map. Default: maps/compare_<A>_<B>.html.", show_default=False
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    data_dir: DataDirOpt = None,
    offline: OfflineOpt = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Compare two runs: rank correlation, top-k overlap, movers, weights; difference map."""
    _setup_logging(verbose)
    with _reported(verbose):
        from sitesel.api import compare_runs

        a, b = (_run_of(p, data_dir, offline, side) for p, side in ((run_a, "A"), (run_b, "B")))
        result, target = compare_runs(a, b, top_k=top_k, map_path=map_path)
    if as_json:
        typer.echo(json.dumps(result.as_json(), indent=2, default=str))
        return
    if result.n_common == 0:
        typer.echo(
            f"{a.name} vs {b.name}: no site is ranked in both runs (different studies, or"
            f" every common site excluded in one of them); map of both: {target}"
        )
        return
    typer.echo(f"{a.name} vs {b.name}: {result.n_common} sites ranked in both")
    typer.echo(
        f"  Kendall's tau {result.kendall_tau:.3f}, Spearman's rho"
        f" {result.spearman_rho:.3f}, top-{top_k} overlap {result.top_k_overlap:.0%}"
    )
    typer.echo("  weights:\n" + result.weights.to_string())
    typer.echo(
        "  moved most among the sites both rank (common_a, common_b; positive: rose in B):\n"
        + result.moved.to_string(index=False)
    )
    typer.echo(f"  entering the top {top_k} in B: {', '.join(result.entering) or 'none'}")
    typer.echo(f"  leaving the top {top_k} in B: {', '.join(result.leaving) or 'none'}")
    for note in result.notes:
        typer.echo(f"  note: {note}")
    typer.echo(f"  difference map: {target}")


@app.command()
def schema(
    catalog: Annotated[
        bool, typer.Option("--catalog", help="Print the layer catalog's schema instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of scoring configs (or of layer catalogs) for editors."""
    from sitesel.config import Catalog, config_model
    from sitesel.criteria import spec_models

    model = Catalog if catalog else config_model(spec_models())
    typer.echo(json.dumps(model.model_json_schema(), indent=2))


def main() -> NoReturn:
    """Entry point of the ``sitesel`` script."""
    try:
        app()
    except SystemExit as exc:  # typer ends every command with one
        _exit_now(exc.code)
    _exit_now(0)


def _exit_now(code: int | str | None) -> NoReturn:
    """Flush and leave, skipping the interpreter's teardown.

    Freeing a finished run's objects one by one (frames, rasters, graphs, then every
    module) took 0.3 s after a Leh run; the operating system reclaims the memory at once.
    Every output is closed and in place by now.
    """
    if isinstance(code, str):  # SystemExit("message"), as sys.exit gives it
        sys.stderr.write(f"{code}\n")
        code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`sitesel ... | head`)
            stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    main()
