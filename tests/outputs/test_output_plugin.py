"""Issue 33: a new output is one module, and nothing else changes.

``docs/examples/shortlist_output.py`` is installed as a plug-in (entry point under
``sitesel.outputs``) and a small Leh study runs: the run folder must hold
``shortlist.geojson`` with the ten best sites of ``ranking.csv``, in rank order, listed
in the manifest with the file's own checksum.
"""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import pandas as pd
import pytest

from ..cases import install_plugin, run_cli_process, small_leh_dict
from ..conftest import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "shortlist_output.py"


@pytest.mark.slow
def test_an_output_from_one_module_is_written_and_listed(tmp_path, data_dir):
    plugins = tmp_path / "plugins"
    install_plugin(plugins, EXAMPLE, "sitesel.outputs", "shortlist")
    done = run_cli_process(tmp_path, data_dir, small_leh_dict(), plugins)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    shortlist = gpd.read_file(out / "shortlist.geojson")
    ranking = pd.read_csv(out / "ranking.csv", encoding="utf-8-sig")
    best = ranking[ranking["rank"].notna()].sort_values("rank").head(10)
    assert shortlist["site_id"].tolist() == best["site_id"].tolist()
    assert shortlist.crs.to_epsg() == 4326
    listed = json.loads((out / "manifest.json").read_text())["outputs"]["shortlist"]
    digest = hashlib.sha256((out / "shortlist.geojson").read_bytes()).hexdigest()
    assert listed == {"file": "shortlist.geojson", "sha256": digest}
