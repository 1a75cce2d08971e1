"""Distance to the nearest feature (criteria/distance.py) against brute force: shapely's
distance from each site to every feature, the smallest taken, in plain numpy."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from sitesel.criteria.distance import distance_km, nearest_parts


def _features(rng: np.random.Generator) -> np.ndarray:
    lines = [shapely.LineString(rng.uniform(0, 20_000, (int(rng.integers(2, 9)), 2)))
             for _ in range(6)]  # fmt: skip
    multi = shapely.MultiLineString([rng.uniform(0, 20_000, (3, 2)) for _ in range(2)])
    points = list(shapely.points(rng.uniform(0, 20_000, (4, 2))))
    polygon = shapely.Point(rng.uniform(0, 20_000, 2)).buffer(800)
    return np.array([*lines, multi, *points, polygon], dtype=object)


@pytest.mark.parametrize("seed", range(5))
def test_each_sites_distance_is_the_smallest_to_any_feature(seed):
    rng = np.random.default_rng(seed)
    corners = rng.uniform(0, 20_000, (300, 2))
    sites = shapely.box(corners[:, 0], corners[:, 1], corners[:, 0] + 600, corners[:, 1] + 600)
    features = _features(rng)
    brute = np.array([min(shapely.distance(s, f) for f in features) for s in sites])
    got = distance_km(gpd.GeoSeries(sites), gpd.GeoSeries(features))
    assert np.allclose(got * 1000, brute, rtol=0, atol=1e-6), "a site measured to another feature"
    site_idx, parts, dist_m = nearest_parts(sites, features)
    assert sorted(site_idx.tolist()) == list(range(len(sites)))
    assert np.allclose(shapely.distance(sites[site_idx], parts), dist_m, atol=1e-6)
    assert np.allclose(dist_m, brute[site_idx], atol=1e-6)  # the part is a nearest one


def test_a_site_around_a_point_is_at_zero_and_distances_are_kilometres():
    sites = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000), shapely.box(0, 3000, 1000, 4000)])
    features = gpd.GeoSeries(
        [shapely.Point(500, 500), shapely.LineString([(2500, 0), (2500, 9000)])]
    )
    assert distance_km(sites, features).tolist() == [0.0, 1.5]
