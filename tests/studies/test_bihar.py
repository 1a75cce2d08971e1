"""A second region on OpenStreetMap: configs/bihar_kesaria.yaml, offline from the shared
data (real OSM road lines of the Kesaria area, PMGSY habitations of Bihar, GeoNames)."""

import numpy as np
import pandas as pd
import pytest

import sitesel

from ..conftest import ROOT


@pytest.fixture(scope="module")
def bihar(data_dir):
    return sitesel.run(ROOT / "configs" / "bihar_kesaria.yaml", data_dir=data_dir, offline=True)


def test_the_study_runs_on_osm_classes(bihar):
    roads = bihar.roads
    assert {"trunk", "secondary", "residential"} <= set(roads["road_class"])
    assert bihar.manifest.working_crs == "EPSG:32645"  # UTM 45N, from the study area
    sites = bihar.sites
    assert (~sites["excluded"]).sum() > 300
    assert sites["place"].str.contains("S.hibganj|Kesariy.", regex=True).any()


def test_sites_next_to_sahebganj_are_minutes_from_it(bihar):
    """The cell holding the town is built-up land, excluded before any routing (so it has
    no travel time); the nearest site still in play is minutes away by road."""
    import geopandas as gpd
    import shapely

    town = gpd.GeoSeries([shapely.Point(84.92695, 26.30831)], crs="EPSG:4326").to_crs(bihar.crs)
    sites = bihar.sites
    holding = sites[sites.contains(town.iloc[0])]
    assert holding["exclusion_reason"].iloc[0].startswith("in the built-up area of S")
    assert np.isnan(holding["raw__time_to_sahibganj_min"].iloc[0])  # excluded early
    ranked = sites[~sites["excluded"]]
    distance_m = ranked.distance(town.iloc[0]).to_numpy()
    nearest = ranked.iloc[int(np.argmin(distance_m))]
    minutes = nearest["raw__time_to_sahibganj_min"]
    assert distance_m.min() / 1000 / 50 * 60 <= minutes < 10  # never faster than 50 km/h


def test_workforce_counts_people_of_bihars_habitations(bihar, data_dir):
    """Everyone counted lives in a PMGSY habitation: no site reaches more than the
    habitations within the road file's reach (bounds of the OSM export)."""
    import geopandas as gpd

    hab = gpd.read_file(data_dir / "bihar" / "pmgsy_habitations_bihar.zip")
    near = hab.cx[84.78:85.12, 26.05:26.40]
    reached = bihar.sites["raw__workforce_30min"].to_numpy()
    assert np.nanmax(reached) <= near["TOT_POPULA"].sum()
    assert np.nanmedian(reached) > 50_000  # a dense plain: tens of thousands within 30 min


def test_built_up_villages_are_excluded_with_their_names(bihar):
    reasons = pd.Series(bihar.sites["exclusion_reason"]).str.split("; ").explode()
    built = reasons[reasons.str.startswith("in the built-up area of ", na=False)]
    assert built.str.contains("S.hibganj", regex=True).any() and built.nunique() > 10
