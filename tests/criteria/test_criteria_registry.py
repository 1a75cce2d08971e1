"""The criterion registry: a family registered from outside sitesel runs in a study."""

import os
import subprocess
import sys
from typing import Literal

import numpy as np
import pytest
import yaml

import sitesel
from sitesel.config import CriterionSpec
from sitesel.criteria import CriterionValues, criterion, families, registry
from sitesel.errors import ConfigError

from ..cases import install_plugin
from ..conftest import ROOT


class PerimeterCriterion(CriterionSpec):
    """Perimeter of the site (a compactness proxy for a factory layout)."""

    kind: Literal["perimeter"]


def perimeter(spec, name, ctx):
    return CriterionValues(ctx.sites.geometry.length.to_numpy() / 1000)


@pytest.fixture
def perimeter_family():
    """Register the family for one test only."""
    families()  # built-ins first
    criterion(PerimeterCriterion, unit="km", label="Perimeter")(perimeter)
    yield families()["perimeter"]
    registry.forget("perimeter")


def _config(tmp_path, criteria):
    config = {
        "name": "plugin",
        "catalog": str(ROOT / "layers" / "leh.yaml"),
        "study_area": {"layer": "subdistrict_hq", "where": {"NAME11": "Leh"}, "buffer_km": 3},
        "sites": {"grid": {"cell_area_ha": 40}},
        "criteria": criteria,
    }
    path = tmp_path / "plugin.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_family_registered_from_a_test_module_runs_a_study(perimeter_family, tmp_path, data_dir):
    assert perimeter_family.kind == "perimeter" and perimeter_family.unit_of(None) == "km"
    path = _config(
        tmp_path,
        {
            "perimeter_km": {
                "kind": "perimeter",
                "value": {"type": "linear", "low": 2, "high": 3, "direction": "cost"},
                "weight": 1,
            },
            "area_ha": {"kind": "area"},
        },
    )
    result = sitesel.run(path, data_dir=data_dir, offline=True)
    sites = result.sites
    # A regular hexagon of 40 ha has sides of sqrt(2 * 400000 / (3 * sqrt(3))) m.
    side_m = np.sqrt(2 * 400_000 / (3 * np.sqrt(3)))
    np.testing.assert_allclose(sites["raw__perimeter_km"], 6 * side_m / 1000, rtol=1e-6)
    assert result.manifest.criteria_units == {"perimeter_km": "km", "area_ha": "ha"}
    assert len(sites) > 0 and sites["rank"].notna().all()


def test_without_the_family_the_kind_is_refused(tmp_path):
    path = _config(tmp_path, {"p": {"kind": "perimeter", "weight": 1}})
    with pytest.raises(ConfigError, match=r"criteria.p.kind: expected one of"):
        sitesel.load_config(path)


def test_a_kind_cannot_be_taken_twice(perimeter_family):
    class Impostor(CriterionSpec):
        kind: Literal["perimeter"]

    with pytest.raises(ValueError, match="registered twice"):
        criterion(Impostor, unit="m", label="Impostor")(perimeter)


def test_plugins_are_loaded_from_the_entry_point_group(tmp_path):
    """tests/plugin_criteria.py installed as a plug-in package (a .dist-info with an entry
    point, as pip leaves one): a fresh interpreter finds its family beside the built-ins."""
    plugins = tmp_path / "plugins"
    install_plugin(plugins, ROOT / "tests" / "plugin_criteria.py", "sitesel.criteria", "ring")
    code = "from sitesel.criteria import families; print(' '.join(sorted(families())))"
    env = os.environ | {"PYTHONPATH": str(plugins)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=ROOT, check=True)  # fmt: skip
    kinds = set(done.stdout.split())
    assert "ring_road_distance" in kinds and "travel_time" in kinds
