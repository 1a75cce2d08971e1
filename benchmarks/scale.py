"""The Leh study at three sizes: 25 km around Leh, 100 km around Leh, the whole district.

Each size is configs/leh.yaml with only the study area changed (the district uses the
all-India DTED0 layer, which covers it), run as ``sitesel run --offline`` in a fresh
process; the district also with ``sites.grid.shape: dem_square`` (squares of whole DEM
cells, terrain read without zonal geometry). Reported per size: wall time of the command,
time per site, peak memory of the process, and the size of the HTML map.

Reference: the same studies measured with sitesel before issue 13's changes (recorded in
the issue, one run each on this machine): 15 s / 83 s / 403 s CPU, 358 MB / 1.15 GB /
4.6 GB, maps of 1.7 / 24 / 140 MB. A like-for-like competitor for the routing is in
bihar_workforce.py.

    python benchmarks/scale.py [--quick]     # --quick: 25 km and 100 km only
    python benchmarks/scale.py --million     # the district in 15 ha hexagons (~1M sites)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _common import report

ROOT = Path(__file__).resolve().parents[1]
BEFORE_S = {
    "leh_25km": 15.0,
    "leh_100km": 83.0,
    "leh_district": 403.0,
    "leh_district_dem_square": 403.0,
    "leh_district_1m": 403.0 * 1_000_000 / 382_976,  # the linear cost, extrapolated
}
STUDY_AREAS = {
    "leh_25km": {"place": "Leh", "buffer_km": 25},
    "leh_100km": {"place": "Leh", "buffer_km": 100},
    "leh_district": {"layer": "districts", "where": {"dtname": "Leh"}},
}
STUDY_AREAS["leh_district_dem_square"] = STUDY_AREAS["leh_district"]
STUDY_AREAS["leh_district_1m"] = STUDY_AREAS["leh_district"]
CHILD = """
import json, resource, sys
from pathlib import Path
from sitesel.outputs.render_process import render_process
with render_process() as renderer:  # as `sitesel run` does
    from sitesel.api import run_and_write
    result, _ = run_and_write(Path(sys.argv[1]), offline=True, out_dir=Path(sys.argv[2]),
                              map_path=Path(sys.argv[3]), renderer=renderer)
print(json.dumps({"sites": len(result.sites), "timings_s": result.manifest.timings_s,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "render_process_peak_mb":
                      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def study_config(name: str, folder: Path) -> Path:
    """configs/leh.yaml with another study area, paths made absolute."""
    config = yaml.safe_load((ROOT / "configs" / "leh.yaml").read_text())
    config["name"] = name
    config["description"] = f"benchmark {name}"
    config["study_area"] = STUDY_AREAS[name]
    config["catalog"] = str(ROOT / "layers" / "leh.yaml")
    config["scheme"]["file"] = str(ROOT / "schemes" / "emc2.yaml")
    config["land"]["rule_packs"] = [str(ROOT / "rules" / Path(p).name)
                                    for p in config["land"]["rule_packs"]]  # fmt: skip
    config["criteria"]["infra_cost_cr"]["rates"] = str(ROOT / "rates" / "india_indicative.yaml")
    if name.startswith("leh_district"):
        config["dem"] = {"layers": ["dem_srtm1_leh", "dem_dted0_india"]}
    if name.endswith("dem_square"):
        config["sites"]["grid"]["shape"] = "dem_square"
        config["dem"] = {"layer": "dem_dted0_india"}  # squares of one DEM's cells
    if name.endswith("1m"):
        config["sites"]["grid"] = {"cell_area_ha": 15.5, "max_cells": 3_000_000}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="25 km and 100 km only")
    parser.add_argument("--million", action="store_true", help="only the ~1M-site district")
    args = parser.parse_args()
    names = ["leh_25km", "leh_100km"]
    names += [] if args.quick else ["leh_district", "leh_district_dem_square"]
    names = ["leh_district_1m"] if args.million else names
    env = dict(os.environ)
    env.setdefault("SITESEL_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            config = study_config(name, folder)
            map_path = folder / f"{name}.html"
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(config), str(folder / "out"), str(map_path)],
                env=env,
                check=False,
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise SystemExit(f"{name}: the run failed: {done.stderr.strip()[-2000:]}")
            seconds = time.perf_counter() - start
            child = json.loads(done.stdout.strip().splitlines()[-1])
            report(
                "leh_study_at_scale",
                f"{name}: {child['sites']} sites",
                seconds,
                "sitesel before issue 13 (CPU s, one run)",
                BEFORE_S[name],
                ms_per_site=round(1000 * seconds / child["sites"], 3),
                peak_mb=round(child["peak_mb"]),
                render_process_peak_mb=round(child["render_process_peak_mb"]),
                map_mb=round(map_path.stat().st_size / 1e6, 2),
                stages_s=child["timings_s"],
            )


if __name__ == "__main__":
    main()
