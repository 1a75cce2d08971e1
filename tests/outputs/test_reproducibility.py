"""Same config and data, same bytes: ranking.csv, sites.gpkg and the map HTML."""

import hashlib
import json

import pytest
import yaml

from ..cases import leh_dict, sitesel

EPOCH = 1_767_225_600  # 2026-01-01 00:00 UTC


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, data_dir):
    root = tmp_path_factory.mktemp("repro")
    config = leh_dict()
    config["name"] = "repro"
    config["study_area"]["buffer_km"] = 8
    path = root / "repro.yaml"
    path.write_text(yaml.safe_dump(config))
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    try:
        for k in (1, 2):
            result = sitesel(
                "run", path, "--out", root / f"run{k}", "--map", root / f"run{k}.html",
                "--data-dir", data_dir, "--offline",
            )  # fmt: skip
            assert result.exit_code == 0, result.output
    finally:
        mp.undo()
    return root


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["run{}/ranking.csv", "run{}/sites.gpkg", "run{}.html"])
def test_outputs_are_byte_identical(two_runs, name):
    assert _sha(two_runs / name.format(1)) == _sha(two_runs / name.format(2))


def test_no_random_element_ids_in_the_map(two_runs):
    html = (two_runs / "run1.html").read_text()
    assert "map_00000000000000000000000000000001" in html


def test_run_time_figures_stay_in_the_manifest(two_runs):
    manifest = json.loads((two_runs / "run1" / "manifest.json").read_text())
    assert manifest["run_date"] == "2026-01-01 00:00 UTC"  # SOURCE_DATE_EPOCH
    assert manifest["timings_s"]["write"] > 0
    assert "2026-01-01" in (two_runs / "run1.html").read_text()
