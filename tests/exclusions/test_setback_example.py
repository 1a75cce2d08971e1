"""Issue 33: a new setback rule is one file (a rule pack), and nothing else changes.

``docs/examples/habitation_setback_pack.yaml`` excludes land within 300 m of a PMGSY
habitation point. A small Leh study names it; the sites it excludes must be exactly those
whose polygon comes within 300 m of a habitation, measured here with shapely in the run's
own CRS (an independent reference: no sitesel zone code).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from ..cases import run_ok, small_leh_dict
from ..conftest import ROOT

PACK = ROOT / "docs" / "examples" / "habitation_setback_pack.yaml"


@pytest.mark.slow
def test_a_setback_from_one_pack_excludes_the_sites_within_its_distance(tmp_path, data_dir):
    config = small_leh_dict(buffer_km=3)
    config["land"] = {"pollution_category": "orange", "rule_packs": [str(PACK)]}
    run_ok(tmp_path, data_dir, config)
    out = tmp_path / "case_out"
    records = pd.read_csv(out / "exclusions.csv", encoding="utf-8-sig")
    mine = records[records["rule"].str.endswith("habitation_buffer")]
    sites = gpd.read_file(out / "sites.gpkg", layer="sites")
    habitations = gpd.read_file(data_dir / "ladakh" / "pmgsy_habitations_ladakh.zip").to_crs(
        sites.crs
    )
    near = habitations[habitations.intersects(sites.union_all().buffer(1_000))]
    distance = np.array([near.distance(g).min() for g in sites.geometry])
    expected = set(sites.loc[distance <= 300, "site_id"])
    assert 0 < len(expected) < len(sites)  # the rule bites, and not everywhere
    assert set(mine["site_id"]) == expected
    assert set(mine["action"]) == {"exclude"}
    # the reason names the habitation and the distance the pack gives
    assert mine["template"].iloc[0] == "within {distance_m} m of {name} (habitation)"
    assert set(mine["feature"]) <= set(near["HAB_NAME"])
