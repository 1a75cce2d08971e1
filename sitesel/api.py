"""Run a scoring config end to end: read it, score, write every output (`sitesel run`)."""

from __future__ import annotations

from pathlib import Path

from sitesel.config.catalog import load_catalog
from sitesel.config.scoring import load_config
from sitesel.outputs.writer import write_run
from sitesel.pipeline import run
from sitesel.result import RunResult


def run_config(
    config_path: Path,
    *,
    data_dir: Path,
    offline: bool = False,
    out_dir: Path | None = None,
    map_path: Path | None = None,
) -> tuple[RunResult, dict[str, Path]]:
    """Score a config and write its outputs (all or nothing).

    Parameters
    ----------
    config_path
        The scoring config.
    data_dir
        Where layer files are (and downloads go).
    offline
        Never download.
    out_dir
        Output folder; ``out/<config name>`` when None.
    map_path
        HTML map; ``maps/<config name>.html`` when None.

    Returns
    -------
    tuple
        The run's result and the paths written.
    """
    config, catalog_path = load_config(config_path)
    catalog = load_catalog(catalog_path)
    result = run(
        config,
        config_path=config_path,
        catalog=catalog,
        catalog_path=catalog_path,
        data_dir=data_dir,
        offline=offline,
    )
    written = write_run(
        result,
        config=config,
        config_path=config_path,
        catalog=catalog,
        catalog_path=catalog_path,
        data_dir=data_dir,
        out_dir=out_dir if out_dir is not None else Path("out") / result.name,
        map_path=map_path if map_path is not None else Path("maps") / f"{result.name}.html",
    )
    return result, written
