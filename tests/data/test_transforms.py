import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sitesel.mcda import value_functions as transforms

finite = st.floats(-1e6, 1e6, allow_nan=False)
values = arrays(np.float64, st.integers(1, 50), elements=finite)


def test_linear_benefit_and_cost_are_mirror_images():
    x = np.array([0.0, 10, 20, 30, 40])
    benefit = transforms.linear(x, low=10, high=30, direction="benefit")
    cost = transforms.linear(x, low=10, high=30, direction="cost")
    assert benefit.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    np.testing.assert_allclose(benefit + cost, 1.0)


def test_step_classes_include_lower_break():
    x = np.array([4.999, 5.0, 9.999, 10.0, np.nan])
    out = transforms.step(x, breaks=[5, 10], scores=[1.0, 0.4, 0.0])
    assert out[:4].tolist() == [1.0, 0.4, 0.4, 0.0]
    assert np.isnan(out[4])


def test_sigmoid_midpoint_and_width():
    out = transforms.sigmoid(
        np.array([20.0, 25.0, 30.0]), midpoint=25, width=10, direction="benefit"
    )
    assert out[1] == pytest.approx(0.5)
    assert out[0] == pytest.approx(1 / (1 + np.e))
    assert out[2] == pytest.approx(1 - 1 / (1 + np.e))


def test_nan_stays_nan():
    x = np.array([np.nan])
    assert np.isnan(transforms.linear(x, low=0, high=1, direction="cost"))[0]
    assert np.isnan(transforms.sigmoid(x, midpoint=0, width=1, direction="cost"))[0]


@given(values, finite, st.floats(1e-3, 1e5), st.sampled_from(["benefit", "cost"]))
def test_scores_always_in_unit_interval(x, low, span, direction):
    for out in (
        transforms.linear(x, low=low, high=low + span, direction=direction),
        transforms.sigmoid(x, midpoint=low, width=span, direction=direction),
        transforms.step(x, breaks=[low, low + span], scores=[0.0, 0.3, 1.0]),
    ):
        assert np.all((out >= 0) & (out <= 1))


@given(values, finite, st.floats(1e-3, 1e5))
def test_benefit_is_monotone(x, low, span):
    order = np.argsort(x)
    out = transforms.linear(x[order], low=low, high=low + span, direction="benefit")
    assert np.all(np.diff(out) >= 0)
