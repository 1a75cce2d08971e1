"""Write everything a run produced, all or nothing.

A run folder holds the registered run files (:mod:`sitesel.outputs.run_files`: the
ranking, the exclusion records, the GeoPackage, the DEMs, the robustness, SMAA-2, region
and allocation tables, each when the run has it), ``summary.png`` and ``manifest.json``;
the HTML map goes to ``maps/``. :func:`~sitesel.outputs.reader.read_run` reads the folder
back.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sitesel.data.fetch import sha256_of
from sitesel.outputs.maps import map_data, write_map
from sitesel.outputs.render_process import (
    RenderProcess,
    abandon_summary,
    draw_summary,
    finish_summary,
)
from sitesel.outputs.run_files import run_files
from sitesel.outputs.staging import staged_outputs
from sitesel.render.mapdata import MapData
from sitesel.result import Result

log = logging.getLogger(__name__)


WRITER_FILES = {"summary": "summary.png", "manifest": "manifest.json"}
"""The files the writer draws itself: the summary (in a render process) and the manifest
(last, with every other file's checksum)."""


def run_file_names() -> frozenset[str]:
    """Every file a run may write into its folder.

    A new run replaces or drops them all; other files there (the dossier) are kept.
    """
    return frozenset(WRITER_FILES.values()) | {f.file for f in run_files().values()}


def destinations(result: Result, out_dir: Path, map_path: Path) -> dict[str, Path]:
    """Output name -> path of every file this run writes."""
    out = {name: out_dir / file for name, file in WRITER_FILES.items()} | {"map": map_path}
    out |= {f.name: out_dir / f.file for f in run_files().values() if f.wanted(result)}
    return out


def _write_files(result: Result, data: MapData, staged: dict[str, Path]) -> None:
    """Every registered run file this run has, and the map (not the summary, the manifest)."""
    for name, run_file in run_files().items():
        if name in staged:
            run_file.write(result, staged[name])
    write_map(data, staged["map"])


def _listed(path: Path, out_dir: Path) -> str:
    """An output's path as the manifest lists it: relative to the run folder when inside."""
    try:
        return path.resolve().relative_to(out_dir.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def write_run(
    result: Result,
    *,
    out_dir: Path,
    map_path: Path,
    lock: bool = True,
    renderer: RenderProcess | None = None,
) -> dict[str, Path]:
    """Write every output of a run atomically (all files, or none).

    ``lock=False`` when the caller already holds the output folder's lock. With a
    ``renderer``, the summary PNG is drawn there while the other files are written here.

    Returns
    -------
    dict
        Output name -> path written.

    Raises
    ------
    OutputError
        If an output cannot be written; earlier outputs are left as they were.
    """
    start = time.perf_counter()
    targets = destinations(result, out_dir, map_path)
    data = map_data(result)
    with staged_outputs(
        targets, anchor=out_dir, lock=lock, last="manifest", folder=out_dir, owned=run_file_names()
    ) as staged:
        started = draw_summary(data, staged["summary"], renderer)
        try:
            _write_files(result, data, staged)
        except BaseException:
            abandon_summary(started, renderer)  # before the staging folder goes
            raise
        finish_summary(started, renderer, data, staged["summary"])
        timings = result.manifest.timings_s | {"write": round(time.perf_counter() - start, 3)}
        outputs = {
            name: {"file": _listed(targets[name], out_dir), "sha256": sha256_of(path)}
            for name, path in staged.items()
            if name != "manifest"
        }
        manifest = result.manifest.model_copy(update={"timings_s": timings, "outputs": outputs})
        staged["manifest"].write_text(manifest.to_json(), encoding="utf-8")
    for name, path in targets.items():
        log.info("wrote %s: %s", name, path)
    return targets
