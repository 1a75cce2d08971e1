"""Wall time of the whole Leh scoring run (configs/leh.yaml) with the data already local,
and of a rerun in a ``sitesel watch`` session (inputs kept).

Median of three runs (one with ``--quick``). No reference: no other tool runs this study
end to end, and a fixed time budget is no comparison. Like-for-like comparisons are in
bihar_workforce.py (routing against networkx), zonal_stats.py (against rasterstats) and
monte_carlo.py (against a plain numpy loop); scale.py runs the study at three sizes.

    python benchmarks/leh_run.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from _common import report

from sitesel.api import run_and_write
from sitesel.pipeline.input_cache import InputCache

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one run instead of three")
    args = parser.parse_args()
    data_dir = Path(os.environ.get("SITESEL_DATA_DIR", ROOT.parent / "shared" / "data"))
    config_path = ROOT / "configs" / "leh.yaml"
    times, stages = [], {}
    for _ in range(1 if args.quick else 3):
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            result, _ = run_and_write(
                config_path,
                data_dir=data_dir,
                offline=True,
                out_dir=Path(tmp),
                map_path=Path(tmp) / "leh.html",
            )
        times.append(time.perf_counter() - start)
        stages = result.manifest.timings_s
    report(
        "leh_run_end_to_end",
        f"{len(result.sites)} sites",
        statistics.median(times),
        "none",
        None,
        stages_s=stages,
    )
    rerun_s, rerun_stages = watch_reruns(config_path, data_dir, 1 if args.quick else 3)
    report(
        "leh_rerun_in_watch",
        f"{len(result.sites)} sites, inputs kept (sitesel watch)",
        rerun_s,
        "the same run in the same process, inputs reloaded",
        statistics.median(times),
        stages_s=rerun_stages,
    )


def watch_reruns(config_path: Path, data_dir: Path, count: int) -> tuple[float, dict[str, float]]:
    """Median time of ``count`` reruns in one session, after a first run fills the cache."""
    cache = InputCache()
    times, stages = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(count + 1):
            start = time.perf_counter()
            result, _ = run_and_write(
                config_path, data_dir=data_dir, offline=True, out_dir=Path(tmp),
                map_path=Path(tmp) / "leh.html", cache=cache,
            )  # fmt: skip
            if k:
                times.append(time.perf_counter() - start)
                stages = result.manifest.timings_s
    return statistics.median(times), stages


if __name__ == "__main__":
    main()
