"""Aggregation, ranking and constraints: by hand, and properties of what the pipeline runs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sitesel.exclusions.text import joined
from sitesel.exclusions.thresholds import (
    Threshold,
    missing_records,
    outside_records,
    threshold_records,
)
from sitesel.mcda.aggregation import aggregate, rank_sites
from sitesel.mcda.methods.owa import owa_order_weights

METHODS = ["weighted_sum", "weighted_product", "owa", "topsis"]


def test_weighted_sum_by_hand():
    scores = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(aggregate(scores, np.array([3.0, 1.0])), [0.75, 0.25])


def test_ties_broken_by_site_id_and_excluded_unranked():
    ranks = rank_sites(
        np.array([0.5, 0.5, 0.9, 0.99]), np.array([False, False, False, True]), ["z", "a", "m", "x"]
    )
    assert ranks.tolist()[:3] == [3, 2, 1]
    assert ranks.isna().tolist() == [False, False, False, True]


def test_constraints_collect_every_reason():
    raw = {"t": np.array([10.0, 200.0, np.nan]), "s": np.array([20.0, 1.0, 1.0])}
    records = (
        outside_records(np.array([False, False, True]))
        + missing_records(raw, {"t": "no value for t"}, {})
        + threshold_records(raw, [("c0", Threshold("t", ">", 120, "too far")),
                                  ("c1", Threshold("s", ">=", 20))])
    )  # fmt: skip
    reasons = joined(records, "exclude", 3)
    assert reasons.tolist() == ["s >= 20", "too far", "outside the study area; no value for t"]


site_scores = st.integers(2, 30).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, (n, 3), elements=st.floats(0, 1)),
        arrays(np.bool_, n),
    )
)
weight_vectors = st.lists(st.floats(0.01, 100), min_size=3, max_size=3).map(np.array)


def _aggregate(scores, weights, method, candidates=None):
    """The call the pipeline makes (pipeline.scoring.score); OWA with an andness of 0.3."""
    order = owa_order_weights(scores.shape[1], 0.3) if method == "owa" else None
    params = {} if order is None else {"order_weights": order}
    return aggregate(scores, weights, method=method, candidates=candidates, **params)


@pytest.mark.parametrize("method", METHODS)
@given(data=site_scores, weights=weight_vectors, factor=st.floats(0.01, 1000))
def test_scaling_weights_keeps_suitability_and_ranking(method, data, weights, factor):
    scores, excluded = data
    ids = [f"s{i:03d}" for i in range(len(scores))]
    base = _aggregate(scores, weights, method, ~excluded)
    scaled = _aggregate(scores, weights * factor, method, ~excluded)
    np.testing.assert_allclose(base, scaled, atol=1e-9)
    assert np.all((base >= -1e-12) & (base <= 1 + 1e-12))
    assert rank_sites(base, excluded, ids).isna().tolist() == excluded.tolist()


@pytest.mark.parametrize("method", METHODS)
@given(data=site_scores, draws=st.lists(weight_vectors, min_size=1, max_size=4))
def test_a_batch_of_weight_draws_scores_each_draw_as_alone(method, data, draws):
    """Monte Carlo scores many weight vectors in one call: each row must equal its own run."""
    scores, excluded = data
    batch = _aggregate(scores, np.vstack(draws), method, ~excluded)
    for k, w in enumerate(draws):
        np.testing.assert_allclose(batch[k], _aggregate(scores, w, method, ~excluded), atol=1e-12)


@pytest.mark.parametrize("method", ["weighted_sum", "weighted_product"])
@given(data=site_scores, site=st.integers(0, 29), bump=st.floats(0, 1), weights=weight_vectors)
def test_raising_a_score_never_lowers_suitability(method, data, site, bump, weights):
    scores, _ = data
    site %= len(scores)
    before = _aggregate(scores, weights, method)
    raised = scores.copy()
    raised[site, 1] = max(raised[site, 1], bump)
    after = _aggregate(raised, weights, method)
    assert after[site] >= before[site] - 1e-12


@given(data=site_scores, weights=weight_vectors)
def test_weighted_sum_lies_between_the_worst_and_best_score(data, weights):
    scores, _ = data
    suit = _aggregate(scores, weights, "weighted_sum")
    assert np.all(suit >= scores.min(axis=1) - 1e-12)
    assert np.all(suit <= scores.max(axis=1) + 1e-12)


@given(data=site_scores, weights=weight_vectors)
def test_a_zero_score_vetoes_the_weighted_product(data, weights):
    scores, _ = data
    scores = scores.copy()
    scores[0, 2] = 0.0
    assert _aggregate(scores, weights, "weighted_product")[0] == 0.0
