"""The decision methods of issue 12 through a real (small) study: objective weights, VIKOR,
PROMETHEE II and TOPSIS with vector normalisation, each checked against its definition."""

import numpy as np
import pytest
import yaml

import sitesel
from sitesel.mcda.objective_weights import critic_weights, entropy_weights
from sitesel.mcda.weights import WeightReport

from ..studies.test_study_paths import RANKING, small_study


def run_with(tmp_path, data_dir, **sections):
    config = small_study() | sections
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(config))
    return sitesel.run(path, data_dir=data_dir, offline=True)


def candidate_scores(result):
    sites = result.sites[~result.sites["excluded"]]
    return sites, sites[[f"score__{n}" for n in RANKING]].to_numpy()


def test_entropy_weights_come_from_the_candidates_scores(tmp_path, data_dir):
    result = run_with(
        tmp_path, data_dir, weighting={"method": "entropy"}, aggregation={"method": "weighted_sum"}
    )
    _, scores = candidate_scores(result)
    assert [result.weights[n] for n in RANKING] == pytest.approx(entropy_weights(scores).tolist())
    weighting = result.manifest.weighting
    assert weighting["method"] == "entropy" and set(weighting["objective_weights"]) == {
        "entropy",
        "critic",
    }


def test_committee_weights_combined_with_critic(tmp_path, data_dir):
    weighting = small_study()["weighting"] | {"objective": "critic"}
    result = run_with(
        tmp_path, data_dir, weighting=weighting, aggregation={"method": "weighted_sum"}
    )
    _, scores = candidate_scores(result)
    subjective = np.array([11 / 18, 5 / 18, 2 / 18])  # rank-order centroid
    combined = subjective * critic_weights(scores)
    assert [result.weights[n] for n in RANKING] == pytest.approx(
        (combined / combined.sum()).tolist()
    )
    report = WeightReport.from_json(result.manifest.weighting)
    assert report.subjective_weights == pytest.approx(dict(zip(RANKING, subjective, strict=True)))
    assert any("critic" in line for line in report.lines())


def test_vikor_run_reports_its_conditions(tmp_path, data_dir):
    result = run_with(tmp_path, data_dir, aggregation={"method": "vikor", "v": 0.5})
    sites, scores = candidate_scores(result)
    w = np.array([result.weights[n] for n in RANKING])
    best, worst = scores.max(axis=0), scores.min(axis=0)
    terms = np.where(best > worst, (best - scores) / np.where(best > worst, best - worst, 1), 0)
    s_, r_ = (terms * w).sum(axis=1), (terms * w).max(axis=1)
    q = 0.5 * (s_ - s_.min()) / (s_.max() - s_.min()) + 0.5 * (r_ - r_.min()) / (
        r_.max() - r_.min()
    )
    np.testing.assert_allclose(sites["suitability"], 1 - q, atol=1e-9)
    about = result.manifest.aggregation
    assert about["dq"] == pytest.approx(1 / (len(sites) - 1), abs=1e-6)
    leader = sites.loc[sites["rank"] == 1, "site_id"].item()
    assert about["compromise_set"][0] == leader
    assert isinstance(about["acceptable_advantage"], bool)


def test_promethee_ii_run_with_a_v_shape_criterion(tmp_path, data_dir):
    aggregation = {
        "method": "promethee_ii",
        "preferences": {"slope_mean_deg": {"type": "v_shape", "p": 0.5}},
    }
    result = run_with(tmp_path, data_dir, aggregation=aggregation)
    sites, scores = candidate_scores(result)
    w = np.array([result.weights[n] for n in RANKING])
    d = scores[:, None, :] - scores[None, :, :]  # (a, b, criterion)
    pref = (d > 0).astype(float)
    pref[..., 1] = np.clip(d[..., 1] / 0.5, 0, 1)  # slope: V-shape with p = 0.5
    pi = (pref * w).sum(axis=2)
    phi = (pi.sum(axis=1) - pi.sum(axis=0)) / (len(scores) - 1)
    np.testing.assert_allclose(sites["suitability"], (phi + 1) / 2, atol=1e-9)


def test_topsis_vector_normalisation_is_recorded(tmp_path, data_dir):
    result = run_with(
        tmp_path, data_dir, aggregation={"method": "topsis", "normalisation": "vector"}
    )
    assert result.manifest.aggregation == {"method": "topsis", "normalisation": "vector"}


def test_ahp_judgment_draws_are_combined_with_the_objective_weights(tmp_path):
    """With weighting.objective, the Monte Carlo draws of perturbed AHP judgments are
    combined the same way as the weights the ranking used (so they centre on them)."""
    from sitesel.api import load_config
    from sitesel.mcda.weight_draws import weight_draws
    from sitesel.mcda.weights import resolve_weights, weight_vector, with_objective

    from ..cases import with_repo_paths
    from ..conftest import ROOT

    data = yaml.safe_load((ROOT / "configs" / "leh_ahp.yaml").read_text())
    data["catalog"] = str(ROOT / "layers" / "leh.yaml")
    data["scheme"]["file"] = str(ROOT / "schemes" / "emc2.yaml")
    with_repo_paths(data)
    data["weighting"]["objective"] = "critic"
    path = tmp_path / "ahp_critic.yaml"
    path.write_text(yaml.safe_dump(data))
    config = load_config(path).config
    scored = config.scored
    scores = np.random.default_rng(2).random((300, len(scored)))
    scores[:, 2:] = 0.5  # flat criteria (one outlier each): CRITIC weighs them near zero
    scores[0, 2:] = 1.0
    report = with_objective(resolve_weights(config, path), scores, scored)
    used = weight_vector(report, scored)
    assert config.robustness is not None and config.robustness.monte_carlo is not None
    draws = weight_draws(config.robustness.monte_carlo, config, path, used, report)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0)
    assert report.subjective_weights is not None
    subjective = np.array([report.subjective_weights[n] for n in scored])
    assert np.abs(used - subjective).max() > 0.1  # combining moved the weights
    np.testing.assert_allclose(draws.mean(axis=0), used, atol=0.03)
