"""Wall time of the whole Leh scoring run (configs/leh.yaml) with the data already local:
``sitesel run`` in a fresh process (imports, render process and all), the same run again
in one process (imports paid), and a rerun in a ``sitesel watch`` session (inputs kept).

Median of three runs each (one with ``--quick``). No reference: no other tool runs this study
end to end, and a fixed time budget is no comparison. Like-for-like comparisons are in
bihar_workforce.py (routing against networkx), zonal_stats.py (against rasterstats) and
monte_carlo.py (against a plain numpy loop); scale.py runs the study at three sizes.

    python benchmarks/leh_run.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import report

from sitesel.api import run_and_write
from sitesel.outputs.render_process import RenderProcess, render_process
from sitesel.pipeline.input_cache import InputCache

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one run instead of three")
    args = parser.parse_args()
    data_dir = Path(os.environ.get("SITESEL_DATA_DIR", ROOT.parent / "shared" / "data"))
    config_path = ROOT / "configs" / "leh.yaml"
    runs = 1 if args.quick else 3
    report(
        "leh_sitesel_run_cold",
        "4844 sites, `sitesel run` in a fresh process",
        cold_runs(config_path, data_dir, runs),
        "none",
        None,
    )
    times, stages = [], {}
    with render_process() as renderer:
        for _ in range(runs):
            start = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                result, _ = run_and_write(
                    config_path, data_dir=data_dir, offline=True, out_dir=Path(tmp),
                    map_path=Path(tmp) / "leh.html", renderer=renderer,
                )  # fmt: skip
            times.append(time.perf_counter() - start)
            stages = result.manifest.timings_s
        report(
            "leh_run_end_to_end",
            f"{len(result.sites)} sites, imports paid",
            statistics.median(times),
            "none",
            None,
            stages_s=stages,
        )
        rerun_s, rerun_stages = watch_reruns(config_path, data_dir, runs, renderer)
    report(
        "leh_rerun_in_watch",
        f"{len(result.sites)} sites, inputs kept (sitesel watch)",
        rerun_s,
        "the same run in the same process, inputs reloaded",
        statistics.median(times),
        stages_s=rerun_stages,
    )


def cold_runs(config_path: Path, data_dir: Path, count: int) -> float:
    """Median wall time of ``count`` ``sitesel run`` commands, each in a fresh process."""
    times = []
    for _ in range(count):
        with tempfile.TemporaryDirectory() as tmp:
            command = [
                sys.executable, "-m", "sitesel.cli", "run", str(config_path), "--out",
                f"{tmp}/out", "--map", f"{tmp}/leh.html", "--data-dir", str(data_dir),
                "--offline",
            ]  # fmt: skip
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def watch_reruns(
    config_path: Path, data_dir: Path, count: int, renderer: RenderProcess | None
) -> tuple[float, dict[str, float]]:
    """Median time of ``count`` reruns in one session, after a first run fills the cache."""
    cache = InputCache()
    times, stages = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(count + 1):
            start = time.perf_counter()
            result, _ = run_and_write(
                config_path, data_dir=data_dir, offline=True, out_dir=Path(tmp),
                map_path=Path(tmp) / "leh.html", cache=cache, renderer=renderer,
            )  # fmt: skip
            if k:
                times.append(time.perf_counter() - start)
                stages = result.manifest.timings_s
    return statistics.median(times), stages


if __name__ == "__main__":
    main()
