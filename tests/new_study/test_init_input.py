"""Issue 35: `sitesel init` refuses what it cannot use in one line, and writes what it says."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from sitesel.new_study.layers import india_layers

from ..cases import sitesel


def _init(tmp_path, data_dir, *args):
    return sitesel("init", *args, "--root", tmp_path, "--data-dir", data_dir, "--offline")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["x", "--place", "Tegra"], "not found in the GeoNames file; places spelt alike: Teghra"),
        (["x", "--place", "Barauni"], "names 2 places: Barauni, Bihar"),
        (["x", "--place", "Teghra, Ladakh"], "not found in the GeoNames file"),
        (["x", "--place", "Leh", "--radius-km", "0"], "--radius-km: expected more than 0"),
        (["x", "--place", "Leh", "--radius-km", "5000"], "at most 300 km (a district), found 5000"),
        (["x", "--place", "Leh", "--bbox", "1,2,3"], "--bbox: expected four numbers"),
        (["x", "--place", "Leh", "--bbox", "86,25,85,26"], "west must be less than east"),
        (["x", "--place", "Leh", "--bbox", "100,20,101,21"], "reaches beyond India"),
        (["x", "--place", "Leh", "--bbox", "77,30,82,35"], "more than 16 square degrees"),
        (["x", "--place", "Leh", "--radius-km", "9", "--bbox", "77,34,78,35"], "give one of"),
        (["Teghra", "--place", "Teghra"], "NAME 'Teghra': expected lower-case letters"),
        (["x", "--place", "Leh", "--programme", "sez"], "--programme: expected one of emc2, cfc"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, data_dir, args, said):
    result = _init(tmp_path, data_dir, *args)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and said in line, line
    assert not (tmp_path / "configs").exists() and not (tmp_path / "layers").exists()


def test_existing_files_are_kept_unless_forced(tmp_path, data_dir):
    assert _init(tmp_path, data_dir, "leh2", "--place", "Leh").exit_code == 0
    config = tmp_path / "configs" / "leh2.yaml"
    config.write_text("mine\n")
    again = _init(tmp_path, data_dir, "leh2", "--place", "Leh")
    assert again.exit_code == 2 and "exist; give --force" in again.stderr
    assert config.read_text() == "mine\n"
    assert _init(tmp_path, data_dir, "leh2", "--place", "Leh", "--force").exit_code == 0
    assert config.read_text() != "mine\n"


def test_a_ladakh_study_uses_the_official_roads_and_a_himachal_one_overpass(tmp_path, data_dir):
    """The regional layers by state: PMGSY lines and habitations in Ladakh; elsewhere the
    roads come from Overpass and the workforce from the GeoNames towns."""
    assert _init(tmp_path, data_dir, "leh", "--place", "Leh", "--radius-km", "20").exit_code == 0
    leh = yaml.safe_load((tmp_path / "layers" / "leh.yaml").read_text())["layers"]
    config = yaml.safe_load((tmp_path / "configs" / "leh.yaml").read_text())
    assert "pmgsy_roads_ladakh" in leh and "habitations_ladakh" in leh and "osm_roads" not in leh
    assert config["network"]["roads"] == "pmgsy_roads_ladakh"
    assert config["sites"]["grid"]["cell_area_acres"] == 100  # EMC 2.0 in a UT: 100 acres
    assert config["scheme"]["variant"] == "hill_state_or_ut"
    assert config["study_area"] == {"place": "Leh", "where": {"admin1code": 41}, "buffer_km": 20}
    made = _init(tmp_path, data_dir, "baddi", "--place", "Baddi", "--programme", "cfc")
    assert made.exit_code == 0
    baddi = yaml.safe_load((tmp_path / "configs" / "baddi.yaml").read_text())
    assert baddi["network"]["roads"] == "osm_roads"
    assert baddi["criteria"]["workforce_20min"]["to"] == {"layer": "places"}
    assert baddi["allocation"]["cfc_mclp"]["problem"] == "mclp"
    assert "OpenStreetMap roads for" in made.stdout and "from Overpass" in made.stdout


def test_the_public_layers_sitesel_knows_match_the_shared_files(data_dir):
    """Every checksum of india_layers.yaml is that of the real file it names."""
    checked = 0
    for name, spec in india_layers().items():
        if "sha256" in spec:
            got = hashlib.sha256((data_dir / spec["path"]).read_bytes()).hexdigest()
            assert got == spec["sha256"], name
            checked += 1
    assert checked >= 9
