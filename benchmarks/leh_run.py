"""Wall time of the whole Leh scoring run (configs/leh.yaml) with the data already local.

Median of three runs (one with ``--quick``). The reference is the old budget of 10 s on a
2-core machine, not a competitor: see bihar_workforce.py for a like-for-like comparison.

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

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 10.0


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
        "budget_10s",
        BUDGET_S,
        stages_s=stages,
    )


if __name__ == "__main__":
    main()
