"""Shared fixtures: the real data directory and small synthetic layers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "data"

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
    """One real run of configs/leh.yaml: outputs in <tmp>/run, the map in <tmp>/leh.html."""
    from typer.testing import CliRunner

    from sitesel.cli import app

    out = tmp_path_factory.mktemp("leh")
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
