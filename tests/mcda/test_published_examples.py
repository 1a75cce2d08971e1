"""Decision methods against the worked examples of the papers and textbooks (issue 12).

Each test gives the source of its numbers. The published results were transcribed from the
sources by the authors of two independent libraries' test suites (pymcdm 1.4.0,
``test/test_mcdm.py``; pyrepo-mcda 0.1.15, ``tests/test_mcda_methods_*.py``) and, for the
BWM, of the R package BWM; the smaller examples are also worked by hand in the comments, so
they do not rest on that transcription.

sitesel's aggregations take benefit scores and return a suitability in [0, 1] where higher
is better. VIKOR's Q and PROMETHEE II's net flow phi are recovered as ``Q = 1 - suitability``
and ``phi = 2 * suitability - 1``. A cost criterion is passed negated: VIKOR's distance
``(f* - f) / (f* - f-)`` and PROMETHEE's differences are unchanged by that.
"""

import numpy as np
import pytest

from sitesel.mcda.aggregation import aggregate
from sitesel.mcda.ahp import ahp
from sitesel.mcda.bwm import bwm_weights
from sitesel.mcda.methods.promethee_ii import Preference, net_flows

# Papathanasiou & Ploskas (2018), Multiple Criteria Decision Aid, Springer, ch. 2-3
# (doi:10.1007/978-3-319-91648-4): six alternatives, four benefit criteria.
PAPATHANASIOU_MATRIX = np.array(
    [[8, 7, 2, 1], [5, 3, 7, 5], [7, 5, 6, 4], [9, 9, 7, 3], [11, 10, 3, 7], [6, 9, 5, 4]],
    dtype=float,
)
PAPATHANASIOU_WEIGHTS = np.array([0.4, 0.3, 0.1, 0.2])


def vikor_q(scores: np.ndarray, weights: np.ndarray, v: float = 0.5) -> np.ndarray:
    return 1.0 - aggregate(scores, weights, method="vikor", v=v)


def promethee_phi(
    scores: np.ndarray, weights: np.ndarray, preferences: tuple[Preference, ...] | None = None
) -> np.ndarray:
    """PROMETHEE II's net flow; with preference thresholds on the papers' own scales (a
    config's are on the 0-1 score scale), from the flows' arithmetic directly."""
    if preferences is None:
        return 2.0 * aggregate(scores, weights, method="promethee_ii") - 1.0
    flows = net_flows(scores, list(preferences), np.ones(len(scores), bool))
    return flows @ (weights / weights.sum())


def test_vikor_opricovic_and_tzeng_2004():
    # Opricovic & Tzeng (2004), EJOR 156(2) 445-455, the example comparing VIKOR with
    # TOPSIS: A1 (1, 3000), A2 (2, 3750), A3 (5, 4500); f1 to minimise, f2 to maximise,
    # equal weights, v = 0.5. By hand: S = (0.5, 0.375, 0.5), R = (0.5, 0.25, 0.5), so
    # Q = (1, 0, 1): A2 is the compromise VIKOR proposes.
    scores = np.array([[-1, 3000], [-2, 3750], [-5, 4500]], dtype=float)
    np.testing.assert_allclose(vikor_q(scores, np.array([0.5, 0.5])), [1.0, 0.0, 1.0])


def test_vikor_papathanasiou_and_ploskas_2018():
    # Chapter 2 (VIKOR), v = 0.625: Q = 0.640, 1.000, 0.693, 0.271, 0.000, 0.694.
    q = vikor_q(PAPATHANASIOU_MATRIX, PAPATHANASIOU_WEIGHTS, v=0.625)
    np.testing.assert_allclose(q, [0.640, 1.000, 0.693, 0.271, 0.000, 0.694], atol=5e-4)


def test_vikor_yang_and_wu_2020():
    # Yang & Wu (2020), IEEE Access 8 21261-21271: five alternatives, four benefit
    # criteria, equal weights, v = 0.5. Q = 0.5679, 0.7667, 1, 0.7493, 0.
    scores = np.array(
        [[78, 56, 34, 6], [4, 45, 3, 97], [18, 2, 50, 63], [9, 14, 11, 92], [85, 9, 100, 29]],
        dtype=float,
    )
    q = vikor_q(scores, np.full(4, 0.25))
    np.testing.assert_allclose(q, [0.5679, 0.7667, 1.0, 0.7493, 0.0], atol=5e-5)


def test_promethee_ii_zhao_peng_and_li_2013():
    # Zhao, Peng & Li (2013), Procedia Computer Science 17 181-188, usual criterion.
    # By hand, pi(a, b) sums the weights where a is strictly better:
    # pi(1,2) = 0.8, pi(2,1) = 0.2, pi(1,3) = 0.3, pi(3,1) = 0.7, pi(2,3) = 0.5,
    # pi(3,2) = 0.5; phi = (out - in) / (n - 1) = (0.1, -0.3, 0.2).
    scores = np.array([[4, 3, 2], [3, 2, 4], [5, 1, 3]], dtype=float)
    phi = promethee_phi(scores, np.array([0.5, 0.3, 0.2]))
    np.testing.assert_allclose(phi, [0.1, -0.3, 0.2], atol=1e-12)


def test_promethee_ii_papathanasiou_and_ploskas_2018_linear():
    # Chapter 3 (PROMETHEE): the linear preference function with indifference q = 1 and
    # preference p = 2 on every criterion. phi = -0.26, -0.52, -0.22, 0.36, 0.70, -0.06.
    prefs = tuple(Preference("linear", 1.0, 2.0) for _ in range(4))
    phi = promethee_phi(PAPATHANASIOU_MATRIX, PAPATHANASIOU_WEIGHTS, preferences=prefs)
    np.testing.assert_allclose(phi, [-0.26, -0.52, -0.22, 0.36, 0.70, -0.06], atol=5e-3)


def test_promethee_ii_ziemba_et_al_2017_v_shape():
    # Ziemba, Watrobski, Ziolo & Karczmarczyk (2017), Energies 10(11) 1755 (offshore wind
    # farm sites): 4 sites, 12 criteria, V-shape preference with a p per criterion.
    # phi = -0.0445, 0.1884, -0.0954, -0.0485.
    by_criterion = np.array(
        [
            [16347, 14219, 8160, 8160],
            [9, 8.5, 9, 8.5],
            [73.8, 55, 64.8, 62.5],
            [36.7, 36, 28.5, 29.5],
            [1.5, 2, 2, 1.5],
            [3730, 3240, 1860, 1860],
            [2, 1, 2, 1],
            [1, 1, 2, 3],
            [38.8, 33.1, 45.8, 27.3],
            [4, 2, 4, 3],
            [1720524, 1496512, 858830, 858830],
            [40012, 34803, 19973, 19973],
        ]
    )
    benefit = np.array([-1, -1, -1, -1, -1, 1, -1, -1, 1, -1, 1, 1])
    weights = np.array([20, 5, 5, 1.67, 1.67, 11.67, 11.67, 5, 5, 16.67, 8.33, 8.33])
    p = [7280, 4, 13.4, 7.4, 3, 1662, 3, 3, 13.8, 3, 766240, 17820]
    prefs = tuple(Preference("v_shape", 0.0, float(pj)) for pj in p)
    phi = promethee_phi(by_criterion.T * benefit, weights / weights.sum(), preferences=prefs)
    np.testing.assert_allclose(phi, [-0.0445, 0.1884, -0.0954, -0.0485], atol=5e-5)


def test_ahp_papathanasiou_and_ploskas_2018_hierarchy():
    # Chapter 5 (AHP): criteria judged pairwise, then six alternatives under each criterion;
    # global priorities 0.117, 0.071, 0.095, 0.212, 0.350, 0.155. This checks the
    # eigenvector priorities on 4x4 and 6x6 matrices, all under CR 0.10.
    t, f, s, n = 1 / 3, 1 / 5, 1 / 7, 1 / 9
    criteria = np.array([[1, 1, 5, 3], [1, 1, 5, 3], [f, f, 1, t], [t, t, 3, 1]])
    alternatives = [
        [[1, 5, 1, 1, t, 3], [f, 1, t, f, s, 1], [1, 3, 1, t, f, 1],
         [1, 5, 3, 1, t, 3], [3, 7, 5, 3, 1, 7], [t, 1, 1, t, s, 1]],
        [[1, 7, 3, t, t, t], [s, 1, t, s, n, s], [t, 3, 1, f, f, f],
         [3, 7, 5, 1, 1, 1], [3, 9, 5, 1, 1, 1], [3, 7, 5, 1, 1, 1]],
        [[1, n, s, n, 1, f], [9, 1, 1, 1, 5, 3], [7, 1, 1, 1, 5, 1],
         [9, 1, 1, 1, 7, 3], [1, f, f, s, 1, t], [5, t, 1, t, 3, 1]],
        [[1, f, f, t, s, f], [5, 1, 1, 3, t, 1], [5, 1, 1, 1, t, 1],
         [3, t, 1, 1, s, 1], [7, 3, 3, 7, 1, 5], [5, 1, 1, 1, f, 1]],
    ]  # fmt: skip
    top = ahp(list("abcd"), criteria)
    local = [ahp(list("uvwxyz"), np.array(m)) for m in alternatives]
    assert max(r.consistency_ratio for r in [top, *local]) < 0.10
    overall = np.column_stack([r.weights for r in local]) @ top.weights
    np.testing.assert_allclose(overall, [0.117, 0.071, 0.095, 0.212, 0.350, 0.155], atol=5e-4)


CARS = ["quality", "price", "comfort", "safety", "style"]


@pytest.mark.parametrize(
    ("best_to_others", "others_to_worst", "weights", "xi"),
    [
        ((2, 1, 4, 2, 8), (4, 8, 2, 4, 1), [4 / 19, 8 / 19, 2 / 19, 4 / 19, 1 / 19], 0.0),
        (
            (2, 1, 4, 3, 8),
            (4, 8, 2, 3, 1),
            [0.22950820, 0.44808743, 0.11475410, 0.15300546, 0.05464481],
            0.002444958 * 4.47,
        ),
    ],
)
def test_bwm_linear_model_on_rezaeis_car_example(best_to_others, others_to_worst, weights, xi):
    # Rezaei's car example (criteria quality, price, comfort, safety, style; best price,
    # worst style) in the linear model of Rezaei (2016), Omega 64 126-130, as the R package
    # BWM (J. Tomczak, github.com/jakub-tomczak/BWM, solved with GLPK) records it in
    # tests/testthat/test-example-data.R: the consistent judgments give w = a_jW / sum a_jW
    # exactly; the inconsistent ones give the weights below. That package reports
    # xi / CI(a_BW = 8) = xi / 4.47 = 0.002444958, so xi = 0.010929.
    to_best, to_worst = (dict(zip(CARS, v, strict=True)) for v in (best_to_others, others_to_worst))
    r = bwm_weights(CARS, "price", "style", to_best, to_worst)
    np.testing.assert_allclose(r.weights, weights, atol=1e-8)
    assert r.xi == pytest.approx(xi, abs=1e-8)
