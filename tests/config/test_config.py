from pathlib import Path

import pytest
import yaml

from sitesel.api import load_config
from sitesel.config.catalog import load_catalog
from sitesel.errors import ConfigError
from sitesel.pipeline.registries import study_config_model
from sitesel.units import ACRE_HA

from ..conftest import ROOT

LEH = ROOT / "configs" / "leh.yaml"


def leh_dict() -> dict:
    data = yaml.safe_load(LEH.read_text())
    data["catalog"] = str(ROOT / "layers" / "leh.yaml")
    return data


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_leh_config_and_catalog_are_valid():
    study = load_config(LEH)
    config, catalog_path = study.config, study.catalog_path
    assert config.name == "leh"
    assert config.sites.grid is not None
    assert config.sites.grid.area_ha == pytest.approx(100 * ACRE_HA)
    catalog = load_catalog(catalog_path)
    assert {layer for _, layer in config.layer_references()} <= set(catalog.layers)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(wieghts=1), r"case.yaml: wieghts: unknown key"),
        (
            lambda d: d["criteria"]["slope_mean_deg"].update(weight="heavy"),
            r"criteria.slope_mean_deg.*weight: expected a number.*found 'heavy'",
        ),
        (
            lambda d: d["criteria"]["slope_mean_deg"].update(weight=-1),
            r"criteria.slope_mean_deg.*weight: expected a number above 0, found -1",
        ),
        (
            lambda d: d["criteria"]["slope_mean_deg"].update(kind="steepness"),
            r"criteria.slope_mean_deg.kind: expected one of 'area', 'distance', 'elevation',"
            r" 'gravity', 'infrastructure_cost', 'opportunities', 'slope', 'travel_time',"
            r" found 'steepness'",
        ),
        (
            lambda d: d["constraints"].append({"exclude_if": "slop_mean_deg > 3"}),
            r"constraints\[5\] names criterion 'slop_mean_deg', which is not among criteria",
        ),
        (
            lambda d: d["constraints"].append({"exclude_if": "slope is steep"}),
            r"constraints\[5\].exclude_if: expected '<criterion> <operator> <number>'",
        ),
        (
            lambda d: d["criteria"]["elevation_m"]["value"].update(low=5000),
            r"low must be less than high \(low=5000.0, high=4000.0\)",
        ),
        (
            lambda d: d["sites"]["grid"].update(cell_area_ha=40),
            r"sites.grid: give exactly one of cell_area_acres or cell_area_ha",
        ),
        (lambda d: d.pop("study_area"), r"study_area: required key is missing"),
        (lambda d: d.pop("dem"), r"criterion 'slope_mean_deg' \(slope\) needs a dem: section"),
        (
            lambda d: d["criteria"]["time_to_leh_min"].pop("value"),
            r"a weighted criterion needs a value function",
        ),
    ],
)
def test_bad_configs_say_file_key_expected_and_found(tmp_path, change, expected):
    data = leh_dict()
    change(data)
    with pytest.raises(ConfigError, match=expected) as info:
        load_config(write(tmp_path, data))
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)  # catchable as the builtin too


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\ncriteria: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken.yaml: not valid YAML at line \d+"):
        load_config(path)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found"):
        load_config(tmp_path / "nope.yaml")


def test_json_schema_lists_criterion_kinds():
    schema = study_config_model().model_json_schema()
    text = str(schema)
    for kind in ("travel_time", "distance", "slope", "elevation", "area"):
        assert kind in text
    assert schema["additionalProperties"] is False


def test_a_key_of_another_method_names_the_method_it_was_read_as(tmp_path):
    """Issue 33: each method brings its own keys; one given to another method says whose."""
    data = yaml.safe_load(LEH.read_text()) | {"aggregation": {"andness": 0.5}}
    with pytest.raises(ConfigError, match=r"aggregation\.andness: unknown key of weighted_sum"):
        load_config(write(tmp_path, data))
    data["aggregation"] = {"method": "topsis", "v": 0.3}
    with pytest.raises(ConfigError, match=r"aggregation\.v: unknown key of topsis"):
        load_config(write(tmp_path, data))
