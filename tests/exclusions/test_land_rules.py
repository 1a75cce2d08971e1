"""Land rules (rule packs), the planner's land layers, and terrain from a stack of DEMs.

Real data: the Leh study with its packs (Hemis National Park, the VILH runway, the 30 m
SRTM raster). Synthetic: each rule action by hand, categories a rule does not bind, a DEM
stack whose fine raster has a hole. Bad input: one line, exit 2, earlier outputs intact.
"""

from __future__ import annotations

import hashlib
import json
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
import yaml
from affine import Affine
from rasterio.crs import CRS

from sitesel._typing import Dem
from sitesel.config.land import LandRule
from sitesel.exclusions.records import Hits, Records, Source
from sitesel.exclusions.rules import apply_rule as apply_to_records
from sitesel.exclusions.text import counts, joined, texts
from sitesel.exclusions.zones import largest_overlaps, nearest_within
from sitesel.terrain.dem_stack import StackedZonalStats, assign_dems

from ..cases import (
    catalog_dict,
    leh_dict,
    run_case,
    run_case_over_previous,
    run_ok,
    sitesel,
    small_leh_dict,
)
from ..conftest import ROOT

UTM43 = "EPSG:32643"
VILH_ENDS = [(77.5326, 34.1313), (77.5604, 34.1404)]  # OurAirports, runway 07L/25R


# ---------------------------------------------------------------- the Leh study, real data


@pytest.fixture(scope="module")
def leh(leh_run):
    sites = gpd.read_file(leh_run / "run" / "sites.gpkg", layer="sites")
    ranking = pd.read_csv(leh_run / "run" / "ranking.csv", keep_default_na=False)
    manifest = json.loads((leh_run / "run" / "manifest.json").read_text())
    return sites.to_crs(UTM43), ranking, manifest


def _hemis(data_dir):
    parks = gpd.read_file(data_dir / "india" / "protected_areas_in.geojson")
    return parks[parks["name"] == "Hemis National Park"].to_crs(UTM43).geometry.union_all()


def test_no_ranked_site_touches_the_runway(leh):
    sites, _, _ = leh
    runway = gpd.GeoSeries([shapely.LineString(VILH_ENDS)], crs="EPSG:4326").to_crs(UTM43)[0]
    ranked = sites[sites["rank"].notna()]
    assert ranked.distance(runway).min() > 0
    # The 500 m setback: a ranked site keeps its whole area beyond it.
    assert ranked.intersection(runway.buffer(500)).area.max() == 0


def test_the_runways_middle_is_excluded_naming_it(leh):
    sites, _, _ = leh
    middle = gpd.GeoSeries([shapely.LineString(VILH_ENDS).interpolate(0.5, normalized=True)])
    point = middle.set_crs("EPSG:4326").to_crs(UTM43)[0]
    (on,) = sites[sites.contains(point)].index
    assert sites.loc[on, "excluded"]
    assert "within 500 m of the runway of VILH" in sites.loc[on, "exclusion_reason"]
    # The old single 500 m disc at the runway's midpoint left its ends free: the line
    # covers both thresholds.
    for end in VILH_ENDS:
        p = gpd.GeoSeries([shapely.Point(end)], crs="EPSG:4326").to_crs(UTM43)[0]
        holding = sites[sites.contains(p)]
        assert len(holding) == 1
        assert holding["excluded"].all() and holding["rank"].isna().all()


def test_no_ranked_site_lies_in_hemis_national_park(leh, data_dir):
    sites, _, _ = leh
    hemis = _hemis(data_dir)
    inside = sites[sites.intersects(hemis)]
    assert len(inside) > 100  # the park reaches the study's south-west
    assert inside["rank"].isna().all()
    deep = sites[sites.within(hemis)]
    assert len(deep) > 50
    assert (
        deep["exclusion_reason"]
        .str.contains(
            "inside Hemis National Park (Wildlife (Protection) Act 1972, s. 35)", regex=False
        )
        .all()
    )


def test_sites_in_the_eco_sensitive_band_carry_a_flag_naming_the_park(leh, data_dir):
    sites, _, _ = leh
    hemis = _hemis(data_dir)
    ranked = sites[sites["rank"].notna()]
    distance_km = ranked.distance(hemis) / 1000
    band = ranked[(distance_km > 1.2) & (distance_km < 9.8)]
    assert len(band) > 50
    for flags, km in zip(band["flags"], distance_km[band.index], strict=True):
        assert f"{km:.1f} km from Hemis National Park: eco-sensitive band" in flags
        assert "consult the State Board for Wildlife" in flags
    beyond = ranked[distance_km > 10.2]
    assert not beyond["flags"].str.contains("Hemis", regex=False).any()
    # Within 1 km an orange cluster is excluded (the default ESZ), not merely flagged.
    near = sites[(sites.distance(hemis) > 0) & (sites.distance(hemis) < 900)]
    assert len(near) > 10
    assert near["exclusion_reason"].str.contains("default eco-sensitive zone").all()


def test_top_sites_take_their_slope_from_the_30_m_raster(leh):
    _, ranking, manifest = leh
    top = ranking[ranking["rank"] != ""].astype({"rank": float}).nsmallest(10, "rank")
    # The raster covers 77.5-77.7 E, 34.1-34.3 N: a top site well inside it (half a cell of
    # ~1 km from its edge) reads the 30 m heights; those south of 34.1 N the ~1 km posts.
    inside = top["lon"].between(77.51, 77.69) & top["lat"].between(34.11, 34.29)
    assert inside.sum() >= 5
    assert (top.loc[inside, "dem_layer"] == "dem_srtm1_leh").all()
    assert top.loc[inside, "dem_resolution_m"].between(25, 35).all()
    south = top["lat"] < 34.09
    assert south.sum() >= 1  # a top-ten site beyond the raster's south edge
    assert (top.loc[south, "dem_layer"] == "dem_dted0").all()
    stack = {d["layer"]: d for d in manifest["land"]["dem_stack"]}
    assert stack["dem_srtm1_leh"]["sites"] > 500 and stack["dem_dted0"]["sites"] > 1000
    # Beyond the raster (77.5-77.7 E, 34.1-34.3 N) terrain comes from the ~1 km tiles.
    far = ranking[(ranking["lon"] > 77.75) | (ranking["lat"] < 34.05)]
    assert len(far) > 100
    assert (far["dem_layer"] == "dem_dted0").all()


def test_a_steep_site_the_1_km_posts_called_flat_is_excluded(leh):
    """3.6 km S of Leh: rank 8 on the DTED0 posts (1.6 degrees), 18.8 degrees at 30 m."""
    sites, _, _ = leh
    site = sites.set_index("site_id").loc["H1247_5529"]
    assert site["dem_resolution_m"] < 35
    assert site["raw__slope_mean_deg"] > 15
    assert "mean slope above 15 degrees" in site["exclusion_reason"]


def test_the_manifest_records_each_pack_with_its_sha256(leh):
    _, _, manifest = leh
    packs = {p["name"]: p for p in manifest["land"]["rule_packs"]}
    assert len(packs) == 4
    for pack in packs.values():
        body = (ROOT / "rules" / pack["file"].split("/")[-1]).read_bytes()
        assert pack["sha256"] == hashlib.sha256(body).hexdigest()
    protected = next(p for n, p in packs.items() if n.startswith("India protected"))
    assert "national_parks" in protected["applied"]
    assert "green, white" in protected["not_applied"]["esz_default_1km_flag"]
    assert "optional" in protected["not_applied"]["esz_notified"]
    assert manifest["land"]["pollution_category"] == "orange"
    assert manifest["land"]["flagged_sites"] > 0


def test_a_land_bank_keeps_only_sites_inside_it(tmp_path, data_dir):
    bank = gpd.GeoDataFrame(
        {"name": ["SIDCO offer"]},
        geometry=[shapely.box(77.57, 34.10, 77.62, 34.14)],  # Choglamsar, south of Leh
        crs="EPSG:4326",
    )
    bank.to_file(tmp_path / "bank.geojson")
    catalog = catalog_dict()
    catalog["layers"]["land_bank"] = {"kind": "area", "path": str(tmp_path / "bank.geojson")}
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog))
    config = leh_dict()
    config["catalog"] = str(tmp_path / "catalog.yaml")
    config["land"]["include_only"] = {"layer": "land_bank", "reason": "outside the SIDCO bank"}
    config["robustness"] = None
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    out = tmp_path / "out"
    result = sitesel("run", path, "--out", out, "--map", tmp_path / "m.html", "--data-dir",
                     data_dir, "--offline")  # fmt: skip
    assert result.exit_code == 0, result.output
    sites = gpd.read_file(out / "sites.gpkg", layer="sites").to_crs(UTM43)
    area = bank.to_crs(UTM43).geometry[0]
    ranked = sites[sites["rank"].notna()]
    assert len(ranked) > 0
    assert (ranked.intersection(area).area / ranked.area > 0.999).all()
    outside = sites[sites.disjoint(area)]
    assert len(outside) > 100
    assert outside["exclusion_reason"].str.contains("outside the SIDCO bank").all()


# ------------------------------------------------------------------ each action, by hand


def _boxes(*xs):
    return np.array([shapely.box(x, 0, x + 100, 100) for x in xs], dtype=object)


class _Outcome:
    """A rule's records as each site reads them: its exclusion and its flag ("" if none)."""

    def __init__(self, records: Records, n_sites: int):
        self.records = records
        self.excluded = joined(records, "exclude", n_sites)
        self.flagged = joined(records, "flag", n_sites)


def apply_rule(sites, features, names, *, text, **kw):
    """The rule applied, its records read per site (``text``: template and citation)."""
    template, citation = text
    found, zones = apply_to_records(
        sites, features, names, source=Source("rule", "land_rule", template, citation), **kw
    )
    return _Outcome(found, len(sites)), zones


def RuleText(template, citation):  # noqa: N802  (reads as the rule's text, as before)
    return template, citation


def test_exclude_by_overlap_and_flag_a_small_overlap():
    sites = _boxes(0, 200, 400)
    park = np.array([shapely.box(-50, -50, 230, 150)], dtype=object)  # all of 0, 30 % of 200
    out, zones = apply_rule(
        sites, park, ["Park"], action="exclude", distance_m=0, max_share=0.5,
        text=RuleText("inside {name}", "Act, s. 1"),
    )  # fmt: skip
    assert out.excluded.tolist() == ["inside Park (Act, s. 1)", "", ""]
    assert out.flagged.tolist() == ["", "30 % inside Park (Act, s. 1)", ""]
    assert shapely.equals(zones[0], park[0])


def test_setback_excludes_within_its_distance():
    sites = _boxes(0, 200)
    road = np.array([shapely.LineString([(150, -100), (150, 200)])], dtype=object)
    out, zones = apply_rule(
        sites, road, ["NH 1"], action="setback", distance_m=40, max_share=0.0,
        text=RuleText("within {distance_m} m of {name}", ""),
    )  # fmt: skip
    assert out.excluded.tolist() == ["", ""]  # 50 m and 50 m away: beyond 40 m
    out, _ = apply_rule(
        sites, road, ["NH 1"], action="setback", distance_m=60, max_share=0.0,
        text=RuleText("within {distance_m} m of {name}", ""),
    )  # fmt: skip
    assert out.excluded.tolist() == ["within 60 m of NH 1"] * 2
    assert zones[0].area == pytest.approx(300 * 80 + np.pi * 40**2, rel=1e-2)


def test_flag_names_the_distance_and_the_nearest_feature():
    sites = _boxes(0, 1000, 5000)
    parks = np.array([shapely.box(-3000, 0, -2000, 100), shapely.box(2500, 0, 2600, 100)])
    out, _ = apply_rule(
        sites, parks, ["West", "East"], action="flag", distance_m=2000, max_share=0.0,
        text=RuleText("{distance_km} km from {name}: band", "Rule"),
    )  # fmt: skip
    assert out.excluded.tolist() == ["", "", ""]
    assert out.flagged.tolist() == [
        "2.0 km from West: band (Rule)",
        "1.4 km from East: band (Rule)",
        "",
    ]
    dist, which = nearest_within(sites, parks, 2000)
    assert dist.tolist()[:2] == [2000.0, 1400.0] and which.tolist() == [0, 1, -1]


def test_flag_counts_leave_out_distances():
    """Two sites 2.0 and 3.5 km from West, one with 12 % in a road's band: the counts are of
    the kinds of flag, their distances and shares left out."""
    band = Source("band", "land_rule", "{distance_km} km from {name}: band", "Rule")
    road = Source("nh", "land_rule", "within {distance_m} m of {name}")
    records = Records(
        (
            Hits(band, "flag", np.array([0, 2]), np.array(["West", "West"], dtype=object),
                 {"distance_m": np.array([2000.0, 3500.0])}),
            Hits(road, "flag", np.array([0]), np.array(["NH"], dtype=object),
                 {"distance_m": np.array([40.0]), "share": np.array([0.12])}, partial=True),
        )
    )  # fmt: skip
    assert joined(records, "flag", 3).tolist() == [
        "2.0 km from West: band (Rule); 12 % within 40 m of NH", "", "3.5 km from West: band (Rule)"
    ]  # fmt: skip
    assert counts(records, "flag").to_dict() == {"West: band (Rule)": 2, "within 40 m of NH": 1}


def _rule(**kw):
    base = {
        "applies_to": {"layer": "parks"},
        "action": "exclude",
        "reason": "inside {name}",
        "source": {"law": "Act", "provision": "s. 1", "year": 2000},
    }
    return LandRule.model_validate(base | kw)


def test_a_rule_binds_only_its_categories():
    red_only = _rule(categories=["red"])
    assert red_only.binds("red") and not red_only.binds("green")
    assert _rule().binds("white")  # no categories: every one
    assert red_only.binds(None)  # no category stated: the strictest reading


def test_rules_that_do_not_bind_the_category_are_recorded_not_applied(tmp_path):
    from sitesel.config.catalog import Catalog
    from sitesel.exclusions.packs import active_rules

    pack = {
        "name": "test pack",
        "rules": {
            "red_setback": _rule(action="setback", distance_m=1000, categories=["red"]).model_dump(
                mode="json", exclude_none=True
            ),
            "all_inside": _rule().model_dump(mode="json", exclude_none=True),
        },
    }
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump(pack))
    config = leh_dict()
    config["land"] = {"pollution_category": "green", "rule_packs": ["pack.yaml"]}
    catalog = Catalog.model_validate(
        {"layers": {"parks": {"kind": "area", "path": "p.geojson"}, **catalog_dict()["layers"]}}
    )
    from sitesel.api import load_config

    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    study = load_config(tmp_path / "c.yaml")
    rules, records = active_rules(study.config, study.path, catalog, tmp_path / "catalog.yaml")
    assert [r.name for r in rules] == ["all_inside"]
    assert records[0]["not_applied"] == {"red_setback": "binds red only; the cluster is green"}


def test_a_config_distance_replaces_the_packs(tmp_path):
    from sitesel.api import load_config
    from sitesel.config import load_catalog
    from sitesel.exclusions.packs import active_rules

    config = leh_dict()
    config["land"]["distances_m"] = {"nh_building_line": 20}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(config))
    study = load_config(tmp_path / "c.yaml")
    catalog_path = ROOT / "layers" / "leh.yaml"
    rules, _ = active_rules(study.config, study.path, load_catalog(catalog_path), catalog_path)
    by_name = {r.name: r.rule for r in rules}
    assert by_name["nh_building_line"].distance_m == 20  # the config's
    assert by_name["sh_building_line"].distance_m == 40  # the pack's


# ------------------------------------------------------------- a DEM stack, synthetic


def _plane(x0, y0, n, cell, *, slope_pct, hole=None):
    ramp = np.tile(np.arange(n, dtype=float) * cell * slope_pct / 100, (n, 1))
    if hole is not None:
        r0, r1, c0, c1 = hole
        ramp[r0:r1, c0:c1] = np.nan
    return Dem(ramp, Affine(cell, 0, x0, 0, -cell, y0 + n * cell), CRS.from_epsg(32643))


def test_a_stack_uses_the_fine_dem_where_it_covers_and_the_coarse_over_its_hole():
    fine = _plane(0, 0, 200, 10.0, slope_pct=10, hole=(80, 120, 80, 120))  # 2 km, hole mid
    coarse = _plane(-5000, -5000, 12, 1000.0, slope_pct=0)  # flat, 12 km
    sites = gpd.GeoSeries(
        [
            shapely.box(200, 200, 500, 500),  # fine, away from the hole
            shapely.box(850, 850, 1150, 1150),  # over the hole
            shapely.box(1900, 1900, 2200, 2200),  # beyond the fine raster's edge
            shapely.box(3000, 3000, 3300, 3300),  # beyond it altogether
        ],
        crs=UTM43,
    )
    source = assign_dems(sites, [fine, coarse])
    assert source.tolist() == [0, 1, 1, 1]
    slope = StackedZonalStats(sites, [fine, coarse], source).of(
        "slope", lambda part: part.slope_deg
    )["mean"]
    assert slope[0] == pytest.approx(np.degrees(np.arctan(0.10)), abs=1e-6)
    assert slope[1:].tolist() == [0.0, 0.0, 0.0]


def test_terrain_sources_record_the_resolution_each_site_uses():
    from sitesel.terrain.dem_stack import terrain_sources

    fine = _plane(0, 0, 100, 30.0, slope_pct=5)
    coarse = _plane(-5000, -5000, 12, 1000.0, slope_pct=0)
    sites = gpd.GeoDataFrame(
        geometry=[shapely.box(300, 300, 900, 900), shapely.box(4000, 4000, 4600, 4600)],
        crs=UTM43,
    )
    found = terrain_sources(sites, {"srtm": fine, "dted": coarse})
    assert found["dem_layer"].tolist() == ["srtm", "dted"]
    assert found["dem_resolution_m"].tolist() == [30.0, 1000.0]


def test_validate_warns_where_sites_are_smaller_than_a_few_dem_cells(data_dir):
    result = sitesel("validate", ROOT / "configs" / "leh.yaml", "--data-dir", data_dir)
    assert result.exit_code == 0, result.output
    assert (
        "dem: a site beyond dem_srtm1_leh (40.5 ha) holds 0.6 cells of dem_dted0 (835 m)"
        in result.stderr
    )
    assert "cells of dem_srtm1_leh" not in result.stderr  # 30 m: ~500 cells a site


# ------------------------------------------------------------------------ bad input


def _leh_with(land=None, dem=None):
    config = leh_dict()
    if land is not None:
        config["land"] = land
    if dem is not None:
        config["dem"] = dem
    return config


def _pack(tmp_path, rules):
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump({"name": "test", "rules": rules}))
    return str(path)


def test_a_pack_rule_with_an_unknown_action(tmp_path, data_dir):
    rule = _rule().model_dump(mode="json", exclude_none=True) | {"action": "forbid"}
    config = _leh_with(land={"rule_packs": [_pack(tmp_path, {"parks": rule})]})
    line = run_case(tmp_path, data_dir, config)
    assert "pack.yaml: rules.parks.action: expected one of 'exclude', 'setback' or 'flag'" in line


def test_a_pack_rule_whose_layer_is_missing(tmp_path, data_dir):
    rule = _rule().model_dump(mode="json", exclude_none=True)
    rule["applies_to"] = {"layer": "forest_land"}
    config = _leh_with(land={"rule_packs": [_pack(tmp_path, {"forests": rule})]})
    line = run_case(tmp_path, data_dir, config)
    assert "pack.yaml: rules.forests.applies_to.layer: 'forest_land' is neither bound" in line
    assert "land.skip" in line


def test_a_pollution_category_not_in_the_list(tmp_path, data_dir):
    config = leh_dict()
    config["land"]["pollution_category"] = "blue"
    line = run_case(tmp_path, data_dir, config)
    assert "land.pollution_category: expected one of 'red', 'orange', 'green' or 'white'" in line


def test_an_empty_land_bank(tmp_path, data_dir):
    far = gpd.GeoDataFrame(geometry=[shapely.box(85.0, 26.0, 85.1, 26.1)], crs="EPSG:4326")
    far.to_file(tmp_path / "far.geojson")
    catalog = catalog_dict()
    catalog["layers"]["land_bank"] = {"kind": "area", "path": str(tmp_path / "far.geojson")}
    config = leh_dict()
    config["land"]["include_only"] = {"layer": "land_bank", "reason": "outside the bank"}
    line = run_case(tmp_path, data_dir, config, catalog=catalog)
    assert "land.include_only: layer 'land_bank' has no land within the study area" in line


def test_a_dem_stack_in_different_crss(tmp_path, data_dir):
    # A fine raster in UTM 43N over Leh, beside the DTED0 tiles in geographic coordinates.
    x0, y0 = 735_000.0, 3_775_000.0
    with rasterio.open(
        tmp_path / "utm.tif", "w", driver="GTiff", width=200, height=200, count=1,
        dtype="float32", crs="EPSG:32643", transform=Affine(30, 0, x0, 0, -30, y0 + 6000),
    ) as dst:  # fmt: skip
        dst.write(np.full((1, 200, 200), 3300, dtype="float32"))
    catalog = catalog_dict()
    catalog["layers"]["dem_utm"] = {
        "kind": "dem", "format": "raster", "path": str(tmp_path / "utm.tif")
    }  # fmt: skip
    config = leh_dict()
    config["dem"] = {"layers": ["dem_utm", "dem_dted0"]}
    line = run_case(tmp_path, data_dir, config, catalog=catalog)
    assert "dem.layers: the DEMs are in different CRSs (dem_utm in EPSG:32643" in line
    assert "dem_dted0 in EPSG:4326" in line


def test_a_bad_pack_leaves_the_previous_outputs_untouched(tmp_path, leh_run, data_dir):
    run = leh_run / "run"
    before = {p.name: p.read_bytes() for p in sorted(run.iterdir()) if p.is_file()}
    config = leh_dict()
    config["land"]["rule_packs"].append(str(tmp_path / "missing.yaml"))
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(config))
    result = sitesel("run", path, "--out", run, "--data-dir", data_dir, "--offline")
    assert result.exit_code == 2
    assert "land.rule_packs[4]: " in result.stderr and "which is not a file" in result.stderr
    assert {p.name: p.read_bytes() for p in sorted(run.iterdir()) if p.is_file()} == before


# ------------------------------------------- issue 32: what a pack sent by e-mail may hold


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("within {distance_m:,d} m of {name}", "field {distance_m:,d} has a format specification"),
        ("inside {name:>1000000000}", "field {name:>1000000000} has a format specification"),
        ("inside {name!r}", "field {name!r} has a conversion"),
        ("inside {name.upper}", "field {name.upper}: attribute or index access"),
        ("inside {name[0]}", "field {name[0]}: attribute or index access"),
        ("inside {park}", "field {park}: no such field"),
        ("inside {name", "is not a template"),
    ],
)
def test_a_reason_template_is_data_not_code(tmp_path, data_dir, reason, said):
    rule = _rule(reason="inside {name}").model_dump(mode="json", exclude_none=True)
    rule["reason"] = reason
    config = small_leh_dict()
    config["land"]["rule_packs"] = [_pack(tmp_path, {"parks": rule})]
    start = time.perf_counter()
    line = run_case_over_previous(tmp_path, data_dir, config)
    assert time.perf_counter() - start < 30  # no gigabyte of padding was built
    assert "pack.yaml: rules.parks.reason: " in line and said in line


def _read(template, name, **measures):
    source = Source("r", "land_rule", template)
    hits = Hits(source, "flag", np.array([0]), np.array([name], dtype=object),
                {k: np.array([v]) for k, v in measures.items()})  # fmt: skip
    return texts(hits)[0]


def test_each_template_field_is_written_one_way():
    template = "{name}: {distance_m} m, {distance_km} km, {share_pct} %"
    assert _read(template, "NH 1", distance_m=12345.6, share=0.256) == (
        "NH 1: 12,346 m, 12.3 km, 26 %"
    )
    # A name holding braces is a value, not a template.
    assert _read("inside {name}", "{distance_m:>99}") == "inside {distance_m:>99}"


def _leh_manifest(leh_run):
    return json.loads((leh_run / "run" / "manifest.json").read_text())


def test_a_binding_whose_value_the_layer_never_holds(tmp_path, data_dir):
    config = small_leh_dict()
    config["land"]["layers"]["national_highways"]["where"]["RoadCatego"] = "National Highway"
    line = run_case_over_previous(tmp_path, data_dir, config)
    assert "case.yaml: land.layers.national_highways.where.RoadCatego:" in line
    assert "'National Highway' is not a value of layer 'pmgsy_roads'" in line
    # The values the layer does have, most frequent first (Ladakh's DRRP: 703 village roads).
    assert "(its RoadCatego has RR(VR), RR(TRACK), MDR, NH, BR" in line
    assert "land.skip" in line


def test_a_pack_selection_with_a_value_its_layer_never_holds(tmp_path, data_dir):
    rule = _rule().model_dump(mode="json", exclude_none=True)
    rule["applies_to"] = {"layer": "protected_areas", "where": {"category": ["np", "wsl"]}}
    config = small_leh_dict()
    config["land"]["rule_packs"] = [_pack(tmp_path, {"parks": rule})]
    line = run_case_over_previous(tmp_path, data_dir, config)
    assert "pack.yaml: rules.parks.applies_to.where.category: 'wsl' is not a value" in line
    assert "br, np, ramsar, tr, wls" not in line  # most frequent first, not alphabetical
    assert "wls" in line and "np" in line


def test_a_minimum_that_selects_nothing(tmp_path, data_dir):
    rule = _rule().model_dump(mode="json", exclude_none=True)
    rule["applies_to"] = {"layer": "protected_areas", "min": {"area_km2": 1e9}}
    config = small_leh_dict()
    config["land"]["rule_packs"] = [_pack(tmp_path, {"parks": rule})]
    line = run_case_over_previous(tmp_path, data_dir, config)
    largest = gpd.read_file(data_dir / "india" / "protected_areas_in.geojson")["area_km2"].max()
    assert "rules.parks.applies_to: no feature of layer 'protected_areas' has area_km2 >=" in line
    assert f"(area_km2 reaches {largest:g})" in line and "rule parks would apply to nothing" in line


def test_each_rule_says_what_it_selected_and_touched(leh_run, data_dir):
    """The counts against the layers read independently: 107 national parks and 56 tiger
    reserves in India; none of the reserves near Leh; Hemis excludes every site it cuts."""
    manifest = _leh_manifest(leh_run)
    packs = {p["name"]: p for p in manifest["land"]["rule_packs"]}
    counts = next(p for n, p in packs.items() if n.startswith("India protected"))["rules"]
    parks = gpd.read_file(data_dir / "india" / "protected_areas_in.geojson")
    assert counts["national_parks"]["features_selected"] == int((parks["category"] == "np").sum())
    assert counts["tiger_reserves"]["features_selected"] == int((parks["category"] == "tr").sum())
    assert counts["tiger_reserves"]["features_near"] == 0
    assert counts["tiger_reserves"]["sites_flagged"] == 0
    assert counts["national_parks"]["features_near"] >= 1
    sites = gpd.read_file(leh_run / "run" / "sites.gpkg", layer="sites").to_crs(UTM43)
    hemis = _hemis(data_dir)
    cut = sites.intersection(hemis).area > 0
    assert cut.sum() > 100
    assert counts["national_parks"]["sites_excluded"] == int(cut.sum())


def test_a_rule_with_nothing_near_is_said(tmp_path, data_dir):
    result, _ = run_ok(tmp_path, data_dir, small_leh_dict())
    said = result.stdout.split("warning: land rules applied to 0 features")[1].splitlines()[0]
    # Hemis lies beyond the 4 km study but within the 10 km band: that rule did touch land.
    assert "tiger_reserves" in said and "national_parks" in said and "esz_band_10km" not in said


def test_a_distance_override_far_beyond_any_setback(tmp_path, data_dir):
    config = small_leh_dict()
    config["land"]["distances_m"] = {"runway_clearance": 5e11}  # 500,000 km, typed as metres
    line = run_case_over_previous(tmp_path, data_dir, config)
    assert "land.distances_m.runway_clearance: 500,000,000,000 m is outside the plausible" in line
    assert "widen_ranges" in line


def _bow_tie(lon, lat, d):
    """A self-intersecting ring: two triangles meeting at (lon, lat)."""
    return shapely.Polygon(
        [(lon - d, lat - d), (lon + d, lat + d), (lon + d, lat - d), (lon - d, lat + d)]
    )


def test_a_self_intersecting_land_layer_is_repaired_and_applied(tmp_path, data_dir):
    centre = (77.60, 34.13)  # east of Leh town, inside the small study
    bow = _bow_tie(*centre, 0.02)
    assert not bow.is_valid
    gpd.GeoDataFrame({"name": ["army land"]}, geometry=[bow], crs="EPSG:4326").to_file(
        tmp_path / "defence.geojson"
    )
    catalog = catalog_dict()
    catalog["layers"]["defence"] = {"kind": "area", "path": str(tmp_path / "defence.geojson"),
                                    "name_column": "name"}  # fmt: skip
    config = small_leh_dict()
    config["land"]["exclude"] = [{"layer": "defence", "reason": "defence land"}]
    result, out = run_ok(tmp_path, data_dir, config, catalog)
    assert "layer defence: 1 feature(s) had invalid geometry and were repaired" in result.stderr
    assert "army land" in result.stderr
    sites = gpd.read_file(out / "sites.gpkg", layer="sites").to_crs(UTM43)
    triangles = gpd.GeoSeries([shapely.make_valid(bow)], crs="EPSG:4326").to_crs(UTM43)[0]
    hit = sites.intersection(triangles).area > 0
    assert hit.sum() >= 4
    assert sites.loc[hit, "exclusion_reason"].str.contains("defence land").all()
    # Between the triangles (north and south of the crossing) the land is free: the repair
    # kept two triangles, not the square around them, nor one triangle.
    square = gpd.GeoSeries([shapely.box(*bow.bounds)], crs="EPSG:4326").to_crs(UTM43)[0]
    between = sites[(sites.intersection(square).area > 0) & ~hit]
    assert len(between) >= 2
    assert not between["exclusion_reason"].fillna("").str.contains("defence land").any()
    west, east = (shapely.Point(centre[0] + dx, centre[1]) for dx in (-0.015, 0.015))
    for side in gpd.GeoSeries([west, east], crs="EPSG:4326").to_crs(UTM43):
        assert sites[sites.contains(side)]["exclusion_reason"].str.contains("defence land").all()


def test_a_fine_dem_with_untagged_voids_does_not_rank_a_void(tmp_path, data_dir):
    """The 30 m raster with a block of -32,742 m and no nodata tag, as a careless export
    leaves it: the void is said, its sites take the ~1 km tiles, and no height below the
    Dead Sea reaches the ranking."""
    with rasterio.open(data_dir / "ladakh" / "dem_srtm1_leh.tif") as src:
        profile, z = src.profile | {"nodata": None}, src.read(1)
        row, col = src.index(77.60, 34.13)  # south-east of Leh town, inside the study
    z[row - 60 : row + 60, col - 60 : col + 60] = -32742
    with rasterio.open(tmp_path / "srtm_voids.tif", "w", **profile) as dst:
        dst.write(z, 1)
    catalog = catalog_dict()
    fine = catalog["layers"]["dem_srtm1_leh"]
    fine.pop("sha256")
    fine["path"] = str(tmp_path / "srtm_voids.tif")
    result, out = run_ok(tmp_path, data_dir, small_leh_dict(), catalog)
    assert "layer dem_srtm1_leh: " in result.stderr and "treated as nodata" in result.stderr
    sites = gpd.read_file(out / "sites.gpkg", layer="sites").to_crs(UTM43)
    assert sites["raw__elevation_m"].min() > 3000
    void = gpd.GeoSeries(
        [shapely.box(77.60 - 0.0155, 34.13 - 0.0155, 77.60 + 0.0155, 34.13 + 0.0155)],
        crs="EPSG:4326",
    ).to_crs(UTM43)[0]
    on_void = sites[sites.intersects(void)]
    assert len(on_void) >= 4
    assert (on_void["dem_layer"] == "dem_dted0").all()
    clear = sites[sites.disjoint(void.buffer(1000))]
    assert (clear["dem_layer"] == "dem_srtm1_leh").mean() > 0.9


# --------------------------- issue 31: references that do not share the code under test


def _random_boxes(rng, n, size, spread):
    x, y = rng.uniform(0, spread, n), rng.uniform(0, spread, n)
    w, h = rng.uniform(size / 4, size, n), rng.uniform(size / 4, size, n)
    boxes = [shapely.box(a, b, a + c, b + d) for a, b, c, d in zip(x, y, w, h, strict=True)]
    return np.array(boxes, dtype=object)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_within_against_every_pair_measured(seed):
    """Sites with several features in range: the nearest is named, at its distance (a
    farthest-for-nearest slip, or the first found, would differ on most sites)."""
    rng = np.random.default_rng(seed)
    sites = _random_boxes(rng, 40, 300, 5000)
    features = np.array(
        [shapely.LineString(rng.uniform(0, 5000, (3, 2))) for _ in range(12)], dtype=object
    )
    dist, which = nearest_within(sites, features, 1500)
    several = 0
    for i, site in enumerate(sites):
        d = np.array([site.distance(f) for f in features])
        in_range = np.flatnonzero(d <= 1500)
        several += len(in_range) > 1
        if len(in_range) == 0:
            assert which[i] == -1 and np.isinf(dist[i])
            continue
        assert dist[i] == pytest.approx(d.min(), abs=1e-9)
        assert d[which[i]] == pytest.approx(d.min(), abs=1e-9)
    assert several >= 10  # the case where nearest and farthest differ, many times over


@pytest.mark.parametrize("seed", [4, 5])
def test_largest_overlaps_against_every_intersection(seed):
    rng = np.random.default_rng(seed)
    sites = _random_boxes(rng, 40, 400, 3000)
    zones = np.array([g.buffer(100) for g in _random_boxes(rng, 10, 900, 3000)], dtype=object)
    share, which = largest_overlaps(sites, zones)
    several = 0
    for i, site in enumerate(sites):
        shares = np.array([site.intersection(z).area / site.area for z in zones])
        several += (shares > 0).sum() > 1
        if shares.max() == 0:
            assert which[i] == -1 and share[i] == 0
            continue
        assert share[i] == pytest.approx(shares.max(), abs=1e-9)
        assert shares[which[i]] == pytest.approx(shares.max(), abs=1e-9)
    assert several >= 5


def test_a_flag_names_the_nearer_of_two_roads_and_its_distance():
    """By hand: a site 30 m from one road and 60 m from another, both within the 75 m
    control line."""
    site = np.array([shapely.box(0, 0, 100, 100)], dtype=object)
    roads = np.array(
        [shapely.LineString([(160, -50), (160, 150)]),  # 60 m east
         shapely.LineString([(-30, -50), (-30, 150)])],  # 30 m west
        dtype=object,
    )  # fmt: skip
    out, _ = apply_rule(
        site, roads, ["NH 1", "NH 3"], action="flag", distance_m=75, max_share=0.0,
        text=RuleText("{distance_m} m from the centreline of {name}", ""),
    )  # fmt: skip
    assert out.flagged.tolist() == ["30 m from the centreline of NH 3"]


def test_a_setback_is_judged_on_the_share_of_the_most_overlapping_zone():
    """Two setback bands over one site: 20 % in one, 35 % in the other; with max_share
    0.25 the larger excludes it, naming that road and its share."""
    site = np.array([shapely.box(0, 0, 100, 100)], dtype=object)
    roads = np.array(
        [shapely.LineString([(-100, -10), (200, -10)]),  # its 30 m band covers y < 20
         shapely.LineString([(-100, 95), (200, 95)])],  # y > 65: 35 %
        dtype=object,
    )  # fmt: skip
    out, _ = apply_rule(
        site, roads, ["south road", "north road"], action="setback", distance_m=30,
        max_share=0.25, text=RuleText("{share_pct} % within {distance_m} m of {name}", ""),
    )  # fmt: skip
    assert out.excluded.tolist() == ["35 % within 30 m of north road"]


def test_a_stack_of_three_takes_the_finest_that_covers_each_site():
    """Fine (5 % grade, 2 km, a hole), medium (20 %, 6 km) and coarse (flat, 12 km): the
    order decides, never the last to be read."""
    fine = _plane(0, 0, 200, 10.0, slope_pct=5, hole=(80, 120, 80, 120))  # 0-2 km
    medium = _plane(-2000, -2000, 200, 30.0, slope_pct=20)  # -2 to 4 km
    coarse = _plane(-5000, -5000, 12, 1000.0, slope_pct=0)
    sites = gpd.GeoSeries(
        [
            shapely.box(200, 200, 500, 500),  # fine and medium: fine
            shapely.box(850, 850, 1150, 1150),  # over the fine hole: medium
            shapely.box(2500, 2500, 2800, 2800),  # medium only
            shapely.box(5000, 5000, 5300, 5300),  # coarse only
        ],
        crs=UTM43,
    )
    source = assign_dems(sites, [fine, medium, coarse])
    assert source.tolist() == [0, 1, 1, 2]
    slope = StackedZonalStats(sites, [fine, medium, coarse], source).of(
        "slope", lambda part: part.slope_deg
    )["mean"]
    expected = [np.degrees(np.arctan(0.05)), np.degrees(np.arctan(0.20)),
                np.degrees(np.arctan(0.20)), 0.0]  # fmt: skip
    np.testing.assert_allclose(slope, expected, atol=1e-6)


def test_the_exclusions_table_holds_a_row_per_site_and_rule(leh_run):
    """Issue 33: one table of records: the elevation threshold's rows are exactly the sites
    above 4,200 m (read from their raw values), with those values; every excluded site has
    an exclusion row and no ranked site has one; the flags column's sites are the flag rows'."""
    run = leh_run / "run"
    table = pd.read_csv(run / "exclusions.csv", encoding="utf-8-sig", keep_default_na=False,
                        na_values={"value": [""]})  # fmt: skip
    ranking = pd.read_csv(run / "ranking.csv", encoding="utf-8-sig", keep_default_na=False,
                          na_values={"rank": [""]})  # fmt: skip
    above = ranking[pd.to_numeric(ranking["raw__elevation_m"]) > 4200]
    rows = table[table["rule"] == "constraints[2]"]
    assert len(above) > 1000 and set(rows["action"]) == {"exclude"}
    assert sorted(rows["site_id"]) == sorted(above["site_id"])
    values = rows.set_index("site_id")["value"].astype(float)
    np.testing.assert_allclose(values[above["site_id"]], above["raw__elevation_m"].astype(float))
    assert set(rows["template"]) == {"above 4,200 m"}
    excluded = set(ranking.loc[ranking["excluded"].astype(bool), "site_id"])
    assert len(excluded) > 1000
    assert set(table.loc[table["action"] == "exclude", "site_id"]) == excluded
    flagged = set(ranking.loc[ranking["flags"] != "", "site_id"])
    assert len(flagged) > 500
    assert set(table.loc[table["action"] == "flag", "site_id"]) == flagged
