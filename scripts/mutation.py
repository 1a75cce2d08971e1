"""Mutation testing of the decision code with mutmut, group by group (docs/TESTING.md).

Each group is a set of modules. A group runs in a scratch copy of the working tree
(``/tmp/sitesel-mutation/<group>``) whose ``[tool.mutmut]`` names the group's modules, so
groups can run one after another and the repository is not touched. The fast tests run
by default (``-m "not slow"``); ``--slow`` adds the study runs, which kill more but take
far longer on 2 cores. Not in CI.

Usage (from the repository root, the shared data in place)::

    python scripts/mutation.py --list                 # the groups and their modules
    python scripts/mutation.py exclusions allocation  # those groups
    python scripts/mutation.py --changed              # groups a change touches (vs HEAD)
    python scripts/mutation.py --changed --base main~5
    python scripts/mutation.py plausible --show       # and print each survivor's diff

It prints, per module, killed / mutants and the score, and writes the survivors' names to
``<scratch>/survivors.txt``.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = Path("/tmp/sitesel-mutation")

GROUPS: dict[str, list[str]] = {
    "plausible": ["sitesel/config/plausible.py"],
    "exclusions": ["sitesel/exclusions/*.py"],
    "methods": ["sitesel/mcda/methods/*.py", "sitesel/mcda/aggregation.py"],
    "robustness": ["sitesel/mcda/robustness.py", "sitesel/mcda/smaa.py",
                   "sitesel/mcda/weight_draws.py", "sitesel/mcda/compare.py"],
    "weights": ["sitesel/mcda/weights.py", "sitesel/mcda/ahp.py", "sitesel/mcda/bwm.py",
                "sitesel/mcda/objective_weights.py", "sitesel/mcda/value_functions.py"],
    "allocation": ["sitesel/allocation/*.py"],
    "allocation_tables": ["sitesel/allocation/candidates.py", "sitesel/allocation/demand.py",
                          "sitesel/allocation/draws.py", "sitesel/allocation/solvers.py",
                          "sitesel/allocation/tables.py"],
    "allocation_solvers": ["sitesel/allocation/exact.py", "sitesel/allocation/heuristic.py",
                           "sitesel/allocation/instance.py", "sitesel/allocation/problems.py"],
    "terrain": ["sitesel/terrain/*.py"],
    "network": ["sitesel/network/shortest_paths.py", "sitesel/network/routes.py",
                "sitesel/network/route_classes.py", "sitesel/network/graph.py"],
    "criteria": ["sitesel/criteria/*.py"],
    "report": ["sitesel/render/dossier/report.py"],
    "diffmap": ["sitesel/render/compare_map/diffmap.py"],
    "pipeline": ["sitesel/pipeline/land.py", "sitesel/pipeline/allocation.py"],
    "language": ["sitesel/language/*.py"],
    "shared": ["sitesel/_geometry.py", "sitesel/_plugins.py"],
}  # fmt: skip
"""Group name -> module globs. Every test may kill a mutant: mutmut runs, for each mutant,
the tests that called its function when the suite ran once under its tracer."""

READ_A_FINISHED_RUN: dict[str, list[str]] = {
    "report": ["tests/render/test_report.py", "-k", "not prints_on_a4"],
}
"""Groups whose modules only read a finished run (``sitesel report``): no fast test reaches
them, and re-running the Leh study for each mutant would take hours. For these, the study is
run once with the unmutated code and handed to the ``leh_run`` fixture
(``SITESEL_TEST_LEH_RUN``); the tests named here, slow ones included, then run per mutant
(not the print tests: a browser per mutant, and they check the page size, not its numbers).
The run never executes these modules, so a mutant cannot change it."""


def changed_groups(base: str) -> list[str]:
    """The groups with a module changed since ``base`` (committed or not)."""
    out = subprocess.run(
        ["git", "diff", "--name-only", base], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        name
        for name, globs in GROUPS.items()
        if any(fnmatch.fnmatch(path, g) for path in out for g in globs)
    ]


def scratch_copy(group: str) -> Path:
    """The working tree's tracked and new files, copied to a scratch folder of the group."""
    folder = SCRATCH / group
    shutil.rmtree(folder, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            dst = folder / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return folder


def configure(folder: Path, globs: list[str], selection: list[str]) -> None:
    """Point the copy's ``[tool.mutmut]`` at the group's modules and the tests to run."""
    pyproject = folder / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    section = (
        "[tool.mutmut]\n"
        'source_paths = ["sitesel"]\n'
        f"only_mutate = {globs!r}\n"
        'also_copy = ["configs", "layers", "rules", "schemes", "rates", "docs", "scripts",'
        ' "maps", "benchmarks"]\n'
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n'
        f"pytest_add_cli_args_test_selection = {selection!r}\n"
        "timeout_multiplier = 5.0\n"
    ).replace("'", '"')
    text = re.sub(r"\[tool\.mutmut\].*?(?=\n\[|\Z)", section, text, flags=re.S)
    pyproject.write_text(text, encoding="utf-8")


def leh_run_once(folder: Path, env: dict[str, str]) -> Path:
    """configs/leh.yaml run once with the scratch copy's unmutated code; its folder."""
    out = folder / "_leh_run"
    shutil.rmtree(out, ignore_errors=True)
    data_dir = env.get("SITESEL_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    code = "import sys; from sitesel.cli import main; sys.argv[0] = 'sitesel'; main()"
    subprocess.run([sys.executable, "-c", code, "run", "configs/leh.yaml", "--out",
                    str(out / "run"), "--map", str(out / "leh.html"), "--data-dir", data_dir,
                    "--offline"], cwd=folder, env=env | {"PYTHONPATH": str(folder)},
                   check=True)  # fmt: skip
    return out


def run_group(group: str, jobs: int, slow: bool, show: bool) -> dict[str, Counter[str]]:
    """Run mutmut over one group; the outcome counts per module."""
    folder = scratch_copy(group)
    env = os.environ | {"PYTHONDONTWRITEBYTECODE": "1"}
    if group in READ_A_FINISHED_RUN:
        selection = READ_A_FINISHED_RUN[group]
        env["SITESEL_TEST_LEH_RUN"] = str(leh_run_once(folder, env))
    else:
        selection = ["tests"] if slow else ["tests", "-m", "not slow"]
    configure(folder, GROUPS[group], selection)
    mutmut = [sys.executable, "-m", "mutmut"]
    ran = subprocess.run([*mutmut, "run", "--max-children", str(jobs)], cwd=folder, env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    if "could not find any test case for any mutant" in ran.stdout + ran.stderr:
        sys.exit(f"mutation.py: {group}: no selected test reaches the group's modules, so no"
                 " mutant was checked; add --slow (the study runs) or name the tests in"
                 " READ_A_FINISHED_RUN")  # fmt: skip
    if "failed to collect stats" in ran.stdout + ran.stderr:
        # mutmut needs the whole selection to pass unmutated first; otherwise it checks no
        # mutant and lists every one as "not checked", which must not read as a score.
        failed = [ln for ln in ran.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        sys.exit(f"mutation.py: {group}: the tests fail before any mutation, so no mutant"
                 f" was checked: {'; '.join(failed) or ran.stdout[-500:]}")  # fmt: skip
    listed = subprocess.run([*mutmut, "results", "--all", "true"], cwd=folder, env=env,
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    per_module: dict[str, Counter[str]] = defaultdict(Counter)
    survivors = []
    for line in listed.splitlines():
        name, _, outcome = line.strip().rpartition(": ")
        if not name:
            continue
        module = name.split(".x_")[0].split(".x\u01c1")[0]
        per_module[module][outcome] += 1
        if outcome == "survived":
            survivors.append(name)
    (folder / "survivors.txt").write_text("\n".join(survivors) + "\n", encoding="utf-8")
    if show:
        for name in survivors:
            subprocess.run([*mutmut, "show", name], cwd=folder, env=env, check=False)
    return per_module


def main() -> None:
    """Run the groups asked for and print each module's score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", help="group names (see --list)")
    parser.add_argument("--list", action="store_true", help="list the groups and stop")
    parser.add_argument("--changed", action="store_true", help="the groups a change touches")
    parser.add_argument("--base", default="HEAD", help="with --changed: changes since this")
    parser.add_argument("--slow", action="store_true", help="also run the slow tests")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once")
    args = parser.parse_args()
    if args.list:
        for name, globs in GROUPS.items():
            print(f"{name:12s} {' '.join(globs)}")
        return
    groups = changed_groups(args.base) if args.changed else args.groups
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; use one of {', '.join(GROUPS)}")
    for group in groups:
        for module, counts in sorted(run_group(group, args.jobs, args.slow, args.show).items()):
            total = sum(counts.values())
            killed = counts["killed"] + counts["timeout"]
            score = 100 * killed / total if total else 100.0
            print(f"{group:12s} {module:45s} {killed:5d} / {total:5d}  {score:5.1f} %"
                  f"  survived {counts['survived']}")  # fmt: skip


if __name__ == "__main__":
    main()
