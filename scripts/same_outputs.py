"""Run the shipped studies and check that their outputs are byte-identical to a snapshot.

A restructuring or a speed-up must not change what a committee reads. This script runs
Leh, Kargil, Bihar (Kesaria) and the Bihar CFC study, plus Leh's dossier of its top five,
into a folder; a second call compares two such folders file by file. ``manifest.json`` is
compared with the run-time figures left out (stage timings, solver seconds); everything
else, the map, the GeoPackage and the summary PNG included, must be the same bytes.

Usage (from the repository root, the shared data in place)::

    python scripts/same_outputs.py snapshot /tmp/before
    # ... change the code ...
    python scripts/same_outputs.py snapshot /tmp/after
    python scripts/same_outputs.py compare /tmp/before /tmp/after

``SOURCE_DATE_EPOCH`` is fixed for the runs (the map and GeoPackage carry a date). The
maps are compared without the comments of their inlined script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ["leh", "kargil", "bihar_kesaria", "bihar_kesaria_cfc"]
VARYING = {"timings_s", "seconds"}
"""Manifest keys whose values are measured, not computed: left out of the comparison (as
are the outputs' sha256: the files themselves are compared)."""
SCRIPT_COMMENT = re.compile(r"/\*.*?\*/|^[ \t]*//[^\n]*$", re.S | re.M)
"""A comment of the map's inlined script (it may name a module that moved): not compared."""


def snapshot(folder: Path) -> None:
    """Run every study (and Leh's dossier) into ``folder``."""
    env = os.environ | {"SOURCE_DATE_EPOCH": "1765000000"}
    data = env.get("SITESEL_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    for name in STUDIES:
        out = folder / name
        config = ROOT / "configs" / f"{name}.yaml"
        command = [sys.executable, "-m", "sitesel.cli", "run", str(config), "--out",
                   str(out / "run"), "--map", str(out / "map.html"), "--data-dir", data,
                   "--offline"]  # fmt: skip
        subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        print(f"ran {name}")
    report = [sys.executable, "-m", "sitesel.cli", "report", str(folder / "leh" / "run"),
              "--top", "5", "--out", str(folder / "leh" / "report")]  # fmt: skip
    subprocess.run(report, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    print("wrote the Leh dossier")


def _without_varying(node: Any, new: set[str], outputs: bool = False) -> Any:
    if isinstance(node, dict):
        return {
            k: _without_varying(v, new, outputs or k == "outputs")
            for k, v in node.items()
            if k not in VARYING
            and not (outputs and k == "sha256")
            and not (outputs and isinstance(v, dict) and v.get("file") in new)
        }
    if isinstance(node, list):
        return [_without_varying(v, new, outputs) for v in node]
    return node


def _digest(path: Path, root: Path, new: set[str]) -> str:
    if path.name == "manifest.json":  # the map's path is absolute: the snapshot's own
        text = path.read_text(encoding="utf-8").replace(str(root.resolve()), "<snapshot>")
        return json.dumps(_without_varying(json.loads(text), new), sort_keys=True)
    if path.suffix == ".html":
        text = SCRIPT_COMMENT.sub("", path.read_text(encoding="utf-8"))
        return hashlib.sha256(text.encode()).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare(a: Path, b: Path, new: set[str] | None = None) -> list[str]:
    """The files that differ between two snapshots, or are in one only.

    ``new``: file names B may hold that A does not (an output added on purpose); they and
    their entries in B's manifest are left out.
    """
    new = new or set()
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file() and p.name not in new}
    problems = [f"only in {a}: {p}" for p in sorted(files_a - files_b)]
    problems += [f"only in {b}: {p}" for p in sorted(files_b - files_a)]
    problems += [
        f"differs: {p}"
        for p in sorted(files_a & files_b)
        if _digest(a / p, a, set()) != _digest(b / p, b, new)
    ]
    return problems


def main() -> int:
    """``snapshot FOLDER`` or ``compare A B`` (exit 1 when they differ)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("snapshot").add_argument("folder", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    cmp.add_argument("--new", action="append", default=[], help="a file B adds on purpose")
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(args.folder)
        return 0
    problems = compare(args.a, args.b, set(args.new))
    for line in problems:
        print(line)
    n = sum(1 for p in args.a.rglob("*") if p.is_file())
    print(f"{n} files compared: {'all identical' if not problems else f'{len(problems)} differ'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
