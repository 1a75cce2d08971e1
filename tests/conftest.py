"""Shared fixtures: the real data directory and small synthetic layers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "fixtures"

# A plug-in module registers a criterion family when imported: only its test may import it
# (--doctest-modules would import it while collecting, for every test).
collect_ignore = ["plugin_criteria.py"]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared real data: $SITESEL_DATA_DIR, else ../shared/data beside the repository."""
    env = os.environ.get("SITESEL_DATA_DIR")
    path = Path(env) if env else ROOT.parent / "shared" / "data"
    if not (path / "ladakh").is_dir():
        pytest.fail(
            f"real data not found at {path}; set SITESEL_DATA_DIR to the shared data folder"
        )
    return path.resolve()


@pytest.fixture(scope="session")
def leh_run(tmp_path_factory, data_dir: Path) -> Path:
    """One real run of configs/leh.yaml: outputs in <tmp>/run, the map in <tmp>/leh.html.

    With ``SITESEL_TEST_LEH_RUN`` naming a folder of such a run, a copy of it is used
    instead: ``scripts/mutation.py`` sets it when mutating modules that only read a finished
    run (the dossier), so each mutant does not re-run the study.
    """
    from typer.testing import CliRunner

    from sitesel.cli import app

    out = tmp_path_factory.mktemp("leh")
    finished = os.environ.get("SITESEL_TEST_LEH_RUN")
    if finished:
        shutil.copytree(finished, out, dirs_exist_ok=True)
        return out
    args = [
        "run",
        str(ROOT / "configs" / "leh.yaml"),
        "--out",
        str(out / "run"),
        "--map",
        str(out / "leh.html"),
        "--data-dir",
        str(data_dir),
        "--offline",
    ]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser is downloaded)."""
    executable = os.environ.get("SITESEL_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


HEAVY_FIXTURES = {"leh_run", "leh", "leh_page", "report", "cfc", "compare_page", "small_run",
                  "browser", "result", "ladakh"}  # fmt: skip
"""Fixtures that run a real study (or a browser): a test using one is marked ``slow``."""


RUNS_A_STUDY = ('"run"', "run_ok(", "run_case", "_cfc_case(", "_cfc_ok(", "_with_rates(",
                "_cli(", "Popen(", "sitesel.run(", "run_and_write(", "@given(")  # fmt: skip
"""What a test's source holds when it runs a study (the CLI, a process, hypothesis's many)."""


def pytest_collection_modifyitems(config, items):
    """Mark the tests that run a study, a process, a browser or many examples ``slow``.

    ``python -m pytest -m "not slow"`` runs the rest (unit tests, hand-worked cases,
    published examples) in about a minute; CI runs everything.
    """
    import inspect

    slow = pytest.mark.slow
    for item in items:
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):  # doctests
            source = ""
        heavy = HEAVY_FIXTURES & set(getattr(item, "fixturenames", ()))
        if heavy or any(marker in source for marker in RUNS_A_STUDY):
            item.add_marker(slow)
