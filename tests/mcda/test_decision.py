"""Aggregation methods, robustness and regions on hand-checkable tables."""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from sitesel.data.sites import hex_grid
from sitesel.exclusions.scheme import SchemeRule, eligibility, scheme_records
from sitesel.exclusions.text import joined
from sitesel.mcda.aggregation import aggregate, rank_sites
from sitesel.mcda.methods.owa import owa_order_weights
from sitesel.mcda.regions import find_regions, region_table
from sitesel.mcda.robustness import (
    dirichlet_weights,
    monte_carlo,
    ranks_per_draw,
    stability_intervals,
)
from sitesel.units import ACRE_HA


def test_topsis_by_hand():
    s = np.array([[0.8, 0.2], [0.4, 0.6], [0.1, 0.9]])
    w = np.array([0.6, 0.4])
    # Weighted: (0.48, 0.08), (0.24, 0.24), (0.06, 0.36); ideal (0.48, 0.36); anti (0.06, 0.08)
    d_plus = np.array([0.28, np.hypot(0.24, 0.12), 0.42])
    d_minus = np.array([0.42, np.hypot(0.18, 0.16), 0.28])
    np.testing.assert_allclose(aggregate(s, w, method="topsis"), d_minus / (d_plus + d_minus))


def test_owa_from_or_to_and():
    s = np.array([[0.2, 0.8]])
    w = np.array([0.5, 0.5])
    assert aggregate(s, w, method="owa", order_weights=np.array([1.0, 0.0]))[0] == 0.8
    assert aggregate(s, w, method="owa", order_weights=np.array([0.0, 1.0]))[0] == 0.2
    mid = aggregate(s, w, method="owa", order_weights=owa_order_weights(2, 0.5))
    assert mid[0] == pytest.approx(0.5)
    # Unequal criterion weights: u sorted with the scores, (0.8*0.3*0.5 + 0.2*0.7*0.5) / 0.5
    assert aggregate(s, np.array([0.7, 0.3]), method="owa", order_weights=np.array([0.5, 0.5]))[
        0
    ] == pytest.approx(0.38)


def test_weighted_product_vetoes_zero():
    s = np.array([[0.25, 1.0], [0.0, 1.0]])
    np.testing.assert_allclose(
        aggregate(s, np.array([1, 1]), method="weighted_product"), [0.5, 0.0]
    )


def test_batch_equals_one_at_a_time():
    rng = np.random.default_rng(0)
    s = rng.random((50, 4))
    ws = rng.dirichlet(np.ones(4), size=7)
    for method in ("weighted_sum", "weighted_product", "owa", "topsis"):
        kw = {"order_weights": owa_order_weights(4, 0.7)} if method == "owa" else {}
        batch = aggregate(s, ws, method=method, **kw)
        single = np.stack([aggregate(s, w, method=method, **kw) for w in ws])
        np.testing.assert_allclose(batch, single, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 40), st.integers(0, 1000))
def test_scaling_weights_keeps_every_methods_ranking(n, seed):
    rng = np.random.default_rng(seed)
    s = rng.random((n, 3))
    w = rng.random(3) + 0.01
    for method in ("weighted_sum", "weighted_product", "owa", "topsis"):
        kw = {"order_weights": np.array([0.5, 0.3, 0.2])} if method == "owa" else {}
        np.testing.assert_allclose(
            aggregate(s, w, method=method, **kw),
            aggregate(s, 7.5 * w, method=method, **kw),
            atol=1e-12,
        )


def test_ranks_per_draw_breaks_ties_by_id():
    suit = np.array([[0.5, 0.5, 0.9], [0.1, 0.2, 0.3]])
    ranks = ranks_per_draw(suit, np.array([True, True, True]), ["b", "a", "c"])
    assert ranks.tolist() == [[3, 2, 1], [3, 2, 1]]


def test_monte_carlo_with_huge_concentration_reproduces_the_base_ranking():
    rng = np.random.default_rng(1)
    s = rng.random((60, 3))
    w = np.array([0.5, 0.3, 0.2])
    excluded = rng.random(60) < 0.2
    ids = [f"s{i:02d}" for i in range(60)]
    base = rank_sites(aggregate(s, w), excluded, ids).to_numpy(dtype=float)
    draws = dirichlet_weights(w, concentration=1e12, draws=50, rng=np.random.default_rng(2))
    mc = monte_carlo(
        lambda ws: aggregate(s, ws), draws, candidates=~excluded, site_ids=ids, top_k=5
    )
    np.testing.assert_array_equal(mc.rank_p05[~excluded], base[~excluded])
    np.testing.assert_array_equal(mc.rank_p95[~excluded], base[~excluded])
    assert mc.p_rank1[base == 1][0] == 1.0
    assert excluded.any() and np.isnan(mc.p_rank1[excluded]).all()


def test_stability_interval_by_hand():
    # A scores (1, 0), B (0, 1); with w1 = 0.6 A leads; B takes over once w1 < 0.5.
    s = np.array([[1.0, 0.0], [0.0, 1.0]])
    out = stability_intervals(
        lambda ws: aggregate(s, ws),
        np.array([0.6, 0.4]),
        ["c1", "c2"],
        candidates=np.array([True, True]),
        site_ids=["A", "B"],
    )
    c1, c2 = out
    assert c1.lower == pytest.approx(0.5, abs=1e-5) and c1.upper is None
    assert c1.lower_challenger == "B" and c1.smallest_change == pytest.approx(0.1, abs=1e-5)
    assert c2.upper == pytest.approx(0.5, abs=1e-5) and c2.lower is None


def grid_sites():
    cells = hex_grid(shapely.box(0, 0, 3000, 3000), cell_area_ha=40.47, crs="EPSG:32643")
    return cells


def test_regions_group_touching_cells_and_rank_by_mean():
    sites = grid_sites()
    suit = np.zeros(len(sites))
    c = sites.centroid
    left = (c.x < 800).to_numpy()
    right = (c.x > 2200).to_numpy()
    suit[left], suit[right] = 0.9, 0.8
    labels = find_regions(
        sites, suitability=suit, excluded=np.zeros(len(sites), bool), min_suitability=0.7, gap_m=0
    )
    assert set(labels[left]) == {1} and set(labels[right]) == {2}
    assert (labels[~(left | right)] == 0).all()
    table = region_table(sites, labels, suit)
    assert table["n_sites"].tolist() == [left.sum(), right.sum()]
    np.testing.assert_allclose(table["area_acres"], table["n_sites"] * 100, rtol=1e-3)
    # A gap tolerance wider than the middle joins them.
    joined = find_regions(
        sites,
        suitability=suit,
        excluded=np.zeros(len(sites), bool),
        min_suitability=0.7,
        gap_m=1500,
    )
    assert set(joined[left | right]) == {1}


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.1, 0.9), st.floats(0, 800))
def test_regions_never_include_excluded_or_weak_cells(seed, threshold, gap):
    sites = grid_sites()
    rng = np.random.default_rng(seed)
    suit = rng.random(len(sites))
    excluded = rng.random(len(sites)) < 0.3
    labels = find_regions(
        sites, suitability=suit, excluded=excluded, min_suitability=threshold, gap_m=gap
    )
    assert not (labels[excluded] > 0).any()
    assert (suit[labels > 0] >= threshold).all()
    assert ((labels > 0) == (~excluded & (suit >= threshold))).all()


def test_scheme_two_parcels_only_within_the_gap():
    side = (60 * ACRE_HA * 10_000) ** 0.5
    near = gpd.GeoSeries(
        [
            shapely.box(0, 0, side, side),
            shapely.box(side + 400, 0, 2 * side + 400, side),
            shapely.box(5 * side, 0, 6 * side, side),
        ]
    )
    area = near.area.to_numpy() / 10_000
    rule = SchemeRule("EMC 2.0 (hill/UT)", 100, max_parts=2, max_gap_km=0.5)
    ok, partner, _ = eligibility(near, area, np.array([True, True, True]), rule)
    reason = joined(scheme_records(ok, area, np.array([True, True, True]), rule), "ineligible", 3)
    assert ok.tolist() == [True, True, False]
    assert partner.tolist() == ["1", "0", ""]
    assert "60 acres < 100 acres" in reason[2] and "within 0.5 km" in reason[2]
    single = SchemeRule("EMC 2.0 (general)", 200, max_parts=2, max_gap_km=0.5)
    ok, _, _ = eligibility(near, area, np.array([True, True, True]), single)
    assert not ok.any()  # 60 + 60 acres < 200


def _two_parcels_40_m_apart(road_x_m: float | None):
    """Two 60-acre squares with a 40 m strip between them, and maybe a road at x."""
    side = (60 * ACRE_HA * 10_000) ** 0.5
    parcels = gpd.GeoSeries(
        [shapely.box(0, 0, side, side), shapely.box(side + 40, 0, 2 * side + 40, side)]
    )
    roads = None
    if road_x_m is not None:
        road = shapely.LineString([(road_x_m, -500), (road_x_m, side + 500)])
        roads = gpd.GeoDataFrame({"name": ["NH1"], "road_class": ["NH"]}, geometry=[road])
    return side, parcels, roads


@pytest.mark.parametrize(
    ("road_at", "together"),
    [("in the gap", True), ("elsewhere", False), (None, False)],
)
def test_parcels_separated_only_by_a_road_join(road_at, together):
    """EMC 2.0: two parcels "separated by a road" count as one, decided with the roads."""
    side, parcels, _ = _two_parcels_40_m_apart(None)
    x = {"in the gap": side + 20, "elsewhere": 3 * side, None: None}[road_at]
    _, _, roads = _two_parcels_40_m_apart(x)
    rule = SchemeRule("strict", 100, max_parts=2, max_gap_km=0.0, road_corridor_m=60)
    area = parcels.area.to_numpy() / 1e4
    got = eligibility(parcels, area, np.array([True, True]), rule, roads)
    assert got.eligible.tolist() == [together, together]
    if together:
        assert got.link.tolist() == ["across NH1 (NH)"] * 2
    else:
        records = scheme_records(got.eligible, area, np.array([True, True]), rule)
        assert "or across a road" in joined(records, "ineligible", 2)[0]
    wider = SchemeRule("strict", 100, max_parts=2, max_gap_km=0.0, road_corridor_m=30)
    narrow = eligibility(
        parcels, parcels.area.to_numpy() / 1e4, np.array([True, True]), wider, roads
    )
    assert not narrow.eligible.any()  # a 40 m strip is not a 30 m road corridor


def test_two_regions_within_the_gap_make_one_piece_of_land():
    import geopandas as gpd
    import shapely

    from sitesel.exclusions.scheme import region_eligibility

    side = (60 * ACRE_HA * 10_000) ** 0.5
    boxes = [shapely.box(0, 0, side, side), shapely.box(side + 300, 0, 2 * side + 300, side)]
    far = shapely.box(10_000, 0, 10_000 + side, side)
    table = gpd.GeoDataFrame({"region": [1, 2, 3]}, geometry=[*boxes, far])
    ok, why, partner = region_eligibility(table, SchemeRule("EMC (UT)", 100, 2, 0.5))
    assert ok.tolist() == [True, True, False]
    assert partner == [2, 1, None]
    assert why[2] == "EMC (UT): 60 acres in the best 1 parcels < 100 acres"


def test_regions_across_a_road_make_one_piece_of_land():
    from sitesel.exclusions.scheme import region_eligibility

    side, parcels, _ = _two_parcels_40_m_apart(None)
    _, _, roads = _two_parcels_40_m_apart(side + 20)
    table = gpd.GeoDataFrame({"region": [1, 2]}, geometry=parcels)
    rule = SchemeRule("strict", 100, max_parts=2, max_gap_km=0.0, road_corridor_m=60)
    assert region_eligibility(table, rule, roads)[2] == [2, 1]
    assert not region_eligibility(table, rule, None)[0].any()


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10_000), n_sites=st.integers(0, 300), n_rules=st.integers(0, 12))
def test_exclusion_reasons_are_each_sites_reasons_in_order(seed, n_sites, n_rules):
    """Reasons are built once per combination; the result is still, per site, every reason
    that applies in report order (outside, missing values, rules, zones), whatever mix of
    constant and per-feature texts the records hold."""
    from sitesel.exclusions.records import Hits, Records, Source
    from sitesel.exclusions.text import joined
    from sitesel.exclusions.thresholds import (
        Threshold,
        missing_records,
        outside_records,
        threshold_records,
    )

    rng = np.random.default_rng(seed)
    raw = {f"c{i}": rng.choice([np.nan, 1.0, 5.0, 9.0], n_sites) for i in range(4)}
    rules = [(f"constraints[{k}]", Threshold(f"c{rng.integers(4)}", ">",
                                             float(rng.integers(10)), f"rule {k}"))
             for k in range(n_rules)]  # fmt: skip
    outside = rng.uniform(size=n_sites) < 0.2
    zones = [np.where(rng.uniform(size=n_sites) < 0.1, f"zone {z} of ", "").astype(object)
             for z in range(2)]  # fmt: skip
    names = np.array([f"town {i}" for i in range(n_sites)], dtype=object)
    records = (
        outside_records(outside)
        + missing_records(raw, {c: f"no value for {c}" for c in ("c0", "c1")}, {})
        + threshold_records(raw, rules)
        + Records(tuple(Hits.where(Source(f"z{z}", "setback", f"on zone {z} {{name}}"),
                                   "exclude", zone != "", feature=names)
                        for z, zone in enumerate(zones)))
    )  # fmt: skip
    reasons = joined(records, "exclude", n_sites)
    for i in range(n_sites):
        expected = ["outside the study area"] if outside[i] else []
        expected += [f"no value for {c}" for c in ("c0", "c1") if np.isnan(raw[c][i])]
        expected += [r.reason for _, r in rules if raw[r.criterion][i] > r.threshold]
        expected += [f"on zone {z} town {i}" for z, zone in enumerate(zones) if zone[i]]
        assert reasons[i] == "; ".join(expected)
    np.testing.assert_array_equal(records.mask(n_sites), reasons != "")


@pytest.mark.parametrize("seed", range(6))
def test_scheme_eligibility_against_every_pair_by_brute_force(seed):
    """Random parcels, some unusable: a parcel is eligible alone, or with the largest usable
    partner within the gap whose area makes up the rest; found here pair by pair."""
    rng = np.random.default_rng(seed)
    n = 40
    x, y = rng.uniform(0, 6000, n), rng.uniform(0, 6000, n)
    side = np.sqrt(rng.uniform(20, 140, n) * ACRE_HA * 10_000)  # 20 to 140 acres
    parcels = gpd.GeoSeries(
        [shapely.box(a, b, a + s, b + s) for a, b, s in zip(x, y, side, strict=True)]
    )
    area = parcels.area.to_numpy() / 10_000
    usable = rng.uniform(size=n) > 0.25
    rule = SchemeRule("rule", 100, max_parts=2, max_gap_km=0.5)
    got = eligibility(parcels, area, usable, rule)
    reasons = joined(scheme_records(got.eligible, area, usable, rule), "ineligible", n)
    min_ha = 100 * ACRE_HA
    paired = 0
    for i in range(n):
        if area[i] >= min_ha:
            assert got.eligible[i] and got.partner[i] == ""
            continue
        partners = [j for j in range(n) if j != i and usable[i] and usable[j]
                    and parcels[i].distance(parcels[j]) <= 500
                    and area[i] + area[j] >= min_ha]  # fmt: skip
        assert got.eligible[i] == bool(partners), i
        if partners:
            paired += 1
            best = max(partners, key=lambda j: area[j])
            assert area[int(got.partner[i])] == pytest.approx(area[best])
            gap_km = parcels[i].distance(parcels[int(got.partner[i])]) / 1000
            assert got.link[i] == f"{gap_km:.1f} km apart"
        else:
            assert got.partner[i] == ""
            assert (
                ("< 100 acres" in reasons[i])
                if usable[i]
                else (reasons[i] == "the site is excluded")
            )
    assert paired >= 3
