import numpy as np
import pytest
import yaml

from sitesel.api import load_config
from sitesel.errors import ConfigError
from sitesel.mcda.ahp import (
    RANDOM_INDEX,
    ahp,
    comparison_matrix,
    group_matrix,
    perturbed_ahp_weights,
    rank_order_weights,
)
from sitesel.mcda.weights import resolve_weights

from ..cases import with_repo_paths
from ..conftest import ROOT


def consistent(w):
    w = np.asarray(w, dtype=float)
    return w[:, None] / w[None, :]


def power_iteration(a, steps=500):
    """An independent route to the principal eigenpair, to check ``ahp``."""
    v = np.ones(len(a)) / len(a)
    for _ in range(steps):
        v = a @ v
        v /= v.sum()
    return v, float((a @ v)[0] / v[0])


def test_saaty_published_three_by_three():
    # Saaty's classic example: weights 0.637, 0.258, 0.105; lambda_max 3.039; CR 0.033.
    a = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    r = ahp(["a", "b", "c"], a)
    np.testing.assert_allclose(r.weights, [0.637, 0.258, 0.105], atol=5e-4)
    assert r.lambda_max == pytest.approx(3.039, abs=1e-3)
    assert r.consistency_ratio == pytest.approx(0.033, abs=1e-3)


def test_random_index_table_is_saatys():
    assert [RANDOM_INDEX[n] for n in range(1, 11)] == [
        0.0,
        0.0,
        0.58,
        0.90,
        1.12,
        1.24,
        1.32,
        1.41,
        1.45,
        1.49,
    ]


@pytest.mark.parametrize("n", range(3, 11))
def test_consistency_ratio_for_every_size(n):
    rng = np.random.default_rng(n)
    w = rng.uniform(1, 9, n)
    exact = ahp([f"c{i}" for i in range(n)], consistent(w))
    np.testing.assert_allclose(exact.weights, w / w.sum(), rtol=1e-9)
    assert exact.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    # Perturb the judgments; CR must equal (lambda - n) / (n - 1) / RI(n) by power iteration.
    a = consistent(w)
    iu = np.triu_indices(n, 1)
    a[iu] *= np.exp(rng.normal(0, 0.3, len(iu[0])))
    a[iu[1], iu[0]] = 1 / a[iu]
    r = ahp([f"c{i}" for i in range(n)], a)
    v, lam = power_iteration(a)
    np.testing.assert_allclose(r.weights, v, atol=1e-8)
    assert r.consistency_ratio == pytest.approx((lam - n) / (n - 1) / RANDOM_INDEX[n], rel=1e-6)


@pytest.mark.parametrize("n", [1, 2])
def test_one_and_two_criteria_are_trivially_consistent(n):
    a = np.array([[1.0]]) if n == 1 else np.array([[1, 7], [1 / 7, 1]])
    r = ahp(["a", "b"][:n], a)
    assert r.consistency_ratio == 0.0
    if n == 2:
        np.testing.assert_allclose(r.weights, [7 / 8, 1 / 8])


def test_the_corrupted_judgment_is_reported_first_with_its_consistent_value():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    a = consistent(w)
    a[0, 3], a[3, 0] = 1 / 2, 2  # should be 4
    r = ahp(list("abcd"), a)
    worst = r.judgments[0]
    assert (worst.row, worst.col) == ("a", "d")
    # The other judgments imply exactly 4 (a->b->d and a->c->d); the eigenvector weights,
    # shaped by the wrong 1/2, would have suggested about 1.4 (issue 12).
    assert worst.consistent_value == pytest.approx(4.0) and worst.nearest_saaty == "4"
    assert worst.deviation == pytest.approx(np.log(8))


def three_criteria_config(tmp_path, ahp_section):
    """leh_ahp.yaml scoring only three criteria, with the given ``weighting.ahp``."""
    data = yaml.safe_load((ROOT / "configs" / "leh_ahp.yaml").read_text())
    data["catalog"] = str(ROOT / "layers" / "leh.yaml")
    data["scheme"]["file"] = str(ROOT / "schemes" / "emc2.yaml")
    with_repo_paths(data)
    for name in ("slope_mean_deg", "elevation_m"):
        data["criteria"][name].pop("value", None)
        data["criteria"][name].pop("weight", None)
    data["weighting"]["ahp"] = ahp_section
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


CR_0063 = {  # CR 0.063 for three criteria: over Saaty's 0.05, under 0.10
    "time_to_leh_min": {"time_to_airport_min": 2, "highway_distance_km": 9},
    "time_to_airport_min": {"highway_distance_km": 2},
}
CONSISTENT = {
    "time_to_leh_min": {"time_to_airport_min": 2, "highway_distance_km": 4},
    "time_to_airport_min": {"highway_distance_km": 2},
}
WILD = {  # CR 0.48 alone; 0.12 in the geometric mean with CONSISTENT
    "time_to_leh_min": {"time_to_airport_min": 3, "highway_distance_km": 1},
    "time_to_airport_min": {"highway_distance_km": 3},
}


def test_cr_limits_follow_saaty_by_matrix_size_and_can_be_overridden(tmp_path):
    from sitesel.mcda.ahp import cr_limit

    assert [cr_limit(n) for n in (3, 4, 5, 7)] == [0.05, 0.08, 0.10, 0.10]
    path = three_criteria_config(tmp_path, {"judgments": CR_0063})
    with pytest.raises(
        ConfigError, match=r"consistency ratio 0\.063 exceeds max_consistency_ratio 0\.05"
    ):
        resolve_weights(load_config(path).config, path)
    path = three_criteria_config(tmp_path, {"judgments": CR_0063, "max_consistency_ratio": 0.1})
    report = resolve_weights(load_config(path).config, path)
    assert report.max_consistency_ratio == 0.1 and report.consistency_ratio == pytest.approx(
        0.063, abs=5e-4
    )


@pytest.mark.parametrize("policy", ["reject", "drop", "keep"])
def test_a_participant_over_the_limit_is_rejected_dropped_or_kept(tmp_path, policy):
    section = {
        "participants": [
            {"name": "planning", "judgments": CONSISTENT},
            {"name": "guesswork", "judgments": WILD},
        ],
        "inconsistent_participants": policy,
        "max_consistency_ratio": 0.2 if policy == "keep" else None,
    }
    if section["max_consistency_ratio"] is None:
        section.pop("max_consistency_ratio")
    path = three_criteria_config(tmp_path, section)
    config = load_config(path).config
    if policy == "reject":
        with pytest.raises(
            ConfigError, match=r"participants: over max_consistency_ratio 0\.05: guesswork \(CR"
        ):
            resolve_weights(config, path)
        return
    report = resolve_weights(config, path)
    assert report.participants["guesswork"] > 0.4 and report.participants[
        "planning"
    ] == pytest.approx(0)
    alone = ahp(config.scored, comparison_matrix(config.scored, CONSISTENT)).weight_map()
    if policy == "drop":
        assert report.dropped_participants == ["guesswork"]
        assert report.weights == pytest.approx(alone)
    else:
        assert report.dropped_participants == [] and report.weights != pytest.approx(alone)


def test_comparison_matrix_from_upper_triangle_and_its_errors():
    a = comparison_matrix(["x", "y", "z"], {"x": {"y": 3, "z": 5}, "z": {"y": 1 / 3}})
    assert a[1, 2] == pytest.approx(3) and a[2, 0] == pytest.approx(1 / 5)
    with pytest.raises(ValueError, match="missing judgments: x vs z"):
        comparison_matrix(["x", "y", "z"], {"x": {"y": 3}, "y": {"z": 2}})
    with pytest.raises(ValueError, match="y vs x: given twice"):
        comparison_matrix(["x", "y"], {"x": {"y": 3}, "y": {"x": 1 / 3}})


def test_group_geometric_mean():
    a, b = consistent([3, 1]), consistent([1, 3])
    np.testing.assert_allclose(group_matrix([a, b]), np.ones((2, 2)))
    assert np.allclose(group_matrix([a, a]), a)


def test_rank_order_centroid_for_four():
    np.testing.assert_allclose(
        rank_order_weights(4, "centroid"), [0.5208, 0.2708, 0.1458, 0.0625], atol=1e-4
    )
    np.testing.assert_allclose(rank_order_weights(3, "reciprocal"), [6 / 11, 3 / 11, 2 / 11])


def test_perturbed_judgments_stay_consistent_enough():
    a = consistent([4, 2, 1])
    draws = perturbed_ahp_weights(a, sigma=0.2, draws=200, max_cr=0.1, rng=np.random.default_rng(0))
    assert draws.shape == (200, 3)
    np.testing.assert_allclose(draws.sum(axis=1), 1)
    assert abs(draws.mean(axis=0) - np.array([4, 2, 1]) / 7).max() < 0.03


# --- from the config ---


def ahp_config(tmp_path, judgments, limit=0.1):
    data = yaml.safe_load((ROOT / "configs" / "leh_ahp.yaml").read_text())
    data["catalog"] = str(ROOT / "layers" / "leh.yaml")
    data["scheme"]["file"] = str(ROOT / "schemes" / "emc2.yaml")
    with_repo_paths(data)
    data["weighting"]["ahp"] = {"judgments": judgments, "max_consistency_ratio": limit}
    path = tmp_path / "ahp.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def five_judgments(**override):
    j = {
        "time_to_airport_min": {
            "time_to_leh_min": 2,
            "highway_distance_km": 3,
            "slope_mean_deg": 1,
            "elevation_m": 5,
        },
        "time_to_leh_min": {
            "highway_distance_km": "3/2",
            "slope_mean_deg": "1/2",
            "elevation_m": 3,
        },
        "highway_distance_km": {"slope_mean_deg": "1/3", "elevation_m": 2},
        "slope_mean_deg": {"elevation_m": 5},
    }
    for key, value in override.items():
        row, col = key.split("__")
        j[row][col] = value
    return j


def test_ahp_from_config_with_fractions(tmp_path):
    config = load_config(ahp_config(tmp_path, five_judgments())).config
    report = resolve_weights(config, tmp_path / "ahp.yaml")
    assert report.method == "ahp" and report.consistency_ratio < 0.1
    assert sum(report.weights.values()) == pytest.approx(1)
    assert max(report.weights, key=report.weights.get) in {"time_to_airport_min", "slope_mean_deg"}


def test_inconsistent_ahp_is_refused_with_the_judgments_to_revisit(tmp_path):
    bad = five_judgments(slope_mean_deg__elevation_m="1/9", highway_distance_km__elevation_m=9)
    path = ahp_config(tmp_path, bad)
    config = load_config(path).config
    with pytest.raises(
        ConfigError,
        match=r"weighting.ahp: consistency ratio 0\.\d+ exceeds"
        r" max_consistency_ratio 0.1.*Revisit.*elevation_m",
    ):
        resolve_weights(config, path)


def test_judgment_outside_saatys_scale(tmp_path):
    with pytest.raises(ConfigError, match=r"judgments run from 1/9 to 9.*found 12"):
        load_config(ahp_config(tmp_path, five_judgments(slope_mean_deg__elevation_m=12)))
