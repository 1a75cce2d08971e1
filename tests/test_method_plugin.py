"""Issue 33: a new aggregation method is one module, and nothing else changes.

``docs/examples/maximin_method.py`` is installed as a plug-in (a ``.dist-info`` with an
entry point under ``sitesel.aggregations`` on ``PYTHONPATH``, as ``pip install`` leaves
it) and a small Leh study runs with ``aggregation: {method: maximin}``: the suitability
must be each candidate's lowest score, worked out here from the ranking's own scores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from .cases import small_leh_dict
from .conftest import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "maximin_method.py"


def _install_plugin(folder):
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "maximin_method.py")
    info = folder / "sitesel_maximin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sitesel-maximin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[sitesel.aggregations]\nmaximin = maximin_method\n")


def _run(tmp_path, data_dir, plugins, aggregation):
    config = small_leh_dict() | {"aggregation": aggregation}
    path = tmp_path / "maximin.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    env = os.environ | {"PYTHONPATH": str(plugins)}
    command = [sys.executable, "-m", "sitesel.cli", "run", str(path), "--out",
               str(tmp_path / "out"), "--map", str(tmp_path / "map.html"), "--data-dir",
               str(data_dir), "--offline"]  # fmt: skip
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)


@pytest.mark.slow
def test_a_method_from_one_module_ranks_by_the_worst_score(tmp_path, data_dir):
    plugins = tmp_path / "plugins"
    _install_plugin(plugins)
    done = _run(tmp_path, data_dir, plugins, {"method": "maximin", "min_weight": 0.1})
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["aggregation"] == {"method": "maximin", "min_weight": 0.1}
    weights = manifest["weights"]
    counted = [n for n, w in weights.items() if w > 0.1 or w == max(weights.values())]
    assert 0 < len(counted) < len(weights)  # min_weight leaves some out: a real test of it
    ranking = pd.read_csv(tmp_path / "out" / "ranking.csv")
    kept = ranking[~ranking["excluded"]]
    expected = kept[[f"score__{n}" for n in counted]].min(axis=1)
    np.testing.assert_allclose(kept["suitability"], expected, atol=1e-6)
    assert kept["rank"].is_monotonic_increasing or (
        kept.sort_values("rank")["suitability"].is_monotonic_decreasing
    )
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert '"label": "maximin"' in page or '"label":"maximin"' in page


def test_an_unknown_method_is_refused_in_one_line_naming_the_known_ones(tmp_path, data_dir):
    done = _run(tmp_path, data_dir, tmp_path, {"method": "maximin"})  # no plug-in there
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "aggregation.method" in line and "'maximin'" in line
    assert "'weighted_sum'" in line and "'promethee_ii'" in line
