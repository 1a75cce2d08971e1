"""The compare map's classes worked by hand: rank-change edges, colours, suitability fifths,
and the numbers its list of movers prints (issue 31: mutmut's survivors in diffmap.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sitesel.render.compare_map.diffmap import (
    FELL,
    ONLY_A,
    ONLY_B,
    ROSE,
    SAME,
    SUIT_COLOURS,
    UNRANKED,
    _colour,
    _fmt_rank,
    _fmt_suit,
    _suit_colour,
    change_edges,
)


@pytest.mark.parametrize(
    ("change", "edges"),
    [
        # 95th percentile of 0..100 is 95: a third 31.7 -> 32, two thirds 63.3 -> 63
        (np.arange(101.0), (32, 63)),
        (-np.arange(101.0), (32, 63)),  # falls count as much as rises
        (np.r_[np.arange(101.0), np.nan, np.nan], (32, 63)),  # unranked sites left out
        (np.full(20, 30.0), (10, 20)),
        (np.full(20, 4.0), (1, 3)),  # a third 1.3 -> 1, two thirds 2.7 -> 3
        (np.full(20, 1.6), (1, 2)),  # two thirds round to 1: the upper edge is kept above
        (np.zeros(5), (1, 2)),  # nothing moved: the least edges
        (np.array([]), (1, 2)),  # no site ranked in both: scale 3 -> (1, 2)
        (np.array([np.nan]), (1, 2)),
    ],
)
def test_the_legends_edges_are_thirds_of_the_95th_percentile_of_the_change(change, edges):
    assert change_edges(change) == edges


def test_no_change_is_scale_three_not_a_percentile_of_nothing():
    # The default scale of 3 gives (1, 2); a scale of 4 would give (1, 3).
    assert change_edges(np.array([np.nan, np.nan])) == (1, 2)


@pytest.mark.parametrize(
    ("change", "colour"),
    [(0, SAME), (1, ROSE[0]), (2, ROSE[0]), (3, ROSE[1]), (5, ROSE[1]), (6, ROSE[2]),
     (40, ROSE[2]), (-1, FELL[0]), (-2, FELL[0]), (-3, FELL[1]), (-5, FELL[1]), (-6, FELL[2]),
     (math.nan, UNRANKED)],
)  # fmt: skip
def test_a_sites_colour_by_its_rank_change_with_edges_2_and_5(change, colour):
    """Rises in blues and falls in reds, each in three steps: up to 2 places, up to 5,
    more; an edge belongs to the step below it."""
    assert _colour(change, (2, 5)) == colour
    assert _colour(change, (2, 5), "ranked in both") == colour


def test_a_site_ranked_in_one_run_only_has_that_runs_colour_whatever_its_change():
    for change in (math.nan, 0.0, 4.0):
        assert _colour(change, (2, 5), "ranked in A only") == ONLY_A
        assert _colour(change, (2, 5), "ranked in B only") == ONLY_B


@pytest.mark.parametrize(
    ("suitability", "fifth"),
    [(0.0, 0), (0.19, 0), (0.2, 1), (0.39, 1), (0.4, 2), (0.59, 2), (0.6, 3), (0.79, 3),
     (0.8, 4), (0.99, 4), (1.0, 4)],
)  # fmt: skip
def test_suitability_in_fifths_the_best_score_in_the_top_fifth(suitability, fifth):
    assert _suit_colour(suitability) == SUIT_COLOURS[fifth]


def test_a_site_without_suitability_is_grey():
    assert _suit_colour(math.nan) == UNRANKED
    assert _suit_colour(math.inf) == UNRANKED


def test_the_movers_list_prints_whole_ranks_and_three_decimals_or_a_dash():
    assert _fmt_rank(12.0) == "12" and _fmt_rank(3) == "3"
    assert _fmt_rank(None) == "-" and _fmt_rank(math.nan) == "-" and _fmt_rank(math.inf) == "-"
    assert _fmt_suit(0.12345) == "0.123" and _fmt_suit(1) == "1.000"
    assert _fmt_suit(None) == "-" and _fmt_suit(math.nan) == "-"
