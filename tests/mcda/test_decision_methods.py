"""Decision methods against hand calculation and against pymcdm (issue 12).

pymcdm (Kizielewicz, Shekhovtsov & Sałabun 2023, SoftwareX 22) is an independent
implementation; on random decision matrices every method both implement must give the same
numbers. Known answers are worked by hand in the comments from each method's definition.
"""

import numpy as np
import pytest
from pymcdm import methods as pm
from pymcdm import normalizations as pn
from pymcdm import weights as pw

from sitesel.mcda.aggregation import aggregate
from sitesel.mcda.methods.vikor import vikor_conditions
from sitesel.mcda.robustness import stability_intervals

# pymcdm warns when a random matrix has a dominant alternative; the numbers stay valid.
pytestmark = pytest.mark.filterwarnings("ignore:Alternatives with indices:UserWarning")


def random_problems(count=20, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n, m = int(rng.integers(4, 30)), int(rng.integers(2, 7))
        yield rng.random((n, m)), rng.dirichlet(np.ones(m))


@pytest.mark.parametrize("case", range(20))
def test_topsis_vector_normalisation_equals_pymcdm(case):
    s, w = list(random_problems())[case]
    ours = aggregate(s, w, method="topsis", normalisation="vector")
    theirs = pm.TOPSIS(pn.vector_normalization)(s, w, np.ones(s.shape[1]))
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("case", range(20))
def test_topsis_min_max_equals_pymcdm_on_min_max_scores(case):
    s, w = list(random_problems(seed=1))[case]
    s = (s - s.min(axis=0)) / (s.max(axis=0) - s.min(axis=0))  # what value functions give
    ours = aggregate(s, w, method="topsis")
    theirs = pm.TOPSIS(pn.minmax_normalization)(s, w, np.ones(s.shape[1]))
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("v", [0.0, 0.3, 0.5, 1.0])
def test_vikor_equals_pymcdm(v):
    for s, w in random_problems(seed=2):
        ours = 1.0 - aggregate(s, w, method="vikor", v=v)
        theirs = pm.VIKOR(v=v)(s, w, np.ones(s.shape[1]))
        np.testing.assert_allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize(
    ("ours", "theirs", "q", "p"),
    [
        ("usual", "usual", None, None),
        ("v_shape", "vshape", None, 0.3),
        ("linear", "vshape_2", 0.1, 0.4),
    ],
)
def test_promethee_ii_equals_pymcdm(ours, theirs, q, p):
    for s, w in random_problems(seed=3):
        m = s.shape[1]
        prefs = {f"c{j}": {"type": ours, "q": q or 0.0, "p": p} for j in range(m)}
        phi = 2 * aggregate(s, w, method="promethee_ii", preferences=prefs) - 1
        kw = {}
        if p is not None:
            kw["p"] = [p] * m
        if q is not None:
            kw["q"] = [q] * m
        expected = pm.PROMETHEE_II(theirs, **kw)(s, w, np.ones(m))
        np.testing.assert_allclose(phi, expected, atol=1e-12)


def test_weighted_sum_and_product_equal_pymcdm():
    for s, w in random_problems(seed=4):
        s = (s - s.min(axis=0)) / (s.max(axis=0) - s.min(axis=0))  # min-max: unchanged by pymcdm
        types = np.ones(s.shape[1])
        minmax = pn.minmax_normalization
        np.testing.assert_allclose(aggregate(s, w), pm.WSM(minmax)(s, w, types), atol=1e-12)
        # pymcdm's WPM is the product of s ** w, sitesel's the same weighted geometric mean.
        np.testing.assert_allclose(
            aggregate(s, w, method="weighted_product"), pm.WPM(minmax)(s, w, types), atol=1e-12
        )


def test_promethee_usual_by_hand():
    # Three sites, one criterion: a beats b and c, b beats c. phi(a) = (2 - 0) / 2 = 1,
    # phi(b) = (1 - 1) / 2 = 0, phi(c) = -1; suitability (phi + 1) / 2.
    s = np.array([[0.9], [0.5], [0.1]])
    assert aggregate(s, np.array([1.0]), method="promethee_ii").tolist() == [1.0, 0.5, 0.0]


def test_vikor_by_hand_and_its_conditions():
    # Two benefit criteria, equal weights, v = 0.5. Best (1, 1), worst (0, 0) per column.
    # a (1, 0): S = 0.5, R = 0.5; b (0.6, 0.6): S = 0.4, R = 0.2; c (0, 1): S = 0.5, R = 0.5.
    # S* = 0.4, S- = 0.5, R* = 0.2, R- = 0.5: Q(b) = 0, Q(a) = Q(c) = 1.
    s = np.array([[1.0, 0.0], [0.6, 0.6], [0.0, 1.0]])
    w = np.array([0.5, 0.5])
    np.testing.assert_allclose(aggregate(s, w, method="vikor"), [0.0, 1.0, 0.0])
    found = vikor_conditions(s, w, 0.5, np.ones(3, bool), ["a", "b", "c"])
    # DQ = 1 / (3 - 1) = 0.5; Q(a2) - Q(b) = 1 >= 0.5; b is best by S and by R.
    assert found.acceptable_advantage and found.acceptable_stability
    assert found.compromise_set == ["b"] and found.dq == 0.5


def test_vikor_without_advantage_proposes_a_compromise_set():
    s = np.array([[1.0, 0.0], [0.55, 0.5], [0.5, 0.55], [0.0, 1.0]])
    found = vikor_conditions(s, np.array([0.5, 0.5]), 0.5, np.ones(4, bool), list("abcd"))
    assert not found.acceptable_advantage
    assert found.compromise_set[:2] in (["b", "c"], ["c", "b"])


def test_one_at_a_time_with_weighted_product_zeros():
    """Issue 12: a zero score gave 0 * log 0 = NaN; an excluded site was named challenger."""
    s = np.array(
        [
            [0.0, 1.0, 1.0],  # excluded: would win outright once criterion 0 weighs nothing
            [0.0, 0.95, 0.9],  # a candidate vetoed by criterion 0 unless its weight is 0
            [0.6, 0.6, 0.6],
            [0.5, 0.7, 0.5],
        ]
    )
    candidates = np.array([False, True, True, True])
    ids = ["x", "zero", "even", "other"]

    def aggregator(w):
        return aggregate(s, w, method="weighted_product")

    assert not np.isnan(aggregator(np.array([0.0, 0.5, 0.5]))).any()
    (first, *_) = stability_intervals(
        aggregator,
        np.array([0.4, 0.3, 0.3]),
        ["c0", "c1", "c2"],
        candidates=candidates,
        site_ids=ids,
    )
    # Only at weight 0 does "zero" escape its veto: 0 ** 0 = 1 and it then leads.
    assert first.lower is not None and first.lower < 1e-5
    assert first.lower_challenger == "zero"


def test_entropy_and_critic_weights_equal_pymcdm():
    from sitesel.mcda.objective_weights import critic_weights, entropy_weights

    for s, _ in random_problems(seed=5):
        s = s + 0.01  # entropy needs positive values
        types = np.ones(s.shape[1])
        np.testing.assert_allclose(entropy_weights(s), pw.entropy_weights(s), atol=1e-12)
        np.testing.assert_allclose(critic_weights(s), pw.critic_weights(s, types), atol=1e-12)


def test_smaa2_acceptabilities_central_weights_and_confidence():
    from sitesel.mcda.robustness import dirichlet_weights, monte_carlo
    from sitesel.mcda.smaa import smaa2

    # a is best on criterion 0, c on criterion 1, b is the balanced middle.
    s = np.array([[1.0, 0.0], [0.6, 0.6], [0.0, 1.0]])
    ids = ["a", "b", "c"]
    candidates = np.ones(3, bool)

    def aggregator(w):
        return aggregate(s, w)

    draws = dirichlet_weights(np.array([0.5, 0.5]), concentration=2, draws=4000,
                              rng=np.random.default_rng(1))  # fmt: skip
    stats = monte_carlo(aggregator, draws, candidates=candidates, site_ids=ids, top_k=3)
    leaders = smaa2(
        stats.ranks, draws, candidate_index=stats.candidate_index, aggregator=aggregator,
        candidates=candidates, site_ids=ids, top_k=3,
    )  # fmt: skip
    by_id = {site.site_id: site for site in leaders}
    # b^1 is P(rank 1); each rank is held by exactly one site in every draw.
    for site in leaders:
        assert site.acceptability[0] == pytest.approx(stats.p_rank1[ids.index(site.site_id)])
    assert sum(site.acceptability[0] for site in leaders) == pytest.approx(1.0)
    # Weighted sum: a beats b iff w0 > 0.6 w0 + 0.6 (1 - w0), i.e. w0 > 0.6; c iff w1 > 0.6;
    # b wins in between. The central weights lie inside each winning interval.
    assert by_id["a"].central_weights[0] > 0.6 and by_id["c"].central_weights[1] > 0.6
    assert 0.4 < by_id["b"].central_weights[0] < 0.6
    assert abs(by_id["b"].central_weights[0] - 0.5) < 0.02  # symmetric problem
    # Each site's winning region is convex here, so its central weights make it first.
    assert all(site.confidence_factor == 1.0 for site in leaders)


@pytest.mark.parametrize("seed", range(5))
def test_bwm_gives_back_weights_its_judgments_are_consistent_with(seed):
    from sitesel.mcda.bwm import bwm_weights

    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(5))
    names = list("abcde")
    best, worst = names[int(np.argmax(w))], names[int(np.argmin(w))]
    to_others = {n: w.max() / w[k] for k, n in enumerate(names)}
    to_worst = {n: w[k] / w.min() for k, n in enumerate(names)}
    found = bwm_weights(names, best, worst, to_others, to_worst)
    np.testing.assert_allclose(found.weights, w, atol=1e-9)
    assert found.xi == pytest.approx(0, abs=1e-9) and found.consistency_ratio == pytest.approx(0)


def test_bwm_linear_model_is_the_minimax_solution():
    """Inconsistent judgments: no weight vector has a smaller largest deviation than xi
    (checked by brute force over a 0.001 grid of the 3-criterion simplex)."""
    from sitesel.mcda.bwm import bwm_weights

    to_others = {"a": 1, "b": 2, "c": 8}
    to_worst = {"a": 8, "b": 2, "c": 1}  # a -> b -> c says 4, a -> c says 8
    found = bwm_weights("abc", "a", "c", to_others, to_worst)
    grid = np.arange(0, 1.0005, 0.001)
    wa, wb = np.meshgrid(grid, grid)
    wc = 1 - wa - wb
    ok = wc >= -1e-12
    deviation = np.max(
        np.abs(
            np.stack([wa - 2 * wb, wa - 8 * wc, wb - 2 * wc, wa - 8 * wc])  # the four nonzero
        ),
        axis=0,
    )
    assert found.xi == pytest.approx(deviation[ok].min(), abs=2e-3)
    assert found.xi > 0.01
    # Liang et al. (2020): CR = |a_Bb a_bW - a_BW| / (a_BW^2 - a_BW) = |2*2 - 8| / 56.
    assert found.consistency_ratio == pytest.approx(4 / 56) and found.worst_pair == "b"
    assert found.weights.sum() == pytest.approx(1) and found.weights.argmax() == 0


def test_bwm_in_a_config_and_its_checks(tmp_path):
    import yaml

    from sitesel.api import load_config
    from sitesel.errors import ConfigError
    from sitesel.mcda.weights import resolve_weights

    from ..cases import leh_dict

    config = leh_dict()
    scored = [n for n, c in config["criteria"].items() if "value" in c]
    for spec in config["criteria"].values():
        spec.pop("weight", None)
    others = dict.fromkeys(scored, 2) | {"slope_mean_deg": 1, "elevation_m": 6}
    to_worst = dict.fromkeys(scored, 3) | {"slope_mean_deg": 6, "elevation_m": 1}
    config["weighting"] = {
        "method": "bwm",
        "bwm": {"best": "slope_mean_deg", "worst": "elevation_m",
                "best_to_others": others, "others_to_worst": to_worst},
    }  # fmt: skip
    path = tmp_path / "bwm.yaml"
    path.write_text(yaml.safe_dump(config))
    report = resolve_weights(load_config(path).config, path)
    assert max(report.weights, key=report.weights.get) == "slope_mean_deg"
    assert min(report.weights, key=report.weights.get) == "elevation_m"
    assert report.consistency_ratio == pytest.approx(0)  # 2 * 3 == 6 for every criterion
    config["weighting"]["bwm"]["others_to_worst"]["slope_mean_deg"] = 5
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError, match=r"are the same judgment \(best over worst\)"):
        load_config(path)
    config["weighting"]["bwm"]["others_to_worst"]["slope_mean_deg"] = 6
    config["weighting"]["bwm"]["others_to_worst"]["workforce_30min"] = 9
    config["weighting"]["bwm"]["max_consistency_ratio"] = 0.1
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(
        ConfigError, match=r"weighting.bwm: consistency ratio 0\.400.*workforce_30min"
    ):
        resolve_weights(load_config(path).config, path)
