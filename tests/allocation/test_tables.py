"""What each chosen site serves (allocation.csv's rows) and which solver takes a problem.

Hand-worked: four villages, two chosen sites, the minutes and people written out.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from sitesel.allocation.problems import Instance, Solution
from sitesel.allocation.solvers import solve
from sitesel.allocation.tables import site_table
from sitesel.config.allocation import AllocationSpec
from sitesel.errors import ConfigError

SITES = gpd.GeoDataFrame(
    {
        "site_id": [f"S{k}" for k in range(8)],
        "place": [f"place {k}" for k in range(8)],
        "suitability": np.linspace(0.3, 1.0, 8),
        "rank": np.arange(8, 0, -1, dtype=float),
    },
    geometry=shapely.points(np.arange(8.0), np.zeros(8)),
)
# Villages 0 and 1 go to candidate 0, 2 and 3 to candidate 2; village 0 is exactly 15 min.
ASSIGNED = np.array([0, 0, 2, 2])
MINUTES = np.array([15.0, 20.0, 10.0, 40.0])
PEOPLE = np.array([100.0, 300.0, 200.0, 400.0])


def _table(problem, within_min=None):
    spec = AllocationSpec.model_validate(
        {"problem": problem, "k": 2, "within_min": within_min, "demand": {"layer": "v"}}
    )
    chosen = Solution(chosen=np.array([0, 2]), objective=0.0, bound=0.0, solver="s", seconds=0)
    site_rows = np.array([5, 7])  # the candidates are the sites in rows 5 and 7
    return site_table("cfc", spec, chosen, SITES, site_rows, ASSIGNED, MINUTES, PEOPLE)


def test_each_chosen_site_serves_its_villages_within_the_standard():
    table = _table("mclp", within_min=15)
    assert table["site_id"].tolist() == ["S5", "S7"]
    assert table["place"].tolist() == ["place 5", "place 7"]
    assert table["rank"].tolist() == [3.0, 1.0] and table["problem"].tolist() == ["cfc"] * 2
    assert table["demand_served"].tolist() == [400.0, 600.0]
    assert table["mean_min"].tolist() == [(15 * 100 + 20 * 300) / 400, (10 * 200 + 40 * 400) / 600]
    assert table["worst_min"].tolist() == [20.0, 40.0]
    # within 15 min (15 itself counts): 100 people of site S5's, 200 of S7's, of 1,000
    assert table["coverage_share"].tolist() == [0.1, 0.2]


def test_without_a_standard_a_site_covers_all_it_serves():
    table = _table("p_median")
    assert table["coverage_share"].tolist() == [0.4, 0.6]
    assert table["suitability"].tolist() == pytest.approx([0.8, 1.0])  # rows 5 and 7


def test_a_site_serving_no_one_and_sites_without_a_place():
    from sitesel.allocation.tables import site_table

    spec = AllocationSpec.model_validate({"problem": "p_median", "k": 2, "demand": {"layer": "v"}})
    chosen = Solution(chosen=np.array([0, 2]), objective=0.0, bound=0.0, solver="s", seconds=0)
    nobody = np.array([0.0, 0.0, 200.0, 400.0])  # site S5's villages hold no one
    table = site_table("cfc", spec, chosen, SITES.drop(columns="place"), np.array([5, 7]),
                       ASSIGNED, MINUTES, nobody)  # fmt: skip
    assert table["place"].tolist() == ["", ""]
    assert np.isnan(table["mean_min"].iloc[0]) and table["worst_min"].iloc[0] == 20.0
    assert table["mean_min"].iloc[1] == 30.0


def _instance(n_demand, n_candidates, **kw):
    minutes = np.arange(n_demand * n_candidates, dtype=float).reshape(n_demand, n_candidates)
    return Instance(minutes=minutes % 17, weight=np.ones(n_demand), **kw)


def test_a_covering_problem_too_large_to_solve_exactly_is_refused():
    """LSCP has no heuristic: above the limit it is refused, never given to the heuristic."""
    spec = AllocationSpec.model_validate(
        {"problem": "lscp", "within_min": 20, "demand": {"layer": "v"},
         "solver": {"max_exact_variables": 5}}
    )  # fmt: skip
    inst = _instance(4, 6, within_min=20)  # 6 variables: one per candidate
    with pytest.raises(ConfigError) as refused:
        solve(spec, inst, "allocation.cover")
    assert str(refused.value) == (
        "allocation.cover: 6 variables, above solver.max_exact_variables (5), and lscp has no"
        " heuristic here; choose fewer candidates (candidates.top_n) or raise the limit"
    )


def test_a_large_p_median_goes_to_the_heuristic_and_a_small_one_to_the_exact_solver():
    spec = AllocationSpec.model_validate(
        {"problem": "p_median", "k": 2, "demand": {"layer": "v"},
         "solver": {"max_exact_variables": 30}}
    )  # fmt: skip
    small = solve(spec, _instance(4, 6, k=2), "a")  # 6 + 24 = 30 variables
    large = solve(spec, _instance(5, 6, k=2), "a")  # 6 + 30 = 36
    assert small.solver.startswith("HiGHS") and not large.solver.startswith("HiGHS")


def test_the_manifest_lists_the_sites_chosen_in_any_draw_most_often_first():
    from sitesel.allocation.draws import share_record

    share = np.array([0.2, 0.0, 0.7, 0.2, 0.123456])
    record = share_record(share, np.array(["A", "B", "C", "D", "E"]), drawn=50)
    assert record["draws"] == 50
    assert record["solver"] == "greedy + vertex substitution (each draw)"
    # never chosen (B) left out; ties keep the candidates' order; four decimals
    assert list(record["chosen_share"].items()) == [
        ("C", 0.7), ("A", 0.2), ("D", 0.2), ("E", 0.1235),
    ]  # fmt: skip


def test_the_manifest_records_a_problem_as_posed_solved_and_covered():
    from sitesel.allocation.tables import problem_record

    spec = AllocationSpec.model_validate(
        {"problem": "lscp", "within_min": 15, "min_spacing_km": 2.5, "required_sites": ["S5"],
         "demand": {"layer": "v"}}
    )  # fmt: skip
    solution = Solution(chosen=np.array([0, 2, 3]), objective=3.0, bound=2.0, solver="HiGHS",
                        seconds=1.23456)  # fmt: skip
    served = np.array([True, True, False, True])
    covered = np.array([True, False, False, True])
    record = problem_record(
        spec, solution, np.array(["S5", "S7", "S2"]), candidates=8, weight=PEOPLE,
        served=served, covered=covered, uncovered=["village 2"], robustness={"draws": 4},
    )  # fmt: skip
    assert record == {
        "problem": "lscp", "k": 3, "within_min": 15.0, "cutoff_min": spec.cutoff,
        "min_spacing_km": 2.5, "suitability_weight": 0.0, "required_sites": ["S5"],
        "candidates": 8, "demand_points": 4, "demand_total": 1000.0, "demand_unreached": 1,
        "objective": 3.0, "bound": 2.0, "gap": 1 / 3, "solver": "HiGHS", "seconds": 1.235,
        "chosen": ["S5", "S7", "S2"], "coverage_share": (100 + 400) / 1000,
        "uncovered": ["village 2"], "robustness": {"draws": 4},
    }  # fmt: skip
    with_k = spec.model_copy(update={"problem": "mclp", "k": 2})  # k as posed, not as chosen
    assert problem_record(with_k, solution, np.array([]), candidates=8, weight=PEOPLE,
                          served=served, covered=covered, uncovered=[],
                          robustness=None)["k"] == 2  # fmt: skip


def test_the_matrix_lists_the_pairs_within_the_cutoff_long_form():
    from sitesel.allocation.tables import sparse_matrix

    minutes = np.array([[3.0, np.inf], [np.inf, 7.5], [1.0, 2.0]])
    table = sparse_matrix("cfc", minutes, np.array(["S1", "S2"]), np.array(["a", "b", "c"]))
    assert table.to_dict("records") == [
        {"problem": "cfc", "candidate": "S1", "demand": "a", "minutes": 3.0},
        {"problem": "cfc", "candidate": "S2", "demand": "b", "minutes": 7.5},
        {"problem": "cfc", "candidate": "S1", "demand": "c", "minutes": 1.0},
        {"problem": "cfc", "candidate": "S2", "demand": "c", "minutes": 2.0},
    ]


def _candidates(**kw):
    from sitesel.allocation.candidates import candidate_rows

    sites = gpd.GeoDataFrame(
        {
            "site_id": ["A", "B", "C", "D", "E", "F"],
            "rank": [3.0, np.nan, 1.0, 2.0, 2.0, 5.0],  # B excluded; D and E tie
            "suitability": [0.6, 0.9, 0.8, 0.7, 0.5, 0.3],
            "exclusion_reason": ["", "slope over 15", "", "", "", ""],
        },
        geometry=shapely.points(np.arange(6.0), np.zeros(6)),
    )
    spec = AllocationSpec.model_validate(
        {"problem": "p_median", "k": 1, "demand": {"layer": "v"}} | kw
    )
    return candidate_rows(spec, sites, "allocation.cfc").tolist()


def test_candidates_are_the_ranked_sites_best_first_ties_in_the_layers_order():
    assert _candidates() == [2, 3, 4, 0, 5]  # C, D, E (tie with D: after it), A, F


def test_candidates_above_a_suitability_and_within_the_top_n_and_the_required_ones():
    assert _candidates(candidates={"min_suitability": 0.6}) == [2, 3, 0]  # 0.6 itself kept
    assert _candidates(candidates={"top_n": 2}) == [2, 3]
    assert _candidates(candidates={"top_n": 2}, required_sites=["F", "C"]) == [2, 3, 5]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"required_sites": ["Z"]}, "allocation.cfc.required_sites: 'Z' is not a site of this run"),
        ({"required_sites": ["B"]}, "allocation.cfc.required_sites: 'B' is excluded (slope"),
        ({"candidates": {"min_suitability": 0.95}}, "allocation.cfc.candidates: no candidate site"),
    ],
)  # fmt: skip
def test_candidates_that_cannot_be_had_are_refused_naming_the_key(kw, message):
    with pytest.raises(ConfigError) as refused:
        _candidates(**kw)
    assert str(refused.value).startswith(message)


def test_among_many_tied_ranks_candidates_keep_the_layers_order():
    """Ties broken by the layer's order, as ranking.csv breaks them (a sort that is not
    stable reorders ties once there are more than a handful)."""
    from sitesel.allocation.candidates import candidate_rows

    rank = np.random.default_rng(1).integers(1, 6, 200).astype(float)
    sites = gpd.GeoDataFrame(
        {"site_id": [f"S{k}" for k in range(200)], "rank": rank, "suitability": 0.5},
        geometry=shapely.points(np.arange(200.0), np.zeros(200)),
    )
    spec = AllocationSpec.model_validate({"problem": "p_median", "k": 1, "demand": {"layer": "v"}})
    expected = sorted(range(200), key=lambda k: (rank[k], k))
    assert candidate_rows(spec, sites, "a").tolist() == expected


def _demand(frame, **demand):
    from sitesel.allocation.demand import demand_points

    spec = AllocationSpec.model_validate(
        {"problem": "p_median", "k": 1, "demand": {"layer": "villages"} | demand}
    )
    return demand_points(frame, spec, "allocation.cfc", shapely.box(0, 0, 1000, 1000))


VILLAGES = gpd.GeoDataFrame(
    {"HAB_NAME": ["Inside", None, "Near", "Far"], "people": ["1,200", "", "30", "5"]},
    geometry=shapely.points([(500, 500), (900, 100), (1400, 500), (5000, 500)]),
    index=[10, 11, 12, 13],
)


def test_demand_points_in_the_area_or_near_it_with_their_people_names_and_ids():
    points, weight, names, ids = _demand(VILLAGES, weight_column="people")
    assert weight.tolist() == [1200.0, 0.0] and names.tolist() == ["Inside", ""]
    assert ids.tolist() == ["villages:10", "villages:11"]
    assert shapely.get_x(points.to_numpy()).tolist() == [500.0, 900.0]
    _, weight, names, ids = _demand(VILLAGES, weight_column="people", within_area_km=0.5)
    assert weight.tolist() == [1200.0, 0.0, 30.0] and names.tolist() == ["Inside", "", "Near"]
    _, weight, _, _ = _demand(VILLAGES)  # no weight column: one each
    assert weight.tolist() == [1.0, 1.0]
    _, _, names, _ = _demand(VILLAGES.drop(columns="HAB_NAME"))
    assert names.tolist() == ["", ""]


@pytest.mark.parametrize(
    ("frame", "demand", "message"),
    [
        (VILLAGES.iloc[3:], {}, "allocation.cfc.demand: no point of layer 'villages' lies in"),
        (VILLAGES, {"weight_column": "pop"},
         "allocation.cfc.demand.weight_column: layer 'villages' has no column 'pop'"),
        (VILLAGES.iloc[1:2], {"weight_column": "people"},
         "allocation.cfc.demand: the demand adds up to 0; nothing to serve"),
    ],
)  # fmt: skip
def test_demand_that_cannot_be_served_is_refused_naming_the_key(frame, demand, message):
    with pytest.raises(ConfigError) as refused:
        _demand(frame, **demand)
    assert str(refused.value).startswith(message)


def test_k_the_candidates_cannot_give_is_refused():
    from sitesel.allocation.candidates import check_k

    spec = AllocationSpec.model_validate(
        {"problem": "p_median", "k": 3, "demand": {"layer": "v"}, "required_sites": ["A", "B"]}
    )
    check_k(spec, 3, "allocation.cfc")  # as many candidates as k: fine
    with pytest.raises(ConfigError, match=r"^allocation.cfc.k: 3 sites asked for, but only 2 "):
        check_k(spec, 2, "allocation.cfc")
    two = spec.model_copy(update={"k": 2})
    check_k(two, 5, "allocation.cfc")  # as many required sites as k: fine
    one = spec.model_copy(update={"k": 1})
    with pytest.raises(ConfigError, match=r"^allocation.cfc.required_sites: 2 sites, more than k"):
        check_k(one, 5, "allocation.cfc")


def test_one_person_is_demand_enough():
    frame = VILLAGES.iloc[:1].assign(people="1")
    assert _demand(frame, weight_column="people")[1].tolist() == [1.0]


# --------------------------------------------------------- a problem's data, by hand


def _built(problem, minutes, **extra):
    from sitesel.allocation.instance import build_instance

    spec = AllocationSpec.model_validate({"problem": problem, "k": 2, "demand": {"layer": "v"},
                                          **extra})  # fmt: skip
    xy = np.array([[0.0, 0.0], [1500.0, 0.0], [2600.0, 0.0], [5000.0, 0.0]])
    cand = gpd.GeoDataFrame({"site_id": ["S0", "S1", "S2", "S3"],
                             "suitability": [0.9, 0.8, 0.7, 0.6]})  # fmt: skip
    return build_instance(spec, minutes, np.array([10.0, 20.0, 30.0]), cand, xy, "allocation.x")


REACH_MIN = np.array([[5.0, 9.0, np.inf, 30.0], [12.0, 4.0, 8.0, np.inf], [np.inf] * 4])
"""Three villages and four candidates; the third village reaches none within the cutoff."""


def test_a_problems_data_spacing_required_sites_and_who_is_served():
    inst, served = _built("p_median", REACH_MIN, min_spacing_km=1.2, required_sites=["S3"])
    assert inst.conflicts.tolist() == [[1, 2]]  # 1.1 km apart; 0-1 are 1.5 km
    assert inst.required.tolist() == [3]
    assert served.tolist() == [True, True, False]  # a median cannot serve the unreachable
    assert inst.weight.tolist() == [10.0, 20.0] and inst.minutes.shape == (2, 4)
    inst, served = _built("mclp", REACH_MIN, within_min=6)
    assert served.tolist() == [True, True, True]  # coverage counts the uncovered too
    assert inst.conflicts.shape == (0, 2) and inst.required.tolist() == []
    assert inst.within_min == 6 and inst.k == 2
    inst, _ = _built("p_median", REACH_MIN, min_spacing_km=1.6)
    assert inst.conflicts.tolist() == [[0, 1], [1, 2]]


def test_a_problem_no_candidate_can_serve_is_refused_naming_the_key():
    too_short = r"^allocation\.x\.within_min: no demand point lies within 3 minutes of any"
    with pytest.raises(ConfigError, match=too_short + " candidate; raise T"):
        _built("mclp", REACH_MIN, within_min=3)
    _built("mclp", REACH_MIN, within_min=4)  # exactly 4 minutes away counts
    beyond = r"^allocation\.x: no demand point is within 240 minutes of a candidate by road"
    with pytest.raises(ConfigError, match=beyond + "; raise cutoff_min"):
        _built("p_median", np.full((3, 4), np.inf))
