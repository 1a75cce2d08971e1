"""The infrastructure-cost criterion, with costs worked by hand, and its bad input.

Synthetic roads and DEMs whose answers are known: a site 2 km off the network across ground
of a known slope class; a route whose weakest link is 3 km of track; the earthwork of a
tilted plane (cut volume W g L^2 / 8 for a platform of length L across the fall g); a power
component without a layer (unknown, never 0); a rate from the file and from an override.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
import yaml
from affine import Affine
from rasterio.crs import CRS

from sitesel._typing import Dem
from sitesel.config import NetworkSpec, Selection
from sitesel.config.rates import RateOverride, load_rates, rate_inr
from sitesel.criteria.context import CriterionContext
from sitesel.criteria.infrastructure_cost import (
    InfrastructureCostCriterion,
    infrastructure_cost,
    terrain_class,
)
from sitesel.network.repair import road_edges_from_lines
from sitesel.network.scenarios import build_network
from sitesel.terrain.zonal import ZonalStats

from ..cases import leh_dict, run_case
from ..conftest import ROOT

UTM = "EPSG:32643"
RATES = ROOT / "rates" / "india_indicative.yaml"
CRORE = 1e7


def _rates():
    return load_rates(RATES, overrides={}, key="test")


def _plane_dem(slope_pct: float, *, size_m: float = 12_000, cell: float = 30.0) -> Dem:
    """Heights rising eastwards at ``slope_pct``, over (-1 km, -1 km) to size_m."""
    n = int(size_m / cell)
    z = np.tile(np.arange(n) * cell * slope_pct / 100, (n, 1)) + 1000
    return Dem(z, Affine(cell, 0, -1000, 0, -cell, -1000 + n * cell), CRS.from_string(UTM))


def _context(lines, classes, sites, dem, layers=None):
    roads_gdf = gpd.GeoDataFrame({"cls": classes}, geometry=lines, crs=UTM)
    roads, _ = road_edges_from_lines(roads_gdf, class_column="cls", snap_tolerance_m=0)
    spec = NetworkSpec(roads="roads", speeds_kmh={"NH": 40, "MDR": 30, "RR(TRACK)": 10})
    network = build_network(roads, spec, dem=None, closure_areas={})
    layers = layers or {}

    def select(sel: Selection, key: str) -> gpd.GeoDataFrame:
        return layers[sel.layer]

    frame = gpd.GeoDataFrame({"site_id": [f"s{i}" for i in range(len(sites))]}, geometry=sites,
                             crs=UTM)  # fmt: skip
    return CriterionContext(
        sites=frame, select=select, network=network, network_spec=spec, dem=dem
    ), roads_gdf


def _spec(**kw):
    base = {"kind": "infrastructure_cost", "rates": str(RATES)}
    return InfrastructureCostCriterion.model_validate(base | kw)


def test_terrain_classes_follow_irc_cross_slopes():
    assert terrain_class(np.array([0.0, 9.9, 10.0, 24.9, 25.0, 59.9, 60.0])).tolist() == [
        0, 0, 1, 1, 2, 2, 3,
    ]  # fmt: skip


def test_a_site_2_km_off_the_network_across_rolling_ground():
    """A 500 m square 2 km north of an east-west NH, on a 15 % slope (rolling)."""
    nh = shapely.LineString([(0, 0), (10_000, 0)])
    site = shapely.box(4750, 2000, 5250, 2500)
    dem = Dem(  # rises northwards at 15 %: the leg runs straight up the fall line
        np.tile((np.arange(400)[::-1] * 30.0 * 0.15)[:, None], (1, 400)) + 1000,
        Affine(30, 0, -1000, 0, -30, -1000 + 400 * 30),
        CRS.from_string(UTM),
    )
    ctx, _ = _context([nh], ["NH"], [site], dem)
    values = infrastructure_cost(_spec(), "cost", ctx)
    rates = _rates()
    expected = 2.0 * rate_inr(rates, rates.access_road_per_km["rolling"]) / CRORE
    assert values.components["access_road"][0] == pytest.approx(expected, rel=1e-9)
    assert np.isnan(values.components["road_upgrade"][0])  # no upgrade: key
    assert "power cost unknown (no layer named)" in values.note


def test_a_route_whose_weakest_link_is_3_km_of_track():
    """Site -> 3 km of track -> 2 km of MDR -> the NH: only the track is upgraded."""
    track = shapely.LineString([(0, 0), (3000, 0)])
    mdr = shapely.LineString([(3000, 0), (5000, 0)])
    nh = shapely.LineString([(5000, 0), (5000, 10_000)])
    site = shapely.box(-400, -200, -100, 200)  # 100 m west of the track's end
    ctx, roads = _context([track, mdr, nh], ["RR(TRACK)", "MDR", "NH"], [site], None,
                          layers={"nh": None})  # fmt: skip
    ctx.select = lambda sel, key: roads[roads["cls"] == "NH"]
    spec = _spec(upgrade={"to": {"layer": "nh"}, "standard": ["NH", "SH", "MDR"]})
    values = infrastructure_cost(spec, "cost", ctx)
    rates = _rates()
    expected = 3.0 * rate_inr(rates, rates.road_upgrade_per_km["RR(TRACK)"]) / CRORE
    assert values.components["road_upgrade"][0] == pytest.approx(expected, rel=1e-9)
    # No DEM: the 100 m leg is priced as plain ground, and grading is unknown, not 0.
    plain = 0.1 * rate_inr(rates, rates.access_road_per_km["plain"]) / CRORE
    assert values.components["access_road"][0] == pytest.approx(plain, rel=1e-9)
    assert np.isnan(values.components["site_grading"][0])
    assert values.raw[0] == pytest.approx(expected + plain, rel=1e-9)


def test_a_class_without_a_rate_on_the_route_is_named():
    from sitesel.errors import ConfigError

    odd = shapely.LineString([(0, 0), (3000, 0)])
    nh = shapely.LineString([(3000, 0), (3000, 5000)])
    ctx, roads = _context([odd, nh], ["jeep_track", "NH"], [shapely.box(-300, -100, -100, 100)],
                          None)  # fmt: skip
    ctx.select = lambda sel, key: roads[roads["cls"] == "NH"]
    spec = _spec(upgrade={"to": {"layer": "nh"}, "standard": ["NH"]})
    with pytest.raises(ConfigError, match="routes cross road class 'jeep_track'"):
        infrastructure_cost(spec, "cost", ctx)


@pytest.mark.parametrize("grade_pct", [0.0, 2.0])
def test_the_earthwork_of_a_tilted_plane(grade_pct):
    """A 600 x 400 m site on a 10 % fall: cut = fill = W (g - grade) L^2 / 8."""
    g, length, width = 0.10, 600.0, 400.0
    dem = _plane_dem(100 * g, cell=5.0, size_m=2000)
    site = gpd.GeoSeries([shapely.box(100, 100, 100 + length, 100 + width)], crs=UTM)
    cut = ZonalStats(site, dem).platform_cut_m3(grade_pct)
    assert cut[0] == pytest.approx(width * (g - grade_pct / 100) * length**2 / 8, rel=1e-9)
    # Through the criterion: both cut and fill at the earthwork rate.
    road = shapely.LineString([(0, 0), (0, 900)])
    ctx, _ = _context([road], ["NH"], [site[0]], dem)
    values = infrastructure_cost(_spec(platform_grade_pct=grade_pct), "cost", ctx)
    rates = _rates()
    expected = 2 * cut[0] * rate_inr(rates, rates.earthwork_per_m3) / CRORE
    assert values.components["site_grading"][0] == pytest.approx(expected, rel=1e-9)


def test_a_missing_power_layer_is_unknown_and_a_water_layer_is_priced():
    road = shapely.LineString([(0, 0), (0, 5000)])
    river = gpd.GeoDataFrame(geometry=[shapely.LineString([(3000, 0), (3000, 5000)])], crs=UTM)
    site = shapely.box(500, 1000, 1000, 1500)
    ctx, _ = _context([road], ["NH"], [site], None, layers={"rivers": river})
    values = infrastructure_cost(_spec(water={"layer": "rivers"}), "cost", ctx)
    assert np.isnan(values.components["power"]).all()  # unknown, never 0
    rates = _rates()
    water = 2.0 * rate_inr(rates, rates.water_pipeline_per_km) / CRORE
    assert values.components["water"][0] == pytest.approx(water, rel=1e-9)
    access = 0.5 * rate_inr(rates, rates.access_road_per_km["plain"]) / CRORE
    assert values.raw[0] == pytest.approx(water + access, rel=1e-9)  # power left out


def test_a_rate_from_the_file_and_from_an_override():
    rates = _rates()
    plain = rates.access_road_per_km["plain"]
    index = rates.index.values
    assert rate_inr(rates, plain) == pytest.approx(plain.value * index[2024] / index[2019])
    override = RateOverride(value=1e7, unit="INR/km")
    mine = load_rates(RATES, overrides={"access_road_per_km.plain": override}, key="k")
    assert mine.access_road_per_km["plain"].value == 1e7
    assert mine.access_road_per_km["plain"].source.title == "the scoring config's override"
    assert mine.access_road_per_km["hilly"] == rates.access_road_per_km["hilly"]


# ---------------------------------------------------------------- the Leh study, real data


def test_leh_reports_each_ranked_sites_cost(leh_run):
    import json

    import pandas as pd

    table = pd.read_csv(leh_run / "run" / "ranking.csv")
    ranked = table[table["rank"].notna()]
    parts = [f"component__infra_cost_cr__{c}" for c in
             ("access_road", "road_upgrade", "site_grading", "power", "water")]  # fmt: skip
    assert set(parts) <= set(table.columns)
    assert ranked[parts[3]].isna().all()  # no power layer for Ladakh: unknown
    fine = ranked[ranked["dem_resolution_m"] < 35]
    assert fine["raw__infra_cost_cr"].notna().all() and len(fine) > 50
    total = fine[[p for p in parts if p != parts[3]]].sum(axis=1)
    assert np.allclose(fine["raw__infra_cost_cr"], total)
    coarse = ranked[ranked["dem_resolution_m"] > 500]
    assert len(coarse) > 50
    assert coarse["component__infra_cost_cr__site_grading"].isna().all()  # 1 km: unknown
    assert coarse["raw__infra_cost_cr"].isna().all()  # and so no total: unpriced, not cheap
    manifest = json.loads((leh_run / "run" / "manifest.json").read_text())
    record = manifest["rates"]["infra_cost_cr"]
    import hashlib

    assert record["sha256"] == hashlib.sha256(RATES.read_bytes()).hexdigest()
    assert "power cost unknown" in manifest["criteria_notes"]["infra_cost_cr"]


# ------------------------------------------------------------------------ bad input


def _with_rates(tmp_path, data_dir, edit=None, overrides=None, path=None, extra=None):
    rates = yaml.safe_load(RATES.read_text())
    if edit is not None:
        edit(rates)
    (tmp_path / "rates.yaml").write_text(yaml.safe_dump(rates))
    config = leh_dict()
    cost = config["criteria"]["infra_cost_cr"]
    cost["rates"] = str(path or tmp_path / "rates.yaml")
    if overrides is not None:
        cost["rate_overrides"] = overrides
    cost |= extra or {}
    return run_case(tmp_path, data_dir, config)


def test_a_negative_rate(tmp_path, data_dir):
    def edit(r):
        r["earthwork_per_m3"]["value"] = -300

    line = _with_rates(tmp_path, data_dir, edit)
    assert "rates.yaml: earthwork_per_m3.value: expected a number of at least 0" in line


def test_a_non_finite_override(tmp_path, data_dir):
    line = _with_rates(tmp_path, data_dir, overrides={"earthwork_per_m3": float("inf")})
    assert "criteria.infra_cost_cr.rate_overrides.earthwork_per_m3" in line


def test_an_override_of_no_rate(tmp_path, data_dir):
    line = _with_rates(
        tmp_path, data_dir, overrides={"access_road_per_km.flat": {"value": 1e7, "unit": "INR/km"}}
    )
    assert "criteria.infra_cost_cr.rates: rate_overrides names 'access_road_per_km.flat'" in line


def test_an_unknown_terrain_class(tmp_path, data_dir):
    def edit(r):
        r["access_road_per_km"]["flat"] = r["access_road_per_km"].pop("plain")

    line = _with_rates(tmp_path, data_dir, edit)
    assert "access_road_per_km.flat" in line and "rates.yaml" in line


def test_a_missing_rates_file(tmp_path, data_dir):
    line = _with_rates(tmp_path, data_dir, path=tmp_path / "nowhere.yaml")
    assert "criteria.infra_cost_cr.rates:" in line and "nowhere.yaml is not a file" in line


def test_a_year_outside_the_index(tmp_path, data_dir):
    def edit(r):
        r["earthwork_per_m3"]["year"] = 2009

    line = _with_rates(tmp_path, data_dir, edit)
    assert "index.values has no value for 2009" in line


# ------------------------------------------------- issue 32: names and units checked


def test_a_region_the_rates_file_does_not_name(tmp_path, data_dir):
    def edit(r):
        r["region_factors"] = {"hill": 1.23, "plain": 1.0}

    config_edit = {"region": "hills"}
    line = _with_rates(tmp_path, data_dir, edit, extra=config_edit)
    assert "criteria.infra_cost_cr.rates: region 'hills' is not a region of rates.yaml" in line
    assert "(did you mean 'hill'?)" in line and "region_factors name hill, plain" in line


def test_a_region_with_a_file_of_no_regions(tmp_path, data_dir):
    line = _with_rates(tmp_path, data_dir, extra={"region": "hill"})
    assert "region 'hill' is not a region of rates.yaml; its region_factors name none" in line


def test_an_override_without_its_unit(tmp_path, data_dir):
    line = _with_rates(tmp_path, data_dir, overrides={"access_road_per_km.hilly": 12000000})
    assert "criteria.infra_cost_cr.rate_overrides.access_road_per_km.hilly: " in line
    assert "12000000 has no unit; write {value: 12000000, unit: INR/km}" in line


def test_an_override_typed_in_crore(tmp_path, data_dir):
    override = {"value": 1.12, "unit": "INR/km"}  # Rs 1.12 crore meant, 1.12 rupees typed
    line = _with_rates(tmp_path, data_dir, overrides={"access_road_per_km.hilly": override})
    assert "rate_overrides.access_road_per_km.hilly.value: 1.12 INR/km is outside the" in line
    assert "plausible 10,000 to 10,000,000,000 INR/km" in line


def test_an_override_in_the_wrong_unit(tmp_path, data_dir):
    override = {"value": 350, "unit": "INR/km"}
    line = _with_rates(tmp_path, data_dir, overrides={"earthwork_per_m3": override})
    assert "rate_overrides: earthwork_per_m3: INR/km is not the unit of a rate" in line
    assert "earthwork_per_m3 (INR/m3)" in line


def test_a_rate_whose_unit_does_not_fit_its_key(tmp_path, data_dir):
    def edit(r):
        r["earthwork_per_m3"]["unit"] = "INR/km"

    line = _with_rates(tmp_path, data_dir, edit)
    assert "rates.yaml" in line and "earthwork_per_m3.unit: INR/km does not fit the key" in line


def test_a_rate_in_the_file_typed_in_lakh(tmp_path, data_dir):
    def edit(r):
        r["access_road_per_km"]["plain"]["value"] = 64.2  # Rs 64.2 lakh per km meant

    line = _with_rates(tmp_path, data_dir, edit)
    assert "access_road_per_km.plain.value: 64.2 INR/km is outside the plausible" in line
    assert "correct it in the rates file (rupees, not lakh or crore)" in line


def test_a_region_factor_and_an_override_price_what_they_say(tmp_path):
    """The hill factor and an override, against the rates' arithmetic by hand: the access
    road of every site scales by 1.23 (a factor on every rate), the earthwork by the
    override over the file's rate."""
    from sitesel.config.rates import load_rates

    def edit(r):
        r["region_factors"] = {"hill": 1.23}

    rates = yaml.safe_load(RATES.read_text())
    edit(rates)
    (tmp_path / "rates.yaml").write_text(yaml.safe_dump(rates))
    plain = load_rates(tmp_path / "rates.yaml", overrides={}, key="k")
    hill = load_rates(
        tmp_path / "rates.yaml",
        overrides={"earthwork_per_m3": RateOverride(value=450, unit="INR/m3")},
        key="k",
        region="hill",
    )
    road = plain.access_road_per_km["hilly"]
    assert rate_inr(hill, hill.access_road_per_km["hilly"], region="hill") == pytest.approx(
        1.23 * road.value * 154.0 / 121.8
    )
    assert rate_inr(hill, hill.earthwork_per_m3, region="hill") == pytest.approx(
        1.23 * 450 * 154.0 / 151.4
    )
    assert hill.earthwork_per_m3.source.title == "the scoring config's override"


def test_a_site_whose_grading_is_unknown_has_no_total():
    """Two sites on a 1 km DEM: a 100 ha site over enough cells is priced (grading and
    access, by hand), a 10 ha one over fewer than 4 cells has its grading unknown and so
    no total: it is unpriced, never cheap (a NaN summed as 0 would price it by its access
    road alone)."""
    dem = _plane_dem(3.0, cell=1000.0, size_m=12_000)
    big = shapely.box(2000, 2000, 4000, 7000)  # 10 km2 of 1 km cells: grading known
    small = shapely.box(8000, 8000, 8300, 8300)  # 9 ha: under one cell
    road = shapely.LineString([(0, 0), (0, 10_000)])
    ctx, _ = _context([road], ["NH"], [big, small], dem)
    values = infrastructure_cost(_spec(), "cost", ctx)
    grading = values.components["site_grading"]
    assert np.isfinite(grading[0]) and np.isnan(grading[1])
    rates = _rates()
    access = [2.0, 8.0]  # km from the road, over 3 % ground: plain terrain
    per_km = rate_inr(rates, rates.access_road_per_km["plain"]) / CRORE
    np.testing.assert_allclose(values.components["access_road"], np.array(access) * per_km)
    assert values.raw[0] == pytest.approx(grading[0] + access[0] * per_km, rel=1e-9)
    assert np.isnan(values.raw[1])
    assert "site grading unknown for 1 sites" in values.note
