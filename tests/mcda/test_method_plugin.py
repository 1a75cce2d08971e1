"""Issue 33: a new aggregation method is one module, and nothing else changes.

``docs/examples/maximin_method.py`` is installed as a plug-in (a ``.dist-info`` with an
entry point under ``sitesel.aggregations`` on ``PYTHONPATH``, as ``pip install`` leaves
it) and a small Leh study runs with ``aggregation: {method: maximin}``: the suitability
must be each candidate's lowest score, worked out here from the ranking's own scores.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ..cases import install_plugin, run_cli_process, small_leh_dict
from ..conftest import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "maximin_method.py"


@pytest.mark.slow
def test_a_method_from_one_module_ranks_by_the_worst_score(tmp_path, data_dir):
    plugins = tmp_path / "plugins"
    install_plugin(plugins, EXAMPLE, "sitesel.aggregations", "maximin")
    config = small_leh_dict() | {"aggregation": {"method": "maximin", "min_weight": 0.1}}
    done = run_cli_process(tmp_path, data_dir, config, plugins)
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
    config = small_leh_dict() | {"aggregation": {"method": "maximin"}}
    done = run_cli_process(tmp_path, data_dir, config, tmp_path)  # no plug-in there
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "aggregation.method" in line and "'maximin'" in line
    assert "'weighted_sum'" in line and "'promethee_ii'" in line
