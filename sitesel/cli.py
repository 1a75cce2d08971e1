"""The ``sitesel`` command: a thin layer over the library.

Every :class:`~sitesel.errors.SiteselError` becomes one line on stderr and exit code 2;
``-v`` shows progress logs, ``-vv`` debug logs and the traceback of an error.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from sitesel.errors import SiteselError

app = typer.Typer(
    name="sitesel",
    help="Score and rank candidate sites for manufacturing clusters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("sitesel")

ConfigArg = Annotated[
    Path, typer.Argument(help="Scoring config (YAML), e.g. configs/leh.yaml.", show_default=False)
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
        for name in ("rasterio", "fiona", "pyogrio", "osmnx", "urllib3"):
            logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)


def _fail(exc: BaseException, verbose: int, code: int) -> NoReturn:
    if verbose >= 1:
        log.error("traceback follows", exc_info=exc)
    message = (
        str(exc)
        if isinstance(exc, SiteselError)
        else (f"internal error ({type(exc).__name__}: {exc}); rerun with -v for the traceback")
    )
    typer.echo(f"sitesel: error: {message}", err=True)
    raise typer.Exit(code)


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


def _data_dir(given: Path | None) -> Path:
    from sitesel.data.fetch import default_data_dir

    return given if given is not None else default_data_dir()


@app.command()
def run(
    config_path: ConfigArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Output folder. Default: out/<config name>/.", show_default=False
        ),
    ] = None,
    map_path: MapOpt = None,
    data_dir: DataDirOpt = None,
    offline: OfflineOpt = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Score and rank sites; write sites.gpkg, ranking.csv, manifest.json and the map."""
    _setup_logging(verbose)
    start = time.perf_counter()
    with _reported(verbose):
        from sitesel.api import run_config

        result, written = run_config(
            config_path,
            data_dir=_data_dir(data_dir),
            offline=offline,
            out_dir=out,
            map_path=map_path,
        )
    ranked = int((~result.sites["excluded"]).sum())
    typer.echo(
        f"{result.name}: {len(result.sites)} sites, {ranked} ranked,"
        f" {time.perf_counter() - start:.1f} s; wrote {written['ranking'].parent}/ and"
        f" {written['map']}"
    )


@app.command("map")
def map_command(
    run_dir: Annotated[
        Path, typer.Argument(help="Output folder of a `sitesel run`.", show_default=False)
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
        from sitesel.outputs.files import staged_outputs
        from sitesel.outputs.writer import read_map_data, write_map
        from sitesel.render.summary import write_summary_png

        data = read_map_data(run_dir)
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
        from sitesel.config.catalog import load_catalog
        from sitesel.config.scoring import load_config
        from sitesel.data.loader import file_requests
        from sitesel.pipeline import check_config

        config, catalog_path = load_config(config_path)
        catalog = load_catalog(catalog_path)
        check_config(config, config_path, catalog, catalog_path)
        if config.scheme is not None:
            from sitesel.config.scoring import load_scheme

            load_scheme(config.scheme, config_path)
        from sitesel.decision.weights import resolve_weights

        resolve_weights(config, config_path)  # incomplete or inconsistent AHP judgments
        folder = _data_dir(data_dir)
        requests = file_requests(catalog, [name for _, name in config.layer_references()])
        absent = [r for r in requests if not (folder / r.path).is_file()]
        unobtainable = [r for r in absent if r.url is None]
        if unobtainable:
            from sitesel.errors import LayerNotFoundError

            listed = "; ".join(f"{r.layer}: {r.path}" for r in unobtainable)
            raise LayerNotFoundError(
                f"missing in data directory {folder} and without a public address in"
                f" {catalog_path.name}: {listed}"
            )
    note = f"; {len(absent)} file(s) will be downloaded" if absent else ""
    typer.echo(
        f"{config_path}: valid ({len(config.criteria)} criteria,"
        f" {len(config.constraints)} constraints; catalog {catalog_path.name},"
        f" {len(requests)} file(s) needed{note})"
    )


@app.command()
def weights(
    config_path: ConfigArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
    verbose: VerboseOpt = 0,
) -> None:
    """Print the criterion weights, how they were derived, and AHP consistency figures."""
    _setup_logging(verbose)
    with _reported(verbose):
        from sitesel.config.scoring import load_config
        from sitesel.decision.weights import resolve_weights

        config, _ = load_config(config_path)
        report = resolve_weights(config, config_path)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        typer.echo("\n".join(report.lines()))


def _run_folder(path: Path, data_dir: Path | None, offline: bool) -> Path:
    """A run folder as given, or the folder a config's fresh run writes."""
    if path.is_dir():
        return path
    from sitesel.api import run_config

    _, written = run_config(path, data_dir=_data_dir(data_dir), offline=offline)
    return written["ranking"].parent


@app.command()
def compare(
    run_a: Annotated[Path, typer.Argument(help="Run folder or config (A).", show_default=False)],
    run_b: Annotated[Path, typer.Argument(help="Run folder or config (B).", show_default=False)],
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
        import pandas as pd

        from sitesel.decision.compare import compare_rankings
        from sitesel.errors import OutputError
        from sitesel.outputs.files import staged_outputs
        from sitesel.outputs.writer import read_map_data
        from sitesel.render.diffmap import difference_map

        folders = [_run_folder(p, data_dir, offline) for p in (run_a, run_b)]
        tables, datas = [], []
        for folder in folders:
            if not (folder / "ranking.csv").is_file():
                raise OutputError(f"{folder}: not a sitesel run folder (no ranking.csv)")
            tables.append(pd.read_csv(folder / "ranking.csv", dtype={"site_id": str}))
            datas.append(read_map_data(folder))
        result = compare_rankings(
            tables[0],
            tables[1],
            weights_a=datas[0].weights,
            weights_b=datas[1].weights,
            top_k=top_k,
        )
        name_a, name_b = datas[0].name, datas[1].name
        target = map_path or Path("maps") / f"compare_{name_a}_{name_b}.html"
        ranks = tables[0][["site_id", "rank"]].merge(
            tables[1][["site_id", "rank"]], on="site_id", how="outer", suffixes=("_a", "_b")
        )
        fmap = difference_map(
            datas[1].sites,
            ranks,
            title=f"sitesel: {name_a} vs {name_b}",
            label_a=f"rank in {name_a}",
            label_b=f"rank in {name_b}",
        )
        with staged_outputs({"map": target}) as staged:
            fmap.save(str(staged["map"]))
    if as_json:
        typer.echo(json.dumps(result.as_json(), indent=2, default=str))
        return
    typer.echo(f"{name_a} vs {name_b}: {result.n_common} sites ranked in both")
    typer.echo(
        f"  Kendall's tau {result.kendall_tau:.3f}, Spearman's rho"
        f" {result.spearman_rho:.3f}, top-{top_k} overlap {result.top_k_overlap:.0%}"
    )
    typer.echo("  weights:\n" + result.weights.to_string())
    typer.echo("  moved most (positive: rose in B):\n" + result.moved.to_string(index=False))
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
    from sitesel.config.catalog import Catalog
    from sitesel.config.scoring import Config

    model = Catalog if catalog else Config
    typer.echo(json.dumps(model.model_json_schema(), indent=2))


def main() -> None:
    """Entry point of the ``sitesel`` script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
