"""Helpers shared by the end-to-end tests: the CLI in-process, and bad-input cases."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from sitesel.cli import app

from .conftest import ROOT

LEH = ROOT / "configs" / "leh.yaml"
runner = CliRunner()


def sitesel(*args):
    """Run `sitesel ARGS` in-process; exceptions that escape the CLI fail the test."""
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def leh_dict() -> dict:
    data = yaml.safe_load(LEH.read_text())
    data["catalog"] = str(ROOT / "layers" / "leh.yaml")
    return with_repo_paths(data)


def with_repo_paths(data: dict) -> dict:
    """A config from configs/ made to run from anywhere: its files' paths made absolute."""
    if data.get("scheme"):
        data["scheme"]["file"] = str(ROOT / "schemes" / Path(data["scheme"]["file"]).name)
    land = data.get("land") or {}
    land["rule_packs"] = [str(ROOT / "rules" / Path(p).name) for p in land.get("rule_packs", [])]
    for spec in data.get("criteria", {}).values():
        if "rates" in spec:
            spec["rates"] = str(ROOT / "rates" / Path(spec["rates"]).name)
    return data


def catalog_dict() -> dict:
    """The Leh catalog, to be written elsewhere: its own relative file made absolute."""
    catalog = yaml.safe_load((ROOT / "layers" / "leh.yaml").read_text())
    tiles = catalog["layers"]["dem_dted0_india"]["tiles"]
    tiles["sha256_file"] = str(ROOT / "layers" / tiles["sha256_file"])
    return catalog


def run_case(tmp_path, data_dir, config, catalog=None):
    if catalog is not None:
        (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog))
        config["catalog"] = str(tmp_path / "catalog.yaml")
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    out, map_path = tmp_path / "out", tmp_path / "case.html"
    result = sitesel(
        "run", path, "--out", out, "--map", map_path, "--data-dir", data_dir, "--offline"
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sitesel: error: "), result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() and not map_path.exists()
    return lines[0]


def run_case_over_previous(tmp_path, data_dir, config, catalog=None):
    """As :func:`run_case`, into a folder holding a previous run: it must come out untouched,
    with nothing temporary left beside it."""
    out = tmp_path / "out"
    out.mkdir()
    previous = {"ranking.csv": b"site_id,rank\nA,1\n", "manifest.json": b"{}", "notes.txt": b"x"}
    for name, body in previous.items():
        (out / name).write_bytes(body)
    if catalog is not None:
        (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog))
        config["catalog"] = str(tmp_path / "catalog.yaml")
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = sitesel(
        "run", path, "--out", out, "--map", tmp_path / "case.html", "--data-dir", data_dir,
        "--offline",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("sitesel: error: "), result.stderr
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous
    assert not [p for p in tmp_path.iterdir() if "sitesel-" in p.name]
    assert not (tmp_path / "case.html").exists()
    return lines[-1]


def small_leh_dict(buffer_km: float = 4) -> dict:
    """The Leh study on a small area, without the analyses: a run of a few seconds."""
    config = leh_dict()
    config["study_area"]["buffer_km"] = buffer_km
    config["robustness"] = None
    config["allocation"] = {}
    config.pop("regions")
    return config


def run_ok(tmp_path, data_dir, config, catalog=None, name="case"):
    """Run a config that must succeed; the CLI result and the output folder."""
    if catalog is not None:
        (tmp_path / f"{name}_catalog.yaml").write_text(yaml.safe_dump(catalog))
        config["catalog"] = str(tmp_path / f"{name}_catalog.yaml")
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    out = tmp_path / f"{name}_out"
    result = sitesel(
        "run", path, "--out", out, "--map", tmp_path / f"{name}.html", "--data-dir", data_dir,
        "--offline",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result, out


def install_plugin(folder: Path, module: Path, group: str, name: str) -> None:
    """Install ``module`` as a plug-in package in ``folder``, as ``pip install`` leaves one.

    A ``.dist-info`` with an entry point ``name`` under ``group``: put ``folder`` on
    ``PYTHONPATH`` and :mod:`importlib.metadata` finds it.
    """
    folder.mkdir(exist_ok=True)
    shutil.copy(module, folder / module.name)
    info = folder / f"sitesel_{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: sitesel-{name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{name} = {module.stem}\n")


def run_cli_process(
    tmp_path: Path, data_dir: Path, config: dict, plugins: Path, name: str = "case"
) -> subprocess.CompletedProcess[str]:
    """Run a config through ``python -m sitesel.cli run`` with ``plugins`` on the path."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    env = os.environ | {"PYTHONPATH": str(plugins)}
    command = [sys.executable, "-m", "sitesel.cli", "run", str(path), "--out",
               str(tmp_path / "out"), "--map", str(tmp_path / "map.html"), "--data-dir",
               str(data_dir), "--offline"]  # fmt: skip
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
