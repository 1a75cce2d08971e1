import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sitesel.decision.aggregation import normalised_weights, rank_sites, weighted_sum
from sitesel.decision.constraints import Rule, exclusion_reasons


def test_weighted_sum_by_hand():
    scores = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0])}
    np.testing.assert_allclose(weighted_sum(scores, {"a": 3, "b": 1}), [0.75, 0.25])


def test_weights_must_be_positive():
    with pytest.raises(ValueError):
        normalised_weights({"a": 0.0})


def test_ties_broken_by_site_id_and_excluded_unranked():
    ranks = rank_sites(
        np.array([0.5, 0.5, 0.9, 0.99]), np.array([False, False, False, True]), ["z", "a", "m", "x"]
    )
    assert ranks.tolist()[:3] == [3, 2, 1]
    assert ranks.isna().tolist() == [False, False, False, True]


def test_constraints_collect_every_reason():
    reasons = exclusion_reasons(
        3,
        raw={"t": np.array([10.0, 200.0, np.nan]), "s": np.array([20.0, 1.0, 1.0])},
        rules=[Rule("t", ">", 120, "too far"), Rule("s", ">=", 20)],
        required=["t"],
        outside_area=np.array([False, False, True]),
    )
    assert reasons.tolist() == ["s >= 20", "too far", "outside the study area; no value for t"]


site_scores = st.integers(2, 30).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, (3, n), elements=st.floats(0, 1)),
        arrays(np.bool_, n),
    )
)


@given(site_scores, st.lists(st.floats(0.01, 100), min_size=3, max_size=3), st.floats(0.01, 1000))
def test_scaling_weights_keeps_the_ranking(data, weights, factor):
    scores_arr, excluded = data
    scores = {f"c{i}": scores_arr[i] for i in range(3)}
    ids = [f"s{i:03d}" for i in range(scores_arr.shape[1])]
    base = weighted_sum(scores, {f"c{i}": w for i, w in enumerate(weights)})
    scaled = weighted_sum(scores, {f"c{i}": w * factor for i, w in enumerate(weights)})
    np.testing.assert_allclose(base, scaled, atol=1e-12)
    assert rank_sites(base, excluded, ids).isna().tolist() == excluded.tolist()


@given(site_scores, st.integers(0, 29), st.floats(0, 1))
def test_raising_a_score_never_lowers_suitability(data, site, bump):
    scores_arr, _ = data
    site %= scores_arr.shape[1]
    scores = {f"c{i}": scores_arr[i].copy() for i in range(3)}
    before = weighted_sum(scores, {"c0": 1, "c1": 2, "c2": 3})
    scores["c1"][site] = max(scores["c1"][site], bump)
    after = weighted_sum(scores, {"c0": 1, "c1": 2, "c2": 3})
    assert after[site] >= before[site] - 1e-12
