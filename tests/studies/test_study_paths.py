"""Paths of a study nobody ran end to end before: gravity access, OWA, rank-order weights,
step and sigmoid value functions, an explicit working CRS. One small study near Leh
(6 km around the HQ) through the public API, checked against hand-computed figures.
"""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml

import sitesel

from ..conftest import ROOT

HALF_LIFE_MIN = 15.0
ANDNESS = 0.7
RANKING = ["workforce_gravity", "slope_mean_deg", "elevation_m"]


def small_study() -> dict:
    """6 km around the Leh HQ: gravity, opportunities, slope and elevation criteria."""
    return {
        "name": "paths",
        "catalog": str(ROOT / "layers" / "leh.yaml"),
        "working_crs": "EPSG:32643",
        "study_area": {"layer": "subdistrict_hq", "where": {"NAME11": "Leh"}, "buffer_km": 6},
        "sites": {"grid": {"cell_area_acres": 100}},
        "network": {"roads": "pmgsy_roads", "speeds_kmh": {"NH": 40}, "default_speed_kmh": 20},
        "dem": {"layer": "dem_dted0"},
        "criteria": {
            "workforce_gravity": {
                "kind": "gravity",
                "to": {"layer": "habitations"},
                "weight_column": "TOT_POPULA",
                "decay": {"function": "exponential", "half_life_min": HALF_LIFE_MIN},
                "value": {"type": "sigmoid", "midpoint": 20000, "width": 10000,
                          "direction": "benefit"},
            },
            "workforce_30min": {
                "kind": "opportunities",
                "to": {"layer": "habitations"},
                "weight_column": "TOT_POPULA",
                "within_min": 30,
            },
            "slope_mean_deg": {
                "kind": "slope",
                "value": {"type": "step", "breaks": [3, 8], "scores": [1, 0.5, 0]},
            },
            "elevation_m": {
                "kind": "elevation",
                "value": {"type": "linear", "low": 3200, "high": 4000, "direction": "cost"},
            },
        },
        "weighting": {"method": "rank_order",
                      "rank_order": {"method": "centroid", "ranking": RANKING}},
        "aggregation": {"method": "owa", "andness": ANDNESS},
    }  # fmt: skip


@pytest.fixture(scope="module")
def result(tmp_path_factory, data_dir):
    config = small_study()
    path = tmp_path_factory.mktemp("paths") / "paths.yaml"
    path.write_text(yaml.safe_dump(config))
    return sitesel.run(path, data_dir=data_dir, offline=True)


def test_explicit_working_crs_is_used(result):
    assert result.manifest.working_crs == "EPSG:32643"
    assert result.sites.crs.to_epsg() == 32643


def test_rank_order_centroid_weights(result):
    # Rank-order centroid for 3 criteria: (1 + 1/2 + 1/3)/3, (1/2 + 1/3)/3, (1/3)/3.
    expected = [11 / 18, 5 / 18, 2 / 18]
    assert [result.weights[n] for n in RANKING] == pytest.approx(expected)


def test_step_and_sigmoid_value_functions(result):
    sites = result.sites
    slope = sites["raw__slope_mean_deg"]
    step = np.select([slope < 3, slope < 8], [1.0, 0.5], 0.0)
    np.testing.assert_allclose(sites["score__slope_mean_deg"], step)
    x = sites["raw__workforce_gravity"].to_numpy()
    known = ~np.isnan(x)
    logistic = [1 / (1 + math.exp(-(v - 20000) / 5000)) for v in x[known]]
    np.testing.assert_allclose(sites.loc[known, "score__workforce_gravity"], logistic)


def test_gravity_access_is_bounded_by_cumulative_opportunities(result, data_dir):
    sites = result.sites.dropna(subset=["raw__workforce_gravity"])
    assert len(sites) > 100
    gravity, within_30 = sites["raw__workforce_gravity"], sites["raw__workforce_30min"]
    assert (gravity > 0).mean() > 0.9  # a few cells join a road piece cut off from the rest
    # Everyone within 30 minutes counts at least 0.5 ** (30 / 15) of themselves ...
    assert (gravity >= within_30 * 0.5 ** (30 / HALF_LIFE_MIN) * (1 - 1e-6)).all()
    # ... and nobody counts more than once: at most every habitation's population.
    habitations = gpd.read_file(data_dir / "ladakh" / "pmgsy_habitations_ladakh.zip")
    assert (gravity <= habitations["TOT_POPULA"].sum()).all()


def test_owa_with_andness_by_hand(result):
    sites = result.sites[~result.sites["excluded"]]
    scores = sites[[f"score__{n}" for n in RANKING]].to_numpy()
    w = np.array([result.weights[n] for n in RANKING])
    alpha = ANDNESS / (1 - ANDNESS)  # RIM quantifier Q(p) = p ** alpha (Malczewski 2006)
    for row, suitability in zip(scores, sites["suitability"], strict=True):
        order = sorted(range(3), key=lambda j: -row[j])  # best score first
        expected, cum = 0.0, 0.0
        for j in order:  # v_j = Q(u_1 + ... + u_j) - Q(u_1 + ... + u_{j-1})
            expected += (min(cum + w[j], 1.0) ** alpha - cum**alpha) * row[j]
            cum += w[j]
        assert suitability == pytest.approx(expected)
    aggregation = result.manifest.aggregation
    # Yager's orness of the order weights equal criterion weights would give, for 3 criteria
    # (0.233 here: a coarse 3-step quantifier is more AND than its continuous 1 - andness).
    v = [(k / 3) ** alpha - ((k - 1) / 3) ** alpha for k in (1, 2, 3)]
    assert aggregation["configured_orness"] == pytest.approx((2 * v[0] + v[1]) / 2, abs=1e-6)
    assert aggregation["quantifier_orness"] == pytest.approx(1 - ANDNESS)
    realised = aggregation["realised_orness"]
    assert realised["min"] <= realised["mean"] <= realised["max"]
    ranked = result.ranking.dropna(subset=["rank"])
    assert pd.Series(ranked["suitability"]).is_monotonic_decreasing
