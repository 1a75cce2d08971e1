"""Numbers within physical bounds, names in any script, every refusal in plain words (issue 26)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import geopandas as gpd
import numpy as np
import pytest
import shapely
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sitesel.config import describe_validation_error
from sitesel.config.plausible import slip
from sitesel.exclusions.zones import bounded_zones

from ..cases import leh_dict, run_case, sitesel
from ..conftest import ROOT

# ------------------------------------------------------------------------------ ranges

RANGE_CASES = [
    # (edit, key, inside value, outside value, slip expected in the message)
    ("network.offroad_speed_kmh", 40, 400, "did you mean 40?"),
    ("network.default_speed_kmh", 130, 1300, "did you mean 130?"),
    ("network.max_offroad_km", 50, 5000, "did you mean 50?"),
    ("study_area.buffer_km", 300, 25000, "did you mean 250?"),
    ("sites.grid.cell_area_acres", 50_000, 100_000, "did you mean 10,000?"),
]


def _set(config, key, value):
    node = config
    *parents, last = key.split(".")
    for part in parents:
        node = node[part]
    node[last] = value


@pytest.mark.parametrize(("key", "inside", "outside", "hint"), RANGE_CASES)
def test_a_range_just_inside_passes_and_just_outside_is_refused(tmp_path, key, inside, outside,
                                                                   hint):  # fmt: skip
    config = leh_dict()
    _set(config, key, inside)
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(config))
    ok = sitesel("validate", path)
    assert "outside the plausible" not in ok.output
    _set(config, key, outside)
    path.write_text(yaml.safe_dump(config))
    bad = sitesel("validate", path)
    assert bad.exit_code == 2
    line = bad.stderr.strip()
    assert len(line.splitlines()) == 1 and f"{key}: " in line
    assert "is outside the plausible" in line and "widen_ranges" in line and hint in line


def test_the_footprint_slip_of_the_issue(tmp_path, data_dir):
    config = leh_dict()
    config["constraints"][3]["exclude_within"]["footprint"]["people_per_km2"] = 0.001
    line = run_case(tmp_path, data_dir, config)
    key = "constraints[3].exclude_within.footprint.people_per_km2"
    assert f"{key}: 0.001 people per km2 is outside the plausible 100 to 100,000" in line
    assert "(did you mean 1,000?)" in line


def test_a_road_speed_per_class_is_checked_and_named(tmp_path, data_dir):
    config = leh_dict()
    config["network"]["speeds_kmh"]["NH"] = 0.4
    line = run_case(tmp_path, data_dir, config)
    assert "network.speeds_kmh.NH: 0.4 km/h is outside the plausible 2 to 130 km/h" in line
    assert "did you mean 4?" in line


def test_a_range_widened_on_purpose(tmp_path, data_dir):
    config = leh_dict()
    config["network"]["offroad_speed_kmh"] = 60  # a study on a plateau of open ground
    config["widen_ranges"] = {"network.offroad_speed_kmh": [1, 80]}
    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(config))
    result = sitesel("validate", path, "--data-dir", data_dir)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        ("slope_mean_deg > 150", "150 deg is outside what slope_mean_deg can be (0 to 90 deg)"),
        ("time_to_leh_min > 9000", "9000 min is outside what time_to_leh_min can be"),
    ],
)
def test_a_threshold_outside_its_unit(tmp_path, data_dir, threshold, message):
    config = leh_dict()
    config["constraints"][0]["exclude_if"] = threshold
    line = run_case(tmp_path, data_dir, config)
    assert f"constraints[0].exclude_if: {message}" in line


def test_a_value_function_outside_its_unit(tmp_path, data_dir):
    config = leh_dict()
    config["criteria"]["slope_mean_deg"]["value"] = {
        "type": "linear", "low": 200, "high": 1000, "direction": "cost"
    }  # fmt: skip
    line = run_case(tmp_path, data_dir, config)
    assert "criteria.slope_mean_deg.value: 200, 1000 deg is outside what" in line


def test_slips_by_a_thousand_and_a_hundred():
    assert slip(0.001, 100, 100_000) == " (did you mean 1,000?)"
    assert slip(4000, 0, 90) == " (did you mean 40?)"
    assert slip(150, 0, 90) == " (did you mean 15?)"
    assert slip(2.5, 100, 100_000) == " (did you mean 250?)"
    assert slip(-1, 0, 90) == ""


# ------------------------------------------------------------------ bounded geometry


def test_a_footprint_wider_than_the_continent_is_cut_to_the_sites():
    """7,000 towns at 0.001 people per km2 (radii of thousands of km): one box, not 7,000."""
    rng = np.random.default_rng(0)
    towns = shapely.points(rng.uniform(-3e6, 3e6, (7000, 2)))
    radius = np.full(7000, 4e6)
    sites_box = shapely.box(0, 0, 50_000, 50_000)
    geoms, _ = bounded_zones(towns, radius, [f"t{i}" for i in range(7000)], sites_box,
                                 key="constraints[3]")  # fmt: skip
    assert len(geoms) <= 1 + np.sum(
        (shapely.distance(towns, sites_box) <= 4e6)
        & (shapely.distance(towns, sites_box) + 7.1e4 > 4e6)
    )
    bounds = shapely.bounds(np.asarray(geoms))
    assert bounds[:, 0].min() >= -1.1 and bounds[:, 2].max() <= 50_001.1


def test_a_buffer_wider_than_the_continent_runs_and_excludes_everything(tmp_path, data_dir):
    """Widened on purpose, a 3,000 km setback from Leh's habitations builds one box."""
    config = leh_dict()
    config["constraints"][4]["exclude_within"]["footprint"]["people_per_km2"] = 0.001
    config["widen_ranges"] = {
        "constraints[4].exclude_within.footprint.people_per_km2": [0.0001, 100_000]
    }
    line = run_case(tmp_path, data_dir, config)
    assert "constraints: all 4844 sites are excluded" in line


# ------------------------------------------------------------------- names in any script


@pytest.mark.parametrize("name", ["लेह_ईएमसी", "لیہ_ای_ایم_سی"])
def test_a_study_named_in_hindi_or_urdu_runs_end_to_end(tmp_path, data_dir, name):
    config = leh_dict()
    config["name"] = name
    config["robustness"] = None
    config["allocation"] = {}
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    out, maps = tmp_path / "out" / name, tmp_path / "maps" / f"{name}.html"
    result = sitesel("run", path, "--out", out, "--map", maps, "--data-dir", data_dir,
                     "--offline")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{name}: 4844 sites")
    assert (out / "ranking.csv").is_file() and maps.is_file()
    assert f"sitesel: {name}" in maps.read_text(encoding="utf-8")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["name"] == name
    sites = gpd.read_file(out / "sites.gpkg", layer="sites")
    assert len(sites) == 4844
    again = sitesel("map", out, "--map", tmp_path / "again.html")
    assert again.exit_code == 0, again.output


# -------------------------------------------------------------- every refusal in words


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x: float


class _Every(BaseModel):
    """One field per error type a config can raise."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    gt: float = Field(default=1, gt=0)
    ge: float = Field(default=1, ge=0)
    lt: float = Field(default=1, lt=10)
    le: float = Field(default=1, le=10)
    number: float = 1.0
    whole: int = 1
    flag: bool = True
    text: str = "a"
    short_list: list[int] = Field(default_factory=lambda: [1], min_length=1)
    long_list: list[int] = Field(default_factory=list, max_length=1)
    short_text: str = Field(default="ab", min_length=2)
    long_text: str = Field(default="a", max_length=2)
    pattern: str = Field(default="abc", pattern=r"^[a-z]+$")
    choice: Literal["red", "green"] = "red"
    mapping: dict[str, int] = Field(default_factory=dict)
    inner: _Inner | None = None
    listing: list[str] = Field(default_factory=list)
    multiple: Annotated[int, Field(multiple_of=5)] = 5


ERROR_CASES = {
    "greater_than": {"gt": 0},
    "greater_than_equal": {"ge": -1},
    "less_than": {"lt": 10},
    "less_than_equal": {"le": 11},
    "finite_number": {"number": float("inf")},
    "float_parsing": {"number": "heavy"},
    "float_type": {"number": [1]},
    "int_parsing": {"whole": "many"},
    "int_from_float": {"whole": 1.5},
    "int_type": {"whole": [1]},
    "bool_parsing": {"flag": "perhaps"},
    "bool_type": {"flag": [1]},
    "string_type": {"text": 5},
    "too_short": {"short_list": []},
    "too_long": {"long_list": [1, 2]},
    "string_too_short": {"short_text": "a"},
    "string_too_long": {"long_text": "abc"},
    "string_pattern_mismatch": {"pattern": "ABC"},
    "literal_error": {"choice": "blue"},
    "dict_type": {"mapping": [1]},
    "model_type": {"inner": [1]},
    "list_type": {"listing": "a"},
    "multiple_of": {"multiple": 7},
    "extra_forbidden": {"unknown": 1},
    "missing": {"inner": {}},
}


@pytest.mark.parametrize("kind", sorted(ERROR_CASES))
def test_every_error_type_is_said_in_plain_words(tmp_path, kind):
    data = ERROR_CASES[kind]
    with pytest.raises(ValidationError) as caught:
        _Every.model_validate(data)
    assert kind in {e["type"] for e in caught.value.errors()}
    line = describe_validation_error(tmp_path / "case.yaml", caught.value, data)
    assert line.startswith(f"{tmp_path / 'case.yaml'}: ")
    for library in ("Input should", "String should", "Value error", "should match pattern",
                    "^[", "type=", "pydantic"):  # fmt: skip
        assert library not in line, line
    assert "expected" in line or "unknown key" in line or "required key is missing" in line


def test_the_real_patterns_are_said_in_words(tmp_path, data_dir):
    config = leh_dict()
    config["constraints"][0]["exclude_if"] = "slope is steep"
    line = run_case(tmp_path, data_dir, config)
    assert "constraints[0].exclude_if: expected '<criterion> <operator> <number>'" in line
    catalog = yaml.safe_load((ROOT / "layers" / "leh.yaml").read_text())
    catalog["layers"]["places"]["sha256"] = "not-a-checksum"
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(catalog))
    config["constraints"][0]["exclude_if"] = "slope_mean_deg > 15"
    config["catalog"] = str(tmp_path / "c.yaml")
    line = run_case(tmp_path, data_dir, config)
    assert "layers.places.sha256: expected 64 lower-case hexadecimal digits" in line


# ------------------------------------------------------------------ tables for the office


def test_ranking_csv_opens_right_in_excel(tmp_path):
    """Excel picks UTF-8 for a CSV only when it starts with the byte-order mark; without
    it, a Windows office machine reads the bytes as cp1252 and garbles Sāhibganj."""
    import pandas as pd

    from sitesel.outputs.files import UTF8_BOM, write_table_csv

    table = pd.DataFrame({"site_id": ["H1", "H2"], "place": ["1 km N of Sāhibganj", "लेह"]})
    path = tmp_path / "ranking.csv"
    write_table_csv(table, path)
    raw = path.read_bytes()
    assert raw.startswith(UTF8_BOM)
    # What Excel does: a BOM means UTF-8; the names come back as typed.
    encoding = "utf-8-sig" if raw.startswith(UTF8_BOM) else "cp1252"
    text = raw.decode(encoding)
    assert "1 km N of Sāhibganj" in text and "लेह" in text
    assert pd.read_csv(path)["place"].tolist() == table["place"].tolist()  # pandas skips it
    write_table_csv(table, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == raw  # byte-identical run to run


# ------------------------------------------------------------ issue 32: widen_ranges itself


def test_a_misspelt_widen_key_names_the_nearest_known_ones(tmp_path, data_dir):
    config = leh_dict()
    config["widen_ranges"] = {"network.offroad_speed_kph": [1, 80]}
    line = run_case(tmp_path, data_dir, config)
    assert "widen_ranges.network.offroad_speed_kph: no key of this config by that name" in line
    assert "nearest: network.offroad_speed_kmh" in line


def test_a_widen_key_of_a_number_without_a_range(tmp_path, data_dir):
    config = leh_dict()
    config["widen_ranges"] = {"map.top_n": [1, 500]}  # top_n is bounded, not plausible-ranged
    line = run_case(tmp_path, data_dir, config)
    assert "widen_ranges.map.top_n: no key of this config by that name has a plausible" in line


def test_an_upside_down_range_says_so(tmp_path, data_dir):
    config = leh_dict()
    config["widen_ranges"] = {"network.offroad_speed_kmh": [80, 1]}
    line = run_case(tmp_path, data_dir, config)
    assert "widen_ranges.network.offroad_speed_kmh: [80, 1] is upside down" in line
    assert "give the low end first: [1, 80]" in line


def test_a_key_declared_but_not_set_may_be_widened(tmp_path):
    """dem.resolution_m has a range; a study that does not set it may still widen it (a
    later edit sets it), and an entry of a mapping (a road class) may be widened alone."""
    config = leh_dict()
    config["widen_ranges"] = {"dem.resolution_m": [1, 5000], "network.speeds_kmh.NH": [2, 140]}
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(config))
    result = sitesel("validate", path)
    assert result.exit_code == 0, result.output
