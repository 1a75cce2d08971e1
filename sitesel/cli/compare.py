"""``sitesel compare``: two runs side by side, in numbers and on a difference map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sitesel.cli._app import app
from sitesel.cli.options import DataDirOpt, OfflineOpt, VerboseOpt, reported, setup_logging


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
    setup_logging(verbose)
    with reported(verbose):
        from sitesel.api import compare_runs, run_or_read

        a, b = (run_or_read(p, data_dir, offline, side) for p, side in ((run_a, "A"), (run_b, "B")))
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
